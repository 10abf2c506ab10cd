"""The one way the platform pushes live events: after the transaction commits.

Service functions call ``broadcast`` with a small ``{"type": ..., ...}`` event; consumers
only forward what they receive. If the channel layer is down, the action itself still
succeeds: pages show the change on reload and say that the live feed is paused.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


MODERATION_GROUP = "moderation"
COMITE_GROUP = "comite"


# A frozen Redis accepts connections and never answers: the action waits this long at most.
SEND_TIMEOUT = 2  # seconds


def send_now(group: str, event: dict) -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False

    async def send():
        await asyncio.wait_for(layer.group_send(group, event), SEND_TIMEOUT)

    try:
        async_to_sync(send)()
    except Exception:  # noqa: BLE001 - a live feed must never break the action
        logger.warning("Channel layer unreachable; live event %s to %s dropped", event, group)
        return False
    return True


def broadcast(group: str, event: dict) -> None:
    """Send ``event`` to ``group`` once the current transaction has committed."""
    transaction.on_commit(lambda: send_now(group, event))
