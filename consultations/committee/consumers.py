"""The committee's live feed: what is routed to, or answered by, the member's instances.

Thin, like every consumer: it checks the role at connect, joins ``realtime.COMITE_GROUP``
and forwards the small events the service functions broadcast (consultations.moderation.aiguillage
on routing, consultations.committee.services on séances and answers), keeping only those about
the member's own instances. The events carry ids, never text or names.
"""

from channels.db import database_sync_to_async

from participation.accounts.rules import has_totp
from participation.core.consumers import GroupFeedConsumer
from participation.core.realtime import COMITE_GROUP

from .. import rules


@database_sync_to_async
def _instances(user) -> set[int] | None:
    """The ids of the member's instances; None if they may not follow the committee."""
    if not (rules.can_review(user) and has_totp(user)):
        return None
    return set(rules.instances_of(user).values_list("pk", flat=True))


class CommitteeConsumer(GroupFeedConsumer):
    group = COMITE_GROUP

    async def authorize(self, user) -> bool:
        self.instances = await _instances(user)
        return self.instances is not None

    def _concerns_me(self, event) -> bool:
        instances = event.get("instances")
        if instances is None and event.get("instance") is not None:
            instances = [event["instance"]]
        return bool(set(instances or ()) & self.instances)

    async def forward(self, event):
        if self._concerns_me(event):
            await self.send_json(event)

    # One handler per event type (the type's dots become underscores).
    expression_routed = forward
    expression_answered = forward
    seance_saved = forward
    seance_agenda = forward
    seance_examined = forward
