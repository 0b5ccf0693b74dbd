"""The API's JSON types: whole numbers (years, months, counts, ids) are JSON integers; money,
rates and decimal figures are decimal strings, so they stay exact; every input refuses fields it
does not know."""

import importlib
import pkgutil

import msgspec
from msgspec import inspect

import grants.controllers
from grants.controllers.api_schemas import In
from grants.core.vocabulary import Role
from grants.finance.budget import project_budget
from tests.helpers import api_headers, principal

ENGLISH = {"Accept-Language": "en"}
# Fields by how their names end: whole numbers, and decimal figures
WHOLE = ("_id", "year", "_months", "_count")
DECIMAL = ("amount", "cost", "vat", "rate", "price", "units", "value", "target", "baseline",
           "numerator", "denominator")  # fmt: skip


def input_structs() -> list[type[msgspec.Struct]]:
    """Every Struct the API controllers take as a body (named …In)."""
    found: dict[str, type] = {}
    for module_info in pkgutil.iter_modules(grants.controllers.__path__):
        module = importlib.import_module(f"grants.controllers.{module_info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, msgspec.Struct)
                and name.endswith("In")
            ):
                found[name] = value
    return list(found.values())


def kinds(info) -> set[type]:
    """The msgspec kinds a field may take, without null and metadata."""
    if isinstance(info, inspect.Metadata):
        return kinds(info.type)
    if isinstance(info, inspect.UnionType):
        return {kind for option in info.types for kind in kinds(option)}
    return set() if isinstance(info, inspect.NoneType) else {type(info)}


def as_string_hint(info) -> str | None:
    if isinstance(info, inspect.Metadata):
        return (info.extra or {}).get("as_string")
    if isinstance(info, inspect.UnionType):
        return next(filter(None, map(as_string_hint, info.types)), None)
    return None


def test_every_input_refuses_unknown_fields():
    structs = input_structs()
    assert len(structs) >= 12
    for struct in structs:
        assert issubclass(struct, In), struct.__name__
        assert struct.__struct_config__.forbid_unknown_fields, struct.__name__


def test_whole_numbers_are_integers_and_decimals_are_strings():
    checked = 0
    for struct in input_structs():
        for field in inspect.type_info(struct).fields:
            name = field.name
            if name.endswith(WHOLE):
                assert kinds(field.type) == {inspect.IntType}, f"{struct.__name__}.{name}"
                checked += 1
            elif name.endswith(DECIMAL):
                assert kinds(field.type) == {inspect.StrType}, f"{struct.__name__}.{name}"
                assert as_string_hint(field.type), f"{struct.__name__}.{name} has no message"
                checked += 1
    assert checked >= 20


async def test_the_openapi_document_says_so(client):
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    assert schemas["ParticipantIn"]["properties"]["birth_year"] == {"type": "integer"}
    assert schemas["BudgetLineIn"]["properties"]["year"] == {"type": "integer"}
    amount = schemas["ExpenditureIn"]["properties"]["amount"]
    assert amount["type"] == "string" and amount["examples"] == ["1234.50"]


async def test_a_participant_takes_and_gives_the_birth_year_as_a_number(families, client):
    headers = await api_headers(Role.COORDINATOR) | ENGLISH
    url = f"/api/v1/projects/{families}/participants"
    body = {"code": "TUK-201", "gender": "female", "birth_year": 1990, "entry_date": "2026-03-01"}
    created = await client.post(url, json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["birth_year"] == 1990
    too_old = await client.post(
        url, json=body | {"code": "TUK-202", "birth_year": 1850}, headers=headers
    )
    assert too_old.status_code == 400
    assert [e["field"] for e in too_old.json()["errors"]] == ["birth_year"]
    fraction = await client.post(url, json=body | {"birth_year": 1990.5}, headers=headers)
    assert fraction.json()["errors"] == [
        {"field": "birth_year", "message": "Send a whole number, e.g. 12."}
    ]


async def test_a_budget_line_takes_its_year_as_a_number(families, client):
    headers = await api_headers(Role.FINANCE)
    response = await client.put(
        f"/api/v1/projects/{families}/budget",
        json=[{"category": "staff", "year": 2027, "amount": "1 000,00"}],
        headers=headers,
    )
    assert response.status_code == 200, response.text
    budget = await project_budget(await principal(Role.FINANCE), families)
    assert budget.years == [2027]


async def test_an_indicator_takes_months_as_a_number_and_milestones_as_objects(families, client):
    headers = await api_headers(Role.COORDINATOR) | ENGLISH
    url = f"/api/v1/projects/{families}/indicators"
    body = {
        "code": "C6",
        "name": "Pusgads",
        "source": "completed",
        "min_stay_months": 6,
        "target": "12",
        "milestones": [{"date": "2026-12-31", "value": "6"}],
    }
    created = await client.post(url, json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["min_stay_months"] == 6
    assert created.json()["milestones"] == [{"date": "2026-12-31", "value": "6"}]
    wrong = await client.post(
        url,
        json=body | {"code": "C7", "milestones": [{"date": "2026-12-31", "value": "6", "x": 1}]},
        headers=headers,
    )
    assert wrong.json()["errors"] == [
        {"field": "milestones[0].x", "message": "Unknown field: leave it out."}
    ]
