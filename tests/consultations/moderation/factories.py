import factory

from consultations.models import Etiquette, Instance, Transmission
from tests.consultations.factories import ExpressionFactory
from tests.factories import UserFactory


class InstanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instance
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Instance partenaire {n}")
    slug = factory.Sequence(lambda n: f"instance-{n}")
    kind = Instance.Kind.ASSOCIATION

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.set(extracted)

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        """The communes it reviews for; none: the whole platform."""
        if create and extracted:
            self.communes.set(extracted)


class EtiquetteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Etiquette
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"étiquette {n}")

    @factory.post_generation
    def expressions(self, create, extracted, **kwargs):
        if create and extracted:
            self.expressions.set(extracted)


class TransmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transmission

    expression = factory.SubFactory(ExpressionFactory, status="transmise")
    instance = factory.SubFactory(InstanceFactory)
    created_by = factory.SubFactory(UserFactory, role="mediateur")


__all__ = ["EtiquetteFactory", "InstanceFactory", "TransmissionFactory"]
