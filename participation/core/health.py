"""The state of every part the platform relies on, for /sante/.

Each entry names the service it depends on (PostgreSQL, Redis…) and every check gives up
within ``CHECK_TIMEOUT`` seconds, even against a server that accepts connections and never
answers (a frozen Redis): a monitor polling /sante/ must get its 503, not a hung request.

Anyone may read the state of each part; what each check says (``detail``: an error names
hosts, ports and accounts) is only for signed-in staff and for the host's monitoring, which
sends ``HEALTH_TOKEN`` as ``Authorization: Bearer <token>``.
"""

import asyncio
import secrets
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection

from participation import celery_app
from participation.accounts.rules import has_totp, is_staff_role

from .cache import ResilientRedisCache

CHECK_TIMEOUT = 2  # seconds, for each check that talks to Redis


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    backend = caches["default"]
    if isinstance(backend, ResilientRedisCache):
        # It turns an outage into cache misses for the pages; here the outage must show.
        backend.roundtrip()
    else:
        key = f"sante:{uuid.uuid4().hex}"
        cache.set(key, "ok", 5)
        if cache.get(key) != "ok":
            raise RuntimeError("value not read back")
        cache.delete(key)
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def check_channel_layer() -> str:
    layer = get_channel_layer()

    async def roundtrip():
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "sante.ping"})
        message = await layer.receive(channel)
        if message.get("type") != "sante.ping":
            raise RuntimeError("message not received back")

    async def bounded():
        try:
            await asyncio.wait_for(roundtrip(), CHECK_TIMEOUT)
        except TimeoutError:
            raise TimeoutError(f"no answer within {CHECK_TIMEOUT} s") from None

    async_to_sync(bounded)()
    return type(layer).__name__


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    timeouts = {"socket_timeout": CHECK_TIMEOUT, "socket_connect_timeout": CHECK_TIMEOUT}
    with celery_app.connection_for_write(transport_options=timeouts) as conn:
        conn.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT)
    return "redis"


CHECKS = {
    "base_de_donnees": check_database,
    "cache": check_cache,
    "couche_temps_reel": check_channel_layer,
    "file_de_taches": check_broker,
}


def _kind(path: str) -> str:
    return "Redis" if "redis" in path.lower() else "mémoire"


def service_names() -> dict[str, str]:
    """Which server each check depends on, as an operator would name it."""
    return {
        "base_de_donnees": {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(
            connection.vendor, connection.vendor
        ),
        "cache": _kind(settings.CACHES["default"]["BACKEND"]),
        "couche_temps_reel": _kind(settings.CHANNEL_LAYERS["default"]["BACKEND"]),
        "file_de_taches": (
            "Celery (immédiat)"
            if settings.CELERY_TASK_ALWAYS_EAGER
            else _kind(settings.CELERY_BROKER_URL.split(":", 1)[0])
        ),
    }


def run_checks() -> tuple[bool, dict[str, dict[str, str]]]:
    report: dict[str, dict[str, str]] = {}
    healthy = True
    services = service_names()
    for name, check in CHECKS.items():
        service = services.get(name, "")
        try:
            report[name] = {"etat": "ok", "service": service, "detail": check()}
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            healthy = False
            report[name] = {
                "etat": "en panne",
                "service": service,
                "detail": f"{service} : {type(exc).__name__}: {exc}"[:200],
            }
    return healthy, report


def _bearer_token(request) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def may_read_details(request) -> bool:
    """Whether ``request`` comes from the host's monitoring or from signed-in staff.

    The token is looked at first: it needs neither the session nor the database, which may be
    what is down. Without ``HEALTH_TOKEN`` set, no token is accepted.
    """
    expected = settings.HEALTH_TOKEN
    given = _bearer_token(request)
    if expected and given and secrets.compare_digest(given.encode(), expected.encode()):
        return True
    user = request.user
    return is_staff_role(user) and has_totp(user)


def public(report: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The report without what the checks said: the state of each part and its service."""
    return {
        name: {"etat": part["etat"], "service": part["service"]} for name, part in report.items()
    }
