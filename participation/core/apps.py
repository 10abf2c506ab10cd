from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "participation.core"
    label = "core"
