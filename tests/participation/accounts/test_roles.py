"""The référent gives and takes roles from a French page, asked to confirm first; the
platform keeps a référent, asks any new staff member for a second factor, and audits it all."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from participation.accounts import services
from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from tests.factories import UserFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def change_url(account) -> str:
    return reverse("referent_role_change", args=[account.pk])


def test_a_role_change_is_audited_with_before_and_after(referent, alice):
    assert services.change_role(alice, role=Role.MEDIATEUR, actor=referent)

    alice.refresh_from_db()
    assert alice.role == Role.MEDIATEUR
    entry = AuditEntry.objects.get(action="compte.acces", target_id=str(alice.pk))
    assert (entry.before["role"], entry.after["role"]) == (Role.HABITANT, Role.MEDIATEUR)
    assert entry.actor == referent


def test_giving_the_same_role_again_changes_nothing(referent, mediateur):
    assert not services.change_role(mediateur, role=Role.MEDIATEUR, actor=referent)
    assert not AuditEntry.objects.exists()


def test_only_a_referent_gives_roles(mediateur, alice):
    with pytest.raises(PermissionDenied):
        services.change_role(alice, role=Role.MEDIATEUR, actor=mediateur)


def test_the_last_referent_cannot_give_up_the_role(referent):
    with pytest.raises(services.RoleChangeRefused, match="dernier compte référent"):
        services.change_role(referent, role=Role.HABITANT, actor=referent)

    referent.refresh_from_db()
    assert referent.role == Role.REFERENT


def test_a_referent_may_step_down_when_another_one_remains(referent):
    UserFactory(role=Role.REFERENT)

    services.change_role(referent, role=Role.MEDIATEUR, actor=referent)

    referent.refresh_from_db()
    assert referent.role == Role.MEDIATEUR


def test_the_page_asks_to_confirm_before_changing_a_role(client_for, referent, alice):
    client = client_for(referent)

    asked = client.post(change_url(alice), {"role": Role.MEDIATEUR})

    page = asked.content.decode()
    assert "Confirmez le changement" in page
    assert "devra activer la double authentification" in page
    alice.refresh_from_db()
    assert alice.role == Role.HABITANT

    done = client.post(change_url(alice), {"role": Role.MEDIATEUR, "confirmed": "True"})

    assert done["Location"] == reverse("referent_roles")
    alice.refresh_from_db()
    assert alice.role == Role.MEDIATEUR


def test_the_last_referent_is_told_why_in_french_and_keeps_the_choice(client_for, referent):
    response = client_for(referent).post(
        change_url(referent), {"role": Role.HABITANT, "confirmed": "True"}
    )

    page = response.content.decode()
    assert "C&#x27;est le dernier compte référent·e" in page
    assert 'value="habitant" id="id_role_0" required checked' in page
    assert 'value="referent" id="id_role_3" required>' in page


def test_a_new_mediator_must_set_up_the_second_factor_at_the_next_page(
    client_for, referent, alice, client
):
    services.change_role(alice, role=Role.MEDIATEUR, actor=referent)

    client.force_login(alice)
    response = client.get(reverse("consultations:moderation_queue"))

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_roles_page_lists_staff_by_role_and_finds_anyone_by_name_or_address(
    client_for, referent, mediateur, comite
):
    UserFactory(email="lea.martin@example.org", display_name="Léa")
    client = client_for(referent)

    staff = client.get(reverse("referent_roles")).content.decode()
    found = client.get(reverse("referent_roles"), {"q": "lea.mar"}).content.decode()

    assert mediateur.email in staff and comite.email in staff
    assert "lea.martin@example.org" not in staff
    assert "lea.martin@example.org" in found


def test_the_roles_page_reads_a_fixed_number_of_queries(client_for, referent):
    client = client_for(referent)
    urls = [reverse("referent_roles"), reverse("referent_roles") + "?q=example", "/gestion/"]
    UserFactory(role=Role.MEDIATEUR)
    few = [page_queries(client, url) for url in urls]

    for role in (Role.MEDIATEUR, Role.COMITE, Role.HABITANT) * 4:
        UserFactory(role=role)

    assert [page_queries(client, url) for url in urls] == few


def test_the_referent_space_counts_the_staff_by_role(client_for, referent, mediateur):
    UserFactory(role=Role.MEDIATEUR)

    page = client_for(referent).get(reverse("referent_space")).content.decode()

    assert "2 médiateur·rices" in page
    assert "1 référent·e" in page
    assert reverse("referent_roles") in page
