import importlib

import pytest

from consultations.models import Instance

# Transactional tests flush the tables, data migrations included: recreate when missing.
CONVENTION = importlib.import_module(
    "consultations.migrations.0003_convention_instances"
).CONVENTION_INSTANCES


def convention_instance(slug: str) -> Instance:
    row = next(r for r in CONVENTION if r["slug"] == slug)
    return Instance.objects.get_or_create(slug=slug, defaults=row)[0]


@pytest.fixture
def copil(db):
    """The Comité de Pilotage Cohésion Sociale, made by the data migration."""
    return convention_instance("comite-pilotage-cohesion-sociale")


@pytest.fixture
def conseil_pre(db):
    return convention_instance("conseil-consultatif-pre")


@pytest.fixture
def comite_in_copil(comite, copil):
    copil.members.add(comite)
    return comite
