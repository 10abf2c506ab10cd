"""Every write about events and registrations, with its rules.

Registrations lock the event row (``select_for_update``) before counting the places taken,
so that concurrent requests cannot overbook: on PostgreSQL they queue on the lock; SQLite
serialises writers anyway. Staff actions write an audit entry in the same transaction;
people are told through ``notify`` / ``queue_email`` (sent after commit).
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.audit.services import record
from participation.core import images
from participation.core.addresses import absolute_url
from participation.core.ratelimit import RateLimited, limit_account
from participation.notifications.links import short_link
from participation.notifications.services import notify, queue_email
from participation.notifications.sms import InvalidPhoneNumber, one_sms, queue_sms

from . import rules
from .models import Evenement, Inscription, Series

logger = logging.getLogger(__name__)

MAX_PERSONS_PER_INSCRIPTION = 15
MAX_OCCURRENCES = 120
# How long a resident may take back a registration she has just cancelled (a slip of the
# finger on a phone); after it, she registers again like anyone.
UNDO_WINDOW = dt.timedelta(minutes=15)

# Fields copied from a form into an event (the many-to-many ones are passed apart).
EVENT_FIELDS = (
    "kind",
    "title",
    "description",
    "place_name",
    "address",
    "directions",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "organiser_kind",
    "organiser_name",
    "accessibility",
    "image",
    "image_alt",
    "capacity",
    "registration_required",
)
# What registrants are told about when it changes.
PRACTICAL_FIELDS = ("starts_at", "ends_at", "place_name", "address")


class RegistrationRefused(Exception):
    """A registration that cannot be made; ``message`` says why, in French.

    ``can_wait`` is true when the event is full and the person may join the waiting list.
    """

    def __init__(self, message: str, *, can_wait: bool = False):
        super().__init__(message)
        self.message = message
        self.can_wait = can_wait


@dataclass
class Recurrence:
    """How to repeat an event: every ``interval_weeks`` weeks until ``until``, or on ``dates``."""

    frequency: str = Series.Frequency.WEEKLY
    interval_weeks: int = 1
    until: dt.date | None = None
    dates: list[dt.date] = field(default_factory=list)


# --- Helpers -------------------------------------------------------------------


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def when_label(event: Evenement) -> str:
    """« samedi 5 décembre 2026, de 10:00 à 12:00 » in Europe/Paris."""
    start, end = local(event.starts_at), local(event.ends_at)
    if start.date() == end.date():
        return _("%(day)s, de %(start)s à %(end)s") % {
            "day": date_format(start, "l j F Y"),
            "start": date_format(start, "H:i"),
            "end": date_format(end, "H:i"),
        }
    return _("du %(start)s au %(end)s") % {
        "start": date_format(start, "l j F Y, H:i"),
        "end": date_format(end, "l j F Y, H:i"),
    }


def _lock(evenement_id: int) -> Evenement:
    return Evenement.objects.select_for_update().get(pk=evenement_id)


def _email_context(event: Evenement, inscription: Inscription | None = None) -> dict:
    return {
        "event": event,
        "inscription": inscription,
        "when": when_label(event),
        "event_url": absolute_url(event.get_absolute_url()),
        "ics_url": absolute_url(reverse("evenements:feed_event", kwargs={"pk": event.pk})),
        "mine_url": absolute_url(reverse("evenements:mine")),
        "list_url": absolute_url(reverse("evenements:list")),
    }


# What a guest registered by phone at a stand is told by SMS: not what she heard there.
GUEST_SMS = {"promoted", "changed", "cancelled", "reminder"}


def _tell(inscription: Inscription, message: str, template: str, subject: str, **extra) -> None:
    """Tell a registrant: in-app and by the channels she chose for an account; by email or
    SMS (with consent) for a guest. The SMS is ``message`` and a short link to the event."""
    event = inscription.evenement
    body = render_to_string(
        f"evenements/emails/{template}.txt", {**_email_context(event, inscription), **extra}
    )
    sms_link = short_link("e", event.pk)
    if inscription.user_id:
        notify(
            inscription.user,
            message[:300],
            url=event.get_absolute_url(),
            email_subject=subject,
            email_body=body,
            sms_kind=f"evenement-{template}",
            sms_link=sms_link,
        )
    elif inscription.contact_consent:
        if inscription.email:
            queue_email(to=inscription.email, subject=subject, body=body)
        if inscription.phone and template in GUEST_SMS and settings.SMS_ENABLED:
            try:
                text = one_sms(message, sms_link)
                queue_sms(to=inscription.phone, body=text, kind=f"evenement-{template}")
            except InvalidPhoneNumber:  # typed before numbers were checked: not a mobile
                logger.warning("Registration %s: no SMS to an invalid number", inscription.pk)


def _snapshot(event: Evenement, names=EVENT_FIELDS) -> dict:
    return {name: str(getattr(event, name)) for name in names}


# --- Registrations ---------------------------------------------------------------


def _check_can_register(event: Evenement, persons: int) -> None:
    if event.is_draft:
        raise RegistrationRefused(_("Cet événement n'est pas encore publié."))
    if event.is_cancelled:
        raise RegistrationRefused(
            _("Cet événement est annulé : il n'est plus possible de s'y inscrire.")
        )
    if event.has_started:
        raise RegistrationRefused(
            _("Cet événement a déjà commencé ou est passé : les inscriptions sont closes.")
        )
    if not event.registration_required:
        raise RegistrationRefused(_("Cet événement est en accès libre : venez sans vous inscrire."))
    if persons < 1:
        raise RegistrationRefused(_("Indiquez au moins une personne."))
    if persons > MAX_PERSONS_PER_INSCRIPTION:
        raise RegistrationRefused(
            _("Une inscription compte au plus %(max)s personnes.")
            % {"max": MAX_PERSONS_PER_INSCRIPTION}
        )


def _status_for(event: Evenement, persons: int, join_waiting_list: bool) -> str:
    if event.capacity is None:
        return Inscription.Status.CONFIRMEE
    left = event.capacity - event.count_places_taken()
    if persons <= left:
        return Inscription.Status.CONFIRMEE
    if join_waiting_list:
        return Inscription.Status.ATTENTE
    if left <= 0:
        message = _("Cet événement est complet (%(capacity)s places).") % {
            "capacity": event.capacity
        }
    else:
        message = _("Il ne reste que %(left)s place(s) et vous demandez %(persons)s places.") % {
            "left": left,
            "persons": persons,
        }
    raise RegistrationRefused(
        message + " " + _("Vous pouvez vous inscrire sur la liste d'attente."), can_wait=True
    )


def _announce(inscription: Inscription) -> None:
    event = inscription.evenement
    if inscription.status == Inscription.Status.CONFIRMEE:
        _tell(
            inscription,
            _("Votre inscription à « %(title)s » est confirmée.") % {"title": event.title},
            "confirmation",
            _("Inscription confirmée : %(title)s") % {"title": event.title},
        )
    else:
        _tell(
            inscription,
            _("Vous êtes sur la liste d'attente de « %(title)s ».") % {"title": event.title},
            "waiting",
            _("Liste d'attente : %(title)s") % {"title": event.title},
        )


REGISTRATION_BURST = gettext_lazy(
    "Vous vous êtes inscrit·e à %(count)s événements en peu de temps. Pour éviter les "
    "inscriptions en rafale, attendez environ %(minutes)s minutes avant la suivante."
)


def _check_rate(user) -> None:
    """Refuse a burst of registrations from one account (each holds places and sends an email).

    A double click or a replay is answered before this (one registration).
    """
    try:
        limit_account(
            user,
            group="evenements.register",
            rate=settings.REGISTRATION_RATE_LIMIT,
            message=REGISTRATION_BURST,
        )
    except RateLimited as limited:
        raise RegistrationRefused(limited.message) from None


@transaction.atomic
def register(
    evenement_id: int, user, *, adults: int = 1, children: int = 0, join_waiting_list=False
) -> tuple[Inscription, bool]:
    """Register ``user``; returns (inscription, created). Registering twice gives one registration.

    Raises ``RegistrationRefused`` with the reason (cancelled, past, full…).
    """
    event = _lock(evenement_id)
    existing = Inscription.objects.filter(evenement=event, user=user).first()
    if existing is not None and existing.status != Inscription.Status.ANNULEE:
        return existing, False
    _check_rate(user)
    _check_can_register(event, adults + children)
    status = _status_for(event, adults + children, join_waiting_list)
    now = timezone.now()
    inscription = existing or Inscription(evenement=event, user=user)
    inscription.adults, inscription.children, inscription.status = adults, children, status
    inscription.requested_at = now
    inscription.confirmed_at = now if status == Inscription.Status.CONFIRMEE else None
    inscription.cancelled_at = None
    inscription.reminder_sent_at = None
    inscription.save()
    inscription.evenement = event
    _announce(inscription)
    return inscription, True


@transaction.atomic
def register_guest(
    evenement_id: int,
    *,
    actor,
    name: str,
    phone: str = "",
    email: str = "",
    contact_consent: bool = False,
    adults: int = 1,
    children: int = 0,
    join_waiting_list: bool = False,
) -> Inscription:
    """A mediator registers a person without account (at a stand). Contact only with consent."""
    if (phone or email) and not contact_consent:
        raise RegistrationRefused(
            _("Pour garder un téléphone ou une adresse, la personne doit avoir donné son accord.")
        )
    event = _lock(evenement_id)
    _check_can_register(event, adults + children)
    status = _status_for(event, adults + children, join_waiting_list)
    now = timezone.now()
    inscription = Inscription.objects.create(
        evenement=event,
        name=name.strip(),
        phone=phone.strip() if contact_consent else "",
        email=email.strip() if contact_consent else "",
        contact_consent=contact_consent,
        contact_consent_at=now if contact_consent else None,
        registered_by=actor,
        adults=adults,
        children=children,
        status=status,
        requested_at=now,
        confirmed_at=now if status == Inscription.Status.CONFIRMEE else None,
    )
    record(
        actor=actor,
        action="inscription.guest",
        target=inscription,
        after={
            "evenement": event.pk,
            "status": status,
            "persons": adults + children,
            "contact_consent": contact_consent,
        },
    )
    _announce(inscription)
    return inscription


def promote_waiting(event: Evenement) -> list[Inscription]:
    """Confirm waiting registrations, first come first served, while places are free.

    Call with the event row locked. A waiting registration too large for the places left
    is passed over, not blocking the smaller ones behind it.
    """
    if event.is_cancelled or event.has_started:
        return []
    waiting = list(
        event.inscriptions.filter(status=Inscription.Status.ATTENTE)
        .select_related("user")
        .order_by("requested_at", "pk")
    )
    if not waiting:
        return []
    free = None if event.capacity is None else event.capacity - event.count_places_taken()
    promoted = []
    now = timezone.now()
    for inscription in waiting:
        if free is not None and inscription.persons > free:
            continue
        inscription.status = Inscription.Status.CONFIRMEE
        inscription.confirmed_at = now
        inscription.save(update_fields=["status", "confirmed_at"])
        inscription.evenement = event
        if free is not None:
            free -= inscription.persons
        promoted.append(inscription)
        _tell(
            inscription,
            _("Une place s'est libérée : votre inscription à « %(title)s » est confirmée.")
            % {"title": event.title},
            "promoted",
            _("Une place pour vous : %(title)s") % {"title": event.title},
        )
    return promoted


@transaction.atomic
def cancel_inscription(inscription: Inscription, *, actor) -> Inscription:
    """Cancel a registration (by its author or by staff); a freed place goes to the waiting list."""
    event = _lock(inscription.evenement_id)
    inscription = Inscription.objects.select_for_update().get(pk=inscription.pk)
    if inscription.status == Inscription.Status.ANNULEE:
        return inscription
    was = inscription.status
    inscription.status = Inscription.Status.ANNULEE
    inscription.cancelled_at = timezone.now()
    inscription.save(update_fields=["status", "cancelled_at"])
    if actor is not None and actor.pk != inscription.user_id:
        record(
            actor=actor,
            action="inscription.cancel",
            target=inscription,
            before={"status": was},
            after={"status": inscription.status},
        )
    if was == Inscription.Status.CONFIRMEE:
        promote_waiting(event)
    return inscription


@transaction.atomic
def restore_inscription(inscription: Inscription, *, user) -> Inscription:
    """Undo ``user``'s own cancellation, within ``UNDO_WINDOW``; returns the registration.

    A confirmed place comes back only if it is still free: the waiting list may have taken
    it meanwhile (``RegistrationRefused`` with ``can_wait``). A place on the waiting list
    comes back at its rank (the time it was asked is kept). Raises ``RegistrationRefused``
    too when the window has passed or the event no longer takes registrations.
    """
    event = _lock(inscription.evenement_id)
    inscription = Inscription.objects.select_for_update().get(pk=inscription.pk)
    if inscription.user_id is None or inscription.user_id != user.pk:
        raise RegistrationRefused(_("Cette inscription n'est pas la vôtre."))
    if inscription.status != Inscription.Status.ANNULEE:
        return inscription
    if inscription.cancelled_at is None or timezone.now() - inscription.cancelled_at > UNDO_WINDOW:
        raise RegistrationRefused(
            _(
                "L'annulation date de plus de %(minutes)s minutes : inscrivez-vous à nouveau "
                "depuis la page de l'événement."
            )
            % {"minutes": int(UNDO_WINDOW.total_seconds() // 60)}
        )
    _check_can_register(event, inscription.persons)
    # Only a confirmed registration has a confirmation time: cancelling keeps it.
    if inscription.confirmed_at is None:
        status = Inscription.Status.ATTENTE
    else:
        try:
            status = _status_for(event, inscription.persons, join_waiting_list=False)
        except RegistrationRefused:
            raise RegistrationRefused(
                _(
                    "Votre place a été donnée entre-temps : l'événement est complet. Vous "
                    "pouvez vous inscrire sur la liste d'attente."
                ),
                can_wait=True,
            ) from None
    inscription.status = status
    inscription.cancelled_at = None
    inscription.save(update_fields=["status", "cancelled_at"])
    inscription.evenement = event
    if status == Inscription.Status.ATTENTE:
        # Back at its rank: a place freed meanwhile may now be hers, or of those after her.
        promote_waiting(event)
        inscription.refresh_from_db(fields=["status", "confirmed_at"])
    return inscription


@transaction.atomic
def mark_attendance(event: Evenement, *, actor, present_ids: set[int]) -> int:
    """Set who came among the confirmed registrations; returns the number present."""
    confirmed = event.inscriptions.filter(status=Inscription.Status.CONFIRMEE)
    present = confirmed.filter(pk__in=present_ids).update(attended=True)
    absent = confirmed.exclude(pk__in=present_ids).update(attended=False)
    record(
        actor=actor,
        action="evenement.attendance",
        target=event,
        after={"present": present, "absent": absent},
    )
    return present


# --- Events ------------------------------------------------------------------------


def _validate_times(starts_at, ends_at) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("La fin doit être après le début.")})


def _validate_capacity(event: Evenement, capacity) -> None:
    if capacity is None or event.pk is None:
        return
    taken = event.count_places_taken()
    if capacity < taken:
        raise ValidationError(
            {
                "capacity": _(
                    "Impossible de descendre à %(capacity)s places le %(day)s : "
                    "%(taken)s personnes sont déjà inscrites."
                )
                % {
                    "capacity": capacity,
                    "taken": taken,
                    "day": date_format(local(event.starts_at), "j F Y"),
                }
            }
        )


def occurrence_starts(first_start: dt.datetime, recurrence: Recurrence) -> list[dt.datetime]:
    """Start times of every occurrence (the first included), at the same local time of day.

    Computed on local dates so that a 14:00 permanence stays at 14:00 across the change
    between summer and winter time.
    """
    start_local = local(first_start)
    clock = start_local.time().replace(tzinfo=None)
    if recurrence.frequency == Series.Frequency.DATES:
        days = sorted({start_local.date(), *recurrence.dates})
    else:
        if recurrence.until is None:
            raise ValidationError({"until": _("Indiquez jusqu'à quand l'événement se répète.")})
        step = dt.timedelta(weeks=max(recurrence.interval_weeks, 1))
        days, day = [], start_local.date()
        while day <= recurrence.until and len(days) <= MAX_OCCURRENCES:
            days.append(day)
            day += step
    if len(days) > MAX_OCCURRENCES:
        raise ValidationError(
            _("Une série compte au plus %(max)s dates.") % {"max": MAX_OCCURRENCES}
        )
    zone = timezone.get_current_timezone()
    return [timezone.make_aware(dt.datetime.combine(day, clock), zone) for day in days]


def clean_image(value):
    """A newly uploaded image re-encoded as a JPEG of its pixels only (no EXIF, no GPS).

    Anything else (the stored image kept, "" to remove it) is returned as is. Raises a
    ValidationError in French for a file that cannot be read.
    """
    if not isinstance(value, UploadedFile):
        return value
    return images.clean_photo(value).as_file("evenement.jpg")


def _with_clean_image(data: dict) -> dict:
    if "image" not in data:
        return data
    try:
        return {**data, "image": clean_image(data["image"])}
    except ValidationError as error:
        raise ValidationError({"image": error.error_list}) from error


def _check_quartiers(actor, quartiers, event: Evenement | None = None) -> None:
    """A référent or mediator given communes puts events in their quartiers only; those of
    other communes an event already has stay on it (``evenements.rules.may_place_in``)."""
    if quartiers is None:
        return
    already = [quartier.pk for quartier in event.quartiers.all()] if event is not None else []
    if not rules.may_place_in(actor, [quartier.pk for quartier in quartiers], already=already):
        raise ValidationError(
            {
                "quartiers": _(
                    "Un de ces quartiers n'est pas dans vos communes : vous ne pouvez pas y "
                    "mettre un événement."
                )
            }
        )


def _apply(event: Evenement, data: dict) -> None:
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])


@transaction.atomic
def create_event(
    *,
    actor,
    data: dict,
    quartiers,
    objectifs=(),
    recurrence: Recurrence | None = None,
    duplicated_from: Evenement | None = None,
    publish: bool = False,
) -> list[Evenement]:
    """Create an event, or every occurrence of a series; returns the events created.

    They are drafts, seen by staff only, unless ``publish``: someone looks at the preview,
    then publishes (``publish_event``).
    """
    _validate_times(data.get("starts_at"), data.get("ends_at"))
    _check_quartiers(actor, quartiers)
    data = _with_clean_image(data)
    series = None
    starts = [data["starts_at"]]
    if recurrence is not None:
        starts = occurrence_starts(data["starts_at"], recurrence)
        series = Series.objects.create(
            frequency=recurrence.frequency,
            interval_weeks=recurrence.interval_weeks,
            until=recurrence.until,
            dates=[day.isoformat() for day in recurrence.dates],
        )
    duration = data["ends_at"] - data["starts_at"]
    created = []
    for start in starts:
        event = Evenement(
            created_by=actor if actor and actor.pk else None,
            series=series,
            status=Evenement.Status.PUBLIE if publish else Evenement.Status.BROUILLON,
        )
        _apply(event, data)
        event.starts_at, event.ends_at = start, start + duration
        event.full_clean(exclude=["quartiers", "objectifs"])
        event.save()
        event.quartiers.set(quartiers)
        event.objectifs.set(objectifs)
        created.append(event)
    first = created[0]
    record(
        actor=actor,
        action="evenement.duplicate" if duplicated_from else "evenement.create",
        target=first,
        after={**_snapshot(first), "occurrences": len(created)},
        reason=(
            _("copie de l'événement n° %(pk)s") % {"pk": duplicated_from.pk}
            if duplicated_from
            else ""
        ),
    )
    return created


def _update_one(event: Evenement, data: dict, quartiers, objectifs) -> tuple[dict, bool]:
    """Apply ``data`` to a locked event; returns (before snapshot, practical details changed)."""
    before = _snapshot(event)
    _validate_times(data.get("starts_at", event.starts_at), data.get("ends_at", event.ends_at))
    if "capacity" in data:
        _validate_capacity(event, data["capacity"])
    _apply(event, data)
    event.full_clean(exclude=["quartiers", "objectifs"])
    event.save()
    if quartiers is not None:
        event.quartiers.set(quartiers)
    if objectifs is not None:
        event.objectifs.set(objectifs)
    after = _snapshot(event)
    practical = any(before[name] != after[name] for name in PRACTICAL_FIELDS)
    return before, practical


def _tell_changes(event: Evenement) -> None:
    for inscription in event.inscriptions.exclude(status=Inscription.Status.ANNULEE).select_related(
        "user"
    ):
        inscription.evenement = event
        _tell(
            inscription,
            _("« %(title)s » change : %(when)s, %(place)s.")
            % {"title": event.title, "when": when_label(event), "place": event.place_name},
            "changed",
            _("Changement : %(title)s") % {"title": event.title},
        )


@transaction.atomic
def update_event(
    event: Evenement, *, actor, data: dict, quartiers=None, objectifs=None, scope: str = "this"
) -> list[Evenement]:
    """Edit an event; with ``scope="following"``, this one and the coming ones of its series.

    For the following occurrences, the change of day and time is applied as a shift (same
    number of days, same new time of day, same duration), everything else as is.
    Refuses (``ValidationError`` with the numbers) a capacity below the places already taken.
    """
    _check_quartiers(actor, quartiers, event)
    data = _with_clean_image(data)
    locked = _lock(event.pk)
    old_start = local(locked.starts_at)
    targets = [locked]
    if scope == "following" and locked.series_id:
        # Only the dates in the actor's communes: a date moved to another commune is theirs.
        targets += list(
            rules.managed_events(actor, Evenement.objects.select_for_update())
            .filter(series_id=locked.series_id, starts_at__gt=locked.starts_at)
            .exclude(status=Evenement.Status.ANNULE)
            .order_by("starts_at")
        )
    updated = []
    for target in targets:
        values = dict(data)
        if target is not locked and "starts_at" in data:
            new_start = local(data["starts_at"])
            shift = new_start.date() - old_start.date()
            day = local(target.starts_at).date() + shift
            start = timezone.make_aware(
                dt.datetime.combine(day, new_start.time().replace(tzinfo=None)),
                timezone.get_current_timezone(),
            )
            values["starts_at"] = start
            values["ends_at"] = start + (data["ends_at"] - data["starts_at"])
        capacity_before = target.capacity
        before, practical = _update_one(target, values, quartiers, objectifs)
        record(
            actor=actor,
            action="evenement.update",
            target=target,
            before=before,
            after=_snapshot(target),
        )
        if practical:
            _tell_changes(target)
        if target.capacity is None or (
            capacity_before is not None and target.capacity > capacity_before
        ):
            promote_waiting(target)
        updated.append(target)
    return updated


@transaction.atomic
def publish_event(event: Evenement, *, actor) -> list[Evenement]:
    """Publish a draft, and the other drafts of its series (created with it); returns the
    events published, none if it was published already (a second click changes nothing)."""
    locked = _lock(event.pk)
    if not locked.is_draft:
        return []
    targets = [locked]
    if locked.series_id:
        targets += list(
            rules.managed_events(actor, Evenement.objects.select_for_update())
            .drafts()
            .filter(series_id=locked.series_id)
            .exclude(pk=locked.pk)
            .order_by("starts_at", "pk")
        )
    for target in targets:
        target.status = Evenement.Status.PUBLIE
        target.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action="evenement.publish",
        target=locked,
        before={"status": Evenement.Status.BROUILLON},
        after={"status": Evenement.Status.PUBLIE, "occurrences": len(targets)},
    )
    return targets


@transaction.atomic
def cancel_event(
    event: Evenement, *, actor, reason: str = "", whole_series: bool = False
) -> list[Evenement]:
    """Cancel an event (or it and the coming ones of its series) and tell every registrant.

    A draft is never cancelled: that would make it public (a cancelled event stays shown).
    """
    locked = _lock(event.pk)
    targets = [locked]
    if whole_series and locked.series_id:
        targets += list(
            rules.managed_events(actor, Evenement.objects.select_for_update())
            .filter(series_id=locked.series_id, starts_at__gt=locked.starts_at)
            .order_by("starts_at")
        )
    cancelled = []
    for target in targets:
        if target.is_cancelled or target.is_draft:
            continue
        target.status = Evenement.Status.ANNULE
        target.cancelled_at = timezone.now()
        target.cancellation_reason = reason
        target.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
        record(
            actor=actor,
            action="evenement.cancel",
            target=target,
            before={"status": Evenement.Status.PUBLIE},
            after={"status": Evenement.Status.ANNULE},
            reason=reason,
        )
        for inscription in target.inscriptions.exclude(
            status=Inscription.Status.ANNULEE
        ).select_related("user"):
            inscription.evenement = target
            _tell(
                inscription,
                _("« %(title)s » du %(day)s est annulé.")
                % {"title": target.title, "day": date_format(local(target.starts_at), "j F Y")},
                "cancelled",
                _("Annulé : %(title)s") % {"title": target.title},
                reason=reason,
            )
        cancelled.append(target)
    return cancelled


# --- Reminders ---------------------------------------------------------------------


def inscriptions_to_remind(today: dt.date | None = None):
    """Confirmed registrations to events starting tomorrow (Europe/Paris) not yet reminded."""
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    tomorrow = today + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min), zone)
    end = timezone.make_aware(
        dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time.min), zone
    )
    return (
        Inscription.objects.filter(
            status=Inscription.Status.CONFIRMEE,
            reminder_sent_at__isnull=True,
            evenement__status=Evenement.Status.PUBLIE,
            evenement__starts_at__gte=start,
            evenement__starts_at__lt=end,
        )
        .select_related("evenement", "user")
        .order_by("evenement__starts_at", "pk")
    )


def send_reminders(today: dt.date | None = None) -> int:
    """Remind every registrant of tomorrow's events, once; returns how many were reminded."""
    count = 0
    for inscription in inscriptions_to_remind(today):
        with transaction.atomic():
            marked = Inscription.objects.filter(
                pk=inscription.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=timezone.now())
            if not marked:
                continue
            event = inscription.evenement
            _tell(
                inscription,
                _("Rappel : « %(title)s » demain, %(when)s.")
                % {"title": event.title, "when": when_label(event)},
                "reminder",
                _("Rappel pour demain : %(title)s") % {"title": event.title},
            )
            count += 1
    return count
