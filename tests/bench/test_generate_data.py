"""The data generator of the bench, at a tiny scale (100 accounts, 400 expressions)."""

import hashlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from participation.core import benchdata

SCALE = "0.002"
DAY = "2026-03-02"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def generate(seed: int = 42) -> str:
    out = io.StringIO()
    call_command("generate_data", "--seed", str(seed), "--scale", SCALE, "--today", DAY, stdout=out)
    return out.getvalue()


def get(label):
    return apps.get_model(label)


def fingerprint() -> str:
    """What the generated data says, without primary keys (they differ after a rollback)."""
    Expression = get("consultations.Expression")
    rows = []
    rows += sorted(
        get("accounts.User")
        .objects.filter(email__endswith="@bench.invalid")
        .values_list("email", "role", "display_name", "quartier__code", "date_joined")
    )
    rows += sorted(
        get("territory.Quartier").objects.values_list("code", "slug", "name", "population")
    )
    rows += sorted(
        get("evenements.Evenement").objects.values_list(
            "title", "kind", "starts_at", "capacity", "status", "quartiers__code"
        )
    )
    rows += sorted(
        get("evenements.Inscription").objects.values_list(
            "evenement__title", "user__email", "status", "adults", "children"
        )
    )
    rows += sorted(
        Expression.objects.values_list(
            "text",
            "status",
            "visibility",
            "source",
            "quartier__code",
            "author__email",
            "created_at",
            "published_at",
            "supports_count",
            "merged_into__created_at",
        )
    )
    rows += sorted(
        Expression.objects.values_list(
            "created_at", "objectifs__quartier__code", "objectifs__position"
        )
    )
    rows += sorted(
        get("consultations.Support").objects.values_list("expression__created_at", "user__email")
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_it_generates_the_volumes_of_its_scale():
    output = generate()

    Expression = get("consultations.Expression")
    assert get("territory.Quartier").objects.count() == 25
    assert get("accounts.User").objects.filter(email__endswith="@bench.invalid").count() == 100
    assert get("evenements.Evenement").objects.count() == 10
    assert get("evenements.Inscription").objects.count() == 100
    assert Expression.objects.count() == 400
    assert set(Expression.objects.values_list("status", flat=True)) == {
        "soumise",
        "publiee",
        "rejetee",
        "fusionnee",
        "transmise",
        "examinee",
        "repondue",
    }
    assert "expressions : 400 lignes" in output


@pytest.mark.django_db
def test_generated_quartiers_carry_the_objectives_of_a_real_one():
    generate()

    Quartier = get("territory.Quartier")
    real = {q.pk: q.objectifs.count() for q in Quartier.objects.exclude(code__startswith="QP 98")}
    assert len(real) == 4
    for quartier in Quartier.objects.filter(code__startswith="QP 98"):
        assert quartier.objectifs.count() in real.values()
        assert quartier.indicators.exists()


@pytest.mark.django_db
def test_generated_expressions_are_consistent_with_their_path():
    generate()

    Expression = get("consultations.Expression")
    for expression in Expression.objects.prefetch_related("objectifs", "steps", "supports"):
        assert all(o.quartier_id == expression.quartier_id for o in expression.objectifs.all())
        assert expression.steps.all()[0].status == "soumise"
        assert expression.steps.all()[len(expression.steps.all()) - 1].status == expression.status
        assert expression.supports_count == len(expression.supports.all())
        if expression.status == "fusionnee":
            assert expression.merged_into is None or (
                expression.merged_into.quartier_id == expression.quartier_id
            )
    assert Expression.objects.filter(supports_count__gt=0).exists()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    generate(seed=42)
    first = fingerprint()
    benchdata.delete_generated()

    generate(seed=42)

    assert fingerprint() == first


@pytest.mark.django_db
def test_another_seed_gives_other_data():
    generate(seed=42)
    first = fingerprint()
    benchdata.delete_generated()

    generate(seed=7)

    assert fingerprint() != first


@pytest.mark.django_db
def test_it_refuses_to_generate_twice_in_the_same_database():
    generate()

    with pytest.raises(CommandError, match="déjà là"):
        generate()


@pytest.mark.django_db
def test_it_skips_a_step_whose_model_does_not_exist_yet_and_says_so(monkeypatch):
    steps = (*benchdata.STEPS, benchdata.Step("séances", ("consultations.Seance",), None))
    monkeypatch.setattr(benchdata, "STEPS", steps)
    monkeypatch.setattr(benchdata, "has_model", lambda label: label != "consultations.Seance")

    output = generate()

    assert "séances : modèle consultations.Seance absent, étape ignorée" in output


@pytest.mark.django_db
def test_it_refuses_a_database_that_is_not_a_bench_or_test_one(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    monkeypatch.setitem(connection.settings_dict, "NAME", "participation")

    with pytest.raises(CommandError, match="bench"):
        generate()


@pytest.mark.django_db
def test_routed_expressions_have_their_transmission_agenda_and_answer():
    generate()

    Expression = get("consultations.Expression")
    routed = Expression.objects.filter(status__in=["transmise", "examinee", "repondue"])
    assert routed.exists()
    assert not routed.filter(transmissions__isnull=True).exists()
    examined = Expression.objects.filter(status__in=["examinee", "repondue"])
    assert not examined.filter(agenda_entries__isnull=True).exists()
    assert not Expression.objects.filter(status="repondue", reponses__isnull=True).exists()
    assert not Expression.objects.exclude(status="repondue").filter(reponses__isnull=False).exists()
    assert get("consultations.Etiquette").objects.filter(expressions__isnull=False).exists()
