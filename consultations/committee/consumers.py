"""The committee's live feed: what is routed to, or answered by, the member's instances.

Thin, like every consumer: it checks the role at connect, joins ``realtime.COMITE_GROUP``
and forwards the small events the service functions broadcast (consultations.moderation.aiguillage
on routing, consultations.committee.services on séances and answers), keeping only those about
the member's own instances, and, for a référent given communes, those about her communes'
quartiers when the event names its quartiers (``rules.review_quartier_ids``). The events
carry ids, never text or names.
"""

from channels.db import database_sync_to_async

from participation.accounts.rules import has_totp
from participation.core.consumers import GroupFeedConsumer
from participation.core.realtime import COMITE_GROUP

from .. import rules


@database_sync_to_async
def _scope(user) -> tuple[set[int], set[int], frozenset[int] | None] | None:
    """The ids of the member's instances, of those whose séances they run, and the quartiers
    they are narrowed to (None: no narrowing); None if they may not follow the committee."""
    if not (rules.can_review(user) and has_totp(user)):
        return None
    return (
        set(rules.instances_of(user).values_list("pk", flat=True)),
        set(rules.instances_run_by(user).values_list("pk", flat=True)),
        rules.review_quartier_ids(user),
    )


class CommitteeConsumer(GroupFeedConsumer):
    group = COMITE_GROUP

    async def authorize(self, user) -> bool:
        found = await _scope(user)
        if found is None:
            return False
        self.instances, self.seance_instances, self.quartiers = found
        return True

    def _concerns_me(self, event) -> bool:
        instances = event.get("instances")
        if instances is None and event.get("instance") is not None:
            instances = [event["instance"]]
        if not set(instances or ()) & self.instances:
            return False
        quartiers = event.get("quartiers")
        return self.quartiers is None or quartiers is None or bool(set(quartiers) & self.quartiers)

    async def forward(self, event):
        if self._concerns_me(event):
            await self.send_json(event)

    async def forward_seance(self, event):
        """A séance's events, only to those who may open it (``rules.instances_run_by``)."""
        if event.get("instance") in self.seance_instances:
            await self.send_json(event)

    # One handler per event type (the type's dots become underscores).
    expression_routed = forward
    expression_answered = forward
    seance_saved = forward_seance
    seance_agenda = forward_seance
    seance_examined = forward_seance
