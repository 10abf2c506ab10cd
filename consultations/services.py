"""Every write on expressions and consultations, with its rules.

The expression's path (DESIGN.md) is the table ``ALLOWED_TRANSITIONS``; each transition
goes through ``change_status``, which locks the row, checks the actor's role and the
current status, adds a step to the author's timeline, writes the audit entry, notifies
the author (in the application and by email through Celery) and tells the open
moderation pages after the transaction commits. The moderation and committee
functions (publish, reject, merge, route, answer) are thin wrappers around it.
"""

import logging
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage

from participation.audit.services import record
from participation.notifications.services import notify, queue_email

from . import figures, rules, waiting
from .images import CleanImage
from .models import (
    ROUTED_STATUSES,
    Consultation,
    Expression,
    ExpressionStep,
    Signalement,
    Source,
    Status,
    Support,
    Visibility,
)

logger = logging.getLogger(__name__)

TEXT_MAX_LENGTH = 5000
CONTACT_NEEDS_CONSENT = gettext_lazy(
    "Un contact ne se garde qu'avec l'accord de la personne : cochez la case d'accord, "
    "ou laissez le contact vide."
)

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


class RateLimited(Exception):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


# --- The path -----------------------------------------------------------------------


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


def notify_author(expression: Expression, message: str) -> None:
    """In-app and email to the author; for a field expression, email the consented contact."""
    url = expression.get_absolute_url()
    subject = _("Votre expression n° %(number)s") % {"number": expression.pk}
    body = _("%(message)s\n\nSuivre votre expression : %(url)s") % {
        "message": message,
        "url": settings.SITE_URL + url,
    }
    if expression.author is not None:
        notify(expression.author, message[:300], url=url, email_subject=subject, email_body=body)
    elif expression.contact_consent and "@" in expression.contact:
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
) -> Expression:
    """Move an expression one step along its path; the one door for every transition.

    ``allowed(actor)`` checks the role; ``changes`` are other fields to set in the same
    save (``merged_into``...). Raises PermissionDenied or TransitionError; in both cases
    nothing is written.
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
            figures.changed()
        add_step(locked, status=to, actor=actor, note=note, public=public, data=data)
        record(
            actor=actor,
            action=f"expression.{to}",
            target=locked,
            before={"status": before},
            after={"status": to, **({"data": data} if data else {})},
            reason=note,
        )
        notify_author(locked, str(AUTHOR_MESSAGES[to]) % {"note": note or "—"})
        waiting.announce("expression.status", locked.pk, status=to, before=before)
    return locked


# --- Submitting -----------------------------------------------------------------------


def validate_expression(*, quartier, text: str, objectifs: Iterable = (), consultation=None):
    """The rules of an expression's content, shared by the forms and the API.

    Raises a ValidationError whose dict names the field each message belongs to.
    """
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if not text:
        errors.setdefault("text", []).append(
            _("Écrivez votre message : c'est la seule chose obligatoire.")
        )
    elif len(text) > TEXT_MAX_LENGTH:
        errors.setdefault("text", []).append(
            _(
                "Votre message fait %(length)s caractères ; il ne doit pas dépasser %(limit)s. "
                "Raccourcissez-le ou envoyez-le en plusieurs fois."
            )
            % {
                "length": f"{len(text):,}".replace(",", " "),
                "limit": f"{TEXT_MAX_LENGTH:,}".replace(",", " "),
            }
        )
    if quartier is not None:
        for objectif in objectifs:
            if objectif.quartier_id != quartier.pk:
                errors.setdefault("objectifs", []).append(
                    _(
                        "« %(objectif)s » est un objectif d'un autre quartier que %(quartier)s : "
                        "cochez plutôt un objectif de la liste de %(quartier)s, ou « je ne sais pas »."
                    )
                    % {"objectif": objectif, "quartier": quartier.short_name}
                )
    if consultation is not None:
        if not consultation.is_open():
            message = (
                _(
                    "La consultation « %(title)s » est close depuis le %(date)s : elle reste "
                    "lisible mais ne reçoit plus d'expressions. Vous pouvez envoyer votre message "
                    "sans consultation."
                )
                if consultation.is_closed
                else _("La consultation « %(title)s » n'ouvre que le %(date)s.")
            )
            date = consultation.closes_on if consultation.is_closed else consultation.opens_on
            errors.setdefault("consultation", []).append(
                message % {"title": consultation.title, "date": date.strftime("%d/%m/%Y")}
            )
        elif quartier is not None and not consultation.quartiers.filter(pk=quartier.pk).exists():
            errors.setdefault("consultation", []).append(
                _("La consultation « %(title)s » ne concerne pas %(quartier)s.")
                % {"title": consultation.title, "quartier": quartier.short_name}
            )
    if errors:
        raise ValidationError(errors)
    return text


def check_rate(user, *, group: str, rate: str) -> None:
    """Refuse bursts per account; if the cache (Redis) is down, let the person through."""
    try:
        usage = get_usage(
            None, group=group, key=lambda _group, _request: str(user.pk), rate=rate, increment=True
        )
    except Exception:  # noqa: BLE001 - a cache outage must not block residents
        logger.warning("Rate-limit cache unreachable; %s not limited", group)
        return
    if usage and usage["should_limit"]:
        wait = max(usage["time_left"], 60)
        raise RateLimited(
            _(
                "Vous avez déjà envoyé %(count)s messages en peu de temps. Pour éviter les envois "
                "en rafale, attendez environ %(minutes)s minutes avant d'envoyer celui-ci : "
                "rien de ce que vous avez écrit n'est perdu."
            )
            % {"count": usage["limit"], "minutes": (wait + 59) // 60},
            retry_after=wait,
        )


def _existing(*, author=None, recorded_by=None, key) -> Expression | None:
    if key is None:
        return None
    if author is not None:
        return Expression.objects.filter(author=author, idempotency_key=key).first()
    return Expression.objects.filter(recorded_by=recorded_by, idempotency_key=key).first()


def _enqueue_thumbnail(expression_id: int) -> None:
    from .tasks import make_expression_thumbnail

    try:
        make_expression_thumbnail.delay(expression_id)
    except Exception:  # noqa: BLE001 - the broker being down must not lose the submission
        logger.warning("Broker unreachable; thumbnail of %s left to the sweep", expression_id)


def _create(*, fields: dict, objectifs, photo: CleanImage | None, actor) -> Expression:
    expression = Expression(**fields)
    expression.objectifs_unknown = not objectifs
    if photo is not None:
        expression.photo.save("photo.jpg", photo.as_file(), save=False)
    expression.save()
    if objectifs:
        expression.objectifs.add(*objectifs)  # a new expression: nothing to compare with
    add_step(expression, status=Status.SOUMISE, actor=actor, public=True)
    record(
        actor=actor,
        action="expression.soumise",
        target=expression,
        after={
            "status": Status.SOUMISE,
            "source": expression.source,
            "quartier": expression.quartier.code,
        },
    )
    notify_author(expression, str(AUTHOR_MESSAGES[Status.SOUMISE]))
    waiting.announce("expression.submitted", expression.pk)
    if photo is not None:
        transaction.on_commit(lambda: _enqueue_thumbnail(expression.pk))
    return expression


def _create_once(
    *, lookup: dict, actor, rate_group: str, rate: str, fields: dict, objectifs, photo
) -> tuple[Expression, bool]:
    """Create the expression unless one with the same idempotency key exists.

    A replay returns the first expression and is not counted against the rate limit.
    """
    existing = _existing(**lookup)
    if existing is not None:
        return existing, False
    check_rate(actor, group=rate_group, rate=rate)
    try:
        with transaction.atomic():
            return _create(fields=fields, objectifs=objectifs, photo=photo, actor=actor), True
    except IntegrityError:
        # The same key submitted twice at the same moment: the other request won.
        existing = _existing(**lookup)
        if existing is None:
            raise
        return existing, False


def submit(
    *,
    author,
    quartier,
    text: str,
    objectifs: Iterable = (),
    consultation: Consultation | None = None,
    evenement=None,
    visibility: str = Visibility.PUBLIC_ANONYMOUS,
    photo: CleanImage | None = None,
    photo_description: str = "",
    idempotency_key: uuid.UUID | None = None,
) -> tuple[Expression, bool]:
    """A resident posts an expression; returns ``(expression, created)``.

    A replay with the same ``idempotency_key`` returns the first expression and creates
    nothing. Raises PermissionDenied, ValidationError or RateLimited.
    """
    if not rules.can_submit(author):
        raise PermissionDenied(_("Vérifiez d'abord votre adresse électronique."))
    objectifs = list(objectifs)
    text = validate_expression(
        quartier=quartier, text=text, objectifs=objectifs, consultation=consultation
    )
    fields = {
        "author": author,
        "quartier": quartier,
        "text": text,
        "consultation": consultation,
        "evenement": evenement,
        "visibility": visibility,
        "source": Source.EN_LIGNE,
        "photo_description": photo_description.strip() if photo else "",
        "idempotency_key": idempotency_key,
    }
    return _create_once(
        lookup={"author": author, "key": idempotency_key},
        actor=author,
        rate_group="consultations.submit",
        rate=getattr(settings, "EXPRESSION_RATE_LIMIT", "10/h"),
        fields=fields,
        objectifs=objectifs,
        photo=photo,
    )


def record_in_field(
    *,
    mediator,
    quartier,
    text: str,
    source: str,
    objectifs: Iterable = (),
    consultation: Consultation | None = None,
    evenement=None,
    people_count: int = 1,
    age_group: str = "",
    contact: str = "",
    contact_consent: bool = False,
    visibility: str = Visibility.PUBLIC_ANONYMOUS,
    photo: CleanImage | None = None,
    photo_description: str = "",
    idempotency_key: uuid.UUID | None = None,
) -> tuple[Expression, bool]:
    """A mediator records what residents without an account said at a stand or table ronde."""
    if not rules.can_record_in_field(mediator):
        raise PermissionDenied(
            _("Seuls les médiateur·rices recueillent des expressions sur le terrain.")
        )
    objectifs = list(objectifs)
    text = validate_expression(
        quartier=quartier, text=text, objectifs=objectifs, consultation=consultation
    )
    if source == Source.EN_LIGNE:
        raise ValidationError({"source": _("Choisissez où ces paroles ont été recueillies.")})
    if contact.strip() and not contact_consent:
        raise ValidationError({"contact": CONTACT_NEEDS_CONSENT})
    if visibility == Visibility.PUBLIC_NAMED:
        visibility = Visibility.PUBLIC_ANONYMOUS
    fields = {
        "author": None,
        "recorded_by": mediator,
        "quartier": quartier,
        "text": text,
        "consultation": consultation,
        "evenement": evenement,
        "source": source,
        "visibility": visibility,
        "people_count": people_count,
        "age_group": age_group,
        "contact": contact.strip() if contact_consent else "",
        "contact_consent": bool(contact_consent and contact.strip()),
        "photo_description": photo_description.strip() if photo else "",
        "idempotency_key": idempotency_key,
    }
    return _create_once(
        lookup={"recorded_by": mediator, "key": idempotency_key},
        actor=mediator,
        rate_group="consultations.field",
        rate=getattr(settings, "FIELD_EXPRESSION_RATE_LIMIT", "300/h"),
        fields=fields,
        objectifs=objectifs,
        photo=photo,
    )


def update_by_author(
    expression: Expression,
    *,
    user,
    quartier,
    text: str,
    objectifs: Iterable = (),
    visibility: str,
) -> Expression:
    """The author corrects their expression while no mediator has read it yet."""
    objectifs = list(objectifs)
    with transaction.atomic():
        locked = Expression.objects.select_for_update().get(pk=expression.pk)
        if not rules.can_edit(user, locked):
            if rules.is_author(user, locked):
                raise TransitionError(
                    _(
                        "Un·e médiateur·rice a déjà lu votre expression : elle ne peut plus être modifiée."
                    )
                )
            raise PermissionDenied
        text = validate_expression(quartier=quartier, text=text, objectifs=objectifs)
        before = {"text": locked.text, "visibility": locked.visibility}
        locked.quartier = quartier
        locked.text = text
        locked.visibility = visibility
        locked.objectifs_unknown = not objectifs
        locked.save()
        locked.objectifs.set(objectifs)
        record(
            actor=user,
            action="expression.modifiee_par_auteur",
            target=locked,
            before=before,
            after={"text": text, "visibility": visibility},
        )
        waiting.announce("expression.updated", locked.pk)
    return locked


# --- Readers ------------------------------------------------------------------------


def add_support(expression: Expression, *, user) -> bool:
    """« Moi aussi »: one per account; returns whether it was new."""
    if not rules.can_support(user, expression):
        raise PermissionDenied(_("Vous ne pouvez pas soutenir cette expression."))
    with transaction.atomic():
        _support, created = Support.objects.get_or_create(expression=expression, user=user)
        if created:
            Expression.objects.filter(pk=expression.pk).update(
                supports_count=F("supports_count") + 1
            )
    return created


def remove_support(expression: Expression, *, user) -> bool:
    with transaction.atomic():
        deleted, _details = Support.objects.filter(expression=expression, user=user).delete()
        if deleted:
            Expression.objects.filter(pk=expression.pk, supports_count__gt=0).update(
                supports_count=F("supports_count") - 1
            )
    return bool(deleted)


def report(expression: Expression, *, reporter, reason: str, details: str = "") -> Signalement:
    """A reader reports a published expression: it goes back to the moderation queue."""
    if not rules.can_report(reporter, expression):
        raise PermissionDenied(_("Vous ne pouvez pas signaler cette expression."))
    with transaction.atomic():
        locked = Expression.objects.select_for_update().get(pk=expression.pk)
        signalement, created = Signalement.objects.get_or_create(
            expression=locked,
            reporter=reporter,
            defaults={"reason": reason, "details": details.strip()[:2000]},
        )
        if created:
            if locked.flagged_at is None:
                locked.flagged_at = timezone.now()
                locked.save(update_fields=["flagged_at", "updated_at"])
            record(
                actor=reporter,
                action="expression.signalee",
                target=locked,
                after={"reason": reason},
                reason=details,
            )
            waiting.announce("expression.reported", locked.pk)
    return signalement


# --- Consultations (référent) ---------------------------------------------------------


def save_consultation(form, *, actor) -> Consultation:
    if not rules.can_manage_consultations(actor):
        raise PermissionDenied
    creating = form.instance.pk is None
    with transaction.atomic():
        consultation = form.save(commit=False)
        if creating:
            consultation.created_by = actor
        consultation.save()
        form.save_m2m()
        record(
            actor=actor,
            action="consultation.ouverte" if creating else "consultation.modifiee",
            target=consultation,
            after={
                "title": consultation.title,
                "opens_on": consultation.opens_on.isoformat(),
                "closes_on": consultation.closes_on.isoformat(),
                "quartiers": sorted(q.code for q in consultation.quartiers.all()),
            },
        )
        waiting.changed()  # the queue's filters list the consultations, its rows their titles
    return consultation
