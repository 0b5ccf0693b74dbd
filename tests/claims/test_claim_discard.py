"""A draft claim prepared by mistake can be discarded, with a reason, so the expenditures it
holds are free again; a claim the funder has seen cannot."""

import json

from grants.claims.claims import ClaimInput, create_claim
from grants.claims.workflow import discard_claim, return_claim, submit_claim
from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.tables.claims import Claim, ClaimItem
from tests.builders import expenditure
from tests.helpers import api_headers, csrf_token, principal, refusal, sign_in

Q1 = ClaimInput("interim", "2026-01-01", "2026-03-31")


async def test_a_discarded_draft_frees_its_expenditures_and_stays_in_the_history(families):
    finance = await principal(Role.FINANCE)
    await expenditure(families)
    draft = await create_claim(finance, families, Q1)
    assert len(draft.items) == 1
    before = (await Claim.count(), await ClaimItem.count(), await AuditEvent.count())
    missing = await refusal(discard_claim(finance, draft.id, "  "))
    assert [p.field for p in missing.problems] == ["reason"]
    assert (await Claim.count(), await ClaimItem.count(), await AuditEvent.count()) == before

    await discard_claim(finance, draft.id, "Sagatavots kļūdas pēc")
    assert (await Claim.count(), await ClaimItem.count()) == (0, 0)
    [event] = await AuditEvent.select().where(AuditEvent.action == "discard")
    assert (event["entity"], event["entity_id"], event["note"]) == (
        "claim",
        draft.id,
        "Sagatavots kļūdas pēc",
    )
    assert json.loads(event["before"])["number"] == 1
    again = await create_claim(finance, families, Q1)  # the invoice is free again
    assert [i.entry_no for i in again.items] == [i.entry_no for i in draft.items]


async def test_a_claim_the_funder_has_seen_cannot_be_discarded(families):
    finance = await principal(Role.FINANCE)
    await expenditure(families)
    claim = await create_claim(finance, families, Q1)
    await submit_claim(finance, claim.id)
    sent = await refusal(discard_claim(finance, claim.id, "Kļūda"))
    assert sent.conflict and [p.field for p in sent.problems] == ["status"]
    await return_claim(finance, claim.id, "Labot")
    returned = await refusal(discard_claim(finance, claim.id, "Kļūda"))
    assert returned.conflict
    assert await Claim.count() == 1


async def test_discarding_through_the_api_and_the_page(families, client):
    finance = await principal(Role.FINANCE)
    await expenditure(families)
    first = await create_claim(finance, families, Q1)
    url = f"/api/v1/claims/{first.id}/discard"
    viewer = await client.post(url, json={"reason": "x"}, headers=await api_headers(Role.VIEWER))
    assert viewer.status_code == 403
    done = await client.post(url, json={"reason": "Dubults"}, headers=await api_headers(Role.ADMIN))
    assert done.status_code == 204 and await Claim.count() == 0

    second = await create_claim(finance, families, Q1)
    await sign_in(client, Role.FINANCE)
    page = (await client.get(f"/claims/{second.id}")).text
    assert f'action="/claims/{second.id}/discard#prepare"' in page
    refused = await client.post(
        f"/claims/{second.id}/discard",
        data={"discard_reason": "", "_csrf_token": await csrf_token(client)},
    )
    assert refused.status_code == 400 and await Claim.count() == 1
    gone = await client.post(
        f"/claims/{second.id}/discard",
        data={"discard_reason": "Dubults", "_csrf_token": await csrf_token(client)},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert gone.headers["location"] == f"/projects/{families}/claims"
    assert await Claim.count() == 0
