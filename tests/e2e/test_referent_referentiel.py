"""The référent changes the referential from the « Espace référent », on a phone-sized screen:
she records an avenant « en cours », rewords one of Rimbart's objectives under it and retires
another; the public quartier page then shows the new wording, the retired objective apart, and
a link to the history, which shows the change and its avenant.

Every page passes ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean console) and none
scrolls sideways at 360 px.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_page_is_sound, open_header_menu
from .journey_helpers import expect_message

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 780}
REFERENT = "referent@demo.auchel.fr"


def sound(page) -> None:
    width = page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
    )
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"
    assert_page_is_sound(page)


def test_the_referent_rewords_an_objective_under_an_avenant_and_retires_another(page_as, page):
    token = secrets.token_hex(3)
    avenant = f"Avenant n° 1 : revue annuelle {token}"
    wording = f"Ouvrir un lieu pour les jeunes le soir ({token})"
    referent = page_as(REFERENT, settings.DEMO_PASSWORD)
    referent.set_viewport_size(PHONE)

    # From the home page, by clicking, to the référent's part of the referential.
    referent.goto("/")
    open_header_menu(referent)
    with referent.expect_navigation():
        referent.locator(".account-nav").get_by_role("link", name="Espace référent").click()
    block = referent.locator("section#referentiel")
    expect(block.get_by_role("heading", level=2)).to_have_text("Le référentiel du contrat de ville")
    sound(referent)

    # An avenant « en cours », to which the changes that follow are attached.
    with referent.expect_navigation():
        block.get_by_role("link", name="Enregistrer un avenant").click()
    expect(referent.get_by_role("heading", level=1)).to_have_text("Nouvel avenant")
    sound(referent)
    referent.get_by_label("Date de l'avenant").fill(dt.date.today().isoformat())
    referent.get_by_label("Intitulé").fill(avenant)
    referent.get_by_label("Ce qu'il change").fill("Reformule et retire des objectifs de Rimbart.")
    expect(referent.get_by_label("En cours")).to_be_checked()
    with referent.expect_navigation():
        referent.get_by_role("button", name="Enregistrer l'avenant").click()
    expect_message(referent, "enregistré")
    sound(referent)

    # Rimbart's objectives: the first one reworded under the avenant.
    with referent.expect_navigation():
        referent.get_by_role("link", name="Modifier Rimbart").click()
    sound(referent)
    rows = referent.locator("#objectifs li[id^=objectif-]")
    reworded_id = rows.nth(0).get_attribute("id")
    retired_id = rows.nth(1).get_attribute("id")
    retired_text = rows.nth(1).locator(".gestion-row-main").inner_text().split("\n")[0]
    with referent.expect_navigation():
        rows.nth(0).get_by_role("link", name="Modifier").click()
    sound(referent)
    referent.get_by_label("Objectif opérationnel pour le quartier").fill(wording)
    referent.get_by_label("Sous quel avenant ?").select_option(label=avenant)
    with referent.expect_navigation():
        referent.get_by_role("button", name="Enregistrer").click()
    expect_message(referent, "Enregistré")
    expect(referent.locator(f"#{reworded_id}")).to_contain_text(wording)

    # The second one retired from today, with its reason.
    with referent.expect_navigation():
        referent.locator(f"#{retired_id}").get_by_role("link", name="Retirer").click()
    sound(referent)
    referent.get_by_label("Motif du retrait").fill("Action terminée")
    referent.get_by_label("Sous quel avenant ?").select_option(label=avenant)
    with referent.expect_navigation():
        referent.get_by_role("button", name="Retirer l'objectif").click()
    expect_message(referent, "Objectif retiré")
    expect(referent.locator(f"#{retired_id}")).to_contain_text("Retiré à partir du")
    sound(referent)

    # The public page of the quartier: the referential in force, and its history.
    page.set_viewport_size(PHONE)
    page.goto("/quartiers/rimbart/")
    expect(page.locator(f"#{reworded_id}")).to_contain_text(wording)
    retired = page.locator("section.objectifs-retired")
    expect(retired.locator(f"#{retired_id}")).to_contain_text(retired_text)
    expect(retired).to_contain_text("Action terminée")
    sound(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Voir l'historique des modifications").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Historique du référentiel")
    change = page.locator("li.change").filter(has_text=wording)
    expect(change).to_have_count(1)
    expect(change).to_contain_text(f"sous l'avenant « {avenant} »")
    expect(page.locator("li.change").filter(has_text="Action terminée")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(REFERENT)
    sound(page)
