"""Report downloads never hold up other requests (rendering runs in a worker thread), and a
`download` mark comes back as the cookie the page's script waits for."""

import asyncio
import threading

import anyio
import httpx
import pytest

import reports.render_portfolio
import reports.versions
from grants.core.vocabulary import Role
from tests.helpers import api_headers, sign_in


@pytest.fixture
async def on_loop(client, app):
    """A client that runs the app on the test's own event loop (the test client runs it in a
    thread of its own, one request at a time), with `client` having started the app."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


def blocking_renderer(started: threading.Event, release: threading.Event):
    """A renderer that holds its thread until released: the event loop must not wait for it."""

    def render(report) -> bytes:
        started.set()
        release.wait(timeout=30)  # a guard against hanging the suite, not a measurement
        return b"%PDF-held"

    return render


@pytest.mark.parametrize("kind", ["period", "portfolio"])
async def test_another_request_is_answered_while_a_pdf_renders(
    reported, on_loop, monkeypatch, kind
):
    started, release = threading.Event(), threading.Event()
    held = blocking_renderer(started, release)
    if kind == "period":
        monkeypatch.setattr(reports.versions, "render_pdf", held)
        url = f"/periods/{reported['period']}/report"
    else:
        monkeypatch.setattr(reports.render_portfolio, "render_portfolio_pdf", held)
        url = "/portfolio/report"
    await sign_in(on_loop, Role.COORDINATOR)
    download = asyncio.create_task(on_loop.get(url, params={"format": "pdf"}))
    try:
        assert await anyio.to_thread.run_sync(started.wait, 30)
        other = await on_loop.get(f"/projects/{reported['project']}")
        assert other.status_code == 200
        assert not download.done()  # answered while the render still runs
    finally:
        release.set()
    response = await download
    assert response.status_code == 200
    assert response.content == b"%PDF-held"


async def test_the_download_mark_comes_back_as_a_short_lived_cookie(reported, client):
    await sign_in(client, Role.COORDINATOR)
    url = f"/periods/{reported['period']}/report"
    response = await client.get(url, params={"format": "csv", "download": "a1B2c3"})
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("grants_download=a1B2c3;")
    assert "Max-Age=60" in cookie and "Path=/" in cookie and "samesite=strict" in cookie.lower()
    assert "HttpOnly" not in cookie  # the page's script reads it

    plain = await client.get(url, params={"format": "csv"})
    assert plain.status_code == 200
    assert "grants_download" not in plain.headers.get("set-cookie", "")

    portfolio = await client.get("/portfolio/report", params={"format": "xlsx", "download": "Z9"})
    assert portfolio.status_code == 200
    assert portfolio.headers["set-cookie"].startswith("grants_download=Z9;")


@pytest.mark.parametrize("mark", ["", "a b", "x;Path=/", "ā1", "a" * 65])
async def test_a_malformed_download_mark_is_refused(reported, client, mark):
    headers = await api_headers(Role.COORDINATOR)
    for url in (f"/api/v1/periods/{reported['period']}/report", "/api/v1/reports/portfolio"):
        response = await client.get(
            url, params={"format": "pdf", "download": mark}, headers=headers
        )
        assert response.status_code == 400
        assert "set-cookie" not in response.headers
        assert response.json() == {
            "status_code": 400,
            "detail": "Lejupielādes atzīmē drīkst būt tikai 1–64 latīņu burti vai cipari.",
            "errors": [
                {
                    "field": "download",
                    "message": "Lejupielādes atzīmē drīkst būt tikai 1–64 latīņu burti vai cipari.",
                }
            ],
        }


async def test_the_download_links_say_what_they_are_preparing(reported, client):
    await sign_in(client, Role.COORDINATOR)
    period = reported["period"]
    page = (await client.get(f"/projects/{reported['project']}", params={"period": period})).text
    assert f'/periods/{period}/report?format=pdf" download data-busy="Gatavo PDF…"' in page
    assert f'/periods/{period}/report?format=xlsx" download data-busy="Gatavo XLSX…"' in page
    assert 'format=html" target="_blank" rel="noopener" data-busy' not in page
    portfolio = (await client.get("/")).text
    assert 'download data-busy="Gatavo PDF…">PDF</a>' in portfolio
    assert 'download data-busy="Gatavo XLSX…">XLSX</a>' in portfolio
