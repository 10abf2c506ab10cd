"""Capacity under concurrent requests: the event row is locked, not counted then inserted."""

import pytest

from evenements import services
from evenements.models import Inscription
from participation.notifications.models import Email, Notification
from tests.factories import UserFactory
from tests.together import run_together

from .factories import EvenementFactory


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs("postgresql")  # row locks: SQLite serialises all writers
def test_twenty_concurrent_registrations_for_five_places_give_five_confirmed_and_fifteen_waiting():
    event = EvenementFactory(capacity=5)
    users = [UserFactory(email=f"habitant{n}@example.org", totp=False) for n in range(20)]
    errors = []

    def register(user):
        def run():
            try:
                services.register(event.pk, user, join_waiting_list=True)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        return run

    run_together([register(user) for user in users])

    assert errors == []
    statuses = list(Inscription.objects.filter(evenement=event).values_list("status", flat=True))
    assert statuses.count(Inscription.Status.CONFIRMEE) == 5
    assert statuses.count(Inscription.Status.ATTENTE) == 15
    assert event.count_places_taken() == 5

    # A cancellation then promotes the first one of the waiting list, and tells them.
    first_waiting = (
        Inscription.objects.filter(evenement=event, status=Inscription.Status.ATTENTE)
        .order_by("requested_at", "pk")
        .first()
    )
    leaving = Inscription.objects.filter(
        evenement=event, status=Inscription.Status.CONFIRMEE
    ).first()
    services.cancel_inscription(leaving, actor=leaving.user)
    first_waiting.refresh_from_db()
    assert first_waiting.status == Inscription.Status.CONFIRMEE
    assert (
        Inscription.objects.filter(evenement=event, status=Inscription.Status.ATTENTE).count() == 14
    )
    assert Notification.objects.filter(
        user=first_waiting.user, message__contains="place s'est libérée"
    ).exists()
    assert Email.objects.filter(
        to=first_waiting.user.email, subject__contains="Une place pour vous"
    ).exists()
