"""A resident with a phone and no email address, at 360 px: she creates her account with her
mobile number alone, types the code she received by SMS (read from the SMS file backend of
the live platform), posts an expression, receives the committee's answer by SMS, and later
signs in again with her number and a new code.

The mediator's publication and the committee's answer are done through the services (the
other journeys, test_journeys.py, click through them); what this journey checks is that
they reach a resident who has only a phone.

Every page passes ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean console).
"""

from __future__ import annotations

import re
import secrets
import time

import pytest
from playwright.sync_api import expect

from .helpers import assert_page_is_sound
from .journey_helpers import expect_message

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
MEDIATOR = "mediateur@demo.auchel.fr"
COMMITTEE = "comite@demo.auchel.fr"


def test_a_resident_signs_up_with_her_mobile_posts_and_receives_the_answer_by_sms(
    page, live_platform
):
    # « 06 12 … »: a range every French mobile plan allows (06 39 and 06 90 to 06 97 are
    # not mobile numbers, and a random one fell there now and then).
    digits = f"12{secrets.randbelow(10**6):06d}"
    typed = f"06 {digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"
    number = f"+336{digits}"
    token = secrets.token_hex(3)
    text = f"Mobile {token} : il manque un passage piéton devant l'école Jules Ferry."
    page.set_viewport_size(PHONE)

    # 1. From the sign-up page, the way without an email address.
    page.goto("/comptes/signup/")
    assert_page_is_sound(page)
    with page.expect_navigation():
        page.get_by_role(
            "link", name=re.compile("Créer un compte avec mon numéro de mobile")
        ).click()
    assert_page_is_sound(page)
    page.get_by_label("Numéro de mobile").fill(typed)
    with page.expect_navigation():
        page.get_by_role("button", name="Recevoir mon code par SMS").click()

    # 2. The code arrives by SMS; she types it and is signed in.
    expect(page.locator("h1")).to_have_text("Entrez le code reçu par SMS")
    expect(page.locator("main")).to_contain_text(typed)
    assert_page_is_sound(page)
    code = live_platform.last_sms_code_to(number)
    page.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Valider le code").click()
    page.goto("/compte/profil/")
    expect(page.locator(".profile-summary")).to_contain_text(typed)
    expect(page.get_by_label("SMS", exact=True)).to_be_checked()
    assert_page_is_sound(page)

    # 3. She posts an expression.
    page.goto("/expressions/nouvelle/")
    form = page.locator("form[data-expression-form]")
    form.get_by_label("Votre message").fill(text)
    quartier = form.get_by_label("Votre quartier")
    quartier.select_option(
        quartier.locator("option", has_text="Rimbart").first.get_attribute("value")
    )
    form.get_by_label("Tout le monde, sans mon nom").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Envoyer mon message").click()
    expect_message(page, "Votre message est bien reçu")
    match = re.search(r"/expressions/(\d+)/$", page.url)
    assert match, f"not on the expression's page after sending: {page.url}"
    expression_id = int(match.group(1))
    assert_page_is_sound(page)

    # 4. The mediator publishes and routes it; the committee answers at a séance held today.
    answer = f"Réponse {token} : le passage piéton sera peint au printemps."
    answer_end = "sera peint au printemps"
    live_platform.shell(
        "import datetime as dt\n"
        "from django.utils import timezone\n"
        "from consultations.committee import services as committee\n"
        "from consultations.models import Expression, Instance, Seance\n"
        "from consultations.moderation import aiguillage, services as moderation\n"
        "from participation.accounts.models import User\n"
        f"mediator = User.objects.get(email={MEDIATOR!r})\n"
        f"member = User.objects.get(email={COMMITTEE!r})\n"
        f"expression = Expression.objects.get(pk={expression_id})\n"
        "moderation.publish(expression, actor=mediator)\n"
        "instance = Instance.objects.filter(members=member).order_by('pk').first()\n"
        "aiguillage.route(expression.pk, actor=mediator, instances=[instance])\n"
        "seance = Seance.objects.create(instance=instance, title='Séance (mobile)',"
        " starts_at=timezone.now() - dt.timedelta(hours=1), place='Mairie', created_by=member)\n"
        "[item] = committee.add_to_agenda(seance, [expression], actor=member)\n"
        f"committee.record_answer(item, actor=member, decision='retenue', text={answer!r})\n"
    )

    # 5. The answer reaches her phone, once, as one SMS with a link to her expression.
    deadline = time.monotonic() + 30
    while not (answered := [m for m in live_platform.sms_to(number) if answer_end in m["body"]]):
        assert time.monotonic() < deadline, [m["body"] for m in live_platform.sms_to(number)]
        time.sleep(0.3)
    [sms] = answered
    # One SMS (French typography made GSM-7, « ç » has no place there), the link kept whole.
    assert re.match(r"Votre expression a re.u une r.ponse", sms["body"]), sms["body"]
    assert re.search(r"https?://\S+/r/\S+$", sms["body"]), sms["body"]
    page.goto(f"/expressions/{expression_id}/")
    expect(page.locator("ol.timeline li.step-repondue")).to_contain_text(answer)
    assert_page_is_sound(page)

    # 6. Another day, on a browser that forgot her: she signs in with her number and a code.
    page.context.clear_cookies()
    page.goto("/comptes/login/")
    assert_page_is_sound(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Recevoir un code par courriel ou SMS").click()
    assert_page_is_sound(page)
    sent = len(live_platform.sms_to(number))
    page.get_by_label("ou votre numéro de mobile").fill(typed.replace(" ", "."))
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer le code").click()
    expect(page.locator("main")).to_contain_text(f"Si un compte existe pour le {typed}")
    assert_page_is_sound(page)
    page.locator("input[name=code]").fill(live_platform.last_sms_code_to(number, after=sent))
    with page.expect_navigation():
        page.get_by_role("button", name="Valider le code").click()
    page.goto("/compte/mon-espace/")
    expect(page.locator("main")).to_contain_text(text[:40])
