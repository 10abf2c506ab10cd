import io

import pytest
from django.utils import timezone

from evenements import demo
from evenements.models import Evenement, Inscription
from tests.factories import QuartierFactory, UserFactory

pytestmark = pytest.mark.django_db

SLUGS = ["centre-ville", "cite-5", "provinces-longues-trinques", "rimbart"]


@pytest.fixture
def quartiers():
    return [QuartierFactory(slug=slug) for slug in SLUGS]


def test_the_demo_is_a_believable_year_and_loads_idempotently(quartiers):
    UserFactory(email="habitant@demo.auchel.fr")
    demo.load(io.StringIO())
    count = Evenement.objects.count()
    registrations = Inscription.objects.count()
    demo.load(io.StringIO())
    assert Evenement.objects.count() == count
    assert Inscription.objects.count() == registrations

    now = timezone.now()
    events = list(Evenement.objects.prefetch_related("quartiers"))
    assert any(e.starts_at < now for e in events) and any(e.starts_at > now for e in events)
    assert {q.slug for e in events for q in e.quartiers.all()} == set(SLUGS)
    assert {e.kind for e in events} == set(Evenement.Kind.values)
    assert Evenement.objects.filter(status=Evenement.Status.ANNULE).count() == 1
    # One draft, for the référent's « Brouillons à terminer ».
    assert Evenement.objects.drafts().count() == 1
    assert any(e.is_full and e.starts_at > now for e in events)
    assert Inscription.objects.filter(status=Inscription.Status.ATTENTE).exists()
    summer = [e for e in events if e.kind == Evenement.Kind.NOS_QUARTIERS_ETE]
    assert summer and {timezone.localtime(e.starts_at).month for e in summer} <= {7, 8}
    permanences = Evenement.objects.filter(kind=Evenement.Kind.PERMANENCE)
    assert permanences.exclude(series=None).count() == permanences.count() > 10
    assert Inscription.objects.filter(user__email="habitant@demo.auchel.fr").exists()
    for event in events:
        if event.capacity is not None:
            assert event.places_taken <= event.capacity


def test_the_demo_skips_gracefully_without_the_referential():
    out = io.StringIO()
    demo.load(out)
    assert "référentiel absent" in out.getvalue()
    assert not Evenement.objects.exists()
