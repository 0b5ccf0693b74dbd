"""API for a period's progress report: the file in each format, and the frozen versions."""

from datetime import date, datetime
from urllib.parse import quote

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery
from msgspec import Struct

from grants.report_versions import VersionRow, list_versions, report_file
from grants.web import CurrentPrincipal


class ReportVersionOut(Struct):
    version: int
    created_at: datetime
    created_by: str
    report_date: date
    locale: str
    data_hash: str


def version_out(v: VersionRow) -> ReportVersionOut:
    return ReportVersionOut(
        v.version, v.created_at, v.created_by, v.report_date, v.locale, v.data_hash
    )


def download(data: bytes, media_type: str, name: str) -> Response[bytes]:
    """The file with its name in Content-Disposition (ASCII, and UTF-8 per RFC 6266)."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


class ReportApi(Controller):
    path = "/api/v1/periods/{period_id:int}/report"
    tags = ("reports",)

    @get("/", media_type="application/octet-stream")
    async def report(
        self,
        principal: CurrentPrincipal,
        period_id: FromPath[int],
        format: FromQuery[str] = "pdf",
        version: FromQuery[int | None] = None,
        lang: FromQuery[str] = "lv",
    ) -> Response[bytes]:
        """The period's progress report as html, pdf, xlsx or csv. A submitted or approved
        period returns its latest frozen version byte for byte (`version` picks another);
        a draft or returned one is rendered now, in `lang`."""
        data, media_type, name = await report_file(
            principal, period_id, format, version=version, locale=lang
        )
        return download(data, media_type, name)

    @get("/versions")
    async def versions(
        self, principal: CurrentPrincipal, period_id: FromPath[int]
    ) -> list[ReportVersionOut]:
        """The report versions frozen on each submission, oldest first."""
        return [version_out(v) for v in await list_versions(principal, period_id)]
