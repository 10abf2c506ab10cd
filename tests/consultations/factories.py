import datetime as dt

import factory
from django.utils import timezone

from consultations.models import Consultation, Expression, ExpressionStep, Status, Visibility
from tests.factories import ObjectifFactory, QuartierFactory, UserFactory


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Consultation {n}")
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    question = "Qu'avez-vous pensé de l'été dans votre quartier ?"
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=20))

    @factory.post_generation
    def quartiers(self, create, extracted, **kwargs):
        if create and extracted:
            self.quartiers.set(extracted)

    class Params:
        closed = factory.Trait(
            opens_on=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60)),
            closes_on=factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1)),
        )


class ExpressionFactory(factory.django.DjangoModelFactory):
    """An expression; ``status=Status.PUBLIEE`` (or later) also sets ``published_at``."""

    class Meta:
        model = Expression
        skip_postgeneration_save = True

    quartier = factory.SubFactory(QuartierFactory)
    author = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"Il faudrait plus d'éclairage rue {n}.")
    visibility = Visibility.PUBLIC_ANONYMOUS
    status = Status.SOUMISE
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status not in (Status.SOUMISE, Status.REJETEE) else None
    )

    @factory.post_generation
    def objectifs(self, create, extracted, **kwargs):
        if create and extracted:
            self.objectifs.set(extracted)

    @factory.post_generation
    def steps(self, create, extracted, **kwargs):
        if create:
            ExpressionStep.objects.create(expression=self, status=Status.SOUMISE)
            if self.status != Status.SOUMISE:
                ExpressionStep.objects.create(expression=self, status=self.status)


__all__ = [
    "ConsultationFactory",
    "ExpressionFactory",
    "ObjectifFactory",
    "QuartierFactory",
    "UserFactory",
]
