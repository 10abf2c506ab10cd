"""The « Facile à lire » version: a switch on every page, kept in a cookie, that changes the
words of six pages (and only their words: same data, same number of queries), and that the
anonymous page cache keeps apart from the usual version."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participation.core import easyread
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory
from tests.factories import QuartierFactory

SWITCH = "/lecture-facile/"

# Each page, a sentence of its usual version and a sentence of its « Facile à lire » one.
PAGES = {
    "accueil": (
        "/",
        "Les médiateurs de la commune lisent chaque message",
        "Un médiateur travaille pour la mairie.",
    ),
    "comment ça marche": (
        "/pilotage/",
        "Comment le contrat de ville est piloté",
        "Le contrat de ville est une promesse écrite.",
    ),
    "événements": (
        "/evenements/",
        "Stands, tables rondes, temps d'information",
        "Pour certaines rencontres, il faut s'inscrire.",
    ),
    "joindre un médiateur": (
        "/mediation/",
        "Les médiateur·rices de la commune vous écoutent et vous aident",
        "Vous n'avez pas besoin d'adresse e-mail.",
    ),
    "réponses": (
        "/vous-avez-dit-nous-avons-fait/",
        "ce que les habitant·es d'Auchel ont dit, les plus récentes d'abord.",
        "La mairie et ses partenaires ont parlé de ces avis en réunion.",
    ),
}


@pytest.fixture
def quartier(db):
    rimbart = QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")
    EvenementFactory(quartiers=[rimbart])
    return rimbart


def easy(client):
    client.cookies[easyread.COOKIE_NAME] = easyread.EASY
    return client


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured), text(response)


# --- The switch ------------------------------------------------------------------------


def test_the_switch_keeps_the_easy_version_for_a_year_and_goes_back_to_the_page(client, db):
    response = client.get(SWITCH, {"version": "facile", "next": "/evenements/?quartier=rimbart"})

    assert response.status_code == 302
    assert response["Location"] == "/evenements/?quartier=rimbart"
    cookie = response.cookies[easyread.COOKIE_NAME]
    assert cookie.value == "facile"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax" and cookie["httponly"]


def test_the_usual_version_removes_the_cookie(client, db):
    easy(client)
    response = client.get(SWITCH, {"version": "habituelle", "next": "/pilotage/"})

    assert response["Location"] == "/pilotage/"
    assert response.cookies[easyread.COOKIE_NAME].value == ""
    assert response.cookies[easyread.COOKIE_NAME]["max-age"] == 0


@pytest.mark.parametrize(
    "target",
    ["https://ailleurs.example/", "//ailleurs.example/", "/\\ailleurs.example/", "javascript:x"],
)
def test_the_switch_never_sends_anyone_to_another_site(client, db, target):
    response = client.get(SWITCH, {"version": "facile", "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_version_changes_nothing(client, db):
    response = client.get(SWITCH, {"version": "autre", "next": "/pilotage/"})

    assert response["Location"] == "/pilotage/"
    assert easyread.COOKIE_NAME not in response.cookies


def test_the_switch_only_answers_get(client, db):
    assert client.post(SWITCH, {"version": "facile"}).status_code == 405


@pytest.mark.parametrize("url", ["/", "/pilotage/", "/mentions-legales/"])
def test_every_page_offers_the_switch_back_to_where_it_is(client, quartier, url):
    usual = text(client.get(url))
    assert f'href="{SWITCH}?version=facile&amp;next={url}"' in usual
    assert "Facile à lire" in usual and 'class="easy-read"' not in usual

    easy_page = text(easy(client).get(url))
    assert f'href="{SWITCH}?version=habituelle&amp;next={url}"' in easy_page
    assert "Version habituelle" in easy_page and 'class="easy-read"' in easy_page
    assert "css/easy-read" in easy_page and "css/easy-read" not in usual


def test_the_listen_button_is_hidden_until_the_script_finds_speech_synthesis(client, db):
    page = text(client.get("/"))

    assert 'data-listen data-listen-start="Écouter" data-listen-stop="Arrêter" hidden>' in page
    assert "/static/js/listen." in page


# --- The five pages --------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_the_easy_version_changes_the_words_of_the_page_and_not_its_queries(client, quartier, page):
    url, usual_sentence, easy_sentence = PAGES[page]
    # The first reading after a quartier is created counts its expressions once (tally.py):
    # both versions are compared after it.
    client.get(url)
    usual_count, usual = queries(client, url)
    easy_count, easy_page = queries(easy(client), url)

    assert usual_sentence in usual and easy_sentence not in usual
    assert easy_sentence in easy_page and usual_sentence not in easy_page
    assert easy_count == usual_count


def test_the_events_stay_the_same_in_the_easy_version(client, quartier):
    EvenementFactory(quartiers=[quartier], title="Table ronde du square")

    assert "Table ronde du square" in text(easy(client).get("/evenements/"))


def test_the_expression_form_helps_in_easy_words(client_for, alice, quartier):
    client = client_for(alice)
    url = reverse("consultations:expression_create")
    client.get(url)  # the session and the counts of the header, read once and kept
    usual_count, usual = queries(client, url)
    easy_count, easy_page = queries(easy(client), url)

    assert "Comment faire\u00a0?" not in usual
    assert "Ce n'est pas grave si vous faites des fautes." in easy_page
    assert "Comment faire\u00a0?" in easy_page
    # The fields' own help, in easy words too, still read with their field.
    assert 'id="id_text_helptext">Dites ce qui va bien' in easy_page
    assert "Tout le monde. Mon nom n&#x27;est pas écrit." in easy_page
    assert "Tout le monde. Mon nom n&#x27;est pas écrit." not in usual
    assert easy_count == usual_count


def test_the_expression_form_keeps_its_easy_help_when_it_comes_back(client_for, alice, quartier):
    client = easy(client_for(alice))
    response = client.post(
        reverse("consultations:expression_create"),
        {"quartier": quartier.pk, "text": "", "visibility": "anonyme"},
    )

    assert 'id="id_text_helptext">Dites ce qui va bien' in response.content.decode()


def test_the_answers_of_one_quartier_are_introduced_in_easy_words(client, quartier):
    ExpressionFactory(quartier=quartier)
    page = text(easy(client).get(reverse("consultations:retours_quartier", args=["rimbart"])))

    assert (
        "vous lisez les réponses de la mairie et de ses partenaires aux habitants de Rimbart."
        in page
    )


# --- The anonymous page cache ----------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_the_page_cache_keeps_the_two_versions_apart(client, settings, cache_clock, quartier, page):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 5
    url, usual_sentence, easy_sentence = PAGES[page]

    first_usual = client.get(url)
    first_easy = easy(client).get(url)
    again_easy = client.get(url)
    del client.cookies[easyread.COOKIE_NAME]
    again_usual = client.get(url)

    assert first_usual["X-Cache"] == "miss" and first_easy["X-Cache"] == "miss"
    assert again_easy["X-Cache"] == "hit" and again_usual["X-Cache"] == "hit"
    assert easy_sentence in text(again_easy) and usual_sentence not in text(again_easy)
    assert usual_sentence in text(again_usual) and easy_sentence not in text(again_usual)
