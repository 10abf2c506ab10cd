"""Small additions for the journeys that span several browser contexts and several tests.

The harness's ``page`` and ``page_as`` fixtures live for one test; a journey whose roles act
on each other's pages (a mediator's open queue sees a resident's message arrive) keeps its
contexts for a whole module: ``open_context`` makes one exactly as the harness does
(French locale, the CSP recorder, console errors recorded per document).
"""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import expect

from .helpers import CSP_RECORDER, console_log
from .server import email_body

# What counts as a visible focus indicator: an outline, or a box-shadow ring.
FOCUS_STYLE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) {
    return {tag: el ? el.tagName : null, visible: false, why: "nothing focused"};
  }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  const label = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.name ? "[name=" + el.name + "]" : "") +
    (el.type ? "[type=" + el.type + "]" : "") +
    (el.value && (el.type === "radio" || el.type === "checkbox") ? "[value=" + el.value + "]" : "");
  return {
    tag: label,
    visible: Boolean(outline || shadow),
    why: "outline " + style.outlineStyle + " " + style.outlineWidth + ", box-shadow " + style.boxShadow,
  };
}"""


def open_context(browser, live_platform, **options):
    """A new browser context and page on the live server, set up as the harness's ``page``."""
    context = browser.new_context(
        base_url=live_platform.url,
        locale="fr-FR",
        **{"viewport": {"width": 1280, "height": 800}, **options},
    )
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    console_log(page)
    return context, page


PHONE = {"width": 360, "height": 780}


def on_a_phone_at_an_event(browser, live_platform, *, init_script: str = "", query: str = ""):
    """A phone (360 × 780) on the page of the first event the list shows (with ``query``;
    ``init_script`` run in every document first)."""
    context, page = open_context(browser, live_platform, viewport=PHONE)
    if init_script:
        context.add_init_script(init_script)
    page.goto(f"/evenements/{query}")
    page.locator(".event-list a").first.click()
    page.wait_for_url("**/evenements/*/")
    return context, page


def mark_document(page) -> None:
    """Leave a mark on the current document: ``assert_same_document`` fails after a reload."""
    page.evaluate("window.__journeyMark = 'still here'")


def assert_same_document(page) -> None:
    assert page.evaluate("window.__journeyMark") == "still here", (
        f"{page.url} was reloaded or left: the change had to arrive without reloading"
    )


def flash_messages(page) -> str:
    """The text of the messages the platform shows after an action (success, info, error)."""
    return " | ".join(page.locator(".messages .message").all_inner_texts())


def expect_message(page, pattern: str) -> None:
    """The platform's message after an action (``.messages``) matches ``pattern``."""
    expect(page.locator(".messages")).to_contain_text(re.compile(pattern))


def focused_element(page) -> dict:
    """The focused element's label and whether its focus is visible (outline or box-shadow)."""
    return page.evaluate(FOCUS_STYLE)


def tab_to(page, predicate: str, *, key: str = "Tab", limit: int = 80, seen: list | None = None):
    """Press ``key`` until ``predicate`` (a JS expression on ``el``) holds for the focus.

    After each press the focus must be visible; every element focused on the way is added
    to ``seen`` (for the report when something goes wrong).
    """
    seen = seen if seen is not None else []
    for _press in range(limit):
        page.keyboard.press(key)
        focus = focused_element(page)
        seen.append(focus["tag"])
        assert focus["visible"], (
            f"The focus on {focus['tag']} is not visible ({focus['why']}) on {page.url}"
        )
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return Boolean({predicate}); }})()"
        ):
            return focus
    raise AssertionError(
        f"{limit} presses of {key} never reached {predicate} on {page.url}; focus went through "
        + " → ".join(seen[-30:])
    )


def wait_for_email_about(live_platform, address: str, text: str, *, timeout: float = 20):
    """The email to ``address`` whose subject or body holds ``text`` (the worker sends it)."""
    deadline = time.monotonic() + timeout
    while True:
        for message in live_platform.emails_to(address):
            if text in str(message["Subject"]) + email_body(message):
                return message
        if time.monotonic() > deadline:
            raise AssertionError(
                f"No email to {address} about {text!r} within {timeout} s; they got: "
                + repr([str(m["Subject"]) for m in live_platform.emails_to(address)])
            )
        time.sleep(0.2)


def todays_event_in_the_last_quartier(live_platform, *, title: str, kind: str, place: str) -> dict:
    """An event of ``kind`` (an Evenement.Kind value) that began an hour ago, in the last
    quartier of the list, so that no default could pass for the event's; returns that
    quartier (pk, name, slug). An hour ago, never ahead: an event that has not begun may
    not be named, and one an hour ahead is tomorrow after 23:00 in Paris."""
    return json.loads(
        live_platform.shell(
            "import datetime as dt, json\n"
            "from django.utils import timezone\n"
            "from evenements.models import Evenement\n"
            "from participation.territory.models import Quartier\n"
            "quartier = Quartier.objects.order_by('position', 'name').last()\n"
            "start = timezone.now() - dt.timedelta(hours=1)\n"
            f"event = Evenement.objects.create(title={title!r}, kind={kind!r},"
            f" place_name={place!r}, starts_at=start, ends_at=start + dt.timedelta(hours=3),"
            " organiser_name='Commune')\n"
            "event.quartiers.set([quartier])\n"
            "print(json.dumps({'pk': quartier.pk, 'name': quartier.name, 'slug': quartier.slug}))\n"
        )
    )
