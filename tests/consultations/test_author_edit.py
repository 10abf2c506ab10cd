"""The author corrects an expression no mediator has read yet (expressions.services)."""

import pytest
from django.core.exceptions import ValidationError

from consultations.expressions import services
from consultations.models import Expression
from consultations.moderation import services as moderation
from consultations.transitions import TransitionError
from participation.audit.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=True)  # the live event leaves after commit


def submitted(alice, rimbart, mediation_rimbart):
    expression, _created = services.submit(
        author=alice,
        quartier=rimbart,
        text="Le square est mal éclairé le soir.",
        objectifs=[mediation_rimbart],
    )
    return expression


def corrected(expression, user, **changes):
    """The author's correction: what ``changes`` names, the rest as it was."""
    return services.update_by_author(
        expression,
        user=user,
        quartier=changes.get("quartier", expression.quartier),
        text=changes.get("text", expression.text),
        objectifs=changes.get("objectifs", list(expression.objectifs.all())),
        visibility=expression.visibility,
    )


def test_the_author_moves_her_expression_to_another_quartier_and_the_queues_hear_it(
    alice, rimbart, cite5, mediation_rimbart, jardin_cite5, live_events
):
    expression = submitted(alice, rimbart, mediation_rimbart)
    live_events.clear()

    corrected(
        expression,
        alice,
        quartier=cite5,
        text="Le jardin partagé manque d'eau.",
        objectifs=[jardin_cite5],
    )

    stored = Expression.objects.get(pk=expression.pk)
    assert (stored.quartier, stored.text) == (cite5, "Le jardin partagé manque d'eau.")
    assert list(stored.objectifs.all()) == [jardin_cite5]
    assert stored.objectifs_unknown is False
    # The open moderation queues are told, with the new quartier (staff of Cité 5's commune).
    updates = [event for _group, event in live_events if event["type"] == "expression.updated"]
    assert updates == [{"type": "expression.updated", "id": expression.pk, "quartier": cite5.pk}]
    entry = AuditEntry.objects.get(action="expression.modifiee_par_auteur")
    assert entry.after["length"] == len("Le jardin partagé manque d'eau.")


def test_objectives_of_another_quartier_are_refused_and_nothing_changes(
    alice, rimbart, cite5, mediation_rimbart, jardin_cite5
):
    expression = submitted(alice, rimbart, mediation_rimbart)

    with pytest.raises(ValidationError) as refused:
        corrected(expression, alice, text="Autre chose.", objectifs=[jardin_cite5])

    assert "objectif" in " ".join(refused.value.messages).lower()
    stored = Expression.objects.get(pk=expression.pk)
    assert (stored.quartier, stored.text) == (rimbart, "Le square est mal éclairé le soir.")
    assert list(stored.objectifs.all()) == [mediation_rimbart]
    assert not AuditEntry.objects.filter(action="expression.modifiee_par_auteur").exists()


def test_once_a_mediator_has_read_it_the_author_is_told_it_can_no_longer_change(
    alice, mediateur, rimbart, mediation_rimbart
):
    expression = submitted(alice, rimbart, mediation_rimbart)
    moderation.publish(expression.pk, actor=mediateur)

    with pytest.raises(TransitionError) as refused:
        corrected(expression, alice, text="Trop tard.")

    assert "ne peut plus être modifiée" in refused.value.message
    assert Expression.objects.get(pk=expression.pk).text == "Le square est mal éclairé le soir."
