"""Every refusal of the API has one shape, {"status_code", "detail", "errors": [{"field",
"message"}]}, in the request's language (Latvian unless Accept-Language asks for English), with
every problem listed: the domain's refusals and Litestar's own alike."""

from grants.core.vocabulary import Role
from grants.tables.expenditures import Expenditure
from grants.tables.participants import Participant
from tests.builders import invoice_form
from tests.helpers import api_headers

ENGLISH = {"Accept-Language": "en"}
REFUSAL_CODES = {"400", "401", "403", "404"}
BODY_REFUSAL_CODES = REFUSAL_CODES | {"409", "413"}


def refusal(response, status: int) -> list[tuple[str | None, str]]:
    """The problems of a refusal in the one shape, as (field, message)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status_code", "detail", "errors"}, body
    assert body["status_code"] == status and body["detail"]
    assert body["errors"] and all(set(e) == {"field", "message"} for e in body["errors"])
    return [(e["field"], e["message"]) for e in body["errors"]]


async def test_a_body_that_does_not_match_lists_every_problem_with_its_field(families, client):
    headers = await api_headers(Role.COORDINATOR) | ENGLISH
    body = {"gender": 5, "birth_year": "19x0", "entry_date": "2026-03-01", "nickname": "Anna"}
    response = await client.post(
        f"/api/v1/projects/{families}/participants", json=body, headers=headers
    )
    assert sorted(refusal(response, 400), key=str) == [
        ("birth_year", "Send a whole number, e.g. 12."),
        ("code", "This field is required."),
        ("gender", "Send text (a JSON string)."),
        ("nickname", "Unknown field: leave it out."),
    ]
    assert await Participant.count() == 0


async def test_refusals_are_latvian_unless_english_is_asked_for(families, client):
    headers = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{families}/expenditures"
    body = invoice_form(colour="red")
    assert refusal(await client.post(url, json=body, headers=headers), 400) == [
        ("colour", "Nezināms lauks: izlaidiet to.")
    ]
    english = await client.post(url, json=body, headers=headers | ENGLISH)
    assert refusal(english, 400) == [("colour", "Unknown field: leave it out.")]
    assert english.json()["detail"] == "colour: Unknown field: leave it out."


async def test_a_json_number_for_money_is_refused_with_a_reason(families, client):
    headers = await api_headers(Role.ADMIN) | ENGLISH
    expenditure = await client.post(
        f"/api/v1/projects/{families}/expenditures",
        json=invoice_form(amount=1234.5, vat=0),
        headers=headers,
    )
    assert refusal(expenditure, 400) == [
        ("amount", 'Send the amount as a string, e.g. "1234.50".'),
        ("vat", 'Send the amount as a string, e.g. "1234.50".'),
    ]
    assert await Expenditure.count() == 0
    project = await client.post(
        "/api/v1/projects",
        json={"code": "X-1", "funding": [{"source": "ESF+", "rate": 85}]},
        headers=headers,
    )
    assert refusal(project, 400) == [
        ("funding[0].rate", 'Send the rate as a string, e.g. "85.00".')
    ]
    latvian = await client.post(
        f"/api/v1/projects/{families}/expenditures",
        json=invoice_form(amount=1234.5),
        headers=await api_headers(Role.ADMIN),
    )
    assert refusal(latvian, 400) == [("amount", 'Sūtiet summu kā teksta virkni, piem., "1234.50".')]


async def test_a_json_number_for_a_figure_is_refused_with_a_reason(families, client):
    headers = await api_headers(Role.COORDINATOR) | ENGLISH
    response = await client.post(
        "/api/v1/indicators/1/entries",
        json={"period_id": 1, "value": 3, "breakdown": {"gender": {"women": 3}}},
        headers=headers,
    )
    assert refusal(response, 400) == [
        ("value", 'Send the figure as a string, e.g. "12.5".'),
        ("breakdown", 'Send the figure as a string, e.g. "12.5".'),
    ]


async def test_query_parameters_are_refused_by_name(families, client):
    headers = await api_headers(Role.ADMIN) | ENGLISH
    wrong = await client.get(
        f"/api/v1/projects/{families}/cofinancing", params={"period_id": "Q1"}, headers=headers
    )
    assert refusal(wrong, 400) == [("period_id", "Send a whole number, e.g. 12.")]
    missing = await client.get("/api/v1/indicators/1/entries", headers=headers)
    assert refusal(missing, 400) == [("period_id", "This field is required.")]


async def test_malformed_json_and_a_wrong_kind_of_body_are_refused(families, client):
    headers = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{families}/expenditures"
    malformed = await client.post(
        url, content=b'{"amount": "1,00"', headers=headers | {"Content-Type": "application/json"}
    )
    assert refusal(malformed, 400) == [(None, "Pieprasījuma saturs nav derīgs JSON.")]
    a_list = await client.post(url, json=[invoice_form()], headers=headers | ENGLISH)
    assert refusal(a_list, 400) == [(None, "Send a JSON object.")]
    budget = await client.put(
        f"/api/v1/projects/{families}/budget",
        json=[{"category": "staff", "year": "twenty", "amount": "1,00"}],
        headers=headers | ENGLISH,
    )
    assert refusal(budget, 400) == [("[0].year", "Send a whole number, e.g. 12.")]


async def test_a_multipart_body_that_is_not_text_where_text_belongs_is_refused(families, client):
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\n'.encode()
        + b"\xff\xfe\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    headers = await api_headers(Role.COORDINATOR) | ENGLISH
    headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    response = await client.post(
        f"/api/v1/projects/{families}/participants/import", content=body, headers=headers
    )
    assert refusal(response, 400) == [(None, "The request body is not valid multipart/form-data.")]


async def test_unknown_addresses_records_and_methods_are_refused_alike(families, client):
    headers = await api_headers(Role.ADMIN)
    nowhere = await client.get("/api/v1/nowhere", headers=headers)
    assert refusal(nowhere, 404) == [(None, "Šeit nekā nav: pārbaudiet adresi un identifikatoru.")]
    english = await client.get("/api/v1/nowhere", headers=headers | ENGLISH)
    assert refusal(english, 404) == [(None, "Nothing here: check the address and the id.")]
    assert refusal(await client.get("/api/v1/projects/999999", headers=headers), 404)
    assert refusal(await client.get("/api/v1/expenditures/999999/history", headers=headers), 404)
    method = await client.delete(f"/api/v1/projects/{families}", headers=headers | ENGLISH)
    assert refusal(method, 405) == [(None, "This address does not take DELETE requests.")]
    assert "PATCH" in method.headers["allow"]


async def test_a_body_too_large_is_refused_in_the_shape(families, client):
    headers = await api_headers(Role.FINANCE) | ENGLISH | {"Content-Type": "application/json"}
    too_large = await client.post(
        f"/api/v1/projects/{families}/expenditures",
        content=b'{"note": "' + b"x" * (11 * 1024 * 1024) + b'"}',
        headers=headers,
    )
    assert refusal(too_large, 413) == [(None, "The request is too large.")]


async def test_missing_tokens_roles_and_domain_refusals_have_the_shape(families, client):
    url = f"/api/v1/projects/{families}/expenditures"
    assert refusal(await client.get(url), 401) == [
        (None, "Nepieciešams derīgs API pilnvaras kods.")
    ]
    viewer = await client.post(url, json=invoice_form(), headers=await api_headers(Role.VIEWER))
    assert refusal(viewer, 403) == [(None, "Jums nav piekļuves šim ierakstam.")]
    finance = await api_headers(Role.FINANCE)
    bad = invoice_form(amount="6 492.5.00", category="catering")
    assert {
        field for field, _ in refusal(await client.post(url, json=bad, headers=finance), 400)
    } >= {
        "amount",
        "category",
    }
    assert (await client.post(url, json=invoice_form(), headers=finance)).status_code == 201
    refusal(await client.post(url, json=invoice_form(), headers=finance), 409)


async def test_the_openapi_document_declares_the_refusals(client):
    document = (await client.get("/schema/openapi.json")).json()
    refusal_schema = document["components"]["schemas"]["Refusal"]
    assert refusal_schema["required"] == ["detail", "errors", "status_code"]
    operations = [
        (path, method, operation)
        for path, item in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in item.items()
    ]
    assert len(operations) >= 30
    for path, method, operation in operations:
        expected = BODY_REFUSAL_CODES if method in ("post", "put", "patch") else REFUSAL_CODES
        assert set(operation["responses"]) >= expected, (method, path)
        for code in expected:
            schema = operation["responses"][code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Refusal"}, (method, path, code)
