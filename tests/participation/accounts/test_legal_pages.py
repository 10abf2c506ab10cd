"""Legal notices, personal data and accessibility statement, linked from every page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {
    "core:mentions_legales": "Mentions légales",
    "core:donnees_personnelles": "Données personnelles",
    "core:accessibilite": "Déclaration d'accessibilité",
}


@pytest.mark.parametrize(("name", "title"), PAGES.items())
def test_each_legal_page_renders_in_french(client, name, title):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()


def test_every_page_links_to_the_legal_pages_in_its_footer(client):
    content = client.get(reverse("account_login")).content.decode()

    footer = content[content.index("<footer") :]
    for name in PAGES:
        assert f'href="{reverse(name)}"' in footer


def test_the_privacy_page_says_what_why_how_long_and_which_rights(client):
    content = client.get(reverse("core:donnees_personnelles")).content.decode()

    for words in ["Ce que nous collectons", "Pourquoi", "Combien de temps", "Vos droits", "CNIL"]:
        assert words in content


def test_the_accessibility_statement_states_conformity_tests_and_how_to_report(client):
    content = client.get(reverse("core:accessibilite")).content.decode()

    assert "RGAA 4.1" in content
    assert "non conforme" in content
    assert "axe-core" in content
    assert "320 pixels" in content
    assert "clavier" in content
    assert "Signaler un problème" in content
    assert "Défenseur des droits" in content
