import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from participation.api.errors import error_response
from participation.api.middleware import API_PREFIX

from . import idle
from .rules import has_totp


class StaffIdleTimeoutMiddleware:
    """Signs a staff session out after ``STAFF_IDLE_TIMEOUT_MINUTES`` without activity.

    The page asked for then goes to the sign-in page, which says why; anything else (a form
    sent, an API call, a script's fetch) goes on signed out, and the view answers as it does
    to anyone not signed in. The rule itself is ``participation.accounts.idle``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if idle.has_idle_timeout(request.user):
            now = time.time()
            if idle.is_idle(request.session, now):
                logout(request)
                minutes = settings.STAFF_IDLE_TIMEOUT_MINUTES
                messages.info(
                    request,
                    ngettext(
                        "Votre session a été fermée après %(minutes)d minute sans activité, "
                        "pour protéger les données personnelles : reconnectez-vous pour "
                        "continuer.",
                        "Votre session a été fermée après %(minutes)d minutes sans activité, "
                        "pour protéger les données personnelles : reconnectez-vous pour "
                        "continuer.",
                        minutes,
                    )
                    % {"minutes": minutes},
                )
                if idle.is_navigation(request):
                    return redirect_to_login(request.get_full_path())
            elif idle.is_activity(request):
                idle.note_activity(request.session, now)
        response = self.get_response(request)
        # A staff member who has just signed in: the clock starts now.
        if idle.has_idle_timeout(request.user) and idle.LAST_SEEN not in request.session:
            idle.note_activity(request.session, time.time())
        return response


SECOND_FACTOR_FIRST = gettext_lazy(
    "Votre rôle donne accès à des données personnelles : activez d'abord "
    "la double authentification (application d'authentification)."
)


class StaffSecondFactorMiddleware:
    """A staff account without TOTP is sent to set it up before reaching anything else.

    A page sends it to the set-up page; the API, whose clients are programs (the field mode's
    script), answers 403 in its French error format instead of a redirect to an HTML page.
    """

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
            if request.path.startswith(API_PREFIX):
                return error_response("interdit", SECOND_FACTOR_FIRST, status=403)
            messages.warning(request, SECOND_FACTOR_FIRST)
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
