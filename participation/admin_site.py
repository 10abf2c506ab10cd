"""Django's admin, kept for the technical administrator (the référent works from the
« Espace référent », /gestion/): every section and every model named in French.

Our apps name themselves (``AppConfig.verbose_name``); the libraries' apps are relabelled
here by subclassing their AppConfig (settings.INSTALLED_APPS points to these classes), and
the one library model without a French name is renamed in the admin's index only (its
``Meta`` is the library's: changing it would ask for a migration in the library).
"""

from allauth.account.apps import AccountConfig
from allauth.mfa.apps import MFAConfig
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite
from django.utils.translation import gettext_lazy as _

# « app_label.model_name » → the name the admin's index shows.
MODEL_NAMES = {
    "mfa.authenticator": _("Facteurs de double authentification (application, codes de secours)"),
}


class ParticipationAdminSite(AdminSite):
    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                key = f"{app['app_label']}.{model['object_name'].lower()}"
                model["name"] = MODEL_NAMES.get(key, model["name"])
        return app_list


class ParticipationAdminConfig(AdminConfig):
    default_site = "participation.admin_site.ParticipationAdminSite"


class LoginAddressesConfig(AccountConfig):
    """allauth's « account » app: the verified addresses people sign in with."""

    verbose_name = _("Adresses de connexion")


class SecondFactorConfig(MFAConfig):
    """allauth's « mfa » app."""

    verbose_name = _("Double authentification")
