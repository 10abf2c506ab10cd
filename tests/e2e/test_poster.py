"""An event's poster, from its page: sound on a phone (axe, 320 px, a clean console), one A4
page once printed, and a QR code a phone's camera reads (OpenCV's detector, on what Chromium
drew) leading to the event's page."""

import re

import cv2
import numpy as np
import pytest

from .helpers import assert_page_is_sound
from .journey_helpers import on_a_phone_at_an_event

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
