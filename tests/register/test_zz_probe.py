import asyncio, time, cProfile, pstats
from grants.core.vocabulary import Role
from grants.register import files
from tests.helpers import principal

async def test_probe(families):
    rows = "".join(f"TUK-{n:05d};{'sieviete' if n % 2 else 'vīrietis'};{1950 + n % 50};01.02.2026\n" for n in range(files.MAX_ROWS))
    data = f"Kods;Dzimums;Dzimšanas gads;Iesaistes datums\n{rows}".encode()
    coordinator = await principal(Role.COORDINATOR)
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    loop.slow_callback_duration = 0.1
    t = time.monotonic()
    await files.import_file(coordinator, families, data, "p.csv", "participants")
    print("total", time.monotonic() - t)
