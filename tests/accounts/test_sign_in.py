"""Signing in: failed attempts slow down the address they come from without locking the owner
out, proxy headers count only from configured proxies, and weak new passwords are refused."""

from datetime import timedelta

import pytest

from grants.accounts.users import SignInDelayed, add_user, authenticate
from grants.app import create_app
from grants.core.vocabulary import Role
from grants.settings import Settings
from grants.tables.accounts import LoginAttempt
from grants.web.addresses import client_address
from tests.builders import user
from tests.helpers import app_client, csrf_token, demo_user, post, refusal, sign_in

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"
OFFICE = "192.0.2.1"


async def time_passes(seconds: float) -> None:
    """Move every recorded attempt `seconds` into the past, as if the time had gone by."""
    for row in await LoginAttempt.select(LoginAttempt.id, LoginAttempt.at):
        await LoginAttempt.update({LoginAttempt.at: row["at"] - timedelta(seconds=seconds)}).where(
            LoginAttempt.id == row["id"]
        )


async def fail(email: str, times: int, ip: str = ATTACKER) -> None:
    for _ in range(times):
        assert await authenticate(email, "wrong-password", ip=ip) is None


async def test_failures_slow_down_their_address_but_never_lock_the_owner_out(database):
    finance = await user(Role.FINANCE)
    await fail(finance.email, 5)
    with pytest.raises(SignInDelayed) as delayed:
        await authenticate(finance.email, finance.password, ip=ATTACKER)
    assert 0 < delayed.value.seconds <= 5
    assert delayed.value.problems[0].message.startswith("Too many failed sign-ins")
    assert await authenticate(finance.email, finance.password, ip=OWNER) is not None


async def test_each_further_failure_makes_the_next_attempt_wait_longer(database):
    finance = await user(Role.FINANCE)
    await fail(finance.email, 5)
    waits = []
    for _ in range(4):
        with pytest.raises(SignInDelayed) as delayed:
            await authenticate(finance.email, "another-guess", ip=ATTACKER)
        waits.append(delayed.value.seconds)
        await time_passes(delayed.value.seconds)
        await fail(finance.email, 1)
    assert waits == sorted(waits) and waits[-1] >= 4 * waits[0]
    with pytest.raises(SignInDelayed):
        await authenticate(finance.email, finance.password, ip=ATTACKER)
    await time_passes(3600)
    assert await authenticate(finance.email, finance.password, ip=ATTACKER) is not None
    assert await authenticate(finance.email, "wrong-password", ip=ATTACKER) is None
    assert await authenticate(finance.email, finance.password, ip=ATTACKER) is not None


async def test_a_spray_from_one_address_slows_strangers_but_not_colleagues_known_there(database):
    colleague = await user(Role.COORDINATOR)
    newcomer = await user(Role.VIEWER)
    assert await authenticate(colleague.email, colleague.password, ip=OFFICE) is not None
    for n in range(30):
        await fail(f"guess-{n}@tukums.lv", 1, ip=OFFICE)
    with pytest.raises(SignInDelayed):
        await authenticate(newcomer.email, newcomer.password, ip=OFFICE)
    assert await authenticate(colleague.email, colleague.password, ip=OFFICE) is not None
    assert await authenticate(newcomer.email, newcomer.password, ip=OWNER) is not None


def test_forwarded_addresses_count_only_from_configured_proxies():
    trusted = ("10.0.0.5", "192.168.0.0/16")
    assert client_address("10.0.0.5", ATTACKER, ()) == "10.0.0.5"
    assert client_address("127.0.0.1", ATTACKER, ()) == "127.0.0.1"
    assert client_address("10.0.0.5", ATTACKER, trusted) == ATTACKER
    assert client_address("10.0.0.5", f"1.2.3.4, {ATTACKER}, 192.168.1.1", trusted) == ATTACKER
    assert client_address("10.0.0.6", ATTACKER, trusted) == "10.0.0.6"
    assert client_address("10.0.0.5", "", trusted) == "10.0.0.5"
    assert client_address("10.0.0.5", "not-an-address", trusted) == "10.0.0.5"


def test_trusted_proxies_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("GRANTS_SECRET_KEY", "x")
    assert Settings.from_env().trusted_proxies == ()
    monkeypatch.setenv("GRANTS_TRUSTED_PROXIES", "10.0.0.5, 192.168.0.0/16")
    assert Settings.from_env().trusted_proxies == ("10.0.0.5", "192.168.0.0/16")


async def sign_in_from(client, email: str, password: str, forwarded_for: str):
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": token},
        headers={"X-Forwarded-For": forwarded_for},
    )


async def test_x_forwarded_for_from_a_peer_that_is_no_configured_proxy_is_ignored(client):
    finance = await user(Role.FINANCE)
    for n in range(5):
        response = await sign_in_from(client, finance.email, "wrong-password", f"203.0.113.{n}")
        assert response.status_code == 401
    response = await sign_in_from(client, finance.email, finance.password, OWNER)
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= 5
    assert "Pārāk daudz neveiksmīgu pieslēgšanās mēģinājumu" in response.text
    assert {row["ip"] for row in await LoginAttempt.select(LoginAttempt.ip)} == {"testclient"}


async def test_a_configured_proxy_passes_on_the_client_address(database):
    finance = await user(Role.FINANCE)
    settings = Settings(secret_key="test", trusted_proxies=("testclient",))
    async with app_client(create_app(settings, engine=database)) as client:
        client.follow_redirects = False
        for _ in range(5):
            response = await sign_in_from(client, finance.email, "wrong-password", ATTACKER)
            assert response.status_code == 401
        waits = await sign_in_from(client, finance.email, finance.password, ATTACKER)
        assert waits.status_code == 429
        owner = await sign_in_from(client, finance.email, finance.password, OWNER)
        assert owner.status_code == 303
    assert {row["ip"] for row in await LoginAttempt.select(LoginAttempt.ip)} == {ATTACKER, OWNER}


async def test_a_password_equal_to_the_email_is_refused(database):
    refused = await refusal(add_user("inga.ozola@tukums.lv", "Inga.Ozola@tukums.lv", "viewer"))
    assert [p.message for p in refused.problems] == ["The password must not be your email address."]


async def test_a_new_password_must_differ_from_the_email_and_the_current_one(client):
    viewer = await user(Role.VIEWER)
    await sign_in(client, Role.VIEWER)
    same = await post(
        client,
        "/profile/password",
        {"current_password": viewer.password, "password": viewer.password},
    )
    assert same.status_code == 400
    assert "Jaunajai parolei jāatšķiras no pašreizējās." in same.text
    email = await post(
        client,
        "/profile/password",
        {"current_password": viewer.password, "password": demo_user(Role.VIEWER).email.upper()},
    )
    assert email.status_code == 400
    assert "Parole nedrīkst būt jūsu e-pasta adrese." in email.text
