"""The moderation queue, live in a real browser over the Redis channel layer: an expression
submitted elsewhere appears without reload; one a colleague publishes stays in place, marked,
until the next load."""

import uuid

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_page_is_sound

pytestmark = pytest.mark.e2e

PASSWORD = "un-mot-de-passe-pour-2030"


def test_the_queue_shows_a_new_expression_live_and_marks_it_once_published(page_as, live_platform):
    author = f"moderation.{uuid.uuid4().hex[:8]}@example.org"
    live_platform.create_user(author, PASSWORD, display_name="Yvette")
    page = page_as("mediateur@demo.auchel.fr", settings.DEMO_PASSWORD)
    page.goto("/moderation/?quartier=rimbart")
    expect(page.locator("[data-live-status]")).to_contain_text("Flux en direct :", timeout=10000)
    assert_page_is_sound(page)
    counter = page.locator("nav [data-moderation-count]").first
    before = int(counter.inner_text())

    pk = live_platform.shell(
        "from consultations.expressions import services\n"
        "from participation.accounts.models import User\n"
        "from participation.territory.models import Quartier\n"
        f"author = User.objects.get(email={author!r})\n"
        "expression, _ = services.submit(author=author,"
        " quartier=Quartier.objects.get(slug='rimbart'),"
        " text='Le lampadaire devant l’école est éteint depuis une semaine.')\n"
        "print(expression.pk)\n"
    ).strip()

    row = page.locator(f"#expression-{pk}")
    # Sent by the platform alone: the test never sends the event itself.
    expect(row).to_be_visible(timeout=10000)
    expect(row).to_contain_text("Le lampadaire devant l’école est éteint")
    expect(counter).to_have_text(str(before + 1), timeout=10000)

    live_platform.shell(
        "from consultations.moderation import services as moderation\n"
        "from participation.accounts.models import User\n"
        "referent = User.objects.get(email='referent@demo.auchel.fr')\n"
        f"moderation.publish({pk}, actor=referent)\n"
    )

    expect(row.locator("[data-handled-mark]")).to_have_text(
        "Traitée par un·e collègue : publiée", timeout=10000
    )
    expect(counter).to_have_text(str(before), timeout=10000)
    expect(page.locator("[data-live-announce]")).to_contain_text(
        f"Expression n° {pk} — Traitée par un·e collègue : publiée."
    )
    page.reload()
    expect(row).to_have_count(0)


FAILING_SOCKET = """
(() => {
  const Real = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    if (!String(url).includes("/ws/moderation/")) return new Real(url, protocols);
    const fake = {};
    setTimeout(() => fake.onclose && fake.onclose({ code: 1011 }), 50);
    return fake;
  };
})();
"""


def test_when_the_live_feed_is_down_the_queue_says_so_and_still_works_by_reload(page_as):
    page = page_as("mediateur@demo.auchel.fr", settings.DEMO_PASSWORD)
    page.add_init_script(FAILING_SOCKET)

    page.goto("/moderation/")

    expect(page.locator("[data-live-status]")).to_have_text(
        "Flux en direct en pause — rechargez la page pour voir les nouveautés."
    )
    expect(page.locator(".queue-item").first).to_be_visible()
