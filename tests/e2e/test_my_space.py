"""« Mon espace » on a phone: from the home page, by clicking, the resident reads where her
expression stands without scrolling sideways; she cancels a registration (a question first)
and takes the cancellation back.

Every page passes ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean console).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from playwright.sync_api import expect

from .helpers import assert_page_is_sound, open_header_menu
from .journey_helpers import expect_message

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
PASSWORD = "un-mot-de-passe-pour-2030"
MEDIATOR = "mediateur@demo.auchel.fr"


@pytest.fixture(scope="module")
def resident(live_platform):
    """A resident with a published expression and a registration to tomorrow's event."""
    token = secrets.token_hex(3)
    email = f"mon.espace.{token}@example.org"
    text = f"Espace {token} : le banc du square Émile Zola est cassé depuis l'été."
    title = f"Atelier vélo de Rimbart {token}"
    live_platform.create_user(email, PASSWORD, display_name=f"Inès {token}")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    live_platform.shell(
        "import datetime as dt\n"
        "from django.utils import timezone\n"
        "from consultations.expressions import services\n"
        "from consultations.models import Status\n"
        "from consultations.transitions import change_status\n"
        "from evenements import services as evenements\n"
        "from evenements.models import Evenement\n"
        "from participation.accounts.models import User\n"
        "from participation.territory.models import Quartier\n"
        f"author = User.objects.get(email={email!r})\n"
        "rimbart = Quartier.objects.get(slug='rimbart')\n"
        f"expression, _ = services.submit(author=author, quartier=rimbart, text={text!r})\n"
        # Published by the demo mediator, through the one door of the path.
        f"mediator = User.objects.get(email={MEDIATOR!r})\n"
        "change_status(expression, to=Status.PUBLIEE, actor=mediator, allowed=lambda user: True)\n"
        f"start = timezone.make_aware(dt.datetime({tomorrow.year}, {tomorrow.month},"
        f" {tomorrow.day}, 14, 0))\n"
        f"event = Evenement.objects.create(title={title!r}, kind='stand',"
        " place_name='Maison de quartier', starts_at=start,"
        " ends_at=start + dt.timedelta(hours=2), organiser_name='Ville d’Auchel',"
        " capacity=12, registration_required=True)\n"
        "event.quartiers.set([rimbart])\n"
        "evenements.register(event.pk, author, adults=2)\n"
    )
    return {"email": email, "text": text, "title": title}


def phone_page(page_as, resident):
    page = page_as(resident["email"], PASSWORD)
    page.set_viewport_size(PHONE)
    return page


def assert_no_sideways_scrolling(page) -> None:
    width = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def test_the_resident_clicks_from_the_home_page_to_my_space_and_reads_her_status(page_as, resident):
    page = phone_page(page_as, resident)
    page.goto("/")
    open_header_menu(page)
    with page.expect_navigation():
        page.locator(".account-nav").get_by_role("link", name="Mon espace").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    card = page.locator("li.my-expression", has_text=resident["text"][:30])
    expect(card).to_be_visible()
    status = card.locator(".status")
    expect(status).to_have_text("Publiée")
    expect(card.locator(".new-mark")).to_have_text("nouveau")  # published before her visit
    # She reads it where it is: nothing of the card, the status least of all, is off to the
    # side of a 360 px screen.
    assert_no_sideways_scrolling(page)
    for element in (card, status):
        box = element.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert_page_is_sound(page)

    # Seen: the next visit no longer calls it new; « Mes expressions » says the same.
    page.reload()
    expect(page.locator("li.my-expression", has_text=resident["text"][:30])).to_be_visible()
    expect(page.locator("li.my-expression .new-mark")).to_have_count(0)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"Tous mes messages")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes expressions")
    mine = page.locator("li.my-expression", has_text=resident["text"][:30])
    expect(mine.locator(".status")).to_have_text("Publiée")
    assert_no_sideways_scrolling(page)
    assert_page_is_sound(page)


def test_the_resident_cancels_a_registration_after_a_question_then_takes_it_back(page_as, resident):
    page = phone_page(page_as, resident)
    page.goto("/compte/mon-espace/")
    registration = page.locator("article.event-card", has_text=resident["title"])
    expect(registration).to_contain_text("Confirmée, 2 personnes")
    expect(
        registration.get_by_role("link", name=re.compile("Ajouter à mon agenda"))
    ).to_have_attribute("href", re.compile(r"/evenements/\d+/evenement\.ics$"))

    with page.expect_navigation():
        registration.get_by_role("link", name=re.compile("Annuler mon inscription")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuler mon inscription ?")
    expect(page.locator("main")).to_contain_text(resident["title"])
    assert_page_is_sound(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Oui, annuler mon inscription").click()
    assert page.url.endswith("/compte/mon-espace/")
    notice = page.locator(".notice-undo")
    expect(notice).to_contain_text(f"Votre inscription est annulée : « {resident['title']} »")
    expect(page.locator("article.event-card", has_text=resident["title"])).to_have_count(0)
    assert_no_sideways_scrolling(page)
    assert_page_is_sound(page)

    with page.expect_navigation():
        notice.get_by_role("button", name=re.compile("Annuler l'annulation")).click()
    expect_message(page, "est de nouveau confirmée")
    expect(page.locator(".notice-undo")).to_have_count(0)
    expect(page.locator("article.event-card", has_text=resident["title"])).to_contain_text(
        "Confirmée, 2 personnes"
    )
    assert_page_is_sound(page)
