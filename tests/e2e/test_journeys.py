"""The platform's promise, end to end, in a real browser against the production-like stack.

One chained journey, in ordered steps sharing a ``Journey`` (module scope):

1. a resident signs up, verifies the email with the code of the mail outbox, sets a
   quartier, finds an event of that quartier and registers;
2. a mediator (TOTP) opens the moderation queue; the resident posts an expression with a
   phone photo (GPS in its EXIF) against an objective of the quartier, and the mediator's
   open queue shows it without reloading; the served photo carries no EXIF;
3. the mediator redacts it and tags it on the page where « Publier » saves both, then routes
   it to the Comité de Pilotage Cohésion Sociale; another resident says « moi aussi »;
4. a member of that committee finds it on the dashboard, puts it on a new séance and answers;
5. the resident reads the answer on the expression's timeline and on « Vous avez dit, nous
   avons fait ».

Every page of it passes ``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean console).
A step that fails leaves the next ones skipped, naming the step that failed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from .helpers import assert_page_is_sound, exif_of, login, make_photo, sign_up, submit
from .journey_helpers import (
    assert_same_document,
    expect_message,
    mark_document,
    open_context,
    wait_for_email_about,
)

pytestmark = pytest.mark.e2e

DEMO_PASSWORD = "demo-auchel-2030"
MEDIATOR = "mediateur@demo.auchel.fr"
COMMITTEE_MEMBER = "comite@demo.auchel.fr"
NEIGHBOUR = "habitant@demo.auchel.fr"
INSTANCE = "Comité de Pilotage Cohésion Sociale"
QUARTIER_SLUG = "rimbart"
QUARTIER_NAME = "Rimbart"
LIVE_TIMEOUT = 15_000  # ms: a broadcast goes through Redis and a fetch of the row


@dataclass
class Journey:
    browser: object
    live: object
    token: str = field(default_factory=lambda: secrets.token_hex(3))
    contexts: dict = field(default_factory=dict)
    pages: dict = field(default_factory=dict)
    failed: str = ""
    expression_id: int | None = None
    objectif_label: str = ""

    @property
    def email(self) -> str:
        return f"camille.parcours.{self.token}@example.org"

    password = "un-mot-de-passe-pour-2030"

    @property
    def display_name(self) -> str:
        return f"Camille {self.token}"

    @property
    def event_title(self) -> str:
        return f"Café des habitants de Rimbart {self.token}"

    @property
    def original_text(self) -> str:
        return (
            f"Parcours {self.token} : le soir, l'éclairage de la rue des Tilleuls est éteint "
            "et mon voisin Jean Dupont au 12 est tombé. Il faudrait rallumer les lampadaires."
        )

    @property
    def redacted_text(self) -> str:
        return (
            f"Parcours {self.token} : le soir, l'éclairage de la rue des Tilleuls est éteint "
            "et un voisin est tombé. Il faudrait rallumer les lampadaires."
        )

    @property
    def etiquette(self) -> str:
        return f"eclairage-{self.token}"

    @property
    def seance_title(self) -> str:
        return f"Séance parcours {self.token}"

    @property
    def answer(self) -> str:
        return (
            f"Réponse {self.token} : les services techniques remettent l'éclairage de la rue "
            "des Tilleuls en service d'ici la fin du mois, puis vérifient chaque soir."
        )

    def page(self, role: str):
        if role not in self.pages:
            context, page = open_context(self.browser, self.live)
            self.contexts[role], self.pages[role] = context, page
        return self.pages[role]

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def journey(browser, live_platform):
    trip = Journey(browser=browser, live=live_platform)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    # The event the resident will find: what a référent would have published beforehand.
    live_platform.shell(
        "import datetime as dt\n"
        "from django.utils import timezone\n"
        "from evenements.models import Evenement\n"
        "from participation.territory.models import Quartier\n"
        f"start = timezone.make_aware(dt.datetime({tomorrow.year}, {tomorrow.month},"
        f" {tomorrow.day}, 18, 0))\n"
        f"event = Evenement.objects.create(title={trip.event_title!r}, kind='table_ronde',"
        " place_name='Centre social de Rimbart', starts_at=start,"
        " ends_at=start + dt.timedelta(hours=2), organiser_name='Ville d’Auchel',"
        " capacity=30, registration_required=True)\n"
        f"event.quartiers.set([Quartier.objects.get(slug={QUARTIER_SLUG!r})])\n"
    )
    yield trip
    trip.close()


@pytest.fixture
def step(journey, request):
    """Skip when an earlier step failed; record this step's failure for the next ones."""
    if journey.failed:
        pytest.skip(f"the journey stopped at {journey.failed}")
    failures_before = request.session.testsfailed
    yield journey
    # The call's report is counted before the fixture's teardown runs.
    if request.session.testsfailed > failures_before:
        journey.failed = request.node.name


def sound(page) -> None:
    assert_page_is_sound(page)


# --- 1. The resident ----------------------------------------------------------------------


def test_1_a_resident_signs_up_verifies_the_email_and_sets_a_quartier(step):
    page = step.page("resident")
    sign_up(page, step.email, step.password)
    sound(page)
    code = step.live.last_code_for(step.email)
    form = page.locator("form:has(input[name=code])")
    form.locator("input[name=code]").fill(code)
    with page.expect_navigation():
        submit(form)
    assert page.locator("form[action*='logout']").count(), f"not signed in on {page.url}"
    sound(page)

    page.goto("/compte/profil/")
    sound(page)
    page.get_by_label("Nom affiché", exact=False).fill(step.display_name)
    page.get_by_label("Quartier de résidence").select_option(label=QUARTIER_NAME)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    expect_message(page, "Votre profil est enregistré")
    expect(page.get_by_label("Quartier de résidence")).to_have_value(re.compile(r"\d+"))
    sound(page)


def test_2_the_resident_finds_an_event_of_the_quartier_and_registers(step):
    page = step.page("resident")
    page.goto("/evenements/")
    sound(page)
    filters = page.locator("form.event-filters")
    filters.get_by_label("Quartier").select_option(QUARTIER_SLUG)
    with page.expect_navigation():
        filters.get_by_role("button", name="Afficher").click()
    assert f"quartier={QUARTIER_SLUG}" in page.url
    sound(page)
    cards = page.locator("ol.event-list article.event-card")
    assert cards.count() >= 1
    for where in cards.locator(".event-where").all_inner_texts():
        assert QUARTIER_NAME in where, f"an event of another quartier is listed: {where}"

    page.get_by_role("link", name=step.event_title).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(step.event_title)
    sound(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Je m'inscris").click()
    expect_message(page, "votre inscription est confirmée")
    expect(page.locator(".registration")).to_contain_text("Vous êtes inscrit·e (1 personne)")
    sound(page)

    page.goto("/evenements/mes-inscriptions/")
    expect(page.locator("main")).to_contain_text(step.event_title)
    sound(page)
    # The confirmation email, sent by the Celery worker.
    wait_for_email_about(step.live, step.email, step.event_title)


# --- 2. The expression arrives in the mediator's open queue ----------------------------------


def test_3_a_mediator_signs_in_with_totp_and_opens_the_moderation_queue(step):
    page = step.page("mediator")
    login(page, MEDIATOR, DEMO_PASSWORD)
    sound(page)
    page.goto("/moderation/")
    sound(page)
    filters = page.locator("form.filters")
    filters.get_by_label("Quartier").select_option(QUARTIER_SLUG)
    with page.expect_navigation():
        filters.get_by_role("button", name="Filtrer").click()
    # The live feed says when it is connected: only then can the page hear what comes.
    expect(page.locator("[data-live-status]")).to_contain_text(
        "Flux en direct :", timeout=LIVE_TIMEOUT
    )
    sound(page)
    mark_document(page)


def test_4_the_resident_posts_an_expression_with_a_photo_against_an_objective(
    step, tmp_path_factory
):
    page = step.page("resident")
    page.goto("/expressions/nouvelle/")
    sound(page)
    form = page.locator("form[data-expression-form]")
    form.get_by_label("Votre message").fill(step.original_text)
    # The profile's quartier is chosen already, and its objectives are offered.
    chosen = form.get_by_label("Votre quartier").evaluate(
        "select => select.options[select.selectedIndex].textContent"
    )
    assert QUARTIER_NAME in chosen, f"the form offers {chosen!r}, not the profile's quartier"
    group = form.locator("[data-objectifs-groups] details.enjeu").first
    group.locator("summary").click()
    objectif = group.locator("input[name=objectifs]").first
    step.objectif_label = (
        group.locator(f"label[for='{objectif.get_attribute('id')}']").inner_text().strip()
    )
    objectif.check()
    photo = make_photo(tmp_path_factory.mktemp("photo") / "lampadaire.jpg")
    form.locator("input[type=file][name=photo]").set_input_files(photo)
    form.get_by_label("Que montre la photo ?").fill("Le lampadaire éteint devant le numéro 12")
    form.get_by_label("Tout le monde, sans mon nom").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Envoyer mon message").click()
    expect_message(page, "Votre message est bien reçu")
    match = re.search(r"/expressions/(\d+)/$", page.url)
    assert match, f"not on the expression's page after sending: {page.url}"
    step.expression_id = int(match.group(1))
    expect(page.locator(".expression-full-text")).to_contain_text(step.original_text)
    expect(page.locator(".facts")).to_contain_text(step.objectif_label)
    sound(page)

    # The photo as served, full size and thumbnail: its pixels only, no EXIF (no GPS, no
    # phone maker), though the file sent carried both.
    assert "GPS" in exif_of(photo.read_bytes())
    served = [
        page.locator(".expression-photo a").first.get_attribute("href"),
        page.locator(".expression-photo img").first.get_attribute("src"),
    ]
    for src in served:
        response = page.request.get(src)
        assert response.status == 200 and response.headers["content-type"] == "image/jpeg", src
        tags = exif_of(response.body())
        assert tags == {}, f"{src} still carries EXIF: {tags}"


def test_5_the_mediators_open_queue_shows_the_expression_without_reloading(step):
    page = step.page("mediator")
    row = page.locator(f"#expression-{step.expression_id}")
    expect(row).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(row).to_contain_text(f"Parcours {step.token}")
    expect(page.locator("[data-arrivals-list]")).to_contain_text(
        f"Expression n° {step.expression_id}"
    )
    assert_same_document(page)
    sound(page)


# --- 3. Moderation -----------------------------------------------------------------------------


def test_6_the_mediator_redacts_tags_publishes_and_routes_it(step):
    page = step.page("mediator")
    row = page.locator(f"#expression-{step.expression_id}")
    # It has a photo, which its row does not show: no « Publier » there, it is read whole first.
    expect(row.get_by_role("button", name=re.compile("^Publier"))).to_have_count(0)
    with page.expect_navigation():
        row.get_by_role("link", name=re.compile("Lire en entier et décider")).click()
    staff_url = f"/moderation/expressions/{step.expression_id}/"
    assert page.url.endswith(staff_url)
    sound(page)

    # One form in the order of the work: the redaction and the new tag go with « Publier ».
    form = page.locator("form.moderation-form")
    form.get_by_label("Texte publié").fill(step.redacted_text)
    form.get_by_label("Ce qui a été retiré").fill("nom et adresse d'un voisin")
    form.get_by_label("Nouvelle étiquette").fill(step.etiquette)
    with page.expect_navigation():
        form.get_by_role("button", name="Publier", exact=True).click()
    expect_message(page, "Le texte est modifié")
    expect_message(page, "Les étiquettes sont enregistrées")
    expect_message(page, f"L'expression n° {step.expression_id} est publiée")
    assert "/moderation/" in page.url
    expect(page.locator(f"#expression-{step.expression_id}")).to_have_count(0)
    sound(page)

    page.goto(staff_url)
    expect(page.locator(".expression-full-text")).to_contain_text(step.redacted_text)
    assert "Dupont" not in page.locator(".expression-full-text").inner_text()
    form = page.locator("form.moderation-form")
    expect(form.get_by_label(step.etiquette)).to_be_checked()
    form.get_by_label(re.compile(INSTANCE)).check()
    form.get_by_label("Note pour les membres de l'instance").fill(
        "Éclairage public : plusieurs habitants en parlent."
    )
    with page.expect_navigation():
        form.get_by_role("button", name="Transmettre").click()
    assert page.url.endswith(f"{staff_url}#resultat")
    expect_message(page, f"Transmise à {INSTANCE}")
    expect(page.locator("h1 .status")).to_have_text(re.compile("[Tt]ransmise"))
    sound(page)


def test_7_another_resident_says_me_too(step):
    page = step.page("neighbour")
    login(page, NEIGHBOUR, DEMO_PASSWORD)
    page.goto(f"/expressions/{step.expression_id}/")
    expect(page.locator(".expression-full-text")).to_contain_text(step.redacted_text)
    assert "Dupont" not in page.locator("main").inner_text()
    sound(page)
    with page.expect_navigation():
        page.locator(".support-form button").click()
    expect_message(page, "votre « moi aussi » est compté")
    sound(page)


# --- 4. The committee --------------------------------------------------------------------------


def test_8_a_committee_member_finds_it_on_the_dashboard(step):
    page = step.page("committee")
    login(page, COMMITTEE_MEMBER, DEMO_PASSWORD)
    page.goto("/comite/")
    expect(page.locator("main")).to_contain_text(INSTANCE)
    sound(page)
    filters = page.locator("form.committee-filters")
    filters.get_by_label("Étiquette").select_option(label=step.etiquette)
    with page.expect_navigation():
        filters.get_by_role("button", name="Afficher").click()
    expect(page.locator("[data-live-total]")).to_have_text("1")
    top = page.locator("section[aria-labelledby=titre-soutenues]")
    link = top.locator(f"a[href$='/expressions/{step.expression_id}/']")
    expect(link).to_contain_text(f"Parcours {step.token}")
    sound(page)


def test_9_the_committee_member_puts_it_on_a_seance_and_answers(step):
    page = step.page("committee")
    page.goto("/comite/seances/nouvelle/")
    sound(page)
    form = page.locator("main form.form")
    form.get_by_label("Instance").select_option(label=INSTANCE)
    form.get_by_label("Intitulé").fill(step.seance_title)
    # Held yesterday evening: an answer comes from a séance that has taken place.
    yesterday = dt.date.today() - dt.timedelta(days=1)
    form.get_by_label("Date et heure").fill(f"{yesterday.isoformat()}T18:00")
    form.get_by_label("Lieu").fill("Mairie d'Auchel, salle du conseil")
    with page.expect_navigation():
        form.get_by_role("button", name="Enregistrer la séance").click()
    expect_message(page, "La séance est enregistrée")
    seance_url = page.url
    assert re.search(r"/comite/seances/\d+/$", seance_url), seance_url
    sound(page)

    page.locator(f"#ajouter-{step.expression_id}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter, un point par expression").click()
    expect_message(page, "1 point")
    agenda = page.locator("ol.agenda")
    expect(agenda).to_contain_text(f"n° {step.expression_id}")
    sound(page)

    item = agenda.locator("li.agenda-item", has_text=f"n° {step.expression_id}")
    with page.expect_navigation():
        item.get_by_role("link", name=re.compile("Écrire la réponse")).click()
    sound(page)
    answer = page.locator("main form.form")
    answer.get_by_label("retenue", exact=True).check()
    answer.get_by_label("Réponse aux habitant·es").fill(step.answer)
    expect(answer.get_by_label(re.compile("Publier la réponse"))).to_be_checked()
    with page.expect_navigation():
        answer.get_by_role("button", name="Enregistrer et envoyer la réponse").click()
    expect_message(page, "La réponse est enregistrée")
    assert page.url == seance_url
    expect(page.locator("ol.agenda .answer")).to_contain_text(step.answer)
    sound(page)


# --- 5. The answer comes back ------------------------------------------------------------------


def test_10_the_resident_reads_the_answer_on_the_timeline_and_on_vous_avez_dit(step):
    page = step.page("resident")
    page.goto(f"/expressions/{step.expression_id}/")
    timeline = page.locator("ol.timeline")
    answered = timeline.locator("li.step-repondue")
    expect(answered).to_have_count(1)
    expect(answered).to_contain_text(step.answer)
    expect(answered).to_contain_text(INSTANCE)
    for earlier in ("step-soumise", "step-publiee", "step-transmise"):
        expect(timeline.locator(f"li.{earlier}")).to_have_count(1)
    sound(page)

    wait_for_email_about(step.live, step.email, step.answer)

    page.goto("/vous-avez-dit-nous-avons-fait/")
    article = page.locator("article.retour", has_text=step.answer)
    expect(article).to_have_count(1)
    expect(article).to_contain_text(f"Parcours {step.token}")
    expect(article.locator(f"a[href$='/expressions/{step.expression_id}/']")).to_have_count(1)
    # Published « sans mon nom »: the answer page never shows the author's name.
    assert step.display_name not in article.inner_text()
    assert "Dupont" not in article.inner_text()
    sound(page)

    page.goto(f"/vous-avez-dit-nous-avons-fait/{QUARTIER_SLUG}/")
    expect(page.locator("article.retour", has_text=step.answer)).to_have_count(1)
    sound(page)
