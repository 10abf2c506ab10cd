"""Page weight (issue 9): a first load transfers at most 100 kB, static files compressed."""

import pytest
from django.conf import settings

from .helpers import PAGE_WEIGHT_BUDGET, page_weight

pytestmark = pytest.mark.e2e

# Issue 9 names the home page, the event list and the expression form.
PAGES = ["/", "/evenements/"]


@pytest.mark.parametrize("path", PAGES)
def test_the_first_load_of_the_page_transfers_at_most_100_kb(page, path):
    weight = page_weight(page, path)
    print(weight.report())
    assert weight.resources, "nothing was measured"
    assert weight.total <= PAGE_WEIGHT_BUDGET, weight.report()


def test_the_first_load_of_the_expression_form_transfers_at_most_100_kb(page_as):
    page = page_as("habitant@demo.auchel.fr", settings.DEMO_PASSWORD)
    weight = page_weight(page, "/expressions/nouvelle/")
    print(weight.report())
    assert "/expressions/nouvelle/" in weight.url, weight.url
    assert weight.total <= PAGE_WEIGHT_BUDGET, weight.report()


def test_stylesheets_and_scripts_travel_compressed(page):
    weight = page_weight(page, "/")
    static = [r for r in weight.resources if r.kind in {"Stylesheet", "Script"}]
    assert static, weight.report()
    uncompressed = [r.url for r in static if r.encoding not in {"gzip", "br", "zstd"}]
    assert not uncompressed, f"served without compression: {uncompressed}"


def test_static_files_are_cached_for_long_by_their_hashed_name(page):
    response = page.goto("/")
    assert response.ok
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    static = page.request.get(stylesheet)
    assert static.ok
    assert "max-age=315360000" in static.headers.get("cache-control", ""), static.headers
