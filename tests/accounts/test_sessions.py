"""Web sessions: made only at sign-in under a new id, ended by a password change elsewhere,
kept off API calls and anonymous visits, purged when expired, and sent in guarded cookies."""

from datetime import UTC, datetime, timedelta

import httpx

from grants.accounts.users import create_token
from grants.app import create_app
from grants.core.vocabulary import Role
from grants.settings import Settings
from grants.tables.accounts import WebSession
from tests.builders import user
from tests.helpers import api_headers, app_client, count_queries, demo_user, post, sign_in

SESSION_COOKIE = "session"


def set_cookies(response, name: str) -> list[str]:
    """The Set-Cookie headers of the response for the cookie `name`."""
    return [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]


def plant(client: httpx.AsyncClient, session_id: str) -> None:
    """Give the browser a session cookie it did not get from the app."""
    client.cookies.set(SESSION_COOKIE, session_id, domain="testserver.local")


async def is_signed_in(client: httpx.AsyncClient) -> bool:
    return (await client.get("/profile")).status_code == 200


async def test_sign_in_never_keeps_a_planted_session_id(client, app):
    await user(Role.ADMIN)
    planted = "a" * 64
    plant(client, planted)
    assert (await sign_in(client, Role.ADMIN)).status_code == 303
    assert client.cookies[SESSION_COOKIE] != planted
    assert await WebSession.count().where(WebSession.key == planted) == 0
    async with app_client(app) as attacker:
        attacker.follow_redirects = False
        plant(attacker, planted)
        assert not await is_signed_in(attacker)


async def test_signing_in_over_someone_elses_session_does_not_hand_it_over(client, app):
    await user(Role.VIEWER)
    await user(Role.ADMIN)
    async with app_client(app) as attacker:
        attacker.follow_redirects = False
        await sign_in(attacker, Role.VIEWER)
        donated = attacker.cookies[SESSION_COOKIE]
        plant(client, donated)
        await sign_in(client, Role.ADMIN)
        assert client.cookies[SESSION_COOKIE] != donated
        assert (await attacker.get("/admin/users")).status_code != 200


async def test_a_password_change_renews_the_session_and_ends_the_others(client, app):
    viewer = await user(Role.VIEWER)
    token = await create_token(viewer.email)
    async with app_client(app) as laptop:
        laptop.follow_redirects = False
        await sign_in(laptop, Role.VIEWER)
        await sign_in(client, Role.VIEWER)
        before = client.cookies[SESSION_COOKIE]
        page = await post(
            client,
            "/profile/password",
            {"current_password": demo_user(Role.VIEWER).password, "password": "a-new-password"},
        )
        assert "Jūsu parole ir nomainīta." in page.text
        assert "Citas jūsu sesijas ir beigtas" in page.text
        assert client.cookies[SESSION_COOKIE] != before
        assert await is_signed_in(client)
        assert not await is_signed_in(laptop)
    api = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/projects", headers=api)).status_code == 200


async def test_an_administrator_setting_a_password_signs_that_user_out(client, app):
    viewer = await user(Role.VIEWER)
    await user(Role.ADMIN)
    async with app_client(app) as theirs:
        theirs.follow_redirects = False
        await sign_in(theirs, Role.VIEWER)
        await sign_in(client, Role.ADMIN)
        form = {"role": "viewer", "active": "on", "password": "set-by-the-admin"}
        assert (await post(client, f"/admin/users/{viewer.id}", form)).status_code == 303
        assert not await is_signed_in(theirs)
        assert await is_signed_in(client)


async def test_anonymous_visits_store_no_session(client):
    for url in ("/login", "/", "/static/app.css", "/lang/en", "/no-such-page"):
        response = await client.get(url)
        assert set_cookies(response, SESSION_COOKIE) == [], url
    assert await WebSession.count() == 0


async def test_api_calls_get_no_session(client):
    await user(Role.VIEWER)
    response = await client.get("/api/v1/projects", headers=await api_headers(Role.VIEWER))
    assert response.status_code == 200
    assert set_cookies(response, SESSION_COOKIE) == []
    assert await WebSession.count() == 0


async def test_files_are_served_without_reading_the_session(client, monkeypatch):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    queries = count_queries(monkeypatch)
    for url in ("/static/app.css", "/favicon.ico"):
        response = await client.get(url)
        assert response.status_code == 200, url
        assert set_cookies(response, SESSION_COOKIE) == [], url
    assert queries == []
    assert await is_signed_in(client)


async def test_signing_out_removes_the_session(client):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    assert await WebSession.count() == 1
    await post(client, "/logout", {})
    assert await WebSession.count() == 0
    assert not await is_signed_in(client)


async def expired_sessions(count: int) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    for n in range(count):
        await WebSession.insert(WebSession(key=f"old-{n}", data=b"{}", expires_at=past))


async def test_expired_sessions_are_purged_at_sign_in(client):
    await user(Role.ADMIN)
    await expired_sessions(3)
    await sign_in(client, Role.ADMIN)
    assert await WebSession.count() == 1


async def test_expired_sessions_are_purged_at_start_up(database, app):
    await expired_sessions(2)
    async with app_client(app):
        pass
    assert await WebSession.count() == 0


async def test_session_cookies_are_http_only_and_same_site(client):
    await user(Role.ADMIN)
    form = await client.get("/login")
    response = await sign_in(client, Role.ADMIN)
    for cookie in set_cookies(response, SESSION_COOKIE) + set_cookies(form, "grants_csrf"):
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower(), cookie
        assert "secure" not in cookie.lower(), cookie


async def test_cookies_are_secure_when_served_over_https(database):
    await user(Role.ADMIN)
    app = create_app(Settings(secret_key="test", secure_cookies=True), engine=database)
    async with app_client(app, "https://testserver.local") as client:
        client.follow_redirects = False
        form = await client.get("/login")
        response = await sign_in(client, Role.ADMIN)
        assert response.status_code == 303
        language = await client.get("/lang/en")
        cookies = [
            *set_cookies(response, SESSION_COOKIE),
            *set_cookies(form, "grants_csrf"),
            *set_cookies(language, "lang"),
        ]
        assert len(cookies) == 3
        for cookie in cookies:
            lowered = cookie.lower()
            assert "; secure" in lowered and "httponly" in lowered, cookie
            assert "samesite=lax" in lowered, cookie


def test_the_secure_cookie_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("GRANTS_SECURE_COOKIES", "1")
    monkeypatch.setenv("GRANTS_SECRET_KEY", "x")
    assert Settings.from_env().secure_cookies is True
    monkeypatch.delenv("GRANTS_SECURE_COOKIES")
    assert Settings.from_env().secure_cookies is False
