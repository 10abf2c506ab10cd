"""« Faire venir ses voisins »: an event's page offers to send it by WhatsApp, SMS or email
(and the phone's own sharing, js/share.js), with its public address; not once it is
cancelled or has begun."""

import datetime as dt
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from evenements.models import Evenement

from .factories import EvenementFactory, in_days

pytestmark = pytest.mark.django_db

SITE = "https://participation.auchel.fr"


def links(html: str) -> dict[str, str]:
    section = html.split('<section class="share"', 1)[1].split("</section>", 1)[0]
    hrefs = [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', section)]
    return {urlsplit(href).scheme + ":" + urlsplit(href).netloc: href for href in hrefs}


def test_the_event_is_sent_with_its_title_day_place_and_public_address(client, settings):
    settings.SITE_URL = SITE
    event = EvenementFactory(
        title="Table ronde & goûter", place_name="Salle Jean Jaurès", starts_at=in_days(3, 18)
    )
    address = f"{SITE}/evenements/{event.pk}/"

    found = links(client.get(event.get_absolute_url()).content.decode())

    whatsapp = parse_qs(urlsplit(found["https:wa.me"]).query)["text"][0]
    assert whatsapp.startswith("Table ronde & goûter — ")
    assert "Salle Jean Jaurès. Venez dire ce que vous pensez du quartier : " in whatsapp
    assert whatsapp.endswith(address)
    assert unquote(found["sms:"]).endswith(f"body={whatsapp}")
    mail = parse_qs(urlsplit(found["mailto:"]).query)
    assert mail["subject"] == ["Table ronde & goûter"]
    assert mail["body"] == [whatsapp]


def test_a_cancelled_or_begun_event_is_not_offered_to_share(client):
    cancelled = EvenementFactory(status=Evenement.Status.ANNULE)
    begun = EvenementFactory(starts_at=in_days(0, 0), ends_at=in_days(0, 0) + dt.timedelta(days=2))

    for event in (cancelled, begun):
        assert 'class="share"' not in client.get(event.get_absolute_url()).content.decode()
