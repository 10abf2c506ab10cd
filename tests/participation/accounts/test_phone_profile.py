"""« Mon profil » with a mobile number: adding or changing it (verified by an SMS code), adding
an email, choosing how to be told; the number in « Mes données » and in the deletion."""

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from participation.accounts.models import Channel, NotifyBy, User
from participation.notifications.models import Sms
from tests.factories import UserFactory

from .conftest import code_in

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
CHANGE_PHONE = reverse("account_change_phone")
VERIFY = reverse("account_verify_phone")
NUMBER = "+33612345678"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    def post(url, data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, **extra)

    return post


@pytest.fixture
def lea(db):
    """A resident who signed up with her mobile number alone."""
    return UserFactory(
        email=None, phone=NUMBER, phone_verified=True, display_name="Léa", password=None
    )


def sms_code(message: dict) -> str:
    match = re.search(r"\b(\d{6})\b", message["body"])
    assert match, message["body"]
    return match.group(1)


# --- How she wants to be told ------------------------------------------------------------


def test_by_default_a_resident_is_told_by_email_or_by_sms_if_she_has_only_a_number(alice, lea):
    assert alice.notify_by == NotifyBy.EMAIL
    assert alice.notice_channels() == {Channel.EMAIL}
    assert lea.notify_by == NotifyBy.SMS
    assert lea.notice_channels() == {Channel.SMS}


@pytest.mark.parametrize(
    ("choice", "channels"),
    [
        (NotifyBy.SMS, {Channel.SMS}),
        (NotifyBy.EMAIL, {Channel.EMAIL}),
        (NotifyBy.BOTH, {Channel.SMS, Channel.EMAIL}),
        (NotifyBy.NONE, set()),
    ],
)
def test_notices_take_the_channels_she_chose(choice, channels):
    user = UserFactory(phone=NUMBER, phone_verified=True, notify_by=choice)

    assert user.notice_channels() == channels


def test_an_unverified_number_receives_no_notice():
    user = UserFactory(phone=NUMBER, phone_verified=False, notify_by=NotifyBy.BOTH)

    assert user.notice_channels() == {Channel.EMAIL}


def test_a_chosen_channel_she_no_longer_has_falls_back_to_the_one_she_has(lea):
    lea.notify_by = NotifyBy.EMAIL  # then removed her address
    lea.save()

    assert lea.notice_channels() == {Channel.SMS}


def test_a_deleted_account_is_told_nothing(lea):
    lea.is_active = False

    assert lea.notice_channels() == set()


def test_she_chooses_sms_and_email_in_her_profile(client, alice):
    alice.phone, alice.phone_verified = NUMBER, True
    alice.save()
    client.force_login(alice)

    response = client.post(PROFILE, {"display_name": "Alice", "notify_by": NotifyBy.BOTH})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.notice_channels() == {Channel.SMS, Channel.EMAIL}


def test_sms_cannot_be_chosen_without_a_verified_number(client, alice):
    client.force_login(alice)

    response = client.post(PROFILE, {"display_name": "Alice", "notify_by": NotifyBy.SMS})

    content = response.content.decode()
    assert response.status_code == 200
    assert "ajoutez d&#x27;abord votre numéro de mobile" in content
    alice.refresh_from_db()
    assert alice.notify_by == NotifyBy.EMAIL


def test_email_cannot_be_chosen_without_an_address(client, lea):
    client.force_login(lea)

    response = client.post(PROFILE, {"display_name": "Léa", "notify_by": NotifyBy.EMAIL})

    assert response.status_code == 200
    assert "ajoutez d&#x27;abord votre adresse" in response.content.decode()


def test_the_profile_offers_the_four_choices_and_no_sms_while_sms_are_off(client, alice, settings):
    client.force_login(alice)

    offered = re.findall(r'name="notify_by" value="(\w*)"', client.get(PROFILE).content.decode())
    settings.SMS_ENABLED = False
    without_sms = re.findall(
        r'name="notify_by" value="(\w*)"', client.get(PROFILE).content.decode()
    )

    assert offered == ["sms", "email", "both", "none"]
    assert without_sms == ["email", "none"]


def test_the_profile_of_a_phone_account_shows_the_number_and_offers_an_email(client, lea):
    client.force_login(lea)

    content = client.get(PROFILE).content.decode()

    assert "06 12 34 56 78" in content
    assert "ajouter une adresse" in content
    assert f'href="{CHANGE_PHONE}"' in content


def test_the_profile_page_costs_the_same_queries_with_or_without_a_number(
    client, alice, lea, django_assert_max_num_queries
):
    client.force_login(alice)
    with django_assert_max_num_queries(12) as with_email:
        client.get(PROFILE)
    client.force_login(lea)
    with django_assert_max_num_queries(len(with_email.captured_queries)):
        client.get(PROFILE)


# --- Adding or changing the number ------------------------------------------------------


def test_a_resident_adds_her_number_which_counts_once_the_sms_code_comes_back(
    client, post, alice, sms_outbox
):
    client.force_login(alice)

    response = post(CHANGE_PHONE, {"phone": "07 81 23 45 67"})

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    alice.refresh_from_db()
    assert alice.phone is None
    [message] = sms_outbox()
    assert message["to"] == "+33781234567"

    post(VERIFY, {"code": sms_code(message)})

    alice.refresh_from_db()
    assert alice.phone == "+33781234567"
    assert alice.phone_verified


def test_a_resident_changes_her_number_and_keeps_the_old_one_until_the_code(
    client, post, lea, sms_outbox
):
    client.force_login(lea)

    post(CHANGE_PHONE, {"phone": "07 81 23 45 67"})
    post(VERIFY, {"code": "000000"})

    lea.refresh_from_db()
    assert lea.phone == NUMBER

    post(VERIFY, {"code": sms_code(sms_outbox()[-1])})

    lea.refresh_from_db()
    assert lea.phone == "+33781234567"
    assert lea.phone_verified


def test_a_number_of_another_account_is_refused_only_to_who_received_its_code(
    client, post, alice, lea, sms_outbox
):
    client.force_login(alice)

    post(CHANGE_PHONE, {"phone": "06 12 34 56 78"})
    response = post(VERIFY, {"code": sms_code(sms_outbox()[-1])})

    assert "Un compte existe déjà avec ce numéro." in response.content.decode()
    alice.refresh_from_db()
    assert alice.phone is None


def test_a_foreign_number_is_refused_in_french(client, alice, sms_outbox):
    client.force_login(alice)

    response = client.post(CHANGE_PHONE, {"phone": "+32 470 12 34 56"})

    assert "Seuls les numéros de mobile français" in response.content.decode()
    assert sms_outbox() == []


def test_no_number_can_be_added_while_sms_are_off(client, alice, settings, sms_outbox):
    settings.SMS_ENABLED = False
    client.force_login(alice)

    response = client.post(CHANGE_PHONE, {"phone": "06 12 34 56 78"})

    assert "L&#x27;envoi de SMS n&#x27;est pas activé" in response.content.decode()
    assert sms_outbox() == []


def test_a_phone_account_adds_an_email_address_verified_by_code(client, lea):
    client.force_login(lea)

    client.post(reverse("account_email"), {"action_add": "", "email": "lea@example.org"})
    client.post(reverse("account_email_verification_sent"), {"code": code_in(mail.outbox[-1])})

    lea.refresh_from_db()
    assert lea.email == "lea@example.org"
    assert EmailAddress.objects.get(user=lea).verified


# --- « Mes données » --------------------------------------------------------------------


def test_the_export_holds_the_number_and_the_sms_without_their_codes(client, lea):
    Sms.objects.create(to=NUMBER, body="Votre code est 123456", kind="code", user=lea)
    Sms.objects.create(to=NUMBER, body="Une réponse à votre expression", kind="reponse")
    client.force_login(lea)

    data = json.loads(client.get(reverse("accounts:export")).content)

    assert data["compte"]["profil"]["numero_de_mobile"] == NUMBER
    assert data["compte"]["profil"]["prevenue_par"] == "SMS"
    texts = sorted(sms["texte"] for sms in data["compte"]["sms"])
    assert texts == ["", "Une réponse à votre expression"]


def test_a_phone_account_confirms_its_deletion_with_a_code_by_sms(client, post, lea, sms_outbox):
    Sms.objects.create(to=NUMBER, body="Une réponse à votre expression", kind="reponse")
    client.force_login(lea)
    delete = reverse("accounts:delete")

    post(delete, {"action": "code"})
    [message] = [sms for sms in sms_outbox() if "supprimer" in sms["body"]]
    response = client.post(delete, {"expressions": "supprimer", "code": sms_code(message)})

    assert response.status_code == 302
    lea = User.objects.get(pk=lea.pk)
    assert lea.is_deleted
    assert lea.phone is None
    assert lea.notice_channels() == set()
    assert not Sms.objects.filter(to=NUMBER).exists()
    # The number can make a new account.
    assert UserFactory(email=None, phone=NUMBER).phone == NUMBER
