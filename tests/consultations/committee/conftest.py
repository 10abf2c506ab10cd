import pytest

from consultations.committee import services as committee
from consultations.models import Decision, Source, Visibility
from participation.accounts.models import Role
from tests.factories import ObjectifFactory, UserFactory

from .factories import InstanceFactory, SeanceFactory, on_agenda, routed

SECRET_NAME = "Gérard Secret"
SECRET_EMAIL = "gerard.secret@example.org"


@pytest.fixture
def claire(db):
    """A member of another instance (the bailleur)."""
    return UserFactory(email="claire@example.org", display_name="Claire", role=Role.COMITE)


@pytest.fixture
def instance_a(comite):
    """Paul (the ``comite`` fixture) sits in instance A."""
    return InstanceFactory(
        name="Comité de Pilotage Cohésion Sociale (test)", slug="copil-test", members=[comite]
    )


@pytest.fixture
def instance_b(claire):
    """Claire sits in instance B; Paul does not."""
    return InstanceFactory(name="Bailleur Maisons & Cités", slug="bailleur", members=[claire])


@pytest.fixture
def hidden():
    return UserFactory(display_name=SECRET_NAME, email=SECRET_EMAIL)


@pytest.fixture
def answered(instance_a, rimbart, cite5, comite, hidden, mediateur):
    """A séance of A with three answered points: named, anonymous + private, field."""
    objectif = ObjectifFactory(quartier=rimbart, operationnel="Renforcer la médiation sociale")
    seance = SeanceFactory(instance=instance_a, title="Comité de printemps")
    named = routed(
        instance_a,
        quartier=rimbart,
        author=UserFactory(display_name="Josiane"),
        visibility=Visibility.PUBLIC_NAMED,
        text="Des médiateurs le soir, s'il vous plaît.",
        objectifs=[objectif],
        supports_count=7,
    )
    anonymous = routed(
        instance_a,
        quartier=rimbart,
        author=hidden,
        visibility=Visibility.PUBLIC_ANONYMOUS,
        text="On ne voit personne le soir.",
        objectifs=[objectif],
        supports_count=2,
    )
    private = routed(
        instance_a,
        quartier=rimbart,
        author=hidden,
        visibility=Visibility.PRIVATE,
        text="Mon voisin du 12 me menace.",
    )
    field = routed(
        instance_a,
        quartier=cite5,
        author=None,
        recorded_by=mediateur,
        source=Source.STAND,
        people_count=3,
        contact="06 99 88 77 66",
        contact_consent=True,
        text="Un jardin partagé derrière l'école.",
    )
    group = on_agenda(seance, named, anonymous, private, title="Présence le soir")
    alone = on_agenda(seance, field)
    committee.record_answer(
        group, actor=comite, decision=Decision.RETENUE, text="Deux médiateurs le soir dès mars."
    )
    committee.record_answer(
        alone, actor=comite, decision=Decision.A_L_ETUDE, text="Le terrain est étudié."
    )
    return {
        "seance": seance,
        "named": named,
        "anonymous": anonymous,
        "private": private,
        "field": field,
    }
