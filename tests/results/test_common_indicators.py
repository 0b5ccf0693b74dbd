"""The ESF+ common indicators counted from a small register whose answers are known by hand."""

from datetime import date

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import NotFound
from grants.core.vocabulary import Role
from grants.results.common import COMMON_CODES, common_indicators
from grants.results.progress import indicator_progress, projects_progress, projects_to_date
from grants.tables.participants import Participant, ParticipantResult
from tests import builders
from tests.helpers import api_headers, count_queries, period_at, principal, refusal, sign_in

# code, gender, birth year, entry, exit, labour status, education, flags, results {stage: outcomes}
REGISTER = (
    # 36 at entry; left 15.03 looking for work with a qualification, employed six months later
    ("A", "female", 1990, "2026-02-01", "2026-03-15", "unemployed", "isced_3_4",
     "disability,rural", {"exit": "job_searching,qualification", "six_months": "employed"}),
    # 16 at entry
    ("B", "male", 2010, "2026-02-10", None, "inactive", "isced_0_2", "homeless,minority", {}),
    # 26; refused to say what became of them: counted in no result, not as a "no"
    ("C", "female", 2000, "2026-03-01", "2026-05-20", "long_term_unemployed", "isced_5_8",
     "third_country_national,foreign_background", {"exit": "refused"}),
    # 66; entered in Q2, left 01.06 employed and in training, better off six months later
    ("D", "male", 1960, "2026-04-10", "2026-06-01", "employed", "refused", "",
     {"exit": "employed,education_training", "six_months": "better_situation"}),
    # 55 exactly by years; refused the labour status, education not recorded
    ("E", "non-binary", 1971, "2026-05-05", None, "refused", "", "", {}),
    # left and came back: one row, exit cleared, so an old result has no day and counts nowhere
    ("F", "female", 1995, "2026-01-20", None, "", "isced_3_4", "", {"exit": "employed"}),
)  # fmt: skip

TO_DATE = {
    "EECO01": 6, "EECO02": 2, "EECO03": 1, "EECO04": 1, "EECO05": 1, "EECO06": 1, "EECO07": 1,
    "EECO08": 2, "EECO09": 1, "EECO10": 2, "EECO11": 1, "EECO12": 1, "EECO13": 1, "EECO14": 1,
    "EECO15": 1, "EECO16": 1, "EECO17": 1,
    "EECR01": 1, "EECR02": 1, "EECR03": 1, "EECR04": 1, "EECR05": 1, "EECR06": 1,
}  # fmt: skip
SPECIAL = {"EECO12", "EECO15"}


async def fill_register(project_id: int) -> None:
    """The register above, written to the tables as the register's pages would leave it."""
    for code, gender, born, entry, left, labour, education, flags, results in REGISTER:
        participant_id = (
            await Participant.insert(
                Participant(
                    project=project_id,
                    code=code,
                    code_key=code.casefold(),
                    gender=gender,
                    birth_year=born,
                    entry_date=date.fromisoformat(entry),
                    exit_date=date.fromisoformat(left) if left else None,
                    labour_status=labour,
                    education=education,
                    flags=flags,
                )
            )
        )[0]["id"]
        for stage, outcomes in results.items():
            await ParticipantResult.insert(
                ParticipantResult(
                    project=project_id,
                    participant=participant_id,
                    stage=stage,
                    recorded_on=date(2026, 12, 31),
                    outcomes=outcomes,
                )
            )


@pytest.fixture
async def register(families: int) -> int:
    await fill_register(families)
    return families


def by_code(found) -> dict:
    return {v.code: v for v in found.values}


async def test_every_common_indicator_is_counted_to_date(register):
    found = by_code(await common_indicators(await principal(Role.COORDINATOR), register))
    assert tuple(found) == COMMON_CODES
    assert {code: v.to_date.value for code, v in found.items()} == TO_DATE
    assert all(v.period is None for v in found.values())  # no period asked for


async def test_codes_and_names_are_the_commissions():
    assert (
        *(f"EECO{n:02}" for n in range(1, 18)),
        *(f"EECR{n:02}" for n in range(1, 7)),
    ) == COMMON_CODES


async def test_total_is_broken_down_by_gender_and_age_at_entry(register):
    found = by_code(await common_indicators(await principal(Role.COORDINATOR), register))
    assert found["EECO01"].to_date.breakdown == {
        "gender": {"women": 3, "men": 2, "non_binary": 1},
        "age": {"under_18": 1, "18_29": 1, "30_54": 2, "55_plus": 2},
    }
    assert found["EECO02"].to_date.breakdown == {
        "gender": {"women": 2, "men": 0, "non_binary": 0},
        "age": {"under_18": 0, "18_29": 1, "30_54": 1, "55_plus": 0},
    }
    # a result keeps the age group at entry
    assert found["EECR06"].to_date.breakdown["age"] == {
        "under_18": 0, "18_29": 0, "30_54": 0, "55_plus": 1,
    }  # fmt: skip


async def test_refused_and_unrecorded_answers_count_nowhere(register):
    found = by_code(await common_indicators(await principal(Role.COORDINATOR), register))
    # E refused the labour status, F's is not recorded: 4 of 6 in the four statuses
    assert sum(found[c].to_date.value for c in ("EECO02", "EECO04", "EECO05")) == 4
    # D refused the education, E's is not recorded: 4 of 6 in the three levels
    assert sum(found[c].to_date.value for c in ("EECO09", "EECO10", "EECO11")) == 4
    # C refused to say after leaving; F's result is from a stay that has no exit any more
    assert found["EECR04"].to_date.value == 1


async def test_a_period_counts_its_own_and_everything_to_its_end(register):
    coordinator = await principal(Role.COORDINATOR)
    q1, q2, q3, q4 = [await period_at(register, date(2026, m, 15)) for m in (2, 5, 8, 11)]
    first = by_code(await common_indicators(coordinator, register, q1))
    assert (first["EECO01"].period.value, first["EECO01"].to_date.value) == (4, 4)
    assert (first["EECR01"].period.value, first["EECR04"].period.value) == (1, 0)
    second = by_code(await common_indicators(coordinator, register, q2))
    assert (second["EECO01"].period.value, second["EECO01"].to_date.value) == (2, 6)
    assert second["EECO01"].period.breakdown["gender"] == {"women": 0, "men": 1, "non_binary": 1}
    assert (second["EECR01"].period.value, second["EECR01"].to_date.value) == (0, 1)
    assert second["EECR04"].period.value == 1
    # six months after leaving: 15.03 + 6 months = 15.09 (Q3), 01.06 + 6 months = 01.12 (Q4)
    third = by_code(await common_indicators(coordinator, register, q3))
    assert (third["EECR05"].period.value, third["EECR06"].period.value) == (1, 0)
    fourth = by_code(await common_indicators(coordinator, register, q4))
    assert (fourth["EECR05"].period.value, fourth["EECR06"].period.value) == (0, 1)


async def test_counting_takes_two_queries_whatever_the_register(register, monkeypatch):
    coordinator = await principal(Role.COORDINATOR)
    queries = count_queries(monkeypatch)
    await common_indicators(coordinator, register)
    assert len(queries) == 3  # the project, the participants grouped, the results grouped


@pytest.mark.parametrize(
    ("role", "sees_special"),
    [
        (Role.ADMIN, True),
        (Role.COORDINATOR, True),
        (Role.AUDITOR, False),
        (Role.FINANCE, False),
        (Role.VIEWER, False),
    ],
)
async def test_special_categories_are_withheld_from_roles_that_may_not_see_them(
    register, role, sees_special
):
    found = by_code(await common_indicators(await principal(role), register))
    for code in SPECIAL:
        assert found[code].withheld is not sees_special
        assert (found[code].to_date is None) is not sees_special
    assert all(not v.withheld for c, v in found.items() if c not in SPECIAL)


async def test_a_period_of_another_project_or_another_projects_reader_is_refused(register):
    other = await builders.partner_project()
    coordinator = await principal(Role.COORDINATOR)
    with pytest.raises(NotFound):
        await common_indicators(coordinator, register, await period_at(other, date(2025, 5, 1)))
    outsider = await builders.outsider(Role.COORDINATOR)
    from grants.accounts.users import principal_for_user

    with pytest.raises(AccessDenied):
        await common_indicators(await principal_for_user(outsider.id), register)


# A project's indicator counted as a common indicator ---------------------------------------------


async def test_an_indicator_takes_its_value_from_a_common_indicator(register):
    unemployed = await builders.indicator(register, "U1", target="4", source="EECO02")
    assert (unemployed.aggregation, unemployed.source, unemployed.decimals) == (
        "common",
        "EECO02",
        0,
    )
    assert unemployed.breakdowns == ("gender", "age")
    q2 = await period_at(register, date(2026, 5, 15))
    coordinator = await principal(Role.COORDINATOR)
    progress = next(
        p for p in await indicator_progress(coordinator, register, q2) if p.code == "U1"
    )
    assert (progress.this_period, progress.to_date, progress.source) == (0, 200, "EECO02")
    assert str(progress.percent_of_target) == "50.0"
    assert progress.breakdown[0].categories == {"women": 200, "men": 0, "non_binary": 0}
    assert all(b.complete for b in progress.breakdown)
    q1_end = next(value for day, value in progress.series if day == date(2026, 3, 31))
    assert q1_end == 200
    whole = (await projects_progress([register]))[register]
    assert next(p.to_date for p in whole if p.code == "U1") == 200
    to_date = (await projects_to_date([register]))[register]
    assert next(t.to_date for t in to_date if t.indicator_id == unemployed.id) == 200


async def test_a_common_indicator_code_is_checked(families):
    unknown = await refusal(builders.indicator(families, "X", aggregation="EECO99"))
    assert [p.field for p in unknown.problems] == ["source"]
    none = await refusal(builders.indicator(families, "X", aggregation="common"))
    assert [p.field for p in none.problems] == ["source"]
    given = await builders.indicator(families, "Y", aggregation="sum", source="eeco01 ")
    assert (given.aggregation, given.source) == ("common", "EECO01")  # the default "sum" gives way
    wrong = await refusal(
        builders.indicator(families, "X", aggregation="percentage", source="EECO01")
    )
    assert [p.field for p in wrong.problems] == ["source"]


# The API ------------------------------------------------------------------------------------------


async def test_api_lists_every_common_indicator_with_its_breakdown(register, client):
    q2 = await period_at(register, date(2026, 5, 15))
    response = await client.get(
        f"/api/v1/projects/{register}/common-indicators",
        params={"period_id": q2},
        headers=await api_headers(Role.COORDINATOR),
    )
    assert response.status_code == 200, response.text
    rows = {row["code"]: row for row in response.json()}
    assert list(rows) == list(COMMON_CODES)
    total = rows["EECO01"]
    assert (total["value"], total["period"]["value"], total["kind"]) == (6, 2, "output")
    assert total["breakdown"]["age"] == {"under_18": 1, "18_29": 1, "30_54": 2, "55_plus": 2}
    assert (total["period_id"], total["start"], total["end"]) == (q2, "2026-04-01", "2026-06-30")
    assert rows["EECO12"]["value"] == 1 and rows["EECO12"]["special_category"] is True
    assert rows["EECR04"]["period"]["value"] == 1


async def test_api_withholds_special_categories_and_takes_no_period(register, client):
    response = await client.get(
        f"/api/v1/projects/{register}/common-indicators",
        headers=await api_headers(Role.VIEWER),
    )
    rows = {row["code"]: row for row in response.json()}
    assert rows["EECO12"]["withheld"] is True
    assert (rows["EECO12"]["value"], rows["EECO12"]["breakdown"]) == (None, None)
    assert (rows["EECO01"]["value"], rows["EECO01"]["period"]) == (6, None)


async def test_api_refuses_unknown_projects_and_periods(register, client):
    headers = await api_headers(Role.COORDINATOR)
    missing = await client.get("/api/v1/projects/999999/common-indicators", headers=headers)
    assert missing.status_code == 404
    huge = await client.get(f"/api/v1/projects/{2**31}/common-indicators", headers=headers)
    assert huge.status_code == 404
    period = await client.get(
        f"/api/v1/projects/{register}/common-indicators",
        params={"period_id": 999999},
        headers=headers,
    )
    assert period.status_code == 404


async def test_api_creates_an_indicator_from_a_common_indicator(register, client):
    headers = await api_headers(Role.COORDINATOR)
    created = await client.post(
        f"/api/v1/projects/{register}/indicators",
        json={"code": "R1", "name": "Nodarbināti pēc dalības", "source": "EECR04",
              "kind": "result", "target": "2"},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert (created.json()["aggregation"], created.json()["source"]) == ("common", "EECR04")
    progress = (await client.get(f"/api/v1/projects/{register}/indicators", headers=headers)).json()
    assert next(p["to_date"] for p in progress if p["code"] == "R1") == "1"
    unknown = await client.post(
        f"/api/v1/projects/{register}/indicators",
        json={"code": "R2", "name": "X", "source": "EECR09"},
        headers=headers,
    )
    assert unknown.status_code == 400
    assert [e["field"] for e in unknown.json()["errors"]] == ["source"]


async def test_the_page_shows_the_counts(register, client):
    await sign_in(client, Role.COORDINATOR)
    page = await client.get(f"/projects/{register}/common-indicators")
    assert page.status_code == 200, page.text
    assert 'id="common-EECO12"' in page.text and "participant-report?year=2026" in page.text


async def test_the_page_withholds_from_a_viewer(register, client):
    await sign_in(client, Role.VIEWER)
    shown = await client.get(f"/projects/{register}/common-indicators")
    assert shown.status_code == 200
    assert "participant-report?year=" not in shown.text  # the report is for register readers
    assert shown.text.count('colspan="9"') == 2  # EECO12 and EECO15 withheld
