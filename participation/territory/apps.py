from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "participation.territory"
    label = "territory"
    verbose_name = _("Territoire et objectifs")

    def ready(self):
        from . import blocks

        blocks.register()
