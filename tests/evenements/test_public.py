"""What the events app tells the others (evenements.public): the events of a field entry."""

import datetime as dt

import pytest
from django.utils import timezone

from evenements import public
from evenements.models import Evenement

from .factories import EvenementFactory, in_days


@pytest.mark.django_db
def test_the_events_under_way_today_come_first_then_the_earlier_ones_newest_first():
    now = timezone.now()
    three_days_ago = EvenementFactory(starts_at=in_days(-3, 10))
    under_way = EvenementFactory(
        starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1)
    )
    yesterday = EvenementFactory(starts_at=in_days(-1, 10))
    # Nos Quartiers d'Été over several days: begun yesterday, still going on today.
    summer = EvenementFactory(
        kind=Evenement.Kind.NOS_QUARTIERS_ETE,
        starts_at=in_days(-1, 9),
        ends_at=now + dt.timedelta(hours=3),
    )
    EvenementFactory(starts_at=in_days(1, 10))  # tomorrow: nothing said there yet
    EvenementFactory(starts_at=in_days(-2, 10), status=Evenement.Status.ANNULE)

    today, earlier = public.events_today_first()

    assert today == [under_way, summer]
    assert earlier == [yesterday, three_days_ago]


@pytest.mark.django_db
def test_the_events_of_the_day_come_with_their_quartiers_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    for days in (-1, -2, -3):
        EvenementFactory(starts_at=in_days(days, 10))

    with django_assert_num_queries(2):
        today, earlier = public.events_today_first()
        quartiers = [list(event.quartiers.all()) for event in (*today, *earlier)]

    assert len(quartiers) == 3 and all(len(q) == 1 for q in quartiers)
