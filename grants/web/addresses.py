"""Who is asking, by network address: the peer, or the address a configured proxy forwarded.
X-Forwarded-For is anyone's to write, so it counts only from proxies named in
GRANTS_TRUSTED_PROXIES (none by default); otherwise the sign-in back-off could be dodged, or
pinned on someone else, with a made-up header."""

import ipaddress
from collections.abc import Iterable

from litestar import Request

from grants.settings import Settings


def client_address(peer: str, forwarded_for: str, trusted: Iterable[str]) -> str:
    """Walk X-Forwarded-For from the right while the hop is a trusted proxy; the first hop that
    is not one is the client (entries left of it could be made up)."""
    trusted = tuple(trusted)
    address = peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    while hops and _trusted(address, trusted):
        hop = hops.pop()
        if not _is_address(hop):
            break
        address = hop
    return address


def request_address(request: Request) -> str:
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else ""
    forwarded = ", ".join(request.headers.getall("x-forwarded-for", []))
    return client_address(peer, forwarded, settings.trusted_proxies)


def _trusted(address: str, trusted: tuple[str, ...]) -> bool:
    """`trusted` holds addresses or networks (10.0.0.5, 192.168.0.0/16), or a literal name
    for a peer that has no address (a Unix socket, a test client)."""
    for entry in trusted:
        if entry == address:
            return True
        try:
            if ipaddress.ip_address(address) in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
