"""Field mode in Chromium: three expressions typed with no network reach the server once each.

A mediator signs in (TOTP), opens /terrain/, the browser goes offline, three expressions
are typed (one with a photo), the page is reloaded while still offline (the service worker
serves it; the entries are still there, as is a half-typed draft), the network comes back
and exactly three expressions exist on the server, with their event as source.

Issue 17, point 5: the page says « Prête pour le hors connexion » only once the worker
controls it and everything is kept (and what is missing before); an entry typed offline
takes its event's type of meeting and quartier and keeps the time it was typed, which the
mediator then reads beside the time it was received.
"""

import datetime as dt
import io
import json
import os
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from PIL import Image

from .helpers import assert_page_is_sound, console_log, submit, totp_code
from .journey_helpers import todays_event_in_the_last_quartier

pytestmark = pytest.mark.e2e

EMAIL = "terrain.e2e@example.org"
PASSWORD = "un-mot-de-passe-terrain-2030"
TEXTS = [
    "Les bancs du square Rimbart sont cassés depuis l'hiver.",
    "Il manque un passage piéton devant l'école.",
    "Photo : le terrain de foot est inondé après chaque pluie.",
]


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 140, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def pending_count(page) -> int:
    return int(page.locator("[data-pending-count]").get_attribute("data-count") or 0)


def wait_ready(page) -> None:
    page.wait_for_selector("[data-terrain][data-ready]", state="attached", timeout=15_000)


@pytest.fixture
def mediator_page(page_as, live_platform):
    live_platform.create_user(
        EMAIL,
        PASSWORD,
        role="mediateur",
        display_name="Samia",
        totp_secret=settings.DEMO_TOTP_SECRET,
    )
    # The stand going on now, where the expressions are collected (begun: an expression may
    # only cite an event that has taken place, whatever the hour the test runs at), and a
    # quartier with its objectives.
    live_platform.shell(
        "import datetime as dt\n"
        "from django.utils import timezone\n"
        "from evenements.models import Evenement\n"
        "from participation.territory.models import Quartier\n"
        "start = timezone.now() - dt.timedelta(hours=1)\n"
        "event = Evenement.objects.create(title='Stand terrain e2e', place_name='Marché',"
        " starts_at=start, ends_at=start + dt.timedelta(hours=2), organiser_name='Commune')\n"
        "event.quartiers.set(Quartier.objects.all()[:1])\n"
    )
    return page_as(EMAIL, PASSWORD, settings.DEMO_TOTP_SECRET)


def type_expression(page, text, *, event_label, photo=None):
    form = page.locator("[data-entry-form]")
    form.get_by_label("Événement où ces paroles ont été recueillies").select_option(
        label=event_label
    )
    form.get_by_label("Ce qui a été dit").fill(text)
    quartier = form.get_by_label("Quartier dont parlent les personnes")
    if not quartier.input_value():
        quartier.select_option(index=1)
    if photo is not None:
        form.locator("input[name=photo]").set_input_files(
            {"name": "terrain.jpg", "mimeType": "image/jpeg", "buffer": photo}
        )
        page.wait_for_selector("[data-photo-state]:not([hidden])")
    before = pending_count(page)
    form.get_by_role("button", name="Garder ce message").click()
    page.wait_for_function(
        "(n) => Number(document.querySelector('[data-pending-count]').dataset.count) > n",
        arg=before,
    )


def test_three_expressions_typed_offline_reach_the_server_once_each(mediator_page, live_platform):
    page = mediator_page
    context = page.context
    response = page.goto("/terrain/")
    assert response.status == 200
    wait_ready(page)
    # The referential and the events come from the API; the service worker takes control.
    page.wait_for_function(
        "() => document.querySelectorAll('#terrain-quartier option').length > 1"
        " && [...document.querySelectorAll('#terrain-evenement option')]"
        ".some(o => o.textContent.startsWith('Stand terrain e2e'))"
    )
    page.wait_for_function(
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
    )
    assert page.locator("[data-network]").inner_text() == "En ligne"
    assert_page_is_sound(page)
    event_label = page.locator(
        "#terrain-evenement option", has_text="Stand terrain e2e"
    ).first.inner_text()

    context.set_offline(True)
    page.wait_for_function(
        "() => document.querySelector('[data-network]').textContent.startsWith('Hors ligne')"
    )
    type_expression(page, TEXTS[0], event_label=event_label)
    type_expression(page, TEXTS[1], event_label=event_label)
    type_expression(page, TEXTS[2], event_label=event_label, photo=small_jpeg())
    assert pending_count(page) == 3
    # Half-typed, not yet kept: the draft is saved on every keystroke.
    page.get_by_label("Ce qui a été dit").fill("Un quatrième message pas encore gardé")
    page.wait_for_timeout(600)

    logs = live_platform.log_positions()
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    # The page came from the service worker's cache: the server never saw the request.
    assert "GET /terrain/ " not in live_platform.logs_since(logs)
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["E2E_SCREENSHOTS"], "terrain-offline.png"), full_page=True
        )
    wait_ready(page)
    assert pending_count(page) == 3
    assert page.locator("[data-entry-state=en_attente]").count() == 3
    for text in TEXTS:
        assert page.locator("[data-entries]", has_text=text).count() == 1
    assert page.get_by_label("Ce qui a été dit").input_value() == (
        "Un quatrième message pas encore gardé"
    )
    assert page.locator("[data-network]").inner_text().startswith("Hors ligne")
    uuids = page.locator("[data-entry]").evaluate_all("nodes => nodes.map(n => n.dataset.entry)")
    assert len(uuids) == 3

    context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-entry-state=envoyee]').length === 3",
        timeout=30_000,
    )
    assert pending_count(page) == 0
    assert re.search(r"Dernier envoi réussi", page.locator("[data-last-sync]").inner_text())
    if os.environ.get("E2E_SCREENSHOTS"):
        page.screenshot(
            path=os.path.join(os.environ["E2E_SCREENSHOTS"], "terrain-sent.png"), full_page=True
        )
    # Offline, the browser reports the sockets it could not open (live notifications): that
    # is the network, not the page. Anything else is an error of the page.
    errors = [e for e in console_log(page).errors if "ERR_INTERNET_DISCONNECTED" not in e]
    errors += page.evaluate("() => window.__cspViolations || []")
    assert not errors, errors

    stored = json.loads(
        live_platform.shell(
            "import json\n"
            "from consultations.models import Expression\n"
            f"rows = Expression.objects.filter(idempotency_key__in={uuids!r})\n"
            "print(json.dumps([{'text': e.text, 'event': e.evenement.title if e.evenement else None,"
            " 'source': e.source, 'by': e.recorded_by.email, 'photo': bool(e.photo)}"
            " for e in rows]))\n"
        )
    )
    assert sorted(row["text"] for row in stored) == sorted(TEXTS)
    assert {row["event"] for row in stored} == {"Stand terrain e2e"}
    assert {row["by"] for row in stored} == {EMAIL}
    assert {row["source"] for row in stored} == {"stand"}
    assert sum(row["photo"] for row in stored) == 1
    total = live_platform.shell(
        "from consultations.models import Expression\n"
        f"print(Expression.objects.filter(recorded_by__email={EMAIL!r}).count())\n"
    )
    assert total.strip() == "3"


def open_field_mode(page) -> None:
    page.goto("/terrain/")
    wait_ready(page)
    page.wait_for_function("() => document.querySelectorAll('#terrain-quartier option').length > 1")
    page.wait_for_function(
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
    )


def test_a_session_expired_offline_asks_to_sign_in_again_without_losing_entries(
    page_as, live_platform
):
    email = "terrain.session.e2e@example.org"
    live_platform.create_user(
        email, PASSWORD, role="mediateur", totp_secret=settings.DEMO_TOTP_SECRET
    )
    page = page_as(email, PASSWORD, settings.DEMO_TOTP_SECRET)
    open_field_mode(page)

    page.context.set_offline(True)
    form = page.locator("[data-entry-form]")
    form.get_by_label("Ce qui a été dit").fill("Le bus ne passe plus le dimanche.")
    form.get_by_label("Type de rencontre").select_option("stand")
    form.get_by_label("Quartier dont parlent les personnes").select_option(index=1)
    form.get_by_role("button", name="Garder ce message").click()
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').dataset.count === '1'"
    )
    # The session ends while the tablet is offline (here: its cookies are gone).
    page.context.clear_cookies()
    page.context.set_offline(False)

    expired = page.locator("[data-session-expired]")
    expired.wait_for(state="visible")
    assert "Votre session a expiré" in expired.inner_text()
    assert pending_count(page) == 1
    with page.expect_navigation():
        expired.get_by_role("link", name="Se reconnecter").click()
    assert "/comptes/login/" in page.url and "next=/terrain/" in page.url
    login_form = page.locator("form:has(input[name=password])")
    login_form.locator("input[name=login]").fill(email)
    login_form.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        submit(login_form)
    page.locator("form input[name=code]").fill(totp_code(settings.DEMO_TOTP_SECRET, account=email))
    with page.expect_navigation():
        submit(page.locator("form:has(input[name=code])"))

    assert page.url.endswith("/terrain/")
    wait_ready(page)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-entry-state=envoyee]').length === 1",
        timeout=30_000,
    )
    assert page.locator("[data-session-expired]").is_hidden()
    count = live_platform.shell(
        "from consultations.models import Expression\n"
        f"print(Expression.objects.filter(recorded_by__email={email!r}).count())\n"
    )
    assert count.strip() == "1"


def test_an_entry_for_a_quartier_removed_meanwhile_is_refused_corrected_and_resent(
    page_as, live_platform
):
    email = "terrain.refus.e2e@example.org"
    live_platform.create_user(
        email, PASSWORD, role="mediateur", totp_secret=settings.DEMO_TOTP_SECRET
    )
    live_platform.shell(
        "from participation.territory.models import Commune, Quartier\n"
        "quartier = Quartier.objects.create(code='QP E2E 99', slug='ephemere', name='Éphémère',"
        " short_name='Éphémère', status='test', commune=Commune.objects.first(),"
        " population=10, surface_ha=1, position=99)\n"
    )
    page = page_as(email, PASSWORD, settings.DEMO_TOTP_SECRET)
    open_field_mode(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#terrain-quartier option')]"
        ".some(o => o.value === 'ephemere')"
    )

    page.context.set_offline(True)
    form = page.locator("[data-entry-form]")
    form.get_by_label("Ce qui a été dit").fill("Il faudrait des bancs près de la mairie.")
    form.get_by_label("Type de rencontre").select_option("permanence")
    form.get_by_label("Quartier dont parlent les personnes").select_option("ephemere")
    form.get_by_role("button", name="Garder ce message").click()
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').dataset.count === '1'"
    )
    live_platform.shell(
        "from participation.territory.models import Quartier\n"
        "Quartier.objects.filter(slug='ephemere').delete()\n"
    )
    page.context.set_offline(False)

    refused = page.locator("[data-entry-state=refusee]")
    refused.wait_for(timeout=30_000)
    assert "« ephemere » n'existe plus" in refused.inner_text()
    page.get_by_role("button", name="Corriger").click()
    assert form.get_by_label("Ce qui a été dit").input_value() == (
        "Il faudrait des bancs près de la mairie."
    )
    form.get_by_label("Quartier dont parlent les personnes").select_option(index=1)
    form.get_by_role("button", name="Garder ce message").click()
    page.wait_for_function(
        "() => document.querySelectorAll('[data-entry-state=envoyee]').length === 1",
        timeout=30_000,
    )
    assert page.locator("[data-entry]").count() == 1
    count = live_platform.shell(
        "from consultations.models import Expression\n"
        f"print(Expression.objects.filter(recorded_by__email={email!r}).count())\n"
    )
    assert count.strip() == "1"


def test_the_api_reference_page_is_sound(page):
    response = page.goto("/api/reference/")
    assert response.status == 200
    assert page.locator("h3", has_text="POST /api/terrain/synchronisation/").count() == 1
    assert_page_is_sound(page)


# --- Issue 17, point 5: the event's type and quartier, the time said, ready offline ---------

READINESS_RECORDER = """
window.__readiness = [];
document.addEventListener("DOMContentLoaded", function () {
  var node = document.querySelector("[data-offline-readiness]");
  if (!node) return;
  new MutationObserver(function () {
    window.__readiness.push({
      text: node.textContent,
      controlled: !!(navigator.serviceWorker && navigator.serviceWorker.controller)
    });
  }).observe(node, { childList: true, characterData: true, subtree: true });
});
"""


def readiness_text(page) -> str:
    return page.locator("[data-offline-readiness]").inner_text()


def test_the_page_says_it_is_ready_offline_only_once_everything_is_kept(page_as, live_platform):
    email = "terrain.pret.e2e@example.org"
    live_platform.create_user(
        email, PASSWORD, role="mediateur", totp_secret=settings.DEMO_TOTP_SECRET
    )
    page = page_as(email, PASSWORD, settings.DEMO_TOTP_SECRET)
    page.context.add_init_script(READINESS_RECORDER)
    # The lists cannot be fetched yet (a network that drops the API).
    lists = re.compile(r"/api/quartiers/")
    page.context.route(lists, lambda route: route.abort())

    page.goto("/terrain/")
    wait_ready(page)
    page.wait_for_function(
        "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"
    )
    readiness = page.locator("[data-offline-readiness]")
    page.wait_for_function(
        "() => document.querySelector('[data-offline-readiness]').textContent"
        ".includes('Encore à télécharger : les listes des quartiers')"
    )
    assert readiness.get_attribute("role") == "status"
    assert readiness.get_attribute("data-offline-ready") == "0"
    assert readiness_text(page).startswith("Pas encore prête pour le hors connexion")

    # The network is back for the API: the lists are kept, and only then is the page ready.
    page.context.unroute(lists)
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelector('[data-offline-readiness]').dataset.offlineReady === '1'",
        timeout=20_000,
    )
    assert readiness_text(page).startswith("Prête pour le hors connexion")

    said = page.evaluate("() => window.__readiness")
    # Before the worker controlled the page, it said what was missing, the worker included…
    before = [r["text"] for r in said if not r["controlled"]]
    assert before and all("le service hors connexion du navigateur" in t for t in before)
    assert all(t.startswith("Pas encore prête") for t in before)
    # … and « Prête » was never said of a page the worker did not control.
    ready = [r for r in said if r["text"].startswith("Prête")]
    assert ready and all(r["controlled"] for r in ready)

    # Opened again, it is ready at once; the page is sound (the refused fetch was the route's).
    page.reload()
    wait_ready(page)
    page.wait_for_function(
        "() => document.querySelector('[data-offline-readiness]').dataset.offlineReady === '1'"
    )
    assert_page_is_sound(page)

    # It holds its word: with no network, the page opens from the device, ready.
    page.context.set_offline(True)
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    wait_ready(page)
    page.wait_for_function(
        "() => document.querySelector('[data-offline-readiness]').dataset.offlineReady === '1'"
    )


def test_without_a_service_worker_the_page_never_says_it_is_ready(browser, page_as, live_platform):
    email = "terrain.sans.worker.e2e@example.org"
    live_platform.create_user(
        email, PASSWORD, role="mediateur", totp_secret=settings.DEMO_TOTP_SECRET
    )
    signed_in = page_as(email, PASSWORD, settings.DEMO_TOTP_SECRET).context.storage_state()
    context = browser.new_context(
        base_url=live_platform.url,
        locale="fr-FR",
        storage_state=signed_in,
        service_workers="block",
    )
    try:
        page = context.new_page()
        page.goto("/terrain/")
        wait_ready(page)
        page.wait_for_function(
            "() => document.querySelectorAll('#terrain-quartier option').length > 1"
        )
        page.wait_for_function(
            "() => !document.querySelector('[data-offline-readiness]').textContent"
            ".includes('les listes')"
        )
        page.wait_for_timeout(2_000)  # more than one check later
        text = readiness_text(page)
        assert text.startswith("Pas encore prête pour le hors connexion")
        assert "la page, ses scripts et ses styles" in text
        assert "le service hors connexion du navigateur" in text
    finally:
        context.close()


def test_an_entry_typed_offline_takes_the_events_type_and_quartier_and_keeps_its_time(
    page_as, live_platform
):
    email = "terrain.heure.e2e@example.org"
    live_platform.create_user(
        email, PASSWORD, role="mediateur", totp_secret=settings.DEMO_TOTP_SECRET
    )
    quartier = todays_event_in_the_last_quartier(
        live_platform,
        title="Table ronde hors ligne e2e",
        kind="table_ronde",
        place="Salle des fêtes",
    )
    page = page_as(email, PASSWORD, settings.DEMO_TOTP_SECRET)
    # The tablet's clock: the words are typed 25 minutes before they reach the server.
    typed_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=25)
    page.clock.install(time=typed_at)
    open_field_mode(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#terrain-evenement optgroup')]"
        ".some(g => g.label === \"Aujourd'hui\" && g.textContent.includes('Table ronde hors ligne e2e'))"
    )

    page.context.set_offline(True)
    form = page.locator("[data-entry-form]")
    source = form.get_by_label("Type de rencontre")
    quartier_select = form.get_by_label("Quartier dont parlent les personnes")
    assert source.input_value() == "" and quartier_select.input_value() == ""
    label = form.locator("#terrain-evenement option", has_text="Table ronde hors ligne e2e")
    form.get_by_label("Événement où ces paroles ont été recueillies").select_option(
        label=label.inner_text()
    )
    assert source.input_value() == "table_ronde"
    assert quartier_select.input_value() == quartier["slug"]
    assert form.locator("[data-event-defaults]").inner_text() == (
        f"Repris de l'événement : type de rencontre « table ronde », quartier {quartier['name']}."
    )
    form.get_by_label("Ce qui a été dit").fill("Il faudrait un abri au terrain de pétanque.")
    form.get_by_role("button", name="Garder ce message").click()
    page.wait_for_function(
        "() => document.querySelector('[data-pending-count]').dataset.count === '1'"
    )

    page.context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-entry-state=envoyee]').length === 1",
        timeout=30_000,
    )
    stored = json.loads(
        live_platform.shell(
            "import json\n"
            "from consultations.models import Expression\n"
            f"e = Expression.objects.get(recorded_by__email={email!r})\n"
            "print(json.dumps({'pk': e.pk, 'source': e.source, 'quartier': e.quartier.slug,"
            " 'said_at': e.said_at.isoformat(), 'created_at': e.created_at.isoformat()}))\n"
        )
    )
    assert (stored["source"], stored["quartier"]) == ("table_ronde", quartier["slug"])
    said = dt.datetime.fromisoformat(stored["said_at"])
    received = dt.datetime.fromisoformat(stored["created_at"])
    assert abs(said - typed_at) < dt.timedelta(minutes=2)
    assert received - said > dt.timedelta(minutes=20)

    # The mediator reads when it was said beside when it was received.
    page.goto(f"/moderation/expressions/{stored['pk']}/")
    facts = page.locator("dl.facts")
    paris = ZoneInfo("Europe/Paris")
    assert facts.locator("[data-said-at] time").get_attribute("datetime") == (
        said.astimezone(paris).isoformat()
    )
    assert said.astimezone(paris).strftime("%H:%M") in facts.locator("[data-said-at]").inner_text()
    assert received.astimezone(paris).strftime("%H:%M") in facts.inner_text().split("Reçue le")[1]
