"""The referential loaded from the data files says what the convention says."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from participation.territory.models import (
    Agglomeration,
    Commune,
    Enjeu,
    Finding,
    Indicator,
    Objectif,
    Quartier,
)

# Counted by hand in /work/shared/convention-auchel-quartiers-2030.txt, quartier by quartier:
# - indicators: the lines of « Portrait statistique » after population and surface
#   (Cité 5 and Provinces have no « Part des familles monoparentales » line);
# - irritants, opportunités, enjeux prioritaires: the « - » bullets under each heading;
# - objective rows: the rows of the three tables of « Objectifs poursuivis sur le quartier »,
#   after joining the cells split by a page break (Centre-ville, Provinces: enjeu 2 has
#   11 rows, not 12) and splitting the « mixité sociale [...] Associer les habitants à la
#   fabrique des quartiers 2030 » cell in two rows (Centre-ville and Cité 5, enjeu 3).
#   Centre-ville 3 + 11 + 7, Cité 5 3 + 11 + 5, Provinces 3 + 11 + 3, Rimbart 3 + 11 + 3.
DOCUMENT_COUNTS = {
    "QP 06 20 04": {
        "name": "Centre-ville",
        "indicators": 7,
        "irritant": 9,
        "opportunite": 8,
        "enjeu_prioritaire": 4,
        "objectifs": {1: 3, 2: 11, 3: 7},
    },
    "QP 06 20 05": {
        "name": "Cité 5, de Marles et du Rond-Point",
        "indicators": 6,
        "irritant": 6,
        "opportunite": 6,
        "enjeu_prioritaire": 6,
        "objectifs": {1: 3, 2: 11, 3: 5},
    },
    "QP 06 20 15": {
        "name": "Provinces - Longues Trinques",
        "indicators": 6,
        "irritant": 9,
        "opportunite": 5,
        "enjeu_prioritaire": 7,
        "objectifs": {1: 3, 2: 11, 3: 3},
    },
    "QP 06 20 06": {
        "name": "Rimbart",
        "indicators": 7,
        "irritant": 6,
        "opportunite": 11,
        "enjeu_prioritaire": 6,
        "objectifs": {1: 3, 2: 11, 3: 3},
    },
}

SPLIT_ORIENTATION = "Accompagner l'accès à l'autonomie et à l'emploi des habitants des quartiers"
SPLIT_OBJECTIVE = (
    "Renforcer l'accompagnement éducatif et social des jeunes dans leur accès à l'autonomie"
)


def load(path=None, *options):
    out = io.StringIO()
    args = ["--path", str(path)] if path else []
    call_command("load_referentiel", *args, *options, stdout=out)
    return out.getvalue()


def apply(path=None):
    return load(path, "--apply")


def snapshot():
    """Every referential row, with its id, as comparable tuples."""
    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (Agglomeration, Commune, Enjeu, Quartier, Indicator, Finding, Objectif)
    } | {"communes": sorted(Quartier.communes.through.objects.values_list())}


@pytest.mark.parametrize("code", DOCUMENT_COUNTS)
def test_each_quartier_has_as_many_rows_as_the_document(referentiel, code):
    expected = DOCUMENT_COUNTS[code]
    quartier = Quartier.objects.get(code=code)
    assert quartier.name == expected["name"]
    assert quartier.indicators.count() == expected["indicators"]
    for kind in Finding.Kind.values:
        assert quartier.findings.filter(kind=kind).count() == expected[kind], kind
    for number, rows in expected["objectifs"].items():
        assert quartier.objectifs.filter(enjeu__number=number).count() == rows, number


def test_it_loads_the_territory_of_the_preamble(referentiel):
    agglomeration = Agglomeration.objects.get()
    assert agglomeration.short_name == "CABBALR"
    assert (
        agglomeration.quartiers_count,
        agglomeration.qpv_count,
        agglomeration.qic_count,
        agglomeration.communes_count,
    ) == (25, 16, 9, 19)
    assert set(Commune.objects.values_list("name", flat=True)) == {
        "Auchel",
        "Calonne-Ricouart",
        "Marles-les-Mines",
        "Cauchy-à-la-Tour",
        "Burbure",
    }
    assert list(Quartier.objects.values_list("code", flat=True)) == [
        "QP 06 20 04",
        "QP 06 20 05",
        "QP 06 20 15",
        "QP 06 20 06",
    ]


def test_quartiers_have_their_status_communes_population_and_surface(referentiel):
    cite5 = Quartier.objects.get(code="QP 06 20 05")
    assert cite5.status == "Quartier prioritaire de la politique de la ville"
    assert cite5.commune.name == "Auchel"
    assert set(cite5.communes.values_list("name", flat=True)) == {
        "Auchel",
        "Calonne-Ricouart",
        "Marles-les-Mines",
    }
    assert (cite5.population, cite5.population_approximate, cite5.surface_ha) == (2700, True, 52)
    assert cite5.population_trend == "+500 par rapport à 2015"
    assert cite5.statistics_source == "données sigville 2022 basées sur l'ancien périmètre"
    provinces = Quartier.objects.get(code="QP 06 20 15")
    # The only population the document gives without « environ ».
    assert (provinces.population, provinces.population_approximate) == (1100, False)
    rimbart = Quartier.objects.get(slug="rimbart")
    assert set(rimbart.communes.values_list("name", flat=True)) == {"Auchel", "Burbure"}
    assert (rimbart.population, rimbart.surface_ha) == (1300, 21)


def test_figures_sit_beside_the_agglomeration_figure(referentiel):
    poverty = Indicator.objects.get(quartier__slug="centre-ville", key="taux-pauvrete")
    assert poverty.label == "Taux de pauvreté"
    assert (poverty.value, poverty.agglomeration_value, poverty.unit) == (
        Decimal("45.4"),
        Decimal("18.8"),
        "%",
    )
    social = Indicator.objects.get(quartier__code="QP 06 20 05", key="parc-social")
    assert (social.value, social.agglomeration_value) == (Decimal("84.2"), Decimal("25.6"))
    ips = Indicator.objects.get(quartier__slug="rimbart", key="ips")
    assert (ips.value, ips.agglomeration_value, ips.unit) == (Decimal("77.8"), Decimal("104"), "")
    assert not Indicator.objects.filter(
        quartier__code__in=["QP 06 20 05", "QP 06 20 15"], key="familles-monoparentales"
    ).exists()


def test_findings_keep_the_order_of_the_document(referentiel):
    irritants = Finding.objects.filter(quartier__slug="centre-ville", kind="irritant")
    assert irritants.first().text == "Des turn-over d'habitants nombreux"
    assert irritants.last().text == "Un parc de logement privé et locatif"
    opportunites = Finding.objects.filter(quartier__slug="rimbart", kind="opportunite")
    assert opportunites.first().text == "Une identité de quartier prononcée"
    assert opportunites.last().text == "Les bailleurs"


def test_the_three_enjeux_have_a_plain_title(referentiel):
    enjeux = list(Enjeu.objects.all())
    assert [e.title for e in enjeux] == [
        "Des quartiers attentifs aux habitants des plus fragiles",
        "Des quartiers d'émancipation pour tous",
        "Des quartiers à l'épreuve des transitions",
    ]
    assert all(e.plain_title for e in enjeux)


def test_the_informier_typo_is_repaired(referentiel):
    assert not Objectif.objects.filter(operationnel__icontains="Informier").exists()
    for slug in ["centre-ville", "provinces-longues-trinques"]:
        row = Objectif.objects.get(
            quartier__slug=slug, intercommunal="Lever les freins à la mobilité"
        )
        assert row.operationnel == "Informer et accompagner les habitants"


def test_cells_split_by_a_page_break_are_joined(referentiel):
    for slug in ["centre-ville", "provinces-longues-trinques"]:
        row = Objectif.objects.get(quartier__slug=slug, intercommunal=SPLIT_OBJECTIVE)
        assert row.orientation == SPLIT_ORIENTATION
        assert row.operationnel == "Repérer les jeunes en errances"
    assert not Objectif.objects.filter(orientation="Accompagner l'accès à").exists()
    assert not Objectif.objects.filter(orientation__startswith="l'autonomie").exists()
    assert not Objectif.objects.filter(intercommunal="Renforcer l'accompagnement éducatif").exists()
    assert not Objectif.objects.filter(intercommunal__startswith="et social").exists()
    assert Objectif.objects.filter(orientation=SPLIT_ORIENTATION).count() == 4 * 5


def test_the_double_mixite_cell_becomes_two_rows(referentiel):
    for slug in ["centre-ville", "cite-5"]:
        rows = list(
            Objectif.objects.filter(
                quartier__slug=slug,
                orientation="Associer les habitants aux transitions urbaines et environnementales",
            )
        )
        assert [(r.intercommunal, r.operationnel) for r in rows] == [
            (
                "Favoriser la mixité sociale et accompagner les habitants dans leurs parcours résidentiels",
                "Poursuivre le développement des initiatives de mixité sociale",
            ),
            ("Associer les habitants à la fabrique des quartiers 2030", ""),
        ]


def test_an_empty_first_column_continues_the_previous_orientation(referentiel):
    rows = Objectif.objects.filter(quartier__slug="centre-ville", enjeu__number=1)
    assert [r.orientation for r in rows] == [
        "Faciliter l'accès aux droits, aux soins et aux services",
        "Faciliter l'accès aux droits, aux soins et aux services",
        "Rendre les habitants acteurs de leur santé physique et mentale",
    ]
    # Cité 5 draws the same rows in other groups; the document is kept as it says.
    rows = Objectif.objects.filter(quartier__slug="cite-5", enjeu__number=1)
    assert [r.orientation for r in rows][1:] == [
        "Rendre les habitants acteurs de leur santé physique et mentale"
    ] * 2


def test_rows_without_an_operational_objective_stay_empty(referentiel):
    first = Objectif.objects.filter(quartier__slug="centre-ville", enjeu__number=3).first()
    assert first.intercommunal == (
        "Accompagner le renouvellement urbain et la transition écologique des quartiers"
    )
    assert first.operationnel == ""
    assert Objectif.objects.filter(operationnel="").count() == 3


def test_loading_twice_changes_nothing_and_says_so(referentiel):
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "aucune différence avec les fichiers" in output


def test_a_second_run_prints_the_difference_and_changes_nothing(referentiel):
    Finding.objects.filter(quartier__slug="rimbart").first().delete()
    Objectif.objects.filter(quartier__slug="rimbart").update(operationnel="modifié")
    before = snapshot()

    output = load()

    assert snapshot() == before
    assert "« modifié » → " in output
    assert "absent de la base" in output
    assert "--apply" in output


def test_apply_brings_back_what_was_changed_outside_the_platform(referentiel):
    before = snapshot()
    Finding.objects.filter(quartier__slug="rimbart").first().delete()
    Objectif.objects.filter(quartier__slug="rimbart").update(operationnel="modifié")
    apply()
    after = snapshot()
    assert [row[:-3] for row in after["Objectif"]] == [row[:-3] for row in before["Objectif"]]
    assert len(after["Finding"]) == len(before["Finding"])


def test_a_twin_row_added_behind_the_platforms_back_is_removed_by_apply(referentiel):
    original = Objectif.objects.filter(quartier__slug="rimbart").first()
    before = snapshot()
    Objectif.objects.create(
        quartier=original.quartier,
        enjeu=original.enjeu,
        orientation=original.orientation,
        intercommunal=original.intercommunal,
        position=99,
    )
    apply()
    assert snapshot() == before


def test_rows_removed_from_the_data_are_removed_by_apply_when_nothing_uses_them(
    referentiel, data_copy
):
    objectifs = data_copy / "objectifs.tsv"
    lines = objectifs.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line for line in lines if "fabrique des quartiers 2030\t" not in line]
    objectifs.write_text("".join(lines), encoding="utf-8")
    constats = data_copy / "constats.tsv"
    text = constats.read_text(encoding="utf-8")
    constats.write_text(text.replace("QP 06 20 06\topportunite\tLes bailleurs\n", ""), "utf-8")
    kept = set(Objectif.objects.exclude(intercommunal__contains="fabrique").values_list("pk"))

    assert "absent des fichiers" in load(data_copy)
    assert Objectif.objects.count() == 74
    output = apply(data_copy)

    assert Objectif.objects.count() == 72
    assert set(Objectif.objects.values_list("pk")) == kept
    assert Finding.objects.filter(quartier__slug="rimbart", kind="opportunite").count() == 10
    assert "supprimé" in output


def test_a_row_that_moves_keeps_its_id(referentiel, data_copy):
    objectifs = data_copy / "objectifs.tsv"
    lines = objectifs.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("QP 06 20 06\t3\t"))
    # Rimbart, enjeu 3: the last row goes first (it then names its orientation).
    last = lines.pop(first + 2).replace("\t\tDynamiser", "\tNouvelle orientation\tDynamiser")
    lines.insert(first, last)
    objectifs.write_text("".join(lines), encoding="utf-8")
    moved = Objectif.objects.get(
        quartier__slug="rimbart", intercommunal="Dynamiser l'animation sociale dans les quartiers"
    )

    apply(data_copy)

    rows = list(Objectif.objects.filter(quartier__slug="rimbart", enjeu__number=3))
    assert rows[0].pk == moved.pk
    assert (rows[0].position, rows[0].orientation) == (1, "Nouvelle orientation")
    assert [r.position for r in rows] == [1, 2, 3]


def replace_line(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path, fragment):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if fragment in line:
            return number
    raise AssertionError(fragment)


@pytest.mark.parametrize(
    ("filename", "old", "new", "message"),
    [
        (
            "indicateurs.tsv",
            "QP 06 20 04\ttaux-pauvrete\t45,4\t18,8\t%",
            "QP 06 20 04\ttaux-pauvrete\t45,4\t18,8",
            "6 colonnes au lieu de 7",
        ),
        (
            "indicateurs.tsv",
            "QP 06 20 04\ttaux-pauvrete\t45,4",
            "QP 06 20 04\ttaux-pauvrete\tbeaucoup",
            "« value » doit être un nombre",
        ),
        (
            "indicateurs.tsv",
            "QP 06 20 04\ttaux-pauvrete\t45,4",
            "QP 06 20 04\ttaux-pauvrete\t45.4",
            "écrit à la française",
        ),
        (
            "constats.tsv",
            "QP 06 20 06\topportunite\tLes bailleurs",
            "QP 06 20 99\topportunite\tLes bailleurs",
            "quartier inconnu « QP 06 20 99 »",
        ),
        (
            "constats.tsv",
            "QP 06 20 06\topportunite\tLes bailleurs",
            "QP 06 20 06\tatout\tLes bailleurs",
            "nature inconnue « atout »",
        ),
        (
            "objectifs.tsv",
            "QP 06 20 06\t3\tPoursuivre",
            "QP 06 20 06\t3\t\tPoursuivre",
            "6 colonnes au lieu de 5",
        ),
        (
            "objectifs.tsv",
            "QP 06 20 06\t3\tPoursuivre les opérations de rénovation urbaine en y intégrant les enjeux de transition écologique\t",
            "QP 06 20 06\t3\t\t",
            "doit nommer son orientation",
        ),
        (
            "objectifs.tsv",
            "QP 06 20 06\t3\tPoursuivre",
            "QP 06 20 06\t4\tPoursuivre",
            "enjeu inconnu « 4 »",
        ),
        (
            "quartiers.tsv",
            "auchel,burbure\t1300",
            "auchel,bethune\t1300",
            "commune inconnue « bethune »",
        ),
        (
            "quartiers.tsv",
            "\t1300\toui\t",
            "\t1300\tpeut-être\t",
            "« oui » ou « non »",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_the_line(
    referentiel, data_copy, filename, old, new, message
):
    path = data_copy / filename
    replace_line(path, old, new)
    line = line_of(path, new)
    before = snapshot()

    with pytest.raises(CommandError) as error:
        load(data_copy)

    assert f"{filename}, ligne {line} :" in str(error.value)
    assert message in str(error.value)
    assert snapshot() == before


def test_a_wrong_header_is_refused(db, data_copy):
    replace_line(
        data_copy / "enjeux.tsv", "number\ttitle\tplain_title", "numero\ttitre\ttitre simple"
    )
    with pytest.raises(CommandError, match=r"enjeux\.tsv, ligne \d+ : en-tête inattendu"):
        load(data_copy)
    assert not Enjeu.objects.exists()


def test_a_duplicate_row_is_refused(db, data_copy):
    path = data_copy / "indicateurs.tsv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "QP 06 20 06\tips\t1\t2\t\tIPS\tIPS\n", encoding="utf-8")
    with pytest.raises(
        CommandError, match=r"indicateurs\.tsv, ligne \d+ : indicateur « ips » .* en double"
    ):
        load(data_copy)


def test_a_missing_file_is_refused(db, data_copy):
    (data_copy / "communes.tsv").unlink()
    with pytest.raises(CommandError, match=r"communes\.tsv : fichier introuvable"):
        load(data_copy)


def drop_quartier(data_dir, code):
    for path in data_dir.glob("*.tsv"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if not line.startswith(code)), "utf-8")


def test_a_quartier_removed_from_the_data_and_used_by_nothing_goes_with_its_rows(
    referentiel, data_copy
):
    drop_quartier(data_copy, "QP 06 20 06")
    apply(data_copy)
    assert not Quartier.objects.filter(code="QP 06 20 06").exists()
    assert Objectif.objects.count() == 74 - 17
    # Burbure is still in communes.tsv: it stays, without a quartier.
    assert Commune.objects.filter(slug="burbure", quartiers=None).exists()
