from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "participation.accounts"
    label = "accounts"

    def ready(self):
        from allauth.mfa.models import Authenticator
        from django.db.models.signals import post_delete, post_save

        from .rules import forget_totp

        post_save.connect(forget_totp, sender=Authenticator, dispatch_uid="forget_totp_save")
        post_delete.connect(forget_totp, sender=Authenticator, dispatch_uid="forget_totp_delete")
