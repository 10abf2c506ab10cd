"""The event form: the objectives of the chosen quartiers only, and a place within reach of
Auchel's quartiers."""

import html
import re

import pytest

from evenements.forms import EvenementForm
from evenements.models import Evenement
from tests.factories import EnjeuFactory, ObjectifFactory, QuartierFactory

from .test_gestion import form_data

pytestmark = pytest.mark.django_db

CREATE = "/evenements/gestion/nouveau/"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def rimbart():
    return QuartierFactory(short_name="Rimbart")


@pytest.fixture
def cite5():
    return QuartierFactory(short_name="Cité 5")


def shown_groups(page: str) -> set[str]:
    """The quartiers whose objectives are shown (their group has no ``hidden``)."""
    return set(re.findall(r'data-objectifs-quartier="(\d+)">', page))


def test_the_form_shows_only_the_objectives_of_the_chosen_quartiers_by_enjeu(
    client_for, referent, rimbart, cite5
):
    enjeu = EnjeuFactory(number=2, title="Emploi", plain_title="Trouver un travail")
    mine = ObjectifFactory(quartier=rimbart, enjeu=enjeu, operationnel="Atelier CV à Rimbart")
    other = ObjectifFactory(quartier=cite5, enjeu=enjeu, operationnel="Chantier école à Cité 5")
    client = client_for(referent)

    page = text(client.get(CREATE))
    assert shown_groups(page) == set()
    assert "Choisissez d'abord un ou plusieurs quartiers" in page

    page = text(client.post(CREATE, form_data(rimbart, title="Tapé avant", afficher_objectifs="1")))
    assert shown_groups(page) == {str(rimbart.pk)}
    assert "Enjeu 2 : Trouver un travail" in page
    assert f'value="{mine.pk}"' in page
    # The other quartier's objectives are in the page for the script, but hidden.
    assert f'data-objectifs-quartier="{cite5.pk}" hidden' in page
    assert f'value="{other.pk}"' in page


def test_the_no_javascript_button_redraws_the_form_keeping_what_was_typed_and_saves_nothing(
    client_for, referent, rimbart
):
    response = client_for(referent).post(
        CREATE,
        form_data(rimbart, title="Ma table ronde tapée", afficher_objectifs="1", capacity=""),
    )
    page = text(response)
    assert response.status_code == 200
    assert 'value="Ma table ronde tapée"' in page
    assert 'value="2030-03-04T17:30"' in page
    assert re.search(rf'value="{rimbart.pk}"[^>]*checked', page)
    assert "Certaines informations sont à corriger" not in page  # nothing validated
    assert not Evenement.objects.exists()


def test_an_objective_of_a_quartier_not_chosen_is_refused_in_french(
    client_for, referent, rimbart, cite5
):
    stray = ObjectifFactory(quartier=cite5, operationnel="Jardins partagés")
    response = client_for(referent).post(
        CREATE, form_data(rimbart, title="Gardé", objectifs=[stray.pk])
    )
    page = text(response)
    assert response.status_code == 200
    assert (
        "L'objectif « Jardins partagés » est celui du quartier Cité 5, qui n'est pas choisi : "
        "cochez ce quartier ou décochez l'objectif." in page
    )
    # Its group stays shown so that the error is seen where it is.
    assert str(cite5.pk) in shown_groups(page)
    assert 'value="Gardé"' in page
    assert not Evenement.objects.exists()


def test_objectives_of_the_chosen_quartiers_are_accepted(rimbart, cite5):
    objectifs = [ObjectifFactory(quartier=rimbart), ObjectifFactory(quartier=cite5)]
    form = EvenementForm(
        form_data(rimbart, quartiers=[rimbart.pk, cite5.pk], objectifs=[o.pk for o in objectifs])
    )
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["objectifs"]) == set(objectifs)


@pytest.mark.parametrize(
    ("latitude", "longitude", "field", "message"),
    [
        ("48.8566", "2.3522", "latitude", "la latitude doit être comprise entre 50,47 et 50,55"),
        ("50.5085", "3.0573", "longitude", "la longitude doit être comprise entre 2,40 et 2,54"),
        ("2.4740", "50.5085", "latitude", "loin des quartiers d'Auchel"),
    ],
)
def test_a_place_far_from_auchel_is_refused_in_french(rimbart, latitude, longitude, field, message):
    form = EvenementForm(form_data(rimbart, latitude=latitude, longitude=longitude))
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_a_place_in_the_quartiers_is_accepted(rimbart):
    form = EvenementForm(form_data(rimbart, latitude="50.514600", longitude="2.462100"))
    assert form.is_valid(), form.errors


def test_the_form_offers_a_map_with_the_quartiers_centres(client_for, referent):
    QuartierFactory(code="QP 06 20 06", short_name="Rimbart")
    page = text(client_for(referent).get(CREATE))
    assert "data-place-picker" in page
    assert '"name": "Rimbart"' in page
    assert "js/evenements-form" in page
    # Without JavaScript the coordinates are typed: the fields are there.
    assert 'name="latitude"' in page and 'name="longitude"' in page
