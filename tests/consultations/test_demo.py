"""The demo content: a few hundred believable expressions, the same every time, loaded once."""

import io

import pytest
from django.core.management import call_command

from consultations import demo
from consultations.models import Consultation, Expression, Source, Status, Support


@pytest.fixture
def referentiel_and_accounts(db):
    from participation.accounts import demo as accounts_demo

    call_command("load_referentiel", stdout=io.StringIO())
    accounts_demo.load(io.StringIO())


def snapshot():
    return sorted(
        Expression.objects.values_list(
            "idempotency_key", "text", "status", "source", "quartier__slug"
        )
    )


@pytest.mark.django_db
def test_the_demo_is_idempotent_and_deterministic(referentiel_and_accounts):
    demo.load(io.StringIO())
    first = snapshot()
    demo.load(io.StringIO())

    assert snapshot() == first
    assert len(first) == demo.COUNT

    Expression.objects.all().delete()
    demo.load(io.StringIO())
    assert snapshot() == first


@pytest.mark.django_db
def test_the_demo_covers_quartiers_sources_statuses_and_consultations(referentiel_and_accounts):
    demo.load(io.StringIO())

    assert Expression.objects.values("quartier").distinct().count() == 4
    assert set(Expression.objects.values_list("status", flat=True)) == set(Status)
    assert set(Expression.objects.values_list("source", flat=True)) >= {
        Source.EN_LIGNE,
        Source.STAND,
        Source.TABLE_RONDE,
    }
    assert Expression.objects.filter(objectifs__isnull=False).exists()
    closed = Consultation.objects.get(slug="bilan-nos-quartiers-ete-2026")
    assert closed.is_closed and Consultation.objects.get(slug="table-ronde-jeunesse").is_open()
    # Each expression's timeline ends on its status; the « moi aussi » counters add up.
    for expression in Expression.objects.prefetch_related("steps")[:50]:
        assert [s.status for s in expression.steps.all()][-1] == expression.status
    assert (
        sum(Expression.objects.values_list("supports_count", flat=True)) == Support.objects.count()
    )


@pytest.mark.django_db
def test_without_the_referential_the_demo_skips_gracefully():
    out = io.StringIO()

    demo.load(out)

    assert "Référentiel absent" in out.getvalue()
    assert not Expression.objects.exists()
