"""The client's own address behind the reverse proxy: the one rule every per-client limit uses.

Behind nginx, every request reaches gunicorn from the proxy's address: without this, the
limits counted per address (sign-in, failed sign-ins, sign-up, password reset, sign-in code:
allauth's ``ACCOUNT_RATE_LIMITS``) would be one bucket for the whole town, and ten failed
sign-ins by anyone would lock out the next resident.

nginx replaces ``X-Forwarded-For`` with the address it sees (deploy/nginx/participation.conf),
so a client cannot choose it. This middleware, first of all, puts that address in
``REMOTE_ADDR`` only when the request comes from a proxy listed in ``TRUSTED_PROXIES``
(production settings: the machine's own nginx; in embedded mode there is no proxy and the
header is ignored). Everything that reads the client's address (allauth, django-ratelimit,
the logs) then reads the right one. Daphne does the same for ``/ws/`` (``--proxy-headers``).
"""

import functools
import ipaddress

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class TrustedProxies:
    """The networks of ``TRUSTED_PROXIES`` (addresses or CIDR blocks)."""

    def __init__(self, entries) -> None:
        self.networks: list[Network] = [
            ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()
        ]

    def __contains__(self, address) -> bool:
        return address is not None and any(address in network for network in self.networks)

    def client_address(self, remote_addr: str, forwarded_for: str) -> str:
        """The client's address: ``remote_addr`` unless a trusted proxy says otherwise.

        ``X-Forwarded-For`` is read from the right, skipping the trusted proxies: the first
        address that is not one of them is the client's. Whatever stands left of it was written
        by the client and is never believed.
        """
        if not forwarded_for or _address(remote_addr) not in self:
            return remote_addr
        for entry in reversed(forwarded_for.split(",")):
            address = _address(entry)
            if address is None:
                return remote_addr
            if address not in self:
                return str(address)
        return remote_addr


@functools.cache
def _trusted(entries: tuple[str, ...]) -> TrustedProxies:
    return TrustedProxies(entries)


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        forwarded_for = meta.get("HTTP_X_FORWARDED_FOR", "")
        proxies = _trusted(tuple(settings.TRUSTED_PROXIES))
        if forwarded_for and proxies.networks:
            meta["REMOTE_ADDR"] = proxies.client_address(meta.get("REMOTE_ADDR", ""), forwarded_for)
        return self.get_response(request)
