from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .rules import has_totp


class StaffSecondFactorMiddleware:
    """A staff account without TOTP is sent to set it up before reaching anything else."""

    ALLOWED_PREFIXES = ("/comptes/", "/static/", "/sante/", "/jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff_role
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not has_totp(user)
        ):
            messages.warning(
                request,
                _(
                    "Votre rôle donne accès à des données personnelles : activez d'abord "
                    "la double authentification (application d'authentification)."
                ),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
