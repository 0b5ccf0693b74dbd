"""What people notice in their first hour: one percent style per language, marked required
fields, a favicon, and icons that need no emoji font."""

import re
from decimal import Decimal

import pytest

from grants.core.i18n import format_percent, format_rate, set_locale
from grants.core.vocabulary import Role
from tests.helpers import FAMILIES, NBSP, post, project_id, sign_in


@pytest.fixture
def in_locale():
    """Switch the current language for a test; Latvian again afterwards, whatever happens."""
    yield set_locale
    set_locale("lv")


# Emoji blocks (pictographs, symbols and dingbats); ✓ and ✗ are text characters every font has.
EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u2712\u2714-\u2716\u2718-\u27BF]")


@pytest.mark.parametrize(
    ("value", "lv", "en"),
    [
        (Decimal("85"), f"85,0{NBSP}%", "85.0%"),
        (Decimal("16.7"), f"16,7{NBSP}%", "16.7%"),
        (Decimal("7"), f"7,0{NBSP}%", "7.0%"),
        (Decimal("0.5"), f"0,5{NBSP}%", "0.5%"),
        (Decimal("1234.5"), f"1{NBSP}234,5{NBSP}%", "1,234.5%"),
        (Decimal("-3.2"), f"-3,2{NBSP}%", "-3.2%"),
        (Decimal("0.25"), f"0,3{NBSP}%", "0.3%"),  # half-up, as every figure of the app
        (100, f"100,0{NBSP}%", "100.0%"),
    ],
)
def test_a_percentage_has_one_style_per_language(value, lv, en) -> None:
    assert format_percent(value, locale="lv") == lv
    assert format_percent(value, locale="en") == en


def test_the_current_language_decides_and_places_stay_as_asked(in_locale) -> None:
    in_locale("en")
    assert format_percent(Decimal("16.7")) == "16.7%"
    assert format_percent(100, places=0) == "100%"
    in_locale("lv")
    assert format_percent(Decimal("16.7")) == f"16,7{NBSP}%"
    assert format_percent(100, places=0) == f"100{NBSP}%"
    assert format_percent(None) == "—"


@pytest.mark.parametrize(
    ("rate_bp", "lv", "en"),
    [
        (8500, f"85,00{NBSP}%", "85.00%"),
        (1670, f"16,70{NBSP}%", "16.70%"),
        (700, f"7,00{NBSP}%", "7.00%"),
        (50, f"0,50{NBSP}%", "0.50%"),
        (10_000, f"100,00{NBSP}%", "100.00%"),
        (1, f"0,01{NBSP}%", "0.01%"),
    ],
)
def test_a_rate_shows_its_two_decimals_in_the_same_style(in_locale, rate_bp, lv, en) -> None:
    in_locale("lv")
    assert format_rate(rate_bp) == lv
    in_locale("en")
    assert format_rate(rate_bp) == en


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError):
        format_percent(16.7)  # type: ignore[arg-type]


async def test_rates_and_shares_on_the_project_pages_share_the_style(demo, client):
    await sign_in(client, Role.ADMIN)
    pid = await project_id(FAMILIES)
    html = (await client.get(f"/projects/{pid}")).text
    assert f"85,00{NBSP}%" in html and f"15,00{NBSP}%" in html
    assert not re.search(r"\d%", html)  # no percent glued to its number in Latvian
    await client.get(f"/lang/en?next=/projects/{pid}")
    html = (await client.get(f"/projects/{pid}")).text
    assert "85.00%" in html and "15.00%" in html
    assert not re.search(r"\d[ \u00a0]%", html)
    cofinancing = (await client.get(f"/projects/{pid}/cofinancing")).text
    assert "0.0%" in cofinancing and not re.search(r"\d[ \u00a0]%", cofinancing)


async def test_the_rates_message_names_them_in_the_users_style(demo, client):
    await sign_in(client, Role.ADMIN)
    form = {
        "code": "P-1", "measure": "4.4.1.1", "title": "Pilots", "funding_rows": "2",
        "funding-0-source": "ESF+", "funding-0-base": "eligible", "funding-0-rate": "85,5",
        "funding-1-source": "Valsts", "funding-1-base": "eligible", "funding-1-rate": "10",
    }  # fmt: skip
    response = await post(client, "/projects/new", form)
    assert response.status_code == 400
    assert f"kopā ir 95,50{NBSP}%, nevis 100{NBSP}%." in response.text


async def test_the_favicon_is_served_to_anyone(database, client):
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/vnd.microsoft.icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "public" in icon.headers["cache-control"]
    svg = await client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg")
    touch = await client.get("/static/apple-touch-icon.png")
    assert touch.status_code == 200 and touch.content[:8] == b"\x89PNG\r\n\x1a\n"


async def test_pages_name_their_icons(database, client):
    html = (await client.get("/login")).text
    assert '<link rel="icon" href="/favicon.ico"' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


MARK = '<abbr class="required" title="obligāts">*</abbr>'


def labelled(html: str, name: str) -> str:
    """The label and the control of the form field `name`."""
    match = re.search(
        rf'<label for="f-{name}">(.*?)</label>\s*<(?:input|select)[^>]*name="{name}"[^>]*>',
        html,
        re.S,
    )
    assert match, name
    return match[0]


async def test_the_sign_in_form_marks_both_fields_required(database, client):
    html = (await client.get("/login")).text
    for name, label in (("email", "E-pasts"), ("password", "Parole")):
        field = re.search(rf"<span>{label} (.*?)</span>\s*<input [^>]*name=\"{name}\"[^>]*>", html)
        assert field and field[1] == MARK and " required " in field[0], name
    assert "obligāts lauks" in html


async def test_the_expenditure_form_marks_what_the_server_requires(demo, client):
    await sign_in(client, Role.FINANCE)
    pid = await project_id(FAMILIES)
    html = (await client.get(f"/projects/{pid}/expenditures")).text
    for name in ("date", "amount", "category", "supplier", "invoice_number"):
        field = labelled(html, name)
        assert MARK in field and " required" in field, name
    for name in ("eligible_amount", "vat", "payment_date", "description", "evidence_ref"):
        field = labelled(html, name)
        assert MARK not in field and " required" not in field, name


async def test_main_pages_show_no_emoji(demo, client):
    await sign_in(client, Role.ADMIN)
    pid = await project_id(FAMILIES)
    pages = [
        "/",
        f"/projects/{pid}",
        f"/projects/{pid}/expenditures",
        f"/projects/{pid}/cofinancing",
        f"/projects/{pid}/budget",
        f"/projects/{pid}/register",
        f"/projects/{pid}/history",
        f"/projects/{pid}/edit",
        "/projects/new",
        "/admin/users",
        "/profile",
    ]
    for url in pages:
        response = await client.get(url)
        assert response.status_code == 200, url
        assert not EMOJI.findall(response.text), url
    checks = (await client.get(f"/projects/{pid}")).text
    assert checks.count('<svg class="icon"') >= 3  # the funding plan's checks: drawn, not typed
