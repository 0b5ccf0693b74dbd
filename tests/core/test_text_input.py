"""Control characters (U+0000–U+001F) are refused in every text input, with a message naming
the field: in single-line fields all of them, in multi-line ones (narrative, notes, comments,
descriptions, reasons) all but line ends and tabs. Stored, they made every XLSX report of the
project fail; NUL is refused by PostgreSQL itself."""

from datetime import date

import pytest

from grants.accounts.users import add_user, authenticate, update_user
from grants.core.errors import Problems, Refused
from grants.core.vocabulary import PeriodStatus, Role
from grants.finance.expenditures import record_expenditure
from grants.projects.attachments import fetch_attachment, store_attachment
from grants.projects.editing import ProjectInput, create_project, update_project
from grants.projects.periods import return_period
from grants.projects.reports import save_narrative
from grants.register.participants import add_participant
from grants.register.services import ServiceInput, add_service
from grants.results.entries import EntryInput, log_entry
from grants.results.indicators import IndicatorInput, create_indicator
from tests.builders import BUILDER, indicator, invoice, person
from tests.helpers import api_headers, period_at, principal, refusal


@pytest.mark.parametrize("text", ["a\x00b", "a\x07", "\x1bb", "a\tb", "a\nb", "a\r\nb"])
def test_single_line_text_refuses_every_control_character(text):
    problems = Problems()
    problems.text(text, "title")
    [problem] = problems.items
    assert problem.field == "title"
    assert problem.english().startswith("The field title contains an invisible control character")


def test_multi_line_text_keeps_line_ends_and_tabs_only():
    problems = Problems()
    assert problems.text(" Pirmā rinda\r\n\totrā\nrinda ", "note", multiline=True) == (
        "Pirmā rinda\r\n\totrā\nrinda"
    )
    assert not problems
    for text in ("a\x00", "a\rb", "a\x0bb", "a\x0cb", "a\x1fb"):
        problems = Problems()
        problems.text(text, "note", multiline=True)
        assert [p.field for p in problems.items] == ["note"], repr(text)
    problems = Problems()
    problems.text("a\x07b", "note", multiline=True)
    assert problems.items[0].english() == (
        "The field note contains an invisible control character (U+0007); remove it."
    )


def fields(refused: Refused) -> list[str]:
    return [p.field for p in refused.problems]


async def test_project_texts(families):
    typed = {"title": "Jauns", "measure": "4.4.1.1"}
    refused = await refusal(create_project(BUILDER, ProjectInput(code="N\x00-1", **typed)))
    assert fields(refused) == ["code"]
    refused = await refusal(
        update_project(BUILDER, families, ProjectInput(title="Ģimenes\x07", title_en="A\tB"))
    )
    assert fields(refused) == ["title", "title_en"]
    await update_project(BUILDER, families, ProjectInput(note="Pirmā rinda\notrā"))
    refused = await refusal(update_project(BUILDER, families, ProjectInput(measure="4.4\x00")))
    assert fields(refused) == ["measure"]


async def test_results_texts(families):
    refused = await refusal(
        create_indicator(
            BUILDER, families, IndicatorInput(code="R9", name="Vār\x0bds", name_en="Name\x00")
        )
    )
    assert fields(refused) == ["name", "name_en"]
    eeco = await indicator(families)
    period = await period_at(families, date(2026, 2, 1))
    coordinator = await principal(Role.COORDINATOR)
    refused = await refusal(
        log_entry(coordinator, eeco.id, EntryInput(period, value="1", comment="ok\x00"))
    )
    assert fields(refused) == ["comment"]
    await log_entry(coordinator, eeco.id, EntryInput(period, value="1", comment="a\r\nb"))


async def test_register_texts(families):
    refused = await refusal(
        add_participant(BUILDER, families, person("T\x00-1", target_group="bērni\x07"))
    )
    assert set(fields(refused)) == {"code", "target_group"}
    refused = await refusal(add_service(BUILDER, families, ServiceInput("Vizī\x1fte")))
    assert fields(refused) == ["name"]


async def test_finance_narrative_and_workflow_texts(families):
    finance = await principal(Role.FINANCE)
    refused = await refusal(
        record_expenditure(finance, families, invoice(description="Rēķins\x00", supplier="S\tIA"))
    )
    assert set(fields(refused)) == {"description", "supplier"}
    await record_expenditure(finance, families, invoice(description="Rēķins\nar divām rindām"))
    period = await period_at(families, date(2026, 2, 1))
    coordinator = await principal(Role.COORDINATOR)
    refused = await refusal(save_narrative(coordinator, period, {"activities": "Darbs\x00"}))
    assert fields(refused) == ["activities"]
    await save_narrative(coordinator, period, {"activities": "Darbs\n\tturpinās"})
    submitted = await period_at(families, date(2026, 5, 1), PeriodStatus.SUBMITTED)
    admin = await principal(Role.ADMIN)
    refused = await refusal(return_period(admin, submitted, "Labot\x1b"))
    assert fields(refused) == ["reason"]


async def test_the_api_refuses_nul_with_400_naming_the_field(families, client):
    response = await client.post(
        "/api/v1/projects",
        json={"code": "N-1", "title": "Nosaukums\u0000", "measure": "4.4.1.1"},
        headers=await api_headers(Role.ADMIN),
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "title" and "title" in error["message"]


async def test_account_texts_and_file_names(families):
    refused = await refusal(
        add_user("jauns@tukums.lv", "ilga-parole-2026", Role.VIEWER, full_name="Jā\x00nis")
    )
    assert fields(refused) == ["full_name"]
    refused = await refusal(add_user("jau\x00ns@tukums.lv", "ilga-parole-2026", Role.VIEWER))
    assert fields(refused) == ["email"]
    admin = await principal(Role.ADMIN)
    viewer = await principal(Role.VIEWER)
    refused = await refusal(
        update_user(
            admin,
            viewer.user_id,
            role=Role.VIEWER,
            active=True,
            project_ids=set(),
            full_name="\x1bX",
        )
    )
    assert fields(refused) == ["full_name"]
    assert await authenticate("viewer\x00@tukums.demo", "demo-viewer-2026", ip="10.0.0.1") is None
    finance = await principal(Role.FINANCE)
    stored = await store_attachment(finance, families, "rēķins\x00\x07.pdf", b"%PDF-1.4 x")
    assert (await fetch_attachment(finance, stored)).name == "rēķins.pdf"
