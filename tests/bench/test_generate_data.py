"""The data generator of the bench, at a tiny scale (100 accounts, 400 expressions)."""

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from bench.data import EMAIL_DOMAIN, GenerationError, driver
from consultations.models import (
    ROUTED_STATUSES,
    Etiquette,
    Expression,
    Source,
    Status,
    Support,
)
from evenements.models import Evenement, Inscription
from participation.accounts.models import User
from participation.territory.models import Quartier

BASE_DIR = Path(__file__).resolve().parents[2]
SCALE = 0.002
DAY = dt.date(2026, 3, 2)


def generate(seed: int = 42) -> str:
    lines: list[str] = []
    driver.run(seed=seed, scale=SCALE, today=DAY, write=lines.append)
    return "\n".join(lines)


def generated_users():
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")


def fingerprint() -> str:
    """What the generated data says, without primary keys (they differ after a rollback)."""
    rows = []
    rows += sorted(
        generated_users().values_list(
            "email", "role", "display_name", "quartier__code", "date_joined"
        )
    )
    rows += sorted(Quartier.objects.values_list("code", "slug", "name", "population"))
    rows += sorted(
        Evenement.objects.values_list(
            "title", "kind", "starts_at", "capacity", "status", "quartiers__code"
        )
    )
    rows += sorted(
        Inscription.objects.values_list(
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
    rows += sorted(Support.objects.values_list("expression__created_at", "user__email"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db
def test_it_generates_the_volumes_of_its_scale():
    output = generate()

    assert Quartier.objects.count() == 25
    assert generated_users().count() == 100
    assert Evenement.objects.count() == 10
    assert Inscription.objects.count() == 100
    assert Expression.objects.count() == 400
    assert set(Expression.objects.values_list("status", flat=True)) == set(Status)
    assert "expressions : 400 lignes" in output


@pytest.mark.django_db
def test_generated_quartiers_carry_the_objectives_of_a_real_one():
    generate()

    real = {q.pk: q.objectifs.count() for q in Quartier.objects.exclude(code__startswith="QP 98")}
    assert len(real) == 4
    for quartier in Quartier.objects.filter(code__startswith="QP 98"):
        assert quartier.objectifs.count() in real.values()
        assert quartier.indicators.exists()


@pytest.mark.django_db
def test_generated_expressions_are_consistent_with_their_path():
    generate()

    for expression in Expression.objects.prefetch_related("objectifs", "steps", "supports"):
        assert all(o.quartier_id == expression.quartier_id for o in expression.objectifs.all())
        assert expression.steps.all()[0].status == Status.SOUMISE
        assert expression.steps.all()[len(expression.steps.all()) - 1].status == expression.status
        assert expression.supports_count == len(expression.supports.all())
        if expression.status == Status.FUSIONNEE:
            assert expression.merged_into is None or (
                expression.merged_into.quartier_id == expression.quartier_id
            )
    assert Expression.objects.filter(supports_count__gt=0).exists()


@pytest.mark.django_db
def test_expressions_come_online_or_from_every_kind_of_field_meeting():
    generate()

    assert set(Expression.objects.values_list("source", flat=True)) == set(Source)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data():
    generate(seed=42)
    first = fingerprint()
    driver.delete_generated()

    generate(seed=42)

    assert fingerprint() == first


@pytest.mark.django_db
def test_another_seed_gives_other_data():
    generate(seed=42)
    first = fingerprint()
    driver.delete_generated()

    generate(seed=7)

    assert fingerprint() != first


@pytest.mark.django_db
def test_it_refuses_to_generate_twice_in_the_same_database():
    generate()

    with pytest.raises(GenerationError, match="déjà là"):
        generate()


@pytest.mark.django_db
def test_it_refuses_a_database_that_is_not_a_bench_or_test_one(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    monkeypatch.setitem(connection.settings_dict, "NAME", "participation")

    with pytest.raises(GenerationError, match="bench"):
        generate()

    assert not generated_users().exists()


def test_it_runs_as_a_module_and_says_why_it_refuses():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}

    result = subprocess.run(
        [sys.executable, "-m", "bench.data", "--scale", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    assert "L'échelle doit être comprise entre 0 (exclu) et 10." in result.stderr


@pytest.mark.django_db
def test_routed_expressions_have_their_transmission_agenda_and_answer():
    generate()

    routed = Expression.objects.filter(status__in=ROUTED_STATUSES)
    assert routed.exists()
    assert not routed.filter(transmissions__isnull=True).exists()
    examined = Expression.objects.filter(status__in=[Status.EXAMINEE, Status.REPONDUE])
    assert not examined.filter(agenda_entries__isnull=True).exists()
    assert not Expression.objects.filter(status=Status.REPONDUE, reponses__isnull=True).exists()
    assert (
        not Expression.objects.exclude(status=Status.REPONDUE)
        .filter(reponses__isnull=False)
        .exists()
    )
    assert Etiquette.objects.filter(expressions__isnull=False).exists()
