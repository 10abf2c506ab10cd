"""The référent creates, changes, opens and closes consultations from the « Espace référent »,
every change audited; residents then find an open one on the expression form."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from consultations.gestion import services
from consultations.gestion.forms import ConsultationForm
from consultations.models import Consultation
from participation.audit.models import AuditEntry
from tests.consultations.factories import ConsultationFactory
from tests.queries import page_queries

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def consultation_data(quartier, **overrides) -> dict:
    today = TODAY()
    return {
        "title": "Le square Émile Zola",
        "slug": "square-emile-zola",
        "question": "Que voulez-vous pour le square ?",
        "quartiers": [quartier.pk],
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=30)).isoformat(),
        **overrides,
    }


def test_the_referent_creates_a_consultation_open_today_and_it_is_audited(
    client_for, referent, rimbart
):
    response = client_for(referent).post(
        reverse("consultations:consultation_create"), consultation_data(rimbart)
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:gestion_consultations")
    consultation = Consultation.objects.get(slug="square-emile-zola")
    assert consultation.is_open()
    assert consultation.created_by == referent
    entry = AuditEntry.objects.get(action="consultation.ouverte", actor=referent)
    assert entry.after["quartiers"] == [rimbart.code]


def test_a_double_submit_creates_one_consultation(client_for, referent, rimbart):
    client = client_for(referent)
    url = reverse("consultations:consultation_create")

    client.post(url, consultation_data(rimbart))
    second = client.post(url, consultation_data(rimbart))

    assert Consultation.objects.count() == 1
    assert "Une autre consultation a déjà cette adresse courte." in second.content.decode()


def test_a_form_with_errors_says_so_in_french_and_keeps_what_was_typed(
    client_for, referent, rimbart
):
    response = client_for(referent).post(
        reverse("consultations:consultation_create"),
        consultation_data(
            rimbart,
            quartiers=[],
            question="Une question tapée avec soin",
            opens_on="2026-06-01",
            closes_on="2026-05-01",
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Cochez au moins un quartier concerné." in page
    assert "La date de clôture doit suivre la date d&#x27;ouverture." in page
    assert "Une question tapée avec soin" in page
    assert not Consultation.objects.exists()


def test_only_the_referent_saves_a_consultation(mediateur, rimbart):
    form = ConsultationForm(consultation_data(rimbart))
    assert form.is_valid(), form.errors

    with pytest.raises(PermissionDenied):
        services.save_consultation(form, actor=mediateur)


def test_closing_makes_yesterday_its_last_day_once_and_audits_it(referent, rimbart):
    consultation = ConsultationFactory(quartiers=[rimbart])

    services.close_consultation(consultation, actor=referent)
    services.close_consultation(consultation, actor=referent)  # a second click

    consultation.refresh_from_db()
    assert consultation.is_closed
    assert consultation.closes_on == TODAY() - dt.timedelta(days=1)
    assert AuditEntry.objects.filter(action="consultation.close").count() == 1


def test_closing_a_consultation_not_yet_open_keeps_its_dates_in_order(referent, rimbart):
    consultation = ConsultationFactory(
        quartiers=[rimbart],
        opens_on=TODAY() + dt.timedelta(days=3),
        closes_on=TODAY() + dt.timedelta(days=30),
    )

    services.close_consultation(consultation, actor=referent)

    consultation.refresh_from_db()
    assert consultation.opens_on == consultation.closes_on == TODAY() - dt.timedelta(days=1)


def test_opening_a_closed_consultation_opens_it_today_until_the_chosen_day(referent, rimbart):
    consultation = ConsultationFactory(quartiers=[rimbart], closed=True)
    until = TODAY() + dt.timedelta(days=14)

    services.open_consultation(consultation, closes_on=until, actor=referent)

    consultation.refresh_from_db()
    assert consultation.is_open()
    assert consultation.closes_on == until
    entry = AuditEntry.objects.get(action="consultation.ouverte")
    assert entry.before["closes_on"] < entry.after["closes_on"]


def test_opening_until_a_past_day_is_refused_in_french(client_for, referent, rimbart):
    consultation = ConsultationFactory(quartiers=[rimbart], closed=True)
    yesterday = (TODAY() - dt.timedelta(days=1)).isoformat()

    response = client_for(referent).post(
        reverse("consultations:gestion_consultation_open", args=[consultation.slug]),
        {"closes_on": yesterday},
    )

    assert "Choisissez aujourd&#x27;hui ou un jour à venir." in response.content.decode()
    assert f'value="{yesterday}"' in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.is_closed


def test_a_consultation_opened_by_the_referent_is_offered_on_the_expression_form(
    client_for, referent, alice, rimbart
):
    consultation = ConsultationFactory(quartiers=[rimbart], title="Le city-stade", closed=True)
    client_for(referent).post(
        reverse("consultations:gestion_consultation_open", args=[consultation.slug]),
        {"closes_on": (TODAY() + dt.timedelta(days=7)).isoformat()},
    )

    response = client_for(alice).get(reverse("consultations:expression_create"))

    assert "Le city-stade" in response.content.decode()


def test_the_list_page_reads_a_fixed_number_of_queries(client_for, referent, rimbart, cite5):
    client = client_for(referent)
    url = reverse("consultations:gestion_consultations")
    ConsultationFactory(quartiers=[rimbart])
    few = page_queries(client, url)

    for index in range(6):
        ConsultationFactory(quartiers=[rimbart, cite5], closed=index % 2 == 0)
    ConsultationFactory(quartiers=[cite5], opens_on=TODAY() + dt.timedelta(days=2))

    assert page_queries(client, url) == few


def test_the_referent_space_shows_open_and_closing_soon_consultations(
    client_for, referent, rimbart
):
    ConsultationFactory(quartiers=[rimbart], title="Ferme bientôt", closes_on=TODAY())
    ConsultationFactory(quartiers=[rimbart], title="Ouverte longtemps")
    ConsultationFactory(quartiers=[rimbart], title="Déjà close", closed=True)

    page = client_for(referent).get(reverse("referent_space")).content.decode()

    assert "Ferme bientôt" in page and "Ouverte longtemps" in page
    assert "Déjà close" not in page
    assert page.count('<span class="status">bientôt close</span>') == 1
    assert "2 ouvertes, dont 1 bientôt close" in page  # in « Sur cette page »
    assert reverse("consultations:consultation_create") in page


def test_the_referent_space_says_what_to_do_when_no_consultation_is_open(
    client_for, referent, rimbart
):
    ConsultationFactory(quartiers=[rimbart], closed=True)

    page = client_for(referent).get(reverse("referent_space")).content.decode()

    assert "Aucune consultation n'est ouverte" in page
    assert "Créer une consultation" in page


def test_a_change_is_audited_with_what_it_was_and_what_it_became(
    client_for, referent, rimbart, cite5
):
    client = client_for(referent)
    client.post(reverse("consultations:consultation_create"), consultation_data(rimbart))
    later = (TODAY() + dt.timedelta(days=45)).isoformat()

    response = client.post(
        reverse("consultations:consultation_edit", args=["square-emile-zola"]),
        consultation_data(
            rimbart, title="Le square Zola", quartiers=[rimbart.pk, cite5.pk], closes_on=later
        ),
    )

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="consultation.modifiee", actor=referent)
    assert entry.before["title"] == "Le square Émile Zola"
    assert entry.before["quartiers"] == [rimbart.code]
    assert entry.after["title"] == "Le square Zola"
    assert entry.after["closes_on"] == later
    assert entry.after["quartiers"] == sorted([rimbart.code, cite5.code])
