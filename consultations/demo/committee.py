"""Demo séances and answers for the demo expressions already « examinées » or « répondues ».

Called at the end of ``consultations.demo.load`` (after the moderation demo made the
transmissions). Idempotent: séances are found again by instance and title, and an
expression already on an agenda is left alone. No notification is sent: the demo steps
already tell the authors.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from ..models import (
    AgendaEntry,
    AgendaItem,
    Decision,
    Expression,
    ExpressionStep,
    Instance,
    Reponse,
    Seance,
    Status,
    Transmission,
)

PLACES = [
    "Salle du conseil, hôtel de ville d'Auchel",
    "Centre social Marcel Pagnol",
    "Espace Sécretin",
]
# The demo answers (consultations.demo.ANSWERS) start with their decision.
DECISION_WORDS = [
    ("retenue", Decision.RETENUE),
    ("à l'étude", Decision.A_L_ETUDE),
    ("déjà en cours", Decision.DEJA_EN_COURS),
    ("non retenue", Decision.NON_RETENUE),
]
UPCOMING_TITLE = "Comité de pilotage annuel — préparation"


def _decision(note: str) -> str:
    lowered = note.lower()
    for words, decision in sorted(DECISION_WORDS, key=lambda pair: -len(pair[0])):
        if lowered.startswith(words):
            return decision
    return Decision.A_L_ETUDE


def _quarter(moment: dt.datetime) -> tuple[int, int]:
    local = timezone.localtime(moment)
    return local.year, (local.month - 1) // 3 + 1


def load(stdout) -> None:
    referent = get_user_model().objects.filter(email="referent@demo.auchel.fr").first()
    on_agenda = set(AgendaEntry.objects.values_list("expression_id", flat=True))
    steps = {
        (step.expression_id, step.status): step
        for step in ExpressionStep.objects.filter(
            status__in=(Status.EXAMINEE, Status.REPONDUE),
            expression__status__in=(Status.EXAMINEE, Status.REPONDUE),
        )
    }
    transmissions = (
        Transmission.objects.filter(expression__status__in=(Status.EXAMINEE, Status.REPONDUE))
        .exclude(expression_id__in=on_agenda)
        .select_related("instance", "expression")
        .order_by("expression_id", "created_at")
    )
    # One séance per instance and quarter, dated just before its first examination.
    groups: dict[tuple, list[Expression]] = {}
    seen: set[int] = set()
    for transmission in transmissions:
        expression = transmission.expression
        examined = steps.get((expression.pk, Status.EXAMINEE))
        if expression.pk in seen or examined is None:
            continue
        seen.add(expression.pk)
        key = (transmission.instance_id, *_quarter(examined.created_at))
        groups.setdefault(key, []).append(expression)

    instances = {i.pk: i for i in Instance.objects.all()}
    seances = items = answers = 0
    for (instance_id, year, quarter), expressions in sorted(groups.items()):
        instance = instances[instance_id]
        first = min(steps[(e.pk, Status.EXAMINEE)].created_at for e in expressions)
        seance, created = Seance.objects.get_or_create(
            instance=instance,
            title=f"Séance du {quarter}{'er' if quarter == 1 else 'e'} trimestre {year}",
            defaults={
                "starts_at": first - dt.timedelta(hours=2),
                "place": PLACES[(instance_id + quarter) % len(PLACES)],
                "examined_at": first,
                "created_by": referent,
            },
        )
        seances += created
        # Expressions that say the same thing make one group point.
        by_text: dict[tuple, list[Expression]] = {}
        for expression in sorted(expressions, key=lambda e: e.pk):
            by_text.setdefault((expression.text, expression.status), []).append(expression)
        position = seance.items.count()
        for (text, status), same in by_text.items():
            position += 1
            item = AgendaItem.objects.create(
                seance=seance,
                position=position,
                title=text[:120] if len(same) > 1 else "",
            )
            AgendaEntry.objects.bulk_create(
                [AgendaEntry(item=item, seance=seance, expression=e) for e in same],
                ignore_conflicts=True,
            )
            items += 1
            if status != Status.REPONDUE:
                continue
            step = steps[(same[0].pk, Status.REPONDUE)]
            reponse = Reponse.objects.create(
                item=item,
                seance=seance,
                instance=instance,
                decision=_decision(step.note),
                text=step.note,
                public=step.public,
                answered_by=referent,
                created_at=step.created_at,
            )
            reponse.expressions.set(same)
            answers += 1
    seances += _upcoming(referent)
    stdout.write(
        f"Comité de démonstration : {seances} séance(s), {items} point(s) à l'ordre du jour, "
        f"{answers} réponse(s) ajoutée(s)."
    )


def _upcoming(referent) -> int:
    """A séance of the comité account's instance in three weeks, its agenda half ready."""
    instance = Instance.objects.filter(slug="comite-pilotage-cohesion-sociale").first()
    if instance is None or Seance.objects.filter(instance=instance, title=UPCOMING_TITLE).exists():
        return 0
    starts = timezone.localtime() + dt.timedelta(days=21)
    seance = Seance.objects.create(
        instance=instance,
        title=UPCOMING_TITLE,
        starts_at=starts.replace(hour=18, minute=0, second=0, microsecond=0),
        place=PLACES[0],
        agenda_notes="Bilan de l'année, programmation de l'an prochain, questions des habitants.",
        created_by=referent,
    )
    waiting = list(
        Expression.objects.filter(status=Status.TRANSMISE, transmissions__instance=instance)
        .exclude(agenda_entries__isnull=False)
        .order_by("-supports_count", "pk")[:6]
    )
    for position, expression in enumerate(waiting, start=1):
        item = AgendaItem.objects.create(seance=seance, position=position)
        AgendaEntry.objects.create(item=item, seance=seance, expression=expression)
    return 1
