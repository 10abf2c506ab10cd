"""Live arrivals wherever the mediator is (issue 17, point 4), in a real browser over the
Redis channel layer: on the first page of a queue longer than one page, a new expression is
announced within a second (number, quartier, first words, link) in a polite live region,
no row moves under the pointer and the counters agree; an arrival outside the page's filter
is counted, not listed; the area says when the feed pauses and when it comes back."""

import json
import re
import uuid

import pytest
from django.conf import settings
from playwright.sync_api import expect

from consultations.moderation.views.queue import PAGE_SIZE

from .helpers import assert_page_is_sound

pytestmark = pytest.mark.e2e

MEDIATOR = "mediateur@demo.auchel.fr"
PASSWORD = "un-mot-de-passe-pour-2030"
WITHIN_A_SECOND = 1.0
# Waits for the page: the assertion of time is on the clock, not on these.
SOON = 2000  # ms
CONNECTED = 10000  # ms: the first connection of a page


@pytest.fixture(scope="module")
def long_queue(live_platform) -> dict:
    """More than a page of expressions waiting in one quartier (hence in the whole queue),
    whatever other journeys left; not in Rimbart, whose filtered queue they expect short."""
    author = f"file.longue.{uuid.uuid4().hex[:8]}@example.org"
    live_platform.create_user(author, PASSWORD, display_name="Odile")
    output = live_platform.shell(
        "import json\n"
        "from consultations import changes\n"
        "from consultations.models import Expression, waiting_q\n"
        "from participation.accounts.models import User\n"
        "from participation.territory.models import Quartier\n"
        "from tests.consultations.factories import ExpressionFactory\n"
        "quartier = Quartier.objects.get(slug='cite-5')\n"
        f"author = User.objects.get(email={author!r})\n"
        "waiting = Expression.objects.filter(waiting_q(), quartier=quartier).count()\n"
        f"for n in range(max(0, {PAGE_SIZE + 5} - waiting)):\n"
        "    ExpressionFactory(author=author, quartier=quartier,"
        " text=f'Le trottoir de la rue {n} est défoncé.')\n"
        "changes.queue_changed()  # written without the services: the queue reads it again\n"
        "print(json.dumps({'slug': quartier.slug, 'name': quartier.short_name}))\n"
    )
    return json.loads(output.strip().splitlines()[-1])


def submit(live_platform, *, quartier: str, text: str) -> tuple[int, float]:
    """A resident submits through the service, which broadcasts after commit; returns the
    expression's number and the time of the commit (this machine's clock)."""
    author = f"arrivee.{uuid.uuid4().hex[:8]}@example.org"
    live_platform.create_user(author, PASSWORD, display_name="Yvette")
    output = live_platform.shell(
        "import time\n"
        "from consultations.expressions import services\n"
        "from participation.accounts.models import User\n"
        "from participation.territory.models import Quartier\n"
        f"author = User.objects.get(email={author!r})\n"
        "expression, _ = services.submit(author=author,"
        f" quartier=Quartier.objects.get(slug={quartier!r}), text={text!r})\n"
        "print(expression.pk, time.time())\n"
    )
    pk, committed_at = output.strip().splitlines()[-1].split()
    return int(pk), float(committed_at)


WATCH_ARRIVALS = """() => {
  const list = document.querySelector("[data-arrivals-list]");
  window.__arrivedAt = null;
  new MutationObserver((changes, observer) => {
    if (list.children.length) { window.__arrivedAt = Date.now(); observer.disconnect(); }
  }).observe(list, { childList: true });
}"""


# The page's moderation sockets, real until ``__feed.pause()``: then closed, as a dropped
# connection would be, and every new one refused (as by a server restarting) until
# ``__feed.resume()``; the page's client keeps trying meanwhile. All in the page, so that
# the events reach it whatever the test is doing.
FEED = """
(() => {
  const Real = window.WebSocket;
  const open = [];
  window.__feed = {
    refused: false,
    pause() { this.refused = true; open.splice(0).forEach((socket) => socket.close()); },
    resume() { this.refused = false; },
  };
  window.WebSocket = function (url, protocols) {
    if (!String(url).includes("/ws/moderation/")) return new Real(url, protocols);
    if (window.__feed.refused) {
      const refused = {};
      setTimeout(() => refused.onclose && refused.onclose({ code: 1011 }), 50);
      return refused;
    }
    const socket = new Real(url, protocols);
    open.push(socket);
    return socket;
  };
})();
"""


def under_pointer(page, point) -> str:
    return page.evaluate(
        "([x, y]) => { const row = document.elementFromPoint(x, y).closest('.queue-item');"
        " return row ? row.id : ''; }",
        [point["x"], point["y"]],
    )


def test_on_the_first_page_of_a_long_queue_a_new_expression_is_announced_within_a_second(
    page_as, live_platform, long_queue
):
    page = page_as(MEDIATOR, settings.DEMO_PASSWORD)
    page.add_init_script(FEED)
    page.goto("/moderation/")
    expect(page.locator("[data-live-status]")).to_contain_text(
        "Flux en direct :", timeout=CONNECTED
    )
    expect(page.locator(".pagination")).to_contain_text("Page 1 sur")
    rows = page.locator("[data-queue-rows] > .queue-item")
    expect(rows).to_have_count(PAGE_SIZE)
    header = page.locator("nav [data-moderation-count]").first
    visible = page.locator("[data-visible-count]")
    before = int(header.inner_text())
    assert int(visible.inner_text()) == before
    # The mediator's pointer rests on a row in the middle of the first page.
    pointed = rows.nth(PAGE_SIZE // 2)
    pointed.hover()
    box = pointed.bounding_box()
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    pointed_id = under_pointer(page, point)
    assert pointed_id == pointed.get_attribute("id")
    page.evaluate(WATCH_ARRIVALS)

    pk, committed_at = submit(
        live_platform,
        quartier=long_queue["slug"],
        text="<b>Le banc</b> du square est cassé depuis la tempête, les anciens ne peuvent plus s'asseoir.",
    )

    item = page.locator("[data-arrivals-list] li").first
    expect(item).to_contain_text(f"Expression n° {pk}", timeout=SOON)
    arrived_at = page.evaluate("window.__arrivedAt") / 1000
    assert arrived_at - committed_at < WITHIN_A_SECOND, arrived_at - committed_at
    # Quartier, first words as typed (text, never markup), a link to the expression.
    expect(item).to_contain_text(f"{long_queue['name']} · nouvelle : « <b>Le banc</b> du square")
    expect(item.locator("b")).to_have_count(0)
    expect(item.get_by_role("link")).to_have_attribute("href", f"/moderation/expressions/{pk}/")
    area = page.locator("[data-arrivals-live]")
    expect(area).to_have_attribute("role", "status")
    expect(area).to_have_attribute("aria-live", "polite")
    # Nothing inserted on the first page: the row under the pointer has not moved.
    expect(page.locator(f"#expression-{pk}")).to_have_count(0)
    expect(rows).to_have_count(PAGE_SIZE)
    assert pointed.bounding_box() == box
    assert under_pointer(page, point) == pointed_id
    # The counters and the announcement agree: one more, one announced.
    expect(header).to_have_text(str(before + 1), timeout=SOON)
    expect(visible).to_have_text(str(before + 1), timeout=SOON)
    summary = page.locator("[data-arrivals-summary]")
    expect(summary).to_contain_text("1 nouvelle à modérer depuis l’ouverture de la page")
    see = summary.get_by_role("link", name="Voir les nouveaux (1)")
    expect(see).to_have_attribute("href", f"?vue=a-moderer&page=last#expression-{pk}")
    assert_page_is_sound(page)

    page.evaluate("window.__feed.pause()")
    state = page.locator("[data-arrivals-state]")
    expect(state).to_have_text(
        "Le direct est en pause : rechargez la page pour voir les nouveaux messages.", timeout=SOON
    )
    expect(page.locator("[data-live-status]")).to_contain_text("en pause")
    page.evaluate("window.__feed.resume()")
    expect(state).to_contain_text("Le direct a repris.", timeout=CONNECTED)

    with page.expect_navigation():
        see.click()
    expect(page.locator(f"#expression-{pk}")).to_be_visible()
    expect(page.locator(".pagination [aria-current=page]")).to_contain_text(
        re.compile(r"Page (\d+) sur \1")
    )


def test_on_a_filtered_page_an_arrival_elsewhere_is_counted_and_one_that_matches_is_listed(
    page_as, live_platform, long_queue
):
    page = page_as(MEDIATOR, settings.DEMO_PASSWORD)
    page.goto(f"/moderation/?quartier={long_queue['slug']}")
    expect(page.locator("[data-live-status]")).to_contain_text(
        "Flux en direct :", timeout=CONNECTED
    )
    expect(page.locator(".pagination")).to_contain_text("Page 1 sur")
    header = page.locator("nav [data-moderation-count]").first
    visible = page.locator("[data-visible-count]")
    before, shown = int(header.inner_text()), int(visible.inner_text())
    summary = page.locator("[data-arrivals-summary]")
    listed = page.locator("[data-arrivals-list] li")

    elsewhere, _ = submit(live_platform, quartier="rimbart", text="Ailleurs : la fontaine fuit.")

    expect(summary).to_have_text("1 autre hors de ce filtre", timeout=SOON)
    expect(header).to_have_text(str(before + 1), timeout=SOON)
    expect(listed).to_have_count(0)
    expect(visible).to_have_text(str(shown))

    here, _ = submit(live_platform, quartier=long_queue["slug"], text="Ici : la fontaine fuit.")

    expect(listed.first).to_contain_text(f"Expression n° {here}", timeout=SOON)
    expect(listed).to_have_count(1)
    expect(summary).to_contain_text("1 nouvelle à modérer depuis l’ouverture de la page")
    expect(summary).to_contain_text("1 autre hors de ce filtre")
    expect(header).to_have_text(str(before + 2), timeout=SOON)
    expect(visible).to_have_text(str(shown + 1), timeout=SOON)
    expect(summary.get_by_role("link", name="Voir les nouveaux (1)")).to_have_attribute(
        "href", f"?vue=a-moderer&quartier={long_queue['slug']}&page=last#expression-{here}"
    )
    assert elsewhere != here


REFERENT = "referent@demo.auchel.fr"


def boxes(page, ids: list[str]) -> list[dict]:
    return [page.locator(f"#{row_id}").bounding_box() for row_id in ids]


def test_a_row_a_colleague_handles_stays_in_place_marked_with_its_actions_disabled(
    page_as, live_platform, long_queue
):
    """Two mediators on the same first page: one publishes an expression from her queue; on
    the other's, that row does not leave nor move, nor do the rows below it, and the row under
    her pointer is still the one it was: it is marked « Traitée par un·e collègue : publiée »,
    its actions disabled, and the polite live region says so. Gone on the next load."""
    url = f"/moderation/?quartier={long_queue['slug']}"
    watcher = page_as(MEDIATOR, settings.DEMO_PASSWORD)
    watcher.goto(url)
    expect(watcher.locator("[data-live-status]")).to_contain_text(
        "Flux en direct :", timeout=CONNECTED
    )
    rows = watcher.locator("[data-queue-rows] > .queue-item")
    expect(rows).to_have_count(PAGE_SIZE)
    ids = [rows.nth(n).get_attribute("id") for n in range(PAGE_SIZE)]
    handled_id = ids[3]
    handled = watcher.locator(f"#{handled_id}")
    pk = int(handled_id.rsplit("-", 1)[1])
    # She has ticked it for a bulk action, and her pointer rests on the row below it.
    handled.locator("input[type=checkbox]").check()
    below = watcher.locator(f"#{ids[4]}")
    below.hover()
    box = below.bounding_box()
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    assert under_pointer(watcher, point) == ids[4]
    before = boxes(watcher, ids)

    colleague = page_as(REFERENT, settings.DEMO_PASSWORD)
    colleague.goto(url)
    with colleague.expect_navigation():
        colleague.locator(f"#{handled_id}").get_by_role("button", name="Publier").click()
    expect(colleague.locator(f"#{handled_id}")).to_have_count(0)  # hers reloads, without it

    mark = handled.locator("[data-handled-mark]")
    expect(mark).to_have_text("Traitée par un·e collègue : publiée", timeout=SOON)
    expect(watcher.locator("[data-live-announce]")).to_contain_text(
        f"Expression n° {pk} — Traitée par un·e collègue : publiée."
    )
    expect(watcher.locator("[data-live-announce]")).to_contain_text("Elle était cochée")
    # Nothing moved: the row itself, those below, the one under the pointer.
    expect(rows).to_have_count(PAGE_SIZE)
    assert boxes(watcher, ids) == before
    assert under_pointer(watcher, point) == ids[4]
    # Its actions are disabled: not ticked, not tickable, no « Publier » to press.
    checkbox = handled.locator("input[type=checkbox]")
    expect(checkbox).not_to_be_checked()
    expect(checkbox).to_be_disabled()
    expect(handled.get_by_role("button", name="Publier")).to_have_count(0)
    expect(handled.locator(".queue-actions a")).to_be_hidden()
    expect(watcher.locator(f"#{ids[4]}").get_by_role("button", name="Publier")).to_be_enabled()
    assert_page_is_sound(watcher)

    watcher.reload()
    expect(watcher.locator(f"#{handled_id}")).to_have_count(0)
