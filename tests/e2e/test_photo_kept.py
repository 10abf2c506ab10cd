"""Forms that never lose a photo (issue 17, point 3), in Chromium against the live platform.

* With JavaScript, the « Afficher les objectifs de ce quartier » button, meant for browsers
  without it, is not shown: ``[hidden]`` wins over the buttons' ``display``.
* A resident chooses a photo and sends the form with an error: the page comes back with her
  photo as a thumbnail (re-encoded: no EXIF, no GPS) and « Garder cette photo » checked; she
  corrects the text and sends: the expression has the photo, though she never chose it again.
* Without JavaScript, the objectives button reloads the form for another quartier and keeps
  the photo the same way.

The pages with JavaScript pass ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean
console); axe needs JavaScript, so the same page drawn without it is checked by locators only.
"""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from .helpers import assert_page_is_sound, exif_of, login, make_photo
from .journey_helpers import expect_message, open_context

pytestmark = pytest.mark.e2e

PASSWORD = "un-mot-de-passe-pour-2030"
OBJECTIVES_BUTTON = "Afficher les objectifs de ce quartier"
PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def resident(live_platform):
    email = f"photo.gardee.{secrets.token_hex(3)}@example.org"
    live_platform.create_user(email, PASSWORD, display_name="Nadia")
    return email


def assert_served_without_exif(page, src: str) -> None:
    response = page.request.get(src)
    assert response.status == 200, src
    assert response.headers["content-type"] == "image/jpeg", src
    assert exif_of(response.body()) == {}, f"{src} still carries EXIF"


def assert_thumbnail_shown(page, *, javascript: bool = True) -> str:
    """Her photo is back as a thumbnail, served clean, with « Garder cette photo » checked."""
    kept = page.locator("[data-kept-photo]")
    expect(kept).to_be_visible()
    image = kept.locator("img")
    expect(image).to_be_visible()
    if javascript:  # page.evaluate never answers in a page without JavaScript
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "not loaded"
    expect(kept.get_by_label("Garder cette photo")).to_be_checked()
    src = image.get_attribute("src")
    assert_served_without_exif(page, src)
    return src


def send(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def assert_expression_has_the_photo(page, text: str) -> None:
    expect_message(page, "Votre message est bien reçu")
    assert re.search(r"/expressions/\d+/$", page.url), page.url
    expect(page.locator(".expression-full-text")).to_contain_text(text)
    photo = page.locator(".expression-photo img").first
    expect(photo).to_be_visible()
    assert_served_without_exif(page, photo.get_attribute("src"))


def test_a_form_error_keeps_the_photo_and_the_objectives_button_stays_hidden(
    page_as, resident, tmp_path
):
    page = page_as(resident, PASSWORD)
    page.set_viewport_size(PHONE)
    page.goto("/expressions/nouvelle/")
    # With JavaScript the objectives change in place: the no-JS button is not there to tap.
    button = page.get_by_role("button", name=OBJECTIVES_BUTTON)
    expect(button).to_be_hidden()
    assert page.locator("[data-refresh-objectifs]").evaluate(
        "el => el.hidden && getComputedStyle(el).display === 'none'"
    )
    form = page.locator("form[data-expression-form]")
    photo = make_photo(tmp_path / "banc.jpg")
    assert "GPS" in exif_of(photo.read_bytes())
    form.locator("input[type=file][name=photo]").set_input_files(photo)
    form.get_by_label("Que montre la photo ?").fill("Le banc cassé du square")

    send(page, "Envoyer mon message")  # the message is still empty: an error

    expect(page.locator("#erreurs")).to_contain_text("Écrivez votre message")
    assert_thumbnail_shown(page)
    # The file input is for « Choisir une autre photo » only.
    expect(page.locator("input[type=file][name=photo]")).to_be_hidden()
    expect(page.get_by_label("Que montre la photo ?")).to_have_value("Le banc cassé du square")
    expect(page.get_by_role("button", name=OBJECTIVES_BUTTON)).to_be_hidden()
    assert_page_is_sound(page)

    text = f"Le banc du square est cassé ({secrets.token_hex(3)})."
    page.get_by_label("Votre message").fill(text)
    send(page, "Envoyer mon message")

    assert_expression_has_the_photo(page, text)
    assert_page_is_sound(page)


def test_without_javascript_the_objectives_button_reloads_the_form_and_keeps_the_photo(
    browser, live_platform, resident, tmp_path
):
    context, page = open_context(browser, live_platform, java_script_enabled=False)
    try:
        login(page, resident, PASSWORD)
        page.goto("/expressions/nouvelle/")
        form = page.locator("form[data-expression-form]")
        text = f"Il manque un passage piéton ({secrets.token_hex(3)})."
        form.get_by_label("Votre message").fill(text)
        quartier = form.get_by_label("Votre quartier")
        other = quartier.locator("option").nth(1).get_attribute("value")
        quartier.select_option(other)
        form.locator("input[type=file][name=photo]").set_input_files(
            make_photo(tmp_path / "passage.jpg")
        )
        button = page.get_by_role("button", name=OBJECTIVES_BUTTON)
        expect(button).to_be_visible()

        send(page, OBJECTIVES_BUTTON)

        expect(page.locator("#erreurs")).to_have_count(0)
        expect(page.get_by_label("Votre quartier")).to_have_value(other)
        expect(page.get_by_label("Votre message")).to_have_value(text)
        assert_thumbnail_shown(page, javascript=False)
        # Without JavaScript every choice stays visible: the file input too.
        expect(page.locator("input[type=file][name=photo]")).to_be_visible()

        send(page, "Envoyer mon message")

        assert_expression_has_the_photo(page, text)
    finally:
        context.close()
