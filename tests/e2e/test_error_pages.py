"""Error pages are pages too; and the console record follows navigation."""

import pytest

from .helpers import assert_accessible, assert_fits_320, assert_no_console_errors

pytestmark = pytest.mark.e2e


def test_the_not_found_page_is_accessible_and_its_error_does_not_follow_to_the_next_page(page):
    response = page.goto("/cette-page-n-existe-pas/")
    assert response.status == 404
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    assert_fits_320(page)
    with pytest.raises(AssertionError, match="404"):
        assert_no_console_errors(page)  # Chromium logs the 404 of the document itself

    page.goto("/")
    assert_no_console_errors(page)
