"""Every WebSocket route of the platform; each app lists its own in its routing module."""

from participation.notifications.routing import websocket_urlpatterns as notifications_ws

websocket_urlpatterns = [*notifications_ws]
