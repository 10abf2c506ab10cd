import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from evenements import services, tasks
from evenements.models import Evenement, Inscription
from participation.notifications.models import Email

from .factories import EvenementFactory, InscriptionFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def event_on(day, hour=10, minute=0, **kwargs):
    start = at(day, hour, minute)
    return EvenementFactory(starts_at=start, ends_at=start + dt.timedelta(hours=2), **kwargs)


def test_the_reminder_selects_tomorrows_events_by_local_date():
    tomorrow = TODAY + dt.timedelta(days=1)
    early = InscriptionFactory(evenement=event_on(tomorrow, 0, 15))
    late = InscriptionFactory(evenement=event_on(tomorrow, 21))
    InscriptionFactory(evenement=event_on(TODAY, 18))
    InscriptionFactory(evenement=event_on(TODAY + dt.timedelta(days=2), 0, 30))
    InscriptionFactory(evenement=event_on(tomorrow, 14), status=Inscription.Status.ATTENTE)
    InscriptionFactory(evenement=event_on(tomorrow, 14), status=Inscription.Status.ANNULEE)
    InscriptionFactory(evenement=event_on(tomorrow, 14, status=Evenement.Status.ANNULE))
    InscriptionFactory(evenement=event_on(tomorrow, 14), reminder_sent_at=timezone.now())

    selected = list(services.inscriptions_to_remind(TODAY))

    assert selected == [early, late]


def test_reminders_are_sent_once(alice):
    inscription = InscriptionFactory(
        user=alice,
        evenement=event_on(TODAY + dt.timedelta(days=1), 14, title="Temps d'information"),
    )
    assert services.send_reminders(TODAY) == 1
    assert services.send_reminders(TODAY) == 0
    inscription.refresh_from_db()
    assert inscription.reminder_sent_at is not None
    email = Email.objects.get(to="alice@example.org")
    assert "Rappel pour demain" in email.subject
    assert "Temps d'information" in email.body


def test_the_task_reminds_for_the_events_of_tomorrow(alice, time_machine):
    time_machine.move_to(at(TODAY, 10), tick=False)
    InscriptionFactory(user=alice, evenement=event_on(TODAY + dt.timedelta(days=1), 9))
    assert tasks.send_reminders.delay().get() == 1


def test_the_reminder_task_is_scheduled_daily_with_celery_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["send-event-reminders"]
    assert entry["task"] == "evenements.tasks.send_reminders"
