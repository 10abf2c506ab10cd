"""The legal pages say the commune's own details once they are set (settings.LEGAL_DETAILS,
from the ``LEGAL_*`` environment), mark what is still missing, and ``check --deploy`` names it."""

import html

import pytest
from django.core.checks import Warning as CheckWarning

from participation import settings as settings_module
from participation.core import checks, legal
from tests.legal_env import LEGAL_ENV

pytestmark = pytest.mark.django_db

MARK = "À compléter par la commune"
NOTE = "Les passages surlignés entre crochets"
FILLED = {name: LEGAL_ENV[variable] for name, variable in legal.VARIABLES.items()}
PAGES = {
    "mentions_legales": "/mentions-legales/",
    "donnees_personnelles": "/donnees-personnelles/",
    "accessibilite": "/accessibilite/",
}


def page(client, name) -> str:
    response = client.get(PAGES[name])
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def filled(settings):
    settings.LEGAL_DETAILS = dict(FILLED)
    return FILLED


def test_until_they_are_set_the_pages_mark_each_detail_to_complete(client, settings):
    settings.LEGAL_DETAILS = dict.fromkeys(legal.VARIABLES, "")

    notice = page(client, "mentions_legales")

    assert notice.count(MARK) == 3  # address, switchboard, host
    assert NOTE in notice
    assert "l'hébergeur, pays où sont stockées les données]" in notice


def test_the_legal_notice_names_the_publisher_and_the_host_once_set(client, filled):
    notice = page(client, "mentions_legales")

    # The street the commune gives, between the town hall's name and its town.
    shown = " ".join(html.unescape(notice).split())
    assert "Mairie d'Auchel<br> 1 place de la Mairie <br> 62260 Auchel<br>" in shown
    assert 'Standard : 03 53 01 20 00 — <a href="mailto:mairie@auchel.example">' in notice
    assert "Hébergeur Exemple, 2 rue des Serveurs, 59000 Lille" in notice
    assert MARK not in notice
    assert NOTE not in notice  # nothing left for the commune on this page


def test_the_privacy_page_names_the_host_its_logs_and_the_data_protection_officer(client, filled):
    privacy = page(client, "donnees_personnelles")

    assert "Hébergeur Exemple" in privacy
    assert "Les journaux du serveur sont gardés six mois." in privacy
    assert '<a href="mailto:dpo@auchel.example">dpo@auchel.example</a>' in privacy
    # What only the commune can decide (how long accounts and expressions are kept) stays
    # marked, with its note.
    assert MARK in privacy
    assert NOTE in privacy
    assert "délégué à la protection des données (DPO) de la commune]" not in privacy


def test_the_accessibility_page_says_where_to_write_and_whom_to_call(client, filled):
    statement = page(client, "accessibilite")

    assert '<a href="mailto:accessibilite@auchel.example">' in statement
    assert 'href="/mediation/"' in statement
    assert "adresse et horaires du service Politique de la Ville" not in statement


def test_a_detail_is_text_never_markup(client, settings):
    settings.LEGAL_DETAILS = {**FILLED, "host": "<script>alert(1)</script> Hébergeur"}

    notice = page(client, "mentions_legales")

    assert "<script>alert(1)</script>" not in notice
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Hébergeur" in notice


@pytest.mark.parametrize(
    ("tile_url", "said"),
    [
        ("", "La carte des événements n'utilise aucun fond de carte extérieur."),
        (
            "https://tuiles.example.org/{z}/{x}/{y}.png",
            "Le fond de la carte des événements vient de tuiles.example.org",
        ),
    ],
)
def test_the_privacy_page_says_where_the_map_background_comes_from(
    client, settings, tile_url, said
):
    settings.MAP_TILE_URL = tile_url

    privacy = page(client, "donnees_personnelles")

    assert said in html.unescape(privacy)
    assert "fournisseur du fond de carte" not in privacy


def test_the_deploy_check_names_every_missing_detail_by_its_variable(settings):
    settings.LEGAL_DETAILS = {**FILLED, "host": "", "dpo_contact": ""}

    (warning,) = checks.check_legal_details(None)

    assert isinstance(warning, CheckWarning)
    assert warning.id == "participation.W003"
    assert "LEGAL_HOST, LEGAL_DPO_CONTACT" in warning.msg
    assert "LEGAL_PUBLISHER_ADDRESS" not in warning.msg


def test_the_deploy_check_is_quiet_once_every_detail_is_set(filled):
    assert checks.check_legal_details(None) == []


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ("  Hébergeur Exemple, Lille  ", "Hébergeur Exemple, Lille"),
        ("A-REMPLIR (nom de l'hébergeur)", ""),  # the environment template's, not filled in
        ("", ""),
    ],
)
def test_a_value_left_as_in_the_environment_template_counts_as_missing(monkeypatch, raw, kept):
    monkeypatch.setenv("LEGAL_HOST", raw)

    assert settings_module.legal_detail("LEGAL_HOST") == kept
