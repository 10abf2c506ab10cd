"""allauth adapters: how accounts send their emails and SMS codes, where the phone number is
kept, and who may turn two-factor off."""

import logging
import smtplib
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as request_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from participation.core.ratelimit import RateLimited, limit_key
from participation.notifications.sms import queue_sms

from . import landing
from .phone import FrenchMobileField

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Same words whether the email is unknown or the password wrong (no enumeration).
        "email_password_mismatch": _("L'adresse électronique ou le mot de passe est incorrect."),
        "too_many_login_attempts": _(
            "Trop d'essais de connexion. Patientez quelques minutes ou recevez un code par courriel."
        ),
        # Said only when enumeration prevention is off (never here); kept French anyway.
        "phone_taken": _("Un compte existe déjà avec ce numéro."),
        "unknown_phone": _("Aucun compte n'utilise ce numéro."),
        "select_only_one": _(
            "Tapez soit votre adresse électronique, soit votre numéro de mobile, pas les deux."
        ),
    }

    def get_login_redirect_url(self, request):
        """Staff land on their work (``landing``); a page asked for (``?next=``) still wins,
        allauth reads it first."""
        return landing.page_for(request.user) or super().get_login_redirect_url(request)

    # --- The phone number (kept on the User model: allauth leaves its storage to us) ---

    def phone_form_field(self, **kwargs):
        kwargs.pop("label", None)
        return FrenchMobileField(**kwargs)

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user, phone: str) -> None:
        # Also the end of a change of number (« Mon profil »): the code sent to the new
        # number came back, so the new number replaces the old one only now.
        self.set_phone(user, phone, True)

    def get_user_by_phone(self, phone: str):
        return (
            get_user_model()
            .objects.filter(phone=phone, is_active=True, deleted_at__isnull=True)
            .first()
        )

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        """The code goes through the SMS queue (``queue_sms``), sent by Celery right after the
        commit: at once in embedded mode (tasks run eagerly), within seconds in production
        where the worker takes it from the broker. If the broker is down, the beat sweep sends
        it later, possibly after the code expired: the person asks for a new one."""
        if self._sms_allowed(phone):
            body = _(
                "Participation Auchel : votre code est %(code)s. Valable 15 minutes. "
                "Ne le donnez à personne."
            ) % {"code": code}
            queue_sms(to=phone, body=str(body), kind="code", user=user)

    def send_account_already_exists_sms(self, phone: str) -> None:
        """Someone signed up with a number that has an account: the page says the same as
        for a new number (no enumeration); the owner of the number learns it by SMS."""
        if self._sms_allowed(phone):
            body = _(
                "Participation Auchel : ce numéro a déjà un compte. Pour vous connecter, "
                "choisissez « Recevoir un code » sur la page de connexion."
            )
            queue_sms(to=phone, body=str(body), kind="code")

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        """Nothing is sent to a number without an account (it costs, and could harass a
        stranger); the page says the same as for a known number. The attempt still counts
        in the limits, so that they cannot tell a known number from an unknown one."""
        self._sms_allowed(phone)

    def _sms_allowed(self, phone: str) -> bool:
        """Counts one code for the number and for the client; False past the daily limits or
        when SMS are off (no backend configured), with a message for the person."""
        request = request_context.request
        message = _(
            "Trop de codes ont été demandés pour ce numéro ou depuis cet appareil aujourd'hui. "
            "Réessayez demain, ou utilisez une adresse électronique."
        )
        try:
            limit_key(
                phone,
                group="sms-code-number",
                rate=settings.SMS_CODE_RATE_PER_NUMBER,
                message=message,
            )
            if request is not None:
                limit_key(
                    request.META.get("REMOTE_ADDR", ""),
                    group="sms-code-client",
                    rate=settings.SMS_CODE_RATE_PER_CLIENT,
                    message=message,
                )
        except RateLimited as limited:
            if request is not None:
                messages.error(request, limited.message)
            return False
        if not settings.SMS_ENABLED:
            logger.error("A code by SMS was asked while SMS are off (SMS_BACKEND unset)")
            return False
        return True

    def get_login_stages(self) -> list[str]:
        return [
            "participation.accounts.stages.EmailVerificationStage"
            if path == "allauth.account.stages.EmailVerificationStage"
            else path
            for path in super().get_login_stages()
        ]

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
