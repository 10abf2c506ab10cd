"""Every page each role reaches from the site's own links: axe, 320 px, a clean console.

Pages are discovered, not listed: the links of the header, the footer and the home page, and
one level below them (one page per URL shape, so that a list of 300 events costs one check).
A page another feature adds is covered as soon as something links to it.
"""

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from .helpers import ROLES, assert_page_is_sound, same_site_paths, shape

pytestmark = pytest.mark.e2e


def check_site(page, start: list[str], seen: set[str]) -> list[str]:
    """Visit ``start`` and one page per new shape linked from them; return the problems."""
    problems, queue, shapes = [], list(start), {shape(p) for p in seen}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            response = page.goto(path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # an export (CSV, spreadsheet): not a page
            raise
        if response is None or "html" not in (response.headers.get("content-type") or ""):
            continue
        # Every page, no exception: a problem of any page fails the run.
        try:
            assert response.status == 200, f"{path} answered {response.status}"
            assert_page_is_sound(page)
        except AssertionError as exc:
            problems.append(str(exc))
        if path in start:
            for linked in same_site_paths(page):
                if shape(linked) not in shapes:
                    shapes.add(shape(linked))
                    queue.append(linked)
    return problems


@pytest.fixture(scope="module")
def checked():
    """Pages already checked in this module: each role checks only what the previous did not."""
    return set()


def test_every_page_an_anonymous_visitor_reaches_is_sound(page, checked):
    page.goto("/")
    problems = check_site(page, ["/", *same_site_paths(page)], checked)
    print(f"anonymous: {len(checked)} pages checked: {sorted(checked)}")
    # 34 on the demo data: far fewer would mean the links were lost, not that all is well.
    assert len(checked) >= 25, sorted(checked)
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_is_sound(role, page_as, checked):
    page = page_as(ROLES[role], settings.DEMO_PASSWORD)
    page.goto("/")
    before = set(checked)
    checked.discard("/")  # the home page shows each role its own menu
    problems = check_site(page, ["/", *same_site_paths(page)], checked)
    print(f"{role}: {len(checked - before)} more pages checked: {sorted(checked - before)}")
    # Each role's own pages (6 for a resident, 7 to 17 for the staff roles on the demo data).
    assert len(checked - before) >= 5, sorted(checked - before)
    assert not problems, "\n\n".join(problems)
