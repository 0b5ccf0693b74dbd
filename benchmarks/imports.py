"""How long a 50 000-row participant import holds the event loop (a script, not a test).

Run it from the project folder:

    .venv/bin/python benchmarks/imports.py

It migrates a fresh SQLite file, loads the demo, and imports 50 000 participants into the
family-support project (4.4.1.1./2/004) while a second task stands for the other users'
requests: it wakes every 10 ms and notes how long it had to wait. The floor is the same task
with nothing else running, measured in the same run; the figures are printed as ratios to it.

Target: the longest wait during the import stays within a fraction of a second (the issue
"imports block the server"), i.e. a few tens of times the floor at most.
"""

import asyncio
import statistics
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grants import db
from grants.accounts.users import principal_for_user
from grants.register import files
from grants.seed.demo import load_demo
from grants.tables.accounts import User
from grants.tables.projects import Project

TICK = 0.01


async def waits(done: asyncio.Event) -> list[float]:
    """How much longer than TICK each wake-up took, until `done`."""
    late = []
    while not done.is_set():
        started = time.perf_counter()
        await asyncio.sleep(TICK)
        late.append(time.perf_counter() - started - TICK)
    return late


async def measured(work) -> list[float]:
    done = asyncio.Event()
    ticker = asyncio.create_task(waits(done))
    try:
        await work
    finally:
        done.set()
    return await ticker


async def run() -> None:
    with TemporaryDirectory() as folder:
        db.use_engine(db.engine_from_url(f"sqlite:///{folder}/bench.db"))
        await db.upgrade()
        await load_demo()
        project = await Project.select(Project.id).where(Project.code == "4.4.1.1./2/004").first()
        admin = await User.select(User.id).where(User.email == "admin@tukums.demo").first()
        principal = await principal_for_user(admin["id"])
        rows = "".join(
            f"B-{n:05d};{'sieviete' if n % 2 else 'vīrietis'};{1950 + n % 50};01.02.2026\n"
            for n in range(files.MAX_ROWS)
        )
        data = f"Kods;Dzimums;Dzimšanas gads;Iesaistes datums\n{rows}".encode()
        floor = await measured(asyncio.sleep(1))
        started = time.perf_counter()
        during = await measured(
            files.import_file(principal, project["id"], data, "bench.csv", "participants")
        )
        took = time.perf_counter() - started
    base = max(statistics.median(floor), 1e-4)
    print(f"import of {files.MAX_ROWS} rows: {took:.1f} s")
    print(f"floor (idle wake-up delay, median): {base * 1000:.2f} ms")
    print(
        f"during the import: median {statistics.median(during) * 1000:.2f} ms "
        f"({statistics.median(during) / base:.0f} x floor), longest {max(during) * 1000:.0f} ms "
        f"({max(during) / base:.0f} x floor)"
    )


if __name__ == "__main__":
    asyncio.run(run())
