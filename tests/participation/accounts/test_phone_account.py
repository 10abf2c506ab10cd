"""A resident signs up and signs in with a French mobile number and a code sent by SMS."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from consultations import rules
from participation.accounts.models import NotifyBy, User
from participation.accounts.phone import parse_french_mobile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup_phone")
VERIFY = reverse("account_verify_phone")
REQUEST_CODE = reverse("account_request_login_code")
CONFIRM_CODE = reverse("account_confirm_login_code")
NUMBER = "+33612345678"


def sms_code(message: dict) -> str:
    match = re.search(r"\b(\d{6})\b", message["body"])
    assert match, message["body"]
    return match.group(1)


def is_signed_in(client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """``client.post``, then what runs after the commit (the SMS are sent then); ``by`` is
    another browser."""

    def post(url, data, by=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return (by or client).post(url, data, **extra)

    return post


@pytest.fixture
def lea(db):
    """A resident who signed up with her mobile number alone."""
    return UserFactory(
        email=None, phone=NUMBER, phone_verified=True, display_name="Léa", password=None
    )


# --- Numbers as people type them ---------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["06 12 34 56 78", "06.12.34.56.78", "0612345678", "+33 6 12 34 56 78", "0033612345678"],
)
def test_a_french_mobile_number_is_read_with_spaces_dots_or_country_code(typed):
    assert parse_french_mobile(typed) == NUMBER


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("03 21 61 00 00", "n'est pas un numéro de mobile"),
        ("+32 470 12 34 56", "Seuls les numéros de mobile français"),
        ("+49 151 12345678", "Seuls les numéros de mobile français"),
        ("06 12 34", "n'est pas complet"),
        ("zéro six douze", "n'est pas complet"),
    ],
)
def test_other_numbers_are_refused_with_a_french_reason(typed, reason):
    with pytest.raises(ValidationError) as refused:
        parse_french_mobile(typed)

    assert reason in refused.value.messages[0]


# --- Sign-up -------------------------------------------------------------------------


def test_a_resident_signs_up_with_a_mobile_number_alone_and_the_sms_code(post, client, sms_outbox):
    response = post(SIGNUP, {"phone": "06 12 34 56 78"})

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert not is_signed_in(client)
    [message] = sms_outbox()
    assert message["to"] == NUMBER
    assert message["kind"] == "code"
    page = client.get(VERIFY).content.decode()
    assert "06 12 34 56 78" in page

    response = post(VERIFY, {"code": sms_code(message)})

    assert response.status_code == 302
    assert is_signed_in(client)
    lea = User.objects.get(phone=NUMBER)
    assert lea.email is None
    assert lea.phone_verified
    assert not lea.has_usable_password()
    assert lea.notify_by == NotifyBy.SMS
    assert lea.notice_channels() == {"sms"}


def test_a_wrong_number_keeps_what_was_typed_and_says_why_in_french(post, client, sms_outbox):
    response = post(SIGNUP, {"phone": "03 21 61 00 00"})

    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="03 21 61 00 00"' in content
    assert "n&#x27;est pas un numéro de mobile" in content
    assert not User.objects.exists()
    assert sms_outbox() == []


def test_signing_up_with_a_number_that_has_an_account_looks_the_same_and_tells_its_owner(
    post, client, lea, sms_outbox
):
    response = post(SIGNUP, {"phone": "06 12 34 56 78"})

    assert response.status_code == 302
    assert response["Location"] == VERIFY
    assert User.objects.count() == 1
    [message] = sms_outbox()
    assert message["to"] == NUMBER
    assert "déjà un compte" in message["body"]
    assert not re.search(r"\d{6}", message["body"])
    # The code page is the one a new number gets; no code can open it.
    assert "Entrez le code reçu par SMS" in client.get(VERIFY).content.decode()
    post(VERIFY, {"code": "000000"})
    assert not is_signed_in(client)


def test_a_sign_up_code_no_longer_works_after_15_minutes(post, client, sms_outbox):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False):
        post(SIGNUP, {"phone": "06 12 34 56 78"})
        [message] = sms_outbox()
    with time_machine.travel(
        datetime.datetime(2026, 3, 2, 10, 16, tzinfo=datetime.UTC), tick=False
    ):
        post(VERIFY, {"code": sms_code(message)})

        assert not is_signed_in(client)
    assert not User.objects.get(phone=NUMBER).phone_verified


def test_three_wrong_codes_end_the_attempt(post, client, sms_outbox):
    post(SIGNUP, {"phone": "06 12 34 56 78"})
    [message] = sms_outbox()

    for _attempt in range(3):
        post(VERIFY, {"code": "000000"})
    post(VERIFY, {"code": sms_code(message)})

    assert not is_signed_in(client)


def test_the_phone_sign_up_is_not_offered_while_sms_are_off(client, settings):
    settings.SMS_ENABLED = False

    assert client.get(SIGNUP).status_code == 404
    assert (
        reverse("accounts:signup_phone")
        not in client.get(reverse("account_signup")).content.decode()
    )


# --- Sign-in by code -------------------------------------------------------------------


def test_a_resident_signs_in_with_her_number_and_the_sms_code(post, client, lea, sms_outbox):
    response = post(REQUEST_CODE, {"phone": "06.12.34.56.78"})

    assert response.status_code == 302
    assert response["Location"].startswith(CONFIRM_CODE)
    [message] = sms_outbox()
    assert message["to"] == NUMBER

    post(CONFIRM_CODE, {"code": sms_code(message)})

    assert is_signed_in(client)


def test_an_unknown_number_gets_the_same_answer_and_no_sms(post, client, sms_outbox):
    response = post(REQUEST_CODE, {"phone": "06 99 99 99 99"})

    assert response.status_code == 302
    assert response["Location"].startswith(CONFIRM_CODE)
    page = client.get(response["Location"]).content.decode()
    assert "Si un compte existe pour le <strong>06 99 99 99 99</strong>" in page
    assert sms_outbox() == []


def test_codes_by_sms_are_limited_per_number_whatever_the_client(
    post, client, lea, sms_outbox, settings
):
    settings.ACCOUNT_RATE_LIMITS = False  # allauth's own bursts, tested by allauth
    settings.SMS_CODE_RATE_PER_NUMBER = "2/d"

    for address in ["10.0.0.1", "10.0.0.2", "10.0.0.3"]:
        post(REQUEST_CODE, {"phone": "06 12 34 56 78"}, by=Client(), REMOTE_ADDR=address)

    assert len(sms_outbox()) == 2


def test_codes_by_sms_are_limited_per_client_whatever_the_number(
    post, client, sms_outbox, settings
):
    settings.ACCOUNT_RATE_LIMITS = False
    settings.SMS_CODE_RATE_PER_CLIENT = "2/d"
    for n in range(3):
        UserFactory(email=None, phone=f"+3361234560{n}", phone_verified=True)

    for n in range(3):
        browser = Client()
        response = post(REQUEST_CODE, {"phone": f"06 12 34 56 0{n}"}, by=browser)
    page = browser.get(response["Location"]).content.decode()

    assert len(sms_outbox()) == 2
    assert "Trop de codes ont été demandés" in page


def test_the_limit_counts_unknown_numbers_too_so_it_tells_nothing(
    post, client, sms_outbox, settings
):
    settings.ACCOUNT_RATE_LIMITS = False
    settings.SMS_CODE_RATE_PER_CLIENT = "1/d"

    post(REQUEST_CODE, {"phone": "06 99 99 99 99"}, by=Client())
    response = post(REQUEST_CODE, {"phone": "06 98 98 98 98"})

    assert "Trop de codes ont été demandés" in client.get(response["Location"]).content.decode()


def test_the_password_form_still_signs_in_by_email(client, alice):
    response = client.post(
        reverse("account_login"),
        {"login": "alice@example.org", "password": "mot-de-passe-solide-2030"},
    )

    assert response.status_code == 302
    assert is_signed_in(client)


def test_a_resident_with_a_verified_number_and_no_email_may_post_an_expression(lea):
    assert rules.can_submit(lea)
    assert not rules.can_submit(UserFactory(email=None, phone="+33611111111"))


def test_a_number_typed_in_the_password_form_is_sent_to_the_sign_in_code(client, lea):
    response = client.post(
        reverse("account_login"), {"login": "06 12 34 56 78", "password": "quelque-chose"}
    )

    assert "Avec un numéro de mobile, choisissez" in response.content.decode()
    assert not is_signed_in(client)


def test_the_code_page_says_in_french_where_the_code_went(post, client, sms_outbox):
    response = post(SIGNUP, {"phone": "06 12 34 56 78"})

    page = client.get(response["Location"]).content.decode()

    assert "Un code vient d&#x27;être envoyé par SMS au 06 12 34 56 78." in page
