"""The profile page: display name, quartier de résidence, email preferences."""

import pytest
from django.urls import reverse

from tests.factories import QuartierFactory

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def test_anonymous_people_are_asked_to_sign_in(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_profile_offers_the_quartiers_and_links_to_email_password_and_2fa(client, alice):
    QuartierFactory(name="Rimbart", short_name="Rimbart", slug="rimbart")
    client.force_login(alice)

    content = client.get(PROFILE).content.decode()

    assert '<select name="quartier"' in content
    assert "Rimbart" in content
    for name in ["account_email", "account_change_password", "mfa_index"]:
        assert f'href="{reverse(name)}"' in content


def test_a_resident_changes_name_quartier_and_email_preference(client, alice):
    rimbart = QuartierFactory(name="Rimbart", slug="rimbart")
    client.force_login(alice)

    response = client.post(
        PROFILE, {"display_name": "  Alice   M. ", "quartier": rimbart.pk, "notify_by": "none"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.display_name == "Alice M."
    assert alice.quartier == rimbart
    assert alice.notify_by == "none"
    assert alice.notice_channels() == set()
    assert "Votre profil est enregistré." in client.get(PROFILE).content.decode()


def test_a_wrong_profile_keeps_what_was_typed_and_explains_in_french(client, alice):
    client.force_login(alice)

    response = client.post(
        PROFILE,
        {"display_name": "alice@example.org", "quartier": "999999", "notify_by": "email"},
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="alice@example.org"' in content
    assert "n&#x27;y mettez pas votre adresse" in content
    assert 'id="id_quartier_error"' in content
    alice.refresh_from_db()
    assert alice.display_name == "Alice"


def test_one_resident_only_ever_edits_their_own_profile(client, alice, bob):
    client.force_login(bob)

    client.post(PROFILE, {"display_name": "Pirate", "notify_by": "email"})

    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.display_name == "Alice"
    assert bob.display_name == "Pirate"
