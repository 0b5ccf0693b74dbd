"""Settings, read once from the environment."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///var/grants.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    default_locale: str = "lv"
    debug: bool = False
    secure_cookies: bool = False  # served over HTTPS: cookies go over HTTPS only
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose X-Forwarded-For counts
    page_cache: bool = True  # the heaviest pages kept while the data is unchanged (web/page_cache)

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=os.environ.get("GRANTS_DATABASE_URL") or DEFAULT_DATABASE_URL,
            secret_key=os.environ.get("GRANTS_SECRET_KEY") or _dev_secret_key(),
            default_locale=os.environ.get("GRANTS_LOCALE", "lv"),
            debug=os.environ.get("GRANTS_DEBUG", "") == "1",
            secure_cookies=os.environ.get("GRANTS_SECURE_COOKIES", "") == "1",
            page_cache=os.environ.get("GRANTS_PAGE_CACHE", "1") != "0",
            trusted_proxies=tuple(
                entry.strip()
                for entry in os.environ.get("GRANTS_TRUSTED_PROXIES", "").split(",")
                if entry.strip()
            ),
        )


def _dev_secret_key() -> str:
    """A key kept under ./var/ so sessions survive restarts when none is configured."""
    path = Path("var/secret_key")
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    path.write_text(key)
    return key
