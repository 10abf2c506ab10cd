"""Every write of the committee: séances, their agenda, the answers sent back to residents.

An instance reviews only what was routed to it (consultations.moderation.aiguillage writes the
``Transmission`` rows). Its members prepare a séance, put routed expressions on the
agenda, alone or grouped; once the séance has been held the expressions become
« examinées », and an answer to an agenda item makes them « répondues ». Every change of
an expression's step goes through ``services.change_status`` (timeline, audit, author
notified in the application and by email); the committee's open dashboards are told
after the transaction commits.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from participation.audit.services import record
from participation.core import realtime

from .. import rules
from ..models import (
    CARD_FIELDS,
    AgendaEntry,
    AgendaItem,
    Decision,
    Expression,
    Instance,
    Reponse,
    Seance,
    Status,
    Transmission,
    listed_q,
)
from ..transitions import change_status

ANSWER_MAX_LENGTH = 5000
# An expression can be put on an agenda while it waits for its answer.
AGENDA_STATUSES = (Status.TRANSMISE, Status.EXAMINEE)


def _check_instance(actor, instance: Instance) -> None:
    if not rules.can_act_for_instance(actor, instance):
        raise PermissionDenied(
            _("Vous ne siégez pas dans « %(instance)s » : cette action lui revient.")
            % {"instance": instance}
        )


def _seance_date(seance: Seance) -> str:
    return formats.date_format(timezone.localtime(seance.starts_at), "j F Y")


def _seance_label(seance: Seance) -> str:
    return _("séance du %(date)s de « %(instance)s »") % {
        "date": _seance_date(seance),
        "instance": seance.instance,
    }


def _check_begun(seance: Seance) -> None:
    """A resident must never read « examinée lors de la séance du 21 décembre » on 3 December."""
    if not seance.has_begun:
        raise ValidationError(
            _(
                "La %(seance)s n'a pas encore eu lieu : ses expressions seront examinées, et "
                "recevront leur réponse, à partir de sa date. Si elle s'est tenue plus tôt, "
                "corrigez d'abord sa date."
            )
            % {"seance": _seance_label(seance)}
        )


def _tell_committee(event: dict) -> None:
    realtime.broadcast(realtime.COMITE_GROUP, event)


# --- Séances ---------------------------------------------------------------------------


def save_seance(form, *, actor) -> Seance:
    """Create or change a séance from a valid ``SeanceForm``."""
    seance = form.instance
    creating = seance.pk is None
    instance = form.cleaned_data.get("instance") or seance.instance
    _check_instance(actor, instance)
    with transaction.atomic():
        seance = form.save(commit=False)
        if creating:
            seance.created_by = actor
        seance.save()
        record(
            actor=actor,
            action="seance.creee" if creating else "seance.modifiee",
            target=seance,
            after={
                "instance": seance.instance_id,
                "starts_at": seance.starts_at.isoformat(),
                "place": seance.place,
                "title": seance.title,
            },
        )
        _tell_committee({"type": "seance.saved", "id": seance.pk, "instance": instance.pk})
    return seance


def add_to_agenda(
    seance: Seance, expressions: Iterable[Expression], *, actor, group_title: str = ""
) -> list[AgendaItem]:
    """Put routed expressions on the séance's agenda: one point each, or one group.

    With ``group_title`` the expressions make one point, answered together. Raises
    PermissionDenied for an expression not routed to the séance's instance and a
    ValidationError for one that cannot be examined (already answered, already there).
    """
    _check_instance(actor, seance.instance)
    ids = sorted({e.pk if isinstance(e, Expression) else int(e) for e in expressions})
    group_title = group_title.strip()
    if not ids:
        raise ValidationError(_("Cochez au moins une expression à mettre à l'ordre du jour."))
    with transaction.atomic():
        locked = list(
            Expression.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
        )
        if len(locked) != len(ids):
            raise ValidationError(_("Une des expressions cochées n'existe plus."))
        routed = set(
            Transmission.objects.filter(
                instance=seance.instance, expression_id__in=ids
            ).values_list("expression_id", flat=True)
        )
        if set(ids) - routed:
            raise PermissionDenied(
                _("Seules les expressions transmises à « %(instance)s » vont à ses séances.")
                % {"instance": seance.instance}
            )
        problems = []
        for expression in locked:
            if expression.status not in AGENDA_STATUSES:
                problems.append(
                    _(
                        "L'expression n° %(number)s est « %(status)s » : elle n'attend plus d'examen."
                    )
                    % {"number": expression.pk, "status": expression.get_status_display()}
                )
        pending = (
            AgendaEntry.objects.filter(expression_id__in=ids, item__reponse__isnull=True)
            .select_related("seance")
            .order_by("expression_id")
        )
        for entry in pending:
            if entry.seance_id == seance.pk:
                message = _(
                    "L'expression n° %(number)s est déjà à l'ordre du jour de cette séance."
                )
            else:
                message = _(
                    "L'expression n° %(number)s attend déjà sa réponse à la %(seance)s : "
                    "retirez-la d'abord de cet ordre du jour."
                )
            problems.append(
                message % {"number": entry.expression_id, "seance": _seance_label(entry.seance)}
            )
        if problems:
            raise ValidationError(problems)
        position = (seance.items.aggregate(last=Max("position"))["last"] or 0) + 1
        groups = [locked] if group_title or len(locked) == 1 else [[e] for e in locked]
        items = []
        for group in groups:
            item = AgendaItem.objects.create(seance=seance, title=group_title, position=position)
            position += 1
            AgendaEntry.objects.bulk_create(
                AgendaEntry(item=item, seance=seance, expression=e) for e in group
            )
            items.append(item)
        record(
            actor=actor,
            action="seance.ordre_du_jour.ajout",
            target=seance,
            after={"expressions": ids, "group": group_title, "items": [i.pk for i in items]},
        )
        _tell_committee({"type": "seance.agenda", "id": seance.pk, "instance": seance.instance_id})
    return items


def group_items(seance: Seance, item_ids: Iterable[int], *, actor, title: str) -> AgendaItem:
    """Gather several points not yet answered into one group, answered together."""
    _check_instance(actor, seance.instance)
    title = title.strip()
    if not title:
        raise ValidationError(_("Donnez un intitulé au groupe : les habitant·es le liront."))
    ids = sorted(set(item_ids))
    if len(ids) < 2:
        raise ValidationError(_("Cochez au moins deux points à regrouper."))
    with transaction.atomic():
        items = list(
            AgendaItem.objects.select_for_update(of=("self",))
            .filter(seance=seance, pk__in=ids, reponse__isnull=True)
            .order_by("position", "pk")
        )
        if len(items) != len(ids):
            raise ValidationError(
                _("Un des points cochés a déjà sa réponse ou n'est plus à l'ordre du jour.")
            )
        target, others = items[0], items[1:]
        AgendaEntry.objects.filter(item__in=others).update(item=target)
        AgendaItem.objects.filter(pk__in=[i.pk for i in others]).delete()
        target.title = title
        target.save(update_fields=["title"])
        record(
            actor=actor,
            action="seance.ordre_du_jour.groupe",
            target=seance,
            after={"item": target.pk, "merged": [i.pk for i in others], "title": title},
        )
        _tell_committee({"type": "seance.agenda", "id": seance.pk, "instance": seance.instance_id})
    return target


def remove_item(item: AgendaItem, *, actor) -> None:
    """Take a point off the agenda while it has no answer (its expressions stay routed)."""
    seance = item.seance
    _check_instance(actor, seance.instance)
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().filter(pk=item.pk).first()
        if locked is None:
            return
        if Reponse.objects.filter(item=locked).exists():
            raise ValidationError(_("Ce point a déjà sa réponse : il reste à l'ordre du jour."))
        expression_ids = list(locked.entries.values_list("expression_id", flat=True))
        locked.delete()
        record(
            actor=actor,
            action="seance.ordre_du_jour.retrait",
            target=seance,
            before={"item": item.pk, "expressions": expression_ids},
        )
        _tell_committee({"type": "seance.agenda", "id": seance.pk, "instance": seance.instance_id})


def mark_examined(seance: Seance, *, actor) -> int:
    """The séance was held: its expressions still « transmises » become « examinées ».

    Returns how many moved. Running it again (points added afterwards) moves only the new.
    """
    _check_instance(actor, seance.instance)
    _check_begun(seance)
    note = _("Examinée lors de la %(seance)s. La réponse vous sera écrite ici.") % {
        "seance": _seance_label(seance)
    }
    with transaction.atomic():
        locked = Seance.objects.select_for_update().get(pk=seance.pk)
        ids = list(
            AgendaEntry.objects.filter(seance=locked, expression__status=Status.TRANSMISE)
            .order_by("expression_id")
            .values_list("expression_id", flat=True)
        )
        for pk in ids:
            change_status(
                pk,
                to=Status.EXAMINEE,
                actor=actor,
                allowed=lambda user: rules.can_act_for_instance(user, locked.instance),
                note=note,
                data={"seance": locked.pk, "instance": locked.instance_id},
            )
        if locked.examined_at is None:
            locked.examined_at = timezone.now()
            locked.save(update_fields=["examined_at", "updated_at"])
        record(
            actor=actor,
            action="seance.tenue",
            target=locked,
            after={"examined": ids},
        )
        _tell_committee(
            {
                "type": "seance.examined",
                "id": locked.pk,
                "instance": locked.instance_id,
                "count": len(ids),
            }
        )
    seance.examined_at = locked.examined_at
    return len(ids)


# --- Answers ---------------------------------------------------------------------------


def answer_note(reponse: Reponse) -> str:
    """What the author reads on their timeline, and in the notification."""
    return _("Décision : %(decision)s.\n%(text)s\n— %(instance)s, séance du %(date)s") % {
        "decision": reponse.get_decision_display(),
        "text": reponse.text,
        "instance": reponse.instance,
        "date": _seance_date(reponse.seance),
    }


def validate_answer(*, decision: str, text: str) -> str:
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if decision not in Decision.values:
        errors["decision"] = [_("Choisissez la décision de l'instance.")]
    if not text:
        errors["text"] = [
            _(
                "Écrivez la réponse aux habitant·es : ce qui va se passer, quand, et qui s'en occupe."
            )
        ]
    elif len(text) > ANSWER_MAX_LENGTH:
        errors["text"] = [
            _("La réponse fait %(length)s caractères ; elle ne doit pas dépasser %(limit)s.")
            % {"length": len(text), "limit": ANSWER_MAX_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    return text


def record_answer(
    item: AgendaItem, *, actor, decision: str, text: str, public: bool = True
) -> Reponse:
    """The instance's decision on an agenda point, sent back to every author.

    Each expression of the point moves to « examinée » (if the séance was not marked as
    held yet) and then to « répondue », with the answer on its timeline. Raises
    PermissionDenied (not the actor's instance, or an expression not routed to it),
    ValidationError (bad input, already answered) or TransitionError.
    """
    seance = item.seance
    instance = seance.instance
    _check_instance(actor, instance)
    _check_begun(seance)
    text = validate_answer(decision=decision, text=text)
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if Reponse.objects.filter(item=locked).exists():
            raise ValidationError(
                _("Ce point a déjà reçu sa réponse : quelqu'un l'a enregistrée entre-temps.")
            )
        ids = list(locked.entries.order_by("expression_id").values_list("expression_id", flat=True))
        if not ids:
            raise ValidationError(_("Ce point n'a plus d'expression à laquelle répondre."))
        routed = set(
            Transmission.objects.filter(instance=instance, expression_id__in=ids).values_list(
                "expression_id", flat=True
            )
        )
        if set(ids) - routed:
            raise PermissionDenied(
                _("Une de ces expressions n'a pas été transmise à « %(instance)s ».")
                % {"instance": instance}
            )
        reponse = Reponse.objects.create(
            item=locked,
            seance=seance,
            instance=instance,
            decision=decision,
            text=text,
            public=public,
            answered_by=actor if actor.pk else None,
        )
        reponse.expressions.set(ids)

        def allowed(user):
            return rules.can_act_for_instance(user, instance)

        examined_note = _("Examinée lors de la %(seance)s.") % {"seance": _seance_label(seance)}
        note = answer_note(reponse)
        data = {
            "reponse": reponse.pk,
            "decision": decision,
            "seance": seance.pk,
            "instance": instance.pk,
        }
        rows = Expression.objects.filter(pk__in=ids).values_list("pk", "status", "quartier_id")
        statuses = {pk: status for pk, status, _quartier in rows}
        quartiers = sorted({quartier for _pk, _status, quartier in rows})
        for pk in ids:
            if statuses[pk] == Status.TRANSMISE:
                change_status(
                    pk,
                    to=Status.EXAMINEE,
                    actor=actor,
                    allowed=allowed,
                    note=examined_note,
                    data={"seance": seance.pk, "instance": instance.pk},
                )
            change_status(
                pk, to=Status.REPONDUE, actor=actor, allowed=allowed, note=note, public=public,
                data=data,
            )  # fmt: skip
        record(
            actor=actor,
            action="reponse.enregistree",
            target=reponse,
            after={**data, "expressions": ids, "public": public},
            reason=text,
        )
        _tell_committee(
            {
                "type": "expression.answered",
                "ids": ids,
                "instance": instance.pk,
                "seance": seance.pk,
                "decision": decision,
                # For the feed of a référent given communes (committee.consumers).
                "quartiers": quartiers,
            }
        )
    return reponse


# --- Reading: « Vous avez dit, nous avons fait » ---------------------------------------


SHOWN_UNDER_AN_ANSWER = 3


def _answer_links(quartier):
    """Each answer's own links to its listed expressions (of ``quartier``, if given)."""
    # From the answer's own links (a few rows by the answer's index), never from every
    # listed expression of the quartier: the same conditions, on the join.
    links = Reponse.expressions.through.objects.filter(
        listed_q("expression__"), reponse=OuterRef("pk")
    )
    if quartier is not None:
        links = links.filter(expression__quartier=quartier)
    return links


class _ExistsForEach(Exists):
    """``EXISTS``, tested for each row the rest of the query keeps (``OFFSET 0`` keeps
    PostgreSQL from turning it into a join that reads every row of the subquery first)."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


def public_answers(quartier=None, *, headlines: bool = False):
    """Public answers, newest first, each with the published expressions it answers.

    Private expressions never appear, and an answer to private expressions only is not
    listed at all (its text could tell what they said). ``quartier`` keeps the answers
    to that quartier's expressions, and only those expressions under each answer.
    With ``headlines``, the answers alone, their decision and text (the quartier page's
    block): nothing of what the page of answers shows under each.
    """
    links = _answer_links(quartier)
    if quartier is None:
        answers = Reponse.objects.public().filter(Exists(links))
    else:
        # The quartier's few answers by their index first (walking every public answer's
        # expressions from the newest cost 51 ms of PostgreSQL a page at 200,000
        # expressions); the links above still decide which are shown, tested answer by
        # answer: as a join, PostgreSQL read every answer's links and every listed
        # expression of the quartier (8.6 ms for the count of a page of answers at 20,000
        # expressions, 1.0 ms answer by answer).
        about = Reponse.quartiers.through.objects.filter(quartier=quartier)
        answers = Reponse.objects.public().filter(
            _ExistsForEach(links), pk__in=about.values("reponse_id")
        )
    answers = answers.order_by("-created_at", "-pk")
    if headlines:
        return answers.only("decision", "text")
    listed = Expression.objects.listed()
    if quartier is not None:
        listed = listed.filter(quartier=quartier)
    # What ``retours/_answer.html`` shows of each, and nothing more.
    shown = (
        listed.select_related("quartier", "author")
        .only(*CARD_FIELDS)
        .order_by("-supports_count", "pk")
    )
    said = links.order_by().values("reponse").annotate(count=Count("pk")).values("count")
    return (
        answers.annotate(
            shown_count=Subquery(said),
            # The three values the card shows of its instance, séance and item, read on the
            # join: no model instance made for each (three per answer, sixty a page).
            instance_name=F("instance__name"),
            seance_starts_at=F("seance__starts_at"),
            item_title=F("item__title"),
        )
        .only("decision", "text", "created_at")
        # The most supported expressions under each answer; ``shown_count`` says how many.
        .prefetch_related(
            Prefetch(
                "expressions",
                queryset=shown[:SHOWN_UNDER_AN_ANSWER],
                to_attr="shown_expressions",
            )
        )
    )
