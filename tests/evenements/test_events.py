import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from evenements import services
from evenements.forms import EvenementForm
from evenements.models import Evenement, Inscription, Series
from participation.audit.models import AuditEntry
from participation.notifications.models import Email, Notification
from tests.factories import QuartierFactory

from .factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db


def paris(year, month, day, hour, minute=0):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def event_data(**overrides):
    data = {
        "kind": Evenement.Kind.PERMANENCE,
        "title": "Permanence de médiation",
        "description": "Sans rendez-vous.",
        "place_name": "Local de médiation",
        "address": "Rimbart, Auchel",
        "starts_at": in_days(3, 14),
        "ends_at": in_days(3, 17),
        "organiser_kind": Evenement.OrganiserKind.COMMUNE,
        "organiser_name": "Service Politique de la Ville",
        "registration_required": False,
        "capacity": None,
    }
    data.update(overrides)
    return data


def test_creating_an_event_is_audited(mediateur):
    quartier = QuartierFactory()
    (event,) = services.create_event(actor=mediateur, data=event_data(), quartiers=[quartier])
    assert list(event.quartiers.all()) == [quartier]
    assert event.created_by == mediateur
    assert AuditEntry.objects.filter(action="evenement.create", target_id=str(event.pk)).exists()


def test_an_end_before_the_start_is_refused(mediateur):
    with pytest.raises(ValidationError) as error:
        services.create_event(
            actor=mediateur,
            data=event_data(starts_at=in_days(3, 14), ends_at=in_days(3, 10)),
            quartiers=[QuartierFactory()],
        )
    assert "La fin doit être après le début." in str(error.value)
    assert not Evenement.objects.exists()


def test_the_form_refuses_an_end_before_the_start_and_keeps_what_was_typed():
    quartier = QuartierFactory()
    form = EvenementForm(
        data={
            "kind": "stand",
            "title": "Stand au marché",
            "quartiers": [quartier.pk],
            "starts_at": "2026-12-05T10:00",
            "ends_at": "2026-12-05T09:00",
            "place_name": "Marché",
            "organiser_kind": "commune",
            "organiser_name": "Commune",
        }
    )
    assert not form.is_valid()
    assert form.errors["ends_at"] == ["La fin doit être après le début."]
    assert 'value="Stand au marché"' in str(form["title"])


def test_lowering_capacity_below_registrations_is_refused_with_the_numbers(mediateur):
    event = EvenementFactory(
        capacity=10, starts_at=paris(2030, 3, 5, 10), ends_at=paris(2030, 3, 5, 12)
    )
    for _ in range(4):
        InscriptionFactory(evenement=event)
    with pytest.raises(ValidationError) as error:
        services.update_event(event, actor=mediateur, data={"capacity": 3})
    message = " ".join(error.value.message_dict["capacity"])
    assert "3 places" in message
    assert "4 personnes sont déjà inscrites" in message
    event.refresh_from_db()
    assert event.capacity == 10


def test_raising_capacity_promotes_the_waiting_list(mediateur, alice):
    event = EvenementFactory(capacity=1)
    InscriptionFactory(evenement=event)
    waiting = InscriptionFactory(evenement=event, user=alice, status=Inscription.Status.ATTENTE)
    services.update_event(event, actor=mediateur, data={"capacity": 2})
    waiting.refresh_from_db()
    assert waiting.status == Inscription.Status.CONFIRMEE


def test_a_weekly_series_keeps_its_local_time_across_the_change_of_hour(mediateur):
    # Winter time starts on 25 October 2026: the permanence stays at 14:00 in Auchel.
    start = paris(2026, 10, 13, 14)
    events = services.create_event(
        actor=mediateur,
        data=event_data(starts_at=start, ends_at=start + dt.timedelta(hours=3)),
        quartiers=[QuartierFactory()],
        recurrence=services.Recurrence(interval_weeks=1, until=dt.date(2026, 11, 10)),
    )
    assert [timezone.localtime(e.starts_at).date() for e in events] == [
        dt.date(2026, 10, 13),
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 27),
        dt.date(2026, 11, 3),
        dt.date(2026, 11, 10),
    ]
    assert {timezone.localtime(e.starts_at).time() for e in events} == {dt.time(14)}
    assert {timezone.localtime(e.ends_at).time() for e in events} == {dt.time(17)}
    assert len({e.series_id for e in events}) == 1
    assert Series.objects.get().occurrences.count() == 5


def test_a_series_every_other_week(mediateur):
    start = paris(2027, 1, 7, 9, 30)
    events = services.create_event(
        actor=mediateur,
        data=event_data(starts_at=start, ends_at=start + dt.timedelta(hours=2)),
        quartiers=[QuartierFactory()],
        recurrence=services.Recurrence(interval_weeks=2, until=dt.date(2027, 2, 28)),
    )
    assert [timezone.localtime(e.starts_at).day for e in events] == [7, 21, 4, 18]


def test_a_summer_programme_on_chosen_dates(mediateur):
    start = paris(2027, 7, 8, 15)
    events = services.create_event(
        actor=mediateur,
        data=event_data(
            kind=Evenement.Kind.NOS_QUARTIERS_ETE,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=4),
        ),
        quartiers=[QuartierFactory()],
        recurrence=services.Recurrence(
            frequency=Series.Frequency.DATES,
            dates=[dt.date(2027, 8, 19), dt.date(2027, 7, 22)],
        ),
    )
    assert [timezone.localtime(e.starts_at).date() for e in events] == [
        dt.date(2027, 7, 8),
        dt.date(2027, 7, 22),
        dt.date(2027, 8, 19),
    ]


def test_editing_a_series_from_one_date_moves_the_following_ones(mediateur):
    start = paris(2030, 1, 8, 14)
    events = services.create_event(
        actor=mediateur,
        data=event_data(starts_at=start, ends_at=start + dt.timedelta(hours=3)),
        quartiers=[QuartierFactory()],
        recurrence=services.Recurrence(until=dt.date(2030, 1, 29)),
    )
    second = events[1]
    new_start = paris(2030, 1, 15, 15)
    services.update_event(
        second,
        actor=mediateur,
        data={
            "title": "Permanence (nouvel horaire)",
            "starts_at": new_start,
            "ends_at": new_start + dt.timedelta(hours=2),
        },
        scope="following",
    )
    refreshed = list(Evenement.objects.order_by("starts_at"))
    assert [e.title for e in refreshed] == ["Permanence de médiation"] + [
        "Permanence (nouvel horaire)"
    ] * 3
    assert [timezone.localtime(e.starts_at).strftime("%d %H:%M") for e in refreshed] == [
        "08 14:00",
        "15 15:00",
        "22 15:00",
        "29 15:00",
    ]
    assert timezone.localtime(refreshed[-1].ends_at).strftime("%H:%M") == "17:00"


def test_cancelling_an_event_tells_every_registrant_and_waiting_one(mediateur, alice, bob):
    event = EvenementFactory(title="Balade urbaine", capacity=1)
    InscriptionFactory(evenement=event, user=alice)
    InscriptionFactory(evenement=event, user=bob, status=Inscription.Status.ATTENTE)
    InscriptionFactory(
        evenement=event, user=None, name="Mme Lefebvre", email="l@example.org", contact_consent=True
    )
    InscriptionFactory(evenement=event, user=None, name="Sans contact")

    services.cancel_event(event, actor=mediateur, reason="Alerte météo")

    event.refresh_from_db()
    assert event.status == Evenement.Status.ANNULE
    assert event.cancellation_reason == "Alerte météo"
    for user in (alice, bob):
        assert Notification.objects.filter(user=user, message__contains="est annulé").exists()
    assert set(Email.objects.values_list("to", flat=True)) == {
        "alice@example.org",
        "bob@example.org",
        "l@example.org",
    }
    assert "Alerte météo" in Email.objects.filter(to="l@example.org").get().body
    assert AuditEntry.objects.filter(action="evenement.cancel", reason="Alerte météo").exists()


def test_cancelling_the_rest_of_a_series(mediateur):
    start = paris(2030, 1, 8, 14)
    events = services.create_event(
        actor=mediateur,
        data=event_data(starts_at=start, ends_at=start + dt.timedelta(hours=3)),
        quartiers=[QuartierFactory()],
        recurrence=services.Recurrence(until=dt.date(2030, 1, 29)),
        publish=True,
    )
    cancelled = services.cancel_event(events[1], actor=mediateur, reason="Fin", whole_series=True)
    assert len(cancelled) == 3
    assert list(Evenement.objects.order_by("starts_at").values_list("status", flat=True)) == [
        "publie",
        "annule",
        "annule",
        "annule",
    ]


def test_changing_the_time_tells_the_registrants(mediateur, alice):
    event = EvenementFactory(title="Table ronde")
    InscriptionFactory(evenement=event, user=alice)
    services.update_event(
        event,
        actor=mediateur,
        data={
            "starts_at": event.starts_at + dt.timedelta(hours=1),
            "ends_at": event.ends_at + dt.timedelta(hours=1),
        },
    )
    assert Notification.objects.filter(user=alice, message__contains="change").exists()
