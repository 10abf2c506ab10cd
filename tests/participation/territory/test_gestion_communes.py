"""The referential edited by commune (issue 18, point 4): a référent given communes edits the
quartiers of her communes (intercommunal ones included) with their portrait, findings and
objectives, exports and imports her communes' referential only; the enjeux and avenants,
shared by every commune, are a platform-wide référent's."""

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participation.accounts.models import Role
from participation.territory.exchange import dumps, export_document
from participation.territory.models import Commune, Quartier, ReferentielChange
from tests.communes import two_communes
from tests.factories import CommuneFactory, ObjectifFactory, QuartierFactory, UserFactory
from tests.queries import page_queries

from .factories import AvenantFactory, FindingFactory, IndicatorFactory

MANAGE = reverse("territory:referentiel_manage")
IMPORT = reverse("territory:referentiel_import")


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.fixture
def world(db):
    return two_communes()


def edit_urls(quartier) -> list[str]:
    objectif = ObjectifFactory(quartier=quartier)
    return [
        reverse("territory:quartier_edit", kwargs={"slug": quartier.slug}),
        reverse("territory:finding_add", kwargs={"slug": quartier.slug}),
        reverse("territory:objectif_add", kwargs={"slug": quartier.slug}),
        reverse("territory:indicator_edit", kwargs={"pk": IndicatorFactory(quartier=quartier).pk}),
        reverse("territory:finding_edit", kwargs={"pk": FindingFactory(quartier=quartier).pk}),
        reverse("territory:objectif_edit", kwargs={"pk": objectif.pk}),
        reverse("territory:objectif_retire", kwargs={"pk": objectif.pk}),
    ]


def test_another_communes_quartier_does_not_exist_for_her(client_for, world):
    client = client_for(world.referent_b)

    for url in edit_urls(world.rimbart):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url


def test_she_edits_her_quartiers_and_the_intercommunal_ones(client_for, world):
    client = client_for(world.referent_b)

    for quartier in (world.cite_b, world.cite_5):
        for url in edit_urls(quartier):
            assert client.get(url).status_code == 200, url


def test_she_cannot_retire_or_restore_an_objective_of_another_commune(client_for, world):
    objectif = ObjectifFactory(quartier=world.rimbart)
    client = client_for(world.referent_b)

    retire = reverse("territory:objectif_retire", kwargs={"pk": objectif.pk})
    restore = reverse("territory:objectif_restore", kwargs={"pk": objectif.pk})
    assert (
        client.post(retire, {"retired_on": "2026-01-01", "retired_reason": "x"}).status_code == 404
    )
    assert client.post(restore, {}).status_code == 404
    objectif.refresh_from_db()
    assert objectif.retired_on is None


def test_a_platform_wide_referent_edits_every_quartier(client_for, world):
    client = client_for(world.referent_all)

    for url in edit_urls(world.rimbart) + edit_urls(world.cite_b):
        assert client.get(url).status_code == 200, url


def test_the_enjeux_and_avenants_are_the_platform_wide_referents(client_for, world):
    enjeu = ObjectifFactory(quartier=world.cite_b).enjeu
    avenant = AvenantFactory()
    urls = [
        reverse("territory:enjeu_edit", kwargs={"pk": enjeu.pk}),
        reverse("territory:avenant_add"),
        reverse("territory:avenant_edit", kwargs={"pk": avenant.pk}),
    ]

    for url in urls:
        assert client_for(world.referent_b).get(url).status_code == 403, url
        assert client_for(world.referent_all).get(url).status_code == 200, url


def test_her_referential_page_shows_her_quartiers_and_their_changes(client_for, world):
    for quartier in (world.rimbart, world.cite_b):
        ReferentielChange.objects.create(
            origin=ReferentielChange.Origin.PLATEFORME,
            action=ReferentielChange.Action.MODIFICATION,
            target_type="quartier",
            target_id=quartier.pk,
            target_label=f"Changement de {quartier.name}",
            quartier=quartier,
        )

    page = text(client_for(world.referent_b).get(MANAGE))
    space = text(client_for(world.referent_b).get("/gestion/"))

    for shown in (page, space):
        assert "Cité B" in shown and "Cité 5" in shown
        assert "Changement de Cité B" in shown
        assert "Rimbart" not in shown
    assert "Modifier l'enjeu" not in page
    assert reverse("territory:avenant_add") not in page + space


def test_she_downloads_the_referential_of_her_communes_only(client_for, world):
    client = client_for(world.referent_b)

    assert client.get(_export(world.lozinghem)).status_code == 200
    assert client.get(_export(world.auchel)).status_code == 404
    page = text(client.get(MANAGE))
    assert _export(world.lozinghem) in page and _export(world.auchel) not in page
    assert client_for(world.referent_all).get(_export(world.auchel)).status_code == 200


def _export(commune) -> str:
    return reverse("territory:referentiel_export", kwargs={"slug": commune.slug})


def test_the_referential_pages_run_a_constant_number_of_queries(client_for, world):
    client = client_for(world.referent_b)
    few = [page_queries(client, url) for url in (MANAGE, "/gestion/")]
    for _ in range(4):
        for commune in (world.auchel, world.lozinghem):
            quartier = QuartierFactory(commune=commune)
            ObjectifFactory(quartier=quartier)

    assert [page_queries(client, url) for url in (MANAGE, "/gestion/")] == few


# --- Import: into her communes only ----------------------------------------------------------


def upload(client, document: dict):
    data = SimpleUploadedFile("referentiel.json", dumps(document))
    return client.post(IMPORT, {"document": data})


@pytest.fixture
def auchel_document(referentiel) -> dict:
    return export_document(Commune.objects.get(slug="auchel"))


def referent_of(commune) -> object:
    return UserFactory(role=Role.REFERENT, communes=[commune])


def test_she_imports_her_communes_referential(client_for, auchel_document):
    auchel_document["quartiers"][3]["nom_court"] = "Le Rimbart"

    response = upload(client_for(referent_of(Commune.objects.get(slug="auchel"))), auchel_document)

    assert response.status_code == 200
    assert "ce qui changerait" in text(response)


def test_she_cannot_import_another_communes_referential(client_for, auchel_document):
    auchel_document["quartiers"][3]["nom_court"] = "Le Rimbart"
    lozinghem = CommuneFactory(name="Lozinghem", slug="lozinghem")
    QuartierFactory(commune=lozinghem)

    response = upload(client_for(referent_of(lozinghem)), auchel_document)

    assert "Fichier refusé" in text(response)
    assert "Auchel, qui n'est pas l'une de vos communes" in text(response)
    assert not Quartier.objects.filter(short_name="Le Rimbart").exists()


def test_a_new_commune_is_for_a_platform_wide_referent_only(client_for, auchel_document):
    # Auchel's document, renamed: a commune the platform does not have yet.
    data = dumps(auchel_document).replace(b'"auchel"', b'"nouvelle-commune"')
    document = json.loads(data.replace(b"QP 06 20", b"QP 99 20"))
    document["commune"]["nom"] = "Nouvelle commune"

    response = upload(client_for(referent_of(Commune.objects.get(slug="auchel"))), document)

    assert "seul·e un·e référent·e de toute la plateforme peut l'ajouter" in text(response)
    assert not Commune.objects.filter(slug="nouvelle-commune").exists()
