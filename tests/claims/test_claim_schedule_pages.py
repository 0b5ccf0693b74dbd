"""The claim schedule page: the table split by source, the cash-flow chart, the form that saves
a version, a refused form that keeps what was typed, CSRF, and readers without the form."""

from grants.claims.schedule import ScheduleRowInput, save_schedule
from grants.core.vocabulary import Role
from grants.tables.claims import ClaimSchedule, ClaimScheduleRow
from tests.helpers import CSRF_COOKIE, eur, post, principal, sign_in

NBSP = "\u00a0"
PLAN = [("30.06.2026", "70 000,00"), ("31.12.2026", "226 577,42"), ("30.09.2027", "1,01")]


def form(*rows: tuple[str, str], note: str = "") -> dict:
    data = {"note": note}
    for i, (day, amount) in enumerate(rows):
        data |= {f"rows-{i}-planned_date": day, f"rows-{i}-amount": amount}
    return data


async def saved(pid: int) -> None:
    finance = await principal(Role.FINANCE)
    await save_schedule(finance, pid, [ScheduleRowInput(d, a) for d, a in PLAN], "Pēc līguma")


async def test_the_page_shows_the_schedule_split_and_the_chart(families, client):
    await saved(families)
    await sign_in(client, Role.VIEWER)
    page = await client.get(f"/projects/{families}/claim-schedule")
    assert page.status_code == 200
    text = page.text
    assert "Maksājumu pieprasījumu grafiks" in text
    # 70 000,00 → 59 500,00 + 10 500,00; 1,01 → 0,86 + 0,15; the total's split is the plan's
    for amount in ("70 000,00", "59 500,00", "10 500,00", "0,86", "0,15", "226 577,42"):
        assert eur(amount) in text, amount
    assert eur("192 590,81") in text and eur("33 986,61") in text  # 226 577,42 split
    assert eur("252 091,67") in text and eur("44 486,76") in text
    assert text.count(eur("296 578,43")) >= 2  # the total and the eligible cost
    assert "Grafiks kopā sakrīt ar attiecināmajām izmaksām." in text
    assert 'src="data:image/svg+xml;base64,' in text
    assert "Pēc līguma" in text
    assert 'name="rows-0-amount"' not in text  # a viewer gets no form
    assert f'href="/projects/{families}/claim-schedule"' in text  # in the project's tabs
    cofinancing = await client.get(f"/projects/{families}/cofinancing")
    assert f'href="/projects/{families}/claim-schedule"' in cofinancing.text


async def test_finance_saves_a_version_through_the_form(families, client):
    await sign_in(client, Role.FINANCE)
    page = await client.get(f"/projects/{families}/claim-schedule")
    assert 'name="rows-0-amount"' in page.text and 'name="rows-1-amount"' not in page.text
    assert "Maksājumu pieprasījumu grafiks vēl nav saglabāts." in page.text
    response = await post(
        client, f"/projects/{families}/claim-schedule", form(*PLAN, note="Pirmais")
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/projects/{families}/claim-schedule"
    page = (await client.get(f"/projects/{families}/claim-schedule")).text
    assert "1. versija" in page and "Pirmais" in page
    assert f'value="70{NBSP}000,00"' in page and 'value="30.06.2026"' in page
    assert 'name="rows-3-amount"' in page and 'name="rows-4-amount"' not in page
    again = await post(client, f"/projects/{families}/claim-schedule", form(*PLAN[::-1]))
    assert again.status_code == 303
    assert await ClaimSchedule.count() == 2
    page = (await client.get(f"/projects/{families}/claim-schedule")).text
    assert "2. versija" in page


async def test_a_refused_form_keeps_what_was_typed_and_lists_the_problems(families, client):
    await sign_in(client, Role.FINANCE)
    typed = form(
        ("30.06.2026", "70 000,00"),
        ("", ""),  # an empty row is left out
        ("31.12.2025", "6 492.5.00"),
        ("31.12.2026", "200 000,00"),
        note="mēģinājums",
    )
    response = await post(client, f"/projects/{families}/claim-schedule", typed)
    assert response.status_code == 400
    text = response.text
    assert 'value="6 492.5.00"' in text and 'value="31.12.2025"' in text
    assert "mēģinājums" in text
    assert "2. rinda: plānotais datums 31.12.2025 ir pirms projekta sākuma (01.01.2026)." in text
    assert "vairāk nekā vienu decimālatdalītāju" in text
    assert 'id="rows-1-amount-error"' in text
    assert 'name="rows-3-amount"' in text and 'name="rows-4-amount"' not in text
    short = form(("30.06.2026", "70 000,00"), ("31.12.2026", "226 000,00"))
    response = await post(client, f"/projects/{families}/claim-schedule", short)
    assert response.status_code == 400
    assert (
        f"Grafiks kopā ir 296{NBSP}000,00; attiecināmās izmaksas ir 296{NBSP}578,43: trūkst 578,43."
    ) in response.text
    assert await ClaimSchedule.count() == 0 and await ClaimScheduleRow.count() == 0


async def test_add_a_row_keeps_the_rows_and_saves_nothing(families, client):
    await sign_in(client, Role.FINANCE)
    url = f"/projects/{families}/claim-schedule"
    typed = form(("30.06.2026", "70 000,00")) | {"add_rows": "1"}
    fragment = await post(client, url, typed, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert '<tbody id="schedule-rows">' in fragment.text and "<html" not in fragment.text
    assert 'value="70 000,00"' in fragment.text and 'name="rows-1-amount"' in fragment.text
    whole = await post(client, url, typed)
    assert whole.status_code == 200 and 'name="rows-1-amount"' in whole.text
    assert await ClaimSchedule.count() == 0


async def test_saving_needs_the_csrf_token(families, client):
    await sign_in(client, Role.FINANCE)
    response = await client.post(f"/projects/{families}/claim-schedule", data=form(*PLAN))
    assert response.status_code == 403
    assert client.cookies[CSRF_COOKIE]
    assert await ClaimSchedule.count() == 0


async def test_readers_see_no_form_and_cannot_save(families, client):
    await saved(families)
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        client.cookies.clear()
        await sign_in(client, role)
        page = await client.get(f"/projects/{families}/claim-schedule")
        assert page.status_code == 200 and eur("296 578,43") in page.text
        assert 'name="rows-0-amount"' not in page.text and "Mainīt grafiku" not in page.text
        refused = await post(client, f"/projects/{families}/claim-schedule", form(*PLAN))
        assert refused.status_code == 403, role
    assert await ClaimSchedule.count() == 1
