"""The committee in a real browser: what was routed to its instance with the photo and the
mediator's note, the dashboard's live counter over Redis, the séance pages (axe, 320 px),
an answer written in the form, a long export prepared by the Celery worker with its
progress bar."""

import datetime as dt
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_page_is_sound

pytestmark = pytest.mark.e2e
COMITE = "comite@demo.auchel.fr"


ROUTING_NOTE = "Deux habitants signalent le trou, photo jointe : à voir avec la voirie."
FIELD_EXPRESSION_WITH_PHOTO = """
import io
from PIL import Image
from django.core.files.uploadedfile import SimpleUploadedFile
from consultations.expressions import services
from consultations.models import Instance
from consultations.moderation import aiguillage
from consultations.moderation import services as moderation
from participation.accounts.models import User
from participation.territory.models import Quartier
buffer = io.BytesIO()
Image.new("RGB", (800, 600), (180, 90, 30)).save(buffer, "JPEG")
photo = SimpleUploadedFile("trou.jpg", buffer.getvalue(), content_type="image/jpeg")
mediateur = User.objects.get(email="mediateur@demo.auchel.fr")
expression, _created = services.record_in_field(
    mediator=mediateur,
    quartier=Quartier.objects.get(slug="rimbart"),
    source="stand",
    text="Un trou dans la chaussée rue Émile Zola : une poussette s'y est coincée.",
    photo=photo,
    photo_description="Le trou dans la chaussée, rue Émile Zola",
)
moderation.publish(expression, actor=mediateur)
copil = Instance.objects.get(slug="comite-pilotage-cohesion-sociale")
aiguillage.route(expression, actor=mediateur, instances=[copil], note=%r)
print(expression.pk)
"""


def test_the_committee_sees_the_photo_and_the_note_of_what_was_routed_to_it(page_as, live_platform):
    number = (
        live_platform.shell(FIELD_EXPRESSION_WITH_PHOTO % ROUTING_NOTE).strip().splitlines()[-1]
    )
    page = page_as(COMITE, settings.DEMO_PASSWORD)
    page.goto("/")
    page.get_by_role("link", name="Tableau de bord du comité").click()
    page.get_by_role("link", name="Transmis à notre instance").click()
    expect(page.locator("h1")).to_have_text("Transmis à notre instance")
    assert_page_is_sound(page)

    routed = page.locator("article").filter(
        has=page.get_by_role("heading", name=f"Expression n° {number} — Rimbart")
    )
    expect(routed).to_contain_text("une poussette s'y est coincée")
    expect(routed.locator(".routing-note")).to_contain_text(ROUTING_NOTE)
    thumbnail = routed.get_by_role("img", name="Le trou dans la chaussée, rue Émile Zola")
    expect(thumbnail).to_be_visible()
    thumbnail.scroll_into_view_if_needed()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    photo = routed.get_by_role("link", name="Voir la photo en grand")
    assert photo.get_attribute("href") == f"/expressions/{number}/photo/"

    # The objectives are there from the first load; choosing a quartier keeps its own.
    objectifs = page.get_by_label("Objectif")
    assert objectifs.locator("option[data-quartier]").count() > 0
    page.get_by_label("Quartier").select_option(label="Rimbart")
    others = objectifs.locator("option[data-quartier]:not([data-quartier='rimbart'])")
    for index in range(others.count()):
        assert others.nth(index).evaluate("(option) => option.hidden && option.disabled")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"quartier=rimbart"))
    expect(routed.locator(".routing-note")).to_contain_text(ROUTING_NOTE)


def test_the_dashboard_counts_a_new_routing_live(page_as, live_platform):
    page = page_as(COMITE, settings.DEMO_PASSWORD)
    page.goto("/comite/")
    assert_page_is_sound(page)
    total = page.locator("[data-live-total]")
    before = int(total.inner_text())

    live_platform.shell(
        "from consultations.moderation import aiguillage as moderation\n"
        "from consultations.models import Expression, Instance\n"
        "from participation.accounts.models import User\n"
        "mediateur = User.objects.get(email='mediateur@demo.auchel.fr')\n"
        "copil = Instance.objects.get(slug='comite-pilotage-cohesion-sociale')\n"
        "expression = Expression.objects.filter(status='publiee').order_by('pk').first()\n"
        "moderation.route(expression, actor=mediateur, instances=[copil])\n"
    )

    live = page.locator("[data-committee-live]")
    expect(live).to_be_visible(timeout=10000)
    expect(live).to_contain_text("1 nouvelle expression transmise")
    expect(total).to_have_text(str(before + 1))


def test_the_seance_pages_are_sound_and_an_answer_is_recorded(page_as):
    page = page_as(COMITE, settings.DEMO_PASSWORD)
    page.goto("/comite/seances/")
    assert_page_is_sound(page)
    page.get_by_role("link", name="Comité de pilotage annuel — préparation").click()
    assert_page_is_sound(page)
    seance_url = page.url

    page.get_by_role("link", name="Dossier de séance (imprimable)").click()
    assert_page_is_sound(page)
    expect(page.locator("h1")).to_contain_text("Comité de pilotage annuel")

    # The demo's séance is three weeks ahead: nothing can be answered from it yet, and the
    # page says how to proceed if it was held earlier.
    page.goto(seance_url)
    expect(page.get_by_role("link", name="Écrire la réponse")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("corrigez d'abord sa date")
    page.get_by_role("link", name="Modifier la séance").click()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    page.get_by_label("Date et heure").fill(f"{yesterday.isoformat()}T18:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la séance").click()
    assert page.url == seance_url
    page.get_by_role("link", name="Écrire la réponse").first.click()
    assert_page_is_sound(page)
    page.get_by_label("retenue", exact=True).check()
    page.get_by_label("Réponse aux habitant·es").fill(
        "La commune ajoute ce point au programme de l'an prochain."
    )
    page.get_by_role("button", name="Enregistrer et envoyer la réponse").click()
    expect(page.locator(".messages")).to_contain_text("La réponse est enregistrée")
    expect(page.locator(".answer").first).to_contain_text("programme de l'an prochain")


POST_EXPORT = """
async () => {
  const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")).split("=")[1];
  const response = await fetch("/comite/export/csv/", {
    method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin",
  });
  return response.url;
}
"""


def test_a_background_export_shows_its_progress_then_its_file(page_as):
    page = page_as(COMITE, settings.DEMO_PASSWORD)
    page.goto("/comite/")
    job_url = page.evaluate(POST_EXPORT)
    assert "/comite/exports/" in job_url
    page.goto(job_url)
    assert_page_is_sound(page)
    download = page.locator("[data-export-download]")
    expect(download).to_be_visible(timeout=20000)  # the worker wrote it; the script polled
    expect(page.locator("[data-export-percent]")).to_have_text("100 %")
    with page.expect_download() as info:
        download.get_by_role("link").click()
    assert info.value.suggested_filename.endswith(".csv")
