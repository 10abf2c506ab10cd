"""The field mode page, its service worker and its manifest."""

import json
import os

import pytest
from django.contrib.staticfiles import finders

from participation.accounts.models import Role
from tests.factories import UserFactory

PAGE = "/terrain/"
WORKER = "/terrain/sw.js"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.HABITANT, 403), (Role.COMITE, 403), (Role.MEDIATEUR, 200), (Role.REFERENT, 200)],
)
def test_only_mediators_and_the_referent_open_field_mode(client_for, role, expected):
    response = client_for(UserFactory(role=role)).get(PAGE)

    assert response.status_code == expected


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]


@pytest.mark.django_db
def test_without_javascript_the_page_says_what_it_needs_and_links_the_field_form(
    client_for, mediateur
):
    response = client_for(mediateur).get(PAGE)
    html = response.content.decode()

    assert "a besoin de JavaScript" in html
    assert 'href="/expressions/terrain/"' in html
    # The offline form itself is hidden until the script starts it.
    assert "data-entry-form data-app hidden" in html


@pytest.mark.django_db
def test_the_page_is_installable_and_has_no_inline_script_or_style(client_for, mediateur):
    response = client_for(mediateur).get(PAGE)
    html = response.content.decode()

    assert '<link rel="manifest" href="/static/terrain/manifest' in html
    assert 'data-sw-url="/terrain/sw.js"' in html
    assert "<script>" not in html and "<script type" not in html
    assert "style=" not in html
    assert "no-store" in response["Cache-Control"]
    assert "csrftoken" in response.cookies


@pytest.mark.django_db
def test_the_page_offers_the_field_sources_and_the_sign_in_link_back_to_it(client_for, mediateur):
    html = client_for(mediateur).get(PAGE).content.decode()

    assert 'value="table_ronde"' in html and 'value="en_ligne"' not in html
    assert 'href="/comptes/login/?next=/terrain/"' in html


def test_the_service_worker_is_served_with_a_scope_covering_field_mode(client, db):
    response = client.get(WORKER)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/terrain/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    first_line, _, rest = body.partition("\n")
    config = json.loads(first_line.removeprefix("self.TERRAIN = ").removesuffix(";"))
    assert config["page"] == "/terrain/"
    assert any(url.startswith("/static/js/terrain") for url in config["precache"])
    assert any(url.startswith("/static/css/main") for url in config["precache"])
    assert len(config["version"]) == 16
    assert 'addEventListener("fetch"' in rest


def test_the_service_worker_version_follows_its_content(client, db, monkeypatch):
    from consultations.terrain import views as views_terrain

    first = client.get(WORKER).content.decode().partition("\n")[0]
    monkeypatch.setattr(
        views_terrain, "PRECACHED_STATIC", (*views_terrain.PRECACHED_STATIC, "css/main.css")
    )
    views_terrain._cached_worker_source.cache_clear()
    second = client.get(WORKER).content.decode().partition("\n")[0]

    assert first != second


def test_the_manifest_describes_an_installable_app_in_the_field_scope():
    with open(finders.find("terrain/manifest.webmanifest"), encoding="utf-8") as handle:
        manifest = json.load(handle)

    assert manifest["start_url"] == manifest["scope"] == "/terrain/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "fr"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(f"terrain/{icon['src']}"), icon["src"]


@pytest.mark.django_db
def test_the_page_knows_the_kind_of_meeting_of_each_kind_of_event(client_for, mediateur):
    from consultations.models import SOURCE_OF_EVENT_KIND

    html = client_for(mediateur).get(PAGE).content.decode()

    data = html.split('<script id="terrain-sources-by-kind" type="application/json">')[1]
    assert json.loads(data.split("</script>")[0]) == {
        kind: str(source) for kind, source in SOURCE_OF_EVENT_KIND.items()
    }
    # No kind of meeting is chosen before the event: « stand » is no default.
    assert '<option value="">Celui de l\'événement</option>' in html
    assert "selected" not in html.split('id="terrain-source"')[1].split("</select>")[0]


@pytest.mark.django_db
def test_the_page_says_whether_it_is_ready_offline_in_a_polite_live_region(client_for, mediateur):
    html = client_for(mediateur).get(PAGE).content.decode()

    assert 'data-offline-readiness role="status"' in html
    assert "vérification de ce qui est gardé sur cet appareil" in html


def test_the_worker_keeps_every_module_the_page_imports(client, db):
    import re

    from consultations.terrain.views import PRECACHED_STATIC

    modules, seen = ["js/terrain/main.js"], set()
    while modules:
        name = modules.pop()
        seen.add(name)
        with open(finders.find(name), encoding="utf-8") as handle:
            source = handle.read()
        folder = name.rsplit("/", 1)[0]
        for target in re.findall(r'^import\s(?:[^;]*?\sfrom\s)?"(\.[^"]+)";', source, re.M):
            path = os.path.normpath(f"{folder}/{target}")
            if path not in seen:
                modules.append(path)

    assert {"js/terrain/offline.js", "js/lib/event-defaults.js"} <= seen
    assert seen <= set(PRECACHED_STATIC)
