"""The référent creates an instance and seats its members on one screen: a resident added
becomes « membre d'une instance » at the same moment; every change is audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from consultations.gestion import services
from consultations.models import Instance
from participation.accounts.models import Role
from participation.accounts.services import change_role
from participation.audit.models import AuditEntry
from tests.consultations.committee.factories import InstanceFactory
from tests.factories import UserFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def add_url(instance) -> str:
    return reverse("consultations:gestion_instance_member_add", args=[instance.slug])


def test_the_referent_creates_an_instance_audited_and_lands_on_its_members(client_for, referent):
    response = client_for(referent).post(
        reverse("consultations:gestion_instance_create"),
        {"name": "Conseil citoyen de Rimbart", "slug": "conseil-rimbart", "kind": "autre"},
    )

    instance = Instance.objects.get(slug="conseil-rimbart")
    assert response["Location"] == reverse("consultations:gestion_instance", args=[instance.slug])
    assert AuditEntry.objects.filter(action="instance.creee", actor=referent).exists()


def test_an_instance_name_already_taken_is_refused_in_french_keeping_the_input(
    client_for, referent
):
    InstanceFactory(name="Comité de pilotage")

    response = client_for(referent).post(
        reverse("consultations:gestion_instance_create"),
        {"name": "Comité de pilotage", "slug": "autre", "description": "Un rôle bien décrit"},
    )

    page = response.content.decode()
    assert "Une instance porte déjà ce nom." in page
    assert "Un rôle bien décrit" in page


def test_a_resident_added_to_an_instance_becomes_a_committee_member_on_the_same_screen(
    client_for, referent, alice
):
    instance = InstanceFactory()

    response = client_for(referent).post(
        add_url(instance), {"email": alice.email.upper(), "give_comite_role": "on"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.COMITE
    assert list(instance.members.all()) == [alice]
    assert AuditEntry.objects.filter(action="compte.acces", target_id=str(alice.pk)).exists()
    entry = AuditEntry.objects.get(action="instance.membre_ajoute")
    assert entry.after == {"member": alice.email, "role_given": True}


def test_a_resident_is_not_seated_without_the_role_and_the_page_says_why(
    client_for, referent, alice
):
    instance = InstanceFactory()

    response = client_for(referent).post(add_url(instance), {"email": alice.email})

    page = response.content.decode()
    assert "cochez la case pour le lui donner" in page
    assert f'value="{alice.email}"' in page
    alice.refresh_from_db()
    assert alice.role == Role.HABITANT
    assert not instance.members.exists()


def test_a_mediator_is_not_seated_nor_loses_their_role(referent, mediateur):
    instance = InstanceFactory()

    with pytest.raises(services.Refused):
        services.add_member(instance, mediateur, actor=referent, give_comite_role=True)

    mediateur.refresh_from_db()
    assert mediateur.role == Role.MEDIATEUR
    assert not instance.members.exists()


def test_an_unknown_address_is_refused_in_french(client_for, referent):
    instance = InstanceFactory()

    response = client_for(referent).post(add_url(instance), {"email": "inconnue@example.org"})

    assert "Aucun compte n&#x27;a cette adresse." in response.content.decode()


def test_adding_twice_seats_the_person_once(client_for, referent, comite):
    instance = InstanceFactory()
    client = client_for(referent)

    client.post(add_url(instance), {"email": comite.email})
    client.post(add_url(instance), {"email": comite.email})

    assert instance.members.count() == 1
    assert AuditEntry.objects.filter(action="instance.membre_ajoute").count() == 1


def test_removing_a_member_keeps_their_role_and_is_audited(client_for, referent, comite):
    instance = InstanceFactory(members=[comite])

    client_for(referent).post(
        reverse("consultations:gestion_instance_member_remove", args=[instance.slug, comite.pk])
    )

    assert not instance.members.exists()
    comite.refresh_from_db()
    assert comite.role == Role.COMITE
    assert AuditEntry.objects.filter(action="instance.membre_retire").count() == 1


def test_only_the_referent_seats_members(mediateur, alice):
    with pytest.raises(PermissionDenied):
        services.add_member(InstanceFactory(), alice, actor=mediateur, give_comite_role=True)


def test_the_instance_pages_read_a_fixed_number_of_queries(client_for, referent):
    client = client_for(referent)
    instance = InstanceFactory(members=[UserFactory(role=Role.COMITE)])
    pages = [
        reverse("consultations:gestion_instances"),
        reverse("consultations:gestion_instance", args=[instance.slug]),
        reverse("referent_space"),
    ]
    few = [page_queries(client, url) for url in pages]

    members = [UserFactory(role=Role.COMITE) for _ in range(5)]
    instance.members.add(*members)
    for _ in range(4):
        InstanceFactory(members=members[:2])

    assert [page_queries(client, url) for url in pages] == few


def test_the_referent_space_lists_the_instances_with_their_member_counts(
    client_for, referent, comite
):
    InstanceFactory(name="Conseil consultatif PRE", members=[comite])

    page = client_for(referent).get(reverse("referent_space")).content.decode()

    assert "Conseil consultatif PRE" in page
    assert "1 membre" in page


def test_losing_the_committee_role_takes_the_person_out_of_every_instance_audited(
    client_for, referent, comite
):
    cspcs, pre = InstanceFactory(members=[comite]), InstanceFactory(members=[comite])
    other = InstanceFactory()

    change_role(comite, role=Role.HABITANT, actor=referent, reason="Fin de mandat")

    assert not Instance.objects.filter(members=comite).exists()
    entries = AuditEntry.objects.filter(action="instance.membre_retire")
    # Compared as a set: target_id is text, and « 100 » sorts before « 99 ».
    assert sorted(entry.target_id for entry in entries) == sorted([str(cspcs.pk), str(pre.pk)])
    assert all(entry.actor == referent for entry in entries)
    assert all("Rôle « " in entry.reason for entry in entries)
    assert not AuditEntry.objects.filter(target_id=str(other.pk)).exists()
    page = client_for(referent).get(reverse("consultations:gestion_instance", args=[cspcs.slug]))
    assert comite.email not in page.content.decode()


def test_a_committee_member_who_becomes_referent_keeps_their_seats(referent, comite):
    instance = InstanceFactory(members=[comite])

    change_role(comite, role=Role.REFERENT, actor=referent)

    assert list(instance.members.all()) == [comite]
    assert not AuditEntry.objects.filter(action="instance.membre_retire").exists()
