"""« Joindre un·e médiateur·rice » (UX review #13): for residents without email or account, or
who would rather speak to someone, each commune's mediation phone, hours and place, and the
next permanences de médiation; the référent sets the contact, audited; every page that says
« un·e médiateur·rice peut vous inscrire » leads there."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evenements.models import Evenement
from participation.accounts.phone import parse_french_number
from participation.audit.models import AuditEntry
from participation.territory.models import Commune
from tests.communes import two_communes
from tests.evenements.factories import EvenementFactory
from tests.factories import QuartierFactory, UserFactory
from tests.queries import page_queries

PAGE = reverse("territory:mediation")
CONTACT = {
    "mediation_phone": "+33353012030",
    "mediation_hours": "Du lundi au vendredi, de 9 h à 12 h",
    "mediation_place": "Local de médiation, place de la mairie",
}


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def edit_url(commune) -> str:
    return reverse("territory:commune_mediation", kwargs={"slug": commune.slug})


@pytest.fixture
def world(db):
    return two_communes()


def permanence(quartier, *, days: int, **fields) -> Evenement:
    start = timezone.now() + dt.timedelta(days=days)
    return EvenementFactory(
        kind=Evenement.Kind.PERMANENCE,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        registration_required=False,
        quartiers=[quartier],
        **fields,
    )


def test_the_page_gives_each_communes_phone_to_tap_its_hours_and_its_place(client, world):
    Commune.objects.filter(pk=world.auchel.pk).update(**CONTACT)

    response = client.get(PAGE)

    assert response.status_code == 200
    page = text(response)
    assert 'href="tel:+33353012030">03 53 01 20 30</a>' in page
    assert "Du lundi au vendredi, de 9 h à 12 h" in page
    assert "Local de médiation, place de la mairie" in page
    # A commune that set nothing is not listed as if it had a contact.
    assert "l'accueil de la mairie vous les donnera" not in page
    assert page.count('class="phone-link"') == 1


def test_without_any_contact_the_page_says_where_to_ask_instead(client, world):
    page = text(client.get(PAGE))

    assert (
        "Le téléphone et le lieu d'accueil de la médiation ne sont pas encore indiqués ici" in page
    )
    assert "tel:" not in page
    assert "Aucune permanence de médiation n'est annoncée pour le moment." in page


def test_the_next_permanences_only_in_their_order(client, world):
    later = permanence(world.rimbart, days=9, title="Permanence du jeudi à Rimbart")
    sooner = permanence(world.cite_b, days=2, title="Permanence de la Cité B")
    permanence(world.rimbart, days=-3, title="Permanence passée")
    permanence(
        world.rimbart, days=4, title="Permanence en brouillon", status=Evenement.Status.BROUILLON
    )
    permanence(world.rimbart, days=5, title="Permanence annulée", status=Evenement.Status.ANNULE)
    EvenementFactory(title="Stand du marché", quartiers=[world.rimbart])

    page = text(client.get(PAGE))

    assert page.index(sooner.title) < page.index(later.title)
    for absent in (
        "Permanence passée",
        "Permanence en brouillon",
        "Permanence annulée",
        "Stand du marché",
    ):
        assert absent not in page
    assert "/evenements/?type=permanence" in page


def test_a_resident_finds_her_communes_mediators_and_her_quartiers_permanences_first(
    client_for, client, world
):
    Commune.objects.filter(pk__in=[world.auchel.pk, world.lozinghem.pk]).update(**CONTACT)
    Commune.objects.filter(pk=world.lozinghem.pk).update(mediation_phone="+33353012031")
    elsewhere = permanence(world.rimbart, days=2, title="Permanence de Rimbart")
    hers = permanence(world.cite_b, days=9, title="Permanence de la Cité B")
    resident = UserFactory(email="de-la-cite-b@example.org", quartier=world.cite_b)

    anonymous = text(client.get(PAGE))
    assert anonymous.index("<h3>Auchel</h3>") < anonymous.index("<h3>Lozinghem</h3>")
    assert anonymous.index(elsewhere.title) < anonymous.index(hers.title)

    page = text(client_for(resident).get(PAGE))

    # Cité B is Lozinghem's: its number comes first, then Auchel's; the permanence of her
    # quartier first, marked, before a sooner one elsewhere.
    assert page.index("<h3>Lozinghem</h3>") < page.index("<h3>Auchel</h3>")
    assert page.index("03 53 01 20 31") < page.index("03 53 01 20 30")
    assert page.index(hers.title) < page.index(elsewhere.title)
    assert page.count("<strong>votre quartier</strong>") == 1
    assert "<strong>votre quartier</strong>" not in anonymous


def test_the_page_reads_the_same_number_of_queries_whatever_the_data(client, world):
    Commune.objects.filter(pk=world.auchel.pk).update(**CONTACT)
    permanence(world.rimbart, days=2)
    few = page_queries(client, PAGE)
    for days in range(3, 12):
        permanence(QuartierFactory(), days=days)
    Commune.objects.filter(pk=world.lozinghem.pk).update(**CONTACT)

    assert page_queries(client, PAGE) == few


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_the_footer_the_event_page_and_the_form_lead_to_it(client, world, who, request):
    if who == "alice":
        client.force_login(request.getfixturevalue("alice"))
    event = EvenementFactory(quartiers=[world.rimbart])
    pages = ["/", event.get_absolute_url()] + (["/expressions/nouvelle/"] if who == "alice" else [])

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'href="{PAGE}"' in response.content.decode(), url
    if who == "anonymous":  # the sentence that promised a mediator now says how
        assert (
            "Ni l'un ni l'autre, ou besoin d'aide ? Un·e médiateur·rice peut vous inscrire"
            in text(client.get(event.get_absolute_url()))
        )


# --- The référent sets it -------------------------------------------------------------------


def test_the_referent_sets_her_communes_contact_audited_and_the_public_page_shows_it(
    client_for, world
):
    client = client_for(world.referent_a)
    form = client.get(edit_url(world.auchel))
    assert form.status_code == 200

    response = client.post(
        edit_url(world.auchel),
        {
            "mediation_phone": "03.53.01.20.30",
            "mediation_hours": " Du lundi au vendredi, de 9 h à 12 h ",
            "mediation_place": "Local de médiation, place de la mairie",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("referent_space") + "#mediation"
    auchel = Commune.objects.get(pk=world.auchel.pk)
    assert auchel.mediation_phone == "+33353012030"
    assert auchel.mediation_hours == "Du lundi au vendredi, de 9 h à 12 h"
    entry = AuditEntry.objects.get(action="commune.mediation")
    assert entry.actor == world.referent_a
    assert entry.after["mediation_phone"] == "+33353012030"
    assert entry.before == {"mediation_phone": "", "mediation_hours": "", "mediation_place": ""}
    assert "03 53 01 20 30" in text(client.get(PAGE))
    # Her space lists it, and the form shows the number as she would write it.
    assert "03 53 01 20 30" in text(client.get(reverse("referent_space")))
    assert 'value="03 53 01 20 30"' in client.get(edit_url(world.auchel)).content.decode()

    # Sent again (a double click): nothing changes, nothing more in the audit log.
    client.post(edit_url(world.auchel), {**CONTACT, "mediation_phone": "03 53 01 20 30"})
    assert AuditEntry.objects.filter(action="commune.mediation").count() == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("03 53 01 20", "Ce numéro n'est pas complet"),
        ("appelez-nous", "Ce numéro n'est pas complet"),
        ("+32 2 123 45 67", "Seuls les numéros français sont acceptés"),
    ],
)
def test_a_wrong_number_is_refused_with_its_reason_and_what_she_typed_is_kept(
    client_for, world, typed, message
):
    client = client_for(world.referent_a)

    response = client.post(
        edit_url(world.auchel),
        {"mediation_phone": typed, "mediation_hours": "Le mardi matin", "mediation_place": ""},
    )

    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert f'value="{typed}"' in page and "Le mardi matin" in page
    assert Commune.objects.get(pk=world.auchel.pk).mediation_hours == ""
    assert not AuditEntry.objects.filter(action="commune.mediation").exists()


def test_only_a_referent_of_the_commune_sets_its_contact(client_for, world, mediateur, alice):
    assert client_for(world.referent_b).get(edit_url(world.auchel)).status_code == 404
    assert client_for(world.referent_b).post(edit_url(world.auchel), CONTACT).status_code == 404
    assert client_for(world.referent_all).get(edit_url(world.auchel)).status_code == 200
    for person in (mediateur, alice):
        response = client_for(person).post(edit_url(world.auchel), CONTACT)
        assert response.status_code == 403, person
    assert Client().get(edit_url(world.auchel)).status_code == 302  # to sign in
    assert Commune.objects.get(pk=world.auchel.pk).mediation_phone == ""


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("03 21 12 34 56", "+33321123456"),
        ("0321123456", "+33321123456"),
        ("+33 3 21 12 34 56", "+33321123456"),
        ("06 12 34 56 78", "+33612345678"),
        ("0 800 12 34 56", "+33800123456"),
    ],
)
def test_any_french_number_is_kept_in_e164(typed, kept):
    assert parse_french_number(typed) == kept


def test_a_number_that_is_not_one_is_refused():
    for typed in ("", "3939", "12", "+44 20 7946 0958", "03 21 12 34 56 78 90"):
        with pytest.raises(ValidationError):
            parse_french_number(typed)
