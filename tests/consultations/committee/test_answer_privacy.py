"""An instance's unpublished answer stays its own, even when the expression was also routed
to another instance: that instance's members read neither the answer on the timeline nor in
their exports (the author, the mediators and the answering instance do)."""

import pytest
from django.urls import reverse

from consultations.committee import services as committee
from consultations.models import Decision, Transmission, Visibility
from participation.accounts.models import Role
from tests.factories import UserFactory

from .factories import SeanceFactory, on_agenda, routed

SECRET = "Réponse réservée aux auteurs : le bailleur refuse."

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_by_b(alice, instance_a, instance_b, claire):
    expression = routed(instance_b, author=alice, visibility=Visibility.PUBLIC_ANONYMOUS)
    Transmission.objects.create(expression=expression, instance=instance_a)
    item = on_agenda(SeanceFactory(instance=instance_b), expression)
    committee.record_answer(
        item, actor=claire, decision=Decision.NON_RETENUE, text=SECRET, public=False
    )
    return expression


def test_a_member_of_the_other_instance_does_not_read_it_on_the_timeline(
    client_for, answered_by_b, comite, claire, alice
):
    url = answered_by_b.get_absolute_url()

    assert SECRET not in client_for(comite).get(url).content.decode()
    assert SECRET in client_for(claire).get(url).content.decode()
    assert SECRET in client_for(alice).get(url).content.decode()
    mediatrice = UserFactory(role=Role.MEDIATEUR)
    assert SECRET in client_for(mediatrice).get(url).content.decode()


def test_nor_in_the_export_of_the_dashboard(client_for, answered_by_b, comite, claire):
    url = reverse("consultations:committee_export", args=["csv"])

    mine = b"".join(client_for(comite).get(url).streaming_content).decode()
    theirs = b"".join(client_for(claire).get(url).streaming_content).decode()

    assert str(answered_by_b.pk) in mine  # the expression is there, without B's answer
    assert SECRET not in mine
    assert SECRET in theirs
