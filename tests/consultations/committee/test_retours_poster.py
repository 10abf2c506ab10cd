"""« Vous avez dit, nous avons fait » of a quartier on an A4 poster: the latest answers and
what each answers, a QR code to every answer and the mediation's phone, for residents who
do not come to the platform. What is private stays off it, as on the page."""

import html

import pytest
from django.urls import reverse

from participation.territory.models import Commune
from tests.queries import page_queries

pytestmark = pytest.mark.django_db


def poster(client, quartier) -> str:
    response = client.get(reverse("consultations:retours_poster", kwargs={"slug": quartier.slug}))
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


def test_the_poster_holds_the_quartiers_latest_answers_and_what_they_answer(
    client, answered, rimbart, settings
):
    settings.SITE_URL = "https://participation.auchel.fr"
    Commune.objects.filter(pk=rimbart.commune_id).update(mediation_phone="+33353012030")

    page = poster(client, rimbart)

    assert "<h1>Vous avez dit, nous avons fait</h1>" in page
    assert "Retenue</span> — Présence le soir" in page
    assert "« Des médiateurs le soir, s'il vous plaît. » (et une autre expression)" in page
    assert "Deux médiateurs le soir dès mars." in page
    # What is private never reaches the wall; another quartier's answer neither.
    assert "Mon voisin du 12 me menace." not in page
    assert "Gérard Secret" not in page
    assert "Le terrain est étudié." not in page
    assert "participation.auchel.fr/vous-avez-dit-nous-avons-fait/" in page
    assert "03 53 01 20 30" in page


def test_a_quartier_without_answers_says_they_will_come(client, rimbart):
    assert "Pas encore de réponse pour ce quartier" in poster(client, rimbart)


def test_the_answers_page_offers_it_and_an_unknown_quartier_has_none(client, rimbart):
    page = client.get(reverse("consultations:retours_quartier", kwargs={"slug": rimbart.slug}))

    assert reverse("consultations:retours_poster", kwargs={"slug": rimbart.slug}) in (
        page.content.decode()
    )
    unknown = reverse("consultations:retours_poster", kwargs={"slug": "nulle-part"})
    assert client.get(unknown).status_code == 404


def test_the_poster_reads_the_same_number_of_queries_with_or_without_answers(
    client, answered, rimbart, cite5
):
    def url(quartier):
        return reverse("consultations:retours_poster", kwargs={"slug": quartier.slug})

    assert page_queries(client, url(rimbart)) == page_queries(client, url(cite5))
