"""How many decimals an indicator takes: persons and families are counted whole."""

import importlib

from grants.core.vocabulary import Role
from grants.results.entries import EntryInput, log_entry
from grants.results.indicators import IndicatorInput, create_indicator
from grants.tables.audit import AuditEvent
from grants.tables.indicators import Indicator, IndicatorEntry
from tests.builders import entry, indicator, result_indicators
from tests.helpers import api_headers, principal, refusal, sign_in

WHOLE = "This indicator counts whole units: enter a whole number."


async def first_period(client, pid: int) -> int:
    headers = await api_headers(Role.VIEWER)
    return (await client.get(f"/api/v1/projects/{pid}/periods", headers=headers)).json()[0]["id"]


async def written() -> tuple[int, int, int]:
    return await Indicator.count(), await IndicatorEntry.count(), await AuditEvent.count()


async def test_decimals_default_to_0_for_register_counts_and_2_otherwise(families):
    persons = await indicator(families, "P1")
    share = await indicator(families, "S1", aggregation="percentage", unit="%", target="80")
    r1, r2 = await result_indicators(families)
    whole = await indicator(families, "P2", decimals="0")
    assert [i.decimals for i in (persons, share, r1, r2, whole)] == [2, 2, 0, 0, 0]


async def test_four_and_a_half_persons_are_refused_and_nothing_is_written(families, client):
    persons = await indicator(families, "P1", decimals=0, breakdowns=["gender"])
    period = await first_period(client, families)
    before = await written()
    data = EntryInput(period, value="4,5", breakdown={"gender": {"women": "2,5", "men": "2"}})
    refused = await refusal(log_entry(await principal(Role.COORDINATOR), persons.id, data))
    assert [(p.field, p.english()) for p in refused.problems] == [
        ("value", WHOLE),
        ("breakdown.gender.women", WHOLE),
    ]
    assert await written() == before
    assert (await entry(persons.id, period, "4")).value_hundredths == 400


async def test_a_percentage_with_2_decimals_takes_4_5_and_with_1_refuses_a_second(families, client):
    share = await indicator(families, "S1", aggregation="percentage", unit="%", target="80")
    period = await first_period(client, families)
    logged = await entry(share.id, period, None, numerator="4,5", denominator="10")
    assert logged.value_hundredths == 4500
    tenths = await indicator(families, "S2", aggregation="percentage", unit="%", decimals="1")
    before = await written()
    data = EntryInput(period, numerator="4,55", denominator="10,25")
    refused = await refusal(log_entry(await principal(Role.COORDINATOR), tenths.id, data))
    assert [(p.field, p.english()) for p in refused.problems] == [
        ("numerator", "Enter at most one decimal."),
        ("denominator", "Enter at most one decimal."),
    ]
    assert await written() == before


async def test_targets_and_milestones_take_the_indicators_decimals(families):
    before = await written()
    data = IndicatorInput(
        code="P1",
        name="Personas",
        unit="personas",
        target="48,5",
        baseline="0,5",
        milestones=[("30.06.2026", "10,5"), ("31.12.2026", "20")],
        decimals="0",
    )
    refused = await refusal(create_indicator(await principal(Role.COORDINATOR), families, data))
    assert [(p.field, p.english()) for p in refused.problems] == [
        ("target", WHOLE),
        ("baseline", WHOLE),
        ("milestones.0.value", WHOLE),
    ]
    refused = await refusal(indicator(families, "P2", decimals="3"))
    assert [p.field for p in refused.problems] == ["decimals"]
    assert await written() == before


async def test_the_api_takes_and_returns_decimals(families, client):
    admin = await api_headers(Role.ADMIN)
    url = f"/api/v1/projects/{families}/indicators"
    body = {"code": "P1", "name": "Personas", "unit": "personas", "target": "48", "decimals": 0}
    created = await client.post(url, json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["decimals"] == 0
    refused = await client.post(url, json=body | {"code": "P2", "target": "4,5"}, headers=admin)
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["target"]
    period = await first_period(client, families)
    logged = await client.post(
        f"/api/v1/indicators/{created.json()['id']}/entries",
        json={"period_id": period, "value": "4,5"},
        headers=admin,
    )
    assert logged.status_code == 400, logged.text
    assert [e["field"] for e in logged.json()["errors"]] == ["value"]
    share = await client.post(url, json={"code": "S1", "name": "Daļa", "aggregation": "percentage"},
                              headers=admin)  # fmt: skip
    assert share.json()["decimals"] == 2
    progress = (await client.get(url, headers=admin)).json()
    assert {p["code"]: p["decimals"] for p in progress} == {"P1": 0, "S1": 2}


async def test_the_page_form_takes_decimals(families, client):
    await sign_in(client, Role.ADMIN)
    form = await client.get(f"/projects/{families}")
    assert 'name="decimals"' in form.text


async def test_the_migration_counts_persons_families_and_register_counts_whole(families):
    rows = [
        ("P1", "personas", "persons", "sum"),
        ("P2", "ģimenes", "", "sum"),
        ("P3", "", "households", "cumulative"),
        ("R1", "", "", "completed"),
        ("S1", "%", "%", "percentage"),
        ("N1", "nodarbības", "sessions", "sum"),
    ]
    for code, unit_lv, unit_en, aggregation in rows:
        await Indicator.insert(
            Indicator(project=families, code=code, name_lv=code, unit_lv=unit_lv,
                      unit_en=unit_en, aggregation=aggregation, decimals=2)
        )  # fmt: skip
    module = importlib.import_module("grants.migrations.grants_2026_11_24t09_01_00_000000")
    manager = await module.forwards()
    for raw in manager.raw:
        await raw()
    found = await Indicator.select(Indicator.code, Indicator.decimals)
    assert {r["code"]: r["decimals"] for r in found} == {
        "P1": 0, "P2": 0, "P3": 0, "R1": 0, "S1": 2, "N1": 2,
    }  # fmt: skip
