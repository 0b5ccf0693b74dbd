"""The demo's 4.4.1.1./2/004 has one approved modification: 6 000,00 moved from equipment in
2026 to external services in 2027, in force from 1 October 2026, the 85/15 split unchanged."""

from datetime import date

from grants.core.vocabulary import Role
from grants.modifications import versions
from grants.modifications.modifications import get_modification, list_modifications
from tests.helpers import FAMILIES, principal, project_id


async def test_the_demo_project_has_version_2_from_october(demo) -> None:
    pid = await project_id(FAMILIES)
    finance = await principal(Role.FINANCE)
    listed = await versions.list_versions(finance, pid)
    assert [(v.number, v.in_force_from) for v in listed] == [
        (1, None),
        (2, date(2026, 10, 1)),
    ]
    [modification] = (await list_modifications(finance, pid)).rows
    assert (modification.status, modification.version, modification.decision_date) == (
        "approved",
        2,
        date(2026, 9, 15),
    )
    diff = (await get_modification(finance, modification.id)).diff
    assert [(b.category, b.year, b.difference) for b in diff.budget] == [
        ("external_services", 2027, 600_000),
        ("equipment", 2026, -600_000),
        ("", None, 0),
    ]
    assert [(s.source, s.difference) for s in diff.sources][:2] == [
        ("ESF+", 0),
        ("Valsts budžets", 0),
    ]
    assert diff.fields == [] and diff.funding == []
    assert (await versions.in_force(pid, date(2026, 9, 30))).number == 1
    assert (await versions.in_force(pid, date(2026, 12, 31))).number == 2
