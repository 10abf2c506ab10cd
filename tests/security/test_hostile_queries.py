"""Hostile query strings on every public page: never a server error, never reflected unescaped."""

from django.test import Client

from .crawl import crawl, unique_forms

SCRIPT = "<script>alert(1)</script>"
HOSTILE_VALUES = [
    "-1",
    "99999999999999999999999",
    SCRIPT,
    "\x00",
    "' OR 1=1 --",
    "2026-13-45",
    "ø𝕏\u202e\ufeff",
    "A" * 5000,
]
# Parameters the platform's lists and filters use, or might.
COMMON_NAMES = [
    "page",
    "q",
    "quartier",
    "enjeu",
    "objectif",
    "etiquette",
    "statut",
    "status",
    "type",
    "instance",
    "ordering",
    "tri",
    "date",
    "debut",
    "fin",
    "mois",
    "annee",
    "format",
    "next",
    "periode",
]
# The nastiest values, tried one parameter at a time on pages that have a search or filter form.
SHARP_VALUES = ["\x00", SCRIPT, "99999999999999999999999"]


def probe(client, pages) -> int:
    filter_names = {
        form.action: sorted(form.fields) for form in unique_forms(pages, "get") if form.fields
    }
    tried = 0
    for page in pages:
        for value in HOSTILE_VALUES:
            response = client.get(page.path, dict.fromkeys(COMMON_NAMES, value))
            tried += 1
            assert response.status_code < 500, (page.path, value)
            if "html" in response.get("Content-Type", ""):
                assert SCRIPT not in response.content.decode("utf-8", "replace"), (
                    f"{page.path} reflects a script unescaped"
                )
        response = client.get(f"{page.path}?page=1&page=2&q=a&q=b&q")
        tried += 1
        assert response.status_code < 500, page.path
        for name in filter_names.get(page.path, []):
            for value in SHARP_VALUES:
                response = client.get(page.path, {name: value})
                tried += 1
                assert response.status_code < 500, (page.path, name, value)
    return tried


def test_hostile_query_strings_never_cause_a_server_error(site_data, alice):
    """Every page an anonymous visitor reaches, then those only a signed-in resident reaches."""
    client = Client()  # raises the view's exception, so a failure shows its traceback
    # /sante/ takes no parameter and its status is the state of the services (503 when down).
    public = [
        p
        for p in crawl(client)
        if p.status == 200 and not p.path.startswith(("/gestion/", "/sante/"))
    ]
    tried = probe(client, public)
    client.force_login(alice)
    seen = {p.path for p in public}
    private = [p for p in crawl(client) if p.status == 200 and p.path not in seen | {"/sante/"}]
    tried += probe(client, private)
    print(
        f"hostile queries: {tried} requests on {len(public)} public and "
        f"{len(private)} resident pages, no server error"
    )
