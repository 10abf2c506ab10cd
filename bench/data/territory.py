"""Quartiers: the referential's four, and generated ones with the same objectives."""

from __future__ import annotations

from collections import defaultdict

from django.db import models
from django.utils.text import slugify

from participation.territory.models import Commune, Finding, Indicator, Objectif, Quartier

from . import GenerationError, Generator
from .bulk import bulk

QUARTIERS_TOTAL = 25  # the 4 of the referential and 21 generated ones (CABBALR: 25 quartiers)
GENERATED_CODE_PREFIX = "QP 98 00"  # codes no real quartier prioritaire has

# Real communes of the CABBALR beside the referential's five; the quartiers are fictional.
COMMUNES = (
    "Béthune",
    "Bruay-la-Buissière",
    "Lillers",
    "Isbergues",
    "Barlin",
    "Houdain",
    "Nœux-les-Mines",
    "Divion",
    "Beuvry",
    "Annezin",
    "Haillicourt",
    "Labourse",
    "Vermelles",
    "Douvrin",
)
QUARTIER_NAMES = (
    "Le Plateau",
    "Les Alouettes",
    "La Roseraie",
    "Le Marais",
    "Cité du Moulin",
    "Le Petit Bois",
    "Les Tilleuls",
    "La Fosse 3",
    "Les Terrils",
    "Le Rivage",
    "Les Glycines",
    "Cité Saint-Éloi",
    "La Plaine",
    "Les Peupliers",
    "Les Hauts",
    "Cité des Fleurs",
    "Le Bois Rouge",
    "Les Aulnes",
    "La Gare",
    "Les Jardins",
    "Le Vieux Moulin",
)


def make_quartiers(gen: Generator) -> int:
    patterns = list(Quartier.objects.order_by("position", "pk"))
    if not patterns:
        raise GenerationError(
            "Le référentiel n'est pas chargé : lancez d'abord « manage.py load_referentiel »."
        )
    rng = gen.rng("quartiers")
    agglomeration = patterns[0].commune.agglomeration
    communes = bulk(
        Commune,
        [Commune(agglomeration=agglomeration, name=name, slug=slugify(name)) for name in COMMUNES],
        returning=True,
    )
    generated = []
    for index in range(QUARTIERS_TOTAL - len(patterns)):
        pattern = patterns[index % len(patterns)]
        commune = communes[index % len(communes)]
        base = QUARTIER_NAMES[index % len(QUARTIER_NAMES)]
        generated.append(
            Quartier(
                code=f"{GENERATED_CODE_PREFIX} {index + 1:02d}",
                slug=slugify(f"{base} {commune.name}"),
                name=f"{base} ({commune.name})",
                short_name=base,
                status=pattern.status,
                commune=commune,
                population=rng.randrange(1_200, 4_500, 100),
                population_approximate=True,
                population_trend="",
                surface_ha=rng.randrange(20, 90),
                statistics_source="Quartier fictif du banc d'essai de performance",
                summary=(
                    f"Quartier fictif de {commune.name}, généré pour le banc d'essai : "
                    f"mêmes objectifs que {pattern.short_name}."
                ),
                position=100 + index,
            )
        )
    generated = bulk(Quartier, generated, returning=True)
    through = Quartier.communes.through
    bulk(through, [through(quartier_id=q.pk, commune_id=q.commune_id) for q in generated])

    copies: dict[type[models.Model], list] = defaultdict(list)
    for index, quartier in enumerate(generated):
        pattern = patterns[index % len(patterns)]
        for row in pattern.indicators.all():
            copies[Indicator].append(_clone(row, quartier=quartier))
        for row in pattern.findings.all():
            copies[Finding].append(_clone(row, quartier=quartier))
        for row in pattern.objectifs.all():
            copies[Objectif].append(_clone(row, quartier=quartier))
    for model_class, rows in copies.items():
        bulk(model_class, rows)

    for quartier in [*patterns, *generated]:
        gen.quartier_ids.append(quartier.pk)
        gen.quartier_codes[quartier.pk] = quartier.code
        gen.quartier_names[quartier.pk] = quartier.short_name
    gen.objectifs = defaultdict(list)
    for pk, quartier_id in Objectif.objects.order_by("quartier_id", "pk").values_list(
        "pk", "quartier_id"
    ):
        gen.objectifs[quartier_id].append(pk)
    gen.count("communes", len(communes))
    return len(generated)


def _clone(row: models.Model, **changes) -> models.Model:
    values = {
        f.attname: getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if not f.primary_key and f.name not in changes
    }
    return type(row)(**values, **changes)


def delete_generated() -> None:
    Quartier.objects.filter(code__startswith=GENERATED_CODE_PREFIX).delete()
    Commune.objects.filter(name__in=COMMUNES).delete()
