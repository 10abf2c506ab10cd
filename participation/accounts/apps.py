from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "participation.accounts"
    label = "accounts"
    verbose_name = _("Comptes et rôles")

    def ready(self):
        from allauth.mfa.models import Authenticator
        from django.db.models.signals import post_delete, post_save

        from participation.core import hooks

        from .blocks import referent_provider
        from .rules import forget_totp

        hooks.register("referent", referent_provider)

        post_save.connect(forget_totp, sender=Authenticator, dispatch_uid="forget_totp_save")
        post_delete.connect(forget_totp, sender=Authenticator, dispatch_uid="forget_totp_delete")
