"""Demo moderation: the instances of the convention and partners, routed expressions, tags."""

from django.contrib.auth import get_user_model

from ..models import (
    ROUTED_STATUSES,
    Etiquette,
    Expression,
    ExpressionStep,
    Instance,
    Status,
    Transmission,
)

PARTNER_INSTANCES = [
    {
        "slug": "maisons-et-cites",
        "name": "Maisons & Cités",
        "kind": Instance.Kind.BAILLEUR,
        "description": "Bailleur social des cités minières d'Auchel.",
    },
    {
        "slug": "services-techniques",
        "name": "Services techniques de la commune",
        "kind": Instance.Kind.SERVICE_COMMUNAL,
        "description": "Voirie, éclairage public, propreté, espaces verts.",
    },
]
# Which instance a demo step note (« Transmise au … ») names.
INSTANCE_IN_NOTE = [
    ("Comité de Pilotage", "comite-pilotage-cohesion-sociale"),
    ("Conseil Consultatif", "conseil-consultatif-pre"),
    ("Maisons & Cités", "maisons-et-cites"),
    ("services techniques", "services-techniques"),
]
DEMO_ETIQUETTES = {
    "éclairage": ["éclairage"],
    "propreté": ["poubelles", "dépôts sauvages"],
    "transports": ["bus", "piste cyclable", "permis", "vélo"],
    "jeunesse": ["jeunes", "ados", "collège"],
    "santé": ["médecin", "santé", "urgences"],
    "logement": ["logement", "isolation", "rénovation", "chauffage"],
    "médiation": ["médiat", "conflits"],
    "emploi": ["travail", "emploi", "entreprise", "mission locale"],
}
CONVENTION_INSTANCES = {
    "comite-pilotage-cohesion-sociale": {
        "name": "Comité de Pilotage Cohésion Sociale",
        "kind": Instance.Kind.COMITE_PILOTAGE,
    },
    "conseil-consultatif-pre": {
        "name": "Conseil Consultatif du Programme de Réussite Éducative",
        "kind": Instance.Kind.CONSEIL_CONSULTATIF,
    },
}


def load(stdout, mediateur) -> None:
    """Idempotent: instances and tags by name, memberships and links only when missing."""
    instances = {}
    for slug, defaults in CONVENTION_INSTANCES.items():
        instances[slug] = Instance.objects.get_or_create(slug=slug, defaults=defaults)[0]
    for row in PARTNER_INSTANCES:
        instances[row["slug"]] = Instance.objects.get_or_create(slug=row["slug"], defaults=row)[0]
    comite = get_user_model().objects.filter(email="comite@demo.auchel.fr").first()
    if comite is not None:
        instances["comite-pilotage-cohesion-sociale"].members.add(comite)

    routed = ROUTED_STATUSES
    steps = ExpressionStep.objects.filter(
        status=Status.TRANSMISE,
        expression__status__in=routed,
        expression__transmissions__isnull=True,
    ).order_by("created_at", "pk")
    transmissions = []
    for step in steps:
        slug = next(
            (s for words, s in INSTANCE_IN_NOTE if words.lower() in step.note.lower()),
            "comite-pilotage-cohesion-sociale",
        )
        transmissions.append(
            Transmission(
                expression_id=step.expression_id,
                instance=instances[slug],
                created_by=step.actor or mediateur,
                created_at=step.created_at,
            )
        )
    Transmission.objects.bulk_create(transmissions, ignore_conflicts=True)

    through = Etiquette.expressions.through
    links = []
    texts = list(Expression.objects.values_list("pk", "text"))
    for name, words in DEMO_ETIQUETTES.items():
        etiquette = Etiquette.objects.get_or_create(name=name, defaults={"created_by": mediateur})[
            0
        ]
        for pk, text in texts:
            if any(word in text.lower() for word in words):
                links.append(through(etiquette_id=etiquette.pk, expression_id=pk))
    through.objects.bulk_create(links, ignore_conflicts=True)
    stdout.write(
        f"Modération de démonstration : {Instance.objects.count()} instances, "
        f"{len(transmissions)} transmission(s) ajoutée(s), {len(DEMO_ETIQUETTES)} étiquettes."
    )
