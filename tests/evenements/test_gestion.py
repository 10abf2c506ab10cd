"""Running events through the staff pages: create, edit, duplicate, cancel, registrants."""

import csv
import html
import io

import pytest
from django.utils import timezone

from evenements.models import Evenement, Inscription
from participation.audit.models import AuditEntry
from participation.notifications.models import Notification
from tests.factories import ObjectifFactory, QuartierFactory

from .factories import EvenementFactory, InscriptionFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(quartier, **overrides):
    data = {
        "kind": "table_ronde",
        "title": "Table ronde jeunesse",
        "description": "Que faire après les cours ?",
        "quartiers": [quartier.pk],
        "starts_at": "2030-03-04T17:30",
        "ends_at": "2030-03-04T19:30",
        "place_name": "Espace Sécretin",
        "address": "Cité 5, Auchel",
        "organiser_kind": "commune",
        "organiser_name": "Service jeunesse",
        "accessibility": "Plain-pied",
        "registration_required": "on",
        "capacity": "12",
        "repeat": "",
        "interval_weeks": "1",
    }
    data.update(overrides)
    return data


def test_a_mediator_creates_an_event_as_a_draft_and_is_shown_its_preview(client_for, mediateur):
    quartier = QuartierFactory()
    objectif = ObjectifFactory(quartier=quartier)
    response = client_for(mediateur).post(
        "/evenements/gestion/nouveau/", form_data(quartier, objectifs=[objectif.pk])
    )
    event = Evenement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/evenements/{event.pk}/apercu/"
    assert event.status == Evenement.Status.BROUILLON
    assert timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M") == "2030-03-04 17:30"
    assert list(event.objectifs.all()) == [objectif]
    assert event.capacity == 12
    assert AuditEntry.objects.filter(action="evenement.create", actor=mediateur).exists()


def test_a_mediator_creates_a_weekly_permanence_as_a_series(client_for, mediateur):
    quartier = QuartierFactory()
    client_for(mediateur).post(
        "/evenements/gestion/nouveau/",
        form_data(
            quartier,
            kind="permanence",
            registration_required="",
            capacity="",
            repeat="weekly",
            until="2030-03-25",
        ),
    )
    assert Evenement.objects.count() == 4
    assert Evenement.objects.values("series").distinct().count() == 1


def test_the_form_refuses_a_weekly_series_without_an_end(client_for, mediateur):
    response = client_for(mediateur).post(
        "/evenements/gestion/nouveau/", form_data(QuartierFactory(), repeat="weekly")
    )
    assert "Indiquez jusqu'à quand l'événement se répète." in text(response)
    assert not Evenement.objects.exists()


def test_the_form_keeps_what_was_typed_when_the_end_is_before_the_start(client_for, mediateur):
    response = client_for(mediateur).post(
        "/evenements/gestion/nouveau/",
        form_data(QuartierFactory(), ends_at="2030-03-04T16:00"),
    )
    page = text(response)
    assert "La fin doit être après le début." in page
    assert 'value="Table ronde jeunesse"' in page
    assert not Evenement.objects.exists()


def test_lowering_the_capacity_below_registrations_is_refused_with_the_numbers(
    client_for, mediateur
):
    quartier = QuartierFactory()
    event = EvenementFactory(quartiers=[quartier], capacity=10)
    for _ in range(5):
        InscriptionFactory(evenement=event)
    response = client_for(mediateur).post(
        f"/evenements/{event.pk}/modifier/", form_data(quartier, capacity="4")
    )
    page = text(response)
    assert "Impossible de descendre à 4 places" in page
    assert "5 personnes sont déjà inscrites" in page
    event.refresh_from_db()
    assert event.capacity == 10


def test_editing_an_event_is_audited(client_for, mediateur):
    quartier = QuartierFactory()
    event = EvenementFactory(quartiers=[quartier])
    client_for(mediateur).post(
        f"/evenements/{event.pk}/modifier/", form_data(quartier, title="Nouveau titre")
    )
    event.refresh_from_db()
    assert event.title == "Nouveau titre"
    entry = AuditEntry.objects.get(action="evenement.update")
    assert entry.after["title"] == "Nouveau titre"


def test_duplicating_prefills_the_form_and_creates_a_copy(client_for, mediateur):
    quartier = QuartierFactory()
    source = EvenementFactory(quartiers=[quartier], title="Stand du marché")
    client = client_for(mediateur)
    page = text(client.get(f"/evenements/{source.pk}/dupliquer/"))
    assert 'value="Stand du marché"' in page
    client.post(
        f"/evenements/{source.pk}/dupliquer/",
        form_data(
            quartier,
            title="Stand du marché",
            starts_at="2030-05-01T09:00",
            ends_at="2030-05-01T12:00",
        ),
    )
    assert Evenement.objects.filter(title="Stand du marché").count() == 2
    assert AuditEntry.objects.filter(action="evenement.duplicate").exists()


def test_cancelling_through_the_page_notifies_and_marks_the_event(client_for, mediateur, alice):
    event = EvenementFactory()
    InscriptionFactory(evenement=event, user=alice)
    client = client_for(mediateur)
    response = client.post(f"/evenements/{event.pk}/annuler/", {"reason": ""})
    assert "Ce champ est obligatoire." in text(response)
    client.post(f"/evenements/{event.pk}/annuler/", {"reason": "Salle indisponible"})
    event.refresh_from_db()
    assert event.status == Evenement.Status.ANNULE
    assert Notification.objects.filter(user=alice, message__contains="annulé").exists()


def test_the_registrants_page_lists_confirmed_and_waiting(client_for, mediateur, alice):
    event = EvenementFactory(capacity=1)
    InscriptionFactory(evenement=event, user=alice)
    InscriptionFactory(
        evenement=event, user=None, name="Mme Lefebvre", status=Inscription.Status.ATTENTE
    )
    page = text(client_for(mediateur).get(f"/evenements/{event.pk}/inscriptions/"))
    assert "Alice" in page
    assert "Mme Lefebvre" in page
    assert "1 inscription en attente" in page


def test_the_csv_export_is_for_excel_and_safe_against_formulas(client_for, mediateur, alice):
    event = EvenementFactory()
    InscriptionFactory(evenement=event, user=alice, adults=2, children=1)
    InscriptionFactory(
        evenement=event,
        user=None,
        name='=HYPERLINK("http://x")',
        phone="+33 6 12 34 56 78",
        contact_consent=True,
    )
    response = client_for(mediateur).get(f"/evenements/{event.pk}/inscriptions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Nom", "Courriel", "Téléphone"]
    assert rows[1][:5] == ["Alice", "alice@example.org", "", "2", "1"]
    assert rows[2][0] == '\'=HYPERLINK("http://x")'
    assert rows[2][2] == "'+33 6 12 34 56 78"
    assert AuditEntry.objects.filter(action="evenement.export_registrants").exists()


def test_marking_who_came(client_for, mediateur):
    event = EvenementFactory()
    came = InscriptionFactory(evenement=event)
    absent = InscriptionFactory(evenement=event)
    response = client_for(mediateur).post(
        f"/evenements/{event.pk}/presences/", {"present": [came.pk]}, follow=True
    )
    assert "Présences enregistrées : 1 présent·es." in text(response)
    came.refresh_from_db()
    absent.refresh_from_db()
    assert (came.attended, absent.attended) == (True, False)


def test_a_mediator_registers_a_person_at_a_stand(client_for, mediateur):
    event = EvenementFactory(capacity=5)
    client = client_for(mediateur)
    response = client.post(
        f"/evenements/{event.pk}/inscrire-une-personne/",
        {"name": "M. Dupont", "phone": "06 12 34 56 78", "adults": 1, "children": 0},
    )
    assert "ne se garde qu'avec l'accord de la personne" in text(response)
    assert 'value="06 12 34 56 78"' in text(response)
    client.post(
        f"/evenements/{event.pk}/inscrire-une-personne/",
        {
            "name": "M. Dupont",
            "phone": "06 12 34 56 78",
            "contact_consent": "on",
            "adults": 1,
            "children": 0,
        },
    )
    inscription = Inscription.objects.get()
    assert (inscription.name, inscription.phone, inscription.registered_by) == (
        "M. Dupont",
        "+33612345678",  # E.164, as SMS need it
        mediateur,
    )


def test_a_mediator_puts_a_person_on_the_waiting_list_of_a_full_event(client_for, mediateur):
    event = EvenementFactory(capacity=1)
    InscriptionFactory(evenement=event)
    client = client_for(mediateur)
    data = {"name": "Mme Ramdani", "adults": 1, "children": 0}
    response = client.post(f"/evenements/{event.pk}/inscrire-une-personne/", data)
    assert "complet" in text(response)
    client.post(
        f"/evenements/{event.pk}/inscrire-une-personne/", {**data, "join_waiting_list": "on"}
    )
    assert Inscription.objects.get(name="Mme Ramdani").status == Inscription.Status.ATTENTE


def test_a_mediator_cancels_a_registration_and_the_waiting_list_moves(client_for, mediateur):
    event = EvenementFactory(capacity=1)
    first = InscriptionFactory(evenement=event)
    waiting = InscriptionFactory(evenement=event, status=Inscription.Status.ATTENTE)
    client_for(mediateur).post(f"/evenements/inscriptions/{first.pk}/annuler/")
    waiting.refresh_from_db()
    assert waiting.status == Inscription.Status.CONFIRMEE
    assert AuditEntry.objects.filter(action="inscription.cancel", actor=mediateur).exists()
