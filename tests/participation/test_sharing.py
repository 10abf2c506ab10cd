"""A link shared in a message (WhatsApp, Facebook, an SMS app) shows the page's title and
description with the site's name and picture (Open Graph), at the public address."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from tests.evenements.factories import EvenementFactory

pytestmark = pytest.mark.django_db

SITE = "https://participation.auchel.fr"


def meta(html: str, name: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    assert found, name
    return found[1]


def test_a_shared_event_shows_its_title_when_place_and_the_sites_picture(client, settings):
    settings.SITE_URL = SITE
    event = EvenementFactory(title="Stand du marché de Rimbart", place_name="Place du marché")

    html = client.get(f"{event.get_absolute_url()}?utm=whatsapp").content.decode()

    assert re.search(r"<title>Stand du marché de Rimbart — ", html)
    assert "Place du marché" in meta(html, "description")
    assert meta(html, "og:url") == f"{SITE}{event.get_absolute_url()}"  # no query
    assert meta(html, "og:site_name") == "Quartiers 2030 Auchel"
    image = meta(html, "og:image")
    assert image.startswith(f"{SITE}/static/img/partage") and image.endswith(".png")
    assert meta(html, "twitter:card") == "summary_large_image"


def test_the_shared_picture_is_the_size_it_says():
    path = Path(settings.BASE_DIR) / "static" / "img" / "partage.png"

    with Image.open(path) as picture:
        assert picture.format == "PNG"
        assert picture.size == (1200, 630)
    assert path.stat().st_size < 100_000  # light enough for a slow connection
