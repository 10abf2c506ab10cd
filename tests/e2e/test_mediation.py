"""A resident without email, on a phone, from an event page to a mediator she can call."""

import pytest

from .helpers import assert_page_is_sound
from .journey_helpers import on_a_phone_at_an_event

pytestmark = pytest.mark.e2e


def test_from_an_event_page_she_finds_a_number_to_tap_and_the_next_permanences(
    browser, live_platform
):
    context, page = on_a_phone_at_an_event(browser, live_platform)
    try:
        page.get_by_role("link", name="joindre un·e médiateur·rice").click()
        page.wait_for_url("**/mediation/")

        phone = page.locator("a.phone-link")
        assert phone.get_attribute("href") == "tel:+33353012030"  # the demo's, a fiction number
        assert phone.inner_text() == "03 53 01 20 30"
        box = phone.bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= 360, box
        permanences = page.locator("#titre-permanences ~ .event-list li")
        assert permanences.count() >= 1
        assert "Permanence de médiation" in permanences.first.text_content()  # as written
        assert_page_is_sound(page)
    finally:
        context.close()
