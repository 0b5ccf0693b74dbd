"""A real grants server on SQLite with the demo, and Debian's Chromium driven by Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

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
