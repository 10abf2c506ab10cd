"""Taking an event beyond the platform. Its poster, from its page: sound on a phone (axe,
320 px, a clean console), one A4 page once printed, and a QR code a phone's camera reads
(OpenCV's detector, on what Chromium drew) leading to the event's page. Its sharing: the
phone's own sheet, or WhatsApp, SMS and email links."""

import re

import cv2
import numpy as np
import pytest
from playwright.sync_api import expect

from .helpers import assert_page_is_sound
from .journey_helpers import PHONE, on_a_phone_at_an_event, open_context

pytestmark = pytest.mark.e2e


def test_the_poster_of_an_event_prints_on_one_a4_page_with_a_qr_code_that_reads(
    browser, live_platform
):
    context, page = on_a_phone_at_an_event(browser, live_platform)
    try:
        event_path = page.url.split(live_platform.url, 1)[-1]
        page.get_by_role("link", name="Imprimer une affiche").click()
        page.wait_for_url("**/affiche/")
        assert_page_is_sound(page)
        assert page.get_by_role("button", name="Imprimer l'affiche").is_visible()

        shot = page.locator(".poster-qr svg").screenshot()
        image = cv2.imdecode(np.frombuffer(shot, np.uint8), cv2.IMREAD_GRAYSCALE)
        value, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
        assert value.endswith(event_path), (value, event_path)

        # Printed (the poster's print styles), it holds on one A4 page.
        pdf = page.pdf(format="A4", print_background=True)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    finally:
        context.close()


@pytest.mark.parametrize("has_share", [True, False])
def test_her_phones_sharing_sheet_gets_the_event_and_without_it_the_links_stay(
    browser, live_platform, has_share
):
    """« Faire venir ses voisins »: « Partager… » hands the event to the phone's sharing sheet
    (the Web Share API, stubbed here: headless Chromium has no sheet); without the API the
    button stays hidden and the WhatsApp, SMS and email links do it."""
    stub = (
        "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };"
        if has_share
        else "delete Navigator.prototype.share; delete navigator.share;"
    )
    context, page = on_a_phone_at_an_event(browser, live_platform, init_script=stub)
    try:
        button = page.get_by_role("button", name="Partager…")
        assert button.is_visible() is has_share
        if has_share:
            button.click()
            shared = page.evaluate("window.__shared")
            assert shared["url"].endswith(page.url.split(live_platform.url, 1)[-1]), shared
            assert "Venez dire ce que vous pensez du quartier" in shared["text"]
        whatsapp = page.get_by_role("link", name="par WhatsApp").get_attribute("href")
        assert whatsapp.startswith("https://wa.me/?text=")
        assert_page_is_sound(page)
    finally:
        context.close()


def test_the_answers_of_a_quartier_print_on_one_a4_page_with_a_qr_code_to_them(
    browser, live_platform
):
    context, page = open_context(browser, live_platform, viewport=PHONE)
    try:
        page.goto("/vous-avez-dit-nous-avons-fait/rimbart/")
        page.get_by_role("link", name="Imprimer une affiche").click()
        page.wait_for_url("**/rimbart/affiche/")
        assert_page_is_sound(page)
        expect(page.locator("h1")).to_have_text("Vous avez dit, nous avons fait")

        shot = page.locator(".poster-qr svg").screenshot()
        image = cv2.imdecode(np.frombuffer(shot, np.uint8), cv2.IMREAD_GRAYSCALE)
        value, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
        assert value.endswith("/vous-avez-dit-nous-avons-fait/rimbart/"), value

        pdf = page.pdf(format="A4", print_background=True)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    finally:
        context.close()
