"""The séance dossier: what residents said, by quartier and objective, for each agenda item."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from participation.territory.models import Objectif

from ..models import (
    Expression,
    Transmission,
)


@dataclass
class DossierGroup:
    """What residents said about one objective of one quartier, on a séance's agenda."""

    quartier: object
    objectif: object | None
    expressions: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.expressions)

    @property
    def people(self) -> int:
        return sum(e.people_count for e in self.expressions)

    @property
    def supports(self) -> int:
        return sum(e.supports_count for e in self.expressions)


@dataclass
class DossierQuartier:
    quartier: object
    groups: list[DossierGroup]
    expression_ids: set = field(default_factory=set)
    people: int = 0
    supports: int = 0

    @property
    def count(self) -> int:
        return len(self.expression_ids)


def seance_items(seance, *, with_notes: bool = False):
    """The agenda in order, each point with its answer and its expressions (4 queries).

    ``with_notes``: each expression also carries ``routed_here``, its routing to the séance's
    instance with the mediator's note (one query more). Only that instance's: a note written
    for another instance is not this one's to read (the security review).
    """
    expressions = Expression.objects.select_related("quartier", "author").prefetch_related(
        Prefetch(
            "objectifs",
            queryset=Objectif.objects.select_related("enjeu").order_by("enjeu__number", "position"),
        )
    )
    if with_notes:
        expressions = expressions.prefetch_related(
            Prefetch(
                "transmissions",
                queryset=Transmission.objects.filter(instance_id=seance.instance_id),
                to_attr="routed_here",
            )
        )
    items = list(
        seance.items.select_related("reponse")
        .prefetch_related(Prefetch("expressions", queryset=expressions.order_by("pk")))
        .order_by("position", "pk")
    )
    for item in items:
        listed = item.expressions.all()
        item.supports_total = sum(e.supports_count for e in listed)
        item.people_total = sum(e.people_count for e in listed)
    return items


def seance_dossier(items) -> list[DossierQuartier]:
    """The agenda's expressions by quartier, then objective (one under each of its objectives)."""
    quartiers: dict[int, DossierQuartier] = {}
    groups: dict[tuple, DossierGroup] = {}
    for item in items:
        for expression in item.expressions.all():
            expression.agenda_item = item
            block = quartiers.setdefault(
                expression.quartier_id, DossierQuartier(quartier=expression.quartier, groups=[])
            )
            if expression.pk not in block.expression_ids:
                block.expression_ids.add(expression.pk)
                block.people += expression.people_count
                block.supports += expression.supports_count
            for objectif in list(expression.objectifs.all()) or [None]:
                key = (expression.quartier_id, objectif.pk if objectif else 0)
                group = groups.get(key)
                if group is None:
                    group = groups[key] = DossierGroup(
                        quartier=expression.quartier, objectif=objectif
                    )
                    block.groups.append(group)
                group.expressions.append(expression)

    def objectif_order(group):
        o = group.objectif
        return (1, 0, 0) if o is None else (0, o.enjeu.number, o.position)

    result = sorted(quartiers.values(), key=lambda b: (b.quartier.position, b.quartier.name))
    for block in result:
        block.groups.sort(key=objectif_order)
    return result
