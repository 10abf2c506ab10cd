"""allauth adapters: how accounts send their emails and who may turn two-factor off."""

import logging
import smtplib
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as request_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Same words whether the email is unknown or the password wrong (no enumeration).
        "email_password_mismatch": _("L'adresse électronique ou le mot de passe est incorrect."),
        "too_many_login_attempts": _(
            "Trop d'essais de connexion. Patientez quelques minutes ou recevez un code par courriel."
        ),
    }

    def is_open_for_signup(self, request) -> bool:
        return True

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A sign-in of the last few minutes counts as confirming one's identity.

        Without this, a new médiateur sent to activate TOTP right after signing in would be
        asked for the password a second time.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = request_context.request
        if request is None or not request.user.is_authenticated:
            return True
        fresh_since = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
        records = get_authentication_records(request, request.user)
        return not any(record.get("at", 0) > fresh_since for record in records)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Send sign-in codes, verification codes and reset links at once, not through the queue.

        Unlike the platform's notifications (``notifications.services.queue_email``), these
        messages carry secrets that must not be stored in the email table the admin can read,
        and expire within minutes: a message waiting for the broker would arrive too late.
        A failing mail server must not turn a sign-up into an error page: the person is told,
        and can ask for a new code.
        """
        try:
            super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError):
            logger.exception("Could not send the account email %s", template_prefix)
            request = request_context.request
            if request is not None:
                messages.error(
                    request,
                    _(
                        "Le courriel n'a pas pu partir. Réessayez dans quelques minutes "
                        "(bouton « Recevoir un nouveau code »)."
                    ),
                )


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff roles must keep their authenticator app: they see residents' personal data."""
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.is_staff_role:
            return False
        return super().can_delete_authenticator(authenticator)
