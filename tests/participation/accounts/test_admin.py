"""Only the référent (with TOTP) reaches the admin, and role changes there are audited."""

import pytest
from django.urls import reverse

from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/gestion/admin/"


def test_anonymous_people_are_sent_to_the_platform_login_not_djangos(client):
    response = client.get(ADMIN, follow=True)

    final_url = response.redirect_chain[-1][0]
    assert final_url.startswith(reverse("account_login"))
    assert response.status_code == 200


def test_the_admin_login_form_cannot_bypass_the_second_factor(client, referent):
    response = client.post(
        reverse("admin:login"), {"username": referent.email, "password": "mot-de-passe-solide-2030"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.get(ADMIN).status_code == 302


def test_a_habitant_cannot_reach_the_admin(client, alice):
    client.force_login(alice)

    response = client.get(ADMIN, follow=True)

    assert response.status_code == 403


@pytest.mark.parametrize("fixture", ["mediateur", "comite"])
def test_mediateurs_and_committee_members_cannot_reach_the_admin(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))

    response = client.get(ADMIN, follow=True)

    assert response.status_code == 403


def test_a_referent_without_totp_is_sent_to_activate_it_first(client):
    client.force_login(UserFactory(role=Role.REFERENT, totp=False))

    response = client.get(ADMIN)

    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_referent_reaches_the_admin_and_the_accounts(client, referent, alice):
    client.force_login(referent)

    assert client.get(ADMIN).status_code == 200
    changelist = client.get(reverse("admin:accounts_user_changelist"))
    assert changelist.status_code == 200
    assert "alice@example.org" in changelist.content.decode()
    assert client.get(reverse("admin:accounts_user_change", args=[alice.pk])).status_code == 200


def change(client, user, **data):
    form = {
        "display_name": user.display_name,
        "quartier": "",
        "notify_by": "email",
        "role": user.role,
        "is_active": "on",
        **data,
    }
    return client.post(reverse("admin:accounts_user_change", args=[user.pk]), form)


def test_the_referent_gives_a_role_and_the_change_is_audited(client, referent, alice):
    client.force_login(referent)

    response = change(client, alice, role=Role.MEDIATEUR)

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.MEDIATEUR
    entry = AuditEntry.objects.get(target_type="accounts.user", target_id=str(alice.pk))
    assert entry.actor == referent
    assert entry.action == "compte.acces"
    assert entry.before == {"role": "habitant", "is_active": True, "communes": []}
    assert entry.after == {"role": "mediateur", "is_active": True, "communes": []}


def test_saving_without_changing_role_or_access_writes_no_audit_entry(client, referent, alice):
    client.force_login(referent)

    change(client, alice, display_name="Alice B.")

    assert not AuditEntry.objects.filter(target_id=str(alice.pk)).exists()


def test_deactivating_an_account_is_audited(client, referent, alice):
    client.force_login(referent)

    form = {"display_name": "Alice", "quartier": "", "notify_by": "email", "role": "habitant"}
    client.post(reverse("admin:accounts_user_change", args=[alice.pk]), form)

    alice.refresh_from_db()
    assert not alice.is_active
    assert AuditEntry.objects.get(target_id=str(alice.pk)).after == {
        "role": "habitant",
        "is_active": False,
        "communes": [],
    }


def test_the_referent_cannot_remove_their_own_referent_role(client, referent):
    client.force_login(referent)

    response = change(client, referent, role=Role.HABITANT)

    assert response.status_code == 200
    assert "votre propre rôle" in response.content.decode()
    referent.refresh_from_db()
    assert referent.role == Role.REFERENT


def test_accounts_are_neither_added_nor_deleted_from_the_admin(client, referent, alice):
    client.force_login(referent)

    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert client.get(reverse("admin:accounts_user_delete", args=[alice.pk])).status_code == 403


def test_the_admin_names_every_section_in_french_and_once(client, referent):
    client.force_login(referent)

    page = client.get(ADMIN).content.decode()

    for english in ("Accounts", "Audit", "MFA", "Territory", "Authenticators"):
        assert f">{english}<" not in page, english
    for french in ("Comptes et rôles", "Adresses de connexion", "Double authentification"):
        assert french in page
    assert page.count(">Comptes<") <= 1  # the model of « Comptes et rôles », not a section


def test_the_referent_space_links_to_the_admin_for_the_technical_administrator_only(
    client, referent
):
    client.force_login(referent)
    assert ADMIN not in client.get("/gestion/").content.decode()

    referent.is_superuser = True
    referent.save()
    assert ADMIN in client.get("/gestion/").content.decode()
