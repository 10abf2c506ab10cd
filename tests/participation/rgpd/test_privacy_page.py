"""The privacy page says what « Mes données » does and how long contacts are kept."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

PRIVACY = reverse("core:donnees_personnelles")


def test_the_privacy_page_describes_the_download_the_deletion_and_the_retention(client, settings):
    settings.CONTACT_RETENTION_DAYS = 180

    content = client.get(PRIVACY).content.decode()

    assert f'href="{reverse("accounts:my_data")}"' in content
    assert "format JSON" in content
    assert "restent en ligne sans votre nom" in content
    assert "la liste d'attente)" in content
    assert "180 jours après l'inscription, et jamais avant la fin de la rencontre" in content
    assert "compte supprimé n° …" in content
    assert "le référent Politique de la Ville les désactive" in content


def test_the_shared_core_does_not_import_the_domain_apps():
    """participation finds the apps' rgpd modules by name; it never imports them."""
    root = Path(settings.BASE_DIR)
    for path in [
        "participation/accounts/rgpd.py",
        "participation/accounts/views.py",
        "participation/accounts/forms.py",
        "participation/accounts/tasks.py",
        "participation/core/management/commands/purge_contacts.py",
    ]:
        tree = ast.parse((root / path).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not name.startswith(("consultations", "evenements")), (path, name)
