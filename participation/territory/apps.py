from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "participation.territory"
    label = "territory"
