"""A comité member reads what was routed to their instances, and no other private expression."""

import pytest

from consultations import rules
from consultations.models import Status, Visibility
from tests.consultations.factories import ExpressionFactory
from tests.factories import UserFactory

from .factories import InstanceFactory, TransmissionFactory


@pytest.fixture
def private_routed(alice, copil):
    expression = ExpressionFactory(
        author=alice, status=Status.TRANSMISE, visibility=Visibility.PRIVATE, text="Mon voisin…"
    )
    TransmissionFactory(expression=expression, instance=copil)
    return expression


@pytest.mark.django_db
def test_a_comite_member_reads_a_private_expression_routed_to_their_instance(
    client_for, comite_in_copil, private_routed
):
    response = client_for(comite_in_copil).get(private_routed.get_absolute_url())

    assert response.status_code == 200
    assert rules.is_routed_to(comite_in_copil, private_routed)
    assert list(rules.expressions_routed_to(comite_in_copil)) == [private_routed]


@pytest.mark.django_db
def test_a_member_of_another_instance_does_not(client_for, conseil_pre, private_routed):
    other = UserFactory(role="comite")
    conseil_pre.members.add(other)

    assert client_for(other).get(private_routed.get_absolute_url()).status_code == 404
    assert not rules.expressions_routed_to(other).exists()


@pytest.mark.django_db
def test_a_comite_member_does_not_read_submitted_nor_rejected_expressions(
    client_for, comite_in_copil, alice
):
    client = client_for(comite_in_copil)
    for status in (Status.SOUMISE, Status.REJETEE):
        expression = ExpressionFactory(author=alice, status=status)
        assert client.get(expression.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_public_expressions_stay_readable_by_everyone(client_for, comite, alice):
    expression = ExpressionFactory(author=alice, status=Status.PUBLIEE)

    assert client_for(comite).get(expression.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_instances_of_a_person(comite_in_copil, copil, conseil_pre, referent, mediateur, alice):
    assert list(rules.instances_of(comite_in_copil)) == [copil]
    assert set(rules.instances_of(referent)) >= {copil, conseil_pre}
    assert not rules.instances_of(mediateur).exists()
    assert not rules.instances_of(alice).exists()


@pytest.mark.django_db
def test_the_referent_sees_everything_routed_to_any_instance(referent, private_routed, alice):
    ExpressionFactory(author=alice, status=Status.PUBLIEE)
    TransmissionFactory(instance=InstanceFactory())

    assert rules.expressions_routed_to(referent).count() == 2
    assert rules.can_view(referent, private_routed)


@pytest.mark.django_db
def test_the_routing_rule_costs_one_query_per_expression_and_person(
    comite_in_copil, private_routed, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert rules.can_view(comite_in_copil, private_routed)
        assert rules.can_see_full_path(comite_in_copil, private_routed)
