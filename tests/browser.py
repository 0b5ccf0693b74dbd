"""A real grants server on SQLite with the demo, and Debian's Chromium driven by Playwright.

A plugin of the suite (`pytest_plugins` in `tests/conftest.py`): a browser test module gets a
server of its own (`server`, module-scoped, on a copy of a demo database migrated and loaded
once per test process) and a fresh Latvian page (`page`) in a new browser context of one
Chromium per test process."""

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright, expect

from grants.seed.demo import DEMO_USERS

GRANTS = Path(sys.executable).parent / "grants"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def grants_env(database: Path) -> dict[str, str]:
    return os.environ | {
        "GRANTS_DATABASE_URL": f"sqlite:///{database}",
        "GRANTS_SECRET_KEY": "browser-tests",
    }


class Server:
    """`grants serve` in a subprocess, as a user would start it, on a copy of the demo
    database that `grants db upgrade` and `grants demo` made."""

    def __init__(self, workdir: Path, demo: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database = workdir / "browser.db"
        shutil.copyfile(demo, self.database)
        self.env = grants_env(self.database)
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [GRANTS, "serve", "--port", str(self.port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/login", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError("grants serve did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


def chromium_path() -> str | None:
    return shutil.which("chromium")


CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory, worker_id: str) -> Path:
    """The demo, migrated and loaded once per test run (the first worker to need it makes it,
    the others wait for it); every server starts on a copy."""
    run = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        run = run.parent  # the run's folder, which its workers share
    database = run / "browser-demo.db"
    with (run / "browser-demo.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not database.exists():
            making = run / "browser-demo.making.db"
            making.unlink(missing_ok=True)  # a worker that failed half-way
            env = grants_env(making)
            for command in (["db", "upgrade"], ["demo"]):
                subprocess.run([GRANTS, *command], env=env, check=True, capture_output=True)
            making.rename(database)
    return database


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_database):
    server = Server(tmp_path_factory.mktemp("browser"), demo_database)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def browser():
    """One Chromium per test process; each test gets a context of its own."""
    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(server, browser):
    context = await browser.new_context(base_url=server.url, locale="lv-LV")
    yield await context.new_page()
    await context.close()


async def sign_in(page: Page, role: str) -> None:
    user = next(u for u in DEMO_USERS if u.role == role)
    await page.goto("/login")
    await page.get_by_label("E-pasts").fill(user.email)
    await page.get_by_label("Parole").fill(user.password)
    await page.get_by_role("button", name="Pieslēgties").click()
    await expect(page.get_by_role("heading", name="Portfelis")).to_be_visible()
