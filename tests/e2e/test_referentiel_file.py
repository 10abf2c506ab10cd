"""The référent, on a phone, downloads the commune's referential as a file and sends files
back through the upload form (no JavaScript needed): a broken one is refused with each problem
named in French; the one just downloaded changes nothing. Every page passes
``assert_page_is_sound`` (axe WCAG 2.1 AA, 320 px, clean console).
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from playwright.sync_api import expect

from .helpers import assert_page_is_sound

pytestmark = pytest.mark.e2e

PHONE = {"width": 320, "height": 720}
REFERENT = "referent@demo.auchel.fr"


def test_the_referent_downloads_the_referential_and_sends_files_back(page_as):
    referent = page_as(REFERENT, settings.DEMO_PASSWORD)
    referent.set_viewport_size(PHONE)
    referent.goto("/gestion/referentiel/")
    assert_page_is_sound(referent)

    with referent.expect_download() as download:
        referent.get_by_role("link", name="Télécharger le référentiel (JSON)").click()
    data = download.value.path().read_bytes()
    document = json.loads(data)
    assert document["format"] == "engagements-quartiers-2030/referentiel"
    assert document["commune"]["slug"] == "auchel"

    with referent.expect_navigation():
        referent.get_by_role("link", name="Charger le référentiel d'une commune").click()
    assert_page_is_sound(referent)

    broken = json.loads(data)
    broken["quartiers"][2]["indicateurs"][0]["annee"] = 1890
    del broken["quartiers"][0]["slug"]
    referent.get_by_label("Le fichier du référentiel (JSON)").set_input_files(
        files=[
            {
                "name": "referentiel-faux.json",
                "mimeType": "application/json",
                "buffer": json.dumps(broken, ensure_ascii=False).encode(),
            }
        ]
    )
    with referent.expect_navigation():
        referent.get_by_role("button", name="Vérifier et charger").click()
    alert = referent.locator(".import-problems")
    expect(alert).to_contain_text("Fichier refusé : 2 problèmes, rien n'a été chargé")
    expect(alert).to_contain_text("quartiers[0].slug : champ obligatoire manquant")
    expect(alert).to_contain_text(
        "quartiers[2].indicateurs[0].annee : doit être une année entre 1990 et 2100"
    )
    assert_page_is_sound(referent)

    referent.get_by_label("Le fichier du référentiel (JSON)").set_input_files(
        files=[{"name": "referentiel-auchel.json", "mimeType": "application/json", "buffer": data}]
    )
    with referent.expect_navigation():
        referent.get_by_role("button", name="Vérifier et charger").click()
    expect(referent.locator(".import-differences")).to_contain_text(
        "Aucune différence avec la plateforme"
    )
    assert_page_is_sound(referent)
