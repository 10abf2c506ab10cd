"""The header on a phone: its links fold behind « Menu » (js/menu.js), so that a page's own
content starts in the first screen; on a wide screen and without JavaScript, every link shows.
A filter sent opens the page at its results."""

from __future__ import annotations

import secrets

import pytest
from playwright.sync_api import expect

from .helpers import assert_page_is_sound, login
from .journey_helpers import open_context

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
PASSWORD = "un-mot-de-passe-pour-2030"


def header_link(page, name: str):
    return page.locator(".site-header").get_by_role("link", name=name, exact=True)


def test_on_a_phone_the_links_fold_behind_menu_and_the_keyboard_opens_and_closes_it(
    browser, live_platform
):
    context, page = open_context(browser, live_platform, viewport=PHONE)
    try:
        page.goto("/evenements/")
        menu = page.get_by_role("button", name="Menu")
        give_opinion = header_link(page, "Donner mon avis")
        assert menu.get_attribute("aria-expanded") == "false"
        assert not give_opinion.is_visible()
        # The page's own title is in the first screen, right under the header.
        heading = page.get_by_role("heading", level=1).bounding_box()
        assert heading["y"] + heading["height"] < PHONE["height"] / 3, heading

        menu.focus()
        page.keyboard.press("Enter")
        assert menu.get_attribute("aria-expanded") == "true"
        assert give_opinion.is_visible()
        assert header_link(page, "Se connecter").is_visible()
        assert_page_is_sound(page)  # axe with the menu open, 320 px, a clean console

        page.keyboard.press("Tab")  # into the menu: its first link
        assert page.evaluate("document.activeElement.textContent") == "Les quartiers"
        page.keyboard.press("Escape")
        assert menu.get_attribute("aria-expanded") == "false"
        assert not give_opinion.is_visible()
        assert page.evaluate("document.activeElement.dataset.menuButton") == ""

        menu.click()
        give_opinion.click()
        page.wait_for_url("**/expressions/nouvelle/**")
    finally:
        context.close()


def test_on_a_wide_screen_or_without_javascript_every_link_of_the_header_shows(
    browser, live_platform
):
    for options in (
        {"viewport": {"width": 1280, "height": 800}},
        {"viewport": PHONE, "java_script_enabled": False},
    ):
        context, page = open_context(browser, live_platform, **options)
        try:
            page.goto("/")
            assert not page.locator("[data-menu-button]").is_visible(), options
            for name in ("Événements", "Donner mon avis", "Comment ça marche", "Se connecter"):
                assert header_link(page, name).is_visible(), (options, name)
        finally:
            context.close()


def test_the_folded_menu_says_how_many_notifications_are_unread(browser, live_platform):
    email = f"menu.{secrets.token_hex(3)}@example.org"
    live_platform.create_user(email, PASSWORD, display_name="Nadia")
    live_platform.shell(
        "from participation.accounts.models import User\n"
        "from participation.notifications.services import notify\n"
        f"user = User.objects.get(email={email!r})\n"
        "notify(user, 'Votre expression est publiée.')\n"
        "notify(user, 'Une réponse du comité.')\n"
    )
    context, page = open_context(browser, live_platform, viewport=PHONE)
    try:
        login(page, email, PASSWORD)
        page.goto("/evenements/")
        menu = page.locator("[data-menu-button]")
        assert menu.locator(".badge").inner_text() == "2"
        assert menu.text_content() == "Menu 2 notifications non lues"
        assert page.get_by_role("button", name="Menu 2 notifications non lues").is_visible()
    finally:
        context.close()


def test_on_a_phone_a_filter_sent_shows_its_results_not_the_form_again(browser, live_platform):
    context, page = open_context(browser, live_platform, viewport=PHONE)
    try:
        page.goto("/evenements/")
        # Folded (UX review #12): the first events come in the first screen.
        expect(page.locator("#resultats .result-count")).to_be_in_viewport()
        quartier = page.get_by_label("Quartier", exact=True)
        assert not quartier.is_visible()
        page.locator(".filter-fold > summary").click()
        quartier.select_option(label="Rimbart")
        page.get_by_role("button", name="Afficher").click()
        page.wait_for_url("**quartier=rimbart**#resultats")

        expect(page.locator("#resultats .result-count")).to_be_in_viewport()
        expect(page.get_by_role("button", name="Afficher")).not_to_be_in_viewport()
        expect(page.locator(".filter-fold > summary")).to_contain_text("(1 filtre choisi)")
        assert_page_is_sound(page)
    finally:
        context.close()


def test_on_a_wide_screen_the_filter_is_open_and_without_javascript_one_tap_opens_it(
    browser, live_platform
):
    wide = {"width": 1280, "height": 800}
    for options, shown in (
        ({"viewport": wide}, True),
        ({"viewport": wide, "java_script_enabled": False}, False),
    ):
        context, page = open_context(browser, live_platform, **options)
        try:
            page.goto("/evenements/")
            quartier = page.get_by_label("Quartier", exact=True)
            assert quartier.is_visible() is shown, options
            if not shown:
                page.locator("summary", has_text="Trouver un événement").click()
                assert quartier.is_visible()
        finally:
            context.close()


def test_on_a_phone_the_home_page_offers_to_give_her_opinion_in_its_first_screen(
    browser, live_platform
):
    """UX review #12: the first screen held the title, a paragraph and an English sentence;
    « Donner mon avis » came after the events."""
    context, page = open_context(browser, live_platform, viewport=PHONE)
    try:
        page.goto("/")
        give_opinion = page.locator("main").get_by_role("link", name="Donner mon avis")
        box = give_opinion.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box
        assert not page.locator("p[lang=en]").is_visible() or (
            page.locator("p[lang=en]").bounding_box()["y"] > PHONE["height"]
        )
        give_opinion.click()
        page.wait_for_url("**/expressions/nouvelle/**")
    finally:
        context.close()
