"""Security headers on every response, no-store on personal data and reports, no server
banner, and evidence files only of safe types, always downloaded."""

import re
from pathlib import Path

import pytest

from grants.core.vocabulary import Role
from grants.tables.attachments import Attachment
from tests.builders import invoice_form, participant
from tests.helpers import api_headers, grants, post, sign_in

TEMPLATES = Path(__file__).parents[2] / "grants" / "templates"


def assert_guarded(response) -> None:
    headers = response.headers
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "server" not in headers


async def test_every_response_carries_the_security_headers(families, client):
    await sign_in(client, Role.COORDINATOR)
    api = await api_headers(Role.COORDINATOR)
    for response in (
        await client.get("/login"),
        await client.get("/"),
        await client.get(f"/projects/{families}"),
        await client.get("/static/app.css"),
        await client.get("/no-such-page"),
        await client.get("/api/v1/projects", headers=api),
        await client.get("/api/v1/projects"),
    ):
        assert_guarded(response)


def test_pages_need_no_inline_script_or_style():
    """The policy allows scripts and styles from /static only, so templates carry none inline
    (the downloadable reports have their own styles and are never shown as pages)."""
    for path in TEMPLATES.rglob("*.html"):
        if "reports" in path.parts:
            continue
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert not re.search(r"<style|\sstyle=", text), path


async def test_register_data_and_reports_are_not_stored_by_caches(reported, client):
    pid, period = reported["project"], reported["period"]
    await participant(pid, "TUK-001")
    api = await api_headers(Role.COORDINATOR)
    await sign_in(client, Role.COORDINATOR)
    for response in (
        await client.get(f"/projects/{pid}/register"),
        await client.get(f"/api/v1/projects/{pid}/participants", headers=api),
        await client.get(f"/api/v1/periods/{period}/report?format=csv", headers=api),
        await client.get(f"/periods/{period}/report?format=xlsx"),
        await client.get("/portfolio/report?format=xlsx"),
    ):
        assert response.status_code == 200, response.url
        assert "no-store" in response.headers["cache-control"], response.url


def test_grants_serve_turns_off_the_server_banner_and_proxy_headers(upgraded_url, monkeypatch):
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    assert grants(upgraded_url, "serve").exit_code == 0
    assert calls[0]["server_header"] is False
    assert calls[0]["proxy_headers"] is False


async def upload(client, pid: int, name: str, data: bytes, content_type: str):
    return await post(
        client,
        f"/projects/{pid}/expenditures",
        invoice_form(),
        files={"attachment": (name, data, content_type)},
    )


NOT_ALLOWED = "pievienojiet PDF, PNG, JPEG, XLSX, DOCX, ODT, ODS, CSV, TXT vai ZIP failu"


@pytest.mark.parametrize(
    ("name", "data", "content_type", "message"),
    [
        ("rēķins.html", b"<html><script>alert(1)</script></html>", "text/html", NOT_ALLOWED),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml", NOT_ALLOWED),
        ("rēķins.exe", b"MZ\x90\x00", "application/octet-stream", NOT_ALLOWED),
        ("rēķins.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "nav īsts"),
    ],
)
async def test_evidence_of_an_unsafe_or_unknown_type_is_refused(
    families, client, name, data, content_type, message
):
    await sign_in(client, Role.FINANCE)
    response = await upload(client, families, name, data, content_type)
    assert response.status_code == 400
    assert message in response.text
    assert await Attachment.count() == 0


async def test_evidence_is_served_as_a_download_of_its_allowed_type(families, client):
    await sign_in(client, Role.FINANCE)
    response = await upload(client, families, "rēķins.pdf", b"%PDF-1.4 evidence", "text/html")
    assert response.status_code in (200, 303)
    stored = await Attachment.select(Attachment.id, Attachment.content_type).first()
    assert stored["content_type"] == "application/pdf"
    download = await client.get(f"/attachments/{stored['id']}")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert "no-store" in download.headers["cache-control"]
    assert "sandbox" in download.headers["content-security-policy"]


async def test_evidence_stored_earlier_with_an_unsafe_type_is_never_served_inline(families, client):
    await sign_in(client, Role.FINANCE)
    await upload(client, families, "rēķins.pdf", b"%PDF-1.4 evidence", "application/pdf")
    await Attachment.update(
        {Attachment.name: "page.html", Attachment.content_type: "text/html"}, force=True
    )
    stored = await Attachment.select(Attachment.id).first()
    download = await client.get(f"/attachments/{stored['id']}")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment;")
