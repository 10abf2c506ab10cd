"""WebSocket consumers of the expression's path. Thin: check the role at connect, join the
group, forward what the service functions broadcast (participation.core.realtime)."""

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async

from participation.accounts import scope
from participation.accounts.rules import has_totp
from participation.core.consumers import GroupFeedConsumer
from participation.core.realtime import MODERATION_GROUP

from .. import rules

# Who may follow the feed, and which quartiers' events reach them (None: every one).
EVERY_QUARTIER = None


@database_sync_to_async
def _may_moderate(user) -> tuple[bool, frozenset[int] | None]:
    """Whether ``user`` may follow the queue live, and the quartiers of their communes."""
    if not (rules.can_moderate(user) and has_totp(user)):
        return False, frozenset()
    return True, scope.quartier_ids(user)


class ModerationConsumer(GroupFeedConsumer):
    """The moderation queue, live: for mediators and the référent with their second factor.

    Staff given communes receive only the events about their communes' expressions: each
    event names the expression's quartier (``changes.announce``), and the quartiers are
    read again with the account at every recheck (``GroupFeedConsumer.still_allowed``)."""

    group = MODERATION_GROUP
    quartiers: frozenset[int] | None = frozenset()

    async def authorize(self, user) -> bool:
        allowed, self.quartiers = await _may_moderate(user)
        return allowed

    def concerns_me(self, event) -> bool:
        if self.quartiers is EVERY_QUARTIER:
            return True
        return event.get("quartier") in self.quartiers

    async def forward(self, event):
        if self.concerns_me(event):
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
