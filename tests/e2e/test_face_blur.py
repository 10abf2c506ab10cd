"""Faces blurred before anyone sees them (issue 20, point 4), in Chromium against the live
platform: a resident posts an expression with a photo of a face (scikit-image's astronaut);
the mediator reads « 1 visage flouté automatiquement » beside it, then blurs another area by
hand, by drawing a rectangle on the photo (JavaScript) and by typing its four fields
(without JavaScript). The photo served to the mediator has no face the detector can find.

The pages with JavaScript pass ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean
console); the page drawn without JavaScript is checked by locators only.
"""

from __future__ import annotations

import re
import secrets

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.sample_photos import astronaut, faces_in

from .helpers import assert_page_is_sound, login
from .journey_helpers import expect_message, open_context

pytestmark = pytest.mark.e2e

PASSWORD = "un-mot-de-passe-pour-2030"
MEDIATOR = "mediateur@demo.auchel.fr"
BLURRED = "La zone est floutée sur la photo et sa miniature"


@pytest.fixture(scope="module")
def resident(live_platform):
    email = f"visage.floute.{secrets.token_hex(3)}@example.org"
    live_platform.create_user(email, PASSWORD, display_name="Élise")
    return email


def served_photo(page) -> tuple[str, bytes]:
    """The photo of the staff page's « Flouter une zone », as the server sends it."""
    src = page.locator("#photo img").get_attribute("src")
    response = page.request.get(src)
    assert response.status == 200, src
    assert response.headers["content-type"] == "image/jpeg", src
    return src, response.body()


def post_expression_with_a_face(page, tmp_path) -> int:
    photo = tmp_path / "astronaute.png"
    photo.write_bytes(astronaut())
    assert len(faces_in(photo.read_bytes())) == 1  # the test itself: there is a face
    page.goto("/expressions/nouvelle/")
    form = page.locator("form[data-expression-form]")
    form.get_by_label("Votre message").fill(
        f"Photo prise devant la maison de quartier ({secrets.token_hex(3)})."
    )
    form.locator("input[type=file][name=photo]").set_input_files(photo)
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer mon message").click()
    expect_message(page, "Votre message est bien reçu")
    number = re.search(r"/expressions/(\d+)/$", page.url)
    assert number, page.url
    return int(number.group(1))


def test_a_face_is_blurred_before_the_mediator_sees_it_and_she_blurs_more_by_hand(
    page_as, browser, live_platform, resident, tmp_path
):
    pk = post_expression_with_a_face(page_as(resident, PASSWORD), tmp_path)
    staff_url = f"/moderation/expressions/{pk}/"

    page = page_as(MEDIATOR, settings.DEMO_PASSWORD)
    page.goto(staff_url)
    expect(page.locator("#lire [data-faces-blurred]")).to_contain_text(
        "1 visage flouté automatiquement."
    )
    src, photo = served_photo(page)
    assert faces_in(photo) == []
    assert_page_is_sound(page)

    # With JavaScript: a rectangle drawn on the photo fills the four fields.
    image = page.locator("#photo img")
    image.scroll_into_view_if_needed()
    expect(page.locator("[data-blur-hint]")).to_be_visible()
    box = image.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.6, steps=5)
    page.mouse.move(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.8, steps=5)
    page.mouse.up()
    expect(page.locator("[data-blur-rectangle]")).to_be_visible()
    left = float(page.get_by_label("Depuis la gauche (%)").input_value())
    width = float(page.get_by_label("Largeur (%)").input_value())
    assert 58 <= left <= 62 and 28 <= width <= 32, (left, width)
    with page.expect_navigation():
        page.get_by_role("button", name="Flouter cette zone").click()

    expect(page.locator("#photo .messages")).to_contain_text(BLURRED)
    drawn_src, drawn = served_photo(page)
    assert drawn_src != src  # a new address: no browser shows the photo before the blur
    assert drawn != photo
    assert faces_in(drawn) == []
    assert_page_is_sound(page)

    # Without JavaScript: the four fields, typed.
    context, plain = open_context(browser, live_platform, java_script_enabled=False)
    try:
        login(plain, MEDIATOR, settings.DEMO_PASSWORD)
        plain.goto(staff_url)
        expect(plain.locator("#photo [data-faces-blurred]")).to_contain_text(
            "1 visage flouté automatiquement."
        )
        expect(plain.locator("[data-blur-hint]")).to_be_hidden()
        plain.get_by_label("Depuis la gauche (%)").fill("5")
        plain.get_by_label("Depuis le haut (%)").fill("60")
        plain.get_by_label("Largeur (%)").fill("20")
        plain.get_by_label("Hauteur (%)").fill("30")
        with plain.expect_navigation():
            plain.get_by_role("button", name="Flouter cette zone").click()
        expect(plain.locator("#photo .messages")).to_contain_text(BLURRED)
        typed_src, typed = served_photo(plain)
        assert typed_src != drawn_src
        assert typed != drawn
        assert faces_in(typed) == []
    finally:
        context.close()
