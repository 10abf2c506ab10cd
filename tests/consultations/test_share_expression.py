"""« Le faire savoir »: a published public expression can be sent to neighbours (WhatsApp,
SMS, email, the phone's own sharing sheet) so that they say « moi aussi »; its link shows its
first words. One that is waiting, private or hidden offers nothing and says nothing."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from consultations.models import Status, Visibility
from tests.factories import UserFactory

from .factories import ExpressionFactory

pytestmark = pytest.mark.django_db

SITE = "https://participation.auchel.fr"
TEXT = "Il faudrait des bancs à l'ombre près du city-stade & une fontaine."


def meta_description(html: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)"', html)[1]


def test_a_published_expression_is_sent_with_its_words_and_public_address(
    client, settings, rimbart
):
    settings.SITE_URL = SITE
    expression = ExpressionFactory(
        quartier=rimbart,
        status=Status.PUBLIEE,
        visibility=Visibility.PUBLIC_NAMED,
        author=UserFactory(display_name="Camille"),
        text=TEXT,
    )

    html = client.get(expression.get_absolute_url()).content.decode()

    section = html.split('<section class="share"', 1)[1].split("</section>", 1)[0]
    whatsapp = re.search(r'href="(https://wa\.me/[^"]+)"', section)[1].replace("&amp;", "&")
    text = parse_qs(urlsplit(whatsapp).query)["text"][0]
    assert text == (
        f"Camille a dit : « {TEXT} » Vous aussi ? Dites « moi aussi » : "
        f"{SITE}/expressions/{expression.pk}/"
    )
    assert "Camille a dit : « Il faudrait des bancs" in meta_description(html).replace(
        "&#x27;", "'"
    )


@pytest.mark.parametrize(
    ("status", "visibility"),
    [
        (Status.SOUMISE, Visibility.PUBLIC_ANONYMOUS),
        (Status.PUBLIEE, Visibility.PRIVATE),
    ],
)
def test_one_not_listed_offers_nothing_and_its_link_says_nothing(
    client, rimbart, status, visibility
):
    author = UserFactory()
    expression = ExpressionFactory(
        quartier=rimbart, status=status, visibility=visibility, author=author, text=TEXT
    )
    client.force_login(author)

    html = client.get(expression.get_absolute_url()).content.decode()

    assert 'class="share"' not in html
    assert "bancs" not in meta_description(html)
