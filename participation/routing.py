"""Every WebSocket route of the platform; each app lists its own in its routing module."""

from consultations.routing import websocket_urlpatterns as consultations_ws
from participation.notifications.routing import websocket_urlpatterns as notifications_ws

websocket_urlpatterns = [*notifications_ws, *consultations_ws]
