"""WebSocket consumers of the expression's path. Thin: check the role at connect, join the
group, forward what the service functions broadcast (participation.core.realtime)."""

import contextlib

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from participation.accounts.rules import has_totp
from participation.core.realtime import MODERATION_GROUP

from . import rules

# Close codes: 4401 not signed in, 4403 role (or second factor) missing, 1011 layer down.
NOT_SIGNED_IN = 4401
FORBIDDEN = 4403


@database_sync_to_async
def _may_moderate(user) -> bool:
    return rules.can_moderate(user) and has_totp(user)


class StaffFeedConsumer(AsyncJsonWebsocketConsumer):
    """A staff live feed: checks the person at connect, joins ``group``, forwards events.

    Subclasses say who may follow the feed in ``authorize``.
    """

    group: str

    async def authorize(self, user) -> bool:
        raise NotImplementedError

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        if not await self.authorize(user):
            await self.close(code=FORBIDDEN)
            return
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
        except Exception:  # noqa: BLE001 - layer down: the page says the live feed is paused
            await self.close(code=1011)
            return
        self.joined = True
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "joined", False):
            # Nothing to clean if the layer is down.
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(self.group, self.channel_name)


class ModerationConsumer(StaffFeedConsumer):
    """The moderation queue, live: for mediators and the référent with their second factor."""

    group = MODERATION_GROUP

    async def authorize(self, user) -> bool:
        return await _may_moderate(user)

    async def forward(self, event):
        await self.send_json(event)

    # One handler per event type the services send (the type's dots become underscores).
    expression_submitted = forward
    expression_status = forward
    expression_reported = forward
    expression_updated = forward
    expression_reviewed = forward
    expression_deleted = forward

    async def dispatch(self, message):
        # An expression event added later by another service is forwarded, not fatal:
        # without a handler Channels would close every open queue.
        if message.get("type", "").startswith("expression.") and not hasattr(
            self, get_handler_name(message)
        ):
            await self.forward(message)
            return
        await super().dispatch(message)
