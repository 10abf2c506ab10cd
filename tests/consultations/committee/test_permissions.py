"""Who reaches the committee's pages: every role, and members of another instance."""

import html

import pytest
from django.urls import reverse

from consultations.models import Decision, ExportJob, Reponse, Status

from .factories import SeanceFactory, on_agenda, routed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seance(instance_a):
    seance = SeanceFactory(instance=instance_a)
    on_agenda(seance, routed(instance_a))
    return seance


def committee_urls(seance) -> list[str]:
    item = seance.items.get()
    return [
        reverse("consultations:committee_dashboard"),
        reverse("consultations:committee_export", args=["csv"]),
        reverse("consultations:committee_export", args=["xlsx"]),
        reverse("consultations:seance_list"),
        reverse("consultations:seance_create"),
        reverse("consultations:bilan"),
        seance.get_absolute_url(),
        reverse("consultations:seance_edit", args=[seance.pk]),
        reverse("consultations:seance_dossier", args=[seance.pk]),
        reverse("consultations:seance_dossier_xlsx", args=[seance.pk]),
        reverse("consultations:seance_answer", args=[seance.pk, item.pk]),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, seance):
    for url in committee_urls(seance):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


@pytest.mark.parametrize("role", ["alice", "mediateur"])
def test_residents_and_mediators_are_refused(request, client_for, seance, role):
    browser = client_for(request.getfixturevalue(role))
    for url in committee_urls(seance):
        assert browser.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["comite", "referent"])
def test_members_and_the_referent_reach_every_page(request, client_for, seance, role):
    browser = client_for(request.getfixturevalue(role))
    for url in committee_urls(seance):
        response = browser.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # read to the end: the file is closed
        assert response.status_code == 200, url


def test_a_staff_account_without_second_factor_is_refused(client_for, seance):
    from tests.factories import UserFactory

    member = UserFactory(role="comite", totp=False)
    seance.instance.members.add(member)
    response = client_for(member).get(reverse("consultations:committee_dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_a_member_of_another_instance_sees_none_of_its_seances(client_for, claire, seance):
    browser = client_for(claire)
    item = seance.items.get()
    for url in committee_urls(seance)[6:]:
        assert browser.get(url).status_code == 404, url
    posts = [
        reverse("consultations:seance_agenda_add", args=[seance.pk]),
        reverse("consultations:seance_group", args=[seance.pk]),
        reverse("consultations:seance_examined", args=[seance.pk]),
        reverse("consultations:seance_item_remove", args=[seance.pk, item.pk]),
        reverse("consultations:seance_answer", args=[seance.pk, item.pk]),
    ]
    for url in posts:
        assert browser.post(url, {"decision": "retenue", "text": "Oui."}).status_code == 404, url
    assert not Reponse.objects.exists()
    assert seance.items.get().expressions.get().status == Status.TRANSMISE
    assert (
        "Séance plénière" not in browser.get(reverse("consultations:seance_list")).content.decode()
    )


def test_a_member_cannot_answer_or_export_through_another_instances_filter(
    client_for, comite, instance_b, seance
):
    theirs = routed(instance_b, text="Chez le bailleur seulement.")
    browser = client_for(comite)
    dashboard = browser.get(reverse("consultations:committee_dashboard") + "?instance=bailleur")
    assert "Cette instance n'est pas une des vôtres." in html.unescape(dashboard.content.decode())
    export = browser.get(
        reverse("consultations:committee_export", args=["csv"]) + "?instance=bailleur"
    )
    assert "l'export serait vide" in export.content.decode()
    page = browser.get(seance.get_absolute_url()).content.decode()
    assert theirs.text not in page
    response = browser.post(
        reverse("consultations:seance_agenda_add", args=[seance.pk]),
        {"expressions": [theirs.pk], "mode": "seules"},
    )
    assert response.status_code == 400
    assert not seance.items.filter(expressions=theirs).exists()


def test_a_member_cannot_create_a_seance_for_another_instance(client_for, comite, instance_b):
    response = client_for(comite).post(
        reverse("consultations:seance_create"),
        {"instance": instance_b.pk, "starts_at": "2026-12-03T18:00", "place": "Mairie"},
    )
    assert response.status_code == 200
    assert "Vous ne siégez pas dans cette instance." in response.content.decode()
    assert not instance_b.seances.exists()


def test_the_answer_page_records_the_answer(client_for, comite, seance):
    item = seance.items.get()
    browser = client_for(comite)
    url = reverse("consultations:seance_answer", args=[seance.pk, item.pk])
    response = browser.post(url, {"decision": "", "text": "Les bancs arrivent."})
    assert response.status_code == 400
    assert "Choisissez la décision" in response.content.decode()
    assert "Les bancs arrivent." in response.content.decode()  # kept
    response = browser.post(url, {"decision": Decision.RETENUE, "text": "Les bancs arrivent."})
    assert response.status_code == 302
    assert Reponse.objects.get().public is False  # the box was not ticked
    assert browser.get(url).status_code == 302  # answered once


def test_exports_of_someone_else_are_not_found(client_for, comite, referent):
    job = ExportJob.objects.create(requester=referent, format="csv", total=1)
    browser = client_for(comite)
    assert browser.get(job.get_absolute_url()).status_code == 404


def test_the_public_pages_are_open_to_everyone(client, rimbart):
    assert client.get(reverse("consultations:retours")).status_code == 200
    assert (
        client.get(reverse("consultations:retours_quartier", args=["rimbart"])).status_code == 200
    )
    assert (
        client.get(reverse("consultations:retours_quartier", args=["nulle-part"])).status_code
        == 404
    )
