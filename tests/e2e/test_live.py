"""The production-like stack end to end: a live event over the Redis channel layer to an open
page (no reload), and an email sent by the Celery worker into the mail outbox."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "un-mot-de-passe-pour-2030"


def notify(live_platform, email: str, message: str) -> None:
    live_platform.shell(
        "from participation.accounts.models import User\n"
        "from participation.notifications.services import notify\n"
        f"notify(User.objects.get(email={email!r}), {message!r}, url='/',"
        f" email_subject={message!r}, email_body='Bonjour, ' + {message!r})\n"
    )


def test_a_notification_reaches_the_open_page_live_and_its_email_the_outbox(page_as, live_platform):
    live_platform.create_user("zoe.e2e@example.org", PASSWORD, display_name="Zoé")
    page = page_as("zoe.e2e@example.org", PASSWORD)
    with page.expect_websocket() as socket:
        page.goto("/")
    assert "/ws/notifications/" in socket.value.url
    badge = page.locator("[data-live-notifications] .badge")

    # The socket joins its group a moment after the page loads: send until one arrives.
    for _attempt in range(4):
        notify(live_platform, "zoe.e2e@example.org", "Votre expression a reçu une réponse")
        try:
            expect(badge).to_be_visible(timeout=3000)
            break
        except AssertionError:
            continue
    expect(badge).to_be_visible(timeout=1000)
    assert int(badge.inner_text()) >= 1
    # The « Menu » button a phone shows in place of the links says the same count.
    expect(page.locator("[data-menu-button] .badge")).to_have_text(badge.inner_text())

    message = live_platform.wait_for_email("zoe.e2e@example.org")
    assert "Votre expression a reçu une réponse" in str(message["Subject"])
    worker_log = live_platform.logs["celery-worker"].read_text(encoding="utf-8", errors="replace")
    assert "send_email" in worker_log and "succeeded" in worker_log, "not sent by the worker"
