import datetime as dt

import factory
from django.utils import timezone

from consultations.models import (
    AgendaEntry,
    AgendaItem,
    Instance,
    Seance,
    Transmission,
)
from tests.consultations.factories import ExpressionFactory
from tests.consultations.moderation import factories as moderation_factories
from tests.consultations.moderation.factories import EtiquetteFactory


class InstanceFactory(moderation_factories.InstanceFactory):
    """An instance of the committee (the moderation tests' partner instances are associations)."""

    name = factory.Sequence(lambda n: f"Instance du comité {n}")
    slug = factory.Sequence(lambda n: f"instance-comite-{n}")
    kind = Instance.Kind.COMITE_PILOTAGE


class TransmissionFactory(moderation_factories.TransmissionFactory):
    instance = factory.SubFactory(InstanceFactory)
    created_by = None


class SeanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seance

    instance = factory.SubFactory(InstanceFactory)
    title = factory.Sequence(lambda n: f"Séance plénière {n}")
    # Held yesterday: its expressions can be examined and answered (not before its date).
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    place = "Salle Beaugrand, Auchel"


def on_agenda(seance, *expressions, title="") -> AgendaItem:
    """An agenda item written directly (the service is tested on its own)."""
    item = AgendaItem.objects.create(seance=seance, title=title, position=seance.items.count() + 1)
    for expression in expressions:
        AgendaEntry.objects.create(item=item, seance=seance, expression=expression)
    return item


def routed(instance, **kwargs):
    """A published expression routed to ``instance`` (status « transmise »)."""
    kwargs.setdefault("status", "transmise")
    expression = ExpressionFactory(**kwargs)
    Transmission.objects.create(expression=expression, instance=instance)
    return expression


__all__ = [
    "EtiquetteFactory",
    "InstanceFactory",
    "SeanceFactory",
    "TransmissionFactory",
    "on_agenda",
    "routed",
]
