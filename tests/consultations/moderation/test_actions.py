"""What each moderation action does, as the author, the mediators and the instances see it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from consultations import changes, transitions
from consultations.models import Redaction, Signalement, Status, Support, Transmission, Visibility
from consultations.moderation import aiguillage
from consultations.moderation import queue as moderation_queue
from consultations.moderation import services as moderation
from participation.audit.models import AuditEntry
from participation.core import realtime
from participation.notifications.models import Notification
from tests.consultations.factories import ExpressionFactory, ObjectifFactory
from tests.factories import UserFactory

from .factories import EtiquetteFactory, InstanceFactory


def messages_of(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


# --- Rejecting -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_author_reads_the_reason_from_the_list_and_the_mediators_words(
    client_for, mediateur, alice, bob
):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    moderation.reject(
        expression, actor=mediateur, reason="donnees_personnelles", details="Retirez le nom."
    )

    page = client_for(alice).get(expression.get_absolute_url()).content.decode()
    assert "Il donne le nom ou l&#x27;adresse de quelqu&#x27;un. Retirez le nom." in page
    assert "Retirez le nom." in messages_of(alice)[0]
    assert client_for(bob).get(expression.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_a_rejection_needs_a_reason_from_the_list_and_words_for_autre(mediateur, alice):
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE)

    with pytest.raises(ValidationError) as unknown:
        moderation.reject(expression, actor=mediateur, reason="parce-que")
    with pytest.raises(ValidationError) as no_words:
        moderation.reject(expression, actor=mediateur, reason="autre", details="  ")

    assert "reason" in unknown.value.message_dict
    assert "details" in no_words.value.message_dict
    expression.refresh_from_db()
    assert expression.status == Status.SOUMISE


# --- Redacting -------------------------------------------------------------------------


@pytest.mark.django_db
def test_redacting_keeps_the_original_words_for_the_referent_only(
    client_for, mediateur, referent, alice
):
    original = "M. Dupont, au 3 rue Pasteur, laisse ses poubelles dehors."
    expression = ExpressionFactory(author=alice, status=Status.SOUMISE, text=original)

    moderation.redact(
        expression,
        actor=mediateur,
        text="Un voisin laisse ses poubelles dehors.",
        version=moderation_queue.text_version(expression),
        reason="nom et adresse d'un voisin",
    )

    expression.refresh_from_db()
    assert expression.text == "Un voisin laisse ses poubelles dehors."
    assert Redaction.objects.get().previous_text == original
    staff_url = f"/moderation/expressions/{expression.pk}/"
    assert "Dupont" in client_for(referent).get(staff_url).content.decode()
    assert "Dupont" not in client_for(mediateur).get(staff_url).content.decode()
    assert "Dupont" not in client_for(alice).get(expression.get_absolute_url()).content.decode()
    # The audit log, which mediators read, does not keep the words removed.
    entry = AuditEntry.objects.get(action="expression.caviardee")
    assert "Dupont" not in str(entry.before) + str(entry.after) + entry.reason
    assert "retiré de votre expression" in messages_of(alice)[0]
    with pytest.raises(PermissionDenied):
        moderation.original_text(expression, user=mediateur)


@pytest.mark.django_db
def test_words_the_author_edited_before_a_redaction_never_reach_the_mediators(
    client_for, mediateur, alice, rimbart
):
    from consultations.expressions import services as expression_services

    expression, _created = expression_services.submit(
        author=alice, quartier=rimbart, text="Mon voisin Jean Dupont, 12 rue Pasteur, crie."
    )
    expression_services.update_by_author(
        expression,
        user=alice,
        quartier=rimbart,
        text="Mon voisin Jean Dupont, 12 rue Pasteur, crie la nuit.",
        visibility=expression.visibility,
    )
    expression.refresh_from_db()
    moderation.redact(
        expression,
        actor=mediateur,
        text="Mon voisin crie la nuit.",
        version=moderation_queue.text_version(expression),
        reason="nom et adresse d'un voisin",
    )
    client = client_for(mediateur)

    page = client.get(f"/moderation/expressions/{expression.pk}/").content.decode()
    journal = client.get(f"/moderation/expressions/{expression.pk}/journal.csv")
    assert "Dupont" not in page + b"".join(journal.streaming_content).decode()
    edited = AuditEntry.objects.get(action="expression.modifiee_par_auteur")
    assert edited.after["length"] == len("Mon voisin Jean Dupont, 12 rue Pasteur, crie la nuit.")


@pytest.mark.django_db
def test_the_original_survives_a_second_redaction(referent, mediateur, alice):
    expression = ExpressionFactory(author=alice, text="Texte d'origine avec Mme Durand.")
    for text in ("Texte avec Mme D.", "Texte sans nom."):
        expression.refresh_from_db()
        moderation.redact(
            expression,
            actor=mediateur,
            text=text,
            version=moderation_queue.text_version(expression),
        )

    assert moderation.original_text(expression, user=referent) == (
        "Texte d'origine avec Mme Durand."
    )


@pytest.mark.django_db
def test_a_redaction_made_on_an_old_text_is_refused_and_writes_nothing(mediateur, referent, alice):
    expression = ExpressionFactory(author=alice, text="Le fils Martin casse tout.")
    seen_by_both = moderation_queue.text_version(expression)
    moderation.redact(expression, actor=referent, text="Un jeune casse tout.", version=seen_by_both)

    with pytest.raises(moderation.ConflictError, match="modifié par quelqu'un d'autre"):
        moderation.redact(
            expression, actor=mediateur, text="Le fils M. casse tout.", version=seen_by_both
        )

    expression.refresh_from_db()
    assert expression.text == "Un jeune casse tout."
    assert Redaction.objects.count() == 1


@pytest.mark.django_db
def test_an_empty_redaction_is_refused(mediateur, alice):
    expression = ExpressionFactory(author=alice)

    with pytest.raises(ValidationError):
        moderation.redact(
            expression,
            actor=mediateur,
            text="  ",
            version=moderation_queue.text_version(expression),
        )


# --- Tags and objectives ----------------------------------------------------------------


@pytest.mark.django_db
def test_tags_are_set_with_the_before_and_after_in_the_audit_log(mediateur, alice):
    expression = ExpressionFactory(author=alice)
    lumiere, bruit = EtiquetteFactory(name="éclairage"), EtiquetteFactory(name="bruit")
    moderation.set_etiquettes(expression, actor=mediateur, etiquettes=[lumiere])

    changed = moderation.set_etiquettes(expression, actor=mediateur, etiquettes=[bruit])

    assert changed
    assert list(expression.etiquettes.values_list("name", flat=True)) == ["bruit"]
    last = AuditEntry.objects.filter(action="expression.etiquetee").first()
    assert last.before == {"etiquettes": ["éclairage"]}
    assert last.after == {"etiquettes": ["bruit"]}
    assert not moderation.set_etiquettes(expression, actor=mediateur, etiquettes=[bruit])


@pytest.mark.django_db
def test_a_tag_name_is_unique_whatever_its_case(mediateur):
    moderation.create_etiquette("Éclairage", actor=mediateur)

    with pytest.raises(ValidationError, match="existe déjà"):
        moderation.create_etiquette("  éclairage ", actor=mediateur)


@pytest.mark.django_db
def test_renaming_a_tag_renames_it_on_every_expression(mediateur, alice):
    etiquette = EtiquetteFactory(name="eclairage")
    expressions = [ExpressionFactory(author=alice) for _ in range(3)]
    etiquette.expressions.add(*expressions)

    moderation.rename_etiquette(etiquette, "éclairage public", actor=mediateur)

    for expression in expressions:
        assert [e.name for e in expression.etiquettes.all()] == ["éclairage public"]


@pytest.mark.django_db
def test_objectives_of_the_quartier_are_linked_and_unlinked(mediateur, alice, rimbart, cite5):
    expression = ExpressionFactory(author=alice, quartier=rimbart, objectifs_unknown=True)
    mine = ObjectifFactory(quartier=rimbart)

    moderation.set_objectifs(expression, actor=mediateur, objectifs=[mine])
    expression.refresh_from_db()
    assert list(expression.objectifs.all()) == [mine]
    assert not expression.objectifs_unknown

    with pytest.raises(ValidationError, match="autre quartier"):
        moderation.set_objectifs(
            expression, actor=mediateur, objectifs=[ObjectifFactory(quartier=cite5)]
        )

    moderation.set_objectifs(expression, actor=mediateur, objectifs=[])
    expression.refresh_from_db()
    assert not expression.objectifs.exists()
    assert expression.objectifs_unknown


# --- Merging ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_merging_carries_the_supports_over_without_counting_anyone_twice(
    mediateur, alice, bob, rimbart
):
    keeper_author = UserFactory()
    kept = ExpressionFactory(author=keeper_author, quartier=rimbart, status=Status.PUBLIEE)
    twin = ExpressionFactory(author=alice, quartier=rimbart, status=Status.PUBLIEE)
    both, only_twin = UserFactory(), UserFactory()
    for user in (both, bob):
        Support.objects.create(expression=kept, user=user)
    for user in (both, only_twin, keeper_author):
        Support.objects.create(expression=twin, user=user)
    kept.supports_count, twin.supports_count = 2, 3
    kept.save(), twin.save()

    moderation.merge(twin, into=kept, actor=mediateur)

    kept.refresh_from_db(), twin.refresh_from_db()
    supporters = set(Support.objects.filter(expression=kept).values_list("user_id", flat=True))
    # bob and both were there; only_twin comes over; alice said the same thing; the kept
    # expression's own author does not support themselves.
    assert supporters == {both.pk, bob.pk, only_twin.pk, alice.pk}
    assert kept.supports_count == 4
    assert twin.status == Status.FUSIONNEE
    assert twin.merged_into == kept
    assert twin.supports_count == 0
    assert not Support.objects.filter(expression=twin).exists()
    assert f"regroupée avec l'expression n° {kept.pk}" in messages_of(alice)[0]
    assert "4 « moi aussi »" in messages_of(keeper_author)[0]
    assert AuditEntry.objects.filter(action="expression.regroupement_recu").get().after == {
        "supports_count": 4,
        "merged": twin.pk,
    }


@pytest.mark.django_db
def test_a_merge_needs_a_published_expression_of_the_same_quartier(
    mediateur, alice, rimbart, cite5
):
    twin = ExpressionFactory(author=alice, quartier=rimbart, status=Status.PUBLIEE)
    elsewhere = ExpressionFactory(quartier=cite5, status=Status.PUBLIEE)
    waiting = ExpressionFactory(quartier=rimbart, status=Status.SOUMISE)

    for target, words in (
        (twin, "elle-même"),
        (elsewhere, "même quartier"),
        (waiting, "publiée"),
        (999999, "Il n'existe pas"),
    ):
        with pytest.raises(ValidationError, match=words):
            moderation.merge(twin, into=target, actor=mediateur)
    twin.refresh_from_db()
    assert twin.status == Status.PUBLIEE


# --- Routing ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_routing_sends_to_every_chosen_instance_with_the_note(
    mediateur, alice, copil, conseil_pre, live_events, django_capture_on_commit_callbacks
):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)

    with django_capture_on_commit_callbacks(execute=True):
        aiguillage.route(
            expression, actor=mediateur, instances=[copil, conseil_pre], note="Urgent."
        )

    rows = Transmission.objects.filter(expression=expression).order_by("instance__name")
    assert [(r.instance, r.note, r.created_by) for r in rows] == [
        (copil, "Urgent.", mediateur),
        (conseil_pre, "Urgent.", mediateur),
    ]
    step = expression.steps.last()
    assert step.status == Status.TRANSMISE
    assert "Comité de Pilotage Cohésion Sociale" in step.note
    assert "Conseil Consultatif" in messages_of(alice)[0]
    assert "Urgent." not in messages_of(alice)[0]  # the note is for the instance
    assert (
        realtime.COMITE_GROUP,
        {
            "type": "expression.routed",
            "id": expression.pk,
            "instances": sorted([copil.pk, conseil_pre.pk], key=lambda pk: pk),
            "quartiers": [expression.quartier_id],
        },
    ) in [(g, {**e, "instances": sorted(e.get("instances", []))}) for g, e in live_events]


@pytest.mark.django_db
def test_a_transmitted_expression_can_go_to_one_more_instance_but_not_twice(
    mediateur, alice, copil, conseil_pre
):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)
    aiguillage.route(expression, actor=mediateur, instances=[copil])

    aiguillage.route(expression, actor=mediateur, instances=[copil, conseil_pre])
    with pytest.raises(transitions.TransitionError, match="déjà été transmise"):
        aiguillage.route(expression, actor=mediateur, instances=[conseil_pre])

    assert expression.transmissions.count() == 2
    assert messages_of(alice)[0] == (
        "Votre expression a aussi été transmise à "
        "Conseil Consultatif du Programme de Réussite Éducative."
    )
    assert expression.steps.last().note == (
        "Transmise aussi à Conseil Consultatif du Programme de Réussite Éducative."
    )


@pytest.mark.django_db
def test_routing_needs_an_active_instance(mediateur, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)
    closed = InstanceFactory(name="Ancien conseil", is_active=False)

    with pytest.raises(ValidationError, match="ne reçoivent plus"):
        aiguillage.route(expression, actor=mediateur, instances=[closed])
    with pytest.raises(ValidationError, match="au moins une instance"):
        aiguillage.route(expression, actor=mediateur, instances=[])
    expression.refresh_from_db()
    assert expression.status == Status.PUBLIEE


# --- In bulk -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_routing_sends_the_published_and_names_the_others(mediateur, alice, copil):
    published = [ExpressionFactory(author=alice, status=Status.PUBLIEE) for _ in range(3)]
    waiting = ExpressionFactory(author=alice, status=Status.SOUMISE)

    result = aiguillage.bulk_route(
        [e.pk for e in published] + [waiting.pk, 987654], actor=mediateur, instances=[copil]
    )

    assert result.done == sorted(e.pk for e in published)
    assert [pk for pk, _message in result.refused] == sorted([waiting.pk, 987654])
    assert Transmission.objects.filter(instance=copil).count() == 3


@pytest.mark.django_db
def test_bulk_tagging_tags_each_once_with_an_audit_entry_each(mediateur, alice):
    etiquette = EtiquetteFactory(name="propreté")
    expressions = [ExpressionFactory(author=alice) for _ in range(3)]
    etiquette.expressions.add(expressions[0])

    result = moderation.bulk_tag([e.pk for e in expressions], actor=mediateur, etiquette=etiquette)

    assert result.done == [expressions[1].pk, expressions[2].pk]
    assert [pk for pk, _message in result.refused] == [expressions[0].pk]
    assert etiquette.expressions.count() == 3
    assert AuditEntry.objects.filter(action="expression.etiquetee").count() == 2


# --- Reports ---------------------------------------------------------------------------


def reported(alice, bob, **kwargs):
    expression = ExpressionFactory(
        author=alice, status=Status.PUBLIEE, flagged_at="2026-02-01T09:00:00Z", **kwargs
    )
    Signalement.objects.create(expression=expression, reporter=bob, reason="propos_blessants")
    return expression


@pytest.mark.django_db
def test_a_report_found_groundless_leaves_the_expression_published(mediateur, alice, bob):
    expression = reported(alice, bob)

    moderation.handle_signalements(expression, actor=mediateur, decision="garder")

    expression.refresh_from_db()
    assert expression.flagged_at is None
    assert expression.visibility == Visibility.PUBLIC_ANONYMOUS
    assert Signalement.objects.get().resolved_by == mediateur
    assert not messages_of(alice)
    assert changes.queue_count() == 0


@pytest.mark.django_db
def test_a_reported_expression_taken_down_becomes_private_and_its_author_knows_why(
    client, mediateur, alice, bob
):
    expression = reported(alice, bob)

    moderation.handle_signalements(
        expression, actor=mediateur, decision="masquer", note="Propos blessants envers un voisin."
    )

    expression.refresh_from_db()
    assert expression.visibility == Visibility.PRIVATE
    assert client.get(expression.get_absolute_url()).status_code == 404
    assert "Propos blessants envers un voisin." in messages_of(alice)[0]
    entry = AuditEntry.objects.get(action="expression.masquee")
    assert entry.before == {"visibility": "anonyme", "signalements": 1}


@pytest.mark.django_db
def test_taking_down_needs_words_for_the_author_and_a_second_review_is_refused(
    mediateur, referent, alice, bob
):
    expression = reported(alice, bob)
    with pytest.raises(ValidationError, match="pourquoi"):
        moderation.handle_signalements(expression, actor=mediateur, decision="masquer")

    moderation.handle_signalements(expression, actor=mediateur, decision="garder")
    with pytest.raises(transitions.TransitionError, match="déjà été traités"):
        moderation.handle_signalements(expression, actor=referent, decision="masquer", note="x")


@pytest.mark.django_db
def test_merging_a_reported_duplicate_closes_its_reports(mediateur, alice, bob, rimbart):
    kept = ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE)
    twin = reported(alice, bob, quartier=rimbart)

    moderation.merge(twin, into=kept, actor=mediateur)

    twin.refresh_from_db()
    assert twin.flagged_at is None
    assert Signalement.objects.get().resolved_at is not None
    assert changes.queue_count() == 0
