"""/favicon.ico, which browsers ask for on their own: the site's icon, not a 404 in every log.
Pages name their icons (SVG, PNG) under /static; this is the fallback for the rest."""

from pathlib import Path

from litestar import get
from litestar.response import File

ICON = Path(__file__).parent.parent / "static" / "favicon.ico"


@get("/favicon.ico", include_in_schema=False, sync_to_thread=False)
def favicon() -> File:
    return File(
        ICON,
        media_type="image/vnd.microsoft.icon",
        content_disposition_type="inline",
        headers={"Cache-Control": "public, max-age=86400"},
    )
