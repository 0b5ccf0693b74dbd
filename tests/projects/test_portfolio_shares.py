"""Partner projects in the portfolio at our share, and other organisations' approvals totalled
apart: the seed's figures to the cent on the page and in the API list."""

import re
from decimal import Decimal

from grants.core.vocabulary import OurRole, Role
from grants.projects.editing import store_plan_amounts
from grants.projects.reading import list_projects
from grants.tables.projects import Partner, Project
from tests.builders import partner_project, user
from tests.helpers import (
    CONNECTINGEN,
    FAMILIES,
    PILOT,
    PROTI,
    SIF_014,
    SIF_019,
    api_headers,
    eur,
    principal,
    sign_in,
)


def row(html: str, code: str) -> str:
    """The portfolio row of the project with this code."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return next(r for r in body.split("<tr") if f">{code}</a>" in r)


def cells(html: str, code: str) -> dict[str, str]:
    """The row's cells by their caption (data-label), tags stripped, runs of ordinary white
    space as one space (the no-break spaces of amounts stay)."""
    found = re.findall(r'<td [^>]*data-label="([^"]+)">(.*?)</td>', row(html, code), re.S)
    plain = {label: re.sub(r"<[^>]+>", " ", text) for label, text in found}
    return {label: re.sub(r"[ \t\n]+", " ", text).strip() for label, text in plain.items()}


def footer(html: str) -> dict[str, str]:
    """The totals rows by their class: "total-ours", "total-others"."""
    foot = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    return dict(re.findall(r'<tr class="(total-\w+)">(.*?)</tr>', foot, re.S))


def codes(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="code"><a href="/projects/\d+">([^<]+)</a>', body)


async def test_partner_projects_show_our_share_and_its_eu_part(demo, client):
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/")).text
    connectingen = cells(html, CONNECTINGEN)
    # 48 355,00 = ERDF 80 % 38 684,00 + municipality 9 671,00; a conditional decision
    assert connectingen["Kopā"] == f"{eur('48 355,00')} mūsu daļa Ar nosacījumiem"
    assert connectingen["ES daļa"] == f"{eur('38 684,00')} mūsu daļa"
    assert connectingen["Attiecināmās"] == "—"
    proti = cells(html, PROTI)
    assert proti["Kopā"] == f"{eur('84 104,51')} mūsu daļa"
    assert proti["ES daļa"] == "—"  # JSPA pays our share; its EU part is not in the plan
    families = cells(html, FAMILIES)
    assert families["Kopā"] == eur("369 214,43") and "mūsu daļa" not in row(html, FAMILIES)
    assert "cita organizācija" in row(html, SIF_019)
    assert "cita organizācija" not in row(html, CONNECTINGEN)


async def test_totals_split_ours_from_other_organisations_approvals(demo, client):
    await sign_in(client, Role.ADMIN)
    totals = footer((await client.get("/")).text)
    ours, others = totals["total-ours"], totals["total-others"]
    assert "Mūsu projekti · 4 projekti" in ours
    # 369 214,43 + 84 104,51 + 48 355,00; the closed pilot has no figure
    assert f'{eur("501 673,94")}<br><span class="muted small">zināmi 3 no 4' in ours
    assert f'{eur("296 578,43")}<br><span class="muted small">zināmi 1 no 4' in ours
    # ESF+ 252 091,67 + ConnectinGen's ERDF 38 684,00
    assert f'{eur("290 775,67")}<br><span class="muted small">zināmi 2 no 4' in ours
    assert "Citu organizāciju apstiprinātie projekti · 12 projekti" in others
    assert f'{eur("2 879 510,97")}<br><span class="muted small">zināmi 12 no 12' in others
    assert '—<br><span class="muted small">zināmi 0 no 12' in others
    assert eur("3 381 184,91") not in ours + others  # never added together


async def test_filters_and_sorting_use_the_counted_figures(demo, client):
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/", params={"measure": "4.4.1.1"})).text
    totals = footer(html)
    assert "1 projekts" in totals["total-ours"] and eur("369 214,43") in totals["total-ours"]
    assert eur("2 879 510,97") in totals["total-others"]
    html = (await client.get("/", params={"status": "in_progress"})).text
    assert set(footer(html)) == {"total-ours"}  # no approvals of others shown: no row for them
    assert eur("501 673,94") in footer(html)["total-ours"]
    shown = codes((await client.get("/", params={"sort": "total", "dir": "desc"})).text)
    # PROTI's 84 104,51 above SIF's smallest approval 83 742,00; ConnectinGen's 48 355,00 after
    assert shown.index(PROTI) < shown.index(SIF_014) < shown.index(CONNECTINGEN)
    assert shown[-1] == PILOT


async def test_a_member_sees_only_our_totals_and_english_says_our_share(demo, client):
    await sign_in(client, Role.VIEWER)
    await client.get("/lang/en", params={"next": "/"})
    html = (await client.get("/")).text
    assert set(footer(html)) == {"total-ours"}
    assert "Our projects" in footer(html)["total-ours"]
    assert "our share" in row(html, CONNECTINGEN)
    assert "€48,355.00" in row(html, CONNECTINGEN)


async def test_the_api_list_gives_our_share_as_decimal_strings(demo, client):
    response = await client.get("/api/v1/projects", headers=await api_headers(Role.ADMIN))
    projects = {p["code"]: p for p in response.json()["items"]}
    connectingen = projects[CONNECTINGEN]
    assert connectingen["counted_as"] == "our_share"
    assert (connectingen["our_share"], connectingen["our_eu_share"]) == ("48355.00", "38684.00")
    assert connectingen["total_cost"] is None
    proti = projects[PROTI]
    assert (proti["counted_as"], proti["our_share"], proti["our_eu_share"]) == (
        "our_share",
        "84104.51",
        None,
    )
    assert projects[FAMILIES]["counted_as"] == "own_project"
    assert projects[FAMILIES]["our_share"] is None
    assert {p["counted_as"] for c, p in projects.items() if c.startswith("4.4.1.1./0")} == {
        "other_organisation"
    }
    # counted like the page: own projects at full amounts, partner projects at our share
    ours = [
        p["our_share"] if p["counted_as"] == "our_share" else p["total_cost"]
        for p in projects.values()
        if p["counted_as"] != "other_organisation"
    ]
    assert sum(Decimal(v) for v in ours if v is not None) == Decimal("501673.94")


async def test_our_share_is_unknown_without_a_budget_and_counted_for_a_lead_partner(
    database, client
):
    """A partner row of ours without a budget gives no share (not 0); a lead partner's project
    counts at our share too, never at the whole project's amounts."""
    pid = await partner_project()  # 48 355,00 of ours, the project's total unknown
    await Project.update(
        {Project.our_role: OurRole.LEAD_PARTNER, Project.total_cost: 99_000_000}
    ).where(Project.id == pid)
    await user(Role.ADMIN)
    (summary,) = await list_projects(await principal(Role.ADMIN))
    assert (summary.counted_as, summary.shown_total, summary.total_cost) == (
        "our_share",
        4_835_500,
        99_000_000,
    )
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/")).text
    assert "viss projekts: " + eur("990 000,00") in row(html, CONNECTINGEN)
    assert eur("48 355,00") in footer(html)["total-ours"]

    other = await partner_project("LL-00999")
    await Project.update({Project.our_role: OurRole.PARTNER}).where(Project.id == other)
    await Partner.update({Partner.budget: None}).where(Partner.project == other)  # not given
    await store_plan_amounts([other])  # as the app does in the transaction changing a budget
    summary = next(p for p in await list_projects(await principal(Role.ADMIN)) if p.id == other)
    assert (summary.our_share, summary.our_eu_share, summary.shown_total) == (None, None, None)
