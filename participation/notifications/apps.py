from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "participation.notifications"
    label = "notifications"
