"""A frozen report version is served to each reader with what their role may see: the funder's
copy shows the register's service tables, and readers who may not see the register (viewers,
finance) get the same version without them. The hash still identifies the data sent."""

import hashlib
import io

import pytest
from openpyxl import load_workbook

from grants.core.access import AccessDenied
from grants.core.vocabulary import Role
from grants.projects.reports import FORMATS, list_versions
from grants.tables.reports import ReportVersion
from reports.versions import report_file, submit_and_freeze
from tests.builders import participant, receipt, service
from tests.helpers import api_headers, principal

SERVICE = "Fizioterapeita nodarbība"


async def frozen(reported: dict[str, int]) -> int:
    """The report of `reported`'s Q2 with one service given in it, submitted: its period."""
    project = reported["project"]
    physio = await service(project, SERVICE, unit_price="35,00")
    await participant(project, "TUK-001")
    await receipt(project, "TUK-001", physio.id, "15.05.2026", "35,00")
    await submit_and_freeze(await principal(Role.COORDINATOR), reported["period"])
    return reported["period"]


async def files(role: Role, period: int) -> dict[str, bytes]:
    reader = await principal(role)
    return {fmt: (await report_file(reader, period, fmt))[0] for fmt in FORMATS}


def cells(xlsx: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(xlsx))
    return {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}


async def test_readers_without_the_register_get_the_version_without_service_tables(reported):
    period = await frozen(reported)
    full = await files(Role.ADMIN, period)
    assert SERVICE in full["html"].decode() and SERVICE in cells(full["xlsx"])
    for role in (Role.COORDINATOR, Role.AUDITOR):
        assert await files(role, period) == full
    for role in (Role.VIEWER, Role.FINANCE):
        reduced = await files(role, period)
        assert SERVICE not in reduced["html"].decode()
        assert SERVICE not in cells(reduced["xlsx"])
        assert reduced["pdf"].startswith(b"%PDF") and reduced["pdf"] != full["pdf"]
        assert reduced["csv"] == full["csv"]  # the CSV has no service tables
        assert len(load_workbook(io.BytesIO(reduced["xlsx"])).worksheets) == (
            len(load_workbook(io.BytesIO(full["xlsx"])).worksheets) - 2
        )
    [version] = await list_versions(await principal(Role.VIEWER), period)
    assert version.data_hash == hashlib.sha256(full["csv"]).hexdigest()


async def test_the_api_serves_each_reader_their_copy(reported, client):
    period = await frozen(reported)
    url = f"/api/v1/periods/{period}/report"
    for role, shown in ((Role.COORDINATOR, True), (Role.VIEWER, False), (Role.FINANCE, False)):
        response = await client.get(url, params={"format": "html"}, headers=await api_headers(role))
        assert response.status_code == 200, response.text
        assert (SERVICE in response.text) is shown, role


async def test_a_version_frozen_before_reduced_copies_is_withheld(reported, client):
    period = await frozen(reported)
    await ReportVersion.update(
        {ReportVersion.html_reduced: None, ReportVersion.pdf_reduced: None}
    ).where(ReportVersion.period == period)
    with pytest.raises(AccessDenied):
        await report_file(await principal(Role.VIEWER), period, "html")
    assert (await report_file(await principal(Role.VIEWER), period, "csv"))[0]
    assert (await report_file(await principal(Role.ADMIN), period, "html"))[0]
    response = await client.get(
        f"/api/v1/periods/{period}/report",
        params={"format": "pdf"},
        headers=await api_headers(Role.FINANCE),
    )
    assert response.status_code == 403
