import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from evenements import services
from evenements.models import Evenement, Inscription
from participation.audit.models import AuditEntry
from participation.notifications.models import Email, Notification
from tests.factories import UserFactory

from .factories import EvenementFactory, InscriptionFactory, in_days

pytestmark = pytest.mark.django_db


def test_it_confirms_a_registration_and_emails_a_confirmation(
    alice, django_capture_on_commit_callbacks
):
    event = EvenementFactory(title="Table ronde jeunesse", capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        inscription, created = services.register(event.pk, alice, adults=2, children=1)
    assert created
    assert inscription.status == Inscription.Status.CONFIRMEE
    assert event.count_places_taken() == 3
    assert Notification.objects.filter(user=alice, message__contains="confirmée").exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "Table ronde jeunesse" in message.subject
    assert "Pour 3 personnes" in message.body
    assert f"/evenements/{event.pk}/evenement.ics" in message.body


def test_registering_twice_gives_one_registration(alice):
    event = EvenementFactory(capacity=10)
    first, created = services.register(event.pk, alice)
    again, created_again = services.register(event.pk, alice, adults=3)
    assert created and not created_again
    assert again.pk == first.pk
    assert Inscription.objects.filter(evenement=event).count() == 1
    assert event.count_places_taken() == 1


def test_it_refuses_a_past_event_in_french(alice):
    event = EvenementFactory(starts_at=in_days(-2), ends_at=in_days(-2, 18))
    with pytest.raises(services.RegistrationRefused) as refusal:
        services.register(event.pk, alice)
    assert "déjà commencé ou est passé" in refusal.value.message
    assert not refusal.value.can_wait


def test_it_refuses_a_cancelled_event_in_french(alice):
    event = EvenementFactory(status=Evenement.Status.ANNULE)
    with pytest.raises(services.RegistrationRefused) as refusal:
        services.register(event.pk, alice)
    assert "annulé" in refusal.value.message


def test_it_refuses_an_event_without_registration(alice):
    event = EvenementFactory(registration_required=False)
    with pytest.raises(services.RegistrationRefused) as refusal:
        services.register(event.pk, alice)
    assert "accès libre" in refusal.value.message


def test_a_full_event_says_so_and_offers_the_waiting_list(alice, bob):
    event = EvenementFactory(capacity=1)
    services.register(event.pk, bob)
    with pytest.raises(services.RegistrationRefused) as refusal:
        services.register(event.pk, alice)
    assert "complet" in refusal.value.message
    assert "liste d'attente" in refusal.value.message
    assert refusal.value.can_wait
    assert not Inscription.objects.filter(user=alice).exists()


def test_asking_more_places_than_left_gives_the_numbers(alice, bob):
    event = EvenementFactory(capacity=3)
    services.register(event.pk, bob, adults=2)
    with pytest.raises(services.RegistrationRefused) as refusal:
        services.register(event.pk, alice, adults=2, children=1)
    assert "Il ne reste que 1 place(s) et vous demandez 3 places" in refusal.value.message


def test_a_full_event_puts_the_resident_on_the_waiting_list_when_asked(alice, bob):
    event = EvenementFactory(capacity=1)
    services.register(event.pk, bob)
    inscription, _ = services.register(event.pk, alice, join_waiting_list=True)
    assert inscription.status == Inscription.Status.ATTENTE
    assert Notification.objects.filter(user=alice, message__contains="liste d'attente").exists()


def test_a_cancellation_promotes_the_first_waiting_one_and_queues_its_notification(alice, bob):
    event = EvenementFactory(capacity=1, title="Atelier couture")
    first, _ = services.register(event.pk, bob)
    charlie = UserFactory(email="charlie@example.org")
    waiting_alice, _ = services.register(event.pk, alice, join_waiting_list=True)
    waiting_charlie, _ = services.register(event.pk, charlie, join_waiting_list=True)

    services.cancel_inscription(first, actor=bob)

    waiting_alice.refresh_from_db()
    waiting_charlie.refresh_from_db()
    assert waiting_alice.status == Inscription.Status.CONFIRMEE
    assert waiting_charlie.status == Inscription.Status.ATTENTE
    assert Notification.objects.filter(user=alice, message__contains="place s'est libérée").exists()
    assert Email.objects.filter(to=alice.email, subject__contains="Une place pour vous").exists()


def test_a_large_waiting_registration_does_not_block_smaller_ones(alice, bob):
    event = EvenementFactory(capacity=2)
    first, _ = services.register(event.pk, bob)
    services.register(event.pk, UserFactory(), join_waiting_list=True)  # fills the last place
    big, _ = services.register(event.pk, alice, adults=2, children=2, join_waiting_list=True)
    small, _ = services.register(event.pk, UserFactory(), join_waiting_list=True)

    services.cancel_inscription(first, actor=bob)

    big.refresh_from_db()
    small.refresh_from_db()
    assert big.status == Inscription.Status.ATTENTE
    assert small.status == Inscription.Status.CONFIRMEE
    assert event.count_places_taken() == 2


def test_a_resident_may_register_again_after_cancelling(alice):
    event = EvenementFactory(capacity=5)
    inscription, _ = services.register(event.pk, alice)
    services.cancel_inscription(inscription, actor=alice)
    again, created = services.register(event.pk, alice, adults=2)
    assert created
    assert again.pk == inscription.pk
    assert again.status == Inscription.Status.CONFIRMEE
    assert event.count_places_taken() == 2


def test_children_take_places_too(alice, bob):
    event = EvenementFactory(capacity=3)
    services.register(event.pk, alice, adults=1, children=2)
    with pytest.raises(services.RegistrationRefused):
        services.register(event.pk, bob)


def test_a_mediator_registers_a_person_without_account(mediateur):
    event = EvenementFactory(capacity=5)
    inscription = services.register_guest(
        event.pk, actor=mediateur, name="Mme Lefebvre", adults=1, children=2
    )
    assert inscription.user is None
    assert inscription.registered_by == mediateur
    assert event.count_places_taken() == 3
    assert AuditEntry.objects.filter(action="inscription.guest", actor=mediateur).exists()


def test_a_guest_contact_is_refused_without_consent(mediateur):
    event = EvenementFactory()
    with pytest.raises(services.RegistrationRefused) as refusal:
        services.register_guest(event.pk, actor=mediateur, name="M. Dupont", phone="06 12 34 56 78")
    assert "accord" in refusal.value.message
    assert not Inscription.objects.exists()


def test_a_guest_who_consented_gets_the_confirmation_by_email(mediateur):
    event = EvenementFactory(title="Temps d'information")
    services.register_guest(
        event.pk,
        actor=mediateur,
        name="Yasmina",
        email="yasmina@example.org",
        contact_consent=True,
    )
    assert Email.objects.filter(to="yasmina@example.org", subject__contains="confirmée").exists()


def test_marking_attendance_is_audited(mediateur):
    event = EvenementFactory(starts_at=in_days(-1, 10), ends_at=in_days(-1, 12))
    came = InscriptionFactory(evenement=event)
    absent = InscriptionFactory(evenement=event)
    assert services.mark_attendance(event, actor=mediateur, present_ids={came.pk}) == 1
    came.refresh_from_db()
    absent.refresh_from_db()
    assert came.attended is True
    assert absent.attended is False
    assert AuditEntry.objects.filter(action="evenement.attendance", actor=mediateur).exists()


def test_a_promotion_waits_for_free_places_only_before_the_event(alice, bob):
    event = EvenementFactory(capacity=1)
    first, _ = services.register(event.pk, bob)
    waiting, _ = services.register(event.pk, alice, join_waiting_list=True)
    Evenement.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    services.cancel_inscription(first, actor=bob)
    waiting.refresh_from_db()
    assert waiting.status == Inscription.Status.ATTENTE
