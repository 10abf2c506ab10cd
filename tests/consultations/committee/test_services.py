"""Séances, agenda and answers: every write through consultations.committee, with its rules."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consultations.committee import services as committee
from consultations.committee.forms import SeanceForm
from consultations.models import (
    AgendaItem,
    Decision,
    Expression,
    ExpressionStep,
    Reponse,
    Source,
    Status,
)
from participation.audit.models import AuditEntry
from participation.core import realtime
from participation.notifications.models import Notification

from .factories import SeanceFactory, on_agenda, routed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seance_a(instance_a):
    return SeanceFactory(instance=instance_a)


def test_a_member_prepares_a_seance_of_their_instance(comite, instance_a, instance_b):
    data = {
        "instance": instance_a.pk,
        "title": "Comité de pilotage annuel",
        "starts_at": "2026-12-03T18:00",
        "place": "Salle du conseil",
    }
    form = SeanceForm(data, user=comite)
    assert form.is_valid(), form.errors
    seance = committee.save_seance(form, actor=comite)
    assert seance.instance == instance_a and seance.created_by == comite
    assert AuditEntry.objects.filter(action="seance.creee", target_id=str(seance.pk)).exists()

    other = SeanceForm({**data, "instance": instance_b.pk}, user=comite)
    assert not other.is_valid()
    assert "Vous ne siégez pas dans cette instance." in other.errors["instance"]


def test_a_seance_form_keeps_what_was_typed_and_says_what_is_missing(comite, instance_a):
    form = SeanceForm({"instance": instance_a.pk, "title": "Séance", "place": " "}, user=comite)
    assert not form.is_valid()
    assert form.errors["starts_at"] == ["Indiquez la date et l'heure de la séance."]
    assert form.errors["place"] == ["Indiquez le lieu de la séance."]
    assert form["title"].value() == "Séance"


def test_routed_expressions_go_on_the_agenda_alone_or_grouped(comite, seance_a, instance_a):
    first, second, third = (routed(instance_a) for _ in range(3))

    alone = committee.add_to_agenda(seance_a, [first, second], actor=comite)
    assert len(alone) == 2 and all(item.title == "" for item in alone)
    [group] = committee.add_to_agenda(
        SeanceFactory(instance=instance_a), [third], actor=comite, group_title="Éclairage"
    )
    assert group.title == "Éclairage"
    assert [i.position for i in seance_a.items.order_by("position")] == [1, 2]


def test_an_expression_not_routed_to_the_instance_never_goes_on_its_agenda(
    comite, seance_a, instance_b
):
    theirs = routed(instance_b)
    with pytest.raises(PermissionDenied):
        committee.add_to_agenda(seance_a, [theirs], actor=comite)
    assert not AgendaItem.objects.exists()


def test_an_expression_waiting_on_another_agenda_or_answered_is_refused(
    comite, seance_a, instance_a
):
    waiting = routed(instance_a)
    answered = routed(instance_a, status=Status.REPONDUE)
    committee.add_to_agenda(SeanceFactory(instance=instance_a), [waiting], actor=comite)

    with pytest.raises(ValidationError) as error:
        committee.add_to_agenda(seance_a, [waiting, answered], actor=comite)
    messages = " ".join(error.value.messages)
    assert f"n° {answered.pk} est « répondue »" in messages
    assert f"n° {waiting.pk} attend déjà sa réponse" in messages
    assert not seance_a.items.exists()


def test_a_member_of_another_instance_cannot_touch_the_seance(claire, seance_a, instance_a):
    expression = routed(instance_a)
    with pytest.raises(PermissionDenied):
        committee.add_to_agenda(seance_a, [expression], actor=claire)
    item = on_agenda(seance_a, expression)
    with pytest.raises(PermissionDenied):
        committee.record_answer(item, actor=claire, decision=Decision.RETENUE, text="Oui.")
    with pytest.raises(PermissionDenied):
        committee.mark_examined(seance_a, actor=claire)
    expression.refresh_from_db()
    assert expression.status == Status.TRANSMISE


def test_after_the_seance_its_expressions_become_examinees_and_authors_are_told(
    comite, seance_a, instance_a, alice, live_events, django_capture_on_commit_callbacks
):
    mine = routed(instance_a, author=alice)
    already = routed(instance_a, status=Status.EXAMINEE)
    on_agenda(seance_a, mine)
    on_agenda(seance_a, already)

    with django_capture_on_commit_callbacks(execute=True):
        moved = committee.mark_examined(seance_a, actor=comite)

    assert moved == 1
    mine.refresh_from_db()
    seance_a.refresh_from_db()
    assert mine.status == Status.EXAMINEE and seance_a.is_held
    step = mine.steps.get(status=Status.EXAMINEE)
    assert seance_a.instance.name in step.note and step.actor == comite
    assert Notification.objects.filter(user=alice, message__contains="examinée").exists()
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert (realtime.COMITE_GROUP, {"type": "seance.examined", "id": seance_a.pk,
            "instance": instance_a.pk, "count": 1}) in live_events  # fmt: skip


def test_an_answer_moves_every_expression_of_the_point_to_repondue(
    comite, seance_a, instance_a, alice, bob, live_events, django_capture_on_commit_callbacks
):
    waiting = routed(instance_a, author=alice)
    examined = routed(instance_a, author=bob, status=Status.EXAMINEE)
    item = on_agenda(seance_a, waiting, examined, title="Éclairage rue Jean Jaurès")

    with django_capture_on_commit_callbacks(execute=True):
        reponse = committee.record_answer(
            item,
            actor=comite,
            decision=Decision.RETENUE,
            text="Les lampadaires seront remplacés en mars, rue Jean Jaurès.",
        )

    assert set(reponse.expressions.values_list("pk", flat=True)) == {waiting.pk, examined.pk}
    assert reponse.public and reponse.instance == instance_a and reponse.answered_by == comite
    for expression in (waiting, examined):
        expression.refresh_from_db()
        assert expression.status == Status.REPONDUE
        answer_step = expression.steps.get(status=Status.REPONDUE)
        assert "Décision : retenue." in answer_step.note
        assert "remplacés en mars" in answer_step.note and answer_step.public
    # The one still « transmise » went through « examinée » on the way.
    assert [s.status for s in waiting.steps.order_by("created_at", "pk")][-2:] == [
        Status.EXAMINEE,
        Status.REPONDUE,
    ]
    bodies = {m.to[0]: m.body for m in mail.outbox if "réponse" in m.body}
    assert "remplacés en mars" in bodies[alice.email] and "remplacés en mars" in bodies[bob.email]
    assert AuditEntry.objects.filter(action="reponse.enregistree", actor=comite).exists()
    assert any(
        group == realtime.COMITE_GROUP and event["type"] == "expression.answered"
        for group, event in live_events
    )


def test_a_seance_whose_date_has_not_come_neither_examines_nor_answers(comite, instance_a, alice):
    coming = SeanceFactory(instance=instance_a, starts_at=timezone.now() + dt.timedelta(days=18))
    expression = routed(instance_a, author=alice)
    item = on_agenda(coming, expression)

    with pytest.raises(ValidationError, match="n'a pas encore eu lieu"):
        committee.mark_examined(coming, actor=comite)
    with pytest.raises(ValidationError, match="corrigez d'abord sa date"):
        committee.record_answer(
            item, actor=comite, decision=Decision.RETENUE, text="Les bancs arrivent en avril."
        )

    expression.refresh_from_db()
    assert expression.status == Status.TRANSMISE
    assert not expression.steps.filter(status__in=[Status.EXAMINEE, Status.REPONDUE]).exists()
    coming.refresh_from_db()
    assert coming.examined_at is None


def test_the_answer_is_signed_with_the_instance_named_once(comite, seance_a, instance_a, alice):
    expression = routed(instance_a, author=alice)
    item = on_agenda(seance_a, expression)

    reponse = committee.record_answer(
        item, actor=comite, decision=Decision.RETENUE, text="Les bancs arrivent en avril."
    )

    signature = committee.answer_note(reponse).splitlines()[-1]
    assert signature.count(str(instance_a)) == 1
    assert signature.startswith(f"— {instance_a}, séance du ")


def test_a_private_answer_stays_on_the_authors_timeline_only(comite, seance_a, instance_a):
    expression = routed(instance_a)
    item = on_agenda(seance_a, expression)
    committee.record_answer(
        item, actor=comite, decision=Decision.NON_RETENUE, text="Hors compétence.", public=False
    )
    step = ExpressionStep.objects.get(expression=expression, status=Status.REPONDUE)
    assert not step.public


def test_a_field_expression_with_a_consented_email_gets_the_answer_by_email(
    comite, seance_a, instance_a, mediateur, django_capture_on_commit_callbacks
):
    expression = routed(
        instance_a,
        author=None,
        recorded_by=mediateur,
        source=Source.STAND,
        contact="voisine@example.org",
        contact_consent=True,
    )
    item = on_agenda(seance_a, expression)
    with django_capture_on_commit_callbacks(execute=True):
        committee.record_answer(item, actor=comite, decision=Decision.A_L_ETUDE, text="On étudie.")
    assert any(m.to == ["voisine@example.org"] and "On étudie." in m.body for m in mail.outbox)


def test_answering_an_expression_not_routed_to_the_instance_is_refused_and_writes_nothing(
    comite, seance_a, instance_b
):
    theirs = routed(instance_b)
    item = on_agenda(seance_a, theirs)  # written behind the services' back
    with pytest.raises(PermissionDenied):
        committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="Oui.")
    theirs.refresh_from_db()
    assert theirs.status == Status.TRANSMISE
    assert not Reponse.objects.exists()


def test_a_point_is_answered_once(comite, referent, seance_a, instance_a):
    item = on_agenda(seance_a, routed(instance_a))
    committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="Oui.")
    with pytest.raises(ValidationError) as error:
        committee.record_answer(item, actor=referent, decision=Decision.NON_RETENUE, text="Non.")
    assert "déjà reçu sa réponse" in error.value.messages[0]
    assert Reponse.objects.get().decision == Decision.RETENUE


@pytest.mark.parametrize(
    ("decision", "text", "field"),
    [("", "Oui.", "decision"), ("peut-etre", "Oui.", "decision"), (Decision.RETENUE, "  ", "text")],
)
def test_an_answer_needs_a_decision_and_a_text(comite, seance_a, instance_a, decision, text, field):
    expression = routed(instance_a)
    item = on_agenda(seance_a, expression)
    with pytest.raises(ValidationError) as error:
        committee.record_answer(item, actor=comite, decision=decision, text=text)
    assert field in error.value.message_dict
    expression.refresh_from_db()
    assert expression.status == Status.TRANSMISE


def test_points_are_grouped_into_one_and_removed_while_unanswered(comite, seance_a, instance_a):
    one, two, three = (on_agenda(seance_a, routed(instance_a)) for _ in range(3))
    group = committee.group_items(seance_a, [one.pk, two.pk], actor=comite, title="Propreté")
    assert group.pk == one.pk and group.expressions.count() == 2
    assert not AgendaItem.objects.filter(pk=two.pk).exists()

    committee.record_answer(group, actor=comite, decision=Decision.DEJA_EN_COURS, text="En cours.")
    with pytest.raises(ValidationError):
        committee.remove_item(group, actor=comite)
    with pytest.raises(ValidationError):
        committee.group_items(seance_a, [group.pk, three.pk], actor=comite, title="Tout")
    committee.remove_item(three, actor=comite)
    assert list(seance_a.items.all()) == [group]
    assert Expression.objects.filter(status=Status.TRANSMISE).count() == 1  # still routed


def test_the_referent_acts_for_every_instance(referent, seance_a, instance_a):
    item = on_agenda(seance_a, routed(instance_a))
    reponse = committee.record_answer(item, actor=referent, decision=Decision.RETENUE, text="Oui.")
    assert reponse.answered_by == referent


def test_public_answers_never_show_private_expressions(comite, seance_a, instance_a, rimbart):
    from consultations.models import Visibility

    public = routed(instance_a, quartier=rimbart)
    private = routed(instance_a, quartier=rimbart, visibility=Visibility.PRIVATE)
    only_private = routed(instance_a, quartier=rimbart, visibility=Visibility.PRIVATE)
    both = on_agenda(seance_a, public, private, title="Ensemble")
    alone = on_agenda(seance_a, only_private)
    committee.record_answer(both, actor=comite, decision=Decision.RETENUE, text="Oui.")
    committee.record_answer(alone, actor=comite, decision=Decision.RETENUE, text="Secret.")

    answers = list(committee.public_answers(rimbart))
    assert len(answers) == 1
    assert [e.pk for e in answers[0].shown_expressions] == [public.pk]


def test_an_answer_is_found_by_the_quartiers_of_the_expressions_it_answers(
    comite, seance_a, instance_a, rimbart, cite5
):
    other = cite5
    here, there = routed(instance_a, quartier=rimbart), routed(instance_a, quartier=other)
    item = on_agenda(seance_a, here, there, title="Deux quartiers")
    reponse = committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="Oui.")

    assert set(reponse.quartiers.all()) == {rimbart, other}
    assert [a.pk for a in committee.public_answers(other)] == [reponse.pk]
    # Its expressions changed through the ORM (the admin, a shell), from either side.
    reponse.expressions.remove(there)
    assert list(reponse.quartiers.all()) == [rimbart]
    assert list(committee.public_answers(other)) == []
    there.reponses.add(reponse)
    assert set(reponse.quartiers.all()) == {rimbart, other}
    there.reponses.clear()
    assert list(reponse.quartiers.all()) == [rimbart]
    reponse.expressions.clear()
    assert list(reponse.quartiers.all()) == []
    assert list(committee.public_answers(rimbart)) == []


def test_links_written_around_the_orm_are_read_again_by_recount_expressions(
    comite, seance_a, instance_a, rimbart
):
    from django.core.management import call_command

    expression = routed(instance_a, quartier=rimbart)
    item = on_agenda(seance_a, expression)
    reponse = committee.record_answer(item, actor=comite, decision=Decision.RETENUE, text="Oui.")
    Reponse.quartiers.through.objects.all().delete()  # as a bulk load leaves them
    assert list(committee.public_answers(rimbart)) == []

    call_command("recount_expressions", stdout=io.StringIO())

    assert [a.pk for a in committee.public_answers(rimbart)] == [reponse.pk]


def test_a_member_moves_a_seance_and_the_change_is_audited(comite, seance_a):
    data = {
        "instance": seance_a.instance.pk,
        "title": "Comité de pilotage reporté",
        "starts_at": "2026-12-10T18:30",
        "place": "Salle des fêtes",
    }
    form = SeanceForm(data, instance=seance_a, user=comite)
    assert form.is_valid(), form.errors

    committee.save_seance(form, actor=comite)

    entry = AuditEntry.objects.get(action="seance.modifiee", target_id=str(seance_a.pk))
    assert (entry.after["title"], entry.after["place"]) == (
        "Comité de pilotage reporté",
        "Salle des fêtes",
    )
    assert entry.after["starts_at"].startswith("2026-12-10T18:30")
    assert not AuditEntry.objects.filter(action="seance.creee").exists()
