"""« Mes expressions »: one card per message, the step in plain words first, readable on a
phone (no table wider than the screen)."""

import html

import pytest
from django.urls import reverse

from consultations.models import Status

from .factories import ExpressionFactory

pytestmark = pytest.mark.django_db

URL = "/mes-expressions/"


def text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Status.SOUMISE, "En attente de lecture"),
        (Status.PUBLIEE, "Publiée"),
        (Status.REJETEE, "Non publiée"),
        (Status.FUSIONNEE, "Regroupée avec un message semblable"),
        (Status.TRANSMISE, "Transmise pour réponse"),
        (Status.EXAMINEE, "Examinée, réponse à venir"),
        (Status.REPONDUE, "Réponse reçue"),
    ],
)
def test_each_card_says_its_step_in_plain_words(client_for, alice, status, words):
    ExpressionFactory(author=alice, status=status, text="Le square est sale.")

    page = text(client_for(alice).get(URL))

    card = page[page.index('<li class="my-expression') :]
    card = card[: card.index("</li>")]
    assert words in card and "Le square est sale." in card


def test_the_list_is_cards_not_a_table_and_leads_back_to_my_space(client_for, alice):
    ExpressionFactory.create_batch(3, author=alice)

    page = text(client_for(alice).get(URL))

    assert "<table" not in page and "table-scroll" not in page
    assert page.count('<li class="my-expression') == 3
    assert f'href="{reverse("accounts:my_space")}"' in page


def test_with_nothing_said_yet_it_says_how_to_start(client_for, alice):
    page = text(client_for(alice).get(URL))

    assert "Vous n'avez encore rien dit." in page
    assert f'href="{reverse("consultations:expression_create")}"' in page
