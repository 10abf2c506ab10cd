"""An expression names the event where it was said only if that event has taken place.

Published, it is listed under that event's « ce qui s'y est dit »: naming a coming, cancelled
or long-past event (by the form, the API or the field mode) would put words under an event
where nobody said them. The same rule (evenements.public.is_citable) serves all three.
"""

import uuid

import pytest
from django.urls import reverse

from consultations.models import Expression, Visibility
from evenements.models import Evenement
from tests.evenements.factories import EvenementFactory, InscriptionFactory, in_days

URL = reverse("consultations:expression_create")
TEXT = "Les bancs du square ont disparu."
REFUSED = "ne peut pas être choisi"


def post(client, quartier, evenement):
    return client.post(
        URL,
        {
            "idempotency_key": str(uuid.uuid4()),
            "quartier": quartier.pk,
            "text": TEXT,
            "visibility": Visibility.PUBLIC_ANONYMOUS,
            "evenement": evenement.pk,
        },
    )


@pytest.fixture
def events(rimbart):
    return {
        "last_week": EvenementFactory(quartiers=[rimbart], starts_at=in_days(-7)),
        "coming": EvenementFactory(quartiers=[rimbart], starts_at=in_days(7)),
        "cancelled": EvenementFactory(
            quartiers=[rimbart], starts_at=in_days(-2), status=Evenement.Status.ANNULE
        ),
        "long_ago": EvenementFactory(quartiers=[rimbart], starts_at=in_days(-400)),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["coming", "cancelled", "long_ago"])
def test_the_form_refuses_an_event_that_has_not_taken_place_and_keeps_the_text(
    client_for, alice_in_rimbart, events, name
):
    response = post(client_for(alice_in_rimbart), alice_in_rimbart.quartier, events[name])

    assert response.status_code == 200
    page = response.content.decode()
    assert REFUSED in page
    assert TEXT.replace("'", "&#x27;") in page
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_the_form_accepts_a_recent_event_and_one_she_attended_long_ago(
    client_for, alice_in_rimbart, events
):
    InscriptionFactory(evenement=events["long_ago"], user=alice_in_rimbart)
    client = client_for(alice_in_rimbart)

    for name in ("last_week", "long_ago"):
        assert post(client, alice_in_rimbart.quartier, events[name]).status_code == 302

    assert {e.evenement for e in Expression.objects.all()} == {
        events["last_week"],
        events["long_ago"],
    }


@pytest.mark.django_db
def test_the_form_offers_the_events_she_came_to_first(client_for, alice_in_rimbart, events):
    InscriptionFactory(evenement=events["long_ago"], user=alice_in_rimbart)
    client = client_for(alice_in_rimbart)

    choices = client.get(URL).context["form"].fields["evenement"].choices
    (_, empty), (mine_label, mine), (others_label, others) = choices
    assert mine_label == "Ceux où vous étiez inscrit·e"
    assert [pk for pk, _label in mine] == [events["long_ago"].pk]
    assert others_label == "Les autres événements récents"
    assert events["last_week"].pk in [pk for pk, _label in others]
    assert events["long_ago"].pk not in [pk for pk, _label in others]
    # In the page: a group of options a screen reader names.
    assert '<optgroup label="Ceux où vous étiez inscrit·e">' in client.get(URL).content.decode()


@pytest.mark.django_db
def test_without_an_event_of_hers_the_recent_ones_are_offered_ungrouped(
    client_for, alice_in_rimbart, events
):
    choices = client_for(alice_in_rimbart).get(URL).context["form"].fields["evenement"].choices

    assert [pk for pk, _label in choices] == ["", events["last_week"].pk]  # never the cancelled one
