"""A resident signs up, verifies the address with a code, signs in with a password or a code."""

import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from participation.accounts.models import User

from .conftest import code_in

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-2030"


def form_errors(response) -> str:
    match = re.search(
        r'<div class="form-errors" role="alert">(.*?)</div>', response.content.decode(), re.S
    )
    assert match, "no form error shown"
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()))


def is_signed_in(client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


def test_a_resident_signs_up_types_the_emailed_code_and_is_signed_in(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Lea@Example.org",
            "password1": "un-mot-de-passe-2030",
            "password2": "un-mot-de-passe-2030",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lea@example.org"]

    page = client.get(response["Location"])
    assert "Vérifiez votre adresse électronique" in page.content.decode()

    response = client.post(
        reverse("account_email_verification_sent"), {"code": code_in(mail.outbox[0])}
    )

    assert response.status_code == 302
    assert is_signed_in(client)
    user = User.objects.get(email="lea@example.org")
    assert EmailAddress.objects.get(user=user).verified


def test_a_wrong_verification_code_is_refused_in_french(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "lea@example.org",
            "password1": "un-mot-de-passe-2030",
            "password2": "un-mot-de-passe-2030",
        },
    )

    response = client.post(reverse("account_email_verification_sent"), {"code": "AAAA-AAAA"})

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not is_signed_in(client)


def test_the_sign_up_form_keeps_what_was_typed_and_says_what_is_wrong(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "lea@example.org",
            "password1": "un-mot-de-passe-2030",
            "password2": "autre-chose-2030",
        },
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="lea@example.org"' in content
    assert 'id="id_password2_error"' in content
    assert 'aria-describedby="id_password2_error"' in content
    assert not User.objects.filter(email="lea@example.org").exists()


def test_sign_up_and_login_forms_have_labels_and_autocomplete(client):
    signup = client.get(reverse("account_signup")).content.decode()
    login = client.get(reverse("account_login")).content.decode()

    assert '<label for="id_email">' in signup
    assert 'autocomplete="email"' in signup
    assert signup.count('autocomplete="new-password"') == 2
    assert '<label for="id_login">' in login
    assert 'autocomplete="current-password"' in login
    # The labels are visible: no placeholder repeating them.
    assert "placeholder=" not in signup + login


def test_an_unverified_account_cannot_sign_in_before_typing_the_code(client, db):
    from tests.factories import UserFactory

    UserFactory(email="nouveau@example.org", verified=False)

    response = client.post(
        reverse("account_login"), {"login": "nouveau@example.org", "password": PASSWORD}
    )

    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_signed_in(client)


def test_a_resident_signs_in_with_a_password(client, alice):
    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    # Said in plain French (allauth's own: « Connexion avec Alice réussie. »).
    page = client.get(response["Location"]).content.decode()
    assert '<p class="message message-success">Bonjour Alice, vous êtes connecté·e.</p>' in page
    assert is_signed_in(client)


def test_a_wrong_password_says_so_without_telling_whether_the_email_exists(client, alice):
    wrong_password = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": "pas-le-bon"}
    )
    unknown_email = client.post(
        reverse("account_login"), {"login": "personne@example.org", "password": "pas-le-bon"}
    )

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert form_errors(wrong_password) == form_errors(unknown_email)
    assert "L'adresse électronique ou le mot de passe est incorrect." in form_errors(wrong_password)
    # The address typed is kept, so that only the password needs typing again.
    assert 'value="alice@example.org"' in wrong_password.content.decode()


def test_a_resident_who_forgot_the_password_signs_in_with_an_emailed_code(client, alice):
    response = client.post(reverse("account_request_login_code"), {"email": "alice@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_confirm_login_code")
    assert len(mail.outbox) == 1
    assert "code de connexion" in mail.outbox[0].body

    response = client.post(reverse("account_confirm_login_code"), {"code": code_in(mail.outbox[0])})

    assert response.status_code == 302
    assert is_signed_in(client)


def test_asking_a_code_for_an_unknown_email_looks_the_same(client, alice):
    known = client.post(reverse("account_request_login_code"), {"email": "alice@example.org"})
    unknown = client.post(reverse("account_request_login_code"), {"email": "inconnu@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_a_password_reset_link_lets_the_resident_choose_a_new_password(client, alice):
    response = client.post(reverse("account_reset_password"), {"email": "alice@example.org"})
    assert response["Location"] == reverse("account_reset_password_done")
    link = re.search(r"https?://\S+/comptes/password/reset/key/\S+", mail.outbox[0].body).group(0)

    response = client.get(link, follow=True)
    action = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(
        action, {"password1": "nouveau-mot-de-passe-2030", "password2": "nouveau-mot-de-passe-2030"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("nouveau-mot-de-passe-2030")


def test_too_many_sign_ups_get_a_french_page_not_an_error(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/m/ip"}
    data = {
        "email": "a@example.org",
        "password1": "un-mot-de-passe-2030",
        "password2": "un-mot-de-passe-2030",
    }
    client.post(reverse("account_signup"), data)

    response = client.post(reverse("account_signup"), {**data, "email": "b@example.org"})

    assert response.status_code == 429
    assert "Trop d'essais" in response.content.decode()
    assert '<html lang="fr">' in response.content.decode()


def test_every_account_page_is_in_the_platform_layout(client, alice):
    anonymous = [
        "account_login",
        "account_signup",
        "account_request_login_code",
        "account_reset_password",
        "account_reset_password_done",
    ]
    for name in anonymous:
        content = client.get(reverse(name)).content.decode()
        assert 'class="skip-link"' in content, name
        assert "/static/css/main." in content and "/static/css/accounts." in content, name

    client.force_login(alice)
    for name in ["account_email", "account_change_password", "mfa_index", "account_logout"]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert 'class="skip-link"' in response.content.decode(), name


def test_logout_signs_the_resident_out(client, alice):
    client.force_login(alice)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not is_signed_in(client)


def test_signing_up_with_a_taken_email_looks_like_any_sign_up(client, alice):
    data = {"password1": "un-mot-de-passe-2030", "password2": "un-mot-de-passe-2030"}

    taken = client.post(reverse("account_signup"), {**data, "email": "alice@example.org"})
    client.cookies.clear()
    new = client.post(reverse("account_signup"), {**data, "email": "nouvelle@example.org"})

    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"]
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert User.objects.filter(email="alice@example.org").count() == 1


def test_repeated_wrong_passwords_are_slowed_down_with_a_french_message(client, alice):
    for _ in range(5):
        client.post(
            reverse("account_login"), {"login": "alice@example.org", "password": "pas-le-bon"}
        )

    response = client.post(
        reverse("account_login"), {"login": "alice@example.org", "password": PASSWORD}
    )

    assert "Trop d'essais de connexion" in form_errors(response)
    assert not is_signed_in(client)
