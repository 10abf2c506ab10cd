import pytest

from participation.accounts.models import Role
from tests.factories import UserFactory

from .factories import InstanceFactory


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
