"""A commune's referential as one file (issue 18, point 3): exported, loaded on an empty
platform or beside another commune, and refused whole, every problem named in French, when
anything in it is wrong."""

import copy
import io
import json
from decimal import Decimal

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from participation.audit.models import AuditEntry
from participation.territory import exchange, services
from participation.territory.exchange import (
    MAX_BYTES,
    DocumentRefused,
    dumps,
    export_document,
    import_document,
)
from participation.territory.models import (
    Agglomeration,
    Avenant,
    Commune,
    Enjeu,
    Finding,
    Indicator,
    Objectif,
    Quartier,
    ReferentielChange,
)

from .test_referentiel_editing import queries, referentiel_of_size

MANAGE = reverse("territory:referentiel_manage")
IMPORT = reverse("territory:referentiel_import")


def auchel() -> Commune:
    return Commune.objects.get(slug="auchel")


def rows() -> dict:
    """The referential as rows, without database ids or timestamps."""
    return {
        "agglomerations": list(
            Agglomeration.objects.order_by("short_name").values(
                "short_name", "name", "quartiers_count", "qpv_count", "qic_count", "communes_count"
            )
        ),
        "communes": list(
            Commune.objects.order_by("slug").values("slug", "name", "agglomeration__short_name")
        ),
        "enjeux": list(Enjeu.objects.order_by("number").values("number", "title", "plain_title")),
        "quartiers": [
            {
                **row,
                "communes": sorted(
                    Quartier.objects.get(code=row["code"]).communes.values_list("slug", flat=True)
                ),
            }
            for row in Quartier.objects.order_by("code").values(
                "code",
                "slug",
                "name",
                "short_name",
                "status",
                "commune__slug",
                "population",
                "population_approximate",
                "population_trend",
                "surface_ha",
                "statistics_source",
                "summary",
                "position",
            )
        ],
        "indicators": list(
            Indicator.objects.order_by("quartier__code", "position").values(
                "quartier__code",
                "key",
                "label",
                "short_label",
                "value",
                "agglomeration_value",
                "unit",
                "source",
                "year",
                "position",
            )
        ),
        "findings": list(
            Finding.objects.order_by("quartier__code", "kind", "position").values(
                "quartier__code", "kind", "text", "position"
            )
        ),
        # A row added in the platform has no file key yet; its export gives it its wording.
        "objectifs": [
            {**row, "file_key": row["file_key"] or row["intercommunal"]}
            for row in Objectif.objects.order_by(
                "quartier__code", "enjeu__number", "position"
            ).values(
                "quartier__code",
                "enjeu__number",
                "orientation",
                "intercommunal",
                "operationnel",
                "position",
                "file_key",
                "retired_on",
                "retired_reason",
            )
        ],
        "avenants": list(
            Avenant.objects.order_by("signed_on", "title").values(
                "signed_on", "title", "text", "in_progress"
            )
        ),
    }


def empty_platform() -> None:
    ReferentielChange.objects.all().delete()
    Quartier.objects.all().delete()
    for model in (Enjeu, Avenant, Commune, Agglomeration):
        model.objects.all().delete()


@pytest.fixture
def edited(referentiel, referent):
    """Auchel's referential after a year of the référent's work: a figure with its source and
    year, a retired objective, an objective and a finding added, an avenant."""
    rimbart = Quartier.objects.get(slug="rimbart")
    avenant = Avenant.objects.create(
        signed_on=timezone.localdate(), title="Revue annuelle 2026", text="Chiffres 2024."
    )
    services.update(
        referent,
        rimbart.indicators.first(),
        {"value": Decimal("47.2"), "source": "Insee, Filosofi", "year": 2024},
        avenant=avenant,
    )
    objectif = rimbart.objectifs.first()
    services.retire_objectif(
        referent, objectif, timezone.localdate(), "Remplacé par l'avenant", avenant=avenant
    )
    services.add_objectif(
        referent,
        rimbart,
        {
            "enjeu": objectif.enjeu,
            "orientation": objectif.orientation,
            "intercommunal": "Développer les jardins partagés",
            "operationnel": "Un jardin partagé rue de Lillers",
        },
    )
    services.add_finding(referent, rimbart, Finding.Kind.IRRITANT, "Le square ferme trop tôt")


@pytest.fixture
def document(referentiel) -> dict:
    """Auchel's document as exported, for a test to break."""
    return export_document(auchel())


def refused(data) -> list[str]:
    if isinstance(data, dict):
        data = dumps(data)
    with pytest.raises(DocumentRefused) as caught:
        import_document(data)
    return [str(problem) for problem in caught.value.problems]


# --- The round trip ------------------------------------------------------------------------


def test_export_then_import_into_an_empty_platform_gives_back_the_same_referential(
    edited, referent
):
    first = export_document(auchel())
    before = rows()
    empty_platform()
    result = import_document(dumps(first), actor=referent, source="referentiel-auchel.json")
    assert result.new and result.report.applied
    assert export_document(auchel()) == first
    assert rows() == before


def test_the_export_holds_each_quartier_its_figures_findings_and_objectives(edited):
    document = export_document(auchel())
    assert (document["format"], document["version"]) == (exchange.FORMAT, 1)
    assert [q["code"] for q in document["quartiers"]] == [
        "QP 06 20 04",
        "QP 06 20 05",
        "QP 06 20 15",
        "QP 06 20 06",
    ]
    assert sum(len(q["objectifs"]) for q in document["quartiers"]) == 75
    rimbart = document["quartiers"][3]
    figure = rimbart["indicateurs"][0]
    assert (figure["valeur"], figure["source"], figure["annee"]) == (47.2, "Insee, Filosofi", 2024)
    assert rimbart["objectifs"][0]["retire_le"] == timezone.localdate().isoformat()
    assert rimbart["constats"]["irritants"][-1] == "Le square ferme trop tôt"
    assert {c["slug"] for c in document["communes_associees"]} == {
        "burbure",
        "calonne-ricouart",
        "cauchy-a-la-tour",
        "marles-les-mines",
    }
    assert [a["intitule"] for a in document["avenants"]] == ["Revue annuelle 2026"]


def test_the_schema_in_docs_validates_the_export(edited):
    schema = json.loads(exchange.SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(dumps(export_document(auchel())))
    jsonschema.Draft202012Validator(schema).validate(document)


def test_the_import_is_in_the_history_and_the_audit_log(referentiel, referent):
    document = export_document(auchel())
    empty_platform()
    import_document(dumps(document), actor=referent, source="referentiel-auchel.json")
    created = ReferentielChange.objects.filter(action=ReferentielChange.Action.CREATION)
    assert created.filter(target_type="quartier").count() == 4
    assert created.filter(target_type="objectif").count() == 74
    assert set(created.values_list("actor", flat=True)) == {referent.pk}
    entry = AuditEntry.objects.get(action="referentiel.import")
    assert entry.actor == referent
    assert entry.after["fichier"] == "referentiel-auchel.json"


def test_the_same_document_again_changes_nothing(edited, referent):
    data = dumps(export_document(auchel()))
    history = ReferentielChange.objects.count()
    result = import_document(data, actor=referent, apply=True)
    assert not result.new
    assert result.report.changes == []
    assert ReferentielChange.objects.count() == history


def test_a_document_of_a_commune_already_there_only_shows_its_differences_unless_applied(
    document, referent
):
    objectif = document["quartiers"][0]["objectifs"][0]
    objectif["operationnel"] = "Ouvrir une permanence d'accès aux droits le samedi"
    result = import_document(dumps(document), actor=referent)
    assert not result.report.applied
    assert any("Ouvrir une permanence" in str(d) for d in result.report.changes)
    assert not Objectif.objects.filter(operationnel__startswith="Ouvrir une permanence").exists()

    import_document(dumps(document), actor=referent, apply=True)
    changed = Objectif.objects.get(operationnel__startswith="Ouvrir une permanence")
    assert changed.file_key == objectif["cle"]
    change = ReferentielChange.objects.get(target_type="objectif", target_id=changed.pk)
    assert (change.actor, change.origin) == (referent, ReferentielChange.Origin.FICHIERS)


def test_a_second_commune_loads_beside_the_first_without_touching_it(document, referent):
    before = export_document(auchel())
    other = copy.deepcopy(document)
    other["commune"] = {"slug": "bruay-la-buissiere", "nom": "Bruay-La-Buissière"}
    other["communes_associees"] = []
    other["quartiers"] = [other["quartiers"][0]]
    quartier = other["quartiers"][0]
    quartier.update(code="QP 06 20 10", slug="quartier-des-cites", nom="Quartier des Cités")
    quartier["communes"] = ["bruay-la-buissiere"]
    other["avenants"] = []
    result = import_document(dumps(other), actor=referent)
    assert result.new and result.report.applied
    assert Quartier.objects.get(code="QP 06 20 10").commune.slug == "bruay-la-buissiere"
    assert export_document(auchel()) == before
    assert Enjeu.objects.count() == 3


# --- Refused whole, every problem named ------------------------------------------------------


def test_a_file_that_is_not_json_is_refused_with_its_line(db):
    assert refused(
        b'{\n  "format": "engagements-quartiers-2030/referentiel",\n  "version": \n}'
    ) == ["ligne 4, colonne 1 : JSON mal formé (une valeur est attendue)"]


def test_a_file_that_is_not_utf8_is_refused(db):
    [problem] = refused('{"commune": "Béthune"}'.encode("latin-1"))
    assert "n'est pas en UTF-8" in problem


def test_a_file_too_big_is_refused_before_being_read(db):
    [problem] = refused(b" " * (MAX_BYTES + 1))
    assert "un référentiel ne dépasse pas 2 Mo" in problem


def test_a_document_nested_too_deep_is_refused_not_a_crash(db):
    [problem] = refused(b"[" * 200_000 + b"]" * 200_000)
    assert "imbrique trop" in problem


def test_a_field_written_twice_is_refused(db):
    [problem] = refused(b'{"format": "a", "format": "b"}')
    assert problem == "le champ « format » est écrit deux fois dans le même objet"


def test_another_format_or_version_is_refused(document):
    document["format"] = "convention-ville/v2"
    document["version"] = 2
    assert refused(document) == [
        "format : doit valoir « engagements-quartiers-2030/referentiel » : ce fichier n'est pas "
        "un référentiel de ce format",
        "version : version « 2 » non prise en charge : cette plateforme lit la version 1",
    ]


def break_document(document: dict, how: str) -> None:
    quartiers = document["quartiers"]
    if how == "missing field":
        del quartiers[0]["population"]
    elif how == "unknown field":
        quartiers[0]["maire"] = "X"
    elif how == "wrong type":
        quartiers[1]["population"] = "2700"
    elif how == "text for a figure":
        quartiers[1]["indicateurs"][0]["valeur"] = "45,4"
    elif how == "too precise a figure":
        quartiers[1]["indicateurs"][0]["valeur"] = Decimal("45.45")
    elif how == "out-of-range year":
        quartiers[2]["indicateurs"][0]["annee"] = 1890
    elif how == "dangling enjeu":
        quartiers[3]["objectifs"][0]["enjeu"] = 7
    elif how == "dangling commune":
        quartiers[3]["communes"] = ["auchel", "lens"]
    elif how == "duplicate quartier code":
        quartiers[1]["code"] = quartiers[0]["code"]
    elif how == "duplicate figure key":
        quartiers[0]["indicateurs"][1]["cle"] = quartiers[0]["indicateurs"][0]["cle"]
    elif how == "duplicate objective key":
        quartiers[0]["objectifs"][1]["cle"] = quartiers[0]["objectifs"][0]["cle"]
    elif how == "not a date":
        quartiers[0]["objectifs"][0]["retire_le"] = "2027-02-30"
        quartiers[0]["objectifs"][0]["motif_retrait"] = "Avenant 1"
    elif how == "retired without reason":
        quartiers[0]["objectifs"][0]["retire_le"] = "2027-03-01"
    elif how == "empty name":
        quartiers[0]["nom"] = ""
    elif how == "bad slug":
        quartiers[0]["slug"] = "Centre Ville"


REASONS = {
    "missing field": "quartiers[0].population : champ obligatoire manquant",
    "unknown field": "quartiers[0].maire : champ inconnu de ce format",
    "wrong type": "quartiers[1].population : doit être un nombre entier",
    "text for a figure": "quartiers[1].indicateurs[0].valeur : doit être un nombre",
    "too precise a figure": (
        "quartiers[1].indicateurs[0].valeur : 45.45 : un chiffre au plus après la virgule"
    ),
    "out-of-range year": (
        "quartiers[2].indicateurs[0].annee : doit être une année entre 1990 et 2100"
    ),
    "dangling enjeu": (
        "quartiers[3].objectifs[0].enjeu : enjeu 7 inconnu : il doit être l'un des enjeux du "
        "document (1, 2, 3)"
    ),
    "dangling commune": (
        "quartiers[3].communes[1] : commune « lens » inconnue : elle doit être la commune du "
        "document ou l'une des communes_associees"
    ),
    "duplicate quartier code": (
        "quartiers[1].code : code de quartier « QP 06 20 04 » en double dans le document"
    ),
    "duplicate figure key": "quartiers[0].indicateurs[1].cle : clé « taux-pauvrete » en double",
    "duplicate objective key": "quartiers[0].objectifs[1].cle : clé d'objectif (enjeu 1) en double",
    "not a date": (
        "quartiers[0].objectifs[0].retire_le : « 2027-02-30 » n'est pas une date du calendrier"
    ),
    "retired without reason": (
        "quartiers[0].objectifs[0].motif_retrait : obligatoire pour un objectif retiré"
    ),
    "empty name": "quartiers[0].nom : ne doit pas être vide",
    "bad slug": "quartiers[0].slug : « Centre Ville » : doit s'écrire en minuscules",
}


@pytest.mark.parametrize("how", REASONS)
def test_every_kind_of_invalid_document_is_refused_with_its_reason(document, how):
    break_document(document, how)
    problems = refused(dumps_any(document))
    assert any(problem.startswith(REASONS[how]) for problem in problems), problems


def dumps_any(document: dict) -> bytes:
    """``dumps``, keeping a Decimal as written (a figure with too many decimals)."""
    text = json.dumps(document, ensure_ascii=False, default=lambda d: f"@@{d}@@")
    return text.replace('"@@', "").replace('@@"', "").encode()


def test_every_problem_of_a_document_is_listed_in_its_order(document):
    for how in ("out-of-range year", "missing field", "dangling enjeu", "wrong type"):
        break_document(document, how)
    assert refused(document) == [
        "quartiers[0].population : champ obligatoire manquant",
        "quartiers[1].population : doit être un nombre entier",
        "quartiers[2].indicateurs[0].annee : doit être une année entre 1990 et 2100",
        "quartiers[3].objectifs[0].enjeu : enjeu 7 inconnu : il doit être l'un des enjeux du "
        "document (1, 2, 3)",
    ]


def test_nothing_is_loaded_when_the_document_is_refused(document):
    document["quartiers"][3]["indicateurs"][0]["annee"] = 3024
    empty_platform()
    refused(document)
    assert not Quartier.objects.exists()
    assert not Commune.objects.exists()
    assert not ReferentielChange.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_quartier_of_another_commune_is_refused(document):
    document["commune"] = {"slug": "lillers", "nom": "Lillers"}
    document["quartiers"] = document["quartiers"][:1]
    document["quartiers"][0]["communes"] = ["lillers"]
    document["communes_associees"] = []
    assert refused(document) == [
        "quartiers[0].code : le quartier QP 06 20 04 existe déjà sur la plateforme, porté par "
        "la commune Auchel"
    ]


def test_an_enjeu_worded_otherwise_than_the_platforms_is_refused(document):
    document["enjeux"][0]["intitule"] = "Des quartiers solidaires"
    [problem] = refused(document)
    assert problem.startswith("enjeux[0].intitule : l'enjeu 1 de la plateforme s'intitule")


# --- The commands ----------------------------------------------------------------------------


def test_the_commands_export_and_import_a_file(edited, tmp_path):
    path = tmp_path / "referentiel-auchel.json"
    call_command("export_referentiel", "--commune", "Auchel", "-o", str(path), stderr=io.StringIO())
    document = json.loads(path.read_text(encoding="utf-8"))
    empty_platform()
    out = io.StringIO()
    call_command("import_referentiel", str(path), "--dry-run", stdout=out)
    assert "Référentiel de Auchel valable. Rien n'a été écrit (--dry-run)" in out.getvalue()
    assert not Quartier.objects.exists()
    call_command("import_referentiel", str(path), stdout=out)
    assert "Référentiel de Auchel chargé." in out.getvalue()
    assert json.loads(dumps(export_document(auchel()))) == document


def test_the_import_command_lists_every_problem_and_fails(document, tmp_path):
    document["version"] = 3
    del document["quartiers"][0]["slug"]
    path = tmp_path / "faux.json"
    path.write_bytes(dumps(document))
    with pytest.raises(CommandError) as caught:
        call_command("import_referentiel", str(path), stdout=io.StringIO())
    message = str(caught.value)
    assert "Référentiel refusé, rien n'a été chargé (2 problème(s))" in message
    assert "  - quartiers[0].slug : champ obligatoire manquant" in message


def test_exporting_an_unknown_commune_says_so(db):
    with pytest.raises(CommandError, match="Aucune commune « Lens »"):
        call_command("export_referentiel", "--commune", "Lens", stdout=io.StringIO())


# --- The référent's pages ---------------------------------------------------------------------


def upload(client, data: bytes, name="referentiel.json", **extra):
    return client.post(IMPORT, {"document": SimpleUploadedFile(name, data), **extra})


def test_the_referential_page_offers_the_download_and_the_upload(client_for, referent, edited):
    html = client_for(referent).get(MANAGE).content.decode()
    export = reverse("territory:referentiel_export", kwargs={"slug": "auchel"})
    assert f'href="{export}"' in html
    assert "Télécharger le référentiel (JSON)" in html
    assert IMPORT in html


def test_the_download_is_the_communes_document(client_for, referent, edited):
    response = client_for(referent).get(
        reverse("territory:referentiel_export", kwargs={"slug": "auchel"})
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert 'filename="referentiel-auchel.json"' in response["Content-Disposition"]
    assert json.loads(response.content) == json.loads(dumps(export_document(auchel())))


def test_the_upload_page_lists_every_problem_in_french_and_loads_nothing(
    client_for, referent, document
):
    document["quartiers"][2]["indicateurs"][0]["annee"] = 1890
    document["quartiers"][0]["objectifs"][0]["enjeu"] = 9
    empty_platform()
    response = upload(client_for(referent), dumps(document))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Fichier refusé : 2 problèmes, rien n'a été chargé" in html
    assert (
        "<code>quartiers[2].indicateurs[0].annee</code> : doit être une année entre 1990 et 2100"
        in html
    )
    assert "<code>quartiers[0].objectifs[0].enjeu</code> : enjeu 9 inconnu" in html
    assert not Quartier.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\xff\xfe{}", "n&#x27;est pas en UTF-8"),
        (b"[1, 2", "JSON mal formé"),
        (b" " * (MAX_BYTES + 1), "un référentiel ne dépasse pas 2 Mo"),
    ],
    ids=["empty", "not utf-8", "not json", "too big"],
)
def test_the_upload_page_refuses_a_broken_file_with_a_message_never_a_500(
    client_for, referent, db, data, message
):
    response = upload(client_for(referent), data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_upload_page_without_a_file_asks_for_one(client_for, referent, db):
    response = client_for(referent).post(IMPORT, {})
    assert "Choisissez le fichier JSON du référentiel." in response.content.decode()


def test_uploading_a_new_communes_document_loads_it_with_its_history(
    client_for, referent, document
):
    empty_platform()
    response = upload(client_for(referent), dumps(document), name="referentiel-auchel.json")
    assert response.status_code == 302
    assert response["Location"] == MANAGE
    assert Quartier.objects.count() == 4
    assert ReferentielChange.objects.filter(actor=referent).exists()
    assert AuditEntry.objects.get(action="referentiel.import").actor == referent


def test_uploading_a_communes_update_shows_the_differences_then_writes_them_when_asked(
    client_for, referent, document
):
    document["quartiers"][3]["nom_court"] = "Le Rimbart"
    client = client_for(referent)
    html = upload(client, dumps(document)).content.decode()
    assert "ce qui changerait" in html
    assert "« Rimbart » → « Le Rimbart »" in html
    assert Quartier.objects.get(slug="rimbart").short_name == "Rimbart"
    response = upload(client, dumps(document), apply="on")
    assert response.status_code == 302
    assert Quartier.objects.get(slug="rimbart").short_name == "Le Rimbart"


def test_the_download_makes_as_many_queries_for_2_or_12_rows(client_for, referent, db):
    small = referentiel_of_size(referent, 2)
    client = client_for(referent)
    url = reverse("territory:referentiel_export", kwargs={"slug": small.commune.slug})
    small_count = queries(client, url)
    Quartier.objects.filter(pk=small.pk).delete()
    large = referentiel_of_size(referent, 12)
    Quartier.objects.filter(pk=large.pk).update(commune=small.commune)
    assert queries(client, url) == small_count


def test_the_upload_form_works_without_javascript_and_names_its_field(client_for, referent, db):
    html = client_for(referent).get(IMPORT).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="id_document">' in html
    assert 'type="file"' in html


def test_the_example_of_the_documentation_is_a_valid_document():
    text = (exchange.SCHEMA_PATH.parent / "referentiel.md").read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    document = exchange.parse(example.encode("utf-8"))
    assert exchange._schema_problems(document) == []
    assert exchange._reference_problems(document) == []
