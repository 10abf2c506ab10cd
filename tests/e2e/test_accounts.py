"""Signing up with the emailed code, signing in, the TOTP step of staff: the harness's own journeys."""

import pytest
from django.conf import settings

from .helpers import assert_page_is_sound, login, sign_up, submit

pytestmark = pytest.mark.e2e

PASSWORD = "un-mot-de-passe-pour-2030"


def test_a_resident_signs_up_and_verifies_the_email_with_the_code_received(page, live_platform):
    sign_up(page, "camille.e2e@example.org", PASSWORD)
    code = live_platform.last_code_for("camille.e2e@example.org")
    assert_page_is_sound(page)

    form = page.locator("form:has(input[name=code])")
    form.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        submit(form)
    assert page.locator("form[action*='logout']").count(), f"not signed in on {page.url}"
    assert_page_is_sound(page)


def test_a_resident_signs_in_and_the_signed_in_pages_are_sound(page_as, live_platform):
    live_platform.create_user("lea.e2e@example.org", PASSWORD, display_name="Léa")
    page = page_as("lea.e2e@example.org", PASSWORD)
    for path in ["/", "/compte/profil/", "/notifications/"]:
        response = page.goto(path)
        assert response.status == 200, path
        assert_page_is_sound(page)


def test_a_mediator_answers_the_totp_step_and_reaches_the_staff_pages(page, live_platform):
    live_platform.create_user(
        "nadia.e2e@example.org",
        PASSWORD,
        role="mediateur",
        totp_secret=settings.DEMO_TOTP_SECRET,
    )
    page.goto("/comptes/login/")
    assert_page_is_sound(page)
    login(page, "nadia.e2e@example.org", PASSWORD)
    assert_page_is_sound(page)
    response = page.goto("/compte/profil/")
    assert response.status == 200
    assert_page_is_sound(page)


def test_a_wrong_password_is_refused_without_saying_whether_the_account_exists(page, live_platform):
    page.goto("/comptes/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill("personne.e2e@example.org")
    form.locator("input[name=password]").fill("pas-le-bon")
    with page.expect_navigation():
        submit(form)
    assert "/comptes/login/" in page.url
    unknown = page.locator("main").inner_text()
    assert_page_is_sound(page)

    live_platform.create_user("connu.e2e@example.org", PASSWORD)
    page.goto("/comptes/login/")
    form.locator("input[name=login]").fill("connu.e2e@example.org")
    form.locator("input[name=password]").fill("pas-le-bon")
    with page.expect_navigation():
        submit(form)
    known = page.locator("main").inner_text()
    assert known.replace("connu", "personne") == unknown
