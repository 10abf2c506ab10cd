"""Two mediators act on the same expression at the same moment: exactly one wins."""

import pytest
from django.core.exceptions import ValidationError

from consultations import transitions
from consultations.models import Expression, Status, Support, Transmission
from consultations.moderation import aiguillage
from consultations.moderation import services as moderation
from participation.audit.models import AuditEntry
from tests.consultations.factories import ExpressionFactory
from tests.factories import UserFactory
from tests.together import run_together

from .conftest import convention_instance

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.needs("postgresql"),  # row locks between two connections
]


def at_the_same_moment(*actions):
    """Run each action in its own thread (its own connection), released together."""
    outcomes = [None] * len(actions)

    def outcome_of(index, action):
        def run():
            try:
                action()
                outcomes[index] = "ok"
            except transitions.TransitionError as error:
                outcomes[index] = error.message
            except ValidationError as error:
                outcomes[index] = " ".join(error.messages)

        return run

    run_together([outcome_of(index, action) for index, action in enumerate(actions)])
    return outcomes


def test_publish_and_reject_at_the_same_moment_make_exactly_one_transition(
    mediateur, referent, alice
):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    outcomes = at_the_same_moment(
        lambda: moderation.publish(expression.pk, actor=mediateur),
        lambda: moderation.reject(expression.pk, actor=referent, reason="hors_sujet"),
    )

    assert outcomes.count("ok") == 1
    refused = next(o for o in outcomes if o != "ok")
    assert "Quelqu'un l'a peut-être traitée entre-temps" in refused
    expression.refresh_from_db()
    assert expression.status in (Status.PUBLIEE, Status.REJETEE)
    assert [s.status for s in expression.steps.all()] == [Status.SOUMISE, expression.status]
    assert AuditEntry.objects.filter(target_id=str(expression.pk)).count() == 1


def test_two_mediators_routing_at_once_send_it_once(mediateur, referent, alice):
    copil = convention_instance("comite-pilotage-cohesion-sociale")
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)

    outcomes = at_the_same_moment(
        lambda: aiguillage.route(expression.pk, actor=mediateur, instances=[copil]),
        lambda: aiguillage.route(expression.pk, actor=referent, instances=[copil]),
    )

    assert sorted(o == "ok" for o in outcomes) == [False, True]
    assert Transmission.objects.filter(expression=expression).count() == 1
    assert Expression.objects.get(pk=expression.pk).status == Status.TRANSMISE


def test_two_merges_into_each_other_at_once_do_not_deadlock_nor_lose_supports(
    mediateur, referent, rimbart
):
    first = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE)
    second = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE)
    for expression in (first, second):
        Support.objects.create(expression=expression, user=UserFactory())

    outcomes = at_the_same_moment(
        lambda: moderation.merge(first.pk, into=second.pk, actor=mediateur),
        lambda: moderation.merge(second.pk, into=first.pk, actor=referent),
    )

    assert outcomes.count("ok") == 1
    assert "on ne regroupe qu'avec une expression publiée" in "".join(outcomes)
    kept = Expression.objects.exclude(status=Status.FUSIONNEE).get(pk__in=[first.pk, second.pk])
    # Two supporters, plus the merged one's author.
    assert kept.supports_count == Support.objects.filter(expression=kept).count() == 3
