"""Every write of the residents' side, with its rules: submitting (online and in the field),
editing, « moi aussi », reports, and the consultations that call for expression.

Moving an expression along its path is not done here: consultations.transitions is its
one door.
"""

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evenements import public as evenements_public
from participation.audit.services import record
from participation.core import images
from participation.core.background import enqueue_on_commit
from participation.core.ratelimit import limit_account
from participation.territory.models import Quartier

from .. import changes, rules, storage
from ..models import (
    SOURCE_OF_EVENT_KIND,
    Consultation,
    Expression,
    Signalement,
    Source,
    Status,
    Support,
    Visibility,
)
from ..transitions import AUTHOR_MESSAGES, TransitionError, add_step, notify_author
from . import kept_photos
from .kept_photos import KeptPhoto, KeptPhotos

logger = logging.getLogger(__name__)

TEXT_MAX_LENGTH = 5000
CONTACT_NEEDS_CONSENT = gettext_lazy(
    "Un contact ne se garde qu'avec l'accord de la personne : cochez la case d'accord, "
    "ou laissez le contact vide."
)

# --- Submitting -----------------------------------------------------------------------


def validate_expression(
    *, quartier, text: str, objectifs: Iterable = (), consultation=None, evenement=None, author=None
):
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
    if evenement is not None and not evenements_public.is_citable(evenement, author):
        errors.setdefault("evenement", []).append(
            _(
                "« %(title)s » ne peut pas être choisi : seul un événement qui a déjà eu lieu "
                "(ces six derniers mois, ou auquel vous avez participé) peut l'être. Choisissez-en "
                "un dans la liste, ou aucun."
            )
            % {"title": evenement.title}
        )
    if errors:
        raise ValidationError(errors)
    return text


SUBMISSION_BURST = gettext_lazy(
    "Vous avez déjà envoyé %(count)s messages en peu de temps. Pour éviter les envois "
    "en rafale, attendez environ %(minutes)s minutes avant d'envoyer celui-ci : "
    "rien de ce que vous avez écrit n'est perdu."
)


def _existing(*, author=None, recorded_by=None, key) -> Expression | None:
    if key is None:
        return None
    if author is not None:
        return Expression.objects.filter(author=author, idempotency_key=key).first()
    return Expression.objects.filter(recorded_by=recorded_by, idempotency_key=key).first()


def _decode_photo(photo: File | KeptPhoto | None) -> images.CleanImage | None:
    """The photo re-encoded without metadata, its faces blurred (the same decoding); an
    unreadable one is the photo field's error.

    A kept photo is decoded here if its thumbnail was never asked for, else read as it was
    re-encoded then (None once it is gone): decoded once either way.
    """
    if photo is None:
        return None
    try:
        if isinstance(photo, KeptPhoto):
            return photo.read()
        return images.clean_photo(photo, blur_faces=True)
    except ValidationError as error:
        raise ValidationError({"photo": error.error_list}) from error


def _create(*, fields: dict, objectifs, photo: images.CleanImage | None, actor) -> Expression:
    expression = Expression(**fields)
    expression.objectifs_unknown = not objectifs
    if photo is not None:
        expression.photo.save("photo.jpg", photo.as_file(), save=False)
        storage.note_written(expression.photo.name)
        expression.faces_blurred = photo.faces_blurred
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
    changes.announce_arrival("expression.submitted", expression, etiquettes=())
    if photo is not None:
        enqueue_on_commit("consultations.tasks.make_expression_thumbnail", expression.pk)
    return expression


def _create_once(
    *, lookup: dict, actor, rate_group: str, rate: str, fields: dict, objectifs, photo
) -> tuple[Expression, bool]:
    """Create the expression unless one with the same idempotency key exists.

    A replay returns the first expression, is not counted against the rate limit and does
    not decode its photo again. The photo is decoded last, before the transaction that stores
    it: only a submission whose content is valid, that is no replay and within the rate limit
    costs the server a decoding (a photo refused then still counted against the limit). A
    photo kept when the form came back (``keep_photo``) was decoded then: it is read, copied
    into the expression and deleted once the expression is stored.
    """
    existing = _existing(**lookup)
    if existing is not None:
        return existing, False
    limit_account(actor, group=rate_group, rate=rate, message=SUBMISSION_BURST)
    clean = _decode_photo(photo)
    if clean is None and isinstance(photo, KeptPhoto):
        # Taken a moment ago by the same form sent twice at once: that one won.
        existing = _existing(**lookup)
        if existing is not None:
            return existing, False
        raise ValidationError({"photo": kept_photos.GONE})
    try:
        # The photo is written first: if the row is not stored, neither is the file.
        with storage.files_undone_on_error(), transaction.atomic():
            expression = _create(fields=fields, objectifs=objectifs, photo=clean, actor=actor)
            if isinstance(photo, KeptPhoto):
                transaction.on_commit(photo.delete, robust=True)
            return expression, True
    except IntegrityError:
        # The same key submitted twice at the same moment: the other request won.
        existing = _existing(**lookup)
        if existing is None:
            raise
        return existing, False


def keep_photo(uploaded: File, *, actor, kept: KeptPhotos, in_field: bool = False) -> KeptPhoto:
    """Keep the photo of a form that comes back, unread, for the session that sent it.

    A form comes back for an error, for the objectives button without JavaScript or for the
    rate limit; the photo it carried is checked from its header and stored as sent, never
    decoded here (kept_photos: it is decoded and re-encoded without metadata the first time
    its thumbnail is asked for or the corrected form stores it, once). The same file kept
    already by this session is returned as it is. Keeping is counted per account in a bucket
    of its own, at the rate of the submissions it serves, so that forms sent back and forth
    bound what the server stores and later decodes. Raises PermissionDenied,
    ValidationError (the photo's field) or RateLimited.
    """
    allowed = rules.can_record_in_field if in_field else rules.can_submit
    if not allowed(actor):
        raise PermissionDenied
    try:
        images.check_photo(uploaded)
    except ValidationError as error:
        raise ValidationError({"photo": error.error_list}) from error
    file_digest = kept_photos.digest(uploaded)
    found = kept.find(file_digest)
    if found is not None:
        return found
    if in_field:
        group, rate = "consultations.field.keep_photo", settings.FIELD_EXPRESSION_RATE_LIMIT
    else:
        group, rate = "consultations.submit.keep_photo", settings.EXPRESSION_RATE_LIMIT
    limit_account(actor, group=group, rate=rate, message=SUBMISSION_BURST)
    return kept.add(uploaded, file_digest)


def submit(
    *,
    author,
    quartier,
    text: str,
    objectifs: Iterable = (),
    consultation: Consultation | None = None,
    evenement=None,
    visibility: str = Visibility.PUBLIC_ANONYMOUS,
    photo: File | KeptPhoto | None = None,
    photo_description: str = "",
    idempotency_key: uuid.UUID | None = None,
) -> tuple[Expression, bool]:
    """A resident posts an expression; returns ``(expression, created)``.

    ``photo`` is the file as sent, already checked by ``images.check_photo``; it is decoded
    here, after every other rule. It may also be a photo kept when the form came back
    (``keep_photo``, a ``KeptPhoto``): decoded here only if its thumbnail never was, once
    either way. A replay with the same ``idempotency_key`` returns the
    first expression and creates nothing. Raises PermissionDenied, ValidationError (by field,
    the photo's included) or RateLimited.
    """
    if not rules.can_submit(author):
        raise PermissionDenied(_("Vérifiez d'abord votre adresse électronique."))
    objectifs = list(objectifs)
    text = validate_expression(
        quartier=quartier,
        text=text,
        objectifs=objectifs,
        consultation=consultation,
        evenement=evenement,
        author=author,
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
        rate=settings.EXPRESSION_RATE_LIMIT,
        fields=fields,
        objectifs=objectifs,
        photo=photo,
    )


# --- In the field ----------------------------------------------------------------------

NO_SOURCE = gettext_lazy(
    "Choisissez le type de rencontre, ou l'événement où ces paroles ont été recueillies."
)
NO_FIELD_QUARTIER = gettext_lazy("Choisissez le quartier dont parlent les personnes.")
# The time a field entry was typed, by the device's clock: a clock a little ahead is no fault.
SAID_AT_CLOCK_SKEW = dt.timedelta(minutes=5)
SAID_AT_MAX_AGE = dt.timedelta(days=30)


def source_of_event(evenement) -> str:
    """The kind of meeting an event is (« autre rencontre » for a kind not mapped yet)."""
    return SOURCE_OF_EVENT_KIND.get(evenement.kind, Source.AUTRE)


def event_defaults(evenement) -> tuple[str, Quartier | None]:
    """``(source, quartier)`` a field entry for ``evenement`` takes unless the mediator chose
    otherwise: its kind of meeting, and its quartier when it has only one (``None`` when it
    has several: the mediator chooses, none is guessed)."""
    quartiers = list(evenement.quartiers.all())
    return source_of_event(evenement), quartiers[0] if len(quartiers) == 1 else None


def resolve_meeting(
    *, evenement, source: str = "", quartier: Quartier | None = None
) -> tuple[str, Quartier]:
    """``(source, quartier)`` of a field entry: those chosen, else the event's
    (``event_defaults``). Raises a ValidationError naming what is still missing."""
    if evenement is not None and (not source or quartier is None):
        event_source, event_quartier = event_defaults(evenement)
        source = source or event_source
        quartier = event_quartier if quartier is None else quartier
    errors = {}
    if not source:
        errors["source"] = [NO_SOURCE]
    if quartier is None:
        errors["quartier"] = [NO_FIELD_QUARTIER]
    if errors:
        raise ValidationError(errors)
    return source, quartier


def check_said_at(said_at: dt.datetime | None) -> dt.datetime | None:
    """When a field entry was typed (the device's clock), as stored: never after its receipt.

    Raises a ValidationError (field ``said_at``) for a time too far in the future (a clock
    set wrong) or older than ``SAID_AT_MAX_AGE``; the entry sent again without it is dated
    when received.
    """
    if said_at is None:
        return None
    now = timezone.now()
    when = formats.date_format(timezone.localtime(said_at), "j F Y à H:i")
    if said_at > now + SAID_AT_CLOCK_SKEW:
        raise ValidationError(
            {
                "said_at": _(
                    "L'heure de saisie (%(when)s) est dans le futur : l'horloge de l'appareil "
                    "est sans doute déréglée. Corrigez puis renvoyez ce message : il sera daté "
                    "de sa réception."
                )
                % {"when": when}
            }
        )
    if said_at < now - SAID_AT_MAX_AGE:
        raise ValidationError(
            {
                "said_at": _(
                    "Ce message a été saisi le %(when)s, il y a plus de %(days)s jours : une "
                    "heure de saisie si ancienne n'est pas gardée. Corrigez puis renvoyez-le : "
                    "il sera daté de sa réception."
                )
                % {"when": when, "days": SAID_AT_MAX_AGE.days}
            }
        )
    return min(said_at, now)


def retired_when_said(objectifs: Iterable, said_at: dt.datetime | None) -> list[str]:
    """A message for each objective already retired on the day the entry was said (its
    ``said_at``, else today, in Paris): an entry typed offline before the retirement keeps the
    objective it named, one typed after it is refused."""
    day = timezone.localdate(said_at) if said_at is not None else timezone.localdate()
    return [
        _(
            "« %(objectif)s » est retiré depuis le %(date)s : décochez-le, choisissez un "
            "objectif en vigueur ou « je ne sais pas », puis renvoyez."
        )
        % {"objectif": objectif, "date": formats.date_format(objectif.retired_on, "j F Y")}
        for objectif in objectifs
        if objectif.is_retired(at=day)
    ]


OUTSIDE_COMMUNES = gettext_lazy(
    "%(quartier)s n'est pas un quartier de vos communes : choisissez l'un des vôtres, puis "
    "renvoyez."
)


def record_in_field(
    *,
    mediator,
    quartier=None,
    text: str,
    source: str = "",
    objectifs: Iterable = (),
    consultation: Consultation | None = None,
    evenement=None,
    people_count: int = 1,
    age_group: str = "",
    contact: str = "",
    contact_consent: bool = False,
    visibility: str = Visibility.PUBLIC_ANONYMOUS,
    photo: File | KeptPhoto | None = None,
    photo_description: str = "",
    idempotency_key: uuid.UUID | None = None,
    said_at: dt.datetime | None = None,
) -> tuple[Expression, bool]:
    """A mediator records what residents without an account said at a stand or table ronde.

    The kind of meeting and the quartier not given are the event's (``resolve_meeting``).
    ``said_at``: when the entry was typed on a device that sent it later (``check_said_at``).
    ``photo`` as in ``submit``: checked by the caller, decoded here after every other rule.
    """
    if not rules.can_record_in_field(mediator):
        raise PermissionDenied(
            _("Seuls les médiateur·rices recueillent des expressions sur le terrain.")
        )
    objectifs = list(objectifs)
    # Every message at once, each next to its field.
    errors: dict[str, list[str]] = {}
    try:
        source, quartier = resolve_meeting(evenement=evenement, source=source, quartier=quartier)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        said_at = check_said_at(said_at)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        text = validate_expression(
            quartier=quartier,
            text=text,
            objectifs=objectifs,
            consultation=consultation,
            evenement=evenement,
            author=mediator,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    retired = retired_when_said(objectifs, said_at if "said_at" not in errors else None)
    if retired:
        errors.setdefault("objectifs", []).extend(retired)
    if quartier is not None and not rules.can_record_for(mediator, quartier):
        errors["quartier"] = [str(OUTSIDE_COMMUNES) % {"quartier": quartier.short_name}]
    if errors:
        raise ValidationError(errors)
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
        "said_at": said_at,
    }
    return _create_once(
        lookup={"recorded_by": mediator, "key": idempotency_key},
        actor=mediator,
        rate_group="consultations.field",
        rate=settings.FIELD_EXPRESSION_RATE_LIMIT,
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
        # The audit keeps lengths, not words: mediators read it, and words the author removed
        # (or a mediator redacts later) must not stay readable there (like moderation.redact).
        before = {"length": len(locked.text), "visibility": locked.visibility}
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
            after={"length": len(text), "visibility": visibility},
        )
        changes.announce("expression.updated", locked.pk, quartier=locked.quartier_id)
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
            # A report on an expression already waiting adds nothing to the queue.
            was_waiting = locked.flagged_at is not None or locked.status == Status.SOUMISE
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
            if was_waiting:
                changes.announce("expression.reported", locked.pk, quartier=locked.quartier_id)
            else:
                changes.announce_arrival("expression.reported", locked)
    return signalement
