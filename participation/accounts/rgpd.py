"""A person's rights over their data (RGPD): a copy of everything, erasure, retention.

Each app that holds personal data provides a module ``<app>.rgpd``, found by its name
(as ``load_demo`` finds the ``demo`` modules) so that this core never imports the
domain apps:

* ``export(user) -> dict``: everything about ``user`` in that app, JSON-serialisable;
* ``erase(user, *, keep_public_expressions: bool) -> None``: called inside the account
  deletion transaction; state changes go through the app's own services;
* ``purge_contacts(before) -> int``: forget the contact data (name, phone, email) of
  people without account recorded before ``before``; returns how many records changed.

The account itself (profile, email addresses, authenticators, notifications, emails
sent) is handled here.

Why a deleted account is emptied rather than removed: the audit log is append-only and
its entries point to the account that acted (``AuditEntry.actor`` is ``PROTECT``): a
resident's own submissions are entries of it. So the row stays as an empty shell:
address replaced by ``deleted-<id>@deleted.invalid``, no name, no quartier, unusable
password, inactive (which also ends every open session), ``deleted_at`` set; its email
addresses, authenticators, notifications and stored emails are deleted. The entries keep
pointing to the shell, so the log still says that one same account did these things.
The one change the log accepts is the copy of the actor's address kept in
``actor_label``: it is replaced by « compte supprimé n° <id> », in the same
transaction, and the deletion itself is recorded. The facts (what, when, on what) are
never rewritten.
"""

import json
import secrets
import time
from datetime import timedelta
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.audit.models import AuditEntry
from participation.audit.services import pseudonymise_actor, record
from participation.core.ratelimit import limit_account
from participation.notifications.models import Email, Notification, Sms
from participation.notifications.sms import queue_sms

from .models import NotifyBy, User
from .phone import display_phone

DELETED_EMAIL_DOMAIN = "deleted.invalid"
CODE_SESSION_KEY = "accounts.deletion_code"
CODE_VALIDITY = timedelta(minutes=15)
# Wrong passwords or codes on the deletion form, per account; new codes asked, per account.
ATTEMPTS_RATE = "5/15m"
CODE_REQUESTS_RATE = "3/15m"


# --- The apps' modules ---------------------------------------------------------------


@cache
def providers() -> tuple[tuple[str, ModuleType], ...]:
    """``(app label, module)`` of every installed app with an ``rgpd`` module, in app order."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.rgpd"
        if name == __name__ or find_spec(name) is None:
            continue
        found.append((config.label, import_module(name)))
    return tuple(found)


# --- Export ------------------------------------------------------------------------


def _addresses(user: User) -> list[str]:
    emails = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    return sorted((emails | {user.email}) - {None})


def _sms(user: User):
    """The SMS sent to her account or to her number."""
    mine = Q(user=user)
    if user.phone:
        mine |= Q(to=user.phone)
    return Sms.objects.filter(mine)


def _export_account(user: User) -> dict:
    return {
        "profil": {
            "adresse_electronique": user.email,
            "numero_de_mobile": user.phone,
            "numero_verifie": user.phone_verified,
            "nom_affiche": user.display_name,
            "role": user.get_role_display(),
            "quartier": user.quartier.name if user.quartier else None,
            "prevenue_par": user.get_notify_by_display(),
            "inscrit_le": user.date_joined,
            "derniere_connexion": user.last_login,
            "derniere_visite_de_mon_espace": user.my_space_seen_at,
        },
        "adresses_electroniques": [
            {"adresse": address.email, "verifiee": address.verified, "principale": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        # The kind and dates only: secrets and recovery codes never leave the server.
        "double_authentification": [
            {
                "type": authenticator.get_type_display(),
                "activee_le": authenticator.created_at,
                "derniere_utilisation": authenticator.last_used_at,
            }
            for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "notifications": [
            {
                "message": notification.message,
                "lien": notification.url,
                "le": notification.created_at,
                "lue_le": notification.read_at,
            }
            for notification in Notification.objects.filter(user=user).order_by("created_at")
        ],
        "courriels": [
            {
                "a": email.to,
                "objet": email.subject,
                "texte": email.body,
                "cree_le": email.created_at,
                "envoye_le": email.sent_at,
            }
            for email in Email.objects.filter(to__in=_addresses(user)).order_by("created_at")
        ],
        # The codes' texts are left out: expired secrets, nothing she needs back.
        "sms": [
            {
                "a": sms.to,
                "sorte": sms.kind,
                "texte": "" if sms.kind == "code" else sms.body,
                "cree_le": sms.created_at,
                "envoye_le": sms.sent_at,
            }
            for sms in _sms(user).order_by("created_at")
        ],
        # What, when and on which object only: for staff, the states and reasons of their
        # actions would carry other people's data (a rejected text, a guest's registration).
        "journal": [
            {
                "le": entry.created_at,
                "action": entry.action,
                "objet": f"{entry.target_type} {entry.target_id}",
            }
            for entry in AuditEntry.objects.filter(actor=user).order_by("created_at", "pk")
        ],
    }


def export_data(user: User) -> dict:
    """Everything the platform holds about ``user``; nothing about anyone else."""
    data = {
        "plateforme": "Participation Auchel — Engagements Quartiers 2030",
        "adresse": settings.SITE_URL,
        "exporte_le": timezone.now(),
        "compte": _export_account(user),
    }
    for label, module in providers():
        data[label] = module.export(user)
    return data


def export_json(user: User) -> str:
    return json.dumps(export_data(user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


# --- Deletion ------------------------------------------------------------------------


def can_delete_own_account(user) -> bool:
    """Residents only: staff accounts are deactivated by the référent, whose actions they hold."""
    return (
        user.is_authenticated
        and user.is_active
        and not user.is_deleted
        and not user.is_staff_role
        and not user.is_superuser
    )


TOO_MANY_TRIES = gettext_lazy("Trop d'essais. Attendez %(minutes)s minute(s) avant de réessayer.")


def _check_rate(user: User, *, group: str, rate: str) -> None:
    # Without the cache the password or code is still checked: the limit fails open.
    limit_account(user, group=group, rate=rate, message=TOO_MANY_TRIES)


def check_attempt(user: User) -> None:
    """Count one try of the password or code on the deletion form; raise RateLimited."""
    _check_rate(user, group="accounts.suppression", rate=ATTEMPTS_RATE)


def _code_digest(user: User, code: str) -> str:
    return salted_hmac(CODE_SESSION_KEY, f"{user.pk}:{code}").hexdigest()


def send_deletion_code(request) -> None:
    """For an account without password: email a code that confirms the deletion, or send
    it by SMS to an account that has only a mobile number.

    The email is sent at once, not stored in the email table (like allauth's codes); the
    SMS goes through the SMS queue like allauth's codes by SMS. Only the code's keyed digest
    is kept, in the session, for ``CODE_VALIDITY``.
    """
    user = request.user
    _check_rate(user, group="accounts.suppression_code", rate=CODE_REQUESTS_RATE)
    code = f"{secrets.randbelow(1_000_000):06d}"
    request.session[CODE_SESSION_KEY] = {
        "digest": _code_digest(user, code),
        "expires": time.time() + CODE_VALIDITY.total_seconds(),
    }
    minutes = int(CODE_VALIDITY.total_seconds() // 60)
    if not user.email:
        body = gettext_lazy(
            "Participation Auchel : pour supprimer votre compte, tapez le code %(code)s. "
            "Valable %(minutes)s minutes."
        ) % {"code": code, "minutes": minutes}
        queue_sms(to=user.phone, body=str(body), kind="code", user=user)
        return
    get_adapter(request).send_mail(
        "accounts/email/deletion_code",
        user.email,
        {"code": code, "user": user, "minutes": minutes},
    )


def code_recipient(user) -> str:
    """Where the deletion code goes, as the person reads it."""
    return user.email or display_phone(user.phone)


def code_pending(request) -> bool:
    pending = request.session.get(CODE_SESSION_KEY)
    return bool(pending and pending.get("expires", 0) > time.time())


def check_deletion_code(request, code: str) -> bool:
    pending = request.session.get(CODE_SESSION_KEY)
    if not pending or pending.get("expires", 0) <= time.time():
        return False
    code = "".join(code.split())
    return constant_time_compare(pending["digest"], _code_digest(request.user, code))


def _erase_account(user: User) -> None:
    Email.objects.filter(to__in=_addresses(user)).delete()
    _sms(user).delete()
    Notification.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.email = f"deleted-{user.pk}@{DELETED_EMAIL_DOMAIN}"
    user.display_name = ""
    user.quartier = None
    user.phone = None
    user.phone_verified = False
    user.notify_by = NotifyBy.NONE
    user.is_active = False
    user.last_login = None
    user.my_space_seen_at = None
    user.deleted_at = timezone.now()
    # A new (unusable) password also changes the session hash: every open session ends.
    user.set_unusable_password()
    user.save()


def delete_account(user: User, *, keep_public_expressions: bool) -> None:
    """The owner deletes their account; each app erases what it holds about them first.

    Raises PermissionDenied for staff accounts and accounts already deleted.
    """
    if not can_delete_own_account(user):
        raise PermissionDenied(_("Ce compte ne peut pas être supprimé depuis cette page."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not can_delete_own_account(locked):
            raise PermissionDenied(_("Ce compte est déjà supprimé."))
        for _label, module in providers():
            module.erase(locked, keep_public_expressions=keep_public_expressions)
        _erase_account(locked)
        record(
            actor=locked,
            action="compte.suppression",
            target=locked,
            after={"keep_public_expressions": keep_public_expressions},
            reason="suppression demandée par son titulaire (RGPD)",
        )
        pseudonymise_actor(locked, locked.deleted_label)  # see the module docstring
    user.refresh_from_db()


# --- Retention ----------------------------------------------------------------------


def retention_cutoff(now=None, days: int | None = None):
    """Contact data recorded before this moment is forgotten."""
    days = settings.CONTACT_RETENTION_DAYS if days is None else days
    return (now or timezone.now()) - timedelta(days=days)


def _purge_emails(before) -> int:
    """Stored emails are a delivery log; past the period, they go with the addresses they hold.

    Counted from when they were written (they leave within minutes; one never sent by then
    never will be).
    """
    deleted, _details = Email.objects.filter(created_at__lt=before).delete()
    return deleted


def purge_contacts(before, *, dry_run: bool = False) -> dict[str, int]:
    """Run every app's ``purge_contacts``; returns the count per app (and ``courriels``).

    With ``dry_run``, everything runs and is counted, then rolled back.
    """
    counts: dict[str, int] = {}
    with transaction.atomic():
        for label, module in providers():
            counts[label] = module.purge_contacts(before)
        counts["courriels"] = _purge_emails(before)
        if dry_run:
            transaction.set_rollback(True)
    return counts
