"""The référent manages consultations, instances and roles without the Django admin, on a
phone-sized screen: from the home page, by clicking, to « Espace référent »; a consultation
created for tomorrow, then opened now; an instance created and a resident seated in it (she
becomes « membre d'une instance » on the same screen); a resident made mediator after a
confirmation. Then a resident finds the consultation on the expression form.

Every page passes ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean console), none
scrolls sideways at 360 px, and no page of /gestion/admin/ is ever asked for.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_page_is_sound, open_header_menu
from .journey_helpers import expect_message

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
REFERENT = "referent@demo.auchel.fr"
PASSWORD = "un-mot-de-passe-pour-2030"


def sound(page) -> None:
    width = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"
    assert_page_is_sound(page)


def click_to(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


@pytest.fixture(scope="module")
def people(live_platform):
    token = secrets.token_hex(3)
    accounts = {
        "member": f"membre.{token}@example.org",
        "mediator": f"future.mediatrice.{token}@example.org",
        "resident": f"habitante.{token}@example.org",
    }
    for name, email in accounts.items():
        live_platform.create_user(email, PASSWORD, display_name=f"{name.title()} {token}")
    return {"token": token, **accounts}


def test_the_referent_creates_and_opens_a_consultation_seats_a_member_and_gives_a_role(
    page_as, live_platform, people
):
    token = people["token"]
    title = f"Le square Émile Zola {token}"
    instance_name = f"Conseil citoyen de Rimbart {token}"
    referent = page_as(REFERENT, settings.DEMO_PASSWORD)
    referent.set_viewport_size(PHONE)
    asked: list[str] = []
    referent.on("request", lambda request: asked.append(request.url))

    # From the home page, by clicking, to « Espace référent ».
    referent.goto("/")
    open_header_menu(referent)
    click_to(referent, referent.locator(".account-nav").get_by_role("link", name="Espace référent"))
    expect(referent.get_by_role("heading", level=1)).to_have_text("Espace référent")
    sound(referent)

    # A consultation, first sent without its quartier: the page says so and keeps the rest.
    consultations = referent.locator("section#consultations")
    click_to(referent, consultations.get_by_role("link", name="Créer une consultation"))
    expect(referent.get_by_role("heading", level=1)).to_have_text("Créer une consultation")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    referent.locator("#id_title").fill(title)
    referent.locator("#id_slug").fill(f"square-emile-zola-{token}")
    referent.locator("#id_question").fill("Que voulez-vous pour le square ?")
    referent.locator("#id_opens_on").fill(tomorrow.isoformat())
    referent.locator("#id_closes_on").fill((tomorrow + dt.timedelta(days=30)).isoformat())
    click_to(referent, referent.get_by_role("button", name="Enregistrer la consultation"))
    expect(referent.locator(".form-errors")).to_contain_text(
        "Cochez au moins un quartier concerné."
    )
    expect(referent.locator("#id_title")).to_have_value(title)
    sound(referent)
    referent.get_by_label("Rimbart", exact=True).check()
    click_to(referent, referent.get_by_role("button", name="Enregistrer la consultation"))
    expect_message(referent, "La consultation est enregistrée")
    expect(referent.get_by_role("heading", level=1)).to_have_text("Gérer les consultations")
    row = referent.locator(".gestion-rows > li", has_text=title)
    expect(row.locator(".status")).to_have_text("bientôt ouverte")
    sound(referent)

    # Opened now, until the day proposed.
    click_to(referent, row.get_by_role("link", name=re.compile("^Ouvrir maintenant")))
    sound(referent)
    click_to(referent, referent.get_by_role("button", name="Ouvrir la consultation"))
    expect_message(referent, "est ouverte")
    row = referent.locator(".gestion-rows > li", has_text=title)
    expect(row.locator(".status")).to_have_text("ouverte")
    click_to(referent, referent.locator(".breadcrumb").get_by_role("link", name="Espace référent"))
    expect(referent.locator("section#consultations")).to_contain_text(title)

    # An instance, and a resident seated in it: she gets the role on the same screen.
    click_to(
        referent,
        referent.locator("section#instances").get_by_role(
            "link", name="Gérer les instances et leurs membres"
        ),
    )
    sound(referent)
    click_to(referent, referent.get_by_role("link", name="Créer une instance"))
    referent.locator("#id_name").fill(instance_name)
    referent.locator("#id_slug").fill(f"conseil-rimbart-{token}")
    sound(referent)
    click_to(referent, referent.get_by_role("button", name="Créer l'instance"))
    expect_message(referent, "L'instance est créée")
    expect(referent.get_by_role("heading", level=1)).to_have_text(instance_name)
    referent.locator("#id_email").fill(people["member"])
    expect(referent.locator("#id_give_comite_role")).to_be_checked()
    click_to(referent, referent.get_by_role("button", name="Ajouter à l'instance"))
    expect_message(referent, "siège maintenant dans l'instance")
    member = referent.locator(".gestion-rows > li", has_text=people["member"])
    expect(member).to_contain_text("Membre d'une instance")
    sound(referent)

    # A resident made mediator, after a confirmation.
    click_to(referent, referent.locator(".breadcrumb").get_by_role("link", name="Espace référent"))
    click_to(
        referent, referent.locator("section#roles").get_by_role("link", name="Gérer les rôles")
    )
    expect(referent.locator("section#roles")).to_have_count(0)
    expect(referent.get_by_role("heading", level=1)).to_have_text("Rôles des comptes")
    # The member seated above is listed among the instances' members.
    expect(referent.get_by_text(people["member"])).to_be_visible()
    referent.get_by_label(re.compile("^Chercher une personne")).fill(people["mediator"])
    click_to(referent, referent.get_by_role("button", name="Chercher"))
    sound(referent)
    click_to(referent, referent.get_by_role("link", name=re.compile("^Changer le rôle")).first)
    referent.get_by_label("Médiateur·rice", exact=True).check()
    click_to(referent, referent.get_by_role("button", name="Continuer"))
    expect(referent.get_by_role("heading", name="Confirmez le changement")).to_be_visible()
    expect(referent.locator(".gestion-confirm")).to_contain_text("double authentification")
    sound(referent)
    click_to(referent, referent.get_by_role("button", name="Confirmer le changement de rôle"))
    expect_message(referent, "est maintenant : Médiateur·rice")
    expect(
        referent.locator(
            "section", has=referent.get_by_role("heading", name=re.compile("^Médiateur"))
        )
    ).to_contain_text(people["mediator"])
    sound(referent)

    assert not [url for url in asked if "/gestion/admin/" in url]


def test_a_resident_finds_the_opened_consultation_on_the_expression_form(
    page_as, live_platform, people
):
    title = f"Le square Émile Zola {people['token']}"
    resident = page_as(people["resident"], PASSWORD)
    resident.set_viewport_size(PHONE)
    resident.goto("/")
    click_to(resident, resident.get_by_role("link", name="Donner mon avis").first)

    choice = resident.get_by_label("Répondez-vous à une consultation ?")
    expect(choice.locator("option", has_text=title)).to_have_count(1)
    sound(resident)
