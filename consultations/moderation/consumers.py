"""WebSocket consumers of the expression's path. Thin: check the role at connect, join the
group, forward what the service functions broadcast (participation.core.realtime)."""

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async

from participation.accounts.rules import has_totp
from participation.core.consumers import GroupFeedConsumer
from participation.core.realtime import MODERATION_GROUP

from .. import rules


@database_sync_to_async
def _may_moderate(user) -> bool:
    return rules.can_moderate(user) and has_totp(user)


class ModerationConsumer(GroupFeedConsumer):
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

    def fallback_for(self, message):
        # An expression event added later by another service is forwarded, not fatal:
        # without a handler Channels would close every open queue.
        if message["type"].startswith("expression.") and not hasattr(
            self, get_handler_name(message)
        ):
            return self.forward
        return None
