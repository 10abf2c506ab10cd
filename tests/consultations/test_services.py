"""The expression's path: the transitions table and the one door every transition goes through."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consultations import rules, transitions
from consultations.expressions import services
from consultations.models import Expression, Status
from participation.audit.models import AuditEntry
from participation.notifications.models import Email, Notification
from tests.together import run_together

from .factories import ExpressionFactory, ObjectifFactory

ALL = list(Status)
ALLOWED = {
    (Status.SOUMISE, Status.PUBLIEE),
    (Status.SOUMISE, Status.REJETEE),
    (Status.PUBLIEE, Status.FUSIONNEE),
    (Status.PUBLIEE, Status.TRANSMISE),
    (Status.TRANSMISE, Status.EXAMINEE),
    (Status.EXAMINEE, Status.REPONDUE),
}


def test_the_table_is_the_path_of_design_md():
    table = {
        (start, end) for start, ends in transitions.ALLOWED_TRANSITIONS.items() for end in ends
    }

    assert table == ALLOWED
    assert set(transitions.ALLOWED_TRANSITIONS) == set(Status)


@pytest.mark.django_db
@pytest.mark.parametrize("start", ALL)
@pytest.mark.parametrize("end", ALL)
def test_every_transition_is_allowed_or_refused_as_the_path_says(start, end, mediateur, alice):
    expression = ExpressionFactory(author=alice, status=start)

    if (start, end) in ALLOWED:
        transitions.change_status(
            expression, to=end, actor=mediateur, allowed=rules.can_moderate, note="n"
        )
        expression.refresh_from_db()
        assert expression.status == end
        assert AuditEntry.objects.filter(action=f"expression.{end}", actor=mediateur).exists()
    else:
        with pytest.raises(transitions.TransitionError) as error:
            transitions.change_status(
                expression, to=end, actor=mediateur, allowed=rules.can_moderate
            )
        assert "ne peut pas devenir" in error.value.message
        expression.refresh_from_db()
        assert expression.status == start
        assert not AuditEntry.objects.filter(action=f"expression.{end}").exists()


@pytest.mark.django_db
def test_a_transition_writes_the_step_the_audit_entry_notifies_and_broadcasts(
    mediateur, alice, live_events, django_capture_on_commit_callbacks
):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    with django_capture_on_commit_callbacks(execute=True):
        transitions.change_status(
            expression,
            to=Status.REJETEE,
            actor=mediateur,
            allowed=rules.can_moderate,
            note="Il donne le nom d'un voisin.",
            public=False,
        )

    expression.refresh_from_db()
    step = expression.steps.last()
    assert (step.status, step.note, step.public, step.actor) == (
        Status.REJETEE,
        "Il donne le nom d'un voisin.",
        False,
        mediateur,
    )
    entry = AuditEntry.objects.get(action="expression.rejetee")
    assert entry.before == {"status": "soumise"} and entry.after["status"] == "rejetee"
    assert entry.reason == "Il donne le nom d'un voisin."
    assert "Il donne le nom d'un voisin." in Notification.objects.get(user=alice).message
    assert len(mail.outbox) == 1 and "Il donne le nom" in mail.outbox[0].body
    assert (
        "moderation",
        {
            "type": "expression.status",
            "id": expression.pk,
            "status": "rejetee",
            "before": "soumise",
            # Who acted: a colleague's queue marks the row instead of moving it (issue 17).
            "by": mediateur.pk,
            # Whose queues hear of it: the staff of its quartier's communes (issue 18).
            "quartier": expression.quartier_id,
        },
    ) in live_events


@pytest.mark.django_db
def test_publishing_sets_the_publication_date(mediateur, alice):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    transitions.change_status(
        expression, to=Status.PUBLIEE, actor=mediateur, allowed=rules.can_moderate
    )

    expression.refresh_from_db()
    assert expression.published_at is not None


@pytest.mark.django_db
def test_a_role_that_may_not_act_changes_nothing(alice, bob):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    with pytest.raises(PermissionDenied):
        transitions.change_status(
            expression, to=Status.PUBLIEE, actor=bob, allowed=rules.can_moderate
        )

    expression.refresh_from_db()
    assert expression.status == Status.SOUMISE
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_the_second_of_two_identical_actions_is_told_it_came_too_late(mediateur, referent, alice):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)
    stale_copy = Expression.objects.get(pk=expression.pk)

    transitions.change_status(
        expression, to=Status.PUBLIEE, actor=mediateur, allowed=rules.can_moderate
    )
    with pytest.raises(transitions.TransitionError) as error:
        # The row is re-read under lock: the stale status in memory does not matter.
        transitions.change_status(
            stale_copy, to=Status.REJETEE, actor=referent, allowed=rules.can_moderate
        )

    assert "rechargez la page" in error.value.message
    assert Expression.objects.get(pk=expression.pk).status == Status.PUBLIEE


@pytest.mark.django_db
def test_a_field_expression_notifies_the_consenting_contact_by_email(mediateur, rimbart):
    expression, _created = services.record_in_field(
        mediator=mediateur,
        quartier=rimbart,
        text="Plus de bancs",
        source="stand",
        contact="josiane@example.org",
        contact_consent=True,
    )

    transitions.change_status(
        expression, to=Status.PUBLIEE, actor=mediateur, allowed=rules.can_moderate
    )

    # One email on recording, one on publication; nobody else is written to.
    assert set(Email.objects.values_list("to", flat=True)) == {"josiane@example.org"}
    assert Email.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs("postgresql")  # row locks between two connections
def test_two_mediators_acting_at_the_same_moment_make_exactly_one_transition(
    mediateur, referent, alice
):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)
    outcomes = []

    def act(actor, target):
        def run():
            try:
                transitions.change_status(
                    expression.pk, to=target, actor=actor, allowed=rules.can_moderate
                )
                outcomes.append("ok")
            except transitions.TransitionError:
                outcomes.append("refusé")

        return run

    run_together([act(mediateur, Status.PUBLIEE), act(referent, Status.REJETEE)])

    assert sorted(outcomes) == ["ok", "refusé"]
    expression.refresh_from_db()
    assert expression.steps.count() == 2  # soumise, then the one that won
    assert AuditEntry.objects.filter(target_id=str(expression.pk)).count() == 1


@pytest.mark.django_db
def test_a_field_expression_cannot_name_an_objectif_retired_on_the_day_it_was_said(
    mediateur, rimbart
):
    retired = ObjectifFactory(
        quartier=rimbart, retired_on=timezone.localdate() - timezone.timedelta(days=2)
    )

    with pytest.raises(ValidationError) as refused:
        services.record_in_field(
            mediator=mediateur,
            quartier=rimbart,
            text="Plus de bancs",
            source="stand",
            objectifs=[retired],
        )
    assert "est retiré depuis le" in refused.value.message_dict["objectifs"][0]

    said_before = timezone.now() - timezone.timedelta(days=5)
    expression, _created = services.record_in_field(
        mediator=mediateur,
        quartier=rimbart,
        text="Plus de bancs",
        source="stand",
        objectifs=[retired],
        said_at=said_before,
    )
    assert list(expression.objectifs.all()) == [retired]
