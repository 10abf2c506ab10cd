"""The one shape of a live feed: check the person at connect, join a group, forward events.

Consumers stay thin (STYLE.md): the service functions broadcast through
``participation.core.realtime``, and a feed only decides who may follow it and which
events it passes on. A channel layer that is down at connect closes the socket with 1011,
which the page's reconnecting client (static/js/lib/) reads as « le direct est en pause ».

Access is checked again while the socket lives: before an event is passed on, at most every
``recheck_seconds``, the feed reads the account and the session afresh. A sign-out, a
staff session left idle too long, a deactivated account or a lost role closes the feed
(4401 or 4403) before it hands on anything more.
"""

import contextlib
import time
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model

from participation.accounts import idle

# Close codes: 4401 not signed in, 4403 role (or second factor) missing, 1011 layer down.
NOT_SIGNED_IN = 4401
FORBIDDEN = 4403
LAYER_DOWN = 1011


@database_sync_to_async
def _current_user(scope):
    """The account behind the socket as it is now, or None once its session has ended.

    A staff session left idle longer than ``STAFF_IDLE_TIMEOUT_MINUTES`` has ended too, even
    if no page was asked since (participation/accounts/idle.py): the session is read afresh.
    """
    session = scope.get("session")
    user = scope.get("user")
    if session is None or user is None or not session.exists(session.session_key):
        return None
    current = get_user_model().objects.filter(pk=user.pk, is_active=True).first()
    if current is not None and idle.has_idle_timeout(current):
        fresh = import_module(settings.SESSION_ENGINE).SessionStore(session.session_key)
        if idle.is_idle(fresh, time.time()):
            return None
    return current


class GroupFeedConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in person's feed of one group; subclasses say who and which group."""

    group: str = ""
    recheck_seconds: float = 5.0

    async def authorize(self, user) -> bool:
        """Whether ``user`` may follow this feed (checked once, at connect)."""
        return True

    def group_for(self, user) -> str:
        return self.group

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        if not await self.authorize(user):
            await self.close(code=FORBIDDEN)
            return
        self.group = self.group_for(user)
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except Exception:  # noqa: BLE001 - layer down: the page says the live feed is paused
            await self.close(code=LAYER_DOWN)
            return
        self.joined = True
        self.checked_at = time.monotonic()
        await self.accept()

    async def still_allowed(self) -> bool:
        """Whether the person may still follow the feed; closes the socket if not."""
        if time.monotonic() - self.checked_at < self.recheck_seconds:
            return True
        self.checked_at = time.monotonic()
        user = await _current_user(self.scope)
        if user is None:
            await self.close(code=NOT_SIGNED_IN)
            return False
        if not await self.authorize(user):
            await self.close(code=FORBIDDEN)
            return False
        return True

    def fallback_for(self, message):
        """A handler for an event type the feed has no method for (None: Channels' error)."""
        return None

    async def dispatch(self, message):
        # Every event from the group (not the socket's own messages) is checked first.
        if not message["type"].startswith("websocket.") and getattr(self, "joined", False):
            if not await self.still_allowed():
                return
            fallback = self.fallback_for(message)
            if fallback is not None:
                await fallback(message)
                return
        await super().dispatch(message)

    async def disconnect(self, code):
        if getattr(self, "joined", False):
            # Nothing to clean if the layer is down.
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(self.group, self.channel_name)
