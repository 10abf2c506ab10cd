"""Redis or the database failing under the shared core: misses, bounded waits, a plain 500.

The full scenarios, with real processes, are in tests/faults/ (docs/pannes.md).
"""

import asyncio
import logging
import time

import pytest
import redis
from django.db import OperationalError
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from participation.core import cache as cache_module
from participation.core import health, realtime, views
from participation.core.cache import ResilientRedisCache
from tests.e2e.server import free_port


@pytest.fixture
def unreachable_redis_cache():
    """The production cache backend pointed at a port where nothing listens."""
    return ResilientRedisCache(
        f"redis://127.0.0.1:{free_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )


def test_the_cache_answers_as_an_empty_one_while_redis_is_down(unreachable_redis_cache, caplog):
    cache = unreachable_redis_cache

    with caplog.at_level(logging.WARNING, logger="participation.core.cache"):
        assert cache.get("clef", "défaut") == "défaut"
        assert cache.set("clef", 1) is None
        assert cache.add("clef", 1) is True
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("clef") is False
        assert cache.delete("clef") is False
        with pytest.raises(ValueError):
            cache.incr("clef")

    assert "Redis cache unreachable" in caplog.text


def test_after_a_failure_the_pages_do_without_redis_for_a_few_seconds(
    unreachable_redis_cache, monkeypatch
):
    """A frozen Redis costs a page one timeout, not one per fragment it reads."""
    cache = unreachable_redis_cache
    tries = []
    real = ResilientRedisCache.__mro__[1].get  # Django's RedisCache.get, which asks Redis

    def counted_get(self, *args, **kwargs):
        tries.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ResilientRedisCache.__mro__[1], "get", counted_get)
    clock = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])

    for key in ("a", "b", "c"):
        assert cache.get(key) is None
    assert tries == ["a"]

    clock[0] += cache_module.RETRY_AFTER_SECONDS + 0.1
    assert cache.get("d") is None
    assert tries == ["a", "d"]


def test_rate_limits_let_residents_through_while_redis_is_down(settings):
    from django_ratelimit.core import get_usage

    settings.CACHES = {
        "default": {
            "BACKEND": "participation.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    for _ in range(5):
        usage = get_usage(
            None, group="essai", key=lambda group, request: "alice", rate="1/h", increment=True
        )
        assert not usage["should_limit"]


def test_the_health_check_still_sees_the_outage_the_cache_hides(unreachable_redis_cache):
    with pytest.raises(redis.exceptions.ConnectionError):
        unreachable_redis_cache.roundtrip()


@pytest.mark.django_db
def test_the_health_report_names_the_server_each_check_depends_on(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "participation.core.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    began = time.monotonic()
    healthy, report = health.run_checks()

    assert time.monotonic() - began < 5
    assert not healthy
    assert report["cache"]["etat"] == "en panne"
    assert report["cache"]["service"] == "Redis"
    assert report["cache"]["detail"].startswith("Redis : ConnectionError")
    assert report["base_de_donnees"]["etat"] == "ok"
    assert report["base_de_donnees"]["service"] in {"PostgreSQL", "SQLite"}


def test_a_live_event_gives_up_when_the_channel_layer_never_answers(monkeypatch):
    class FrozenLayer:
        async def group_send(self, group, event):
            await asyncio.sleep(60)

    monkeypatch.setattr(realtime, "get_channel_layer", lambda: FrozenLayer())
    monkeypatch.setattr(realtime, "SEND_TIMEOUT", 0.2)

    began = time.monotonic()
    assert realtime.send_now("moderation", {"type": "expression.submitted", "id": 1}) is False
    assert time.monotonic() - began < 2


def test_the_error_page_is_shown_even_when_the_database_is_what_failed():
    def unreachable():
        raise OperationalError("connection refused")

    request = RequestFactory().get("/expressions/")
    request.user = SimpleLazyObject(unreachable)

    response = views.server_error(request)

    assert response.status_code == 500
    assert "réessayez dans un instant" in response.content.decode()


def test_an_action_does_not_wait_for_its_live_event_and_a_drop_is_logged(monkeypatch, caplog):
    from channels_redis.core import RedisChannelLayer

    class FrozenRedisLayer(RedisChannelLayer):
        def __init__(self):  # never connects: every send hangs
            pass

        async def group_send(self, group, event):
            await asyncio.sleep(60)

    monkeypatch.setattr(realtime, "get_channel_layer", lambda: FrozenRedisLayer())
    monkeypatch.setattr(realtime, "SEND_TIMEOUT", 0.2)

    began = time.monotonic()
    assert realtime.send_now("moderation", {"type": "expression.submitted", "id": 2}, wait=False)
    assert time.monotonic() - began < 0.1
    deadline = time.monotonic() + 3
    while "live event" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Channel layer unreachable; live event" in caplog.text


def test_a_process_that_ends_after_an_action_still_sends_its_live_events(monkeypatch):
    from channels_redis.core import RedisChannelLayer

    delivered = []

    class SlowRedisLayer(RedisChannelLayer):
        def __init__(self):
            pass

        async def group_send(self, group, event):
            await asyncio.sleep(0.3)
            delivered.append((group, event["id"]))

    monkeypatch.setattr(realtime, "get_channel_layer", lambda: SlowRedisLayer())
    assert realtime.send_now("moderation", {"type": "expression.submitted", "id": 3}, wait=False)
    assert delivered == []

    realtime.flush()  # what the interpreter runs at exit (atexit)

    assert delivered == [("moderation", 3)]
