"""WebSocket routes of the expression's path (listed in participation.routing)."""

from django.urls import path

from .committee.consumers import CommitteeConsumer
from .moderation.consumers import ModerationConsumer

websocket_urlpatterns = [
    path("ws/moderation/", ModerationConsumer.as_asgi()),
    path("ws/comite/", CommitteeConsumer.as_asgi()),
]
