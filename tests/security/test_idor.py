"""Insecure direct object references: changing a number in an address never reaches another's data.

Each attempt is made by someone who is signed in and allowed to use the page for their own
objects (habitant B on habitant A's, a committee member on another instance's, a member on
the référent's export), with the CSRF token a browser would send. Each must fail (404 where
the object must not even be known to exist, 403 where the page is not for this role), and
the database must be exactly as before: ``snapshot()`` reads every row those pages could
write.
"""

import json

import pytest
from django.urls import reverse

from consultations.committee import export_jobs
from consultations.models import (
    AgendaItem,
    ExportJob,
    Expression,
    ExpressionStep,
    Reponse,
    Seance,
    Signalement,
    Support,
    Transmission,
)
from evenements.models import Inscription
from participation.notifications.models import Notification
from tests.consultations.committee.factories import SeanceFactory, on_agenda

from .test_authorization_matrix import CSRF_TOKEN, _client, build_world, finish

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def snapshot() -> dict:
    """Every row an attempt below could change, as plain values."""
    return {
        "expressions": list(
            Expression.objects.order_by("pk").values(
                "pk", "text", "status", "visibility", "quartier", "supports_count", "flagged_at"
            )
        ),
        "steps": ExpressionStep.objects.count(),
        "supports": Support.objects.count(),
        "signalements": Signalement.objects.count(),
        "transmissions": Transmission.objects.count(),
        "inscriptions": list(
            Inscription.objects.order_by("pk").values("pk", "status", "attended", "cancelled_at")
        ),
        "notifications": list(Notification.objects.order_by("pk").values("pk", "user", "read_at")),
        "seances": list(Seance.objects.order_by("pk").values("pk", "title", "examined_at")),
        "items": list(AgendaItem.objects.order_by("pk").values("pk", "seance", "title")),
        "reponses": Reponse.objects.count(),
        "exports": list(ExportJob.objects.order_by("pk").values("pk", "requester", "state")),
    }


def post(client, url, data=None, **extra):
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": CSRF_TOKEN}, **extra)


def text_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


# --- Another's private expression ------------------------------------------------------


def test_habitant_b_finds_no_trace_of_a_private_expression_of_habitant_a(world, client):
    private = world.private
    browser = _client(world.users["habitant_b"])
    before = snapshot()
    for url in (
        private.get_absolute_url(),
        reverse("consultations:expression_photo", args=[private.pk]),
        reverse("consultations:expression_thumbnail", args=[private.pk]),
        reverse("consultations:expression_edit", args=[private.pk]),
        reverse("consultations:expression_report", args=[private.pk]),
        reverse("expression-detail", args=[private.pk]),
    ):
        assert browser.get(url).status_code == 404, url
    # Nor anywhere it could be listed: the lists, the quartier, the API, the open data.
    for url in (
        reverse("consultations:expression_list"),
        reverse("territory:quartier", args=[world.quartier.slug]),
        reverse("consultations:retours"),
        reverse("expression-list"),
        reverse("opendata-expressions"),
        reverse("opendata-expressions-csv"),
    ):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert private.text not in text_of(response), url
    assert snapshot() == before


def test_habitant_b_cannot_change_support_or_report_a_private_expression(world):
    private, submitted = world.private, world.submitted
    browser = _client(world.users["habitant_b"])
    before = snapshot()
    attempts = [
        (reverse("consultations:expression_edit", args=[submitted.pk]), {"text": "Piraté"}),
        (reverse("consultations:expression_edit", args=[private.pk]), {"text": "Piraté"}),
        (reverse("consultations:expression_support", args=[private.pk]), {}),
        (
            reverse("consultations:expression_report", args=[private.pk]),
            {"reason": "autre", "details": "x"},
        ),
    ]
    for url, data in attempts:
        data = {"quartier": world.quartier.pk, "visibility": "public_anonymous", **data}
        assert post(browser, url, data).status_code == 404, url
    assert snapshot() == before


def test_the_api_never_gives_a_private_expression_even_to_its_author(world):
    author = _client(world.users["habitant_a"])
    assert author.get(reverse("expression-detail", args=[world.private.pk])).status_code == 404
    listed = author.get(reverse("expression-list")).json()
    assert world.private.pk not in {row["id"] for row in listed["results"]}


def test_a_member_of_another_instance_never_reads_what_was_not_routed_to_it(world):
    browser = _client(world.users["comite_autre"])
    private = world.private
    assert browser.get(private.get_absolute_url()).status_code == 404
    for url in (
        reverse("consultations:committee_dashboard"),
        reverse("consultations:committee_export", args=["csv"]),
        reverse("consultations:seance_list"),
        reverse("consultations:bilan"),
    ):
        response = browser.get(url)
        assert response.status_code == 200, url
        assert private.text not in text_of(response), url
    # The member of the instance it was routed to does read it.
    member = _client(world.users["comite"])
    assert private.text in text_of(member.get(private.get_absolute_url()))


# --- Another's registration -----------------------------------------------------------


def test_habitant_b_cannot_cancel_or_read_the_registration_of_habitant_a(world):
    inscription, event = world.inscription, world.event
    browser = _client(world.users["habitant_b"])
    before = snapshot()
    # The resident's own cancel takes the event, and acts on the signed-in person only.
    response = post(browser, reverse("evenements:unregister", args=[event.pk]))
    assert response.status_code == 302
    # The staff's cancel, by the registration's number, is not for residents.
    url = reverse("evenements:cancel_inscription", args=[inscription.pk])
    assert post(browser, url).status_code == 403
    # « Annuler l'annulation » by the registration's number: only one's own exists.
    assert post(browser, reverse("evenements:restore", args=[inscription.pk])).status_code == 404
    for url in (
        reverse("evenements:registrants", args=[event.pk]),
        reverse("evenements:registrants_csv", args=[event.pk]),
        reverse("evenements:register_guest", args=[event.pk]),
    ):
        assert browser.get(url).status_code == 403, url
    assert (
        post(
            browser,
            reverse("evenements:attendance", args=[event.pk]),
            {"present": [inscription.pk]},
        ).status_code
        == 403
    )
    mine = browser.get(reverse("evenements:mine"))
    assert event.title not in mine.content.decode()
    assert snapshot() == before
    inscription.refresh_from_db()
    assert inscription.status == Inscription.Status.CONFIRMEE


# --- Another's notifications -------------------------------------------------------------


def test_habitant_b_neither_reads_nor_marks_read_the_notifications_of_habitant_a(world):
    notification = world.notification
    browser = _client(world.users["habitant_b"])
    page = browser.get(reverse("notifications:index"))
    assert notification.message not in page.content.decode()
    own = _client(world.users["habitant_a"]).get(reverse("notifications:index"))
    assert notification.message in own.content.decode()
    # « Mark all read » takes no number: it only ever touches the signed-in person's.
    assert post(browser, reverse("notifications:mark_all_read")).status_code == 302
    assert (
        post(browser, reverse("notifications:mark_all_read"), {"id": notification.pk}).status_code
        == 302
    )
    notification.refresh_from_db()
    assert notification.read_at is None


# --- Another's export -------------------------------------------------------------------


def test_an_export_is_downloaded_by_its_requester_only(world):
    job = world.export
    before = snapshot()
    for role in ("comite", "comite_autre"):
        browser = _client(world.users[role])
        for name in ("export_job", "export_job_state", "export_job_download"):
            response = browser.get(reverse(f"consultations:{name}", args=[job.pk]))
            assert response.status_code == 404, (role, name)
    for role in ("habitant_a", "habitant_b", "mediateur"):
        browser = _client(world.users[role])
        response = browser.get(reverse("consultations:export_job_download", args=[job.pk]))
        assert response.status_code == 403, role
    owner = _client(world.users["referent"])
    response = owner.get(reverse("consultations:export_job_download", args=[job.pk]))
    assert response.status_code == 200
    finish(response)
    assert snapshot() == before


def test_even_the_referent_cannot_download_the_export_of_a_committee_member(world):
    job = export_jobs.request_job(user=world.users["comite"], format="csv", query="", total=1)
    export_jobs.build_job(job.pk)
    browser = _client(world.users["referent"])
    response = browser.get(reverse("consultations:export_job_download", args=[job.pk]))
    assert response.status_code == 404


# --- « Mes données » (RGPD) -----------------------------------------------------------------


def test_my_data_holds_the_signed_in_persons_data_whatever_the_address_says(world):
    alice, bob = world.users["habitant_a"], world.users["habitant_b"]
    browser = _client(bob)
    url = reverse("accounts:export")
    for query in ("", f"?user={alice.pk}", f"?id={alice.pk}", f"?email={alice.email}"):
        response = browser.get(url + query)
        assert response.status_code == 200, query
        data = response.content.decode()
        json.loads(data)
        assert bob.email in data
        assert alice.email not in data, query
        assert world.private.text not in data, query
        assert world.notification.message not in data, query
    # The same markers are found where they belong: in habitant A's own copy.
    own = _client(alice).get(url).content.decode()
    assert world.private.text in own
    assert world.notification.message in own


# --- Séances and answers of another instance -----------------------------------------------


def test_a_member_of_another_instance_cannot_touch_a_seance_or_answer_it(world):
    seance, item = world.seance, world.item
    browser = _client(world.users["comite_autre"])
    before = snapshot()
    answer = reverse("consultations:seance_answer", args=[seance.pk, item.pk])
    assert browser.get(answer).status_code == 404
    attempts = [
        (answer, {"decision": "retenue", "text": "Réponse volée.", "public": "on"}),
        (reverse("consultations:seance_edit", args=[seance.pk]), {"title": "Volée"}),
        (reverse("consultations:seance_examined", args=[seance.pk]), {}),
        (reverse("consultations:seance_item_remove", args=[seance.pk, item.pk]), {}),
        (reverse("consultations:seance_group", args=[seance.pk]), {"items": [item.pk]}),
        (
            reverse("consultations:seance_agenda_add", args=[seance.pk]),
            {"expressions": [world.private.pk]},
        ),
    ]
    for url, data in attempts:
        assert post(browser, url, data).status_code == 404, url
    assert snapshot() == before


def test_an_item_of_another_instances_seance_is_not_reached_through_ones_own_seance(world):
    """The member of the other instance has a séance of their own: its number does not help."""
    own = SeanceFactory(instance=world.other_instance)
    on_agenda(own)
    browser = _client(world.users["comite_autre"])
    before = snapshot()
    url = reverse("consultations:seance_answer", args=[own.pk, world.item.pk])
    assert browser.get(url).status_code == 404
    assert post(browser, url, {"decision": "retenue", "text": "Volée."}).status_code == 404
    remove = reverse("consultations:seance_item_remove", args=[own.pk, world.item.pk])
    assert post(browser, remove).status_code == 404
    # Nor can an expression routed elsewhere be put on one's own agenda.
    response = post(
        browser,
        reverse("consultations:seance_agenda_add", args=[own.pk]),
        {"expressions": [world.private.pk], "mode": "separate"},
    )
    assert response.status_code == 400
    # Nor a séance be created for an instance one does not sit in.
    response = post(
        browser,
        reverse("consultations:seance_create"),
        {
            "instance": world.instance.pk,
            "title": "Séance pirate",
            "starts_at": "2030-01-10T18:00",
            "place": "Ailleurs",
        },
    )
    assert response.status_code == 200  # the form, with its error
    assert snapshot() == before


def test_a_resident_cannot_moderate_by_posting_to_the_staff_actions(world):
    browser = _client(world.users["habitant_b"])
    before = snapshot()
    publish = reverse("consultations:moderation_publish", args=[world.submitted.pk])
    assert post(browser, publish, {}).status_code == 403
    staff_page = reverse("consultations:moderation_expression", args=[world.submitted.pk])
    for decision, data in (
        ("publier", {}),
        ("enregistrer", {"caviardage-text": "Texte remplacé", "etiquettes-new": "pirate"}),
        ("rejeter", {"rejet-reason": "hors_sujet"}),
        ("transmettre", {"transmission-instances": [world.other_instance.pk]}),
    ):
        response = post(browser, staff_page, {**data, "decision": decision})
        assert response.status_code == 403, decision
    assert snapshot() == before
