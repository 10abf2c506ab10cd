"""« Mes données »: a resident downloads everything the platform holds about them, and only that."""

import json

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse

from consultations import transitions
from consultations.expressions import services as consultations_services
from consultations.models import Signalement, Status, Visibility
from evenements.models import Inscription
from participation.accounts import rgpd
from participation.notifications.services import notify
from tests.consultations.factories import ExpressionFactory
from tests.evenements.factories import EvenementFactory, InscriptionFactory

pytestmark = pytest.mark.django_db

MY_DATA = reverse("accounts:my_data")
EXPORT = reverse("accounts:export")


def download(client) -> dict:
    response = client.get(EXPORT)
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.parametrize("name", ["accounts:my_data", "accounts:export", "accounts:delete"])
def test_anonymous_people_are_asked_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_links_to_the_download_and_to_the_deletion(client_for, alice):
    content = client_for(alice).get(MY_DATA).content.decode()

    assert "<h1>Mes données</h1>" in content
    assert f'href="{EXPORT}"' in content
    assert f'href="{reverse("accounts:delete")}"' in content


def test_the_profile_page_leads_to_my_data(client_for, alice):
    content = client_for(alice).get(reverse("accounts:profile")).content.decode()

    assert f'href="{MY_DATA}"' in content


def test_the_download_is_a_json_file_that_no_cache_keeps(client_for, alice):
    response = client_for(alice).get(EXPORT)

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_export_holds_the_profile_expressions_registrations_and_notifications(
    client_for, alice, bob, rimbart
):
    alice.quartier = rimbart
    alice.save()
    public = ExpressionFactory(
        author=alice,
        quartier=rimbart,
        text="Le square de Rimbart manque de bancs.",
        status=Status.PUBLIEE,
        visibility=Visibility.PUBLIC_NAMED,
    )
    ExpressionFactory(
        author=alice,
        quartier=rimbart,
        text="Mon voisin fait du bruit la nuit.",
        visibility=Visibility.PRIVATE,
    )
    others = ExpressionFactory(author=bob, quartier=rimbart, status=Status.PUBLIEE)
    consultations_services.add_support(others, user=alice)
    consultations_services.report(
        others, reporter=alice, reason=Signalement.Reason.HORS_SUJET, details="Pas le quartier."
    )
    event = EvenementFactory(title="Table ronde sur la propreté", capacity=10)
    InscriptionFactory(evenement=event, user=alice, adults=2, children=1)
    notify(alice, "Votre expression est publiée.", url=public.get_absolute_url())

    data = download(client_for(alice))

    profile = data["compte"]["profil"]
    assert profile["adresse_electronique"] == "alice@example.org"
    assert profile["nom_affiche"] == "Alice"
    assert profile["quartier"] == "Rimbart"
    assert data["compte"]["adresses_electroniques"] == [
        {"adresse": "alice@example.org", "verifiee": True, "principale": True}
    ]
    messages = {e["message"] for e in data["consultations"]["expressions"]}
    assert messages == {
        "Le square de Rimbart manque de bancs.",
        "Mon voisin fait du bruit la nuit.",
    }
    assert all(e["parcours"] for e in data["consultations"]["expressions"])
    assert [s["expression"] for s in data["consultations"]["moi_aussi"]] == [others.pk]
    assert data["consultations"]["signalements"][0]["precisions"] == "Pas le quartier."
    (inscription,) = data["evenements"]["inscriptions"]
    assert inscription["evenement"] == "Table ronde sur la propreté"
    assert (inscription["adultes"], inscription["enfants"]) == (2, 1)
    assert inscription["statut"] == str(Inscription.Status.CONFIRMEE.label)
    assert [n["message"] for n in data["compte"]["notifications"]] == [
        "Votre expression est publiée."
    ]
    actions = {entry["action"] for entry in data["compte"]["journal"]}
    assert "expression.signalee" in actions


def test_the_export_holds_nothing_of_another_resident_whatever_the_parameters(
    client_for, alice, bob, rimbart
):
    ExpressionFactory(
        author=bob, quartier=rimbart, text="Secret de Bob", visibility=Visibility.PRIVATE
    )
    InscriptionFactory(user=bob, evenement=EvenementFactory(title="Atelier de Bob"))
    notify(bob, "Notification de Bob")
    client = client_for(alice)

    for query in ["", f"?user={bob.pk}", f"?pk={bob.pk}", f"?id={bob.pk}&email=bob@example.org"]:
        response = client.get(EXPORT + query)
        raw = response.content.decode()
        data = json.loads(raw)
        assert data["compte"]["profil"]["adresse_electronique"] == "alice@example.org"
        for trace in ["bob@example.org", "Secret de Bob", "Atelier de Bob", "Notification de Bob"]:
            assert trace not in raw
        assert data["consultations"]["expressions"] == []
        assert data["evenements"]["inscriptions"] == []


def test_the_export_never_gives_the_secret_of_the_authenticator(client_for, mediateur):
    data = download(client_for(mediateur))

    assert data["compte"]["double_authentification"][0]["type"]
    raw = json.dumps(data)
    assert settings.DEMO_TOTP_SECRET not in raw
    secret_data = Authenticator.objects.get(user=mediateur).data
    for value in secret_data.values():
        assert str(value) not in raw


def test_the_export_runs_the_same_queries_whatever_the_number_of_expressions(
    client_for, alice, rimbart, django_assert_max_num_queries
):
    client = client_for(alice)
    ExpressionFactory(author=alice, quartier=rimbart)
    InscriptionFactory(user=alice)
    with django_assert_max_num_queries(40) as small:
        client.get(EXPORT)
    for _n in range(6):
        ExpressionFactory(author=alice, quartier=rimbart, status=Status.PUBLIEE)
        InscriptionFactory(user=alice)

    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(EXPORT)


def test_every_app_holding_personal_data_is_found_by_its_module_name():
    labels = [label for label, _module in rgpd.providers()]

    assert labels == ["evenements", "consultations"]


def test_a_staff_member_exports_their_own_data_too(client_for, comite):
    data = download(client_for(comite))

    assert data["compte"]["profil"]["adresse_electronique"] == comite.email
    assert data["compte"]["profil"]["role"] == "Membre d'une instance"


def test_a_staff_export_does_not_carry_residents_data_through_the_audit_log(
    client_for, mediateur, alice, rimbart
):
    expression = ExpressionFactory(author=alice, quartier=rimbart, text="Chez Mme Durand au 4.")
    transitions.change_status(
        expression,
        to=Status.REJETEE,
        actor=mediateur,
        allowed=lambda _user: True,
        note="Le message nomme Mme Durand.",
    )

    raw = client_for(mediateur).get(EXPORT).content.decode()

    assert "expression.rejetee" in raw
    assert "Durand" not in raw
    assert "alice@example.org" not in raw
