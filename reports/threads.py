"""Rendering off the event loop. A report takes from a fraction of a second to many seconds of
CPU (charts, WeasyPrint's layout); in a worker thread it leaves the server free to answer
other requests meanwhile."""

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from anyio import to_thread

T = TypeVar("T")

# One render at a time: WeasyPrint's fonts (Pango, fontconfig) are not known to be safe across
# threads, and a portfolio PDF alone takes hundreds of MB. Requests that do not render never
# wait on it. A threading lock, not an anyio limiter, so it is bound to no event loop.
_ONE_AT_A_TIME = threading.Lock()


def _locked(function: Callable[..., T], *args: Any) -> T:
    with _ONE_AT_A_TIME:
        return function(*args)


async def off_loop(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` in a worker thread, in the caller's context (its locale), one render
    at a time."""
    return await to_thread.run_sync(_locked, function, *args)
