"""Two communes on one platform (issue 18, point 4), for the tests of the commune scope.

Auchel and Lozinghem each have their quartier, their mediator and their référent; Cité 5
lies over both (an intercommunal quartier, visible to each); a platform-wide référent (no
commune) still manages everything.
"""

from dataclasses import dataclass

from participation.accounts.models import Role
from tests.factories import CommuneFactory, QuartierFactory, UserFactory


@dataclass
class TwoCommunes:
    auchel: object
    lozinghem: object
    rimbart: object  # Auchel's quartier
    cite_b: object  # Lozinghem's quartier
    cite_5: object  # over Auchel and Lozinghem
    mediateur_a: object
    mediateur_b: object
    referent_a: object
    referent_b: object
    referent_all: object  # no commune: the whole platform


def two_communes() -> TwoCommunes:
    auchel = CommuneFactory(name="Auchel", slug="auchel")
    lozinghem = CommuneFactory(name="Lozinghem", slug="lozinghem")
    return TwoCommunes(
        auchel=auchel,
        lozinghem=lozinghem,
        rimbart=QuartierFactory(name="Rimbart", short_name="Rimbart", commune=auchel),
        cite_b=QuartierFactory(name="Cité B", short_name="Cité B", commune=lozinghem),
        cite_5=QuartierFactory(
            name="Cité 5", short_name="Cité 5", commune=auchel, communes=[auchel, lozinghem]
        ),
        mediateur_a=UserFactory(
            email="mediatrice-a@example.org", role=Role.MEDIATEUR, communes=[auchel]
        ),
        mediateur_b=UserFactory(
            email="mediateur-b@example.org", role=Role.MEDIATEUR, communes=[lozinghem]
        ),
        referent_a=UserFactory(
            email="referente-a@example.org", role=Role.REFERENT, communes=[auchel]
        ),
        referent_b=UserFactory(
            email="referente-b@example.org", role=Role.REFERENT, communes=[lozinghem]
        ),
        referent_all=UserFactory(email="referente-agglo@example.org", role=Role.REFERENT),
    )
