"""Demo expressions of the embedded mode: a few hundred, across quartiers, sources and steps.

Run by ``manage.py load_demo`` after the accounts and the events. Deterministic
(``random.Random(SEED)``) and idempotent: each expression has a fixed idempotency key,
so a second run creates nothing. Rows are bulk-created with the steps, audit entries
and « moi aussi » their path implies, without sending a single notification.
"""

import datetime as dt
import random
import uuid

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from evenements import public as evenements_public
from participation.accounts.demo import resident_email
from participation.audit.models import AuditEntry
from participation.territory.models import Objectif, Quartier

from ..models import (
    AgeGroup,
    Consultation,
    Expression,
    ExpressionStep,
    Signalement,
    Source,
    Status,
    Support,
    Visibility,
    tally,
)
from . import committee, moderation

SEED = 2030
COUNT = 320
NAMESPACE = uuid.UUID("0b7d6f8e-2c55-4a51-9f3e-6a1d2e0c7a30")
VOISIN_NAMES = [
    "Aïcha", "Bruno", "Chantal", "Dylan", "Élodie", "Farid", "Ginette", "Hugo", "Inès",
    "Jordan", "Kevin", "Laetitia", "Martine", "Nordine", "Océane", "Patrick", "Rachida",
    "Sébastien", "Thérèse", "Yanis", "Zoé", "Amandine", "Bernadette", "Christophe",
    "Djamila", "Éric", "Fabienne", "Gaëtan", "Houria", "Jessica", "Lucas", "Monique",
]  # fmt: skip

# What residents say, by theme; a theme is found from the words of the objective.
THEMES = {
    "mediation": [
        "On ne voit plus personne dans le quartier le soir. Une présence de médiateurs rassurerait les familles.",
        "Merci à la médiatrice qui m'a aidée pour mon dossier CAF, sans elle j'aurais abandonné.",
        "Il faudrait que les médiateurs passent aussi le week-end, c'est là que ça déborde.",
        "Les conflits entre voisins s'enveniment, personne ne sait à qui s'adresser.",
        "La médiation sociale marche bien quand on connaît les personnes. Il faut qu'elles restent.",
    ],
    "sante": [
        "Trouver un médecin traitant est devenu impossible, on va aux urgences pour tout.",
        "Il y a des jeunes qui boivent sur le parking tous les soirs, il faudrait de la prévention.",
        "Une permanence santé au centre social, même une fois par mois, ça aiderait beaucoup.",
        "Les ateliers sport santé pour les seniors étaient très bien, pourquoi ils se sont arrêtés ?",
        "Beaucoup de gens ne savent pas qu'ils ont droit à la complémentaire santé solidaire.",
    ],
    "equipements": [
        "Le city stade est super mais il n'y a pas d'éclairage, on ne peut plus jouer dès 17 h en hiver.",
        "La salle Beaugrand est toujours fermée quand on passe, on ne sait pas comment la réserver.",
        "Mes enfants aimeraient aller à la piscine mais il n'y a pas de bus le mercredi.",
        "L'espace Sécretin propose plein de choses mais personne ne le sait dans la cité.",
        "Il manque un endroit couvert pour que les jeunes se retrouvent sans gêner personne.",
    ],
    "education": [
        "Mon fils décroche au collège, on se sent seuls face à ça.",
        "L'aide aux devoirs du soir est pleine, il faudrait plus de bénévoles.",
        "La maison des 1000 jours est une belle idée, mais les horaires ne vont pas quand on travaille.",
        "Les parents ne se sentent pas les bienvenus à l'école, il faudrait des cafés des parents.",
        "Beaucoup de jeunes traînent toute la journée, ils ont quitté l'école sans rien.",
    ],
    "information": [
        "On apprend les activités une fois qu'elles sont passées. Il faudrait des affiches en bas des immeubles.",
        "Tout est sur internet, mais tout le monde n'a pas internet ou ne sait pas s'en servir.",
        "Un panneau d'informations au marché du vendredi, ce serait simple et efficace.",
        "Les sorties culturelles sont trop chères pour une famille de quatre.",
    ],
    "participation": [
        "J'aimerais participer aux projets du quartier mais les réunions sont toujours à 18 h.",
        "Le conseil citoyen, personne ne sait qui en fait partie ni ce qu'il fait.",
        "On nous demande notre avis puis on n'a jamais de nouvelles. Là, on verra.",
        "Les associations du quartier ne se connaissent pas entre elles, une fête commune les rapprocherait.",
        "Je peux donner un coup de main pour le jardin partagé, à qui faut-il s'adresser ?",
    ],
    "emploi": [
        "Sans permis et sans bus tôt le matin, impossible d'accepter un travail en équipe.",
        "Il faudrait une permanence emploi dans le quartier, aller à Béthune c'est compliqué.",
        "Mon fils voudrait créer son entreprise de livraison, il ne sait pas par où commencer.",
        "Les jeunes ne connaissent pas la Mission locale, il faut aller vers eux.",
        "Une auto-école sociale aiderait beaucoup de mamans à retrouver du travail.",
    ],
    "cadre_de_vie": [
        "Le trottoir de la rue principale est défoncé, avec une poussette c'est dangereux.",
        "Il n'y a pas de piste cyclable pour aller au centre, les enfants roulent sur la route.",
        "Les logements vides se dégradent et attirent les dépôts sauvages.",
        "Les travaux de rénovation sont bien, mais on aimerait savoir quand ce sera notre tour.",
        "Il faudrait plus de bancs et d'arbres, il n'y a pas d'ombre l'été.",
        "L'éclairage public est en panne depuis des semaines dans notre rue.",
        "Les factures de chauffage ont explosé, l'isolation des maisons de la cité est urgente.",
    ],
    "animation": [
        "Nos Quartiers d'Été, c'était génial, il en faudrait aussi pendant les vacances de février.",
        "Les associations pourraient tenir des permanences dans le local vide en bas de chez nous.",
        "Le quartier est mort le dimanche, une brocante ou un marché ferait du bien.",
        "Les animations pour les ados manquent, tout est pour les petits.",
    ],
}
KEYWORDS = [
    ("médiation", "mediation"),
    ("prévention", "sante"),
    ("infrastructures", "equipements"),
    ("Sécretin", "equipements"),
    ("enfants", "education"),
    ("1000 jours", "education"),
    ("partenarial", "education"),
    ("jeunes", "education"),
    ("Diffuser", "information"),
    ("participation", "participation"),
    ("acteurs des projets", "participation"),
    ("associations", "participation"),
    ("fabrique", "participation"),
    ("entrepreneuriat", "emploi"),
    ("orienter", "emploi"),
    ("Informer", "emploi"),
    ("renouvellement", "cadre_de_vie"),
    ("liaisons douces", "cadre_de_vie"),
    ("logement", "cadre_de_vie"),
    ("mixité", "cadre_de_vie"),
    ("ERBM", "cadre_de_vie"),
    ("transformation", "cadre_de_vie"),
    ("occupation des quartiers", "animation"),
]
UNKNOWN_TEXTS = [
    "Je ne sais pas si c'est le bon endroit, mais les poubelles ne sont plus ramassées le jeudi.",
    "Bravo pour le nouveau square, les enfants l'adorent.",
    "On se sent un peu oubliés ici, on aimerait que les élus viennent nous voir.",
    "Le bus 12 est toujours en retard le matin, les enfants arrivent en retard à l'école.",
]
REJECTION_REASONS = [
    "Le message cite le nom d'une personne : réécrivez-le sans nom et il pourra être publié.",
    "Le message contient des propos insultants.",
    "Le message concerne une autre commune que celle du contrat de ville.",
]
INSTANCES = [
    "au Comité de Pilotage Cohésion Sociale",
    "au Conseil Consultatif du Programme de Réussite Éducative",
    "au bailleur social Maisons & Cités",
    "aux services techniques de la commune",
]
ANSWERS = [
    "Retenue : la commune ajoutera ce point au programme de l'an prochain et reviendra vers vous.",
    "À l'étude : les services étudient la faisabilité et le coût ; réponse attendue d'ici la fin du trimestre.",
    "Déjà en cours : ce projet est engagé ; les travaux commencent au printemps.",
    "Non retenue : ce n'est pas de la compétence de la commune ; la demande a été transmise à l'agglomération.",
]
SOURCES = [
    (Source.EN_LIGNE, 60),
    (Source.STAND, 14),
    (Source.TABLE_RONDE, 10),
    (Source.NOS_QUARTIERS_ETE, 11),
    (Source.PERMANENCE, 5),
]
STATUSES = [
    (Status.SOUMISE, 12),
    (Status.REJETEE, 6),
    (Status.PUBLIEE, 38),
    (Status.FUSIONNEE, 3),
    (Status.TRANSMISE, 21),
    (Status.EXAMINEE, 9),
    (Status.REPONDUE, 11),
]
PATHS = {
    Status.SOUMISE: [Status.SOUMISE],
    Status.REJETEE: [Status.SOUMISE, Status.REJETEE],
    Status.PUBLIEE: [Status.SOUMISE, Status.PUBLIEE],
    Status.FUSIONNEE: [Status.SOUMISE, Status.PUBLIEE, Status.FUSIONNEE],
    Status.TRANSMISE: [Status.SOUMISE, Status.PUBLIEE, Status.TRANSMISE],
    Status.EXAMINEE: [Status.SOUMISE, Status.PUBLIEE, Status.TRANSMISE, Status.EXAMINEE],
    Status.REPONDUE: [
        Status.SOUMISE,
        Status.PUBLIEE,
        Status.TRANSMISE,
        Status.EXAMINEE,
        Status.REPONDUE,
    ],
}


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _theme(objectif) -> str:
    text = str(objectif)
    for keyword, theme in KEYWORDS:
        if keyword.lower() in text.lower():
            return theme
    return {1: "sante", 2: "participation", 3: "cadre_de_vie"}.get(
        objectif.enjeu.number, "animation"
    )


def _consultations(quartiers, stdout) -> list[Consultation]:
    today = timezone.localdate()
    by_slug = {q.slug: q for q in quartiers}
    specs = [
        (
            "bilan-nos-quartiers-ete-2026",
            "Bilan Nos Quartiers d'Été 2026",
            "Qu'avez-vous pensé des animations Nos Quartiers d'Été cet été ? "
            "Qu'est-ce qu'il faudrait garder, changer, ajouter l'an prochain ?",
            today - dt.timedelta(days=100),
            today - dt.timedelta(days=20),
            list(quartiers),
        ),
        (
            "table-ronde-jeunesse",
            "Table ronde jeunesse",
            "Que manque-t-il aux 11-25 ans dans votre quartier pour sortir, apprendre, "
            "trouver un travail ? Les jeunes eux-mêmes sont les bienvenus.",
            today - dt.timedelta(days=30),
            today + dt.timedelta(days=45),
            [q for slug, q in by_slug.items() if slug in {"rimbart", "cite-5"}] or quartiers[:2],
        ),
        (
            "cadre-de-vie-provinces",
            "Cadre de vie aux Provinces : éclairage, trottoirs, liaisons douces",
            "Où vous sentez-vous mal à l'aise à pied ou à vélo dans le quartier ? "
            "Dites-nous la rue et ce qu'il faudrait.",
            today + dt.timedelta(days=15),
            today + dt.timedelta(days=75),
            [q for slug, q in by_slug.items() if slug.startswith("provinces")] or quartiers[-1:],
        ),
    ]
    result = []
    for slug, title, question, opens, closes, concerned in specs:
        consultation, created = Consultation.objects.get_or_create(
            slug=slug,
            defaults={"title": title, "question": question, "opens_on": opens, "closes_on": closes},
        )
        if created:
            consultation.quartiers.set(concerned)
        result.append(consultation)
    stdout.write(
        f"Consultations de démonstration : {len(result)} (une close, une ouverte, une à venir)."
    )
    return result


def _voisins(quartiers):
    user_model = get_user_model()
    voisins = []
    for index, name in enumerate(VOISIN_NAMES):
        email = f"voisin{index + 1:02d}@demo.auchel.fr"
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model(
                email=email, display_name=name, quartier=quartiers[index % len(quartiers)]
            )
            user.set_unusable_password()  # readers who support and report; nobody signs in as them
            user.save()
        voisins.append(user)
    return voisins


def _demo_authors(quartiers):
    """The accounts app's demo residents (by email), if they exist."""
    user_model = get_user_model()
    emails = ["habitant@demo.auchel.fr", *(resident_email(q) for q in quartiers)]
    return list(user_model.objects.filter(email__in=emails))


def _past_events(quartiers):
    """Events of the last months by quartier, through the events app's public functions."""
    now = timezone.now()
    by_quartier: dict[int, list] = {q.pk: [] for q in quartiers}
    for event in evenements_public.recent_events(limit=200):
        if event.starts_at >= now:
            continue
        for quartier in event.quartiers.all():
            by_quartier.setdefault(quartier.pk, []).append(event)
    return by_quartier


def load(stdout) -> None:
    quartiers = list(Quartier.objects.order_by("position", "name"))
    if not quartiers:
        stdout.write(
            "Référentiel absent : pas d'expressions de démonstration (manage.py load_referentiel)."
        )
        return
    user_model = get_user_model()
    mediateur = user_model.objects.filter(email="mediateur@demo.auchel.fr").first()
    referent = user_model.objects.filter(email="referent@demo.auchel.fr").first()
    authors = _demo_authors(quartiers)
    if mediateur is None or not authors:
        stdout.write("Comptes de démonstration absents : pas d'expressions de démonstration.")
        return
    consultations = _consultations(quartiers, stdout)
    voisins = _voisins(quartiers)
    residents = authors + voisins
    objectifs: dict[int, list] = {}
    for objectif in Objectif.objects.select_related("enjeu").order_by("quartier_id", "position"):
        objectifs.setdefault(objectif.quartier_id, []).append(objectif)
    events = _past_events(quartiers)
    concerned = {c.pk: set(c.quartiers.values_list("pk", flat=True)) for c in consultations}

    rng = random.Random(SEED)
    now = timezone.now()
    keys = [uuid.uuid5(NAMESPACE, f"expression-{index}") for index in range(COUNT)]
    existing = set(
        Expression.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )

    planned = []
    for key in keys:
        # Every draw happens for every index, so the content does not depend on what exists.
        quartier = rng.choices(quartiers, weights=[q.population or 1 for q in quartiers])[0]
        source = _weighted(rng, SOURCES)
        status = _weighted(rng, STATUSES)
        created_at = now - dt.timedelta(days=rng.uniform(2, 330), minutes=rng.randint(0, 600))
        choices = objectifs.get(quartier.pk, [])
        chosen = rng.sample(choices, k=min(len(choices), rng.choice([0, 1, 1, 1, 2])))
        if chosen:
            text = rng.choice(THEMES[_theme(chosen[0])])
        else:
            text = rng.choice(UNKNOWN_TEXTS + THEMES[rng.choice(sorted(THEMES))])
        author = rng.choice([a for a in authors if a.quartier_id == quartier.pk] or authors)
        visibility = _weighted(
            rng,
            [
                (Visibility.PUBLIC_NAMED, 35),
                (Visibility.PUBLIC_ANONYMOUS, 50),
                (Visibility.PRIVATE, 15),
            ],
        )
        field = source != Source.EN_LIGNE
        event_choices = events.get(quartier.pk) or []
        evenement = rng.choice(event_choices) if (field and event_choices) else None
        people = rng.choice([1, 1, 2, 3, 4, 6, 8]) if field else 1
        age = (
            rng.choice([choice for choice, _label in AgeGroup.choices] + ["", ""]) if field else ""
        )
        consultation = None
        candidate = rng.choice(consultations)
        if rng.random() < 0.25 and quartier.pk in concerned[candidate.pk]:
            opens = timezone.make_aware(dt.datetime.combine(candidate.opens_on, dt.time(9)))
            closes = timezone.make_aware(dt.datetime.combine(candidate.closes_on, dt.time(18)))
            if opens < now:
                consultation = candidate
                created_at = opens + (min(closes, now) - opens) * rng.random()
        step_gaps = [rng.uniform(0.2, 6) for _ in range(5)]
        supporters = rng.sample(residents, k=rng.choice([0, 0, 1, 2, 3, 5, 8, 13]))
        extra = {
            "rejection": rng.choice(REJECTION_REASONS),
            "instance": rng.choice(INSTANCES),
            "answer": rng.choice(ANSWERS),
            "reported": rng.random() < 0.02,
        }
        if key in existing:
            continue
        planned.append(
            {
                "expression": Expression(
                    quartier=quartier,
                    text=text,
                    objectifs_unknown=not chosen,
                    consultation=consultation,
                    evenement=evenement,
                    source=source,
                    visibility=Visibility.PUBLIC_ANONYMOUS
                    if field and visibility == Visibility.PUBLIC_NAMED
                    else visibility,
                    status=status,
                    author=None if field else author,
                    recorded_by=mediateur if field else None,
                    people_count=people,
                    age_group=age,
                    idempotency_key=key,
                    created_at=created_at,
                    status_changed_at=created_at,
                ),
                "objectifs": chosen,
                "gaps": step_gaps,
                "supporters": supporters,
                **extra,
            }
        )

    if not planned:
        stdout.write(f"Expressions de démonstration : 0 créée, {len(existing)} déjà présentes.")
        moderation.load(stdout, mediateur)
        committee.load(stdout)
        return
    _save(planned, mediateur, referent or mediateur, now)
    stdout.write(
        f"Expressions de démonstration : {len(planned)} créée(s), {len(existing)} déjà présente(s)."
    )
    moderation.load(stdout, mediateur)
    committee.load(stdout)


def _save(planned, mediateur, referent, now):
    # Dates of every step first: they give the publication date and the last change.
    for item in planned:
        expression = item["expression"]
        moment = expression.created_at
        item["dates"] = []
        for gap in item["gaps"][: len(PATHS[expression.status])]:
            item["dates"].append(min(moment, now))
            moment += dt.timedelta(days=gap)
        expression.status_changed_at = item["dates"][-1]
        if len(item["dates"]) > 1 and expression.status != Status.REJETEE:
            expression.published_at = item["dates"][1]
        if item["reported"] and expression.status in (Status.PUBLIEE, Status.TRANSMISE):
            expression.flagged_at = now - dt.timedelta(hours=5)
    created = Expression.objects.bulk_create([item["expression"] for item in planned])

    through = Expression.objectifs.through
    through.objects.bulk_create(
        [
            through(expression_id=expression.pk, objectif_id=objectif.pk)
            for item, expression in zip(planned, created, strict=True)
            for objectif in item["objectifs"]
        ]
    )
    steps, audit, supports, reports = [], [], [], []
    targets = [e for e in created if e.status in (Status.PUBLIEE, Status.TRANSMISE)]
    for item, expression in zip(planned, created, strict=True):
        for status, moment in zip(PATHS[expression.status], item["dates"], strict=True):
            actor, note, public = _step_details(item, status, expression, mediateur, referent)
            if status == Status.FUSIONNEE:
                same = [
                    t
                    for t in targets
                    if t.quartier_id == expression.quartier_id and t.pk != expression.pk
                ]
                if same:
                    expression.merged_into = same[0]
                    note = f"Regroupée avec l'expression n° {same[0].pk}, qui dit la même chose."
            steps.append(
                ExpressionStep(
                    expression=expression,
                    status=status,
                    note=note,
                    public=public,
                    actor=actor,
                    created_at=moment,
                )  # fmt: skip
            )
            audit.append(
                AuditEntry(
                    actor=actor,
                    actor_label=actor.email if actor else "",
                    action=f"expression.{status}",
                    target_type=Expression._meta.label_lower,
                    target_id=str(expression.pk),
                    after={"status": status, "demo": True},
                    reason=note,
                )
            )
        if (
            expression.status not in (Status.SOUMISE, Status.REJETEE, Status.FUSIONNEE)
            and not expression.is_private
        ):
            for supporter in item["supporters"]:
                if supporter.pk != expression.author_id:
                    supports.append(
                        Support(expression=expression, user=supporter, created_at=item["dates"][-1])
                    )
            if expression.flagged_at and item["supporters"]:
                reports.append(
                    Signalement(
                        expression=expression,
                        reporter=item["supporters"][0],
                        reason=Signalement.Reason.DONNEES_PERSONNELLES,
                        details="Le message parle d'un voisin qu'on peut reconnaître.",
                    )
                )
    ExpressionStep.objects.bulk_create(steps)
    AuditEntry.objects.bulk_create(audit)
    Support.objects.bulk_create(supports, ignore_conflicts=True)
    Signalement.objects.bulk_create(reports, ignore_conflicts=True)
    merged = [e for e in created if e.merged_into_id]
    Expression.objects.bulk_update(merged, ["merged_into"])
    counts = dict(
        Support.objects.filter(expression__in=created)
        .values_list("expression_id")
        .annotate(count=Count("pk"))
        .values_list("expression_id", "count")
    )
    for expression in created:
        expression.supports_count = counts.get(expression.pk, 0)
    Expression.objects.bulk_update(created, ["supports_count"])
    # Written in bulk, past the writes that keep the published counts: counted once here.
    tally.recount(Quartier.objects.filter(pk__in={e.quartier_id for e in created}))


def _step_details(item, status, expression, mediateur, referent):
    """(actor, note for the author, shown to everyone?) of one demo step."""
    if status == Status.SOUMISE:
        return (expression.author or mediateur, "", True)
    if status == Status.PUBLIEE:
        return (mediateur, "", True)
    if status == Status.REJETEE:
        return (mediateur, item["rejection"], False)
    if status == Status.FUSIONNEE:
        return (mediateur, "", True)
    if status == Status.TRANSMISE:
        return (mediateur, f"Transmise {item['instance']}.", True)
    if status == Status.EXAMINEE:
        return (referent, "Examinée en séance ; la réponse est en préparation.", True)
    return (referent, item["answer"], True)


# --- Moderation: partner instances, the comité account's seat, tags, transmissions -------
