"""The one way the platform pushes live events: after the transaction commits.

Service functions call ``broadcast`` with a small ``{"type": ..., ...}`` event; consumers
only forward what they receive. If the channel layer is down, the action itself still
succeeds: pages show the change on reload and say that the live feed is paused.
"""

import asyncio
import atexit
import concurrent.futures
import functools
import logging
import os
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


MODERATION_GROUP = "moderation"
COMITE_GROUP = "comite"


# A frozen Redis accepts connections and never answers: the action waits this long at most.
SEND_TIMEOUT = 2  # seconds


_sender: tuple[int, asyncio.AbstractEventLoop] | None = None
_sender_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """One event loop per process, in a thread of its own, that sends to the Redis layer.

    ``async_to_sync`` would start an event loop for every event, and the Redis layer a new
    connection pool with it: several milliseconds of CPU per submission. Keyed by process,
    so that a forked worker starts its own.
    """
    global _sender
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="temps-reel", daemon=True).start()
            _sender = (os.getpid(), loop)
        return _sender[1]


def send_now(group: str, event: dict, *, wait: bool = True) -> bool:
    """Send ``event`` to ``group``; False if the channel layer did not take it.

    With ``wait=False`` (what ``broadcast`` does) the event is handed to the process's sender
    loop and the request goes on at once; a failure is then only logged. Waiting for the
    loop's thread means waiting for Python's global lock too: under load, up to 5 ms per
    hand-over, several per event, while the request holds one of the server's threads.
    """
    layer = get_channel_layer()
    if layer is None:
        return False

    async def send():
        await asyncio.wait_for(layer.group_send(group, event), SEND_TIMEOUT)

    try:
        if isinstance(layer, RedisChannelLayer):
            sending = asyncio.run_coroutine_threadsafe(send(), _sender_loop())
            if not wait:
                _pending.add(sending)
                sending.add_done_callback(functools.partial(_done, group, event))
                return True
            sending.result(SEND_TIMEOUT + 1)
        else:  # the in-memory layer lives on the server's own loop
            async_to_sync(send)()
    except Exception:  # noqa: BLE001 - a live feed must never break the action
        _log_dropped(group, event)
        return False
    return True


def _log_dropped(group: str, event: dict) -> None:
    logger.warning("Channel layer unreachable; live event %s to %s dropped", event, group)


# Events handed over and not sent yet. A process that ends right after an action (a
# management command, a shell) waits for them, at most SEND_TIMEOUT, before it exits.
_pending: set[concurrent.futures.Future] = set()


def _done(group: str, event: dict, sending) -> None:
    _pending.discard(sending)
    if sending.cancelled() or sending.exception() is not None:
        _log_dropped(group, event)


@atexit.register
def flush() -> None:
    """Wait until the events handed over are sent (or SEND_TIMEOUT has passed)."""
    concurrent.futures.wait(list(_pending), timeout=SEND_TIMEOUT + 1)


def broadcast(group: str, event: dict) -> None:
    """Send ``event`` to ``group`` once the current transaction has committed."""
    transaction.on_commit(lambda: send_now(group, event, wait=False))
