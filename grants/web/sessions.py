"""A Litestar session store kept in the database (table `web_session`)."""

from datetime import UTC, datetime, timedelta

from litestar.stores.base import Store

from grants.db import write_transaction
from grants.tables.accounts import WebSession


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return datetime.now(UTC) + timedelta(seconds=seconds)


class DatabaseStore(Store):
    async def set(
        self, key: str, value: str | bytes, expires_in: int | timedelta | None = None
    ) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        async with write_transaction():
            updated = (
                await WebSession.update({WebSession.data: data, WebSession.expires_at: expires_at})
                .where(WebSession.key == key)
                .returning(WebSession.id)
            )
            if not updated:
                await WebSession.insert(WebSession(key=key, data=data, expires_at=expires_at))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = (
            await WebSession.select(WebSession.data, WebSession.expires_at)
            .where(WebSession.key == key)
            .first()
        )
        if row is None:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
            await self.delete(key)
            return None
        if renew_for is not None and row["expires_at"] is not None:
            await WebSession.update({WebSession.expires_at: _expiry(renew_for)}).where(
                WebSession.key == key
            )
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        await WebSession.delete().where(WebSession.key == key)

    async def delete_all(self) -> None:
        await WebSession.delete(force=True)

    async def delete_expired(self) -> None:
        await WebSession.delete().where(WebSession.expires_at < datetime.now(UTC))

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await WebSession.select(WebSession.expires_at).where(WebSession.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - datetime.now(UTC)).total_seconds())
