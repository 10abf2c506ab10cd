"""The page can be used with the keyboard alone, starting with the skip link."""

import pytest

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
