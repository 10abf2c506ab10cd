"""The dashboard's figures are computed once per scope and filters, and kept for a minute."""

import pytest

from tests.factories import UserFactory

from .factories import InstanceFactory, routed

URL = "/comite/"


@pytest.fixture
def kept(settings, cache_clock):
    settings.DASHBOARD_CACHE_SECONDS = 60
    return cache_clock


def total(response) -> str:
    page = response.content.decode()
    return page.split("data-live-total>", 1)[1].split("<", 1)[0]


@pytest.mark.django_db
def test_the_figures_are_kept_for_a_minute_then_computed_again(
    client_for, comite, instance_a, rimbart, kept
):
    routed(instance_a, quartier=rimbart)
    client = client_for(comite)
    first = client.get(URL)
    assert total(first) == "1"
    assert "recalculés au plus toutes les 60 secondes" in first.content.decode()

    routed(instance_a, quartier=rimbart)
    kept.advance(30)
    assert total(client.get(URL)) == "1"  # the same figures, with the time they were computed

    kept.advance(31)
    assert total(client.get(URL)) == "2"


@pytest.mark.django_db
def test_members_of_other_instances_never_get_each_others_figures(
    client, comite, claire, instance_a, instance_b, rimbart, referent, kept
):
    routed(instance_a, quartier=rimbart)
    routed(instance_a, quartier=rimbart)
    routed(instance_b, quartier=rimbart, text="Seulement pour le bailleur.")

    client.force_login(comite)
    assert total(client.get(URL)) == "2"
    client.force_login(claire)
    page = client.get(URL)
    assert total(page) == "1"
    assert "Bailleur Maisons" in page.content.decode()
    client.force_login(referent)
    assert total(client.get(URL)) == "3"

    # Another member of instance A shares Paul's figures; the filters have their own.
    colleague = UserFactory(role=comite.role)
    instance_a.members.add(colleague)
    client.force_login(colleague)
    assert total(client.get(URL)) == "2"
    assert total(client.get(URL, {"quartier": "cite-5"})) == "0"


@pytest.mark.django_db
def test_a_new_instance_is_a_new_scope(client_for, comite, instance_a, rimbart, kept):
    routed(instance_a, quartier=rimbart)
    client = client_for(comite)
    assert total(client.get(URL)) == "1"
    other = InstanceFactory(name="Conseil citoyen", slug="conseil", members=[comite])
    routed(other, quartier=rimbart)
    assert total(client.get(URL)) == "2"


@pytest.mark.django_db(transaction=True)
def test_routing_tagging_or_answering_shows_at_once(
    client_for, comite, mediateur, instance_a, rimbart, kept
):
    from consultations.models import Status
    from consultations.moderation import aiguillage, services
    from tests.consultations.factories import ExpressionFactory

    routed(instance_a, quartier=rimbart)
    client = client_for(comite)
    assert total(client.get(URL)) == "1"

    published = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE)
    aiguillage.route(published, actor=mediateur, instances=[instance_a])
    assert total(client.get(URL)) == "2"  # « Actualiser les chiffres » shows it

    tag = services.create_etiquette("Éclairage public", actor=mediateur)
    services.set_etiquettes(published, actor=mediateur, etiquettes=[tag])
    assert "Éclairage public" in client.get(URL).content.decode()  # in the filter at once
