"""The contracts page: contracts with amount, invoiced and left; the add and change forms with
CSRF, refusals that keep what was typed; each contract's invoices; the contract select on the
expenditure form and the threshold flag in the register; readers without forms."""

from grants.core.vocabulary import Role
from grants.procurement.contracts import ContractInput, create_contract, set_procurement_threshold
from grants.tables.expenditures import Expenditure
from grants.tables.procurement import Contract
from tests.builders import BUILDER, invoice_form
from tests.helpers import NBSP, eur, post, sign_in

FORM = {
    "reference": "IUB TNP 2025/14",
    "supplier": 'SIA "Birojs"',
    "amount": "10 000,00",
    "date": "10.02.2026",
    "procedure": "open",
}


async def test_finance_adds_a_contract_and_sees_what_is_left(families, client):
    await sign_in(client, Role.FINANCE)
    url = f"/projects/{families}/contracts"
    page = (await client.get(url)).text
    assert "Iepirkuma līgumi" in page and 'name="_csrf_token"' in page
    assert f'href="{url}" aria-current="page"' in page  # the project's navigation
    added = await post(client, url, FORM)
    assert added.status_code == 303 and added.headers["location"] == url
    cid = (await Contract.select(Contract.id).first())["id"]
    register = f"/projects/{families}/expenditures"
    form = (await client.get(register)).text
    assert f'<option value="{cid}" >IUB TNP 2025/14 · SIA &#34;Birojs&#34;</option>' in form
    recorded = await post(client, register, invoice_form(amount="1 234,50", contract_id=str(cid)))
    assert recorded.status_code == 303
    page = (await client.get(url)).text
    assert eur("10 000,00") in page and eur("1 234,50") in page and eur("8 765,50") in page
    assert 'value="12"' in page  # the bar: 12 % used
    assert "BR-001" in page  # the contract's invoices
    one = (await client.get(f"{url}/{cid}")).text
    assert "Izrakstīts rēķinos līdz šim" in one and "BR-001" in one
    assert f'value="10{NBSP}000,00"' in one  # the change form, as stored


async def test_a_refused_contract_keeps_what_was_typed(families, client):
    await sign_in(client, Role.FINANCE)
    url = f"/projects/{families}/contracts"
    bad = FORM | {"amount": "6 492.5.00", "supplier": 'Kļūda <b>"x"</b>', "procedure": ""}
    refused = await post(client, url, bad)
    assert refused.status_code == 400
    assert "Nekas netika saglabāts" in refused.text
    assert "Izvēlieties iepirkuma procedūru." in refused.text
    assert 'value="6 492.5.00"' in refused.text
    assert "&lt;b&gt;" in refused.text and "<b>" not in refused.text  # escaped
    assert await Contract.count() == 0
    await post(client, url, FORM)
    duplicate = await post(client, url, FORM | {"reference": "iub tnp 2025/14"})
    assert duplicate.status_code == 409
    assert "jau ir reģistrēts" in duplicate.text


async def test_a_contract_is_changed_and_a_refusal_keeps_the_input(families, client):
    cid = (await create_contract(BUILDER, families, ContractInput(**FORM))).id
    await post_invoice(families, cid, "4 000")
    await sign_in(client, Role.FINANCE)
    url = f"/projects/{families}/contracts/{cid}"
    refused = await post(client, url, FORM | {"amount": "3 000"})
    assert refused.status_code == 400
    assert "jau izrakstīts rēķinos" in refused.text and 'value="3 000"' in refused.text
    changed = await post(client, url, FORM | {"amount": "5 000", "supplier": "SIA Jauns"})
    assert changed.status_code == 303
    page = (await client.get(url)).text
    assert "SIA Jauns" in page and eur("1 000,00") in page
    no_csrf = await client.post(url, data=FORM | {"amount": "6 000"})
    assert no_csrf.status_code == 403
    assert (await Contract.select(Contract.amount).first())["amount"] == 500_000


async def test_the_ceiling_refusal_on_the_register_form(families, client):
    cid = (await create_contract(BUILDER, families, ContractInput(**FORM))).id
    await sign_in(client, Role.FINANCE)
    register = f"/projects/{families}/expenditures"
    typed = invoice_form(amount="10 000,01", eligible_amount="", vat="", contract_id=str(cid))
    refused = await post(client, register, typed)
    assert refused.status_code == 400
    assert f"atlikums ir {eur('10 000,00')}" in refused.text
    assert f'<option value="{cid}" selected>' in refused.text  # the choice is kept
    assert await Expenditure.count() == 0


async def test_the_register_flags_invoices_above_the_threshold(families, client):
    await set_procurement_threshold(BUILDER, families, "10 000")
    await sign_in(client, Role.FINANCE)
    register = f"/projects/{families}/expenditures"
    await post(client, register, invoice_form(amount="12 000", eligible_amount="", vat=""))
    page = (await client.get(register)).text
    assert "nav līguma" in page
    assert f"Virs iepirkuma sliekšņa ({eur('10 000,00')} bez PVN)" in page
    contracts = (await client.get(f"/projects/{families}/contracts")).text
    assert f"Pasākuma iepirkuma slieksnis: {eur('10 000,00')} bez PVN." in contracts


async def test_readers_see_contracts_without_forms_and_outsiders_nothing(families, client):
    cid = (await create_contract(BUILDER, families, ContractInput(**FORM))).id
    await sign_in(client, Role.VIEWER)
    url = f"/projects/{families}/contracts"
    page = (await client.get(url)).text
    assert "IUB TNP 2025/14" in page and 'name="reference"' not in page
    assert 'name="reference"' not in (await client.get(f"{url}/{cid}")).text
    assert (await post(client, url, FORM | {"reference": "X"})).status_code == 403
    other = f"/projects/{families + 1000}/contracts/{cid}"
    assert (await client.get(other)).status_code == 404


async def post_invoice(project: int, contract: int, amount: str) -> None:
    from grants.finance.expenditures import record_expenditure
    from tests.builders import invoice

    await record_expenditure(
        BUILDER, project, invoice(amount=amount, eligible_amount="", vat="", contract_id=contract)
    )


async def test_the_history_page_shows_contract_changes(families, client):
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{families}/contracts", FORM)
    history = await client.get(f"/projects/{families}/history")
    assert history.status_code == 200
    assert "IUB TNP 2025/14" in history.text
