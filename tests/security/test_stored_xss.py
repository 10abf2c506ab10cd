"""Stored XSS, template and formula injection: what people type comes back as text, everywhere.

Hostile payloads (a script, an attribute breaking out into an ``<img onerror>``, a
``javascript:`` address, template syntax, a spreadsheet formula) are written into every
text field people can fill — through the forms and services they use — and then read back
from every page that shows them (found by crawling each role's pages from the URLConf),
the CSV and XLSX exports, the iCalendar feeds and the API:

* HTML: the raw payload never appears; no element gets an ``on*`` attribute, a
  ``javascript:`` address or a script that is not one of ours (parsed with html.parser);
  where the text is shown, it is shown escaped, template syntax included (not evaluated);
* CSV and XLSX: no cell starts with ``= + - @`` (neutralised with a quote) and no XLSX
  cell is a formula;
* iCalendar: the text is data; a line break in a description cannot start a new event;
* JSON: served as JSON (never sniffed as HTML), the text unchanged; the browsable API page
  escapes it like any other page.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from consultations.committee import export_jobs
from consultations.committee import services as committee
from consultations.committee.forms import SeanceForm
from consultations.expressions import services
from consultations.gestion import services as gestion
from consultations.gestion.forms import ConsultationForm
from consultations.models import Expression, Source, Visibility
from consultations.moderation import aiguillage
from consultations.moderation import queue as moderation_queue
from consultations.moderation import services as moderation
from evenements import services as event_services
from evenements.models import Evenement
from participation.accounts.models import Role
from tests.consultations.committee.factories import InstanceFactory
from tests.factories import ObjectifFactory, QuartierFactory, UserFactory

from .crawl import DESTRUCTIVE, NOT_PAGES, parameterless_paths
from .test_authorization_matrix import finish

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JAVASCRIPT = "javascript:alert(1)"
TEMPLATE = "{{7*7}}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
# Display names and tags hold 60 characters: the formula, the script and the attribute.
SHORT = f"=1+1{SCRIPT}{IMG}"
# A description whose line breaks would start a new event in a feed written carelessly.
ICS_BREAKOUT = "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:INJECTED\r\n"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def payload(label: str, lead: str = "=") -> str:
    """Every payload at once, starting with a formula (``lead`` is = + - or @)."""
    return f'{lead}HYPERLINK("http://x") {label} {SCRIPT}{IMG} {JAVASCRIPT} {TEMPLATE}'


# --- The hostile content, typed by each role through the site's forms and services ------


@dataclass
class Hostile:
    users: dict
    quartier: object
    consultation: object
    instance: object
    answered: Expression  # published, tagged, routed, on a séance, answered in public
    waiting: Expression  # routed, on the agenda, not answered yet
    rejected: Expression
    redacted: Expression  # reported, then its text rewritten by a mediator
    draft: Expression  # still « soumise »: its author may edit it
    field: Expression  # recorded at a stand, with a contact name
    event: Evenement
    cancelled: Evenement
    seance: object


def _event_data(label: str, days: int) -> dict:
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return {
        "kind": Evenement.Kind.STAND,
        "title": payload(f"{label}-titre")[:200],
        "description": payload(f"{label}-description") + ICS_BREAKOUT,
        "place_name": payload(f"{label}-lieu", "+")[:200],
        "address": payload(f"{label}-adresse", "-")[:300],
        "directions": payload(f"{label}-acces", "@"),
        "latitude": Decimal("50.505"),
        "longitude": Decimal("2.472"),
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=2),
        "organiser_kind": Evenement.OrganiserKind.ASSOCIATION,
        "organiser_name": payload(f"{label}-organisateur")[:200],
        "accessibility": payload(f"{label}-accessibilite"),
        "image_alt": payload(f"{label}-image")[:200],
        "capacity": 30,
        "registration_required": True,
    }


def build_hostile() -> Hostile:
    quartier = QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")
    objectif = ObjectifFactory(quartier=quartier)
    alice = UserFactory(email="alice@example.org", display_name="Alice", quartier=quartier)
    bob = UserFactory(email="bob@example.org", display_name="Bob")
    mediateur = UserFactory(email="mediatrice@example.org", role=Role.MEDIATEUR)
    comite = UserFactory(email="comite@example.org", role=Role.COMITE)
    referent = UserFactory(email="referente@example.org", role=Role.REFERENT)
    users = {
        "anonyme": None,
        "habitant": alice,
        "mediateur": mediateur,
        "comite": comite,
        "referent": referent,
    }

    # The resident's display name, through the profile form.
    browser = Client()
    browser.force_login(alice)
    response = browser.post(
        reverse("accounts:profile"),
        {"display_name": SHORT, "quartier": quartier.pk, "notify_by": "email"},
    )
    assert response.status_code == 302, response.content[:2000]
    alice.refresh_from_db()
    assert alice.display_name == SHORT

    # The référent's consultation and instance (the instance's name is the admin's).
    today = timezone.localdate()
    form = ConsultationForm(
        {
            "title": payload("consultation")[:200],
            "slug": "consultation-hostile",
            "question": payload("question"),
            "description": payload("presentation", "+"),
            "quartiers": [quartier.pk],
            "opens_on": (today - dt.timedelta(days=1)).isoformat(),
            "closes_on": (today + dt.timedelta(days=30)).isoformat(),
        }
    )
    assert form.is_valid(), form.errors
    consultation = gestion.save_consultation(form, actor=referent)
    instance = InstanceFactory(
        name=payload("instance")[:160], description=payload("role"), members=[comite]
    )

    # The resident's expression, through the form, public under her display name.
    response = browser.post(
        reverse("consultations:expression_create"),
        {
            "quartier": quartier.pk,
            "text": payload("expression"),
            "objectifs": [objectif.pk],
            "consultation": consultation.pk,
            "visibility": Visibility.PUBLIC_NAMED,
            "photo_description": payload("photo")[:200],
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302, response.content[:3000]
    answered = Expression.objects.get(text=payload("expression"))

    def submit(author, text, visibility=Visibility.PUBLIC_ANONYMOUS):
        expression, _created = services.submit(
            author=author,
            quartier=quartier,
            text=text,
            objectifs=[objectif],
            consultation=None,
            evenement=None,
            visibility=visibility,
            photo=None,
            photo_description="",
            idempotency_key=None,
        )
        return expression

    waiting = submit(alice, payload("en-attente", "+"), Visibility.PUBLIC_NAMED)
    rejected = submit(alice, payload("rejetee"))
    draft = submit(alice, payload("brouillon", "@"))
    redacted = submit(bob, "Les trottoirs de la rue Basly sont abîmés.")

    # The mediator's work: tags, routing notes, a rejection reason, a redaction.
    etiquette = moderation.create_etiquette(SHORT, actor=mediateur)
    for expression in (answered, waiting, redacted):
        moderation.publish(expression, actor=mediateur)
        expression.refresh_from_db()
    moderation.set_etiquettes(answered, actor=mediateur, etiquettes=[etiquette])
    aiguillage.route(answered, actor=mediateur, instances=[instance], note=payload("note"))
    aiguillage.route(waiting, actor=mediateur, instances=[instance], note=payload("note", "-"))
    moderation.reject(
        rejected, actor=mediateur, reason="hors_sujet", details=payload("raison", "-")
    )
    services.report(redacted, reporter=alice, reason="autre", details=payload("signalement", "@"))
    moderation.redact(
        redacted,
        actor=mediateur,
        text=payload("caviardage"),
        version=moderation_queue.text_version(redacted),
        reason=payload("motif")[:200],
    )

    # Events, a registration, a guest registered at a stand, a cancellation reason.
    (event,) = event_services.create_event(
        actor=mediateur, data=_event_data("evenement", 5), quartiers=[quartier], publish=True
    )
    (cancelled,) = event_services.create_event(
        actor=mediateur, data=_event_data("annule", 6), quartiers=[quartier], publish=True
    )
    event_services.cancel_event(cancelled, actor=mediateur, reason=payload("annulation")[:300])
    event_services.register(event.pk, alice)
    event_services.register_guest(
        event.pk, actor=mediateur, name=payload("invite", "-")[:120], adults=2
    )

    # Said at the stand, with a contact name given with consent. Words are recorded at an
    # event that has taken place: the stand is moved to yesterday for the recording, then
    # back, so that the pages of coming events show its hostile title too.
    coming = {"starts_at": event.starts_at, "ends_at": event.ends_at}
    yesterday = timezone.now() - dt.timedelta(days=1)
    Evenement.objects.filter(pk=event.pk).update(
        starts_at=yesterday, ends_at=yesterday + dt.timedelta(hours=2)
    )
    field, _created = services.record_in_field(
        mediator=mediateur,
        quartier=quartier,
        text=payload("terrain"),
        source=Source.STAND,
        objectifs=[objectif],
        evenement=event,
        people_count=3,
        contact=payload("contact", "+")[:200],
        contact_consent=True,
        photo_description=payload("photo-terrain")[:200],
    )
    Evenement.objects.filter(pk=event.pk).update(**coming)

    # The committee: a séance, a grouped point, an answer in public.
    form = SeanceForm(
        {
            "instance": instance.pk,
            "title": payload("seance")[:200],
            # Held yesterday: it can be answered (not before its date).
            "starts_at": timezone.localtime(timezone.now() - dt.timedelta(days=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "place": payload("salle", "@")[:200],
            "agenda_notes": payload("ordre-du-jour"),
        },
        user=comite,
    )
    assert form.is_valid(), form.errors
    seance = committee.save_seance(form, actor=comite)
    (item,) = committee.add_to_agenda(
        seance, [answered], actor=comite, group_title=payload("groupe")[:200]
    )
    committee.add_to_agenda(seance, [waiting], actor=comite)
    committee.record_answer(
        item, actor=comite, decision="retenue", text=payload("reponse", "+"), public=True
    )

    return Hostile(
        users=users,
        quartier=quartier,
        consultation=consultation,
        instance=instance,
        answered=answered,
        waiting=waiting,
        rejected=rejected,
        redacted=redacted,
        draft=draft,
        field=field,
        event=event,
        cancelled=cancelled,
        seance=seance,
    )


@pytest.fixture
def hostile(settings):
    return build_hostile()


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- Reading HTML the way a browser would ------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class _Audit(HTMLParser):
    """Collects what would run in a browser: handlers, script addresses, foreign scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag}> has an event handler attribute {name}=")
            if name in URL_ATTRIBUTES and re.sub(
                r"[\s\x00-\x1f]", "", value or ""
            ).lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = True
            src = attributes.get("src")
            if src is not None and not (src.startswith("/") and not src.startswith("//")):
                self.problems.append(f"<script src={src!r}> is not from this site")
        if tag == "img" and attributes.get("src") == "x":
            self.problems.append("<img src=x> made from user data")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.problems.append("an inline script runs user data")


def audit_html(text: str) -> tuple[list[str], list[str]]:
    parser = _Audit()
    parser.feed(text)
    parser.close()
    problems = parser.problems
    if SCRIPT in text:
        problems.append("the raw <script> payload is in the page")
    if "<img src=x" in text:
        problems.append("the raw <img onerror> payload is in the page")
    return problems, parser.links


def _is_page(path: str) -> bool:
    return not (DESTRUCTIVE.search(path) or NOT_PAGES.search(path))


def read_pages(client, start: list[str], limit: int = 220) -> dict[str, str]:
    """GET ``start``, then every same-site link those pages show (one level), HTML only."""
    queue = [path for path in start if _is_page(path)]
    depth_one = set(queue)
    seen: set[str] = set()
    pages: dict[str, str] = {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            finish(response)
            continue
        text = response.content.decode(response.charset or "utf-8")
        pages[path] = text
        if path in depth_one:
            _problems, links = audit_html(text)
            for href in links:
                link = urlsplit(urljoin(path, href))
                if link.netloc or link.scheme not in {"", "http", "https"}:
                    continue
                target = link.path + (f"?{link.query}" if link.query else "")
                if _is_page(link.path) and target not in seen:
                    queue.append(target)
    return pages


def pages_of(hostile: Hostile, role: str) -> list[str]:
    """Where the hostile text is shown to ``role``, besides what the crawl finds."""
    h = hostile
    public = [
        h.answered.get_absolute_url(),
        h.redacted.get_absolute_url(),
        h.event.get_absolute_url(),
        h.cancelled.get_absolute_url(),
        reverse("territory:quartier", args=[h.quartier.slug]),
        h.consultation.get_absolute_url(),
        reverse("consultations:retours_quartier", args=[h.quartier.slug]),
        reverse(
            "evenements:calendar_month", args=[h.event.starts_at.year, h.event.starts_at.month]
        ),
        reverse("expression-list") + "?format=api",
        reverse("evenement-list") + "?format=api",
    ]
    extra = {
        "anonyme": [],
        "habitant": [
            h.rejected.get_absolute_url(),
            h.draft.get_absolute_url(),
            reverse("consultations:expression_edit", args=[h.draft.pk]),
            reverse("consultations:expression_report", args=[h.redacted.pk]),
        ],
        "mediateur": [
            reverse("consultations:moderation_queue") + "?vue=a-transmettre",
            *[
                reverse("consultations:moderation_expression", args=[e.pk])
                for e in (h.answered, h.waiting, h.rejected, h.redacted, h.draft, h.field)
            ],
            reverse("consultations:moderation_row", args=[h.field.pk]),
            reverse("evenements:registrants", args=[h.event.pk]),
            reverse("evenements:edit", args=[h.event.pk]),
            reverse("evenements:duplicate", args=[h.event.pk]),
            reverse("evenements:cancel", args=[h.event.pk]),
            reverse("evenements:register_guest", args=[h.event.pk]),
            reverse("consultations:field_create") + f"?evenement={h.event.pk}",
        ],
        "comite": [
            h.seance.get_absolute_url(),
            reverse("consultations:seance_edit", args=[h.seance.pk]),
            reverse("consultations:seance_dossier", args=[h.seance.pk]),
            *[
                reverse("consultations:seance_answer", args=[h.seance.pk, item.pk])
                for item in h.seance.items.all()
            ],
        ],
        "referent": [
            reverse("consultations:consultation_edit", args=[h.consultation.slug]),
            reverse("admin:consultations_expression_change", args=[h.answered.pk]),
            reverse("admin:consultations_expression_changelist"),
        ],
    }
    return [*public, *extra[role], *parameterless_paths()]


def shown(label: str) -> str:
    """How the payload of ``label`` reads in a page that escapes it (« SHORT »: the name,
    « ~label »: the first words only)."""
    if label == "SHORT":
        return html.escape(SHORT)
    if label.startswith("~"):  # a page that shortens the text: its first words
        return f"{label[1:]} {ESCAPED_SCRIPT}"
    return f"{label} {html.escape(SCRIPT + IMG)} {JAVASCRIPT} {TEMPLATE}"


EVENT_FIELDS = ["titre", "description", "lieu", "adresse", "acces", "accessibilite", "organisateur"]
# Pages that must show these fields (escaped): proof that the checks above looked at them.
MUST_SHOW = {
    "anonyme": lambda h: {
        h.answered.get_absolute_url(): ["expression", "SHORT"],
        h.event.get_absolute_url(): [f"evenement-{name}" for name in EVENT_FIELDS],
        h.cancelled.get_absolute_url(): ["annulation", "annule-titre"],
        h.consultation.get_absolute_url(): ["consultation", "question", "presentation"],
        reverse("consultations:expression_list"): ["expression", "caviardage", "SHORT"],
        reverse("consultations:retours"): ["reponse", "groupe", "instance", "expression"],
        reverse("consultations:retours_quartier", args=[h.quartier.slug]): ["reponse"],
        reverse("territory:quartier", args=[h.quartier.slug]): ["expression", "evenement-titre"],
        reverse("core:home"): ["consultation", "evenement-titre"],
        reverse("evenements:list"): ["evenement-titre", "evenement-lieu"],
        reverse("evenements:calendar"): ["evenement-titre"],
        reverse("evenements:map"): ["evenement-titre", "evenement-lieu"],
    },
    "habitant": lambda h: {
        h.rejected.get_absolute_url(): ["rejetee", "raison"],
        reverse("consultations:my_expressions"): ["~brouillon", "~rejetee", "~expression"],
        reverse("accounts:my_space"): ["~brouillon", "~rejetee", "evenement-titre"],
        reverse("consultations:expression_edit", args=[h.draft.pk]): ["brouillon"],
        reverse("notifications:index"): ["raison", "reponse", "instance"],
        reverse("accounts:profile"): ["SHORT"],
        reverse("evenements:mine"): ["evenement-titre"],
        reverse("consultations:expression_create"): ["consultation"],
    },
    "mediateur": lambda h: {
        reverse("consultations:moderation_queue"): ["brouillon", "terrain", "SHORT"],
        reverse("consultations:moderation_expression", args=[h.field.pk]): ["terrain", "contact"],
        reverse("consultations:moderation_expression", args=[h.redacted.pk]): [
            "caviardage",
            "motif",
            "signalement",
        ],
        reverse("consultations:moderation_etiquettes"): ["SHORT"],
        reverse("evenements:registrants", args=[h.event.pk]): ["invite"],
        reverse("evenements:edit", args=[h.event.pk]): [
            *[f"evenement-{name}" for name in EVENT_FIELDS],
            "evenement-image",
        ],
    },
    "comite": lambda h: {
        reverse("consultations:committee_dashboard"): ["instance", "SHORT"],
        h.seance.get_absolute_url(): ["seance", "salle", "ordre-du-jour", "groupe", "reponse"],
        reverse("consultations:seance_dossier", args=[h.seance.pk]): [
            "seance",
            "ordre-du-jour",
            "groupe",
            "expression",
            "en-attente",
        ],
    },
    "referent": lambda h: {
        reverse("consultations:consultation_edit", args=[h.consultation.slug]): [
            "consultation",
            "question",
            "presentation",
        ],
        reverse("admin:consultations_expression_change", args=[h.answered.pk]): ["expression"],
    },
}


@pytest.mark.parametrize("role", ["anonyme", "habitant", "mediateur", "comite", "referent"])
def test_every_page_shows_hostile_text_as_text(hostile, role):
    client = client_for(hostile.users[role])
    pages = read_pages(client, pages_of(hostile, role))
    problems = []
    for path, text in pages.items():
        found, _links = audit_html(text)
        problems += [f"{path}: {problem}" for problem in found]
    assert not problems, "\n".join(problems)
    showing = [path for path, text in pages.items() if ESCAPED_SCRIPT in text]
    missing = [
        f"{path}: {label}"
        for path, labels in MUST_SHOW[role](hostile).items()
        for label in labels
        if shown(label) not in pages.get(path, "")
    ]
    assert not missing, "These pages should show these fields, escaped:\n" + "\n".join(missing)
    print(f"{role}: {len(pages)} pages read, {len(showing)} show the payloads escaped, 0 unescaped")


def test_template_syntax_typed_by_a_resident_is_shown_not_evaluated(hostile):
    page = client_for(None).get(hostile.answered.get_absolute_url()).content.decode()
    assert TEMPLATE in page
    assert html.escape(JAVASCRIPT) in page or JAVASCRIPT in page  # as text, never as a link


def test_the_notifications_of_the_author_show_what_happened_as_text(hostile):
    page = client_for(hostile.users["habitant"]).get(reverse("notifications:index"))
    text = page.content.decode()
    problems, _links = audit_html(text)
    assert not problems
    assert hostile.users["habitant"].notifications.count() >= 3


# --- Spreadsheets --------------------------------------------------------------------------


def _is_number(cell: str) -> bool:
    return bool(re.fullmatch(r"[-+]?\d+([.,]\d+)?", cell.strip()))


def csv_problems(content: bytes) -> tuple[list[str], int]:
    text = content.decode("utf-8-sig")
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    problems, hostile_cells = [], 0
    for row in csv.reader(io.StringIO(text), delimiter=delimiter):
        for cell in row:
            if "HYPERLINK" in cell or "alert(1)" in cell:
                hostile_cells += 1
            if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
                problems.append(f"cell {cell[:60]!r} would run as a formula")
    return problems, hostile_cells


def xlsx_problems(content: bytes) -> tuple[list[str], int]:
    workbook = load_workbook(io.BytesIO(content))
    problems, hostile_cells = [], 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    problems.append(f"{sheet.title}!{cell.coordinate} is a formula: {value!r}")
                if isinstance(value, str):
                    if "HYPERLINK" in value or "alert(1)" in value:
                        hostile_cells += 1
                    if value.startswith(FORMULA_STARTS):
                        problems.append(f"{sheet.title}!{cell.coordinate} starts a formula")
    return problems, hostile_cells


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_no_export_lets_a_spreadsheet_run_what_people_typed(hostile):
    h = hostile
    comite = client_for(h.users["comite"])
    mediateur = client_for(h.users["mediateur"])
    referent = client_for(h.users["referent"])
    anonyme = client_for(None)
    # The committee's background export, made by Celery, in both formats.
    jobs = []
    for format in ("csv", "xlsx"):
        job = export_jobs.request_job(user=h.users["comite"], format=format, query="", total=2)
        export_jobs.build_job(job.pk)
        jobs.append((format, reverse("consultations:export_job_download", args=[job.pk])))
    files = [
        (comite, reverse("consultations:committee_export", args=["csv"]), "csv"),
        (comite, reverse("consultations:committee_export", args=["xlsx"]), "xlsx"),
        *[(comite, url, format) for format, url in jobs],
        (comite, reverse("consultations:seance_dossier_xlsx", args=[h.seance.pk]), "xlsx"),
        (comite, reverse("consultations:bilan") + "?format=xlsx", "xlsx"),
        (mediateur, reverse("evenements:registrants_csv", args=[h.event.pk]), "csv"),
        (mediateur, reverse("consultations:moderation_audit_csv", args=[h.redacted.pk]), "csv"),
        (referent, reverse("consultations:moderation_audit_export"), "csv"),
        (anonyme, reverse("opendata-expressions-csv"), "csv"),
        (anonyme, reverse("opendata-counts-csv"), "csv"),
    ]
    problems, summary = [], []
    for client, url, format in files:
        content = _download(client, url)
        found, hostile_cells = (csv_problems if format == "csv" else xlsx_problems)(content)
        problems += [f"{url}: {problem}" for problem in found]
        summary.append((url, hostile_cells))
    assert not problems, "\n".join(problems)
    # Proof the files were read with the payloads in them (the bilan holds only counts).
    empty = [
        url for url, cells in summary if cells == 0 and "bilan" not in url and "comptes" not in url
    ]
    assert not empty, f"No hostile cell found in {empty}"
    print(
        f"{len(files)} spreadsheets read, {sum(c for _u, c in summary)} hostile cells, 0 formulas"
    )


# --- iCalendar -------------------------------------------------------------------------------


def test_calendar_feeds_keep_hostile_text_as_data_and_one_event_per_event(hostile):
    h = hostile
    client = client_for(None)
    feeds = {
        reverse("evenements:feed"): 2,
        reverse("evenements:feed_quartier", args=[h.quartier.slug]): 2,
        reverse("evenements:feed_event", args=[h.event.pk]): 1,
    }
    for url, count in feeds.items():
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        events = calendar.walk("VEVENT")
        assert len(events) == count, url
        lines = response.content.split(b"\r\n")
        assert b"SUMMARY:INJECTED" not in lines, url  # only ever inside an escaped text
        titles = {str(event["SUMMARY"]) for event in events}
        assert h.event.title in titles, url
        for event in events:
            if str(event["SUMMARY"]) == h.event.title:
                assert str(event["DESCRIPTION"]).startswith(h.event.description.strip()[:40])
        # Only the feed's own lines start an event: the line breaks typed were escaped.
        starts = [line for line in lines if line == b"BEGIN:VEVENT"]
        assert len(starts) == count, url


# --- The API --------------------------------------------------------------------------------


def test_the_api_gives_hostile_text_back_unchanged_and_as_json(hostile):
    h = hostile
    client = client_for(None)
    urls = [
        reverse("expression-list"),
        reverse("expression-detail", args=[h.answered.pk]),
        reverse("evenement-list"),
        reverse("evenement-detail", args=[h.event.pk]),
        reverse("opendata-expressions"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/json"), url
        assert response["X-Content-Type-Options"] == "nosniff", url
        data = json.dumps(response.json(), ensure_ascii=False)
        assert SCRIPT.replace("/", "\\/") in data or SCRIPT in data, url
    detail = client.get(reverse("expression-detail", args=[h.answered.pk])).json()
    assert detail["text"] == payload("expression")
    assert detail["author_name"] == SHORT
    event = client.get(reverse("evenement-detail", args=[h.event.pk])).json()
    assert event["title"] == h.event.title


def test_the_rgpd_copy_is_a_json_download_never_a_page(hostile):
    response = client_for(hostile.users["habitant"]).get(reverse("accounts:export"))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment")
    assert payload("expression") in set(strings_in(json.loads(response.content)))


def strings_in(data):
    """Every string of a decoded JSON document."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from strings_in(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings_in(value)
