"""The processes that print a long PDF's parts (reports/render_pdf.py) end with the process
that started them, even when it is killed and runs no exit handler: uvicorn re-raises the
SIGTERM it stops on, and a server can be killed outright."""

import os
import subprocess
import sys
import time

STARTER = """
import os, signal
from reports.render_pdf import _printers, print_pdf
pool = _printers()
assert [len(pdf) > 0 for pdf in pool.map(print_pdf, ["<p>a</p>", "<p>b</p>"])] == [True] * 2
print(*pool._processes, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has ended, its parent not yet told
        return stat.read().split(") ")[-1][0] != "Z"


def test_the_printers_end_when_their_starter_is_killed():
    started = subprocess.run(
        [sys.executable, "-c", STARTER], capture_output=True, text=True, timeout=30
    )
    assert started.returncode == -9, started.stderr
    printers = [int(pid) for pid in started.stdout.split()]
    assert printers
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in printers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in printers)
