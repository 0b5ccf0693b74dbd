"""The claim figures on the project page ("Maksājumi"), in the portfolio's "Claimed / received"
column and in `GET /api/v1/projects/{id}`: claimed, approved, received, outstanding, the advance
not yet cleared, the next planned claim and overdue flags, to the cent, for those who may read."""

import re
from datetime import date

from grants.claims.claims import ClaimInput, create_claim
from grants.claims.schedule import ScheduleRowInput, save_schedule
from grants.claims.workflow import submit_claim
from grants.core.vocabulary import Role
from tests.builders import BUILDER, declare, outsider
from tests.helpers import CONNECTINGEN, FAMILIES, api_headers, eur, project_id, sign_in

PLAN = [
    ("2026-07-31", "60 000,00"),
    ("2027-01-29", "90 000,00"),
    ("2027-07-30", "80 000,00"),
    ("2028-02-29", "66 578,43"),
]


def panel(html: str) -> str:
    """The project page's claims panel."""
    return re.search(r'<section id="claims".*?</section>', html, re.S).group(0)


def row(html: str, pid: int) -> str:
    """The portfolio row of the project."""
    for found in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S):
        if f'href="/projects/{pid}"' in found:
            return found
    raise AssertionError(f"no row for {pid}")


def claims_cell(html: str) -> str:
    return re.search(r'<td class="num claims".*?</td>', html, re.S).group(0)


async def test_the_project_page_shows_the_families_money_cycle(demo, client):
    pid = await project_id(FAMILIES)
    await sign_in(client, Role.VIEWER)
    page = await client.get(f"/projects/{pid}")
    assert page.status_code == 200
    shown = panel(page.text)
    assert "Maksājumi" in shown
    # claimed 61 141,20, approved 60 828,80 after the 312,40 deduction; received the advance
    # 59 315,69 + 30 828,80; nothing outstanding; 59 315,69 − 30 000,00 uncleared (the draft
    # that would clear 15 000,00 more is not sent yet)
    for amount in ("61 141,20", "60 828,80", "90 144,49", "0,00", "29 315,69", "96 724,23"):
        assert eur(amount) in shown, amount
    assert "29.01.2027" in shown  # the next planned claim: the first half-year is claimed
    assert f'href="/projects/{pid}/claims"' in shown
    assert f'href="/projects/{pid}/claim-schedule"' in shown


async def test_the_project_page_shows_connectingens_certified_report(demo, client):
    pid = await project_id(CONNECTINGEN)
    await sign_in(client, Role.FINANCE)
    shown = panel((await client.get(f"/projects/{pid}")).text)
    for amount in ("9 453,78", "9 417,38", "7 533,90"):
        assert eur(amount) in shown, amount
    assert "nav maksājumu pieprasījumu grafika" in shown


async def test_a_project_without_claims_says_so_in_english_too(families, client):
    await sign_in(client, Role.COORDINATOR)
    client.cookies.set("lang", "en")
    shown = panel((await client.get(f"/projects/{families}")).text)
    assert "Money received" in shown and "No claims and no claim schedule yet." in shown


async def test_a_missed_plan_and_a_late_review_are_flagged(families, client):
    await save_schedule(BUILDER, families, [ScheduleRowInput(d, a) for d, a in PLAN])
    await declare(families, date(2026, 3, 10), 100_000)
    claim = await create_claim(BUILDER, families, ClaimInput("interim", "2026-01-01", "2026-06-30"))
    await submit_claim(BUILDER, claim.id)
    await sign_in(client, Role.VIEWER)
    # claim 1 covers July 2026's planned claim; the next is January 2027's
    shown = panel((await client.get(f"/projects/{families}")).text)
    assert "29.01.2027" in shown and eur("90 000,00") in shown
    portfolio = await client.get("/")
    cell = claims_cell(row(portfolio.text, families))
    assert eur("1 000,00") in cell and "saņemts " + eur("0,00") in cell


async def test_the_portfolio_shows_claimed_received_and_outstanding(demo, client):
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/")).text
    assert "Pieprasīts / saņemts" in html
    families = claims_cell(row(html, await project_id(FAMILIES)))
    assert eur("61 141,20") in families and "saņemts " + eur("90 144,49") in families
    assert "jāsaņem" not in families  # nothing outstanding
    connectingen = claims_cell(row(html, await project_id(CONNECTINGEN)))
    assert eur("9 453,78") in connectingen and "jāsaņem " + eur("7 533,90") in connectingen
    # projects without claims or schedule show a dash
    sif = claims_cell(row(html, await project_id("4.4.1.1./002")))
    assert ">—<" in sif


async def test_the_api_project_has_its_claim_figures(demo, client):
    pid = await project_id(FAMILIES)
    body = (
        await client.get(f"/api/v1/projects/{pid}", headers=await api_headers(Role.VIEWER))
    ).json()
    claims = body["claims"]
    assert {k: claims[k] for k in claims if k not in ("next_planned", "late_reviews")} == {
        "claimed": "61141.20",
        "approved": "60828.80",
        "received": "90144.49",
        "outstanding": "0.00",
        "advance_received": "59315.69",
        "advance_uncleared": "29315.69",
        "drafts": 1,
        "missed_planned": claims["missed_planned"],
        "overdue": claims["overdue"],
    }
    assert claims["next_planned"] | {"overdue": None} == {
        "position": 2,
        "planned_date": "2027-01-29",
        "amount": "96724.23",
        "cumulative": "158224.23",
        "overdue": None,
    }
    assert claims["late_reviews"] == []
    assert body["code"] == FAMILIES and body["funding"]  # what was there stays
    connectingen = await project_id(CONNECTINGEN)
    other = (
        await client.get(
            f"/api/v1/projects/{connectingen}", headers=await api_headers(Role.FINANCE)
        )
    ).json()["claims"]
    assert (other["claimed"], other["approved"], other["outstanding"]) == (
        "9453.78",
        "9417.38",
        "7533.90",
    )
    assert other["next_planned"] is None


async def test_other_projects_figures_are_not_shown(families, client):
    from grants.accounts.users import create_token

    await outsider(Role.FINANCE)
    stranger = {"Authorization": f"Bearer {await create_token('finance@sif.demo')}"}
    response = await client.get(f"/api/v1/projects/{families}", headers=stranger)
    # refused as the project detail already is (403 today), without any claim figure
    assert response.status_code in (403, 404) and "claims" not in response.json()
    mine = await client.get(f"/api/v1/projects/{families}", headers=await api_headers(Role.VIEWER))
    assert mine.json()["claims"]["claimed"] == "0.00"
    assert mine.json()["claims"]["next_planned"] is None
