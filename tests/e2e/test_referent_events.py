"""The référent creates an event without the Django admin, on a phone-sized screen: from the
home page, by clicking, to « Espace référent »; a draft for Rimbart (only Rimbart's
objectives are offered), the place picked on the map, the preview, not public yet, published,
then found in the public list.

Every page passes ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean console) and none
scrolls sideways at 360 px.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_page_is_sound, open_header_menu
from .journey_helpers import expect_message

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
REFERENT = "referent@demo.auchel.fr"


def assert_no_sideways_scrolling(page) -> None:
    width = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def sound(page) -> None:
    assert_no_sideways_scrolling(page)
    assert_page_is_sound(page)


def test_the_referent_creates_previews_and_publishes_an_event_without_the_django_admin(
    page_as, page, live_platform
):
    title = f"Atelier jardin de Rimbart {secrets.token_hex(3)}"
    day = dt.date.today() + dt.timedelta(days=12)
    referent = page_as(REFERENT, settings.DEMO_PASSWORD)
    referent.set_viewport_size(PHONE)

    # From the home page, by clicking, to « Espace référent ».
    referent.goto("/")
    open_header_menu(referent)
    with referent.expect_navigation():
        referent.locator(".account-nav").get_by_role("link", name="Espace référent").click()
    expect(referent.get_by_role("heading", level=1)).to_have_text("Espace référent")
    events = referent.locator("section#evenements")
    expect(events.get_by_role("heading", level=2)).to_have_text("Événements")
    sound(referent)
    with referent.expect_navigation():
        events.get_by_role("link", name="Créer un événement").click()
    expect(referent.get_by_role("heading", level=1)).to_have_text("Nouvel événement")

    # With JavaScript the no-JS button is hidden, and no objective shows before a quartier.
    expect(
        referent.get_by_role("button", name="Afficher les objectifs des quartiers choisis")
    ).to_be_hidden()
    expect(referent.locator("[data-objectifs-quartier]:visible")).to_have_count(0)
    referent.locator("#id_title").fill(title)
    referent.get_by_label("Rimbart", exact=True).check()
    shown = referent.locator("[data-objectifs-quartier]:visible")
    expect(shown).to_have_count(1)
    expect(shown.locator("legend").first).to_have_text("Rimbart")
    objectif = shown.locator("input[type=checkbox]").first
    objectif.check()
    referent.locator("#id_starts_at").fill(f"{day.isoformat()}T14:00")
    referent.locator("#id_ends_at").fill(f"{day.isoformat()}T17:00")
    referent.locator("#id_place_name").fill("Jardin partagé de Rimbart")
    referent.locator("#id_organiser_name").fill("Service Politique de la Ville")

    # The place picked on the map (a plain background without a tile server).
    latitude, longitude = referent.locator("#id_latitude"), referent.locator("#id_longitude")
    expect(latitude).to_have_value("")
    place_map = referent.locator("[data-place-map]")
    place_map.scroll_into_view_if_needed()
    expect(place_map).to_be_visible()
    box = place_map.bounding_box()
    referent.mouse.click(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.4)
    expect(latitude).to_have_value(re.compile(r"^50\.5\d+$"))
    expect(longitude).to_have_value(re.compile(r"^2\.4\d+$"))
    picked = latitude.input_value()
    # The marker is dragged a little further: the fields follow.
    marker = referent.locator(".leaflet-marker-icon")
    expect(marker).to_be_visible()
    start = marker.bounding_box()
    referent.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] - 2)
    referent.mouse.down()
    referent.mouse.move(start["x"] + 40, start["y"] + 60, steps=8)
    referent.mouse.up()
    expect(latitude).not_to_have_value(picked)
    expect(latitude).to_have_value(re.compile(r"^50\.5\d+$"))
    sound(referent)

    with referent.expect_navigation():
        referent.get_by_role("button", name="Enregistrer le brouillon et voir l'aperçu").click()
    expect_message(referent, "Le brouillon est enregistré")
    expect(referent.get_by_text("Aperçu — pas encore publié")).to_be_visible()
    expect(referent.get_by_role("heading", level=1)).to_have_text(title)
    preview_url = referent.url
    assert preview_url.endswith("/apercu/"), preview_url
    public_url = preview_url.removesuffix("apercu/")
    sound(referent)

    # Not public yet: neither its page nor the list, for a visitor.
    assert page.goto(public_url).status == 404
    page.goto("/evenements/?du=" + dt.date.today().isoformat())
    expect(page.get_by_text(title)).to_have_count(0)

    with referent.expect_navigation():
        referent.get_by_role("button", name="Publier").click()
    expect_message(referent, "L'événement est publié")
    expect(referent.get_by_text("Aperçu — pas encore publié")).to_have_count(0)
    expect(referent.get_by_role("heading", level=1)).to_have_text(title)
    sound(referent)

    # Found in the public list (the visitor's cached list lives 5 s at most).
    referent.goto("/evenements/?quartier=rimbart")
    expect(referent.get_by_role("link", name=title)).to_be_visible()
    sound(referent)
    assert page.goto(public_url).status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
