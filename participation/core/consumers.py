"""The one shape of a live feed: check the person at connect, join a group, forward events.

Consumers stay thin (STYLE.md): the service functions broadcast through
``participation.core.realtime``, and a feed only decides who may follow it and which
events it passes on. A channel layer that is down at connect closes the socket with 1011,
which the page's reconnecting client (static/js/lib/) reads as « le direct est en pause ».
"""

import contextlib

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Close codes: 4401 not signed in, 4403 role (or second factor) missing, 1011 layer down.
NOT_SIGNED_IN = 4401
FORBIDDEN = 4403
LAYER_DOWN = 1011


class GroupFeedConsumer(AsyncJsonWebsocketConsumer):
    """A signed-in person's feed of one group; subclasses say who and which group."""

    group: str = ""

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
        await self.accept()

    async def disconnect(self, code):
        if getattr(self, "joined", False):
            # Nothing to clean if the layer is down.
            with contextlib.suppress(Exception):
                await self.channel_layer.group_discard(self.group, self.channel_name)
