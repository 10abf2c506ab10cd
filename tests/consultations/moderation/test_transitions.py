"""Every moderation action for every role, and every transition the path allows or refuses,
each with its audit entry (or none when refused)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from consultations import transitions
from consultations.models import Etiquette, Expression, Signalement, Status, Transmission
from consultations.moderation import aiguillage
from consultations.moderation import queue as moderation_queue
from consultations.moderation import services as moderation
from participation.audit.models import AuditEntry
from tests.consultations.factories import ExpressionFactory, ObjectifFactory

from .factories import EtiquetteFactory

ROLES = ["anonymous", "habitant", "comite", "mediateur", "referent"]
MODERATORS = {"mediateur", "referent"}


@pytest.fixture
def actor_of(request):
    def actor(role):
        if role == "anonymous":
            return AnonymousUser()
        return request.getfixturevalue("bob" if role == "habitant" else role)

    return actor


def audit_of(expression, action=None):
    entries = AuditEntry.objects.filter(
        target_type="consultations.expression", target_id=str(expression.pk)
    )
    return entries.filter(action=action) if action else entries


# Each path transition: (from, to, how a mediator does it).
def _publish(expression, actor, ctx):
    return moderation.publish(expression, actor=actor)


def _reject(expression, actor, ctx):
    return moderation.reject(
        expression, actor=actor, reason="hors_sujet", details="Voir la mairie."
    )


def _merge(expression, actor, ctx):
    return moderation.merge(expression, into=ctx["target"], actor=actor)


def _route(expression, actor, ctx):
    return aiguillage.route(expression, actor=actor, instances=[ctx["copil"]], note="À voir")


TRANSITIONS = {
    "publier": (Status.SOUMISE, Status.PUBLIEE, _publish),
    "rejeter": (Status.SOUMISE, Status.REJETEE, _reject),
    "regrouper": (Status.PUBLIEE, Status.FUSIONNEE, _merge),
    "transmettre": (Status.PUBLIEE, Status.TRANSMISE, _route),
}


@pytest.fixture
def ctx(alice, rimbart, copil):
    target = ExpressionFactory(author=None, quartier=rimbart, status=Status.PUBLIEE)
    return {"target": target, "copil": copil, "quartier": rimbart}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_each_transition_is_for_mediators_and_the_referent_only(name, role, actor_of, alice, ctx):
    start, end, act = TRANSITIONS[name]
    expression = ExpressionFactory(author=alice, quartier=ctx["quartier"], status=start)
    actor = actor_of(role)

    if role in MODERATORS:
        act(expression, actor, ctx)
        expression.refresh_from_db()
        assert expression.status == end
        entry = audit_of(expression, f"expression.{end}").get()
        assert entry.actor == actor
        assert entry.before == {"status": start}
        assert entry.after["status"] == end
    else:
        with pytest.raises(PermissionDenied):
            act(expression, actor, ctx)
        expression.refresh_from_db()
        assert expression.status == start
        assert not audit_of(expression).exists()
        assert not Transmission.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_a_transition_the_path_does_not_allow_is_refused_with_a_message(
    name, start, mediateur, alice, ctx
):
    allowed_start, end, act = TRANSITIONS[name]
    expression = ExpressionFactory(author=alice, quartier=ctx["quartier"], status=start)
    if name == "transmettre" and start in (Status.TRANSMISE, Status.EXAMINEE):
        # Already with an instance: sent to one more, the status does not change.
        act(expression, mediateur, ctx)
        expression.refresh_from_db()
        assert expression.status == start
        assert audit_of(expression, "expression.transmise_aussi").count() == 1
        return

    if start == allowed_start:
        act(expression, mediateur, ctx)
        expression.refresh_from_db()
        assert expression.status == end
        assert audit_of(expression, f"expression.{end}").count() == 1
        return

    with pytest.raises(transitions.TransitionError) as refused:
        act(expression, mediateur, ctx)
    assert refused.value.message.startswith("Cette expression est « ")
    expression.refresh_from_db()
    assert expression.status == start
    assert not audit_of(expression).exists()
    assert not Transmission.objects.filter(expression=expression).exists()


@pytest.mark.django_db
def test_publishing_a_rejected_expression_and_routing_a_submitted_one_are_refused(
    mediateur, alice, copil
):
    rejected = ExpressionFactory(author=alice, status=Status.REJETEE)
    submitted = ExpressionFactory(author=alice, status=Status.SOUMISE)

    with pytest.raises(transitions.TransitionError, match="« rejetée » : elle ne peut pas devenir"):
        moderation.publish(rejected, actor=mediateur)
    with pytest.raises(transitions.TransitionError, match="seule une expression publiée"):
        aiguillage.route(submitted, actor=mediateur, instances=[copil])


# The actions that are not transitions of the path.
def _redact(expression, actor, ctx):
    moderation.redact(
        expression,
        actor=actor,
        text="Le voisin du 3 fait du bruit.",
        version=moderation_queue.text_version(expression),
    )


def _tag(expression, actor, ctx):
    moderation.set_etiquettes(expression, actor=actor, etiquettes=[ctx["etiquette"]])


def _objectifs(expression, actor, ctx):
    moderation.set_objectifs(expression, actor=actor, objectifs=[ctx["objectif"]])


def _reports(expression, actor, ctx):
    moderation.handle_signalements(expression, actor=actor, decision="garder")


def _bulk_tag(expression, actor, ctx):
    moderation.bulk_tag([expression.pk], actor=actor, etiquette=ctx["etiquette"])


def _bulk_route(expression, actor, ctx):
    aiguillage.bulk_route([expression.pk], actor=actor, instances=[ctx["copil"]])


ACTIONS = {
    "caviarder": (_redact, "expression.caviardee"),
    "etiqueter": (_tag, "expression.etiquetee"),
    "objectifs": (_objectifs, "expression.objectifs"),
    "signalements": (_reports, "expression.signalement_classe"),
    "etiqueter_en_lot": (_bulk_tag, "expression.etiquetee"),
    "transmettre_en_lot": (_bulk_route, "expression.transmise"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_other_action_is_for_mediators_and_the_referent_only(
    name, role, actor_of, alice, bob, ctx
):
    act, action = ACTIONS[name]
    expression = ExpressionFactory(
        author=alice,
        quartier=ctx["quartier"],
        status=Status.PUBLIEE,
        text="M. Dupont, au 3 rue Pasteur, fait du bruit.",
        flagged_at="2026-01-05T10:00:00Z",
    )
    Signalement.objects.create(expression=expression, reporter=bob, reason="autre")
    ctx["etiquette"] = EtiquetteFactory(name="bruit")
    ctx["objectif"] = ObjectifFactory(quartier=ctx["quartier"])
    before = Expression.objects.values().get(pk=expression.pk)
    actor = actor_of(role)

    if role in MODERATORS:
        act(expression, actor, ctx)
        entry = audit_of(expression, action).get()
        assert entry.actor == actor
        assert entry.after is not None
    else:
        with pytest.raises(PermissionDenied):
            act(expression, actor, ctx)
        assert Expression.objects.values().get(pk=expression.pk) == before
        assert not audit_of(expression).exists()
        assert not expression.etiquettes.exists()
        assert not expression.objectifs.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_tags_are_created_and_renamed_by_mediators_only(role, actor_of):
    actor = actor_of(role)

    if role in MODERATORS:
        etiquette = moderation.create_etiquette("eclairage", actor=actor)
        moderation.rename_etiquette(etiquette, "éclairage public", actor=actor)
        assert Etiquette.objects.get().name == "éclairage public"
        actions = AuditEntry.objects.filter(target_type="consultations.etiquette")
        assert sorted(actions.values_list("action", flat=True)) == [
            "etiquette.creee",
            "etiquette.renommee",
        ]
    else:
        with pytest.raises(PermissionDenied):
            moderation.create_etiquette("éclairage", actor=actor)
        etiquette = EtiquetteFactory(name="propreté")
        with pytest.raises(PermissionDenied):
            moderation.rename_etiquette(etiquette, "sale", actor=actor)
        assert list(Etiquette.objects.values_list("name", flat=True)) == ["propreté"]
        assert not AuditEntry.objects.exists()
