from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvenementsConfig(AppConfig):
    name = "evenements"
    verbose_name = _("Événements")

    def ready(self):
        from participation.notifications import links

        from . import blocks

        blocks.register()
        links.register("e", "evenements:detail")  # the short links of SMS
