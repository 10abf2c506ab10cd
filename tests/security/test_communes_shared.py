"""What two communes share on one platform, and what each keeps to itself (issue 18,
point 4): the caches kept per scope, the tags, the instances of the whole platform, a series
of events over two communes, the committee's live feed, the séances listed to a référent."""

import asyncio

import pytest
from django.urls import reverse

from consultations import changes
from consultations.committee.consumers import CommitteeConsumer
from consultations.models import Status, Transmission
from consultations.moderation import services as moderation
from evenements import services as events
from evenements.models import Evenement, Series
from participation.accounts.models import Role
from tests.communes import two_communes
from tests.consultations.committee.factories import InstanceFactory, SeanceFactory, on_agenda
from tests.consultations.factories import ExpressionFactory
from tests.consultations.moderation.factories import EtiquetteFactory
from tests.evenements.factories import EvenementFactory, in_days
from tests.factories import CommuneFactory, UserFactory


@pytest.fixture
def town(db):
    return two_communes()


def test_two_scopes_over_the_same_quartiers_never_share_a_queue_page(town, client_for):
    """Marles-les-Mines has only Cité 5, which is Auchel's too: the same quartiers, not the
    same instances."""
    marles = CommuneFactory(name="Marles-les-Mines", slug="marles-les-mines")
    town.cite_5.communes.add(marles)
    InstanceFactory(name="Conseil citoyen de Marles", communes=[marles])
    both = UserFactory(role=Role.MEDIATEUR, communes=[town.auchel, marles])
    ExpressionFactory(quartier=town.rimbart, status=Status.SOUMISE)
    assert changes.scope_key(both) != changes.scope_key(town.mediateur_a)

    assert "Conseil citoyen de Marles" in client_for(both).get("/moderation/").content.decode()
    page = client_for(town.mediateur_a).get("/moderation/").content.decode()

    assert "Conseil citoyen de Marles" not in page


def test_a_tag_on_another_communes_expressions_is_renamed_only_by_the_platforms_staff(
    town, client_for
):
    tag = EtiquetteFactory(name="plainte rue des Lilas")
    tag.expressions.add(ExpressionFactory(quartier=town.cite_b))
    url = reverse("consultations:moderation_etiquettes")
    form = {"etiquette": tag.pk, f"e{tag.pk}-name": "bruit"}

    refused = client_for(town.mediateur_a).post(url, form)

    assert refused.status_code == 400
    assert "seule l&#x27;équipe de toute la plateforme" in refused.content.decode()
    assert 'value="bruit"' in refused.content.decode()  # what she typed is kept
    tag.refresh_from_db()
    assert tag.name == "plainte rue des Lilas"
    moderation.rename_etiquette(tag, "bruit", actor=town.mediateur_b)  # all of it is hers
    tag.refresh_from_db()
    assert tag.name == "bruit"


def test_an_instance_she_only_reads_shows_its_members_names_not_their_addresses(town, client_for):
    member = UserFactory(email="paul.agglo@example.org", display_name="Paul", role=Role.COMITE)
    instance = InstanceFactory(name="Conseil de l'agglomération", members=[member])
    url = reverse("consultations:gestion_instance", kwargs={"slug": instance.slug})

    page = client_for(town.referent_a).get(url).content.decode()

    assert "Paul" in page and "paul.agglo@example.org" not in page
    assert "paul.agglo@example.org" in client_for(town.referent_all).get(url).content.decode()


def test_a_series_cancelled_whole_leaves_the_dates_moved_to_another_commune(town):
    series = Series.objects.create()
    here = EvenementFactory(quartiers=[town.rimbart], starts_at=in_days(3), series=series)
    there = EvenementFactory(quartiers=[town.cite_b], starts_at=in_days(10), series=series)
    later_here = EvenementFactory(quartiers=[town.rimbart], starts_at=in_days(17), series=series)

    events.cancel_event(here, actor=town.mediateur_a, reason="Travaux", whole_series=True)

    states = dict(Evenement.objects.values_list("pk", "status"))
    assert states[here.pk] == states[later_here.pk] == Evenement.Status.ANNULE
    assert states[there.pk] == Evenement.Status.PUBLIE


def test_the_committee_feed_sends_a_seances_events_only_to_who_may_open_it(town):
    consumer = CommitteeConsumer()
    consumer.instances = {1, 2}
    consumer.seance_instances = {1}
    sent = []

    async def send_json(event):
        sent.append(event)

    consumer.send_json = send_json

    asyncio.run(consumer.seance_examined({"type": "seance.examined", "instance": 2, "count": 3}))
    asyncio.run(consumer.seance_saved({"type": "seance.saved", "instance": 1, "id": 9}))

    assert sent == [{"type": "seance.saved", "instance": 1, "id": 9}]


def test_the_waiting_list_names_only_the_seances_she_may_open(town, client_for):
    agglo = InstanceFactory(name="Conseil de l'agglomération")
    said = ExpressionFactory(quartier=town.rimbart, status=Status.TRANSMISE, text="Un banc")
    Transmission.objects.create(expression=said, instance=agglo)
    seance = SeanceFactory(instance=agglo)
    on_agenda(seance, said)
    url = reverse("consultations:committee_waiting")

    link = f'href="{seance.get_absolute_url()}"'
    assert link in client_for(town.referent_all).get(url).content.decode()
    page = client_for(town.referent_a).get(url).content.decode()

    assert "Un banc" in page and link not in page
