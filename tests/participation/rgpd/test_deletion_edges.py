"""Edges of account deletion: the code's quarter of an hour, the limit on codes asked, the
stored emails and two-factor keys that go with the account, and a second deletion."""

import datetime
import re

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from participation.accounts import rgpd
from participation.accounts.models import User
from participation.audit.models import AuditEntry
from participation.notifications.models import Email, Sms
from participation.notifications.services import queue_email
from tests.factories import UserFactory

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

DELETE = reverse("accounts:delete")
MONDAY_MORNING = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
WRONG_OR_EXPIRED = "Ce code n&#x27;est pas le bon ou n&#x27;est plus valable"
TOO_MANY = re.compile(r"Trop d&#x27;essais\. Attendez \d+ minute\(s\) avant de réessayer\.")
CODE_SENT = "Un code vient d&#x27;être envoyé"


def emailed_code(message) -> str:
    return re.search(r"^\s*(\d{6})\s*$", message.body, re.MULTILINE).group(1)


def ask_code(client):
    """Press « Recevoir un code », and read the page it leads back to."""
    return client.post(DELETE, {"action": "code"}, follow=True).content.decode()


@pytest.fixture
def alice_without_password(alice):
    alice.set_unusable_password()
    alice.save()
    return alice


@pytest.fixture
def lea(db):
    """A resident who signed up with her mobile number alone: her codes come by SMS."""
    return UserFactory(
        email=None, phone="+33612345678", phone_verified=True, display_name="Léa", password=None
    )


# --- The code is valid for a quarter of an hour ---------------------------------------


def code_typed_after(client, delay: datetime.timedelta):
    """A code asked on Monday morning, typed ``delay`` later: the deletion page's answer."""
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        ask_code(client)
        (message,) = mail.outbox
        clock.shift(delay)
        return client.post(DELETE, {"expressions": "garder", "code": emailed_code(message)})


def test_a_code_typed_after_a_quarter_of_an_hour_is_refused_and_nothing_is_deleted(
    client_for, alice_without_password
):
    alice = alice_without_password
    response = code_typed_after(
        client_for(alice), rgpd.CODE_VALIDITY + datetime.timedelta(seconds=1)
    )

    page = response.content.decode()
    assert WRONG_OR_EXPIRED in page
    # The page no longer speaks of a code on its way: she is offered a fresh one.
    assert "Recevoir un code par courriel" in page
    assert "Recevoir un nouveau code" not in page
    alice.refresh_from_db()
    assert alice.is_active and not alice.is_deleted
    assert alice.email == "alice@example.org"
    assert EmailAddress.objects.filter(user=alice).exists()
    assert not AuditEntry.objects.filter(action="compte.suppression").exists()


def test_a_code_typed_just_before_the_quarter_of_an_hour_ends_still_deletes(
    client_for, alice_without_password
):
    alice = alice_without_password
    code_typed_after(client_for(alice), rgpd.CODE_VALIDITY - datetime.timedelta(seconds=1))

    alice.refresh_from_db()
    assert alice.is_deleted


def test_the_email_says_how_long_the_code_is_valid(client_for, alice_without_password):
    ask_code(client_for(alice_without_password))

    (message,) = mail.outbox
    assert "15 minutes" in message.body


# --- Codes asked: three per quarter of an hour ----------------------------------------


def test_a_fourth_code_asked_within_a_quarter_of_an_hour_is_refused_and_not_sent(
    client_for, alice_without_password
):
    alice = alice_without_password
    with time_machine.travel(MONDAY_MORNING, tick=False):
        client = client_for(alice)
        for _request in range(3):
            assert CODE_SENT in ask_code(client)
        last = mail.outbox[-1]

        page = ask_code(client)

        assert TOO_MANY.search(page)
        assert CODE_SENT not in page
        assert len(mail.outbox) == 3
        # The refused request did not replace the code already on its way.
        client.post(DELETE, {"expressions": "garder", "code": emailed_code(last)})

    alice.refresh_from_db()
    assert alice.is_deleted


def test_a_fourth_code_by_sms_is_refused_and_no_sms_is_queued(client_for, lea):
    with time_machine.travel(MONDAY_MORNING, tick=False):
        client = client_for(lea)
        for _request in range(3):
            ask_code(client)
        assert Sms.objects.filter(user=lea, kind="code").count() == 3

        page = ask_code(client)

    assert TOO_MANY.search(page)
    assert Sms.objects.filter(user=lea, kind="code").count() == 3


def test_codes_can_be_asked_again_once_the_quarter_of_an_hour_is_over(
    client_for, alice_without_password
):
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        client = client_for(alice_without_password)
        for _request in range(4):
            ask_code(client)
        clock.shift(datetime.timedelta(minutes=15, seconds=1))

        page = ask_code(client)

    assert CODE_SENT in page
    assert len(mail.outbox) == 4


# --- What else goes with the account ----------------------------------------------------


def test_deletion_removes_the_emails_stored_for_every_address_of_the_person(client_for, alice, bob):
    EmailAddress.objects.create(user=alice, email="alice.martin@example.org", verified=True)
    queue_email(to="alice@example.org", subject="Votre expression est publiée", body="Bonjour")
    queue_email(to="alice.martin@example.org", subject="Rappel : atelier", body="Alice Martin")
    queue_email(to="bob@example.org", subject="Votre expression est publiée", body="Bonjour")

    client_for(alice).post(DELETE, {"expressions": "garder", "password": PASSWORD})

    alice.refresh_from_db()
    assert alice.is_deleted
    assert not Email.objects.filter(to__in=["alice@example.org", "alice.martin@example.org"])
    assert Email.objects.filter(to="bob@example.org").count() == 1  # other people's stay


def test_deletion_removes_the_two_factor_keys_and_recovery_codes(client_for, alice, bob):
    TOTP.activate(alice, settings.DEMO_TOTP_SECRET)
    RecoveryCodes.activate(alice)
    TOTP.activate(bob, settings.DEMO_TOTP_SECRET)
    assert Authenticator.objects.filter(user=alice).count() == 2

    client_for(alice).post(DELETE, {"expressions": "garder", "password": PASSWORD})

    alice.refresh_from_db()
    assert alice.is_deleted
    assert not Authenticator.objects.filter(user=alice).exists()
    assert Authenticator.objects.filter(user=bob).count() == 1


# --- A second deletion ---------------------------------------------------------------------


def test_a_deleted_account_cannot_be_deleted_a_second_time(client_for, alice):
    other_device = Client()
    other_device.force_login(alice)
    client_for(alice).post(DELETE, {"expressions": "garder", "password": PASSWORD})
    alice.refresh_from_db()
    deleted_at = alice.deleted_at

    # From a browser still holding an old session: sent to the sign-in page.
    response = other_device.post(DELETE, {"expressions": "supprimer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Through the service itself: refused, with the reason.
    with pytest.raises(PermissionDenied, match="ne peut pas être supprimé depuis cette page"):
        rgpd.delete_account(alice, keep_public_expressions=False)

    alice.refresh_from_db()
    assert alice.deleted_at == deleted_at
    assert AuditEntry.objects.filter(action="compte.suppression", actor=alice).count() == 1


def test_a_deletion_racing_one_that_already_erased_the_account_changes_nothing(alice):
    # Two requests loaded the account before either deleted it: the second one holds a copy
    # that still looks active, and must find out under the row's lock.
    second_request_copy = User.objects.get(pk=alice.pk)
    rgpd.delete_account(alice, keep_public_expressions=True)
    alice.refresh_from_db()
    deleted_at = alice.deleted_at

    with pytest.raises(PermissionDenied, match="Ce compte est déjà supprimé."):
        rgpd.delete_account(second_request_copy, keep_public_expressions=False)

    alice.refresh_from_db()
    assert alice.deleted_at == deleted_at
    (entry,) = AuditEntry.objects.filter(action="compte.suppression", actor=alice)
    assert entry.after == {"keep_public_expressions": True}  # the first choice stands
