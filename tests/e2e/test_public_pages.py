"""Every public page: WCAG 2.1 AA by axe, readable at 320 px, no console error or CSP violation."""

import pytest

from .helpers import assert_page_is_sound

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = ["/", "/pilotage/", "/comptes/login/", "/comptes/signup/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_the_public_page_is_accessible_at_320_px_with_a_clean_console(page, path):
    response = page.goto(path)
    assert response.status == 200
    assert_page_is_sound(page)


def test_a_quartier_page_reached_from_the_home_page_is_accessible(page):
    page.goto("/")
    path = page.locator("#quartiers a[href*='/quartiers/']").first.evaluate("a => a.pathname")
    response = page.goto(path)
    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert_page_is_sound(page)


def test_every_page_linked_from_the_footer_is_accessible(page):
    """Legal, privacy and accessibility pages join this test as soon as the footer links them."""
    page.goto("/")
    paths = page.locator("footer a[href^='/']").evaluate_all("links => links.map(a => a.pathname)")
    checked, problems = [], []
    for path in dict.fromkeys(paths):
        response = page.goto(path)
        if "html" not in (response.headers.get("content-type") or ""):
            continue
        try:
            assert response.status == 200, f"{path} answered {response.status}"
            assert_page_is_sound(page)
        except AssertionError as exc:
            problems.append(str(exc))
        checked.append(path)
    print(f"footer pages checked: {checked}")
    # Legal notice, personal data, accessibility, the API's reference (/sante/ is JSON).
    assert len(checked) >= 4, checked
    assert not problems, "\n\n".join(problems)


def test_the_api_documentation_page_is_accessible_and_respects_the_csp(page):
    response = page.goto("/api/docs/")
    assert response.status == 200
    assert page.url.endswith("/api/reference/")
    assert_page_is_sound(page)
