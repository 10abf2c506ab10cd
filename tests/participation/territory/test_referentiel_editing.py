"""The referential belongs to the commune (issue 18, points 1 and 2): the référent edits it in
the platform, every change is in its history, load_referentiel never writes over her work, and
a retired objective leaves the forms while what was said about it stays attached."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from consultations.expressions.forms import ExpressionEditForm, ExpressionForm
from consultations.models import Status
from evenements.forms import EvenementForm
from participation.audit.models import AuditEntry
from participation.territory import services
from participation.territory.models import (
    Avenant,
    Finding,
    Indicator,
    Objectif,
    Quartier,
    ReferentielChange,
)
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory
from tests.factories import ObjectifFactory, QuartierFactory

from .factories import AvenantFactory, FindingFactory, IndicatorFactory

MANAGE = reverse("territory:referentiel_manage")
HISTORY = reverse("territory:history")


def load(*options, path=None):
    out = io.StringIO()
    args = ["--path", str(path)] if path else []
    call_command("load_referentiel", *args, *options, stdout=out)
    return out.getvalue()


def rimbart_objectif(**filters) -> Objectif:
    return Objectif.objects.filter(quartier__slug="rimbart", **filters).first()


# --- load_referentiel: the files load once, then only say how they differ ---------------


def test_the_first_load_on_an_empty_database_loads_the_files(db):
    output = load()
    assert Quartier.objects.count() == 4
    assert Objectif.objects.count() == 74
    assert "Référentiel du contrat de ville chargé" in output
    # Every objective remembers the wording it had in the files, to be found again.
    assert not Objectif.objects.filter(file_key="").exists()
    assert not ReferentielChange.objects.exists()


def test_a_second_run_changes_nothing_even_with_dry_run_said(referentiel):
    assert "aucune différence" in load("--dry-run")
    assert not ReferentielChange.objects.exists()


def test_an_edit_by_the_referent_survives_load_referentiel_even_with_apply(referentiel, referent):
    objectif = rimbart_objectif(enjeu__number=3)
    services.update(referent, objectif, {"operationnel": "Rénover les trois résidences"})
    indicator = Indicator.objects.get(quartier__slug="rimbart", key="ips")
    services.update(referent, indicator, {"value": 80, "source": "Insee", "year": 2025})

    dry = load()
    applied = load("--apply")

    objectif.refresh_from_db()
    indicator.refresh_from_db()
    assert objectif.operationnel == "Rénover les trois résidences"
    assert (indicator.value, indicator.source, indicator.year) == (80, "Insee", 2025)
    for output in (dry, applied):
        assert "modifié dans la plateforme, gardé" in output
    assert "Rien à écrire" in dry


def test_a_reworded_objective_is_still_matched_with_its_row_of_the_files(referentiel, referent):
    objectif = rimbart_objectif(enjeu__number=1)
    services.update(referent, objectif, {"intercommunal": "Un objectif reformulé par avenant"})

    load("--apply")

    assert Objectif.objects.count() == 74
    objectif.refresh_from_db()
    assert objectif.intercommunal == "Un objectif reformulé par avenant"
    assert objectif.retired_on is None


def test_rows_added_in_the_platform_stay_after_apply(referentiel, referent):
    rimbart = Quartier.objects.get(slug="rimbart")
    finding = services.add_finding(referent, rimbart, Finding.Kind.OPPORTUNITE, "Le nouveau parc")
    objectif = services.add_objectif(
        referent,
        rimbart,
        {
            "enjeu": rimbart_objectif().enjeu,
            "orientation": "Une orientation nouvelle",
            "intercommunal": "Un objectif ajouté par avenant",
            "operationnel": "",
        },
    )

    output = load("--apply")

    assert Finding.objects.filter(pk=finding.pk).exists()
    assert Objectif.objects.filter(pk=objectif.pk).exists()
    assert "ajouté dans la plateforme, gardé" in output


def test_a_row_new_in_the_files_and_one_added_here_share_the_table_after_apply(
    referentiel, referent, data_copy
):
    rimbart = Quartier.objects.get(slug="rimbart")
    enjeu = rimbart_objectif(enjeu__number=3).enjeu
    added = services.add_objectif(
        referent,
        rimbart,
        {"enjeu": enjeu, "orientation": "Ici", "intercommunal": "Ajouté ici", "operationnel": ""},
    )
    path = data_copy / "objectifs.tsv"
    with path.open("a", encoding="utf-8") as handle:
        handle.write("QP 06 20 06\t3\t\tNouvelle ligne des fichiers\tDu quartier\n")

    load("--apply", path=data_copy)

    rows = list(Objectif.objects.filter(quartier=rimbart, enjeu=enjeu))
    assert [r.intercommunal for r in rows][-2:] == ["Nouvelle ligne des fichiers", "Ajouté ici"]
    assert [r.position for r in rows] == [1, 2, 3, 4, 5]
    assert rows[-1].pk == added.pk


def drop_objective_line(data_copy, fragment: str) -> None:
    path = data_copy / "objectifs.tsv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not (line.startswith("QP 06 20 06") and fragment in line)]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")


def test_apply_retires_instead_of_deleting_an_objective_an_expression_points_at(
    referentiel, data_copy
):
    objectif = Objectif.objects.get(
        quartier__slug="rimbart", intercommunal__startswith="Dynamiser l'animation sociale"
    )
    expression = ExpressionFactory(quartier=objectif.quartier, objectifs=[objectif])
    drop_objective_line(data_copy, "Dynamiser l'animation sociale")

    dry = load(path=data_copy)
    objectif.refresh_from_db()
    assert objectif.retired_on is None
    assert "retiré à partir d'aujourd'hui" in dry

    load("--apply", path=data_copy)

    objectif.refresh_from_db()
    assert objectif.retired_on == timezone.localdate()
    assert objectif.retired_reason == "Retiré des fichiers du référentiel"
    assert list(expression.objectifs.all()) == [objectif]
    change = ReferentielChange.objects.get(target_id=objectif.pk)
    assert (change.action, change.origin, change.actor) == ("retrait", "fichiers", None)


def test_apply_keeps_a_quartier_that_accounts_or_expressions_point_at(referentiel, data_copy):
    rimbart = Quartier.objects.get(slug="rimbart")
    ExpressionFactory(quartier=rimbart)
    for path in data_copy.glob("*.tsv"):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(x for x in lines if not x.startswith("QP 06 20 06")), "utf-8")

    output = load("--apply", path=data_copy)

    assert Quartier.objects.filter(pk=rimbart.pk).exists()
    assert "absent des fichiers mais déjà utilisé, gardé" in output


def test_apply_records_what_the_files_changed_in_the_history(referentiel, data_copy):
    path = data_copy / "indicateurs.tsv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("QP 06 20 04\ttaux-pauvrete\t45,4", "QP 06 20 04\ttaux-pauvrete\t44,1")
    )

    output = load("--apply", path=data_copy)

    poverty = Indicator.objects.get(quartier__slug="centre-ville", key="taux-pauvrete")
    assert str(poverty.value) == "44.1"
    assert "« 45,4 » → « 44,1 »" in output
    change = ReferentielChange.objects.get()
    assert change.origin == "fichiers"
    assert change.fields == [
        {"field": "value", "label": "valeur du quartier", "before": "45,4", "after": "44,1"}
    ]


# --- The history: who, when, before and after ---------------------------------------------


def test_an_edit_records_who_when_before_and_after(db, referent):
    objectif = ObjectifFactory(operationnel="Ancienne formulation")
    avenant = AvenantFactory()

    services.update(referent, objectif, {"operationnel": "Nouvelle formulation"}, avenant=avenant)

    change = ReferentielChange.objects.get()
    assert change.actor == referent
    assert change.created_at >= timezone.now() - dt.timedelta(minutes=1)
    assert change.avenant == avenant
    assert change.quartier == objectif.quartier
    assert change.fields == [
        {
            "field": "operationnel",
            "label": "objectif opérationnel pour le quartier",
            "before": "Ancienne formulation",
            "after": "Nouvelle formulation",
        }
    ]
    entry = AuditEntry.objects.get(action="referentiel.modification")
    assert entry.actor == referent
    assert (entry.before, entry.after) == (
        {"operationnel": "Ancienne formulation"},
        {"operationnel": "Nouvelle formulation"},
    )


def test_saving_without_a_change_writes_nothing(db, referent):
    objectif = ObjectifFactory()
    assert services.update(referent, objectif, {"operationnel": objectif.operationnel}) == []
    assert not ReferentielChange.objects.exists()


def test_the_public_history_shows_the_change_and_its_avenant_but_not_who(client, db, referent):
    objectif = ObjectifFactory(operationnel="Ancienne formulation")
    avenant = AvenantFactory(title="Avenant n° 1 : revue 2026")
    services.update(referent, objectif, {"operationnel": "Nouvelle formulation"}, avenant=avenant)

    html = client.get(HISTORY, {"quartier": objectif.quartier.slug}).content.decode()

    assert "Ancienne formulation" in html and "Nouvelle formulation" in html
    assert "sous l'avenant « Avenant n° 1 : revue 2026 »" in html
    assert referent.email not in html
    assert "par la ou le référent·e Politique de la Ville" in html


# --- The référent's pages -----------------------------------------------------------------


def test_the_referent_rewords_an_objective_under_an_avenant(client_for, referent, db):
    objectif = ObjectifFactory(operationnel="Ancienne formulation")
    avenant = AvenantFactory()
    client = client_for(referent)

    response = client.post(
        reverse("territory:objectif_edit", kwargs={"pk": objectif.pk}),
        {
            "orientation": objectif.orientation,
            "intercommunal": objectif.intercommunal,
            "operationnel": "Nouvelle formulation",
            "avenant": avenant.pk,
        },
    )

    assert response.status_code == 302
    objectif.refresh_from_db()
    assert objectif.operationnel == "Nouvelle formulation"
    assert ReferentielChange.objects.get().avenant == avenant
    page = client.get(objectif.quartier.get_absolute_url()).content.decode()
    assert "Nouvelle formulation" in page
    assert f"{HISTORY}?quartier={objectif.quartier.slug}" in page


def test_the_quartier_page_names_the_last_avenant_in_force(client, db):
    quartier = QuartierFactory()
    AvenantFactory(title="Avenant n° 1", signed_on=dt.date(2025, 6, 2), in_progress=False)
    AvenantFactory(title="Avenant n° 2 en préparation", signed_on=dt.date(2026, 6, 2))
    html = client.get(quartier.get_absolute_url()).content.decode()
    assert "modifiée en dernier par l'avenant « Avenant n° 1 » du 2 juin 2025" in html
    assert "en préparation" not in html


def test_a_form_with_errors_keeps_what_was_typed_and_says_why_in_french(client_for, referent, db):
    indicator = IndicatorFactory()
    response = client_for(referent).post(
        reverse("territory:indicator_edit", kwargs={"pk": indicator.pk}),
        {
            "label": "Taux de pauvreté",
            "value": "beaucoup",
            "agglomeration_value": "18,8",
            "year": "1850",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Écrivez un nombre, avec une virgule : 45,4." in html
    assert "L&#x27;année du chiffre va de 1990 à l&#x27;année en cours." in html
    assert 'value="Taux de pauvreté"' in html
    assert not ReferentielChange.objects.exists()


def test_a_figure_takes_a_french_decimal_its_source_and_year(client_for, referent, db):
    indicator = IndicatorFactory()
    client_for(referent).post(
        reverse("territory:indicator_edit", kwargs={"pk": indicator.pk}),
        {
            "label": indicator.label,
            "value": "44,1",
            "agglomeration_value": "18,8",
            "unit": "%",
            "source": "Insee, Filosofi",
            "year": "2024",
        },
    )
    indicator.refresh_from_db()
    assert (str(indicator.value), indicator.source, indicator.year) == (
        "44.1",
        "Insee, Filosofi",
        2024,
    )


def test_adding_a_finding_twice_by_a_double_submit_creates_one(client_for, referent, db):
    quartier = QuartierFactory()
    client = client_for(referent)
    url = reverse("territory:finding_add", kwargs={"slug": quartier.slug})
    data = {"kind": Finding.Kind.IRRITANT, "text": "Des trottoirs trop étroits"}
    client.post(url, data)
    client.post(url, data)
    assert Finding.objects.filter(quartier=quartier).count() == 1
    assert ReferentielChange.objects.get().action == "creation"


def test_an_avenant_covers_the_changes_made_before_it(client_for, referent, db):
    objectif = ObjectifFactory()
    services.update(referent, objectif, {"operationnel": "Reformulé"})
    change = ReferentielChange.objects.get()
    client = client_for(referent)
    data = {
        "signed_on": "2027-03-01",
        "title": "Avenant n° 2",
        "text": "Reformule un objectif.",
        "changes": [change.pk],
    }

    client.post(reverse("territory:avenant_add"), data)
    client.post(reverse("territory:avenant_add"), data)

    avenant = Avenant.objects.get()
    assert not avenant.in_progress
    change.refresh_from_db()
    assert change.avenant == avenant
    assert AuditEntry.objects.filter(action="referentiel.avenant", actor=referent).exists()


# --- Retiring an objective ------------------------------------------------------------------


@pytest.fixture
def retired(client_for, referent, db):
    """An objective of Rimbart that the référent retired from today, with a published
    expression about it, and an event that names it."""
    quartier = QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")
    objectif = ObjectifFactory(quartier=quartier, operationnel="Ouvrir un local jeunes")
    expression = ExpressionFactory(quartier=quartier, status=Status.PUBLIEE, objectifs=[objectif])
    event = EvenementFactory(quartiers=[quartier])
    event.objectifs.set([objectif])
    response = client_for(referent).post(
        reverse("territory:objectif_retire", kwargs={"pk": objectif.pk}),
        {"retired_on": timezone.localdate().isoformat(), "retired_reason": "Le local a ouvert"},
    )
    assert response.status_code == 302
    objectif.refresh_from_db()
    return objectif, expression, event


def test_a_retired_objective_leaves_the_expression_form(retired, alice):
    objectif, _expression, _event = retired
    alice.quartier = objectif.quartier
    alice.save()
    form = ExpressionForm(user=alice)
    assert objectif not in form.fields["objectifs"].queryset
    assert objectif.pk not in [o.pk for o in form._all_objectifs]
    sent = ExpressionForm(
        {"quartier": objectif.quartier_id, "objectifs": [objectif.pk]}, user=alice
    )
    sent.is_valid()
    assert sent.errors["objectifs"] == ["Cet objectif n'existe pas ou plus : décochez-le."]


def test_an_expression_about_a_retired_objective_keeps_it_when_its_author_edits_it(retired):
    objectif, expression, _event = retired
    form = ExpressionEditForm(expression=expression)
    assert objectif in form.fields["objectifs"].queryset
    assert [o.pk for o in form._all_objectifs] == [objectif.pk]


def test_a_retired_objective_leaves_the_new_event_form_but_stays_on_its_events(retired):
    objectif, _expression, event = retired
    assert objectif not in EvenementForm().fields["objectifs"].queryset
    assert objectif in EvenementForm(instance=event).fields["objectifs"].queryset


def test_a_retired_objective_keeps_its_expressions_and_shows_on_them(retired, client):
    objectif, expression, event = retired
    assert list(expression.objectifs.all()) == [objectif]
    assert list(event.objectifs.all()) == [objectif]
    assert "Ouvrir un local jeunes" in client.get(expression.get_absolute_url()).content.decode()
    quartier_page = client.get(objectif.quartier.get_absolute_url()).content.decode()
    assert "Les objectifs retirés" in quartier_page
    assert "Le local a ouvert" in quartier_page


def test_an_objective_retired_from_a_later_date_is_still_offered_until_then(db, referent):
    objectif = ObjectifFactory()
    services.retire_objectif(
        referent, objectif, timezone.localdate() + dt.timedelta(days=30), "Fin du dispositif"
    )
    assert objectif in Objectif.objects.in_force()
    assert objectif not in Objectif.objects.in_force(timezone.localdate() + dt.timedelta(days=30))


def test_an_objective_put_back_in_force_is_offered_again(retired, client_for, referent):
    objectif, _expression, _event = retired
    client_for(referent).post(reverse("territory:objectif_restore", kwargs={"pk": objectif.pk}))
    objectif.refresh_from_db()
    assert objectif.retired_on is None
    assert objectif in Objectif.objects.in_force()
    assert list(
        ReferentielChange.objects.filter(target_id=objectif.pk).values_list("action", flat=True)
    ) == ["remise", "retrait"]


def test_retiring_without_a_reason_is_refused_in_french(client_for, referent, db):
    objectif = ObjectifFactory()
    response = client_for(referent).post(
        reverse("territory:objectif_retire", kwargs={"pk": objectif.pk}),
        {"retired_on": "2027-01-01", "retired_reason": ""},
    )
    assert "Dites pourquoi l&#x27;objectif est retiré." in response.content.decode()
    objectif.refresh_from_db()
    assert objectif.retired_on is None


# --- The Espace référent's block ----------------------------------------------------------


def test_the_referent_space_leads_to_the_referential(client_for, referent, db):
    quartier = QuartierFactory(name="Rimbart")
    html = client_for(referent).get(reverse("referent_space")).content.decode()
    assert "Le référentiel du contrat de ville" in html
    assert reverse("territory:quartier_edit", kwargs={"slug": quartier.slug}) in html
    assert reverse("territory:avenant_add") in html


# --- Query counts: the same whatever the amount of data -------------------------------------


def referentiel_of_size(referent, size: int) -> Quartier:
    """A quartier with ``size`` figures, findings and objectives, each changed once, some
    under an avenant, and ``size`` avenants."""
    quartier = QuartierFactory()
    avenants = AvenantFactory.create_batch(size)
    for n in range(size):
        indicator = IndicatorFactory(quartier=quartier)
        finding = FindingFactory(quartier=quartier)
        objectif = ObjectifFactory(quartier=quartier)
        services.update(referent, indicator, {"year": 2020 + n % 5}, avenant=avenants[n])
        services.update(referent, finding, {"text": f"Constat revu {n}"})
        services.retire_objectif(referent, objectif, timezone.localdate(), f"Motif {n}")
    return quartier


def queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm what every page reads once per process
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        lambda q: HISTORY,
        lambda q: f"{HISTORY}?quartier={q.slug}",
        lambda q: q.get_absolute_url(),
        lambda q: MANAGE,
        lambda q: reverse("territory:quartier_edit", kwargs={"slug": q.slug}),
        lambda q: reverse("territory:avenant_add"),
        lambda q: reverse("territory:avenant_edit", kwargs={"pk": Avenant.objects.first().pk}),
        lambda q: reverse("referent_space"),
    ],
    ids=[
        "history",
        "history of a quartier",
        "quartier",
        "manage",
        "quartier edit",
        "avenant add",
        "avenant edit",
        "referent space",
    ],
)
def test_the_referential_pages_make_as_many_queries_for_2_or_12_rows(client_for, referent, db, url):
    small = referentiel_of_size(referent, 2)
    client = client_for(referent)
    small_count = queries(client, url(small))
    large = referentiel_of_size(referent, 12)
    assert queries(client, url(large)) == small_count
