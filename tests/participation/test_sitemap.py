"""``/sitemap.xml`` lists the public pages (each app's, and every event the public may see);
``/robots.txt`` names it and asks crawlers to leave the private areas. The judge of what
robots.txt allows is Protego, Scrapy's parser, which reads the wildcards search engines read."""

import re
import xml.etree.ElementTree as ET

import pytest
from protego import Protego

from evenements.models import Evenement
from tests.consultations.factories import ConsultationFactory
from tests.evenements.factories import EvenementFactory
from tests.factories import QuartierFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "https://participation.auchel.fr"


@pytest.fixture
def world(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["participation.auchel.fr", "testserver"]
    rimbart = QuartierFactory(slug="rimbart", name="Rimbart")
    events = {
        status: EvenementFactory(title=f"Événement {status}", status=status, quartiers=[rimbart])
        for status in Evenement.Status.values
    }
    consultation = ConsultationFactory(title="Table ronde jeunesse", quartiers=[rimbart])
    return {"rimbart": rimbart, "events": events, "consultation": consultation}


def get(client, path: str):
    return client.get(path, HTTP_HOST="participation.auchel.fr", secure=True)


def locations(client, path: str) -> list[str]:
    response = get(client, path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own sitemap, in a test
    return [loc.text for loc in root.iterfind(".//s:loc", NS)]


def every_listed_page(client) -> list[str]:
    sections = locations(client, "/sitemap.xml")
    return [url for section in sections for url in locations(client, section.removeprefix(SITE))]


def robots(client) -> Protego:
    response = get(client, "/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return Protego.parse(response.content.decode())


def test_the_sitemap_lists_the_public_pages_and_every_event_the_public_may_see(client, world):
    pages = every_listed_page(client)

    assert f"{SITE}/" in pages
    assert f"{SITE}/quartiers/rimbart/" in pages
    assert f"{SITE}/vous-avez-dit-nous-avons-fait/rimbart/" in pages
    assert f"{SITE}/mediation/" in pages
    assert f"{SITE}{world['consultation'].get_absolute_url()}" in pages
    events = world["events"]
    assert f"{SITE}{events[Evenement.Status.PUBLIE].get_absolute_url()}" in pages
    assert f"{SITE}{events[Evenement.Status.ANNULE].get_absolute_url()}" in pages  # says so
    assert f"{SITE}{events[Evenement.Status.BROUILLON].get_absolute_url()}" not in pages
    assert len(pages) == len(set(pages))


def test_every_listed_page_opens_to_anyone_and_robots_lets_crawlers_read_it(client, world):
    parser = robots(client)

    for url in every_listed_page(client):
        assert get(client, url.removeprefix(SITE)).status_code == 200, url
        assert parser.can_fetch(url, "Googlebot"), url


@pytest.mark.parametrize(
    "path",
    [
        "/moderation/",
        "/comite/seances/",
        "/gestion/",
        "/gestion/referentiel/",
        "/compte/profil/",
        "/comptes/login/",
        "/notifications/",
        "/mes-expressions/",
        "/expressions/nouvelle/",
        "/evenements/mes-inscriptions/",
        "/evenements/gestion/",
        "/evenements/12/inscription/",
        "/evenements/12/desinscription/",
        "/terrain/",
        "/api/expressions/",
        "/lecture-facile/?version=facile&next=/",
    ],
)
def test_robots_asks_crawlers_to_leave_the_private_areas(client, world, path):
    assert not robots(client).can_fetch(f"{SITE}{path}", "Googlebot")


def test_robots_names_the_sitemap_at_the_public_address(client, world):
    parser = robots(client)

    assert list(parser.sitemaps) == [f"{SITE}/sitemap.xml"]
    assert parser.can_fetch(f"{SITE}/evenements/12/", "Googlebot")
    assert parser.can_fetch(f"{SITE}/expressions/12/", "Googlebot")


def test_an_event_says_when_it_last_changed(client, world):
    event = world["events"][Evenement.Status.ANNULE]
    section = get(client, "/sitemap-evenements.xml").content.decode()

    entry = section.split(f"{SITE}{event.get_absolute_url()}</loc>", 1)[1].split("</url>")[0]
    assert f"<lastmod>{event.updated_at.date().isoformat()}" in entry


def test_the_events_section_reads_the_same_queries_whatever_the_number_of_events(client, world):
    section = next(
        url.removeprefix(SITE)
        for url in locations(client, "/sitemap.xml")
        if re.search(r"/sitemap-evenements\.xml$", url)
    )
    few = page_queries(client, section)
    EvenementFactory.create_batch(12, quartiers=[world["rimbart"]])

    assert page_queries(client, section) == few
