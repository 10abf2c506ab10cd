"""The path of an expression: consultations, expressions and their steps, « moi aussi »,
signalements, and what the mediators and the instances do with them."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone
from django.utils.text import slugify

from consultations.models import (
    FIELD_SOURCES,
    LISTED_STATUSES,
    ROUTED_STATUSES,
    AgeGroup,
    AgendaEntry,
    AgendaItem,
    Consultation,
    Decision,
    Etiquette,
    Expression,
    ExpressionStep,
    Instance,
    Reponse,
    Seance,
    Signalement,
    Source,
    Status,
    Support,
    Transmission,
    Visibility,
)
from consultations.models.seance import keep_answer_quartiers
from consultations.transitions import ALLOWED_TRANSITIONS

from . import Generator, volume
from .bulk import BATCH_SIZE, CHUNK, bulk, chunked
from .texts import SUBJECTS, VERDICTS, WISHES

GENERATED_SLUG_PREFIX = "consultation-"


def make_consultations(gen: Generator) -> int:
    rng = gen.rng("consultations")
    total = volume("consultations", gen.scale, 2)
    rows, spans = [], []
    for index in range(total):
        opens = (gen.anchor - dt.timedelta(days=rng.randrange(0, 540))).date()
        subject = rng.choice(SUBJECTS)
        rows.append(
            Consultation(
                title=f"{subject} : qu'en pensez-vous ? ({index + 1})",
                slug=f"{GENERATED_SLUG_PREFIX}{index + 1:03d}",
                question=f"{subject} : que faudrait-il changer selon vous ?",
                description="Consultation générée pour le banc d'essai.",
                opens_on=opens,
                closes_on=opens + dt.timedelta(days=rng.randrange(14, 120)),
                created_by_id=rng.choice(gen.referents) if gen.referents else None,
            )
        )
        spans.append(rng.sample(gen.quartier_ids, rng.randrange(1, 4)))
    rows = bulk(Consultation, rows, returning=True)
    through = Consultation.quartiers.through
    links = []
    for consultation, quartier_ids in zip(rows, spans, strict=True):
        for quartier_id in quartier_ids:
            links.append(through(consultation_id=consultation.pk, quartier_id=quartier_id))
            gen.consultations_by_quartier[quartier_id].append(consultation.pk)
    bulk(through, links)
    return len(rows)


def _paths() -> dict[str, tuple[str, ...]]:
    """Each status's steps from « soumise », along the transitions the services allow."""
    paths = {Status.SOUMISE: (Status.SOUMISE,)}
    pending = [Status.SOUMISE]
    while pending:
        status = pending.pop(0)
        for target in sorted(ALLOWED_TRANSITIONS[status]):
            if target not in paths:
                paths[target] = (*paths[status], target)
                pending.append(target)
    return paths


# The statuses of generated expressions, with their weights, and the steps of each path.
STATUS_WEIGHTS = {
    Status.SOUMISE: 8,
    Status.PUBLIEE: 35,
    Status.REJETEE: 5,
    Status.FUSIONNEE: 3,
    Status.TRANSMISE: 20,
    Status.EXAMINEE: 12,
    Status.REPONDUE: 17,
}
PATHS = _paths()
# The share of generated expressions that anyone can read in lists (listed and not private).
LISTED_SHARE = sum(STATUS_WEIGHTS[s] for s in LISTED_STATUSES) / sum(STATUS_WEIGHTS.values()) * 0.9
PARETO_ALPHA = 1.6  # mean of paretovariate(a) - 1 is 1 / (a - 1)
STEP_NOTES = {
    Status.REJETEE: "Votre message donne le nom d'une personne : réécrivez-le sans ce nom.",
    Status.FUSIONNEE: "Votre message rejoint un message qui dit la même chose.",
    Status.TRANSMISE: "Transmise au Comité de Pilotage Cohésion Sociale.",
    Status.EXAMINEE: "Examinée en séance du comité.",
    Status.REPONDUE: "Retenue : des travaux sont prévus au printemps.",
}
VISIBILITIES = {Visibility.PUBLIC_ANONYMOUS: 6, Visibility.PUBLIC_NAMED: 3, Visibility.PRIVATE: 1}
FIELD_AGE_GROUPS = (AgeGroup.DE_18_A_25, AgeGroup.DE_26_A_59, AgeGroup.PLUS_60, AgeGroup.MIXTE)


def _text(rng: random.Random) -> str:
    parts = [f"{rng.choice(SUBJECTS)} {rng.choice(VERDICTS)}.", rng.choice(WISHES)]
    if rng.random() < 0.4:
        parts.append(f"{rng.choice(SUBJECTS)} {rng.choice(VERDICTS)}.")
    return " ".join(part for part in parts if part)


def make_expressions(gen: Generator) -> int:
    through = Expression.objectifs.through
    rng = gen.rng("expressions")
    total = volume("expressions", gen.scale, 20)
    # « Moi aussi » are counted here, so that no update rewrites 200,000 rows afterwards:
    # a few expressions gather most of them, as in real life.
    supports_per_listed = volume("supports", gen.scale) / (total * LISTED_SHARE)
    most_supports = max(len(gen.habitants) - 1, 0)
    # Oldest first, so that primary keys follow time as they do in real life.
    moments = sorted(gen.days_ago(rng, 730) for _ in range(total))
    listed_by_quartier: dict[int, list[int]] = defaultdict(list)
    made = 0
    for start in range(0, total, CHUNK):
        rows, extras = [], []
        for created_at in moments[start : start + CHUNK]:
            quartier_id = rng.choice(gen.quartier_ids)
            online = rng.random() < 0.8
            residents = gen.residents.get(quartier_id) or gen.habitants
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            times = [created_at]
            for _ in PATHS[status][1:]:
                times.append(min(times[-1] + dt.timedelta(hours=rng.randrange(1, 96)), gen.anchor))
            published = times[1] if status not in {Status.SOUMISE, Status.REJETEE} else None
            events = gen.events_by_quartier.get(quartier_id) or []
            consultations = gen.consultations_by_quartier.get(quartier_id) or []
            objectifs = gen.objectifs.get(quartier_id, [])
            chosen = rng.sample(objectifs, min(len(objectifs), rng.choice((0, 1, 1, 1, 2, 2))))
            visibility = rng.choices(list(VISIBILITIES), weights=list(VISIBILITIES.values()))[0]
            supports = 0
            if status in LISTED_STATUSES and visibility != Visibility.PRIVATE:
                tail = rng.paretovariate(PARETO_ALPHA) - 1
                expected = tail * supports_per_listed * (PARETO_ALPHA - 1)
                supports = min(int(expected + rng.random()), most_supports)
            rows.append(
                Expression(
                    quartier_id=quartier_id,
                    text=_text(rng),
                    objectifs_unknown=not chosen,
                    consultation_id=(
                        rng.choice(consultations) if consultations and rng.random() < 0.15 else None
                    ),
                    evenement_id=(
                        rng.choice(events)[0]
                        if events and not online and rng.random() < 0.7
                        else None
                    ),
                    source=Source.EN_LIGNE if online else rng.choice(FIELD_SOURCES),
                    visibility=visibility,
                    status=status,
                    author_id=rng.choice(residents) if online and residents else None,
                    recorded_by_id=(
                        rng.choice(gen.mediateurs) if not online and gen.mediateurs else None
                    ),
                    people_count=1 if online else rng.choice((1, 1, 2, 3, 5)),
                    age_group="" if online else rng.choice(FIELD_AGE_GROUPS),
                    created_at=created_at,
                    published_at=published,
                    status_changed_at=times[-1],
                    supports_count=supports,
                )
            )
            extras.append((status, times, chosen))
        rows = bulk(Expression, rows, returning=True)
        steps, links, merged = [], [], []
        for expression, (status, times, chosen) in zip(rows, extras, strict=True):
            actor = expression.author_id or expression.recorded_by_id
            for step_status, moment in zip(PATHS[status], times, strict=True):
                if step_status != Status.SOUMISE and gen.mediateurs:
                    actor = rng.choice(gen.mediateurs)
                steps.append(
                    ExpressionStep(
                        expression_id=expression.pk,
                        status=step_status,
                        note=STEP_NOTES.get(step_status, ""),
                        public=step_status != Status.REJETEE,
                        actor_id=actor,
                        created_at=moment,
                    )
                )
            links.extend(through(expression_id=expression.pk, objectif_id=o) for o in chosen)
            same_quartier = listed_by_quartier[expression.quartier_id]
            if status == Status.FUSIONNEE and same_quartier:
                expression.merged_into_id = rng.choice(same_quartier)
                merged.append(expression)
            if status != Status.SOUMISE:
                gen.moderated.append(expression.pk)
            if status in ROUTED_STATUSES:
                gen.routed.append((expression.pk, expression.quartier_id, status, times))
            if status in LISTED_STATUSES and expression.visibility != Visibility.PRIVATE:
                same_quartier.append(expression.pk)
                gen.listed.append(
                    (expression.pk, expression.author_id or 0, times[1], expression.supports_count)
                )
        bulk(ExpressionStep, steps)
        bulk(through, links)
        Expression.objects.bulk_update(merged, ["merged_into"], batch_size=BATCH_SIZE)
        gen.count("etapes", len(steps))
        gen.count("liens_objectifs", len(links))
        made += len(rows)
    return made


def make_supports(gen: Generator) -> int:
    """As many « moi aussi » as each expression's ``supports_count``, by distinct residents."""
    rng = gen.rng("moi-aussi")
    rows, made = [], 0
    for expression_id, author_id, published, wanted in gen.listed:
        if not wanted:
            continue
        users = [u for u in rng.sample(gen.habitants, wanted + 1) if u != author_id][:wanted]
        span = max(int((gen.anchor - published).total_seconds()), 1)
        for user_id in users:
            rows.append(
                Support(
                    expression_id=expression_id,
                    user_id=user_id,
                    created_at=published + dt.timedelta(seconds=rng.randrange(span)),
                )
            )
        if len(rows) >= CHUNK:
            bulk(Support, rows)
            made, rows = made + len(rows), []
    bulk(Support, rows)
    return made + len(rows)


def make_signalements(gen: Generator) -> int:
    rng = gen.rng("signalements")
    if not gen.listed or not gen.habitants:
        return 0
    total = volume("signalements", gen.scale)
    reasons = [choice for choice, _label in Signalement.Reason.choices]
    seen: set[tuple[int, int]] = set()
    rows, flagged = [], []
    for expression_id, author_id, published, _supports in rng.sample(
        gen.listed, min(total, len(gen.listed))
    ):
        reporter = rng.choice(gen.habitants)
        if reporter == author_id or (expression_id, reporter) in seen:
            continue
        seen.add((expression_id, reporter))
        created = min(published + dt.timedelta(hours=rng.randrange(1, 200)), gen.anchor)
        resolved = rng.random() < 0.7
        rows.append(
            Signalement(
                expression_id=expression_id,
                reporter_id=reporter,
                reason=rng.choice(reasons),
                created_at=created,
                resolved_at=min(created + dt.timedelta(hours=6), gen.anchor) if resolved else None,
                resolved_by_id=rng.choice(gen.mediateurs) if resolved and gen.mediateurs else None,
            )
        )
        if not resolved:
            flagged.append((expression_id, created))
    bulk(Signalement, rows)
    for chunk in chunked(flagged, 500):
        for expression_id, created in chunk:
            Expression.objects.filter(pk=expression_id).update(flagged_at=created)
    return len(rows)


INSTANCES = (
    ("Comité de Pilotage Cohésion Sociale", Instance.Kind.COMITE_PILOTAGE),
    ("Conseil Consultatif du Programme de Réussite Éducative", Instance.Kind.CONSEIL_CONSULTATIF),
    ("Bailleurs sociaux du territoire", Instance.Kind.BAILLEUR),
    ("Services techniques de la commune", Instance.Kind.SERVICE_COMMUNAL),
    ("Centre social et associations de quartier", Instance.Kind.ASSOCIATION),
    ("Partenaires de l'emploi et de l'insertion", Instance.Kind.AUTRE),
)
TAGS = (
    "éclairage",
    "propreté",
    "jeux pour enfants",
    "transports",
    "tranquillité",
    "médiation",
    "emploi",
    "santé",
    "logement",
    "stationnement",
    "espaces verts",
    "commerces",
    "jeunesse",
    "aide aux devoirs",
    "accessibilité",
    "bruit",
    "voirie",
    "sport",
    "culture",
    "personnes âgées",
    "numérique",
    "accès aux droits",
    "parentalité",
    "fêtes de quartier",
    "marché",
    "déchets",
    "bancs et ombre",
    "vitesse",
)
ANSWERS = (
    (
        Decision.RETENUE,
        "Retenue : les travaux sont programmés ; le service vous tiendra informés.",
    ),
    (
        Decision.A_L_ETUDE,
        "À l'étude : le service technique chiffre la demande d'ici la prochaine séance.",
    ),
    (
        Decision.NON_RETENUE,
        "Non retenue cette année : le budget est engagé ailleurs, nous en reparlerons.",
    ),
    (
        Decision.DEJA_EN_COURS,
        "Déjà en cours : une action répond à cette demande depuis le printemps.",
    ),
)


def make_instances(gen: Generator) -> int:
    """The convention's two instances and four partners, with the comité members."""
    rng = gen.rng("instances")
    existing = {instance.name: instance for instance in Instance.objects.all()}
    new = [
        Instance(name=name, slug=slugify(name)[:80], kind=kind, description="")
        for name, kind in INSTANCES
        if name not in existing
    ]
    bulk(Instance, new, returning=True)
    instances = [
        existing.get(name) or next(i for i in new if i.name == name) for name, _ in INSTANCES
    ]
    gen.instances = [instance.pk for instance in instances]
    gen.members = {pk: [] for pk in gen.instances}
    through = Instance.members.through
    links = []
    for index, user_id in enumerate(gen.comite):
        chosen = {gen.instances[index % 2]}
        if rng.random() < 0.4:
            chosen.add(rng.choice(gen.instances))
        for instance_id in sorted(chosen):
            links.append(through(instance_id=instance_id, user_id=user_id))
            gen.members[instance_id].append(user_id)
    bulk(through, links)
    gen.count("membres d'instances", len(links))
    return len(new)


def make_transmissions(gen: Generator) -> int:
    """Every routed expression goes to the comité de pilotage, or to one or two partners."""
    rng = gen.rng("transmissions")
    if not gen.instances:
        return 0
    rows = []
    for pk, _quartier_id, _status, times in gen.routed:
        if rng.random() < 0.6:
            chosen = [gen.instances[0]]
        else:
            chosen = sorted(rng.sample(gen.instances, min(rng.choice((1, 2)), len(gen.instances))))
        gen.transmissions[pk] = chosen
        for instance_id in chosen:
            rows.append(
                Transmission(
                    expression_id=pk,
                    instance_id=instance_id,
                    note="À examiner avec les autres demandes du quartier.",
                    created_by_id=rng.choice(gen.mediateurs) if gen.mediateurs else None,
                    created_at=times[2],
                )
            )
    for chunk in chunked(rows, CHUNK):
        bulk(Transmission, chunk)
    return len(rows)


def make_etiquettes(gen: Generator) -> int:
    """A shared list of tags; most expressions a mediator has read carry one or two."""
    rng = gen.rng("etiquettes")
    existing = {tag.name.lower(): tag for tag in Etiquette.objects.all()}
    creator = gen.mediateurs[0] if gen.mediateurs else None
    new = [Etiquette(name=name, created_by_id=creator) for name in TAGS if name not in existing]
    bulk(Etiquette, new, returning=True)
    tags = [existing.get(name) or next(t for t in new if t.name == name) for name in TAGS]
    through = Etiquette.expressions.through
    links = []
    for pk in gen.moderated:
        if rng.random() < 0.6:
            for tag in rng.sample(tags, rng.choice((1, 1, 2))):
                links.append(through(etiquette_id=tag.pk, expression_id=pk))
    for chunk in chunked(links, CHUNK):
        bulk(through, chunk)
    gen.count("expressions étiquetées", len(links))
    return len(new)


def make_reponses(gen: Generator) -> int:
    """Quarterly séances; examined expressions on their agenda, grouped by quartier; answers.

    Expressions répondues are grouped so that the number of answers is the scale's (2,000
    at scale 1): one answer per agenda item, for every expression of the item.
    """
    rng = gen.rng("reponses")
    if not gen.instances:
        return 0
    tz = timezone.get_current_timezone()
    seances: dict[int, list] = {}
    rows = []
    for instance_id in gen.instances:
        seances[instance_id] = []
        for quarter in range(-8, 1):
            day = (gen.anchor + dt.timedelta(days=91 * quarter + 14)).astimezone(tz).date()
            starts_at = dt.datetime.combine(day, dt.time(18), tzinfo=tz)
            held = starts_at + dt.timedelta(hours=2)
            seance = Seance(
                instance_id=instance_id,
                title=f"Séance du {day:%d/%m/%Y}",
                starts_at=starts_at,
                place="Salle du conseil, mairie d'Auchel",
                examined_at=held if held < gen.anchor else None,
                created_by_id=gen.referents[0] if gen.referents else None,
            )
            rows.append(seance)
            seances[instance_id].append(seance)
    bulk(Seance, rows, returning=True)

    # Each examined expression goes to its first instance's first séance held after it came.
    buckets: dict[tuple[int, int, str], list[tuple[int, dt.datetime]]] = defaultdict(list)
    for pk, quartier_id, status, times in gen.routed:
        if status not in {Status.EXAMINEE, Status.REPONDUE} or pk not in gen.transmissions:
            continue
        instance_id = gen.transmissions[pk][0]
        held = [s for s in seances[instance_id] if s.examined_at is not None]
        seance = next((s for s in held if s.starts_at >= times[2]), held[-1])
        buckets[(seance.pk, quartier_id, status)].append((pk, times[-1]))

    answered = [len(v) for (_s, _q, status), v in buckets.items() if status == Status.REPONDUE]
    wanted = volume("answers", gen.scale)
    size = 1
    while sum(-(-n // size) for n in answered) > wanted and size < max(answered, default=1):
        size += 1
    seance_of = {s.pk: s for group in seances.values() for s in group}
    items, groups = [], []
    for (seance_pk, quartier_id, status), members in sorted(buckets.items()):
        for chunk in chunked(members, size):
            position = len(items) + 1
            items.append(
                AgendaItem(
                    seance_id=seance_pk,
                    title=f"Ce que disent les habitant·es de {gen.quartier_names[quartier_id]}",
                    position=position,
                    created_at=seance_of[seance_pk].starts_at - dt.timedelta(days=7),
                )
            )
            groups.append((status, chunk))
    bulk(AgendaItem, items, returning=True)
    entries, answers, answer_groups = [], [], []
    for item, (status, chunk) in zip(items, groups, strict=True):
        seance = seance_of[item.seance_id]
        entries += [
            AgendaEntry(item_id=item.pk, seance_id=seance.pk, expression_id=pk) for pk, _ in chunk
        ]
        if status != Status.REPONDUE:
            continue
        decision, text = rng.choice(ANSWERS)
        members = gen.members.get(seance.instance_id) or gen.referents
        answers.append(
            Reponse(
                item_id=item.pk,
                seance_id=seance.pk,
                instance_id=seance.instance_id,
                decision=decision,
                text=text,
                public=rng.random() < 0.85,
                answered_by_id=rng.choice(members) if members else None,
                created_at=max(moment for _pk, moment in chunk),
            )
        )
        answer_groups.append(chunk)
    for chunk in chunked(entries, CHUNK):
        bulk(AgendaEntry, chunk)
    bulk(Reponse, answers, returning=True)
    through = Reponse.expressions.through
    links = [
        through(reponse_id=answer.pk, expression_id=pk)
        for answer, chunk in zip(answers, answer_groups, strict=True)
        for pk, _moment in chunk
    ]
    for chunk in chunked(links, CHUNK):
        bulk(through, chunk)
    keep_answer_quartiers([answer.pk for answer in answers])  # written around the ORM
    gen.count("séances", len(rows))
    gen.count("points d'ordre du jour", len(items))
    return len(answers)


def delete_generated() -> None:
    """Children first; every expression, tag and séance, generated or not (``--replace``)."""
    for queryset in (
        Reponse.objects.all(),
        Seance.objects.all(),
        Transmission.objects.all(),
        Etiquette.objects.all(),
        Expression.objects.all(),
        Consultation.objects.filter(slug__startswith=GENERATED_SLUG_PREFIX),
    ):
        queryset.delete()
