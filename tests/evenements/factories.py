import datetime as dt

import factory
from django.utils import timezone

from evenements.models import Evenement, Inscription
from tests.factories import QuartierFactory, UserFactory


def in_days(days: int, hour: int = 14, minute: int = 0) -> dt.datetime:
    """An aware datetime ``days`` from today at ``hour`` (Europe/Paris)."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class EvenementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evenement
        skip_postgeneration_save = True

    kind = Evenement.Kind.STAND
    title = factory.Sequence(lambda n: f"Stand du marché n° {n}")
    description = "Venez dire ce qui va et ce qui ne va pas dans le quartier."
    place_name = "Place Jules Guesde"
    address = "Place Jules Guesde, 62260 Auchel"
    starts_at = factory.LazyFunction(lambda: in_days(7, 10))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    organiser_kind = Evenement.OrganiserKind.COMMUNE
    organiser_name = "Service Politique de la Ville"
    accessibility = "Plain-pied, accessible en fauteuil."
    registration_required = True
    capacity = None

    @factory.post_generation
    def quartiers(self, create, extracted, **kwargs):
        if create:
            self.quartiers.set(extracted if extracted is not None else [QuartierFactory()])


class InscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inscription

    evenement = factory.SubFactory(EvenementFactory)
    user = factory.SubFactory(UserFactory)
    adults = 1
    children = 0
    status = Inscription.Status.CONFIRMEE
    confirmed_at = factory.LazyFunction(timezone.now)
