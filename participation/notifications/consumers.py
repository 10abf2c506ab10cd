from participation.core.consumers import GroupFeedConsumer
from participation.core.realtime import user_group


class NotificationConsumer(GroupFeedConsumer):
    """A signed-in person's own feed: their notifications, live."""

    def group_for(self, user) -> str:
        return user_group(user.pk)

    async def notification(self, event):
        await self.send_json(event)
