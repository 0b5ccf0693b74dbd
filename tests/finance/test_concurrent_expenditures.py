"""Valid concurrent work succeeds: twenty invoices recorded at once on one project all go in,
numbered 1 to 20 (on PostgreSQL the entry number was the last + 1 read by each writer, and
sixteen of twenty were refused as a conflict)."""

import asyncio

from grants.core.vocabulary import Role
from grants.finance.expenditures import list_expenditures, record_expenditure
from tests.builders import invoice
from tests.helpers import principal


async def test_twenty_invoices_at_once_are_numbered_1_to_20(families):
    finance = await principal(Role.FINANCE)
    rows = await asyncio.gather(
        *(
            record_expenditure(finance, families, invoice(invoice_number=f"BR-{n:03d}"))
            for n in range(20)
        )
    )
    assert sorted(row.entry_no for row in rows) == list(range(1, 21))
    stored = (await list_expenditures(finance, families)).rows
    assert sorted((row.entry_no, row.version) for row in stored) == [(n, 1) for n in range(1, 21)]
    assert {row.invoice_number for row in stored} == {f"BR-{n:03d}" for n in range(20)}
