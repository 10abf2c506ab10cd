"""Drafts: an event is created as a draft, seen by staff only in its « Aperçu », until someone
publishes it. No public list, feed, block or API ever shows one."""

import datetime as dt
import html

import pytest
from django.utils import timezone

from evenements import public, services
from evenements.models import Evenement, Inscription
from participation.audit.models import AuditEntry
from tests.factories import QuartierFactory

from .factories import EvenementFactory, InscriptionFactory, in_days
from .test_gestion import form_data

pytestmark = pytest.mark.django_db

DRAFT_TITLE = "Brouillon secret du stand"


@pytest.fixture
def quartier():
    return QuartierFactory(slug="rimbart", short_name="Rimbart")


@pytest.fixture
def draft(quartier):
    return EvenementFactory(
        title=DRAFT_TITLE,
        quartiers=[quartier],
        status=Evenement.Status.BROUILLON,
        latitude="50.514",
        longitude="2.462",
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/evenements/",
        "/evenements/?du=2000-01-01",
        "/evenements/calendrier/",
        "/evenements/carte/",
        "/evenements/calendrier.ics",
        "/evenements/quartiers/rimbart/calendrier.ics",
        "/api/evenements/",
        "/quartiers/rimbart/",
    ],
)
def test_a_draft_appears_in_no_public_list_feed_block_or_api(client, referent, draft, url):
    EvenementFactory(title="Publié à Rimbart", quartiers=[draft.quartiers.get()])
    for visitor in (client, referent):
        if visitor is referent:
            client.force_login(referent)
        response = client.get(url)
        assert response.status_code == 200, url
        assert DRAFT_TITLE not in text(response), url


def test_a_draft_has_no_public_page_feed_or_api_detail(client, draft):
    assert client.get(f"/evenements/{draft.pk}/").status_code == 404
    assert client.get(f"/evenements/{draft.pk}/evenement.ics").status_code == 404
    assert client.get(f"/api/evenements/{draft.pk}/").status_code == 404


def test_staff_opening_a_drafts_public_address_are_shown_its_preview(client_for, mediateur, draft):
    response = client_for(mediateur).get(f"/evenements/{draft.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/evenements/{draft.pk}/apercu/"


def test_the_preview_shows_the_draft_as_the_public_will_see_it_with_a_banner(
    client_for, referent, draft
):
    page = text(client_for(referent).get(f"/evenements/{draft.pk}/apercu/"))
    assert "Aperçu — pas encore publié" in page
    assert DRAFT_TITLE in page
    assert f'action="/evenements/{draft.pk}/publier/"' in page
    assert "Je m'inscris" not in page  # no registration before publication


def test_the_preview_of_a_published_event_leads_to_its_public_page(client_for, referent):
    event = EvenementFactory()
    response = client_for(referent).get(f"/evenements/{event.pk}/apercu/")
    assert response["Location"] == event.get_absolute_url()


def test_what_other_apps_ask_never_names_a_draft(alice, draft):
    yesterday = timezone.now() - dt.timedelta(days=1)
    Evenement.objects.filter(pk=draft.pk).update(
        starts_at=yesterday, ends_at=yesterday + dt.timedelta(hours=2)
    )
    InscriptionFactory(evenement=draft, user=alice)
    assert list(public.recent_events()) == []
    assert public.events_today_first() == ([], [])
    assert list(public.events_attended_by(alice)) == []
    assert public.event_titles([draft.pk]) == []
    assert not public.is_citable(draft, alice)


def test_nobody_can_register_to_a_draft(client_for, alice, draft):
    with pytest.raises(services.RegistrationRefused) as refusal:
        services.register(draft.pk, alice)
    assert refusal.value.message == "Cet événement n'est pas encore publié."
    response = client_for(alice).post(
        f"/evenements/{draft.pk}/inscription/", {"adults": "1", "children": "0"}
    )
    assert response.status_code == 404
    assert not Inscription.objects.exists()


def test_publishing_a_draft_shows_it_to_everyone_and_is_audited(client, referent, draft):
    response = client.get("/evenements/")
    assert DRAFT_TITLE not in text(response)
    client.force_login(referent)
    response = client.post(f"/evenements/{draft.pk}/publier/")
    assert response["Location"] == draft.get_absolute_url()
    draft.refresh_from_db()
    assert draft.status == Evenement.Status.PUBLIE
    entry = AuditEntry.objects.get(action="evenement.publish")
    assert entry.actor == referent
    assert entry.target_id == str(draft.pk)
    client.logout()
    assert DRAFT_TITLE in text(client.get("/evenements/"))
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_publishing_twice_changes_nothing_the_second_time(referent, draft):
    assert services.publish_event(draft, actor=referent) == [draft]
    assert services.publish_event(draft, actor=referent) == []
    assert AuditEntry.objects.filter(action="evenement.publish").count() == 1


def test_publishing_a_series_publishes_its_drafted_dates(mediateur, quartier):
    start = in_days(10, 14)
    events = services.create_event(
        actor=mediateur,
        data={
            "kind": "permanence",
            "title": "Permanence",
            "place_name": "Local",
            "organiser_name": "Commune",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=2),
        },
        quartiers=[quartier],
        recurrence=services.Recurrence(until=(start + dt.timedelta(weeks=2)).date()),
    )
    assert {event.status for event in events} == {Evenement.Status.BROUILLON}
    assert len(services.publish_event(events[0], actor=mediateur)) == 3
    assert set(Evenement.objects.values_list("status", flat=True)) == {Evenement.Status.PUBLIE}


def test_a_draft_is_not_cancelled_since_no_one_waits_for_it(client_for, mediateur, draft):
    response = client_for(mediateur).post(f"/evenements/{draft.pk}/annuler/", {"reason": "x"})
    assert response["Location"] == f"/evenements/{draft.pk}/apercu/"
    draft.refresh_from_db()
    assert draft.status == Evenement.Status.BROUILLON


def test_the_management_list_shows_a_draft_with_its_state(client_for, mediateur, draft):
    page = text(client_for(mediateur).get("/evenements/gestion/"))
    assert DRAFT_TITLE in page
    assert f'href="/evenements/{draft.pk}/apercu/"' in page
    assert "brouillon" in page


def test_residents_cannot_preview_or_publish(client_for, alice, draft):
    client = client_for(alice)
    assert client.get(f"/evenements/{draft.pk}/apercu/").status_code == 403
    assert client.post(f"/evenements/{draft.pk}/publier/").status_code == 403
    draft.refresh_from_db()
    assert draft.is_draft


@pytest.mark.parametrize("who", ["mediateur", "referent"])
def test_mediators_and_referents_preview_and_publish_a_draft(client_for, draft, who, request):
    client = client_for(request.getfixturevalue(who))
    assert client.get(f"/evenements/{draft.pk}/apercu/").status_code == 200
    assert client.post(f"/evenements/{draft.pk}/publier/").status_code == 302
    draft.refresh_from_db()
    assert draft.status == Evenement.Status.PUBLIE


def test_a_committee_member_cannot_preview_a_draft(client_for, comite, draft):
    assert client_for(comite).get(f"/evenements/{draft.pk}/apercu/").status_code == 403


def test_editing_a_draft_keeps_it_a_draft_and_leads_back_to_its_preview(
    client_for, mediateur, draft, quartier
):
    response = client_for(mediateur).post(
        f"/evenements/{draft.pk}/modifier/",
        form_data(quartier, title="Brouillon retouché", latitude="50.5146", longitude="2.4621"),
    )
    assert response["Location"] == f"/evenements/{draft.pk}/apercu/"
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Brouillon retouché", Evenement.Status.BROUILLON)
