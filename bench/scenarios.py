"""What the bench measures: one row per page, post or export.

A new page joins the bench as one more row. ``url_names`` lists the URL names it may have;
the first that exists is measured, and a row none of whose names exists yet is printed as
« pas encore disponible » (so a row may be written before its page lands).

Placeholders between braces are filled in twice:

* once per run, from the sample the bench picks in the generated data (``bench.django_side``):
  ``{quartier_slug}``, ``{quartier_pk}``, ``{objectif_pk}``, ``{event_pk}``,
  ``{expression_pk}``, ``{search}``;
* once per request, by the load generator: ``{csrf}`` (the form token of the request's
  session), ``{uuid}`` (a fresh idempotency key), ``{n}`` (a request counter) and
  ``{event}`` (an event open for registration; the pairs account × event never repeat
  before every pair has been used).

``user`` says who is signed in: ``reader`` (a resident with many expressions and
registrations), ``poster`` (a pool of residents, one session per request in turn),
``mediateur``, ``comite`` or ``referent``; ``None`` is an anonymous visitor.

Every public page is measured three times (issue 19): by an anonymous visitor through the
anonymous page cache, by an anonymous visitor on a second HTTP server started with
``ANONYMOUS_PAGE_CACHE_SECONDS=0`` (what the first visitor after each expiry gets; the
server is configured, the product has no way to skip its cache on request), and by a signed-
in resident (whom the page cache never serves). ``PUBLIC_PAGES`` lists them once.
"""

from dataclasses import dataclass, field, replace

CEILING = "ceiling"
ANONYMOUS = "anonymous"
SIGNED_IN = "signed_in"
POST = "post"
EXPORT = "export"


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    kind: str
    url_names: tuple[str, ...]
    kwargs: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    body: dict[str, str] = field(default_factory=dict)
    expect: int = 200  # the status of a successful request
    coming_with: str = ""  # the issue that brings the page, while it is missing
    public: bool = False  # a page anyone may read (its budget is the public pages')
    page_cache: bool = True  # False: measured on the server whose page cache is off

    @property
    def method(self) -> str:
        return "POST" if self.kind == POST else "GET"

    @property
    def counts_queries(self) -> bool:
        return self.kind in {ANONYMOUS, SIGNED_IN}


CEILING_SCENARIO = Scenario("ceiling", "Plafond (hello world)", CEILING, ("core:bench_ceiling",))

# The public pages, as an anonymous visitor reads them through the page cache.
_PUBLIC_PAGES = (
    Scenario("home", "Accueil", ANONYMOUS, ("core:home",)),
    Scenario(
        "quartier",
        "Page d'un quartier",
        ANONYMOUS,
        ("territory:quartier",),
        kwargs={"slug": "{quartier_slug}"},
    ),
    Scenario(
        "events",
        "Événements filtrés par quartier",
        ANONYMOUS,
        ("evenements:list",),
        query={"quartier": "{quartier_slug}"},
    ),
    Scenario(
        "event", "Page d'un événement", ANONYMOUS, ("evenements:detail",), {"pk": "{event_pk}"}
    ),
    Scenario(
        "expressions",
        "Expressions : filtre + recherche",
        ANONYMOUS,
        ("consultations:expression_list",),
        query={"quartier": "{quartier_slug}", "q": "{search}"},
    ),
    Scenario(
        "expression",
        "Page d'une expression",
        ANONYMOUS,
        ("consultations:expression_detail",),
        {"pk": "{expression_pk}"},
    ),
    Scenario(
        "answers",
        "« Vous avez dit, nous avons fait »",
        ANONYMOUS,
        ("consultations:retours_quartier", "consultations:retours"),
        kwargs={"slug": "{quartier_slug}"},
        coming_with="issue 6",
    ),
)
PUBLIC_PAGES: tuple[Scenario, ...] = tuple(replace(page, public=True) for page in _PUBLIC_PAGES)


def without_page_cache(page: Scenario) -> Scenario:
    """The same page for an anonymous visitor, on the server whose page cache is off."""
    return replace(
        page, key=f"{page.key}_nocache", label=f"{page.label} — sans cache", page_cache=False
    )


def as_resident(page: Scenario) -> Scenario:
    """The same page for a signed-in resident (never served by the page cache)."""
    return replace(
        page,
        key=f"{page.key}_resident",
        label=f"{page.label} — habitant connecté",
        kind=SIGNED_IN,
        user="reader",
    )


SCENARIOS: tuple[Scenario, ...] = (
    CEILING_SCENARIO,
    # --- public pages: cached for visitors, without the cache, signed in ---
    *PUBLIC_PAGES,
    *(without_page_cache(page) for page in PUBLIC_PAGES),
    *(as_resident(page) for page in PUBLIC_PAGES),
    # --- signed-in pages ---
    Scenario(
        "my_expressions",
        "« Mes expressions »",
        SIGNED_IN,
        ("consultations:my_expressions",),
        user="reader",
    ),
    Scenario(
        "my_inscriptions", "« Mes inscriptions »", SIGNED_IN, ("evenements:mine",), user="reader"
    ),
    Scenario(
        "moderation",
        "File de modération",
        SIGNED_IN,
        ("consultations:moderation_queue",),
        user="mediateur",
        coming_with="issue 5",
    ),
    Scenario(
        "dashboard",
        "Tableau de bord du comité",
        SIGNED_IN,
        ("consultations:committee_dashboard",),
        user="comite",
        coming_with="issue 6",
    ),
    # --- posts (CSRF token and session of a different resident in turn) ---
    Scenario(
        "post_expression",
        "Déposer une expression",
        POST,
        ("consultations:expression_create",),
        user="poster",
        body={
            "csrfmiddlewaretoken": "{csrf}",
            "idempotency_key": "{uuid}",
            "quartier": "{quartier_pk}",
            "text": "Banc d'essai {n} : l'éclairage de la rue ne fonctionne plus le soir.",
            "objectifs": "{objectif_pk}",
            "visibility": "anonyme",
        },
        expect=302,
    ),
    Scenario(
        "register",
        "S'inscrire à un événement",
        POST,
        ("evenements:register",),
        kwargs={"pk": "{event}"},
        user="poster",
        body={"csrfmiddlewaretoken": "{csrf}", "adults": "1", "children": "0"},
        expect=302,
    ),
    # --- export ---
    Scenario(
        "export",
        "Export de toutes les expressions",
        EXPORT,
        ("consultations:committee_export",),
        kwargs={"format": "csv"},
        user="referent",
        coming_with="issue 6",
    ),
)


@dataclass(frozen=True)
class Feed:
    """A live feed the real-time measurement may listen to, best first."""

    path: str
    listener: str  # "mediateur": one mediator per socket; "author": the submitter's own feed
    label: str


FEEDS: tuple[Feed, ...] = (
    Feed("ws/moderation/", "mediateur", "file de modération (médiateurs)"),
    Feed("ws/notifications/", "author", "fil de notifications de l'auteur (50 onglets)"),
)

# The submission whose arrival the real-time measurement times.
SUBMISSION = "post_expression"
