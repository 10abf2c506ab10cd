"""The authorization matrix: every URL of the site and the API, for every kind of visitor.

The routes come from the URLConf itself (``get_resolver()``, walked recursively); their
parameters are filled from real objects (a private expression of habitant A routed to one
instance, a published expression, A's registration and notification, the référent's
export, a séance, an event, a quartier…). Each route must have its line in ``TABLE``: the
answer expected for each role, for GET and for its main POST actions (sent with a CSRF
token, as a browser would). A route of the URLConf that is missing from the table fails
the test, so that every new URL gets a decision; so does a line of the table that no longer
matches a route.

Every request runs in a savepoint rolled back after it, so that what one POST changes (an
expression published, a registration cancelled) never changes what the next one finds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.http import int_to_base36

from consultations.committee import export_jobs
from consultations.models import Status, Transmission, Visibility
from consultations.moderation.queue import text_version
from participation.accounts.models import Role
from participation.notifications.services import notify
from tests.consultations.committee.factories import InstanceFactory, SeanceFactory, on_agenda
from tests.consultations.conftest import image_bytes
from tests.consultations.factories import ConsultationFactory, ExpressionFactory
from tests.consultations.moderation.factories import EtiquetteFactory
from tests.evenements.factories import EvenementFactory, InscriptionFactory
from tests.factories import CommuneFactory, ObjectifFactory, QuartierFactory, UserFactory
from tests.participation.territory.factories import (
    AvenantFactory,
    FindingFactory,
    IndicatorFactory,
)

ROLES = (
    "anonyme",
    "habitant_a",
    "habitant_b",
    "mediateur",
    "comite_autre",  # sits in an instance the private expression was NOT routed to
    "comite",  # sits in the instance the private expression was routed to
    "referent",
)
# The staff of another commune (issue 18, point 4): everything of the world above is in
# commune A; these three work for commune B only, « comite_b » in an instance of B. Unless
# a line says otherwise (``b=``), each gets what its role gets in A (mediateur, comite_autre,
# referent); every page they are shown must hold nothing of A's non-public work.
ROLES_B = ("mediateur_b", "comite_b", "referent_b")
# Any 32 letters and digits are a valid CSRF secret; the cookie and the form carry the same.
CSRF_TOKEN = "MatrixCsrfSecret0123456789abcdef"


# --- The objects the parameters are taken from -----------------------------------------


@dataclass
class World:
    users: dict[str, object]
    quartier: object
    objectif: object
    instance: object  # « comite » sits here; the private expression is routed here
    other_instance: object  # « comite_autre » sits here
    private: object  # habitant A's private expression, routed to ``instance``
    submitted: object  # habitant A's expression waiting for moderation (A may still edit it)
    published: object  # habitant B's published, public expression
    duplicate: object  # habitant A's published, public expression, saying the same
    consultation: object
    event: object
    inscription: object  # habitant A's registration to ``event``
    notification: object  # habitant A's notification
    export: object  # the référent's finished export
    commune_b: object  # the other commune, with its own quartier and staff (ROLES_B)
    seance: object  # a séance of ``instance``, with the private expression on its agenda
    item: object  # that agenda item, still without answer
    etiquette: object
    extra: dict = field(default_factory=dict)


def _with_photo(expression):
    expression.photo.save("photo.jpg", ContentFile(image_bytes("JPEG")), save=False)
    expression.thumbnail.save("miniature.jpg", ContentFile(image_bytes("JPEG")), save=False)
    expression.save(update_fields=["photo", "thumbnail"])
    return expression


def build_world() -> World:
    quartier = QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")
    objectif = ObjectifFactory(quartier=quartier, operationnel="Renforcer la médiation sociale")
    commune_b = CommuneFactory(name="Lozinghem", slug="lozinghem")
    quartier_b = QuartierFactory(
        slug="cite-b", name="Cité B", short_name="Cité B", commune=commune_b
    )
    users = {
        "anonyme": None,
        "habitant_a": UserFactory(email="habitante-a@example.org", display_name="Aline"),
        "habitant_b": UserFactory(email="habitant-b@example.org", display_name="Bruno"),
        "mediateur": UserFactory(email="mediatrice@example.org", role=Role.MEDIATEUR),
        "comite_autre": UserFactory(email="bailleur@example.org", role=Role.COMITE),
        "comite": UserFactory(email="copil@example.org", role=Role.COMITE),
        "referent": UserFactory(email="referente@example.org", role=Role.REFERENT),
        "mediateur_b": UserFactory(
            email="mediateur-b@example.org", role=Role.MEDIATEUR, communes=[commune_b]
        ),
        "comite_b": UserFactory(email="comite-b@example.org", role=Role.COMITE),
        "referent_b": UserFactory(
            email="referente-b@example.org", role=Role.REFERENT, communes=[commune_b]
        ),
    }
    InstanceFactory(
        name="Comité de la commune B", communes=[commune_b], members=[users["comite_b"]]
    )
    # B's own work, so that B's staff pages have something of theirs to show.
    ExpressionFactory(quartier=quartier_b, status=Status.SOUMISE, text="Travail de la commune B")
    habitant_a, habitant_b = users["habitant_a"], users["habitant_b"]
    commune_a = [quartier.commune]
    instance = InstanceFactory(
        name="Comité de pilotage (matrice)", members=[users["comite"]], communes=commune_a
    )
    other_instance = InstanceFactory(
        name="Bailleur (matrice)", members=[users["comite_autre"]], communes=commune_a
    )
    private = _with_photo(
        ExpressionFactory(
            author=habitant_a,
            quartier=quartier,
            visibility=Visibility.PRIVATE,
            status=Status.TRANSMISE,
            objectifs=[objectif],
            # Plain ASCII, so that « not in » checks cannot be fooled by escaping.
            text="PRIVATE-OF-A the neighbour at number 12 is noisy",
        )
    )
    Transmission.objects.create(
        expression=private, instance=instance, created_by=users["mediateur"]
    )
    submitted = _with_photo(
        ExpressionFactory(author=habitant_a, quartier=quartier, status=Status.SOUMISE)
    )
    published = _with_photo(
        ExpressionFactory(
            author=habitant_b,
            quartier=quartier,
            status=Status.PUBLIEE,
            visibility=Visibility.PUBLIC_NAMED,
            objectifs=[objectif],
        )
    )
    duplicate = ExpressionFactory(
        author=habitant_a,
        quartier=quartier,
        status=Status.PUBLIEE,
        visibility=Visibility.PUBLIC_NAMED,
    )
    event = EvenementFactory(quartiers=[quartier], title="Stand du marché de Rimbart")
    inscription = InscriptionFactory(evenement=event, user=habitant_a)
    notification = notify(habitant_a, "NOTIFICATION-OF-A your expression was routed", url="/")
    seance = SeanceFactory(instance=instance, starts_at=timezone.now() - dt.timedelta(days=1))
    item = on_agenda(seance, private)
    export = export_jobs.request_job(user=users["referent"], format="csv", query="", total=1)
    export = export_jobs.build_job(export.pk)
    assert export.state == export.State.READY
    return World(
        users=users,
        quartier=quartier,
        objectif=objectif,
        instance=instance,
        other_instance=other_instance,
        private=private,
        submitted=submitted,
        published=published,
        duplicate=duplicate,
        consultation=ConsultationFactory(slug="ete-2026", quartiers=[quartier]),
        event=event,
        inscription=inscription,
        notification=notification,
        export=export,
        commune_b=commune_b,
        seance=seance,
        item=item,
        etiquette=EtiquetteFactory(name="éclairage"),
    )


# --- The routes of the URLConf ---------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str
    name: str | None
    pattern: str
    callback: str


# allauth's own views (sign-in and sign-out, sign-up, e-mail and password, 2FA): allauth
# guards and tests them; tests/participation/accounts covers how this site uses them.
# Named one by one, so that an allauth upgrade adding a page makes the matrix fail.
ALLAUTH_EXCLUDED = frozenset(
    {
        "account_login",
        "account_logout",
        "account_inactive",
        "account_signup",
        "account_reauthenticate",
        # Confirming who one is with an emailed code (allauth 65.22): signed-in people only,
        # checked in tests/participation/accounts/test_reauthentication.py.
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "account_email",
        "account_email_verification_sent",
        "account_change_password",
        "account_set_password",
        "account_reset_password",
        "account_confirm_login_code",
        "account_reset_password_from_key_done",
        "account_reset_password_from_key",
        "account_reset_password_done",
        "account_request_login_code",
        "mfa_index",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
    }
)
# Django's admin (namespace « admin »): every page behind one check (``is_staff``, true for
# the référent only, tests/participation/accounts/test_admin.py); its index is in the table.
ADMIN_NAMESPACE = "admin"


def _is_format_twin(pattern: str) -> bool:
    return bool(re.search(r"\\\.\(\?P<format>|<drf_format_suffix:format>", pattern))


def _route_key(namespaces: list[str], entry: URLPattern) -> str:
    if entry.name:
        key = ":".join([*namespaces, entry.name])
    else:
        key = f"{entry.callback.__module__}.{entry.callback.__name__}"
    if _is_format_twin(str(entry.pattern)):
        key += " .format"  # the DRF router's « .json » twin of a route
    return key


def all_routes() -> list[Route]:
    """Every route of the URLConf, but the excluded ones; one per key (the first that resolves)."""
    found: dict[str, Route] = {}

    def walk(patterns, prefix: str, namespaces: list[str]) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = [*namespaces, entry.namespace] if entry.namespace else namespaces
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
                continue
            assert isinstance(entry, URLPattern)
            key = _route_key(namespaces, entry)
            if key in ALLAUTH_EXCLUDED:
                continue
            if namespaces[:1] == [ADMIN_NAMESPACE] and key != "admin:index":
                continue
            callback = f"{entry.callback.__module__}.{entry.callback.__name__}"
            name = ":".join([*namespaces, entry.name]) if entry.name else None
            found.setdefault(key, Route(key, name, prefix + str(entry.pattern), callback))

    walk(get_resolver().url_patterns, "/", [])
    return list(found.values())


# --- What each role must get -----------------------------------------------------------

# An expectation lists one answer per role, in the order of ROLES:
#     anonyme  habitant_a  habitant_b  mediateur  comite_autre  comite  referent
# « login »: 302 to the sign-in page; « admin »: 302 to the admin's sign-in page;
# « 302 »: any other redirect (a form that worked); numbers: that status.
PUBLIC = "200 200 200 200 200 200 200"
SIGNED_IN = "login 200 200 200 200 200 200"
MEDIATORS = "login 403 403 200 403 403 200"
COMMITTEE = "login 403 403 403 200 200 200"
REFERENT = "login 403 403 403 403 403 200"
# A séance (and anything in it) exists only for its instance's members and the référent.
SEANCE = "login 403 403 403 404 200 200"
# A séance of A's instance does not exist for B's staff either.
SEANCE_B = "403 404 404"
# A private expression: its author, mediators and the instance it was routed to.
PRIVATE = "404 200 404 200 404 200 200"
# An expression waiting for moderation: its author and mediators only.
SUBMITTED = "404 200 404 200 404 404 200"
# A's event, consultation, instance or referential row does not exist for B's mediator and
# référent (B's comité member gets the 403 of any comité member).
OF_A_FOR_MEDIATORS_B = "404 403 404"
OF_A_FOR_REFERENT_B = "403 403 404"
# The API's answer to anonymous callers of a protected endpoint is JSON « non_authentifie ».
API_MEDIATORS = "403 403 403 200 403 403 200"


@dataclass
class Check:
    expected: str
    method: str = "get"
    kwargs: Callable[[World], dict] | None = None
    data: Callable[[World], dict] | dict | None = None
    query: str = ""
    path: Callable[[World], str] | None = None  # for the routes reverse() cannot build
    json: bool = False
    note: str = ""
    # The answers of ROLES_B when they differ from those of mediateur, comite_autre, referent.
    b: str | None = None

    def roles(self) -> dict[str, str]:
        answers = self.expected.split()
        assert len(answers) == len(ROLES), f"{self.expected!r}: one answer per role"
        roles = dict(zip(ROLES, answers, strict=True))
        if self.b is None:
            others = [roles["mediateur"], roles["comite_autre"], roles["referent"]]
        else:
            others = self.b.split()
            assert len(others) == len(ROLES_B), f"{self.b!r}: one answer per role of B"
        return roles | dict(zip(ROLES_B, others, strict=True))


def get(expected, **kwargs) -> Check:
    return Check(expected, "get", **kwargs)


def post(expected, **kwargs) -> Check:
    return Check(expected, "post", **kwargs)


def pk(attribute: str) -> Callable[[World], dict]:
    return lambda w: {"pk": getattr(w, attribute).pk}


def _staff_form_data(expression) -> dict:
    """The staff page's form with the text as shown (no redaction) and nothing classified."""
    return {"caviardage-text": expression.text, "caviardage-version": text_version(expression)}


def _referentiel(w: World, name: str):
    """A row of the referential for the référent's pages, made once per world."""
    if name not in w.extra:
        make = {
            "indicator": lambda: IndicatorFactory(quartier=w.quartier),
            "finding": lambda: FindingFactory(quartier=w.quartier),
            "avenant": AvenantFactory,
        }[name]
        w.extra[name] = make()
    return w.extra[name]


def _referentiel_pk(name: str) -> Callable[[World], dict]:
    return lambda w: {"pk": _referentiel(w, name).pk}


def _expression_data(w: World) -> dict:
    return {
        "quartier": w.quartier.pk,
        "text": "Le square a besoin de bancs et d'ombre pour l'été.",
        "objectifs": [w.objectif.pk],
        "visibility": Visibility.PUBLIC_ANONYMOUS,
    }


TABLE: dict[str, list[Check]] = {
    # --- Core pages ---------------------------------------------------------------------
    "core:home": [get(PUBLIC)],
    "core:sante": [get(PUBLIC)],
    "core:mentions_legales": [get(PUBLIC)],
    "core:donnees_personnelles": [get(PUBLIC)],
    "core:accessibilite": [get(PUBLIC)],
    "core:easy_read": [
        get(
            "302 302 302 302 302 302 302",
            query="version=facile&next=/evenements/",
            note="a display preference kept in a cookie, then back to the page",
        )
    ],
    "core:bench_ceiling": [get(PUBLIC, note="a plain-text page without data, for the bench")],
    "core:robots": [get(PUBLIC, note="for search engines: the private areas to leave")],
    "sitemap": [get(PUBLIC, note="for search engines: the sections of public pages")],
    "sitemap_section": [
        get(PUBLIC, kwargs=lambda w: {"section": "evenements"}, note="public events only"),
        get("404 404 404 404 404 404 404", kwargs=lambda w: {"section": "nulle-part"}),
    ],
    "territory:quartier": [
        get(PUBLIC, kwargs=lambda w: {"slug": w.quartier.slug}),
        get("404 404 404 404 404 404 404", kwargs=lambda w: {"slug": "nulle-part"}),
    ],
    "territory:pilotage": [get(PUBLIC)],
    # « Joindre un·e médiateur·rice », and the contact set by a référent of the commune (a
    # wrong number comes back with its error).
    "territory:mediation": [get(PUBLIC)],
    "territory:commune_mediation": [
        get(REFERENT, kwargs=lambda w: {"slug": w.quartier.commune.slug}, b=OF_A_FOR_REFERENT_B),
        post(
            "login 403 403 403 403 403 400",
            kwargs=lambda w: {"slug": w.quartier.commune.slug},
            data={"mediation_phone": "pas un numéro"},
            b=OF_A_FOR_REFERENT_B,
        ),
    ],
    # The referential's public history, and its edition by the référent (issue 18). An empty
    # form comes back with its errors (200); putting an objective back in force redirects.
    "territory:history": [
        get(PUBLIC),
        get(PUBLIC, query="quartier=rimbart"),
        get("404 404 404 404 404 404 404", query="quartier=nulle-part"),
    ],
    "territory:referentiel_manage": [get(REFERENT)],
    # A commune's referential as one JSON file (issue 18, point 3): download, and upload (an
    # empty form comes back with its error).
    "territory:referentiel_export": [
        get(REFERENT, kwargs=lambda w: {"slug": w.quartier.commune.slug}, b=OF_A_FOR_REFERENT_B),
        get("login 403 403 403 403 403 404", kwargs=lambda w: {"slug": "nulle-part"}),
    ],
    "territory:referentiel_import": [get(REFERENT), post(REFERENT, data={})],
    "territory:quartier_edit": [
        get(REFERENT, kwargs=lambda w: {"slug": w.quartier.slug}, b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=lambda w: {"slug": w.quartier.slug}, data={}, b=OF_A_FOR_REFERENT_B),
    ],
    "territory:finding_add": [
        get(REFERENT, kwargs=lambda w: {"slug": w.quartier.slug}, b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=lambda w: {"slug": w.quartier.slug}, data={}, b=OF_A_FOR_REFERENT_B),
    ],
    "territory:objectif_add": [
        get(REFERENT, kwargs=lambda w: {"slug": w.quartier.slug}, b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=lambda w: {"slug": w.quartier.slug}, data={}, b=OF_A_FOR_REFERENT_B),
    ],
    "territory:indicator_edit": [
        get(REFERENT, kwargs=_referentiel_pk("indicator"), b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=_referentiel_pk("indicator"), data={}, b=OF_A_FOR_REFERENT_B),
    ],
    "territory:finding_edit": [
        get(REFERENT, kwargs=_referentiel_pk("finding"), b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=_referentiel_pk("finding"), data={}, b=OF_A_FOR_REFERENT_B),
    ],
    # The enjeux and the avenants are every commune's: a platform-wide référent's (issue 18).
    "territory:enjeu_edit": [
        get(REFERENT, kwargs=lambda w: {"pk": w.objectif.enjeu_id}, b="403 403 403"),
        post(REFERENT, kwargs=lambda w: {"pk": w.objectif.enjeu_id}, data={}, b="403 403 403"),
    ],
    "territory:objectif_edit": [
        get(REFERENT, kwargs=pk("objectif"), b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=pk("objectif"), data={}, b=OF_A_FOR_REFERENT_B),
    ],
    "territory:objectif_retire": [
        get(REFERENT, kwargs=pk("objectif"), b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=pk("objectif"), data={}, b=OF_A_FOR_REFERENT_B),
    ],
    "territory:objectif_restore": [
        get("login 403 403 403 403 403 405", kwargs=pk("objectif")),
        post("login 403 403 403 403 403 302", kwargs=pk("objectif"), b=OF_A_FOR_REFERENT_B),
    ],
    "territory:avenant_add": [
        get(REFERENT, b="403 403 403"),
        post(REFERENT, data={}, b="403 403 403"),
    ],
    "territory:avenant_edit": [
        get(REFERENT, kwargs=_referentiel_pk("avenant"), b="403 403 403"),
        post(REFERENT, kwargs=_referentiel_pk("avenant"), data={}, b="403 403 403"),
    ],
    # --- The account: no parameter ever names another person ----------------------------
    "accounts:profile": [
        get(SIGNED_IN),
        post(
            "login 302 302 302 302 302 302",
            data={"display_name": "Nouveau nom", "notify_by": "email"},
        ),
    ],
    "accounts:my_space": [get(SIGNED_IN)],
    "accounts:my_data": [get(SIGNED_IN)],
    "accounts:export": [get(SIGNED_IN)],
    "accounts:delete": [get(SIGNED_IN)],
    "accounts:deleted": [get(PUBLIC, note="only says the account is gone")],
    # A mobile number: sign-up for visitors (signed-in people are sent on), adding or
    # changing one's own number, typing the SMS code of a process held in one's session.
    "accounts:signup_phone": [
        get("200 302 302 302 302 302 302", note="allauth sends signed-in people on"),
        post("200 302 302 302 302 302 302", data={"phone": "pas un numéro"}),
    ],
    "account_change_phone": [get(SIGNED_IN)],
    "account_verify_phone": [
        get("login 302 302 302 302 302 302", note="nothing to verify: back to the number")
    ],
    "notifications:index": [get(SIGNED_IN)],
    "notifications:mark_all_read": [
        get("login 405 405 405 405 405 405"),
        post("login 302 302 302 302 302 302"),
    ],
    # The short link of an SMS only redirects: the expression's page checks who reads it.
    "short_link": [
        get(
            "302 302 302 302 302 302 302",
            kwargs=lambda w: {"code": "x" + int_to_base36(w.private.pk)},
        ),
        get("404 404 404 404 404 404 404", kwargs=lambda w: {"code": "q1"}),
    ],
    # --- Events ---------------------------------------------------------------------------
    "evenements:list": [get(PUBLIC)],
    "evenements:calendar": [get(PUBLIC)],
    "evenements:calendar_month": [get(PUBLIC, kwargs=lambda w: {"year": 2026, "month": 6})],
    "evenements:map": [get(PUBLIC)],
    "evenements:feed": [get(PUBLIC)],
    "evenements:feed_quartier": [get(PUBLIC, kwargs=lambda w: {"slug": w.quartier.slug})],
    "evenements:detail": [get(PUBLIC, kwargs=pk("event"))],
    "evenements:feed_event": [get(PUBLIC, kwargs=pk("event"))],
    "evenements:poster": [get(PUBLIC, kwargs=pk("event"), note="an A4 poster to print")],
    "evenements:register": [
        get("login 405 405 405 405 405 405", kwargs=pk("event")),
        post(
            "login 302 302 302 302 302 302",
            kwargs=pk("event"),
            data={"adults": 1, "children": 0},
        ),
    ],
    "evenements:unregister": [
        # « Annuler mon inscription ? » for A, who is registered; the others are sent back.
        get("login 200 302 302 302 302 302", kwargs=pk("event")),
        # Keyed by the signed-in person: B « unregistering » from A's event cancels nothing.
        post("login 302 302 302 302 302 302", kwargs=pk("event")),
    ],
    "evenements:restore": [
        get("login 405 405 405 405 405 405", kwargs=pk("inscription")),
        # Only A's own registration exists for A (nothing to take back here: sent back).
        post("login 302 404 404 404 404 404", kwargs=pk("inscription")),
    ],
    "evenements:mine": [get(SIGNED_IN)],
    "evenements:manage": [get(MEDIATORS)],
    "evenements:create": [get(MEDIATORS), post(MEDIATORS, data={})],
    # A's event does not exist for B's staff (issue 18, point 4).
    "evenements:edit": [
        get(MEDIATORS, kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B),
        post(MEDIATORS, kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B),
    ],
    "evenements:duplicate": [get(MEDIATORS, kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B)],
    # The event is published: its preview leads to its public page, publishing changes nothing.
    "evenements:preview": [
        get("login 403 403 302 403 403 302", kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B)
    ],
    "evenements:publish": [
        get("login 403 403 405 403 403 405", kwargs=pk("event")),
        post("login 403 403 302 403 403 302", kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B),
    ],
    "evenements:cancel": [
        get(MEDIATORS, kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B),
        post(
            "login 403 403 302 403 403 302",
            kwargs=pk("event"),
            data={"reason": "Pluie annoncée."},
            b=OF_A_FOR_MEDIATORS_B,
        ),
    ],
    "evenements:registrants": [get(MEDIATORS, kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B)],
    "evenements:registrants_csv": [get(MEDIATORS, kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B)],
    "evenements:attendance": [
        get("login 403 403 302 403 403 302", kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B),
        post(
            "login 403 403 302 403 403 302",
            kwargs=pk("event"),
            data=lambda w: {"present": [w.inscription.pk]},
            b=OF_A_FOR_MEDIATORS_B,
        ),
    ],
    "evenements:register_guest": [
        get(MEDIATORS, kwargs=pk("event"), b=OF_A_FOR_MEDIATORS_B),
        post(
            "login 403 403 302 403 403 302",
            kwargs=pk("event"),
            data={"name": "Mme Martin", "adults": 1, "children": 0},
            b=OF_A_FOR_MEDIATORS_B,
        ),
    ],
    "evenements:cancel_inscription": [
        # Residents cancel their own through « desinscription »; this one is the staff's.
        get("login 403 403 302 403 403 302", kwargs=pk("inscription"), b=OF_A_FOR_MEDIATORS_B),
        post("login 403 403 302 403 403 302", kwargs=pk("inscription"), b=OF_A_FOR_MEDIATORS_B),
    ],
    # --- Expressions ----------------------------------------------------------------------
    "consultations:expression_list": [get(PUBLIC)],
    "consultations:expression_create": [
        get(SIGNED_IN),
        post("login 302 302 302 302 302 302", data=_expression_data),
    ],
    "consultations:field_create": [get(MEDIATORS)],
    "consultations:expression_detail": [
        get(PRIVATE, kwargs=pk("private"), b="404 404 404"),
        get(SUBMITTED, kwargs=pk("submitted"), b="404 404 404"),
        get(PUBLIC, kwargs=pk("published")),
    ],
    "consultations:expression_edit": [
        # Only its author, and only while no mediator has read it; others must not learn
        # that a private or waiting expression exists.
        get("login 403 404 403 404 403 403", kwargs=pk("private"), b="404 404 404"),
        get("login 200 404 403 404 404 403", kwargs=pk("submitted"), b="404 404 404"),
        get("login 403 403 403 403 403 403", kwargs=pk("published")),
        post(
            "login 302 404 403 404 404 403",
            kwargs=pk("submitted"),
            data=_expression_data,
            b="404 404 404",
        ),
        post(
            "login 403 404 403 404 403 403",
            kwargs=pk("private"),
            data=_expression_data,
            b="404 404 404",
        ),
    ],
    "consultations:expression_support": [
        get("login 405 405 405 405 405 405", kwargs=pk("published")),
        # Not by its own author (B), and never on a private expression (not listed).
        post("login 302 403 302 302 302 302", kwargs=pk("published")),
        post("login 403 404 403 404 403 403", kwargs=pk("private"), b="404 404 404"),
    ],
    "consultations:expression_report": [
        get("login 200 403 200 200 200 200", kwargs=pk("published")),
        get("login 403 404 403 404 403 403", kwargs=pk("private"), b="404 404 404"),
        post(
            "login 302 403 302 302 302 302",
            kwargs=pk("published"),
            data={"reason": "autre", "details": "Propos blessants."},
        ),
    ],
    "consultations:expression_photo": [
        get(PRIVATE, kwargs=pk("private"), b="404 404 404"),
        get(SUBMITTED, kwargs=pk("submitted"), b="404 404 404"),
        get(PUBLIC, kwargs=pk("published")),
    ],
    "consultations:expression_thumbnail": [
        get(PRIVATE, kwargs=pk("private"), b="404 404 404"),
        get(PUBLIC, kwargs=pk("published")),
    ],
    # A photo kept while a form came back: only the session that kept it ever sees it (its own
    # account signed in elsewhere included: tests/consultations/test_kept_photos.py).
    "consultations:kept_photo": [
        get("login 404 404 404 404 404 404", kwargs=lambda w: {"token": "Q" * 43}),
        post("login 405 405 405 405 405 405", kwargs=lambda w: {"token": "Q" * 43}),
    ],
    "consultations:my_expressions": [get(SIGNED_IN)],
    # --- Consultations (calls for expression) ---------------------------------------------
    "consultations:consultation_list": [get(PUBLIC)],
    "consultations:consultation_create": [get(REFERENT), post(REFERENT, data={})],
    "consultations:consultation_detail": [
        get(PUBLIC, kwargs=lambda w: {"slug": w.consultation.slug})
    ],
    "consultations:consultation_edit": [
        get(REFERENT, kwargs=lambda w: {"slug": w.consultation.slug}, b=OF_A_FOR_REFERENT_B),
        post(
            REFERENT,
            kwargs=lambda w: {"slug": w.consultation.slug},
            data={},
            b=OF_A_FOR_REFERENT_B,
        ),
    ],
    # --- Moderation -----------------------------------------------------------------------
    "consultations:moderation_queue": [get(MEDIATORS)],
    "consultations:moderation_counter": [get(MEDIATORS)],
    "consultations:moderation_bulk": [
        get("login 403 403 405 403 403 405"),
        post(
            "login 403 403 302 403 403 302",
            data=lambda w: {
                "ids": [w.published.pk],
                "action": "etiqueter",
                "etiquette": w.etiquette.pk,
            },
        ),
    ],
    # B's staff: A's expression is in none of their views (204, as any row outside the view).
    "consultations:moderation_row": [get(MEDIATORS, kwargs=pk("submitted"), b="204 403 204")],
    "consultations:moderation_etiquettes": [
        get(MEDIATORS),
        post("login 403 403 302 403 403 302", data={"name": "propreté"}),
    ],
    # For referent_b, the entries about the expressions of B's communes only.
    "consultations:moderation_audit_export": [get(REFERENT)],
    # The staff page's one form: the text as shown, then the decision's own fields. A's
    # expressions do not exist for B's mediator and référent.
    "consultations:moderation_expression": [
        get(MEDIATORS, kwargs=pk("private"), b="404 403 404"),
        get(MEDIATORS, kwargs=pk("submitted"), b="404 403 404"),
        post(
            "login 403 403 302 403 403 302",
            kwargs=pk("submitted"),
            data=lambda w: {**_staff_form_data(w.submitted), "decision": "publier"},
            b="404 403 404",
        ),
        post(
            "login 403 403 302 403 403 302",
            b="404 403 404",
            kwargs=pk("submitted"),
            data=lambda w: {
                **_staff_form_data(w.submitted),
                "decision": "rejeter",
                "rejet-reason": "hors_sujet",
                "rejet-details": "Il parle d'une autre commune.",
            },
        ),
        post(
            "login 403 403 302 403 403 302",
            kwargs=pk("published"),
            b="404 403 404",
            data=lambda w: {
                **_staff_form_data(w.published),
                "decision": "transmettre",
                "transmission-instances": [w.other_instance.pk],
                "transmission-note": "Pour le bailleur.",
            },
        ),
    ],
    # The preview of a merge (published into private, same quartier), and its confirmation.
    "consultations:moderation_merge": [
        # Two public expressions (a public one merged into a private one is refused).
        get(
            MEDIATORS,
            kwargs=lambda w: {"pk": w.duplicate.pk, "target": w.published.pk},
            b="404 403 404",
        ),
        post(
            "login 403 403 302 403 403 302",
            kwargs=lambda w: {"pk": w.duplicate.pk, "target": w.published.pk},
            b="404 403 404",
        ),
    ],
    "consultations:moderation_audit_csv": [get(MEDIATORS, kwargs=pk("private"), b="404 403 404")],
    "consultations:moderation_publish": [
        get("login 403 403 405 403 403 405", kwargs=pk("submitted")),
        post("login 403 403 302 403 403 302", kwargs=pk("submitted"), b="404 403 404"),
    ],
    # « Flouter une zone » of the photo (tests/consultations/moderation/test_face_blur.py).
    "consultations:moderation_blur_photo": [
        get("login 403 403 405 403 403 405", kwargs=pk("submitted")),
        post(
            "login 403 403 302 403 403 302",
            kwargs=pk("submitted"),
            data={"flou-left": "10", "flou-top": "10", "flou-width": "20", "flou-height": "20"},
            b="404 403 404",
        ),
    ],
    # --- The committee ----------------------------------------------------------------------
    "consultations:committee_dashboard": [get(COMMITTEE)],
    # What waits for my instances: each member sees their own (tests/consultations/committee/
    # test_waiting.py), with photos served by the photo views above.
    "consultations:committee_waiting": [get(COMMITTEE)],
    "consultations:committee_export": [
        get(COMMITTEE, kwargs=lambda w: {"format": "csv"}),
        get(COMMITTEE, kwargs=lambda w: {"format": "xlsx"}),
        # Nothing was routed to the other instance: its member is told there is nothing;
        # nor to B's communes: B's référent is told the same.
        post("login 403 403 403 200 302 302", kwargs=lambda w: {"format": "csv"}, b="403 200 200"),
    ],
    # An export holds what its requester could see: it exists for them only.
    "consultations:export_job": [
        get("login 403 403 403 404 404 200", kwargs=pk("export"), b="403 404 404")
    ],
    "consultations:export_job_state": [
        get("login 403 403 403 404 404 200", kwargs=pk("export"), b="403 404 404")
    ],
    "consultations:export_job_download": [
        get("login 403 403 403 404 404 200", kwargs=pk("export"), b="403 404 404")
    ],
    "consultations:seance_list": [get(COMMITTEE)],
    "consultations:seance_create": [get(COMMITTEE), post("login 403 403 403 200 200 200", data={})],
    "consultations:seance_detail": [get(SEANCE, kwargs=pk("seance"), b=SEANCE_B)],
    "consultations:seance_edit": [
        get(SEANCE, kwargs=pk("seance"), b=SEANCE_B),
        post(
            "login 403 403 403 404 302 302",
            kwargs=pk("seance"),
            b=SEANCE_B,
            data=lambda w: {
                "title": "Séance modifiée",
                "starts_at": timezone.localtime(w.seance.starts_at).strftime("%Y-%m-%dT%H:%M"),
                "place": "Mairie d'Auchel",
                "agenda_notes": "",
            },
        ),
    ],
    "consultations:seance_agenda_add": [
        get("login 403 403 403 405 405 405", kwargs=pk("seance")),
        post("login 403 403 403 404 400 400", kwargs=pk("seance"), data={}, b=SEANCE_B),
    ],
    "consultations:seance_group": [
        get("login 403 403 403 405 405 405", kwargs=pk("seance")),
        post("login 403 403 403 404 400 400", kwargs=pk("seance"), data={}, b=SEANCE_B),
    ],
    "consultations:seance_examined": [
        get("login 403 403 403 405 405 405", kwargs=pk("seance")),
        post("login 403 403 403 404 302 302", kwargs=pk("seance"), b=SEANCE_B),
    ],
    "consultations:seance_item_remove": [
        get(
            "login 403 403 403 405 405 405",
            kwargs=lambda w: {"pk": w.seance.pk, "item_pk": w.item.pk},
        ),
        post(
            "login 403 403 403 404 302 302",
            kwargs=lambda w: {"pk": w.seance.pk, "item_pk": w.item.pk},
            b=SEANCE_B,
        ),
    ],
    "consultations:seance_answer": [
        get(SEANCE, kwargs=lambda w: {"pk": w.seance.pk, "item_pk": w.item.pk}, b=SEANCE_B),
        post(
            "login 403 403 403 404 302 302",
            kwargs=lambda w: {"pk": w.seance.pk, "item_pk": w.item.pk},
            b=SEANCE_B,
            data={
                "decision": "retenue",
                "text": "Un banc sera installé au printemps par les services techniques.",
                "public": "on",
            },
        ),
    ],
    "consultations:seance_dossier": [get(SEANCE, kwargs=pk("seance"), b=SEANCE_B)],
    "consultations:seance_dossier_xlsx": [get(SEANCE, kwargs=pk("seance"), b=SEANCE_B)],
    "consultations:bilan": [
        get(COMMITTEE, note="counts for the whole commune (B's référent: B's quartiers), no text")
    ],
    "consultations:revue_annuelle": [
        get(COMMITTEE, note="counts for all; quotes only what the reader may read"),
        get(COMMITTEE, query="format=xlsx"),
        get(COMMITTEE, query="format=csv"),
        # A's review does not exist for B's référent; members of instances may read any.
        get(
            COMMITTEE,
            path=lambda w: (
                reverse("consultations:revue_annuelle") + f"?commune={w.quartier.commune.slug}"
            ),
            b="403 200 404",
        ),
    ],
    "consultations:retours": [get(PUBLIC)],
    "consultations:retours_quartier": [get(PUBLIC, kwargs=lambda w: {"slug": w.quartier.slug})],
    "consultations:retours_poster": [
        get(PUBLIC, kwargs=lambda w: {"slug": w.quartier.slug}, note="an A4 poster to print"),
        get("404 404 404 404 404 404 404", kwargs=lambda w: {"slug": "nulle-part"}),
    ],
    # --- Field mode ------------------------------------------------------------------------
    "terrain:page": [get(MEDIATORS)],
    "terrain:service_worker": [get(PUBLIC, note="a script without data, fetched before login")],
    # --- The API ---------------------------------------------------------------------------
    "api-root": [get(PUBLIC)],
    "api-root .format": [get(PUBLIC, path=lambda w: "/api/.json")],
    "quartier-list": [get(PUBLIC)],
    "quartier-list .format": [get(PUBLIC, kwargs=lambda w: {"format": "json"})],
    "quartier-detail": [get(PUBLIC, kwargs=lambda w: {"slug": w.quartier.slug})],
    "quartier-detail .format": [
        get(PUBLIC, kwargs=lambda w: {"slug": w.quartier.slug, "format": "json"})
    ],
    "enjeu-list": [get(PUBLIC)],
    "enjeu-list .format": [get(PUBLIC, kwargs=lambda w: {"format": "json"})],
    "enjeu-detail": [get(PUBLIC, kwargs=lambda w: {"number": w.objectif.enjeu.number})],
    "enjeu-detail .format": [
        get(PUBLIC, kwargs=lambda w: {"number": w.objectif.enjeu.number, "format": "json"})
    ],
    "objectif-list": [get(PUBLIC)],
    "objectif-list .format": [get(PUBLIC, kwargs=lambda w: {"format": "json"})],
    "objectif-detail": [get(PUBLIC, kwargs=pk("objectif"))],
    "objectif-detail .format": [
        get(PUBLIC, kwargs=lambda w: {"pk": w.objectif.pk, "format": "json"})
    ],
    "evenement-list": [get(PUBLIC)],
    "evenement-list .format": [get(PUBLIC, kwargs=lambda w: {"format": "json"})],
    "evenement-detail": [get(PUBLIC, kwargs=pk("event"))],
    "evenement-detail .format": [
        get(PUBLIC, kwargs=lambda w: {"pk": w.event.pk, "format": "json"})
    ],
    "expression-list": [
        get(PUBLIC),
        post(
            "403 201 201 201 201 201 201",
            json=True,
            data=lambda w: {
                "quartier": w.quartier.slug,
                "text": "Plus de poubelles près de l'école, s'il vous plaît.",
            },
        ),
    ],
    "expression-list .format": [get(PUBLIC, kwargs=lambda w: {"format": "json"})],
    # Private expressions never leave the site through the API, not even for their author;
    # one waiting for moderation is read by its author only (what she has just sent).
    "expression-detail": [
        get("404 404 404 404 404 404 404", kwargs=pk("private")),
        get("404 200 404 404 404 404 404", kwargs=pk("submitted")),
        get(PUBLIC, kwargs=pk("published")),
    ],
    "expression-detail .format": [
        get("404 404 404 404 404 404 404", kwargs=lambda w: {"pk": w.private.pk, "format": "json"}),
        get(PUBLIC, kwargs=lambda w: {"pk": w.published.pk, "format": "json"}),
    ],
    "terrain-session": [get(API_MEDIATORS)],
    "terrain-sync": [
        get("403 403 403 405 403 403 405"),
        post(API_MEDIATORS, json=True, data={"entrees": []}),
    ],
    "opendata-expressions": [get(PUBLIC)],
    "opendata-expressions-csv": [get(PUBLIC)],
    "opendata-counts": [get(PUBLIC)],
    "opendata-counts-csv": [get(PUBLIC)],
    "api-reference": [get(PUBLIC)],
    "participation.api.views.not_found": [
        get("404 404 404 404 404 404 404", path=lambda w: "/api/pas-une-adresse/")
    ],
    "api-schema": [get(PUBLIC)],
    "api-docs": [get("302 302 302 302 302 302 302", note="leads to api-reference")],
    # --- The « Espace référent » and Django's admin: the référent only ------------------------
    "referent_space": [get(REFERENT)],
    "referent_roles": [get(REFERENT), get(REFERENT, query="q=example")],
    "referent_role_change": [
        get(REFERENT, kwargs=lambda w: {"pk": w.users["habitant_a"].pk}),
        # A's staff (platform-wide here) are not B's référent's to see or change.
        get(REFERENT, kwargs=lambda w: {"pk": w.users["mediateur"].pk}, b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=lambda w: {"pk": w.users["habitant_a"].pk}, data={}),
        post(
            "login 403 403 403 403 403 302",
            kwargs=lambda w: {"pk": w.users["habitant_a"].pk},
            data={"role": "mediateur", "confirmed": "True"},
        ),
    ],
    "consultations:gestion_consultations": [get(REFERENT)],
    "consultations:gestion_consultation_open": [
        get(REFERENT, kwargs=lambda w: {"slug": w.consultation.slug}, b=OF_A_FOR_REFERENT_B),
        post(
            REFERENT,
            kwargs=lambda w: {"slug": w.consultation.slug},
            data={},
            b=OF_A_FOR_REFERENT_B,
        ),
    ],
    "consultations:gestion_consultation_close": [
        get(REFERENT, kwargs=lambda w: {"slug": w.consultation.slug}, b=OF_A_FOR_REFERENT_B),
        post(
            "login 403 403 403 403 403 302",
            kwargs=lambda w: {"slug": w.consultation.slug},
            b=OF_A_FOR_REFERENT_B,
        ),
    ],
    "consultations:gestion_instances": [get(REFERENT)],
    "consultations:gestion_instance_create": [get(REFERENT), post(REFERENT, data={})],
    "consultations:gestion_instance": [
        get(REFERENT, kwargs=lambda w: {"slug": w.instance.slug}, b=OF_A_FOR_REFERENT_B),
        post(REFERENT, kwargs=lambda w: {"slug": w.instance.slug}, data={}, b=OF_A_FOR_REFERENT_B),
    ],
    "consultations:gestion_instance_member_add": [
        get("login 403 403 403 403 403 405", kwargs=lambda w: {"slug": w.instance.slug}),
        post(REFERENT, kwargs=lambda w: {"slug": w.instance.slug}, data={}, b=OF_A_FOR_REFERENT_B),
    ],
    "consultations:gestion_instance_member_remove": [
        get(
            "login 403 403 403 403 403 405",
            kwargs=lambda w: {"slug": w.instance.slug, "pk": w.users["comite"].pk},
        ),
        post(
            "login 403 403 403 403 403 302",
            kwargs=lambda w: {"slug": w.instance.slug, "pk": w.users["comite"].pk},
            b=OF_A_FOR_REFERENT_B,
        ),
    ],
    # A référent given communes never reaches Django's admin (it is not narrowed to communes).
    "admin:index": [get("admin admin admin admin admin admin 200", b="admin admin admin")],
    # --- Public uploads (event images), served by Django in embedded mode only ---------------
    "media": [
        get(
            "404 404 404 404 404 404 404",
            path=lambda w: f"/media/../private/{w.private.photo.name}",
            note="a private photo is never reached through /media/ (tests/evenements/test_event_images.py)",
        )
    ],
}


# --- Running the checks ----------------------------------------------------------------


def _client(user, *, csrf=True) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    if csrf:
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_TOKEN
    return client


def _url(route: Route, check: Check, world: World) -> str:
    if check.path is not None:
        return check.path(world)
    kwargs = check.kwargs(world) if check.kwargs else {}
    return reverse(route.name, kwargs=kwargs) + (f"?{check.query}" if check.query else "")


def _send(client: Client, check: Check, url: str, world: World, *, token=True):
    data = check.data(world) if callable(check.data) else (check.data or {})
    if check.method == "get":
        return client.get(url)
    headers = {"HTTP_X_CSRFTOKEN": CSRF_TOKEN} if token and check.json else {}
    if check.json:
        return client.post(url, data, content_type="application/json", **headers)
    if token:
        data = {**data, "csrfmiddlewaretoken": CSRF_TOKEN}
    return client.post(url, data, **headers)


def _answer(response) -> str:
    """What a response amounts to, in the words of the table."""
    if response.status_code in (301, 302, 303):
        target = response["Location"]
        if target.startswith(reverse("account_login")):
            return "login"
        if target.startswith(reverse("admin:login")):
            return "admin"
        return "302"
    return str(response.status_code)


def finish(response) -> None:
    """Read a file or stream to its end, as a server would, so that it is closed.

    The test client closes a streamed response (and keeps the database connection) only
    once its content is read; calling ``close()`` instead would end the connection, and
    with it the test's transaction on PostgreSQL.
    """
    if getattr(response, "streaming", False):
        for _chunk in response.streaming_content:
            pass


def isolated(send, *args, **kwargs):
    """Run one request in a savepoint rolled back after it: each check sees the same world."""
    with transaction.atomic():
        response = send(*args, **kwargs)
        finish(response)
        transaction.set_rollback(True)
    return response


def _route_for(url: str) -> str:
    match = resolve(url.split("?")[0])
    names = [*match.namespaces, match.url_name] if match.url_name else []
    key = ":".join(names) if names else f"{match.func.__module__}.{match.func.__name__}"
    if _is_format_twin(match.route):
        key += " .format"
    return key


@pytest.fixture
def world(db, settings):
    return build_world()


def test_every_route_of_the_urlconf_has_a_decision_in_the_table():
    routes = {route.key for route in all_routes()}
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert not missing, f"Routes without a line in TABLE (decide who may reach them): {missing}"
    assert not stale, f"Lines of TABLE that match no route any more: {stale}"


def test_the_table_is_read_as_one_answer_per_role():
    for key, checks in TABLE.items():
        assert checks, key
        for check in checks:
            check.roles()


def _secrets_of_a(world: World) -> list[str]:
    """What commune B's staff must never read: A's non-public work."""
    return [
        "PRIVATE-OF-A",
        world.submitted.text,
        world.seance.title,
        world.instance.name,
    ]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return ""  # read by ``finish``; files are checked by their own tests
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("role", ROLES + ROLES_B)
def test_each_role_gets_what_the_table_says_on_every_route(world, role):
    user = world.users[role]
    client = _client(user)
    routes = {route.key: route for route in all_routes()}
    secrets = _secrets_of_a(world) if role in ROLES_B else []
    wrong = []
    count = 0
    for key, checks in TABLE.items():
        route = routes[key]
        for check in checks:
            url = _url(route, check, world)
            assert _route_for(url) == key, f"{url} does not reach {key}"
            response = isolated(_send, client, check, url, world)
            got, expected = _answer(response), check.roles()[role]
            count += 1
            if got != expected:
                wrong.append(f"{check.method.upper()} {url} ({key}): {got}, expected {expected}")
            body = _body(response) if response.status_code == 200 else ""
            leaks = [secret for secret in secrets if secret in body]
            if leaks:
                wrong.append(f"{check.method.upper()} {url} ({key}) shows A's {leaks}")
    print(f"{role}: {count} requests, {count - len(wrong)} as expected")
    assert not wrong, "\n".join(wrong)


def test_a_post_without_its_csrf_token_is_refused_even_for_a_role_allowed_to_send_it(world):
    """Each POST of the table, by the first role allowed to send it, without the token: 403."""
    routes = {route.key: route for route in all_routes()}
    wrong = []
    for key, checks in TABLE.items():
        for check in checks:
            if check.method != "post":
                continue
            allowed = [
                role
                for role, answer in check.roles().items()
                if role != "anonyme" and re.fullmatch(r"2\d\d|302", answer)
            ]
            if not allowed:
                continue
            client = _client(world.users[allowed[0]], csrf=False)
            url = _url(routes[key], check, world)
            response = isolated(_send, client, check, url, world, token=False)
            if response.status_code != 403:
                wrong.append(f"POST {url} as {allowed[0]}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
