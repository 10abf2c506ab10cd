"""The state of every part the platform relies on, for /sante/."""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
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

    async_to_sync(roundtrip)()
    return type(layer).__name__


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from participation.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "redis"


CHECKS = {
    "base_de_donnees": check_database,
    "cache": check_cache,
    "couche_temps_reel": check_channel_layer,
    "file_de_taches": check_broker,
}


def run_checks() -> tuple[bool, dict[str, dict[str, str]]]:
    report: dict[str, dict[str, str]] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            report[name] = {"etat": "ok", "detail": check()}
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            healthy = False
            report[name] = {"etat": "en panne", "detail": f"{type(exc).__name__}: {exc}"[:200]}
    return healthy, report
