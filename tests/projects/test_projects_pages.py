"""The portfolio and project pages as a signed-in person sees them."""

import re

from grants.core.vocabulary import Role
from grants.tables.funding import FundingLine
from grants.tables.projects import Project
from tests.builders import measure, user
from tests.helpers import (
    CONNECTINGEN,
    FAMILIES,
    NBSP,
    PILOT,
    PROTI,
    SIF_014,
    SIF_019,
    csrf_token,
    eur,
    project_id,
    sign_in,
)


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td class="code"><a href="/projects/\d+">([^<]+)</a>', body)


async def test_pages_need_sign_in(client):
    response = await client.get("/")
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=/"


async def test_wrong_password_is_refused_with_a_message_and_no_session(client):
    await user(Role.ADMIN)
    response = await sign_in(client, Role.ADMIN, password="not-the-password")
    assert response.status_code == 401
    assert "Nepareizs e-pasts vai parole." in response.text
    assert (await client.get("/")).status_code == 302


async def test_sign_in_form_without_csrf_token_is_refused(client):
    await user(Role.ADMIN)
    await csrf_token(client)
    response = await client.post(
        "/login", data={"email": "admin@tukums.demo", "password": "demo-admin-2026"}
    )
    assert response.status_code == 403


async def test_portfolio_lists_every_project_with_computed_totals(demo, client):
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/")).text
    assert len(rows(html)) == 16
    assert "Portfelis" in html
    ours, others = html.split("<tfoot>", 1)[1].split('class="total-others"', 1)
    # 369 214,43 + PROTI 84 104,51 and ConnectinGen 48 355,00 at our share; the pilot unknown
    assert "Mūsu projekti · 4 projekti" in ours
    assert eur("501 673,94") in ours and "zināmi 3 no 4" in ours
    assert eur("290 775,67") in ours  # ESF+ 252 091,67 + ERDF 38 684,00 of our share
    # SIF's twelve approvals apart: 2 879 510,97
    assert "12 projekti" in others and eur("2 879 510,97") in others


async def test_portfolio_filters_by_measure_and_status(small_portfolio, client):
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/", params={"measure": "4.4.1.1"})).text
    assert rows(html) == [SIF_014, SIF_019, FAMILIES]
    # 83 742,00 + 299 990,00 + 369 214,43
    assert eur("752 946,43") in html.split("<tfoot>", 1)[1]
    html = (await client.get("/", params={"status": "in_progress"})).text
    assert rows(html) == [PROTI, FAMILIES, CONNECTINGEN]
    html = (await client.get("/", params={"programme": "LV-LT-2021-2027"})).text
    assert rows(html) == [CONNECTINGEN]


async def test_portfolio_sorts_by_column_with_unknown_figures_last(small_portfolio, client):
    await sign_in(client, Role.ADMIN)
    desc = rows((await client.get("/", params={"sort": "total", "dir": "desc"})).text)
    assert desc[:3] == [FAMILIES, SIF_019, SIF_014]
    assert set(desc[-3:]) == {PROTI, CONNECTINGEN, PILOT}
    asc = rows((await client.get("/", params={"sort": "total", "dir": "asc"})).text)
    assert asc[:3] == [SIF_014, SIF_019, FAMILIES]  # 83 742,00, the smallest approval, first
    assert set(asc[-3:]) == {PROTI, CONNECTINGEN, PILOT}


async def test_project_page_shows_the_funding_plan_and_its_checks(demo, client):
    await sign_in(client, Role.ADMIN)
    html = (await client.get(f"/projects/{await project_id('4.4.1.1./2/004')}")).text
    for amount in ("369 214,43", "296 578,43", "252 091,67", "44 486,76", "72 636,00"):
        assert eur(amount) in html
    assert f"85,00{NBSP}%" in html and f"15,00{NBSP}%" in html
    assert html.count("</svg> sakrīt</span>") == 3
    assert "Attiecināmais + neattiecināmais finansējums = kopējās izmaksas" in html
    assert "Ģimenes, kas saņēmušas pilnu 3–6 mēnešu pakalpojuma ciklu" in html


async def test_project_page_shows_a_difference_when_lines_do_not_add_up(families, client):
    # no residual line any more, and 14 % instead of 15 % of 296 578,43: 252 091,67 + 41 520,98
    # = 293 612,65 falls 2 965,78 short
    await FundingLine.update({FundingLine.residual: False, FundingLine.rate_bp: 1400}).where(
        (FundingLine.project == families) & (FundingLine.source == "Valsts budžets")
    )
    await sign_in(client, Role.ADMIN)
    html = (await client.get(f"/projects/{families}")).text
    assert html.count("</svg> starpība " + eur("-2 965,78")) == 2  # its base, and the total
    assert html.count("</svg> sakrīt</span>") == 1  # the municipality covers ineligible


async def test_partners_and_their_budgets(demo, client):
    await sign_in(client, Role.ADMIN)
    html = (await client.get(f"/projects/{await project_id('LL-00241')}")).text
    for name in (
        "Kurzemes plānošanas reģions",
        "Kretingas atklātais jauniešu centrs",
        "Metu rieves",
    ):
        assert name in html
    assert eur("48 355,00") in html and eur("38 684,00") in html and eur("9 671,00") in html
    assert html.count("nav zināms") == 3


async def test_unknown_project_gives_a_404_page(client):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    response = await client.get("/projects/999999")
    assert response.status_code == 404
    assert "Nav atrasts" in response.text


async def test_english_switch_is_remembered(small_portfolio, client):
    await sign_in(client, Role.ADMIN)
    response = await client.get("/lang/en", params={"next": "/projects/1"})
    assert response.status_code == 302 and response.headers["location"] == "/projects/1"
    html = (await client.get("/")).text
    assert "Portfolio" in html and "€752,946.43" in html and "6 projects" in html
    html = (await client.get(f"/projects/{await project_id(FAMILIES)}")).text
    assert "Intensive social work with families with children" in html


async def test_language_switch_only_redirects_within_the_site(client):
    response = await client.get("/lang/en", params={"next": "https://evil.example/"})
    assert response.headers["location"] == "/"


async def test_viewer_sees_only_member_projects_and_gets_403_elsewhere(small_portfolio, client):
    await sign_in(client, Role.VIEWER)
    assert rows((await client.get("/")).text) == [PROTI, FAMILIES, CONNECTINGEN]
    response = await client.get(f"/projects/{await project_id(SIF_019)}")
    assert response.status_code == 403
    assert "Nav piekļuves" in response.text


async def test_user_text_is_escaped(families, client):
    await Project.update({Project.title_lv: "<script>alert(1)</script> & co"}).where(
        Project.id == families
    )
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/")).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


async def test_sign_out_ends_the_session(client):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    token = client.cookies["grants_csrf"]
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 303
    assert (await client.get("/")).status_code == 302


async def test_pages_are_latvian_whatever_the_browser_says_until_switched(client):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})).text
    assert "Portfelis" in html and '<html lang="lv">' in html


async def test_sign_in_is_refused_for_a_while_after_five_failures(client):
    await user(Role.FINANCE)
    await user(Role.ADMIN)
    for _ in range(5):
        assert (await sign_in(client, Role.FINANCE, password="wrong-password")).status_code == 401
    response = await sign_in(client, Role.FINANCE)  # even the right password now waits
    assert response.status_code == 429
    assert "Pārāk daudz neveiksmīgu pieslēgšanās mēģinājumu" in response.text
    assert (await sign_in(client, Role.ADMIN)).status_code == 303  # other users are not locked


async def test_project_form_creates_a_project_and_keeps_typed_values_when_refused(client):
    await measure("4.4.1.1")
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    token = client.cookies["grants_csrf"]
    form = {
        "_csrf_token": token,
        "code": "4.4.1.1./2/050",
        "title": "Ģimeņu atbalsts <b>Tukumā</b>",
        "measure": "4.4.1.1",
        "our_role": "implementer",
        "status": "contracted",
        "start_date": "01.03.2026",
        "end_date": "28.02.2027",
        "reporting": "quarterly",
        "total_cost": "12 345,67",
        "eligible_cost": "20 6107",
        "amount_kind": "contracted",
        "funding_rows": "2",
        "funding-0-source": "ESF+",
        "funding-0-base": "eligible",
        "funding-0-rate": "85",
        "funding-1-source": "Valsts budžets",
        "funding-1-base": "eligible",
        "funding-1-rate": "15",
        "funding-1-residual": "on",
    }
    refused = await client.post("/projects/new", data=form)
    assert refused.status_code == 400
    assert "Nekas netika saglabāts" in refused.text
    assert 'value="20 6107"' in refused.text and 'value="12 345,67"' in refused.text
    assert "Ģimeņu atbalsts &lt;b&gt;Tukumā&lt;/b&gt;" in refused.text
    created = await client.post("/projects/new", data=form | {"eligible_cost": "10 000,01"})
    assert created.status_code == 303
    page = (await client.get(created.headers["location"])).text
    assert eur("8 500,01") in page and eur("1 500,00") in page  # 10 000,01 × 85 % half-up
    assert eur("2 345,66") in page  # ineligible: 12 345,67 − 10 000,01


async def test_edit_form_is_prefilled_and_saves_to_the_history(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    form_page = (await client.get(f"/projects/{pid}/edit")).text
    assert f'value="369{NBSP}214,43"' in form_page and 'value="85,00"' in form_page
    token = client.cookies["grants_csrf"]
    form = {
        "_csrf_token": token, "code": "4.4.1.1./2/004", "measure": "4.4.1.1",
        "title": "Intensīvais sociālais darbs ģimenēm ar bērniem", "title_en": "Family support",
        "our_role": "implementer", "status": "in_progress", "start_date": "01.01.2026",
        "end_date": "31.12.2027", "reporting": "quarterly", "total_cost": "369 214,43",
        "eligible_cost": "296 578,43", "amount_kind": "contracted", "funding_rows": "3",
        "funding-0-source": "ESF+", "funding-0-base": "eligible", "funding-0-rate": "85,00",
        "funding-1-source": "Valsts budžets", "funding-1-base": "eligible",
        "funding-1-rate": "15,00", "funding-1-residual": "on",
        "funding-2-source": "Tukuma novada pašvaldība", "funding-2-base": "ineligible",
        "funding-2-rate": "100", "funding-2-residual": "on",
    }  # fmt: skip
    response = await client.post(f"/projects/{pid}/edit", data=form)
    assert response.status_code == 303
    history = (await client.get(f"/projects/{pid}/history")).text
    assert "finance@tukums.demo" in history and "Family support" in history
    assert "Intensive social work with families with children" in history  # the old value


async def test_coordinator_cannot_open_the_edit_form(families, client):
    await sign_in(client, Role.COORDINATOR)
    assert (await client.get(f"/projects/{families}/edit")).status_code == 403
    assert (await client.get("/projects/new")).status_code == 403
