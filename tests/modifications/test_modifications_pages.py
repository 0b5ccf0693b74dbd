"""Modification pages: the form prefilled with the whole contract proposes only what changes, a
refused form writes nothing and says why at each field, the difference page's exact figures,
submitting and approving through the forms, the versions side by side, and who sees what."""

import re
from html.parser import HTMLParser

import pytest

from grants.core.vocabulary import Role
from grants.finance.budget import set_budget
from grants.modifications import versions
from grants.modifications.modifications import ModificationInput, propose, submit
from grants.tables.audit import AuditEvent
from grants.tables.modifications import ContractVersion, Modification
from tests import builders
from tests.builders import outsider
from tests.helpers import CSRF_COOKIE, NBSP, eur, post, principal, sign_in
from tests.modifications.test_modifications import BUDGET, MOVED


@pytest.fixture
async def contracted(families: int) -> int:
    """4.4.1.1./2/004 with its budget (296 578,43) and one indicator, EECO01 48."""
    await set_budget(builders.BUILDER, families, BUDGET)
    await builders.indicator(families, "EECO01", target="48")
    return families


class _Form(HTMLParser):
    """The fields of the page's modification form as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self._inside = False
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and "modification-form" in (a.get("class") or ""):
            self._inside = True
        if not self._inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.fields.setdefault(a["name"], []).append(a.get("value") or "on")
            else:
                self.fields.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value") or "", "selected" in a))
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[self._textarea] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [self._options[0][0]]
            self.fields[self._select] = chosen[:1]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(html: str) -> dict[str, list[str]]:
    parser = _Form()
    parser.feed(html)
    return parser.fields


def budget_row(fields: dict, category: str, year: str) -> str:
    """The prefix of the form's budget row for a category and year: "budget-3-"."""
    for name, values in fields.items():
        m = re.fullmatch(r"(budget-\d+-)category", name)
        if m and values == [category] and fields[m[1] + "year"] == [year]:
            return m[1]
    raise AssertionError(f"no row {category} {year}")


def typed(text: str) -> str:
    """An amount as the form shows it: no-break spaces in the groups."""
    return text.replace(" ", NBSP)


async def written() -> tuple[int, int, int]:
    return await Modification.count(), await ContractVersion.count(), await AuditEvent.count()


def actions(text: str) -> list[str]:
    return re.findall(r'<form method="post" action="(/modifications/\d+/\w+)', text)


async def test_finance_proposes_through_the_prefilled_form(contracted, client):
    await sign_in(client, Role.FINANCE)
    listing = await client.get(f"/projects/{contracted}/modifications")
    assert listing.status_code == 200
    assert "Grozījumi" in listing.text and "no sākuma" in listing.text
    assert f'href="/projects/{contracted}/modifications/new"' in listing.text
    page = await client.get(f"/projects/{contracted}/modifications/new")
    assert page.status_code == 200
    fields = form_of(page.text)
    equipment = budget_row(fields, "equipment", "2026")
    services = budget_row(fields, "external_services", "2026")
    assert fields[equipment + "amount"] == [typed("24 650,00")]
    assert fields["total_cost"] == [typed("369 214,43")]
    assert fields["funding-0-rate"] == ["85,00"]
    assert fields["indicators-0-code"] == ["EECO01"] and fields["indicators-0-target"] == ["48"]
    fields[equipment + "amount"] = ["19 650,00"]
    fields[services + "amount"] = ["36 900,00"]
    fields["reason"] = ["Vairāk konsultāciju, mazāk aprīkojuma"]
    response = await post(client, f"/projects/{contracted}/modifications/new", fields)
    assert response.status_code == 303
    stored = await Modification.select().first()
    assert response.headers["location"] == f"/modifications/{stored['id']}"
    assert list(versions.loaded(stored["changes"])) == [
        "budget"
    ]  # the rest of the form equals the contract
    assert (stored["status"], stored["number"]) == ("draft", 1)

    page = (await client.get(response.headers["location"])).text
    assert "Grozījumi Nr. 1" in page and "Melnraksts" in page
    diff = page[page.index("diff-budget") : page.index("</table>", page.index("diff-budget"))]
    rows = re.findall(r"<tr>(.*?)</tr>", diff[: diff.index("<tfoot>")], re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    assert [c[1:] for c in cells if c] == [
        ["2026", eur("31 900,00"), eur("36 900,00"), "+" + eur("5 000,00")],
        ["2026", eur("24 650,00"), eur("19 650,00"), eur("-5 000,00")],
    ]
    whole = diff[diff.index("<tfoot>") :]
    assert whole.count(eur("296 578,43")) == 2 and "nemainās" in whole
    sources = page[page.index("diff-sources") : page.index("</table>", page.index("diff-sources"))]
    for source, amount in (
        ("ESF+", "252 091,67"),
        ("Valsts budžets", "44 486,76"),
        (builders.MUNICIPALITY, "72 636,00"),
    ):
        row = re.search(re.escape(source) + r"</td>(.*?)</tr>", sources, re.S)[1]
        assert row.count(eur(amount)) == 2 and "nemainās" in row, source
    assert "diff-funding" not in page and "diff-fields" not in page
    assert actions(page) == [
        f"/modifications/{stored['id']}/submit",
        f"/modifications/{stored['id']}/withdraw",
    ]
    assert f'href="/modifications/{stored["id"]}/edit"' in page
    assert "data-confirm=" in page


async def test_a_refused_form_writes_nothing_and_says_why_at_each_field(contracted, client):
    await sign_in(client, Role.FINANCE)
    fields = form_of((await client.get(f"/projects/{contracted}/modifications/new")).text)
    # 5 000,00 more on external services, 4 000,00 less on equipment: 1 000,00 too much
    fields[budget_row(fields, "external_services", "2026") + "amount"] = ["36 900,00"]
    fields[budget_row(fields, "equipment", "2026") + "amount"] = ["20 650,00"]
    fields["end_date"] = ["31.02.2027"]
    fields["indicators-0-milestones-0-date"] = ["01.01.2030"]
    fields["indicators-0-milestones-0-value"] = ["10"]
    before = await written()
    response = await post(client, f"/projects/{contracted}/modifications/new", fields)
    assert response.status_code == 400
    assert await written() == before
    text = response.text
    assert "Nekas netika saglabāts" in text
    assert 'id="reason-error"' in text
    assert 'id="end_date-error"' in text and 'value="31.02.2027"' in text
    assert 'id="indicators-0-milestones-0-date-error"' in text
    assert 'value="20 650,00"' in text and 'value="01.01.2030"' in text
    # the budget's sum is checked once every field parses: said at the budget
    fields["end_date"] = ["31.12.2027"]
    fields["indicators-0-milestones-0-date"] = ["30.06.2027"]
    fields["reason"] = ["Pārdale"]
    response = await post(client, f"/projects/{contracted}/modifications/new", fields)
    assert response.status_code == 400 and await written() == before
    budget = response.text[response.text.index('id="budget"') :]
    said = re.search(r'<p class="field-error" role="alert">([^<]*)</p>', budget)[1]
    actual, expected, difference = "297\xa0578,43\xa0€", "296\xa0578,43\xa0€", "1\xa0000,00\xa0€"
    assert said == f"Budžets kopā ir {actual}, nevis {expected} (starpība {difference})."


async def test_the_contract_as_it_is_is_nothing_to_propose(contracted, client):
    await sign_in(client, Role.FINANCE)
    unchanged = form_of((await client.get(f"/projects/{contracted}/modifications/new")).text)
    unchanged["reason"] = ["Nekas"]
    before = await written()
    response = await post(client, f"/projects/{contracted}/modifications/new", unchanged)
    assert response.status_code == 400 and await written() == before
    assert "Nekas netika saglabāts" in response.text


async def test_add_rows_shows_more_rows_and_saves_nothing(contracted, client):
    await sign_in(client, Role.FINANCE)
    fields = form_of((await client.get(f"/projects/{contracted}/modifications/new")).text)
    budget_rows = len([n for n in fields if re.fullmatch(r"budget-\d+-year", n)])
    fields["reason"] = ["Vēl rindas"]
    before = await written()
    response = await post(
        client, f"/projects/{contracted}/modifications/new", {**fields, "add_rows": "1"}
    )
    assert response.status_code == 200 and await written() == before
    again = form_of(response.text)
    assert len([n for n in again if re.fullmatch(r"budget-\d+-year", n)]) == budget_rows + 3
    assert again["reason"] == ["Vēl rindas"] and again["more"] == ["3"]


async def test_submit_and_approve_through_the_forms_make_version_2(contracted, client):
    finance = await principal(Role.FINANCE)
    mod = await propose(finance, contracted, ModificationInput(reason="Pārdale", budget=MOVED))
    await sign_in(client, Role.FINANCE)
    url = f"/modifications/{mod}"
    edit = await client.get(f"{url}/edit")
    fields = form_of(edit.text)
    assert fields[budget_row(fields, "equipment", "2026") + "amount"] == [typed("19 650,00")]
    assert fields["reason"] == ["Pārdale"]
    fields["reason"] = ["Pārdale starp kategorijām"]
    fields["end_date"] = ["31.03.2028"]
    assert (await post(client, f"{url}/edit", fields)).status_code == 303
    stored = await Modification.select().where(Modification.id == mod).first()
    assert stored["reason"] == "Pārdale starp kategorijām"
    assert versions.loaded(stored["changes"])["end_date"] == "2028-03-31"
    page = (await client.get(url)).text
    assert "31.12.2027" in page[page.index("diff-fields") :] and "31.03.2028" in page
    fields["end_date"] = ["31.12.2027"]
    assert (await post(client, f"{url}/edit", fields)).status_code == 303

    assert (await client.post(f"{url}/submit", data={})).status_code == 403  # no CSRF token
    assert (await post(client, f"{url}/submit", {})).status_code == 303
    page = (await client.get(url)).text
    assert "Iesniegts" in page
    assert actions(page) == [f"{url}/approve", f"{url}/reject", f"{url}/withdraw"]
    assert (await client.get(f"{url}/edit")).status_code == 303  # no longer a draft

    refused = await post(client, f"{url}/approve", {"decision_date": "", "reference": ""})
    assert refused.status_code == 400
    assert 'id="decision_date-error"' in refused.text and 'id="reference-error"' in refused.text
    assert await ContractVersion.count() == 0

    approved = await post(
        client,
        f"{url}/approve",
        {"decision_date": "15.06.2026", "reference": "CFLA 2.1-14/123", "in_force_from": ""},
    )
    assert approved.status_code == 303
    page = (await client.get(url)).text
    assert "Apstiprināts" in page and "CFLA 2.1-14/123" in page and "15.06.2026" in page
    assert f'href="/projects/{contracted}/versions/2"' in page
    assert actions(page) == []

    listing = (await client.get(f"/projects/{contracted}/modifications")).text
    listed = listing[listing.index('id="versions"') :]
    assert "no sākuma" in listed and "15.06.2026" in listed
    assert f'href="/modifications/{mod}"' in listed

    first = (await client.get(f"/projects/{contracted}/versions/1")).text
    second = (await client.get(f"/projects/{contracted}/versions/2")).text
    assert "Līguma versija 1" in first and "Līguma versija 2" in second
    for text, equipment, services in (
        (first, "24 650,00", "31 900,00"),
        (second, "19 650,00", "36 900,00"),
    ):
        budget = text[text.index("version-budget") :]
        assert eur(equipment) in budget and eur(services) in budget
        assert eur("296 578,43") in budget
        funding = text[text.index("version-funding") :]
        assert eur("252 091,67") in funding and eur("44 486,76") in funding
        assert eur("72 636,00") in funding
        assert "85,00" in funding
    assert f'href="/modifications/{mod}"' in second
    project = (await client.get(f"/projects/{contracted}")).text
    assert "Līguma versija" in project
    assert f'href="/projects/{contracted}/versions/2"' in project
    assert f'href="/projects/{contracted}/modifications"' in project
    assert (await client.get(f"/projects/{contracted}/versions/3")).status_code == 404


async def test_withdraw_and_reject_need_a_note(contracted, client):
    finance = await principal(Role.FINANCE)
    first = await propose(finance, contracted, ModificationInput(reason="Pārdale", budget=MOVED))
    await sign_in(client, Role.FINANCE)
    refused = await post(client, f"/modifications/{first}/withdraw", {"withdraw_note": " "})
    assert refused.status_code == 400 and 'id="withdraw_note-error"' in refused.text
    done = await post(client, f"/modifications/{first}/withdraw", {"withdraw_note": "Kļūda"})
    assert done.status_code == 303
    page = (await client.get(f"/modifications/{first}")).text
    assert "Atsaukts" in page and "Kļūda" in page and actions(page) == []
    # a step on a stale page: refused and said
    again = await post(client, f"/modifications/{first}/submit", {})
    assert again.status_code == 409 and "Nekas netika saglabāts" in again.text

    second = await propose(finance, contracted, ModificationInput(reason="Vēlreiz", budget=MOVED))
    await submit(finance, second)
    refused = await post(client, f"/modifications/{second}/reject", {"reject_note": ""})
    assert refused.status_code == 400 and 'id="reject_note-error"' in refused.text
    done = await post(client, f"/modifications/{second}/reject", {"reject_note": "Nepamatots"})
    assert done.status_code == 303
    page = (await client.get(f"/modifications/{second}")).text
    assert "Noraidīts" in page and "Nepamatots" in page


async def test_readers_see_no_buttons_and_may_not_post(contracted, client):
    finance = await principal(Role.FINANCE)
    mod = await propose(finance, contracted, ModificationInput(reason="Pārdale", budget=MOVED))
    for role in (Role.VIEWER, Role.AUDITOR):
        await sign_in(client, role)
        listing = await client.get(f"/projects/{contracted}/modifications")
        assert listing.status_code == 200
        assert "/modifications/new" not in listing.text
        page = await client.get(f"/modifications/{mod}")
        assert page.status_code == 200 and actions(page.text) == [], role
        assert f"/modifications/{mod}/edit" not in page.text
        assert (await client.get(f"/projects/{contracted}/modifications/new")).status_code == 403
        assert (await client.get(f"/modifications/{mod}/edit")).status_code == 403
    await sign_in(client, Role.VIEWER)
    before = await written()
    for url, data in (
        (f"/projects/{contracted}/modifications/new", {"reason": "x", "total_cost": "1,00"}),
        (f"/modifications/{mod}/edit", {"reason": "x"}),
        (f"/modifications/{mod}/submit", {}),
        (f"/modifications/{mod}/withdraw", {"withdraw_note": "x"}),
        (f"/modifications/{mod}/approve", {"decision_date": "01.06.2026", "reference": "x"}),
        (f"/modifications/{mod}/reject", {"reject_note": "x"}),
    ):
        assert (await post(client, url, data)).status_code == 403, url
    assert await written() == before


async def test_a_coordinator_proposes_but_does_not_decide(contracted, client):
    finance = await principal(Role.FINANCE)
    mod = await propose(finance, contracted, ModificationInput(reason="Pārdale", budget=MOVED))
    await submit(finance, mod)
    await sign_in(client, Role.COORDINATOR)
    listing = (await client.get(f"/projects/{contracted}/modifications")).text
    assert f'href="/projects/{contracted}/modifications/new"' in listing
    page = (await client.get(f"/modifications/{mod}")).text
    assert actions(page) == [f"/modifications/{mod}/withdraw"]
    before = await written()
    approve = {"decision_date": "01.06.2026", "reference": "x"}
    assert (await post(client, f"/modifications/{mod}/approve", approve)).status_code == 403
    assert await written() == before


async def test_a_partner_joins_through_the_form(contracted, client):
    await sign_in(client, Role.COORDINATOR)
    fields = form_of((await client.get(f"/projects/{contracted}/modifications/new")).text)
    fields.update(
        {
            "reason": ["Jauns sadarbības partneris"],
            "new_partners-0-organisation": ["Biedrība Ģimenēm"],
            "new_partners-0-role": ["cooperation_party"],
            "new_partners-0-budget": ["1 000,00"],
        }
    )
    response = await post(client, f"/projects/{contracted}/modifications/new", fields)
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    partners = page[page.index("diff-partners") :]
    assert "Biedrība Ģimenēm" in partners and "pievienojas" in partners
    assert "+" + eur("1 000,00") in partners


async def test_an_outsider_finds_nothing(contracted, client):
    finance = await principal(Role.FINANCE)
    mod = await propose(finance, contracted, ModificationInput(reason="Pārdale", budget=MOVED))
    stranger = await outsider(Role.FINANCE)
    await client.get("/login")
    await client.post(
        "/login",
        data={
            "email": stranger.email,
            "password": stranger.password,
            "_csrf_token": client.cookies[CSRF_COOKIE],
        },
    )
    for url in (
        f"/projects/{contracted}/modifications",
        f"/projects/{contracted}/modifications/new",
        f"/modifications/{mod}",
        f"/projects/{contracted}/versions/1",
    ):
        assert (await client.get(url)).status_code in (403, 404), url
    for url in (
        "/modifications/2147483648",
        "/projects/2147483648/modifications",
        f"/projects/{contracted}/versions/2147483648",
    ):
        assert (await client.get(url)).status_code == 404, url
    before = await written()
    assert (await post(client, f"/modifications/{mod}/submit", {})).status_code in (403, 404)
    assert await written() == before


async def test_a_partner_leaves_through_the_form(contracted, client):
    await builders.partner(contracted, "Biedrība Atbalsts", budget=1_000_000)
    await sign_in(client, Role.FINANCE)
    fields = form_of((await client.get(f"/projects/{contracted}/modifications/new")).text)
    assert fields["partners-0-budget"] == [typed("10 000,00")]
    fields.update({"reason": ["Partneris izstājas"], "partners-0-leaves": ["1"]})
    response = await post(client, f"/projects/{contracted}/modifications/new", fields)
    assert response.status_code == 303
    page = (await client.get(response.headers["location"])).text
    partners = page[page.index("diff-partners") :]
    assert "Biedrība Atbalsts" in partners and "izstājas" in partners
    assert eur("-10 000,00") in partners
    edit = form_of((await client.get(response.headers["location"] + "/edit")).text)
    assert edit["partners-0-leaves"] == ["1"]
