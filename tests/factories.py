"""Factories for the shared core; each app's tests add theirs beside their tests."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password

from participation.accounts.models import Role, User
from participation.territory.models import Agglomeration, Commune, Enjeu, Objectif, Quartier


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    display_name = factory.Faker("first_name", locale="fr_FR")
    role = Role.HABITANT
    # Hashed before the insert (the suite's fast hasher, tests/conftest.py): one write per
    # account, not an insert then an update.
    password = factory.Transformer("mot-de-passe-solide-2030", transform=make_password)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """A verified primary email unless ``verified=False`` (none for ``email=None``)."""
        if not create or not self.email:
            return
        EmailAddress.objects.create(
            user=self, email=self.email, primary=True, verified=extracted is not False
        )

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        """Staff's communes (``communes=[…]``); none: the whole platform."""
        if create and extracted:
            self.communes.set(extracted)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Staff accounts get TOTP on the demo secret unless ``totp=False``."""
        if create and self.role != Role.HABITANT and extracted is not False:
            TOTP.activate(self, settings.DEMO_TOTP_SECRET)


class AgglomerationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agglomeration
        django_get_or_create = ["short_name"]

    name = "Communauté d'Agglomération Béthune-Bruay Artois Lys Romane"
    short_name = "CABBALR"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["name"]

    agglomeration = factory.SubFactory(AgglomerationFactory)
    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.Sequence(lambda n: f"commune-{n}")


class QuartierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quartier
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"QP 99 99 {n:02d}")
    slug = factory.Sequence(lambda n: f"quartier-{n}")
    name = factory.Sequence(lambda n: f"Quartier {n}")
    short_name = factory.Sequence(lambda n: f"Quartier {n}")
    status = "Quartier prioritaire de la politique de la ville"
    commune = factory.SubFactory(CommuneFactory)
    population = 1500
    surface_ha = 30

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create:
            self.communes.set(extracted or [self.commune])


class EnjeuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enjeu
        django_get_or_create = ["number"]

    number = 1
    title = "Des quartiers attentifs aux habitants des plus fragiles"


class ObjectifFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objectif

    quartier = factory.SubFactory(QuartierFactory)
    enjeu = factory.SubFactory(EnjeuFactory)
    orientation = "Faciliter l'accès aux droits, aux soins et aux services"
    intercommunal = "Renforcer le repérage des publics éloignés du droit en particulier"
    operationnel = factory.Sequence(lambda n: f"Objectif opérationnel {n}")
    position = factory.Sequence(lambda n: n)
