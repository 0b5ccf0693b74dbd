"""The page form defines an indicator counted as an ESF+ common indicator (issue 13, item 3):
the aggregation "ESF+ common indicator (register)" and the code chosen from a list."""

from datetime import date

from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.tables.indicators import Indicator
from tests.helpers import period_at, post, sign_in
from tests.results.test_common_indicators import fill_register

FORM = {
    "code": "U1",
    "name": "Bezdarbnieki",
    "name_en": "Unemployed",
    "unit": "personas",
    "target": "4",
    "target_rule": "at_least",
    "aggregation": "common",
    "kind": "output",
}


def row_of(page: str, indicator_id: int) -> str:
    start = page.index(f'<tbody id="indicator-{indicator_id}"')
    return page[start : page.index("</tbody>", start)]


async def test_the_form_offers_the_common_indicators_with_their_names(families, client):
    await sign_in(client, Role.COORDINATOR)
    page = (await client.get(f"/projects/{families}")).text
    assert '<option value="common"' in page
    assert 'name="source"' in page
    assert '<option value="EECO02" >EECO02 · ' in page


async def test_an_indicator_defined_on_the_page_counts_the_common_indicator(families, client):
    await fill_register(families)
    await sign_in(client, Role.COORDINATOR)
    response = await post(client, f"/projects/{families}/indicators", FORM | {"source": "EECO02"})
    assert response.status_code == 303
    row = await Indicator.select().where(Indicator.code == "U1").first()
    assert (row["aggregation"], row["source"]) == ("common", "EECO02")
    q2 = await period_at(families, date(2026, 5, 15))
    page = (await client.get(f"/projects/{families}?period={q2}")).text
    assert '<td class="num"><strong>2</strong></td>' in row_of(page, row["id"])  # A and C


async def test_a_missing_or_unknown_code_is_refused_at_the_field(families, client):
    await sign_in(client, Role.COORDINATOR)
    events = await AuditEvent.count()
    for source in ("", "EECO99"):
        refused = await post(client, f"/projects/{families}/indicators", FORM | {"source": source})
        assert refused.status_code == 400
        assert 'aria-describedby="source-error"' in refused.text
        assert 'value="U1"' in refused.text  # what was typed is kept
    assert await Indicator.count().where(Indicator.code == "U1") == 0
    assert await AuditEvent.count() == events


async def test_a_code_on_another_aggregation_is_refused_at_the_field(families, client):
    await sign_in(client, Role.COORDINATOR)
    refused = await post(
        client,
        f"/projects/{families}/indicators",
        FORM | {"aggregation": "percentage", "source": "EECO01"},
    )
    assert refused.status_code == 400
    assert 'aria-describedby="source-error"' in refused.text
    assert await Indicator.count().where(Indicator.code == "U1") == 0
