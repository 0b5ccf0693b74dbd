"""A real grants server on SQLite with the demo, and Debian's Chromium driven by Playwright.

A plugin of the suite (`pytest_plugins` in `tests/conftest.py`): a browser test module gets a
server of its own (`server`, module-scoped) and a fresh Latvian page (`page`)."""

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


class Server:
    """`grants db upgrade`, `grants demo`, `grants serve` in a subprocess, as a user would."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = os.environ | {
            "GRANTS_DATABASE_URL": f"sqlite:///{workdir / 'browser.db'}",
            "GRANTS_SECRET_KEY": "browser-tests",
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        for command in (["db", "upgrade"], ["demo"]):
            subprocess.run([GRANTS, *command], env=self.env, check=True, capture_output=True)
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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("browser"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def page(server):
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=server.url, locale="lv-LV")
        yield await context.new_page()
        await browser.close()


async def sign_in(page: Page, role: str) -> None:
    user = next(u for u in DEMO_USERS if u.role == role)
    await page.goto("/login")
    await page.get_by_label("E-pasts").fill(user.email)
    await page.get_by_label("Parole").fill(user.password)
    await page.get_by_role("button", name="Pieslēgties").click()
    await expect(page.get_by_role("heading", name="Portfelis")).to_be_visible()
