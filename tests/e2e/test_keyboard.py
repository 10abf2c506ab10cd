"""The site can be used with the keyboard alone: the skip link, then a resident's whole
journey (sign in, the expression form, sending) with a visible focus at every step."""

import re
import secrets

import pytest
from playwright.sync_api import expect

from .helpers import assert_page_is_sound
from .journey_helpers import tab_to

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/", "/pilotage/", "/comptes/login/"])
def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_the_main_content(page, path):
    page.goto(path)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "({cls: document.activeElement.className, href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"cls": "skip-link", "href": "#contenu"}
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, (
        "the focused skip link is off screen"
    )

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"
    page.keyboard.press("Tab")
    assert not page.evaluate("document.querySelector('header').contains(document.activeElement)"), (
        "after the skip link, Tab must go on past the header"
    )


# --- The resident's journey with the keyboard alone ----------------------------------------------

KEYBOARD_PASSWORD = "un-mot-de-passe-pour-2030"


def test_a_resident_signs_in_and_posts_an_expression_with_the_keyboard_alone(page, live_platform):
    """Tab, Shift+Tab, Space, Enter and typing only, never the mouse; the focus always shows."""
    email = f"clavier.{secrets.token_hex(3)}@example.org"
    live_platform.create_user(email, KEYBOARD_PASSWORD, display_name="Yanis")
    text = "Au clavier : il manque un banc à l'arrêt de bus, les personnes âgées attendent debout."
    seen: list[str] = []

    # From the home page, to the sign-in link of the header.
    page.goto("/")
    tab_to(page, "el.matches(\"a[href$='/comptes/login/']\")", seen=seen)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/comptes/login/")
    tab_to(page, "el.name === 'login'", seen=seen)
    page.keyboard.type(email)
    tab_to(page, "el.name === 'password'", seen=seen)
    page.keyboard.type(KEYBOARD_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("form[action*='logout']").count(), f"not signed in on {page.url}"

    # From the page after signing in, to the expression form.
    tab_to(page, "el.matches(\"a[href$='/expressions/nouvelle/']\")", seen=seen)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/expressions/nouvelle/")
    assert_page_is_sound(page)

    tab_to(page, "el.name === 'text'", seen=seen)
    page.keyboard.type(text)
    # The quartier: a select chosen by typing the start of its name.
    tab_to(page, "el.name === 'quartier'", seen=seen)
    page.keyboard.type("Rimbart")
    assert "Rimbart" in page.evaluate(
        "(() => { const s = document.activeElement; return s.options[s.selectedIndex].text; })()"
    )
    expect(page.locator("[data-quartier-name]")).to_have_text(re.compile("Rimbart"))
    # The objectives of that quartier, grouped by enjeu: open the first group, check its first.
    tab_to(page, "el.tagName === 'SUMMARY'", seen=seen)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open"), "Enter did not open it"
    objectif = tab_to(page, "el.name === 'objectifs'", seen=seen)
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked"), f"Space did not check {objectif}"
    objectif_label = page.evaluate("document.activeElement.labels[0].textContent.trim()")
    # The publication mode: the group is one tab stop, on the mode already chosen.
    tab_to(page, "el.name === 'visibility'", seen=seen)
    page.keyboard.press("Space")
    mode = page.evaluate(
        "(() => { const r = document.activeElement; return r.checked && r.labels[0].textContent; })()"
    )
    assert mode and "sans mon nom" in mode, f"the publication mode is not chosen: {mode!r}"
    # A step back and forth with Shift+Tab keeps the focus visible too.
    tab_to(page, "el.name === 'photo_description'", key="Shift+Tab", seen=seen)
    tab_to(page, "el.name === 'visibility'", seen=seen)
    tab_to(
        page, "el.type === 'submit' && el.textContent.includes('Envoyer mon message')", seen=seen
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert re.search(r"/expressions/\d+/$", page.url), (
        f"not on the new expression's page: {page.url} "
        + " | ".join(page.locator(".error, .form-errors").all_inner_texts())
    )
    expect(page.locator(".messages")).to_contain_text("Votre message est bien reçu")
    expect(page.locator(".expression-full-text")).to_contain_text(text)
    expect(page.locator(".facts")).to_contain_text(objectif_label)
    expect(page.locator(".meta")).to_contain_text("Rimbart")
    assert_page_is_sound(page)
