from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Expression citoyenne")

    def ready(self):
        from participation.accounts import landing
        from participation.accounts.models import Role
        from participation.accounts.signals import role_changed
        from participation.core import hooks
        from participation.notifications import links

        from .blocks import (
            home_provider,
            my_space_provider,
            quartier_provider,
            referent_provider,
            retours_provider,
        )
        from .gestion.services import on_role_changed

        hooks.register("home", home_provider)
        hooks.register("my_space", my_space_provider)
        hooks.register("quartier", quartier_provider)
        hooks.register("quartier", retours_provider)
        hooks.register("referent", referent_provider)
        links.register("x", "consultations:expression_detail")  # the short links of SMS
        # After signing in, staff land on their work.
        landing.register(Role.MEDIATEUR, "consultations:moderation_queue")
        landing.register(Role.COMITE, "consultations:committee_dashboard")
        # A former committee member leaves their instances (audited).
        role_changed.connect(on_role_changed, dispatch_uid="consultations.leave_instances")
