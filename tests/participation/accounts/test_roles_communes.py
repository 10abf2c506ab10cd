"""Roles by commune (issue 18, point 4): the roles page shows each staff account's communes;
a référent given communes manages the residents and the staff of her communes only, gives
only her communes, and every change is audited with the communes before and after."""

import html

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from participation.accounts import scope, services
from participation.accounts.models import Role
from participation.audit.models import AuditEntry
from tests.communes import two_communes
from tests.factories import UserFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

ROLES = "/gestion/roles/"


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def change_url(account) -> str:
    return reverse("referent_role_change", args=[account.pk])


@pytest.fixture
def world():
    return two_communes()


def test_the_roles_page_shows_each_staff_accounts_communes(client_for, world):
    page = text(client_for(world.referent_all).get(ROLES))

    assert "mediateur-b@example.org" in page
    assert "— Lozinghem" in page
    assert "— Toutes les communes" in page  # the platform-wide référent


def test_a_referent_given_communes_sees_only_the_staff_of_her_communes(client_for, world):
    page = text(client_for(world.referent_b).get(ROLES))

    assert "mediateur-b@example.org" in page
    assert "referente-b@example.org" in page
    assert "mediatrice-a@example.org" not in page
    assert "referente-a@example.org" not in page
    assert "referente-agglo@example.org" not in page


def test_her_search_finds_residents_but_not_the_staff_of_other_communes(client_for, world):
    UserFactory(email="habitante@example.org")

    page = text(client_for(world.referent_b).get(ROLES, {"q": "example.org"}))

    assert "habitante@example.org" in page
    assert "mediatrice-a@example.org" not in page
    assert "referente-agglo@example.org" not in page


def test_the_staff_of_other_communes_do_not_exist_on_her_role_page(client_for, world):
    client = client_for(world.referent_b)

    for account in (world.mediateur_a, world.referent_a, world.referent_all):
        assert client.get(change_url(account)).status_code == 404
        response = client.post(change_url(account), {"role": "habitant", "confirmed": "True"})
        assert response.status_code == 404
        account.refresh_from_db()
        assert account.role != Role.HABITANT
    assert client.get(change_url(world.mediateur_b)).status_code == 200


def test_she_promotes_a_resident_who_then_works_for_her_communes(client_for, world):
    alice = UserFactory(email="alice@example.org")

    response = client_for(world.referent_b).post(
        change_url(alice), {"role": "mediateur", "confirmed": "True"}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.role == Role.MEDIATEUR
    assert list(alice.communes.all()) == [world.lozinghem]
    entry = AuditEntry.objects.get(action="compte.acces", target_id=str(alice.pk))
    assert entry.before == {"role": "habitant", "is_active": True, "communes": []}
    assert entry.after == {"role": "mediateur", "is_active": True, "communes": ["lozinghem"]}


def test_the_role_form_offers_her_communes_only_and_refuses_another_in_french(client_for, world):
    alice = UserFactory(email="alice@example.org")
    client = client_for(world.referent_b)

    form = text(client.get(change_url(alice)))
    response = client.post(
        change_url(alice),
        {"role": "mediateur", "communes": [world.auchel.pk], "confirmed": "True"},
    )

    assert f'name="communes" value="{world.lozinghem.pk}"' in form
    assert f'name="communes" value="{world.auchel.pk}"' not in form
    assert response.status_code == 200
    assert "Cette commune n'est pas l'une des vôtres" in text(response)
    alice.refresh_from_db()
    assert alice.role == Role.HABITANT


def test_a_platform_wide_referent_gives_and_takes_communes_audited(client_for, world):
    client = client_for(world.referent_all)

    client.post(
        change_url(world.mediateur_b),
        {"role": "mediateur", "communes": [world.auchel.pk, world.lozinghem.pk]},
    )  # the first screen asks to confirm: nothing changes yet
    assert list(world.mediateur_b.communes.all()) == [world.lozinghem]
    response = client.post(
        change_url(world.mediateur_b),
        {
            "role": "mediateur",
            "communes": [world.auchel.pk, world.lozinghem.pk],
            "confirmed": "True",
        },
    )

    assert response.status_code == 302
    assert set(world.mediateur_b.communes.all()) == {world.auchel, world.lozinghem}
    entry = AuditEntry.objects.get(action="compte.acces", target_id=str(world.mediateur_b.pk))
    assert entry.before["communes"] == ["lozinghem"]
    assert entry.after["communes"] == ["auchel", "lozinghem"]

    client.post(change_url(world.mediateur_b), {"role": "mediateur", "confirmed": "True"})
    assert not world.mediateur_b.communes.exists()  # the whole platform now


def test_change_role_enforces_her_communes(world):
    alice = UserFactory(email="alice@example.org")

    with pytest.raises(PermissionDenied):
        services.change_role(world.mediateur_a, role=Role.HABITANT, actor=world.referent_b)
    with pytest.raises(PermissionDenied):
        services.change_role(world.referent_all, role=Role.MEDIATEUR, actor=world.referent_b)
    with pytest.raises(services.RoleChangeRefused, match="parmi les vôtres"):
        services.change_role(
            alice, role=Role.MEDIATEUR, actor=world.referent_b, communes=[world.auchel]
        )
    with pytest.raises(services.RoleChangeRefused, match="parmi les vôtres"):
        services.change_role(alice, role=Role.MEDIATEUR, actor=world.referent_b, communes=[])


def test_the_scope_is_read_again_after_the_communes_changed(world):
    mediateur = world.mediateur_b
    assert scope.commune_ids(mediateur) == {world.lozinghem.pk}

    services.change_role(
        mediateur, role=Role.MEDIATEUR, actor=world.referent_all, communes=[world.auchel]
    )

    assert scope.commune_ids(mediateur) == {world.auchel.pk}


def test_the_referent_space_counts_the_staff_of_her_communes(client_for, world):
    page = text(client_for(world.referent_b).get("/gestion/"))

    assert "1 référent·e, 1 médiateur·rice" in page


def test_the_roles_pages_run_a_constant_number_of_queries(client_for, world):
    client = client_for(world.referent_b)
    urls = [ROLES, f"{ROLES}?q=example.org", change_url(world.mediateur_b)]
    few = [page_queries(client, url) for url in urls]
    for number in range(6):
        UserFactory(role=Role.MEDIATEUR, communes=[world.lozinghem, world.auchel][: number % 2 + 1])
        UserFactory(role=Role.COMITE, communes=[world.lozinghem])
        UserFactory(email=f"habitant{number}@example.org")

    assert [page_queries(client, url) for url in urls] == few
