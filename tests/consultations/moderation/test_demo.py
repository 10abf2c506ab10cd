"""The demo's moderation content: instances, the comité account's seat, tags, transmissions."""

import io

import pytest
from django.core.management import call_command

from consultations import demo
from consultations.models import Etiquette, Expression, Instance, Status, Transmission


@pytest.fixture
def demo_loaded(db):
    from participation.accounts import demo as accounts_demo

    call_command("load_referentiel", stdout=io.StringIO())
    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO())


def snapshot():
    return (
        sorted(Instance.objects.values_list("slug", "name", "kind")),
        sorted(Transmission.objects.values_list("expression__idempotency_key", "instance__slug")),
        sorted(
            Etiquette.expressions.through.objects.values_list("etiquette__name", "expression_id")
        ),
    )


@pytest.mark.django_db
def test_the_moderation_demo_is_idempotent(demo_loaded):
    first = snapshot()
    demo.load(io.StringIO())

    assert snapshot() == first


@pytest.mark.django_db
def test_every_routed_demo_expression_has_its_instance_and_the_comite_account_sits_in_one(
    demo_loaded,
):
    routed = Expression.objects.filter(
        status__in=[Status.TRANSMISE, Status.EXAMINEE, Status.REPONDUE]
    )
    assert routed.exists()
    assert not routed.filter(transmissions__isnull=True).exists()
    copil = Instance.objects.get(slug="comite-pilotage-cohesion-sociale")
    assert copil.members.filter(email="comite@demo.auchel.fr").exists()
    assert Instance.objects.filter(kind="bailleur").exists()
    assert Etiquette.objects.count() >= 6
    assert Etiquette.objects.filter(expressions__isnull=False).distinct().count() >= 6
    assert Expression.objects.filter(status=Status.SOUMISE).exists()
