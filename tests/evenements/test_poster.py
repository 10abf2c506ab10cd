"""An event's A4 poster (``/evenements/<pk>/affiche/``): what, when, where, how to come, a QR
code to its page at the public address, and the mediation's phone for whoever has no
Internet. The QR code is read back by OpenCV's detector, a judge we did not write."""

import html
import re

import cv2
import numpy as np
import pytest
from django.urls import reverse

from evenements.models import Evenement
from participation.core.qr import qr_svg
from participation.territory.models import Commune
from tests.communes import two_communes
from tests.queries import page_queries

from .factories import EvenementFactory, in_days

pytestmark = pytest.mark.django_db

SITE = "https://participation.auchel.fr"


def poster_url(event) -> str:
    return reverse("evenements:poster", kwargs={"pk": event.pk})


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def decoded(svg: str) -> str:
    """Draw the SVG's modules (its path of unit squares) as pixels and read them back."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg)[1])
    pixels = np.full((size, size), 255, np.uint8)
    for x, y in re.findall(r"M(\d+),(\d+)H", svg):
        pixels[int(y), int(x)] = 0
    value, _, _ = cv2.QRCodeDetector().detectAndDecode(
        cv2.resize(pixels, (size * 10, size * 10), interpolation=cv2.INTER_NEAREST)
    )
    return value


@pytest.fixture
def world(settings):
    settings.SITE_URL = SITE
    return two_communes()


def test_the_poster_says_what_when_where_and_how_to_come(client, world):
    Commune.objects.filter(pk=world.auchel.pk).update(
        mediation_phone="+33353012030", mediation_hours="Du lundi au vendredi, 9 h – 12 h"
    )
    event = EvenementFactory(
        title="Table ronde : la propreté de Rimbart",
        place_name="Salle Jean Jaurès",
        address="12 rue Jean Jaurès, 62260 Auchel",
        quartiers=[world.rimbart],
        registration_required=False,
        starts_at=in_days(5, 18),
    )

    response = client.get(poster_url(event))

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Table ronde : la propreté de Rimbart</h1>" in page
    assert "Salle Jean Jaurès" in page and "12 rue Jean Jaurès, 62260 Auchel" in page
    assert "Quartier : Rimbart" in page
    assert "Entrée libre et gratuite, sans inscription." in page
    assert "Sans Internet ? Appelez la médiation :" in page
    assert "03 53 01 20 30" in page
    assert f"participation.auchel.fr/evenements/{event.pk}/" in page
    assert 'href="/static/css/poster.css"' in page or "/static/css/poster" in page


def test_its_qr_code_leads_to_the_event_page_at_the_public_address(client, world):
    event = EvenementFactory(quartiers=[world.rimbart])

    svg = re.search(r"<svg .*?</svg>", client.get(poster_url(event)).content.decode(), re.S)[0]

    assert decoded(svg) == f"{SITE}/evenements/{event.pk}/"
    assert 'aria-hidden="true"' in svg  # the page says it in words


def test_a_qr_code_of_a_long_address_still_reads_back():
    url = f"{SITE}/evenements/123456/?quartier=provinces-longues-trinques"

    assert decoded(str(qr_svg(url))) == url


def test_registration_a_cancelled_event_and_a_draft(client, world):
    required = EvenementFactory(quartiers=[world.rimbart], registration_required=True)
    cancelled = EvenementFactory(
        quartiers=[world.rimbart],
        status=Evenement.Status.ANNULE,
        cancellation_reason="Intempéries",
    )
    draft = EvenementFactory(quartiers=[world.rimbart], status=Evenement.Status.BROUILLON)

    assert "Sur inscription, gratuit" in text(client.get(poster_url(required)))
    shown = text(client.get(poster_url(cancelled)))
    assert "<strong>Annulé</strong> — Intempéries" in shown
    assert "Sur inscription" not in shown and "Entrée libre" not in shown
    assert client.get(poster_url(draft)).status_code == 404
    assert client.get(reverse("evenements:poster", kwargs={"pk": 999999})).status_code == 404


def test_the_event_page_offers_the_poster(client, world):
    event = EvenementFactory(quartiers=[world.rimbart])

    assert f'href="{poster_url(event)}"' in client.get(event.get_absolute_url()).content.decode()


def test_an_event_of_an_intercommunal_quartier_gives_each_communes_phone(client, world):
    Commune.objects.filter(pk=world.auchel.pk).update(mediation_phone="+33353012030")
    Commune.objects.filter(pk=world.lozinghem.pk).update(mediation_phone="+33353012031")
    event = EvenementFactory(quartiers=[world.cite_5])

    page = text(client.get(poster_url(event)))

    assert 'Auchel : <span class="poster-phone">03 53 01 20 30</span>' in page
    assert 'Lozinghem : <span class="poster-phone">03 53 01 20 31</span>' in page


def test_the_poster_reads_the_same_number_of_queries_whatever_the_event(client, world):
    one = EvenementFactory(quartiers=[world.rimbart])
    many = EvenementFactory(quartiers=[world.rimbart, world.cite_b, world.cite_5])
    Commune.objects.update(mediation_phone="+33353012030")

    assert page_queries(client, poster_url(one)) == page_queries(client, poster_url(many))
