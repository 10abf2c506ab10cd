"""Taking an event beyond the platform. Its poster, from its page: sound on a phone (axe,
320 px, a clean console), one A4 page once printed, and a QR code a phone's camera reads
(OpenCV's detector, on what Chromium drew) leading to the event's page. Its sharing: the
phone's own sheet, or WhatsApp, SMS and email links."""

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from playwright.sync_api import expect

from consultations.committee.views import POSTER_ANSWERS
from consultations.models import Decision
from participation.core.qr import qr_svg

from .helpers import assert_page_is_sound
from .journey_helpers import PHONE, on_a_phone_at_an_event, open_context

pytestmark = pytest.mark.e2e


def read_qr(png: bytes) -> str:
    """What a phone's camera reads in a screenshot of a QR code: OpenCV's detector, on the
    picture as drawn, then enlarged with a white margin. (Drawn blurred at its edges, a code
    of 5 px modules was missed once in 120 addresses; drawn on whole pixels, as
    ``qr_svg`` does, never in 400.)"""
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    detector = cv2.QRCodeDetector()
    value, _, _ = detector.detectAndDecode(image)
    if not value:
        bigger = cv2.resize(image, None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)
        bigger = cv2.copyMakeBorder(bigger, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
        value, _, _ = detector.detectAndDecode(bigger)
    return value


def read_qr_on(page, attempts: int = 3) -> str:
    """What a phone's camera reads of the poster's QR code. A camera reads frame after
    frame; so does this, up to ``attempts`` captures, and says what the last one read. (In
    one CI run of 7 December 2026, a capture of an event's poster read nothing, where 480
    captures here all read at once: 300 of codes alone, 180 of posters at widths from 320
    to 411 px, 40 of them with both cores loaded; probably a capture caught between two
    layouts. A code that cannot be read fails all three.)"""
    value = ""
    for _ in range(attempts):
        value = read_qr(page.locator(".poster-qr svg").screenshot())
        if value:
            break
    return value


def test_reading_again_reads_a_code_that_is_there_and_never_one_that_is_not(browser):
    """The captures taken again find nothing in a code with a third of it gone, and read a
    whole one: they give a slow drawing another chance, never a broken code a pass."""
    url = "http://127.0.0.1:51234/evenements/69/"
    whole = str(qr_svg(url))
    path = re.search(r' d="([^"]+)"', whole).group(1)
    moves = path.split("M")
    broken = whole.replace(path, "M".join(moves[: len(moves) * 2 // 3]))
    page = browser.new_page(viewport=PHONE)
    try:
        for svg, expected in ((whole, url), (broken, "")):
            page.set_content(f'<figure class="poster-qr" style="width:12rem">{svg}</figure>')
            assert read_qr_on(page) == expected
    finally:
        page.close()


def test_the_poster_of_an_event_prints_on_one_a4_page_with_a_qr_code_that_reads(
    browser, live_platform
):
    context, page = on_a_phone_at_an_event(browser, live_platform)
    try:
        event_path = page.url.split(live_platform.url, 1)[-1]
        page.get_by_role("link", name="Imprimer une affiche").click()
        page.wait_for_url("**/affiche/")
        assert_page_is_sound(page)
        assert page.get_by_role("button", name="Imprimer l'affiche").is_visible()

        value = read_qr_on(page)
        assert value.endswith(event_path), (value, event_path)

        # Printed (the poster's print styles), it holds on one A4 page.
        pdf = page.pdf(format="A4", print_background=True)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    finally:
        context.close()


@pytest.mark.parametrize("has_share", [True, False])
def test_her_phones_sharing_sheet_gets_the_event_and_without_it_the_links_stay(
    browser, live_platform, has_share
):
    """« Faire venir ses voisins »: « Partager… » hands the event to the phone's sharing sheet
    (the Web Share API, stubbed here: headless Chromium has no sheet); without the API the
    button stays hidden and the WhatsApp, SMS and email links do it."""
    stub = (
        "navigator.share = (data) => { window.__shared = data; return Promise.resolve(); };"
        if has_share
        else "delete Navigator.prototype.share; delete navigator.share;"
    )
    # From tomorrow: an event under way (the first of the list, some days) offers no sharing.
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    context, page = on_a_phone_at_an_event(
        browser, live_platform, init_script=stub, query=f"?du={tomorrow}"
    )
    try:
        button = page.get_by_role("button", name="Partager…")
        assert button.is_visible() is has_share
        if has_share:
            button.click()
            shared = page.evaluate("window.__shared")
            assert shared["url"].endswith(page.url.split(live_platform.url, 1)[-1]), shared
            assert "Venez dire ce que vous pensez du quartier" in shared["text"]
        whatsapp = page.get_by_role("link", name="par WhatsApp").get_attribute("href")
        assert whatsapp.startswith("https://wa.me/?text=")
        assert_page_is_sound(page)
    finally:
        context.close()


def test_the_answers_of_a_quartier_print_on_one_a4_page_with_a_qr_code_to_them(
    browser, live_platform
):
    context, page = open_context(browser, live_platform, viewport=PHONE)
    try:
        page.goto("/vous-avez-dit-nous-avons-fait/rimbart/")
        page.get_by_role("link", name="Imprimer une affiche").click()
        page.wait_for_url("**/rimbart/affiche/")
        assert_page_is_sound(page)
        expect(page.locator("h1")).to_have_text("Vous avez dit, nous avons fait")

        value = read_qr_on(page)
        assert value.endswith("/vous-avez-dit-nous-avons-fait/rimbart/"), value

        pdf = page.pdf(format="A4", print_background=True)
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
    finally:
        context.close()


def printed_pages(browser, html: str) -> int:
    """The pages Chromium prints ``html`` on, with the posters' own styles (inlined: the page
    is drawn by its template, not served)."""
    css = (Path(settings.BASE_DIR) / "static" / "css" / "poster.css").read_text()
    html = re.sub(r'<link rel="stylesheet" href="[^"]*poster[^"]*\.css">', "", html)
    page = browser.new_page()
    try:
        page.set_content(html.replace("</head>", f"<style>{css}</style></head>"))
        pdf = page.pdf(format="A4", print_background=True)
        return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    finally:
        page.close()


# A commune's contact as long as the référent's form lets it be, twice (an intercommunal
# quartier).
CONTACTS = [
    SimpleNamespace(
        name=name,
        mediation_phone="+33353012030",
        mediation_hours="h" * 200,
        mediation_place="p" * 200,
    )
    for name in ("Auchel", "Lozinghem")
]


def poster_bottom(path: str) -> dict:
    url = f"https://participation.auchel.fr{path}"
    return {"qr": qr_svg(url), "short_url": url.split("://", 1)[1], "contacts": CONTACTS}


def test_answers_as_long_as_they_come_still_print_on_one_page(browser):
    """The poster cuts each answer to a few lines: the longest item titles, expressions and
    answers it may hold, drawn by its template and printed by Chromium."""
    said = SimpleNamespace(text="Anticonstitutionnellement " * 200)
    answers = [
        SimpleNamespace(
            decision=Decision.DEJA_EN_COURS,
            get_decision_display=Decision.DEJA_EN_COURS.label,
            item_title="T" * 200,
            shown_expressions=[said],
            shown_count=9,
            text="Extraordinairement " * 250,
            instance_name="Comité de pilotage de la cohésion sociale " * 3,
            created_at=timezone.now(),
        )
        for _ in range(POSTER_ANSWERS)
    ]
    html = render_to_string(
        "consultations/retours/poster.html",
        {
            "quartier": SimpleNamespace(name="Provinces – Longues Trinques", slug="p"),
            "answers": answers,
            "back_url": "/",
            **poster_bottom("/vous-avez-dit-nous-avons-fait/provinces-longues-trinques/"),
        },
    )

    assert html.count("<li>") == POSTER_ANSWERS
    assert printed_pages(browser, html) == 1


def test_an_event_as_long_as_it_comes_still_prints_on_one_page(browser):
    start = timezone.now() + dt.timedelta(days=3)
    event = SimpleNamespace(
        pk=123456,
        title="Permanence " * 18,  # 198 characters, the form allows 200
        get_kind_display="Temps d'information",
        starts_at=start,
        ends_at=start + dt.timedelta(days=2),  # over several days: the longest « quand »
        place_name="Salle des fêtes " * 12,
        address="Rue de la République prolongée " * 10,
        quartiers=SimpleNamespace(all=[SimpleNamespace(name=f"Quartier n° {n}") for n in range(4)]),
        is_cancelled=True,
        cancellation_reason="Une raison bien longue " * 13,
        registration_required=True,
    )
    html = render_to_string(
        "evenements/poster.html",
        {"event": event, "back_url": "/", **poster_bottom("/evenements/123456/")},
    )

    assert printed_pages(browser, html) == 1
