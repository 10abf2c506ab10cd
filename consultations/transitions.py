"""The expression's path: the one door of every transition.

The path (README, « Path ») is the table ``ALLOWED_TRANSITIONS``; each transition goes through
``change_status``, which locks the row, checks the actor's role and the current status,
adds a step to the author's timeline, writes the audit entry, notifies the author (in the
application and by email through Celery) and tells the open moderation pages after the
transaction commits. The moderation and committee services (publish, reject, merge, route,
answer) are thin wrappers around it.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.audit.services import record
from participation.notifications.links import short_link
from participation.notifications.services import notify, queue_email
from participation.notifications.sms import mobile_or_empty, one_sms, queue_sms

from .changes import announce, figures_changed
from .models import ROUTED_STATUSES, Expression, ExpressionStep, Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SOUMISE: frozenset({Status.PUBLIEE, Status.REJETEE}),
    Status.PUBLIEE: frozenset({Status.FUSIONNEE, Status.TRANSMISE}),
    Status.TRANSMISE: frozenset({Status.EXAMINEE}),
    Status.EXAMINEE: frozenset({Status.REPONDUE}),
    Status.REJETEE: frozenset(),
    Status.FUSIONNEE: frozenset(),
    Status.REPONDUE: frozenset(),
}

# What the author is told at each step; ``%(note)s`` is the step's note when there is one.
AUTHOR_MESSAGES = {
    Status.SOUMISE: gettext_lazy(
        "Votre expression est bien reçue. Un·e médiateur·rice de la commune va la lire "
        "avant qu'elle soit publiée."
    ),
    Status.PUBLIEE: gettext_lazy(
        "Votre expression est publiée : d'autres habitant·es peuvent la lire."
    ),
    Status.REJETEE: gettext_lazy("Votre expression n'a pas été publiée. Raison : %(note)s"),
    Status.FUSIONNEE: gettext_lazy(
        "Votre expression a été regroupée avec une autre qui dit la même chose ; "
        "les « moi aussi » sont gardés."
    ),
    Status.TRANSMISE: gettext_lazy("Votre expression a été transmise : %(note)s"),
    Status.EXAMINEE: gettext_lazy("Votre expression a été examinée : %(note)s"),
    Status.REPONDUE: gettext_lazy("Votre expression a reçu une réponse : %(note)s"),
}


class TransitionError(Exception):
    """A change the path does not allow; ``message`` is written for the person who tried."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_transition(expression: Expression, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS.get(expression.status, ()):
        raise TransitionError(
            _(
                "Cette expression est « %(current)s » : elle ne peut pas devenir « %(target)s ». "
                "Quelqu'un l'a peut-être traitée entre-temps : rechargez la page."
            )
            % {"current": Status(expression.status).label, "target": Status(to).label}
        )


def add_step(
    expression: Expression,
    *,
    status: str,
    actor=None,
    note: str = "",
    public: bool = True,
    data: dict | None = None,
) -> ExpressionStep:
    return ExpressionStep.objects.create(
        expression=expression,
        status=status,
        actor=actor if actor is not None and actor.pk else None,
        note=note,
        public=public,
        data=data or {},
    )


def _contact_mobile(expression: Expression) -> str:
    """The consented contact of a field expression when it is a mobile number (SMS on)."""
    if not (expression.contact_consent and settings.SMS_ENABLED):
        return ""
    return mobile_or_empty(expression.contact)


def can_reach_author(expression: Expression) -> bool:
    """Whether ``notify_author`` reaches someone: the author, or the contact given with consent
    (an email address, or a mobile number for SMS)."""
    return expression.author_id is not None or bool(
        expression.contact_consent and "@" in expression.contact or _contact_mobile(expression)
    )


def notify_author(expression: Expression, message: str) -> None:
    """In-app and email to the author; for a field expression, email the consented contact."""
    url = expression.get_absolute_url()
    subject = _("Votre expression n° %(number)s") % {"number": expression.pk}
    body = _("%(message)s\n\nSuivre votre expression : %(url)s") % {
        "message": message,
        "url": settings.SITE_URL + url,
    }
    if expression.author is not None:
        notify(
            expression.author,
            message[:300],
            url=url,
            email_subject=subject,
            email_body=body,
            sms_kind="expression",
            sms_link=short_link("x", expression.pk),
        )
    elif mobile := _contact_mobile(expression):
        # Told at a stand, without account: the link only helps if anyone may read the page.
        link = "" if expression.is_private else short_link("x", expression.pk)
        queue_sms(to=mobile, body=one_sms(message, link), kind="expression")
    elif can_reach_author(expression):
        queue_email(to=expression.contact, subject=subject, body=body)


def change_status(
    expression: Expression | int,
    *,
    to: str,
    actor,
    allowed: Callable[[object], bool],
    note: str = "",
    public: bool = True,
    data: dict | None = None,
    changes: dict | None = None,
    author_message: str = "",
) -> Expression:
    """Move an expression one step along its path; the one door for every transition.

    ``allowed(actor)`` checks the role; ``changes`` are other fields to set in the same
    save (``merged_into``...); ``author_message`` replaces the step's usual words to the
    author (``AUTHOR_MESSAGES``) when the caller knows more (which expression hers was merged
    with). Raises PermissionDenied or TransitionError; in both cases nothing is written.
    """
    if not allowed(actor):
        raise PermissionDenied(_("Votre rôle ne permet pas cette action."))
    pk = expression if isinstance(expression, int) else expression.pk
    with transaction.atomic():
        locked = (
            Expression.objects.select_for_update(of=("self",))
            .select_related("author", "quartier")
            .get(pk=pk)
        )
        check_transition(locked, to)
        before = locked.status
        now = timezone.now()
        locked.status = to
        locked.status_changed_at = now
        fields = ["status", "status_changed_at", "updated_at"]
        if to == Status.PUBLIEE and locked.published_at is None:
            locked.published_at = now
            fields.append("published_at")
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        locked.save(update_fields=fields)
        if {before, to} & set(ROUTED_STATUSES):
            figures_changed()
        add_step(locked, status=to, actor=actor, note=note, public=public, data=data)
        record(
            actor=actor,
            action=f"expression.{to}",
            target=locked,
            before={"status": before},
            after={"status": to, **({"data": data} if data else {})},
            reason=note,
        )
        notify_author(locked, author_message or str(AUTHOR_MESSAGES[to]) % {"note": note or "—"})
        # ``by``: the open queues mark the row « traitée par un·e collègue » (or by oneself).
        announce(
            "expression.status",
            locked.pk,
            quartier=locked.quartier_id,
            status=to,
            before=before,
            by=getattr(actor, "pk", None),
        )
    return locked
