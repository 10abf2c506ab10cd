"""The counts of published expressions the public pages show are kept by the writes that
change them (consultations.models.tally), and always equal a count of the rows."""

import io
from functools import partial

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from consultations.models import Expression, ObjectifTally, QuartierTally, Source, Status
from consultations.models import tally as tallies
from consultations.moderation import services as moderation
from consultations.rgpd import erase
from tests.together import run_together

from .factories import ExpressionFactory, ObjectifFactory

pytestmark = pytest.mark.django_db


def counted(quartier) -> tuple[int, int, dict[int, int]]:
    """What the pages show for ``quartier``: published, of which in the field, per objective."""
    row = tallies.quartier_counts(quartier)
    return row.published, row.field, tallies.objectif_counts(quartier)


def recounted(quartier) -> tuple[int, int, dict[int, int]]:
    """The same, counted from the rows."""
    listed = Expression.objects.listed().filter(quartier=quartier)
    figures = listed.aggregate(
        published=Count("pk"), field=Count("pk", filter=~Q(source=Source.EN_LIGNE))
    )
    per_objectif = dict(
        Expression.objectifs.through.objects.filter(expression__in=listed)
        .values("objectif_id")
        .annotate(count=Count("pk"))
        .values_list("objectif_id", "count")
    )
    return figures["published"], figures["field"], per_objectif


@pytest.fixture
def counting(rimbart, cite5):
    """Both quartiers already counted once (their rows exist): from then on, only the
    writes move the counts."""
    tallies.quartier_counts(rimbart)
    tallies.quartier_counts(cite5)


def test_publishing_rejecting_and_hiding_move_the_counts_of_the_quartier_and_objectives(
    counting, rimbart, mediation_rimbart, mediateur
):
    waiting = ExpressionFactory(quartier=rimbart, objectifs=[mediation_rimbart])
    other = ExpressionFactory(quartier=rimbart, source=Source.STAND)
    assert counted(rimbart) == (0, 0, {})

    moderation.publish(waiting.pk, actor=mediateur)
    moderation.publish(other.pk, actor=mediateur)
    assert counted(rimbart) == (2, 1, {mediation_rimbart.pk: 1}) == recounted(rimbart)

    moderation.set_objectifs(other.pk, actor=mediateur, objectifs=[mediation_rimbart])
    assert counted(rimbart) == (2, 1, {mediation_rimbart.pk: 2}) == recounted(rimbart)

    moderation.set_objectifs(other.pk, actor=mediateur, objectifs=[])
    flagged = Expression.objects.get(pk=waiting.pk)
    flagged.visibility = "privee"
    flagged.save(update_fields=["visibility"])
    assert counted(rimbart) == (1, 1, {}) == recounted(rimbart)


def test_a_new_expression_counts_once_published_and_a_rejected_one_never(
    counting, rimbart, mediateur
):
    rejected = ExpressionFactory(quartier=rimbart)
    moderation.reject(rejected.pk, actor=mediateur, reason="hors_sujet")
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE)
    assert counted(rimbart) == (1, 0, {}) == recounted(rimbart)


def test_moving_an_expression_to_another_quartier_moves_its_count(counting, rimbart, cite5):
    expression = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE)
    expression.quartier = cite5
    expression.save()
    assert counted(rimbart) == (0, 0, {}) == recounted(rimbart)
    assert counted(cite5) == (1, 0, {}) == recounted(cite5)


def test_erasing_an_account_uncounts_its_deleted_expressions(
    counting, rimbart, mediation_rimbart, alice
):
    ExpressionFactory(
        author=alice, quartier=rimbart, status=Status.PUBLIEE, objectifs=[mediation_rimbart]
    )
    assert counted(rimbart) == (1, 0, {mediation_rimbart.pk: 1})
    erase(alice, keep_public_expressions=False)
    assert counted(rimbart) == (0, 0, {}) == recounted(rimbart)


def test_linking_from_the_objective_side_counts_too(counting, rimbart, mediation_rimbart):
    expressions = ExpressionFactory.create_batch(3, quartier=rimbart, status=Status.PUBLIEE)
    ExpressionFactory(quartier=rimbart)  # soumise: not counted
    mediation_rimbart.expressions.add(*expressions, Expression.objects.last())
    assert counted(rimbart)[2] == {mediation_rimbart.pk: 3} == recounted(rimbart)[2]
    mediation_rimbart.expressions.clear()
    assert counted(rimbart)[2] == {} == recounted(rimbart)[2]


def test_an_objective_added_after_its_quartier_was_counted_starts_at_its_first_link(
    counting, rimbart
):
    new = ObjectifFactory(quartier=rimbart)
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE, objectifs=[new])
    assert counted(rimbart)[2] == {new.pk: 1} == recounted(rimbart)[2]


def test_a_quartier_never_counted_is_counted_on_its_first_reading(rimbart, mediation_rimbart):
    # An import that bypasses the writes keeping the counts, before any reading.
    Expression.objects.bulk_create(
        [Expression(quartier=rimbart, text="Un banc.", status=Status.PUBLIEE)]
    )
    assert not QuartierTally.objects.exists()
    assert counted(rimbart) == (1, 0, {}) == recounted(rimbart)
    assert tallies.published_total() == 1


def test_recount_expressions_repairs_counts_after_a_bulk_import(counting, rimbart):
    Expression.objects.bulk_create(
        [Expression(quartier=rimbart, text=f"Un banc {n}.", status=Status.PUBLIEE) for n in "ab"]
    )
    assert counted(rimbart)[0] == 0  # the import bypassed the counts
    call_command("recount_expressions", stdout=io.StringIO())
    assert counted(rimbart) == (2, 0, {}) == recounted(rimbart)


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs("postgresql")  # two connections at once
def test_concurrent_publications_all_count(rimbart, mediation_rimbart, mediateur):
    tallies.quartier_counts(rimbart)
    waiting = [
        ExpressionFactory(quartier=rimbart, objectifs=[mediation_rimbart]).pk for _ in range(4)
    ]
    run_together([partial(moderation.publish, pk, actor=mediateur) for pk in waiting])
    assert counted(rimbart) == (4, 0, {mediation_rimbart.pk: 4}) == recounted(rimbart)
    assert ObjectifTally.objects.get(objectif=mediation_rimbart).published == 4
