"""A mediator registers a resident without account at a stand with her mobile number and
her consent; the event is cancelled; she gets one SMS whose short link opens the event's
page, which says it is cancelled.

Every page passes ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean console).
"""

from __future__ import annotations

import secrets

import pytest
from django.conf import settings
from playwright.sync_api import expect

from participation.notifications.sms_backends import sms_length

from .helpers import assert_page_is_sound
from .journey_helpers import expect_message

pytestmark = pytest.mark.e2e

MEDIATOR = "mediateur@demo.auchel.fr"


def test_a_guest_registered_with_her_mobile_gets_the_cancellation_by_sms(
    page_as, page, live_platform
):
    # « 06 12 … »: 06 39 and 06 90 to 06 97 are not mobile numbers.
    digits = f"12{secrets.randbelow(10**6):06d}"
    typed = "06 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    number = "+336" + digits
    title = f"Stand du marché de Rimbart {secrets.token_hex(3)}"
    pk = (
        live_platform.shell(
            "import datetime as dt\n"
            "from django.utils import timezone\n"
            "from evenements.models import Evenement\n"
            "start = timezone.now() + dt.timedelta(days=5)\n"
            f"event = Evenement.objects.create(title={title!r}, kind='stand', status='publie',"
            " place_name='Place Jules Guesde', starts_at=start, registration_required=True,"
            " ends_at=start + dt.timedelta(hours=2), organiser_name='Commune')\n"
            "print(event.pk)\n"
        )
        .strip()
        .splitlines()[-1]
    )
    mediator = page_as(MEDIATOR, settings.DEMO_PASSWORD)

    mediator.goto(f"/evenements/{pk}/inscrire-une-personne/")
    assert_page_is_sound(mediator)
    mediator.get_by_label("Nom ou prénom de la personne").fill("Mme Lefebvre")
    mediator.get_by_label("Téléphone mobile").fill(typed)
    mediator.get_by_label("La personne accepte", exact=False).check()
    with mediator.expect_navigation():
        mediator.get_by_role("button", name="Inscrire", exact=True).click()
    expect_message(mediator, "Mme Lefebvre est inscrit·e.")
    expect(mediator.get_by_role("cell", name=f"{typed}", exact=False)).to_be_visible()
    assert_page_is_sound(mediator)

    mediator.goto(f"/evenements/{pk}/annuler/")
    expect(mediator.locator(".notice")).to_contain_text("par SMS")
    mediator.get_by_label("Motif de l'annulation").fill("Pluie annoncée")
    with mediator.expect_navigation():
        mediator.get_by_role("button", name="Annuler l'événement").click()

    sms = live_platform.last_sms_to(number)
    assert sms["kind"] == "evenement-cancelled"
    assert title in sms["body"]
    assert sms_length(sms["body"])[0] <= 160
    link = sms["body"].rsplit(" ", 1)[-1]
    assert link.startswith(f"{live_platform.url}/r/e")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Cet événement est annulé.")).to_be_visible()
    assert_page_is_sound(page)
    assert [m["kind"] for m in live_platform.sms_to(number)] == ["evenement-cancelled"]
