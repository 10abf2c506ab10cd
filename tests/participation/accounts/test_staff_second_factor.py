"""Staff roles sign in with a TOTP code, and cannot reach anything before activating it."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from participation.accounts.models import Role
from participation.accounts.rules import (
    has_verified_email,
    mediateur_required,
    referent_required,
)
from tests.factories import UserFactory

from .conftest import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-solide-2030"
ACTIVATE = reverse("mfa_activate_totp")


def is_signed_in(client) -> bool:
    return client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.parametrize("role", [Role.MEDIATEUR, Role.COMITE, Role.REFERENT])
def test_a_staff_sign_in_asks_for_the_authenticator_code(client, role):
    UserFactory(email="equipe@example.org", role=role)

    response = client.post(
        reverse("account_login"), {"login": "equipe@example.org", "password": PASSWORD}
    )

    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_signed_in(client)
    page = client.get(reverse("mfa_authenticate")).content.decode()
    assert 'inputmode="numeric"' in page
    assert 'autocomplete="one-time-code"' in page

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert not is_signed_in(client)

    response = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(settings.DEMO_TOTP_SECRET)}
    )

    assert response.status_code == 302
    assert is_signed_in(client)


LANDING = {
    Role.HABITANT: "/",
    Role.MEDIATEUR: "/moderation/",
    Role.COMITE: "/comite/",
    Role.REFERENT: "/gestion/",
}


def sign_in(client, email: str, *, next_page: str = "") -> str:
    """The password, then the authenticator's code for staff: where the last answer leads."""
    url = reverse("account_login") + (f"?next={next_page}" if next_page else "")
    response = client.post(url, {"login": email, "password": PASSWORD})
    if response["Location"] == reverse("mfa_authenticate"):
        code = totp_code(settings.DEMO_TOTP_SECRET)
        response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize("role", list(LANDING))
def test_each_role_lands_on_its_work_after_signing_in(client, role):
    UserFactory(email="equipe@example.org", role=role)

    landed = sign_in(client, "equipe@example.org")

    assert landed == LANDING[role]
    assert client.get(landed).status_code == 200


@pytest.mark.parametrize("role", [Role.HABITANT, Role.MEDIATEUR])
def test_a_page_asked_for_before_signing_in_still_wins(client, role):
    UserFactory(email="equipe@example.org", role=role)

    assert sign_in(client, "equipe@example.org", next_page="/evenements/") == "/evenements/"


def test_a_staff_sign_in_by_emailed_code_still_asks_for_the_authenticator_code(client, mediateur):
    from django.core import mail

    from .conftest import code_in

    client.post(reverse("account_request_login_code"), {"email": mediateur.email})
    response = client.post(reverse("account_confirm_login_code"), {"code": code_in(mail.outbox[0])})

    assert response["Location"] == reverse("mfa_authenticate")
    assert not is_signed_in(client)


@pytest.mark.parametrize("role", [Role.MEDIATEUR, Role.COMITE, Role.REFERENT])
def test_staff_without_totp_are_sent_to_activate_it_from_every_page(client, role):
    user = UserFactory(role=role, totp=False)
    client.force_login(user)

    for path in [
        "/",
        reverse("accounts:profile"),
        reverse("admin:index"),
        reverse("core:mentions_legales"),
    ]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == ACTIVATE, path


def test_residents_are_never_asked_for_a_second_factor(client, alice):
    client.force_login(alice)

    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_a_new_mediateur_activates_totp_on_a_clear_french_page_and_then_gets_in(client):
    UserFactory(email="nouvelle@example.org", role=Role.MEDIATEUR, totp=False)

    response = client.post(
        reverse("account_login"),
        {"login": "nouvelle@example.org", "password": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == ACTIVATE
    page = response.content.decode()
    assert "Activer la double authentification" in page
    assert "application d'authentification" in page or "application d&#x27;authentification" in page
    assert '<img src="data:image/svg+xml;base64,' in page
    secret = (
        re.search(r'<code id="authenticator_secret">([A-Z2-7 ]+)</code>', page)
        .group(1)
        .replace(" ", "")
    )

    wrong = client.post(ACTIVATE, {"code": "123456"})
    assert wrong.status_code == 200
    assert 'class="error"' in wrong.content.decode()

    response = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user__email="nouvelle@example.org", type="totp").exists()
    recovery = client.get(response["Location"])
    assert recovery.status_code == 200
    assert "Codes de secours" in recovery.content.decode()
    assert client.get("/").status_code == 200


def test_staff_cannot_turn_their_second_factor_off(client, mediateur):
    client.post(reverse("account_login"), {"login": mediateur.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(settings.DEMO_TOTP_SECRET)})
    assert is_signed_in(client)
    assert reverse("mfa_deactivate_totp") not in client.get(reverse("mfa_index")).content.decode()

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert Authenticator.objects.filter(user=mediateur, type="totp").exists()


def test_a_resident_may_turn_an_optional_second_factor_off(client, alice):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(alice, settings.DEMO_TOTP_SECRET)
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(settings.DEMO_TOTP_SECRET)})

    response = client.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=alice, type="totp").exists()


def view(request):
    return HttpResponse("ok")


@pytest.mark.parametrize(
    ("decorator", "allowed"),
    [
        (mediateur_required, {Role.MEDIATEUR, Role.REFERENT}),
        (referent_required, {Role.REFERENT}),
    ],
)
def test_role_helpers_let_in_only_their_roles_with_totp(decorator, allowed):
    protected = decorator(view)
    for role in Role.values:
        for totp in (True, False):
            user = UserFactory(role=role, totp=totp)
            request = RequestFactory().get("/equipe/")
            request.user = user
            if role in allowed and (totp or role == Role.HABITANT):
                assert protected(request).status_code == 200, (role, totp)
            else:
                with pytest.raises(PermissionDenied):
                    protected(request)


def test_role_helpers_send_anonymous_people_to_the_login_page():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/equipe/")
    request.user = AnonymousUser()

    response = mediateur_required(view)(request)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_has_verified_email_tells_verified_from_unverified_accounts(alice):
    from django.contrib.auth.models import AnonymousUser

    assert has_verified_email(alice)
    assert not has_verified_email(UserFactory(verified=False))
    assert not has_verified_email(AnonymousUser())


def test_removing_the_authenticator_takes_effect_on_the_next_page(client, mediateur):
    """has_totp() is kept in the cache: removing or adding an authenticator empties it."""
    client.force_login(mediateur)
    assert client.get(reverse("consultations:moderation_queue")).status_code == 200

    Authenticator.objects.filter(user=mediateur).delete()
    assert client.get(reverse("consultations:moderation_queue"))["Location"] == ACTIVATE

    Authenticator.objects.create(
        user=mediateur, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    assert client.get(reverse("consultations:moderation_queue")).status_code == 200
