import datetime
from decimal import Decimal

import factory

from participation.territory.models import Avenant, Finding, Indicator
from tests.factories import QuartierFactory


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    quartier = factory.SubFactory(QuartierFactory)
    key = factory.Sequence(lambda n: f"indicateur-{n}")
    label = factory.Sequence(lambda n: f"Part des habitants n° {n}")
    value = Decimal("42.5")
    agglomeration_value = Decimal("20.1")
    unit = "%"
    position = factory.Sequence(lambda n: n)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    quartier = factory.SubFactory(QuartierFactory)
    kind = Finding.Kind.IRRITANT
    text = factory.Sequence(lambda n: f"Constat n° {n}")
    position = factory.Sequence(lambda n: n)


class AvenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Avenant

    signed_on = datetime.date(2026, 3, 12)
    title = factory.Sequence(lambda n: f"Avenant n° {n}")
    text = "Revue annuelle du Comité de Pilotage."
