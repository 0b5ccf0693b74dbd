"""A code is one code however it is spelled (case, full-width forms, zero-width and combining
characters, surrounding spaces), and the database holds it: concurrent adds and imports of the
same codes enter each code once, for participants and for project codes alike."""

import asyncio
import importlib

import pytest

from grants.core.errors import Refused
from grants.core.vocabulary import Role
from grants.db import INTEGRITY_ERRORS, insert_one
from grants.projects.editing import ProjectInput, create_project
from grants.projects.reading import normalise_code
from grants.register import participants as register
from grants.register.participants import add_participant, code_key, import_participants
from grants.tables.participants import Participant
from tests.builders import BUILDER, person
from tests.helpers import principal, refusal

LOOK_ALIKES = ["A1", "a1", "Ａ1", "ａ１", "A\u200b1", "\ufeffA1", "A\u20601", " A1 ", "A\u03011"]


def test_look_alike_codes_are_one_code():
    assert {code_key(code) for code in LOOK_ALIKES} == {"a1"}
    assert code_key("TUK-017") != code_key("TUK-018")
    assert normalise_code("ll 00241") == normalise_code("LL-00241") == normalise_code("ＬＬ－00241")
    assert normalise_code("4.4.1.1./2/004") == normalise_code("4.4.1.1/2/004")
    assert normalise_code("4.4.1.1./2/004") != normalise_code("4.4.1.1./2/005")


async def test_a_look_alike_of_a_code_in_the_register_is_a_conflict(families):
    await add_participant(BUILDER, families, person("A1"))
    for code in LOOK_ALIKES[1:]:
        refused = await refusal(add_participant(BUILDER, families, person(code)))
        assert refused.conflict and refused.problems[0].field == "code", repr(code)
    refused = await refusal(
        import_participants(BUILDER, families, [person("B2"), person("b\u200b2")])
    )
    assert refused.problems[0].english() == (
        "Code b\u200b2 is also on row 1 of this file: a person counts once."
    )
    assert await Participant.count().where(Participant.project == families) == 1


async def test_the_database_holds_one_code_per_project(families):
    await add_participant(BUILDER, families, person("A1"))
    with pytest.raises(INTEGRITY_ERRORS):
        await insert_one(
            Participant,
            project=families,
            code="a1",
            code_key="a1",
            gender="female",
            birth_year=1990,
            entry_date=(await Participant.select(Participant.entry_date).first())["entry_date"],
        )


async def test_the_unique_index_refusal_gives_the_duplicate_code_message(families, monkeypatch):
    """A writer whose check ran before another's add committed is stopped by the index; an
    import then checks again, and names the rows whose codes were taken meanwhile."""
    await add_participant(BUILDER, families, person("A1"))
    reads = []
    codes = register.register_codes

    async def first_before_the_other_writer(project_id: int) -> dict[str, int]:
        reads.append(project_id)
        return {} if len(reads) == 1 else await codes(project_id)

    monkeypatch.setattr(register, "register_codes", first_before_the_other_writer)
    refused = await refusal(add_participant(BUILDER, families, person("ａ1")))
    assert refused.conflict
    assert (
        refused.problems[0].english().startswith("Code ａ1 is already in this project's register")
    )
    reads.clear()
    refused = await refusal(import_participants(BUILDER, families, [person("C3"), person("a1")]))
    assert refused.conflict
    assert [p.field for p in refused.problems] == ["2.code"]
    assert await Participant.count().where(Participant.project == families) == 1


async def test_concurrent_imports_of_the_same_codes_add_each_code_once(families):
    coordinator = await principal(Role.COORDINATOR)
    codes = [f"TUK-{n:03d}" for n in range(300)]

    async def load(spelling) -> int | Refused:
        try:
            return await import_participants(
                coordinator, families, [person(spelling(code)) for code in codes]
            )
        except Refused as refused:
            return refused

    results = await asyncio.gather(load(str), load(str.lower), load(lambda c: f" {c} "))
    assert sorted(r if isinstance(r, int) else -1 for r in results) == [-1, -1, 300]
    assert all(r.conflict for r in results if isinstance(r, Refused))
    assert await Participant.count().where(Participant.project == families) == 300


async def test_concurrent_adds_of_one_code_add_it_once(families):
    async def add(code: str) -> bool:
        try:
            await add_participant(BUILDER, families, person(code))
            return True
        except Refused as refused:
            assert refused.conflict
            return False

    added = await asyncio.gather(*(add(code) for code in LOOK_ALIKES * 2))
    assert added.count(True) == 1
    assert await Participant.count().where(Participant.project == families) == 1


async def test_a_project_code_look_alike_is_taken(families):
    typed = {"title": "ConnectinGen", "measure": "4.4.1.1"}
    await create_project(BUILDER, ProjectInput(code="LL-00241", **typed))
    for code in ("ll 00241", "LL_00241", "ＬＬ-00241", "LL\u200b-00241"):
        refused = await refusal(create_project(BUILDER, ProjectInput(code=code, **typed)))
        assert refused.conflict and refused.problems[0].field == "code", code


def test_the_upgrade_keeps_codes_that_collide_already_apart():
    migration = importlib.import_module("grants.migrations.grants_2026_11_23t09_11_00_000000")
    rows = [
        {"id": 3, "project": 1, "code": "a1"},
        {"id": 1, "project": 1, "code": "A1"},
        {"id": 2, "project": 2, "code": "A1"},
        {"id": 4, "project": 1, "code": "x" * 50},
        {"id": 5, "project": 1, "code": "X" * 50},
    ]
    keys = migration._keys(rows, "project", code_key, 50)
    assert keys[1] == keys[2] == "a1"
    assert keys[3] == "a1\u200b3"
    assert keys[4] == "x" * 50 and keys[5] == "x" * 48 + "\u200b5"
    assert len({(row["project"], keys[row["id"]]) for row in rows}) == len(rows)
