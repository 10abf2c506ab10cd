"""Event notices by SMS: to residents who chose it, and to guests registered by phone."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.http import int_to_base36

from evenements import services
from evenements.models import Inscription
from participation.accounts.models import NotifyBy
from participation.notifications.models import Email, Sms
from participation.notifications.sms_backends import sms_length
from tests.factories import UserFactory

from .factories import EvenementFactory, InscriptionFactory

pytestmark = pytest.mark.django_db

PHONE = "+33612345678"


@pytest.fixture
def nadia(db):
    """A resident who chose SMS, with a verified mobile number."""
    return UserFactory(phone=PHONE, phone_verified=True, notify_by=NotifyBy.SMS)


def assert_one_segment(body):
    length, limit = sms_length(body)
    assert (length, limit) <= (160, 160), body


def test_a_resident_who_chose_sms_gets_her_confirmation_by_sms_only(nadia, settings):
    event = EvenementFactory(title="Temps d'information sur le quartier")

    services.register(event.pk, nadia)

    [message] = Sms.objects.all()
    assert message.to == PHONE
    assert message.kind == "evenement-confirmation"
    assert message.user == nadia
    assert "Temps d'information sur le quartier" in message.body
    assert message.body.endswith(f"{settings.SITE_URL}/r/e{int_to_base36(event.pk)}/")
    assert_one_segment(message.body)
    assert not Email.objects.exists()


def test_a_resident_who_chose_email_gets_no_sms(alice):
    alice.phone, alice.phone_verified, alice.notify_by = PHONE, True, NotifyBy.EMAIL
    alice.save()

    services.register(EvenementFactory().pk, alice)

    assert Email.objects.count() == 1
    assert not Sms.objects.exists()


def test_moved_up_from_the_waiting_list_reminded_and_cancelled_by_sms(nadia, mediateur, bob):
    long_title = "Table ronde : l'accès aux soins, à la santé et à l'alimentation " * 2
    event = EvenementFactory(title=long_title, capacity=1)
    first = InscriptionFactory(evenement=event, user=bob)
    services.register(event.pk, nadia, join_waiting_list=True)
    services.cancel_inscription(first, actor=mediateur)
    event.starts_at = timezone.now() + dt.timedelta(days=1)
    event.ends_at = event.starts_at + dt.timedelta(hours=2)
    event.save()
    services.send_reminders(timezone.localdate())
    services.cancel_event(event, actor=mediateur, reason="Salle indisponible")

    kinds = list(Sms.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        "evenement-waiting",
        "evenement-promoted",
        "evenement-reminder",
        "evenement-cancelled",
    ]
    for message in Sms.objects.all():
        assert_one_segment(message.body)  # the long title is shortened, never the link
        assert message.body.endswith(f"/r/e{int_to_base36(event.pk)}/")


def test_a_mediator_registers_a_guest_with_a_phone_and_her_consent(client_for, mediateur):
    event = EvenementFactory(title="Stand du marché")

    response = client_for(mediateur).post(
        f"/evenements/{event.pk}/inscrire-une-personne/",
        {
            "name": "Mme Lefebvre",
            "phone": "06 12 34 56 78",
            "contact_consent": "on",
            "adults": 1,
            "children": 0,
        },
    )

    assert response.status_code == 302
    inscription = Inscription.objects.get()
    assert inscription.phone == PHONE
    assert inscription.registered_by == mediateur
    assert inscription.contact_consent_at is not None
    assert not Sms.objects.exists()  # she was told at the stand

    services.cancel_event(event, actor=mediateur, reason="Pluie")

    [message] = Sms.objects.all()
    assert (message.to, message.kind, message.user) == (PHONE, "evenement-cancelled", None)
    assert "Stand du marché" in message.body


def test_a_guest_phone_that_is_not_a_mobile_is_refused_with_the_reason(client_for, mediateur):
    event = EvenementFactory()

    response = client_for(mediateur).post(
        f"/evenements/{event.pk}/inscrire-une-personne/",
        {
            "name": "M. Dupont",
            "phone": "03 21 00 00 00",
            "contact_consent": "on",
            "adults": 1,
            "children": 0,
        },
    )

    assert response.status_code == 200
    assert "pas un numéro de mobile" in response.content.decode()
    assert "03 21 00 00 00" in response.content.decode()  # what was typed is kept
    assert not Inscription.objects.exists()


def test_a_guest_without_consent_gets_no_sms(mediateur):
    event = EvenementFactory()
    guest = InscriptionFactory(evenement=event, user=None, name="M. Dupont", phone=PHONE)

    services.cancel_event(event, actor=mediateur, reason="Pluie")

    assert guest.contact_consent is False
    assert not Sms.objects.exists()
