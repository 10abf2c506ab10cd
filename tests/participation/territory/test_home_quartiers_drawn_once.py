"""The home page's quartiers are drawn once per content (``core.views.home``): an edit of a
quartier or of its commune, however it is made, shows at once; a resident's own quartier
comes first for her and for nobody else; the easy-to-read version keeps its own words."""

import re

from participation.core.easyread import COOKIE_NAME, EASY
from participation.territory.models import Commune, Quartier
from tests.factories import UserFactory


def quartier_names(client) -> list[str]:
    response = client.get("/")
    assert response.status_code == 200
    section = response.content.decode().split('<section id="quartiers"', 1)[1]
    return re.findall(r'<a href="/quartiers/[^"]+/">([^<]+)</a>', section)


def section(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode().split('<section id="quartiers"', 1)[1]


def test_an_edited_quartier_shows_at_once(client, referentiel):
    section(client)

    # Even without ``save()`` (an import, an update in bulk): the drawing follows what is read.
    Quartier.objects.filter(slug="rimbart").update(
        summary="Un quartier de cités minières autour du stade", population=2345
    )

    shown = section(client)
    assert "Un quartier de cités minières autour du stade" in shown
    assert "2\xa0345 habitants" in shown


def test_a_second_commune_shows_its_heading_at_once(client, referentiel):
    assert "commune-heading" not in section(client)

    other = Commune.objects.create(
        name="Lozinghem", slug="lozinghem", agglomeration=Commune.objects.first().agglomeration
    )
    Quartier.objects.filter(slug="rimbart").update(commune=other)

    shown = section(client)
    assert '<h3 class="commune-heading">Lozinghem</h3>' in shown
    assert '<h3 class="commune-heading">Auchel</h3>' in shown


def test_her_own_quartier_first_for_her_only(client, referentiel):
    everyone = quartier_names(client)
    rimbart = Quartier.objects.get(slug="rimbart")
    assert everyone[0] != rimbart.name

    client.force_login(UserFactory(quartier=rimbart))
    assert quartier_names(client)[0] == rimbart.name

    client.logout()
    assert quartier_names(client) == everyone


def test_the_easy_to_read_version_keeps_its_words(client, referentiel):
    assert "On les appelle les quartiers prioritaires." not in section(client)

    client.cookies[COOKIE_NAME] = EASY
    assert "On les appelle les quartiers prioritaires." in section(client)

    client.cookies.pop(COOKIE_NAME)
    assert "On les appelle les quartiers" not in section(client)
