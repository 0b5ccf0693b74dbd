"""Payment claim pages: the project's claims with exact figures and totals, the form for a new
claim (a refusal keeps what was typed and writes nothing), one claim's page with its actions by
status and role, each step through the pages (submit, return, approve with a deduction, pay)
and the audit trail they leave."""

import re

from grants.claims.claims import ClaimInput, create_claim
from grants.claims.workflow import PaymentInput, approve_claim, pay_claim, submit_claim
from grants.controllers.claims_pages import CLAIMS_PER_PAGE
from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.tables.claims import Claim, ClaimItem, ClaimPayment
from tests.builders import SOCIAL_SERVICE, expenditure, outsider
from tests.helpers import CSRF_COOKIE, eur, post, principal, sign_in


async def written() -> tuple[int, int, int, int]:
    return (
        await Claim.count(),
        await ClaimItem.count(),
        await ClaimPayment.count(),
        await AuditEvent.count(),
    )


async def prepared(pid: int) -> int:
    """A draft interim claim for Q1 2026 holding one invoice of 1 000,00 eligible, and one of
    1,01 (1 001,01 → ESF+ 850,86 + state budget 150,15). Its id."""
    await expenditure(pid)
    await expenditure(pid, date="20.03.2026", amount="5,00", eligible_amount="1,01", vat=None,
                      invoice_number="BR-2")  # fmt: skip
    finance = await principal(Role.FINANCE)
    return (await create_claim(finance, pid, ClaimInput("interim", "2026-01-01", "2026-03-31"))).id


def actions(text: str) -> list[str]:
    """The claim forms' actions on a page."""
    return re.findall(r'<form method="post" action="(/claims/\d+/\w+)', text)


async def test_the_list_shows_each_claim_and_the_totals(families, client):
    claim_id = await prepared(families)
    finance = await principal(Role.FINANCE)
    advance = await create_claim(
        finance, families, ClaimInput("advance", "2026-01-01", "2026-01-31", amount="500,00")
    )
    await submit_claim(finance, advance.id)
    await approve_claim(finance, advance.id)
    await pay_claim(finance, advance.id, PaymentInput("2026-02-02", "300,00"))
    await sign_in(client, Role.VIEWER)
    page = await client.get(f"/projects/{families}/claims")
    assert page.status_code == 200
    text = page.text
    assert "Maksājuma pieprasījumi" in text
    assert f'href="/claims/{claim_id}"' in text and f'href="/claims/{advance.id}"' in text
    assert "Starpposma maksājuma pieprasījums" in text and "Avanss" in text
    assert "01.01.2026–31.03.2026" in text
    assert "Melnraksts" in text and "Apstiprināts" in text
    # the interim claim: 1 001,01 eligible, all of it asked from the funder (ESF+ and state)
    assert text.count(eur("1 001,01")) == 2
    # the advance: 500,00 asked and approved, 300,00 paid, 200,00 outstanding
    assert eur("500,00") in text and eur("200,00") in text
    totals = text[text.index("claim-totals") : text.index('id="claims"')]
    # received, the advance received, and not yet cleared: the draft was prepared before
    assert totals.count(eur("300,00")) == 3
    assert 'name="period_start"' not in text  # a viewer gets no form
    assert f'href="/projects/{families}/claims"' in text  # in the project's tabs
    schedule = await client.get(f"/projects/{families}/claim-schedule")
    assert f'href="/projects/{families}/claims"' in schedule.text


async def test_the_claim_page_shows_items_split_and_documents(families, client):
    claim_id = await prepared(families)
    await sign_in(client, Role.AUDITOR)
    page = await client.get(f"/claims/{claim_id}")
    assert page.status_code == 200
    text = page.text
    assert "Maksājuma pieprasījums Nr. 1" in text
    for shown in ("BR-001", "BR-2", 'SIA "Birojs"', "15.03.2026", "20.03.2026"):
        assert shown.replace('"', "&#34;") in text or shown in text, shown
    assert "Ārējie pakalpojumi" in text or "Ārējā ekspertīze" in text
    assert eur("1 000,00") in text and eur("1,01") in text
    assert eur("850,86") in text and eur("150,15") in text  # split on the total
    assert f'href="/claims/{claim_id}/document?format=pdf"' in text
    assert f'href="/claims/{claim_id}/document?format=xlsx"' in text
    assert "data-busy" in text
    assert actions(text) == []  # an auditor reads only
    assert f"/projects/{families}/history?entity=claim&amp;id={claim_id}" in text


async def test_finance_prepares_a_claim_through_the_form(families, client):
    await expenditure(families)
    await sign_in(client, Role.FINANCE)
    page = await client.get(f"/projects/{families}/claims")
    assert 'name="kind"' in page.text and 'name="partner_id"' not in page.text  # no partners
    response = await post(
        client,
        f"/projects/{families}/claims",
        {"kind": "interim", "period_start": "01.01.2026", "period_end": "31.03.2026"},
    )
    assert response.status_code == 303
    claim = await Claim.select().first()
    assert response.headers["location"] == f"/claims/{claim['id']}"
    assert (claim["number"], claim["kind"], claim["status"]) == (1, "interim", "draft")
    assert await ClaimItem.count() == 1
    page = (await client.get(f"/claims/{claim['id']}")).text
    assert actions(page) == [
        f"/claims/{claim['id']}/edit",
        f"/claims/{claim['id']}/submit",
        f"/claims/{claim['id']}/discard",  # a draft never sent may be discarded
    ]
    assert "data-confirm=" in page


async def test_a_refused_form_keeps_what_was_typed_and_writes_nothing(families, client):
    await expenditure(families)
    await sign_in(client, Role.FINANCE)
    before = await written()
    typed = {
        "kind": "advance",
        "period_start": "31.03.2026",
        "period_end": "01.01.2026",
        "amount": "",
        "advance_clear": "",
    }
    response = await post(client, f"/projects/{families}/claims", typed)
    assert response.status_code == 400
    text = response.text
    assert await written() == before
    assert 'value="31.03.2026"' in text and 'value="01.01.2026"' in text
    assert '<option value="advance" selected>' in text
    assert "Nekas netika saglabāts" in text
    assert re.search(r'id="period_end-error">[^<]*beidzas', text)
    assert 'id="amount-error">Ievadiet avansa maksājuma summu.' in text
    # nothing to claim in a period without expenditures: a conflict, still the form again
    response = await post(
        client,
        f"/projects/{families}/claims",
        {"kind": "interim", "period_start": "01.04.2026", "period_end": "30.06.2026"},
    )
    assert response.status_code == 409 and 'value="01.04.2026"' in response.text
    assert await written() == before


async def test_a_partner_report_offers_only_the_projects_partners(connectingen, client):
    await sign_in(client, Role.FINANCE)
    page = (await client.get(f"/projects/{connectingen}/claims")).text
    options = re.findall(r'<option value="(\d+)" >([^<]+)</option>', page)
    assert [name for _, name in options] == ["Kurzemes plānošanas reģions", SOCIAL_SERVICE]
    own = dict((name, int(value)) for value, name in options)[SOCIAL_SERVICE]
    await expenditure(connectingen, date="15.05.2025", eligible_amount="1 000,01")
    typed = {"kind": "partner_report", "period_start": "01.04.2025", "period_end": "30.09.2025"}
    refused = await post(client, f"/projects/{connectingen}/claims", typed)
    assert refused.status_code == 400 and 'id="partner_id-error"' in refused.text
    response = await post(
        client, f"/projects/{connectingen}/claims", typed | {"partner_id": str(own)}
    )
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    assert "Partnera ziņojums" in page and SOCIAL_SERVICE in page
    # 1 000,01 at Tukums' rate: ERAF 800,01, the municipality 200,00
    assert eur("800,01") in page and eur("200,00") in page
    listing = (await client.get(f"/projects/{connectingen}/claims")).text
    assert SOCIAL_SERVICE in listing[listing.index('id="claims"') : listing.index('id="new-claim"')]


async def test_forms_need_the_csrf_token(families, client):
    claim_id = await prepared(families)
    await sign_in(client, Role.FINANCE)
    before = await written()
    for url, data in (
        (f"/projects/{families}/claims", {"kind": "advance", "amount": "5"}),
        (f"/claims/{claim_id}/submit", {}),
    ):
        response = await client.post(url, data=data)
        assert response.status_code == 403, url
    assert client.cookies[CSRF_COOKIE]
    assert await written() == before


async def test_readers_see_no_forms_and_may_not_post(families, client):
    claim_id = await prepared(families)
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        await sign_in(client, role)
        page = await client.get(f"/claims/{claim_id}")
        assert page.status_code == 200 and actions(page.text) == [], role
        listing = await client.get(f"/projects/{families}/claims")
        assert 'name="kind"' not in listing.text
    await sign_in(client, Role.VIEWER)
    before = await written()
    for url, data in (
        (f"/projects/{families}/claims", {"kind": "interim"}),
        (f"/claims/{claim_id}/submit", {}),
        (f"/claims/{claim_id}/edit", {"period_start": "01.01.2026"}),
        (f"/claims/{claim_id}/return", {"return_reason": "x"}),
        (f"/claims/{claim_id}/approve", {}),
        (f"/claims/{claim_id}/pay", {"date": "01.05.2026", "amount": "1"}),
    ):
        assert (await post(client, url, data)).status_code == 403, url
    assert await written() == before


async def test_an_outsider_finds_nothing(families, client):
    claim_id = await prepared(families)
    stranger = await outsider(Role.FINANCE)
    token = await client.get("/login")
    assert token.status_code == 200
    await client.post(
        "/login",
        data={
            "email": stranger.email,
            "password": stranger.password,
            "_csrf_token": client.cookies[CSRF_COOKIE],
        },
    )
    assert (await client.get(f"/projects/{families}/claims")).status_code == 404
    assert (await client.get(f"/claims/{claim_id}")).status_code == 404
    assert (await client.get("/claims/2147483648")).status_code == 404
    before = await written()
    assert (await post(client, f"/claims/{claim_id}/submit", {})).status_code == 404
    assert (
        await post(client, f"/projects/{families}/claims", {"kind": "advance"})
    ).status_code == 404
    assert await written() == before


async def test_submit_return_resubmit_approve_with_a_deduction_and_pay(families, client):
    claim_id = await prepared(families)
    items = {r["entry_no"]: r["expenditure"] for r in await ClaimItem.select()}
    await sign_in(client, Role.FINANCE)
    url = f"/claims/{claim_id}"

    assert (await post(client, f"{url}/submit", {})).status_code == 303
    page = (await client.get(url)).text
    assert "Iesniegts" in page
    assert actions(page) == [f"{url}/approve", f"{url}/return", f"{url}/reject"]

    refused = await post(client, f"{url}/return", {"return_reason": "  "})
    assert refused.status_code == 400 and 'id="return_reason-error"' in refused.text
    response = await post(client, f"{url}/return", {"return_reason": "Trūkst pavadzīmes"})
    assert response.status_code == 303
    page = (await client.get(url)).text
    assert "Atgriezts labošanai" in page and "Trūkst pavadzīmes" in page
    assert actions(page) == [f"{url}/edit", f"{url}/submit"]
    assert (await post(client, f"{url}/submit", {})).status_code == 303

    # a deduction above the item's eligible amount is refused at its field, nothing written
    before = await written()
    too_much = {f"d-{items[2]}-amount": "1,02", f"d-{items[2]}-reason": "Nav pamatots"}
    refused = await post(client, f"{url}/approve", too_much)
    assert refused.status_code == 400
    assert 'value="1,02"' in refused.text
    assert re.search(rf'name="d-{items[2]}-amount"[^>]*aria-invalid="true"', refused.text)
    assert await written() == before

    deduction = {
        f"d-{items[1]}-amount": "100,00",
        f"d-{items[1]}-reason": "Daļa rēķina nav attiecināma",
        f"d-{items[1]}-error_type": "ineligible cost",
    }
    assert (await post(client, f"{url}/approve", deduction)).status_code == 303
    page = (await client.get(url)).text
    # approved 901,01 = 1 001,01 − 100,00 → ESF+ 765,86 + state 135,15
    assert eur("901,01") in page and eur("765,86") in page and eur("135,15") in page
    assert "Daļa rēķina nav attiecināma" in page and "ineligible cost" in page
    assert actions(page) == [f"{url}/pay"]

    refused = await post(client, f"{url}/pay", {"date": "05.05.2026", "amount": "901,02"})
    assert refused.status_code == 409 and 'value="901,02"' in refused.text
    response = await post(client, f"{url}/pay", {"date": "05.05.2026", "amount": "500,00"})
    assert response.status_code == 303
    page = (await client.get(url)).text
    assert eur("401,01") in page  # outstanding
    assert eur("425,00") in page and eur("75,00") in page  # 500,00 split as approved
    # the rest per source
    rest = {"date": "12.05.2026", "source-0-amount": "340,86", "source-1-amount": "60,15"}
    assert (await post(client, f"{url}/pay", rest)).status_code == 303
    page = (await client.get(url)).text
    assert "Izmaksāts" in page and actions(page) == []

    trail = await (
        AuditEvent.select(AuditEvent.action, AuditEvent.note, AuditEvent.actor)
        .where((AuditEvent.entity == "claim") & (AuditEvent.entity_id == claim_id))
        .order_by(AuditEvent.id)
    )
    assert [(e["action"], e["note"]) for e in trail] == [
        ("create", ""),
        ("submit", ""),
        ("freeze", ""),  # each submission froze the claim's document
        ("return", "Trūkst pavadzīmes"),
        ("submit", ""),
        ("freeze", ""),
        ("approve", ""),
        ("pay", ""),
        ("pay", ""),
    ]
    assert {e["actor"] for e in trail[1:]} == {"finance@tukums.demo"}

    history = (await client.get(f"/projects/{families}/history?entity=claim&id={claim_id}")).text
    assert "Maksājuma pieprasījums Nr. 1 iesniegts" in history
    assert "Maksājuma pieprasījums Nr. 1 atgriezts labošanai" in history
    assert "Maksājuma pieprasījums Nr. 1 apstiprināts" in history
    assert "Saņemts maksājums par pieprasījumu Nr. 1" in history
    assert "Iesaldēts maksājuma pieprasījuma Nr. 1 dokuments" in history
    assert "Starpposma maksājuma pieprasījums" in history
    assert "Pieprasīts no finansētāja" in history


async def test_editing_a_draft_takes_the_items_again(families, client):
    claim_id = await prepared(families)
    await expenditure(families, date="10.05.2026", invoice_number="BR-3")
    await sign_in(client, Role.FINANCE)
    refused = await post(
        client,
        f"/claims/{claim_id}/edit",
        {"period_start": "01.01.2026", "period_end": "", "advance_clear": ""},
    )
    assert refused.status_code == 400 and 'id="period_end-error"' in refused.text
    assert await ClaimItem.count() == 2
    response = await post(
        client,
        f"/claims/{claim_id}/edit",
        {"period_start": "01.01.2026", "period_end": "30.06.2026", "advance_clear": ""},
    )
    assert response.status_code == 303
    assert await ClaimItem.count() == 3
    page = (await client.get(f"/claims/{claim_id}")).text
    assert "BR-3" in page and eur("2 001,01") in page


async def test_a_step_on_a_stale_page_is_refused_and_said(families, client):
    claim_id = await prepared(families)
    await sign_in(client, Role.FINANCE)
    assert (await post(client, f"/claims/{claim_id}/submit", {})).status_code == 303
    before = await written()
    again = await post(client, f"/claims/{claim_id}/submit", {})
    assert again.status_code == 409
    assert "Nekas netika saglabāts" in again.text
    assert "mainīt var tikai melnrakstu vai labošanai atgrieztu pieprasījumu" in again.text
    paying = await post(client, f"/claims/{claim_id}/pay", {"date": "01.05.2026", "amount": "1"})
    assert paying.status_code == 409 and "izmaksāt var tikai" in paying.text
    assert await written() == before


async def test_the_list_comes_a_page_at_a_time_and_speaks_english(families, client):
    finance = await principal(Role.FINANCE)
    for _ in range(CLAIMS_PER_PAGE + 1):
        await create_claim(
            finance, families, ClaimInput("advance", "2026-01-01", "2026-01-31", amount="1,00")
        )
    await sign_in(client, Role.VIEWER)
    first = (await client.get(f"/projects/{families}/claims")).text
    assert first.count('href="/claims/') == CLAIMS_PER_PAGE
    assert 'rel="next"' in first
    last = (await client.get(f"/projects/{families}/claims?page=2")).text
    assert last.count('href="/claims/') == 1 and ">26</a>" in last
    beyond = await client.get(f"/projects/{families}/claims?page=9")
    assert beyond.status_code == 200 and ">26</a>" in beyond.text
    await client.get("/lang/en", params={"next": "/"})
    english = (await client.get(f"/projects/{families}/claims?page=2")).text
    assert "Payment claims" in english and "Advance" in english and "Draft" in english
