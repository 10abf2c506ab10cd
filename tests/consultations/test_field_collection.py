"""A mediator records what residents without an account said at a stand or table ronde."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import (
    FIELD_SOURCES,
    SOURCE_OF_EVENT_KIND,
    Expression,
    Source,
    Status,
    Visibility,
)
from consultations.moderation import services as moderation

from .factories import ExpressionFactory

URL = reverse("consultations:field_create")


@pytest.fixture
def stand(db, rimbart):
    from evenements.models import Evenement  # test data only

    event = Evenement.objects.create(
        title="Stand Nos Quartiers d'Été à Rimbart",
        kind=Evenement.Kind.NOS_QUARTIERS_ETE,
        place_name="City stade de Rimbart",
        organiser_name="Commune d'Auchel",
        starts_at=timezone.now() - timezone.timedelta(hours=3),
        ends_at=timezone.now() - timezone.timedelta(hours=1),
    )
    event.quartiers.add(rimbart)
    return event


def field_data(quartier, evenement=None, **overrides):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "evenement": evenement.pk if evenement else "",
        "source": Source.NOS_QUARTIERS_ETE,
        "quartier": quartier.pk,
        "text": "Les familles voudraient des jeux pour les petits.",
        "people_count": 3,
        "age_group": "26_59",
        "visibility": Visibility.PUBLIC_ANONYMOUS,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_mediator_records_what_three_residents_said_at_a_stand(
    client_for, mediateur, rimbart, stand
):
    response = client_for(mediateur).post(URL, field_data(rimbart, stand))

    expression = Expression.objects.get()
    assert response.status_code == 302
    assert f"evenement={stand.pk}" in response["Location"]
    assert (expression.author, expression.recorded_by) == (None, mediateur)
    assert expression.source == Source.NOS_QUARTIERS_ETE
    assert expression.evenement == stand
    assert expression.people_count == 3
    assert expression.status == Status.SOUMISE
    assert expression.public_author_name == "3 habitant·es de Rimbart"
    assert expression.steps.get().status == Status.SOUMISE


@pytest.mark.django_db
def test_what_several_residents_said_is_headed_in_the_plural(client_for, mediateur, rimbart, stand):
    client_for(mediateur).post(URL, field_data(rimbart, stand))
    expression = Expression.objects.get()
    moderation.publish(expression.pk, actor=mediateur)

    page = client_for(mediateur).get(expression.get_absolute_url()).content.decode()
    listed = client_for(mediateur).get("/expressions/").content.decode()

    assert "<h1>3 habitant·es de Rimbart ont dit</h1>" in page
    assert "3 habitant·es de Rimbart ont dit</a></h3>" in listed
    one = client_for(mediateur).post(URL, field_data(rimbart, stand, people_count=1))
    assert one.status_code == 302
    alone = Expression.objects.latest("pk")
    assert alone.public_heading == "un·e habitant·e de Rimbart a dit"


@pytest.mark.django_db
def test_the_next_message_keeps_the_stand(client_for, mediateur, rimbart, stand):
    client = client_for(mediateur)
    response = client.post(URL, field_data(rimbart, stand))

    page = client.get(response["Location"])

    form = page.context["form"]
    assert str(form.initial["evenement"]) == str(stand.pk)
    assert str(form.initial["quartier"]) == str(rimbart.pk)


@pytest.mark.django_db
def test_a_contact_is_only_kept_with_consent(client_for, mediateur, rimbart):
    client = client_for(mediateur)

    refused = client.post(URL, field_data(rimbart, contact="06 12 34 56 78"))
    assert refused.status_code == 200
    assert "accord de la personne" in " ".join(refused.context["form"].errors["contact"])
    assert "06 12 34 56 78" in refused.content.decode()
    assert not Expression.objects.exists()

    client.post(URL, field_data(rimbart, contact="06 12 34 56 78", contact_consent="on"))
    expression = Expression.objects.get()
    assert (expression.contact, expression.contact_consent) == ("06 12 34 56 78", True)


@pytest.mark.django_db
def test_the_contact_is_shown_to_mediators_only(client_for, mediateur, comite, bob, rimbart):
    client_for(mediateur).post(
        URL, field_data(rimbart, contact="06 12 34 56 78", contact_consent="on")
    )
    expression = Expression.objects.get()
    Expression.objects.filter(pk=expression.pk).update(
        status=Status.PUBLIEE, published_at=timezone.now()
    )

    assert (
        "06 12 34 56 78"
        in client_for(mediateur).get(expression.get_absolute_url()).content.decode()
    )
    assert (
        "06 12 34 56 78"
        not in client_for(comite).get(expression.get_absolute_url()).content.decode()
    )
    assert (
        "06 12 34 56 78" not in client_for(bob).get(expression.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"people_count": 0}, "people_count", "Au moins une personne"),
        ({"people_count": "beaucoup"}, "people_count", "Écrivez un nombre"),
        ({"text": ""}, "text", "Écrivez votre message"),
        ({"source": "en_ligne"}, "source", "Sélectionnez un choix valide"),
    ],
)
def test_bad_field_input_is_refused_in_french(
    client_for, mediateur, rimbart, overrides, field, expected
):
    response = client_for(mediateur).post(URL, field_data(rimbart, **overrides))

    assert response.status_code == 200
    assert expected in " ".join(response.context["form"].errors[field])
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_the_same_entry_sent_twice_is_recorded_once(client_for, mediateur, rimbart):
    client = client_for(mediateur)
    data = field_data(rimbart)

    client.post(URL, data)
    client.post(URL, data)

    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_field_expressions_are_counted_apart(client, client_for, mediateur, rimbart, stand):
    client_for(mediateur).post(URL, field_data(rimbart, stand))
    Expression.objects.update(status=Status.PUBLIEE, published_at=timezone.now())
    ExpressionFactory(quartier=rimbart, status=Status.PUBLIEE)

    html = client.get(reverse("territory:quartier", args=[rimbart.slug])).content.decode()

    assert "2 messages publiés" in html
    assert "dont 1 recueilli sur le terrain" in html
    assert Expression.objects.collected_in_field().count() == 1


# --- The event gives the kind of meeting and the quartier (issue 17, point 5) -------------


def test_every_kind_of_event_is_a_kind_of_meeting_of_the_field():
    from evenements.models import Evenement  # test data only

    assert set(SOURCE_OF_EVENT_KIND) == set(Evenement.Kind.values)
    assert set(SOURCE_OF_EVENT_KIND.values()) <= set(FIELD_SOURCES)
    assert SOURCE_OF_EVENT_KIND[Evenement.Kind.PERMANENCE] == Source.PERMANENCE


@pytest.fixture
def yesterday(db, cite5):
    from evenements.models import Evenement  # test data only

    start = timezone.now() - timezone.timedelta(days=1, hours=2)
    event = Evenement.objects.create(
        title="Permanence de médiation à la Cité 5",
        kind=Evenement.Kind.PERMANENCE,
        place_name="Maison de quartier",
        organiser_name="Commune d'Auchel",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=2),
    )
    event.quartiers.add(cite5)
    return event


@pytest.mark.django_db
def test_the_events_of_the_day_are_offered_first_then_the_earlier_ones(
    client_for, mediateur, rimbart, yesterday
):
    from evenements.models import Evenement  # test data only

    now = timezone.now()
    stand = Evenement.objects.create(
        title="Stand du marché",
        place_name="Place Jules Guesde",
        organiser_name="Commune d'Auchel",
        starts_at=now - timezone.timedelta(minutes=30),
        ends_at=now + timezone.timedelta(hours=1),
    )
    stand.quartiers.add(rimbart)

    form = client_for(mediateur).get(URL).context["form"]

    choices = list(form.fields["evenement"].choices)
    assert choices[0][0] == ""
    assert [(group, [pk for pk, _label in options]) for group, options in choices[1:]] == [
        ("Aujourd'hui", [stand.pk]),
        ("Les jours précédents", [yesterday.pk]),
    ]


@pytest.mark.django_db
def test_no_kind_of_meeting_nor_quartier_is_chosen_before_the_event(client_for, mediateur, rimbart):
    response = client_for(mediateur).get(URL)
    html = response.content.decode()
    form = response.context["form"]

    assert not form["source"].value() and not form["quartier"].value()
    assert '<option value="" selected>Choisissez le quartier</option>' in html
    assert "Choisissez d'abord le quartier : ses objectifs s'afficheront ici." in html


@pytest.mark.django_db
def test_the_form_opened_for_an_event_takes_its_kind_of_meeting_and_its_quartier(
    client_for, mediateur, cite5, yesterday
):
    response = client_for(mediateur).get(URL, {"evenement": yesterday.pk})
    form = response.context["form"]

    assert form["source"].value() == Source.PERMANENCE
    assert str(form["quartier"].value()) == str(cite5.pk)
    assert f'<option value="{cite5.pk}" selected>' in response.content.decode()


@pytest.mark.django_db
def test_the_script_is_given_each_events_kind_of_meeting_and_quartiers(
    client_for, mediateur, rimbart, stand
):
    form = client_for(mediateur).get(URL).context["form"]

    assert form.evenement_defaults == {
        str(stand.pk): {"source": Source.NOS_QUARTIERS_ETE, "quartiers": [str(rimbart.pk)]}
    }


@pytest.mark.django_db
def test_an_entry_for_an_event_left_without_type_or_quartier_takes_the_events(
    client_for, mediateur, rimbart, cite5, yesterday
):
    response = client_for(mediateur).post(
        URL, field_data(cite5, yesterday) | {"source": "", "quartier": ""}
    )

    expression = Expression.objects.get()
    assert response.status_code == 302
    assert (expression.source, expression.quartier) == (Source.PERMANENCE, cite5)
    assert f"quartier={cite5.pk}" in response["Location"]
    assert expression.said_at is None  # typed with the network: said when received

    # What the mediator chose wins over the event.
    client_for(mediateur).post(URL, field_data(rimbart, yesterday, source=Source.TABLE_RONDE))
    chosen = Expression.objects.exclude(pk=expression.pk).get()
    assert (chosen.source, chosen.quartier) == (Source.TABLE_RONDE, rimbart)


@pytest.mark.django_db
def test_an_event_of_several_quartiers_asks_which_one(
    client_for, mediateur, rimbart, cite5, yesterday
):
    yesterday.quartiers.add(rimbart)

    response = client_for(mediateur).post(URL, field_data(cite5, yesterday) | {"quartier": ""})

    assert response.status_code == 200
    assert response.context["form"].errors["quartier"] == [
        "Choisissez le quartier dont parlent les personnes."
    ]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_without_an_event_the_kind_of_meeting_is_asked(client_for, mediateur, rimbart):
    response = client_for(mediateur).post(URL, field_data(rimbart, source=""))

    assert response.status_code == 200
    assert "Choisissez le type de rencontre, ou l'événement" in " ".join(
        response.context["form"].errors["source"]
    )
    assert not Expression.objects.exists()


# --- When it was said, beside when it was received ----------------------------------------


@pytest.fixture
def said_earlier(db, mediateur, rimbart):
    received = timezone.now()
    said = received - timezone.timedelta(days=2, hours=3)
    return ExpressionFactory(
        quartier=rimbart,
        author=None,
        recorded_by=mediateur,
        source=Source.STAND,
        said_at=said,
        created_at=received,
    )


def local(moment) -> str:
    from django.utils import formats

    return formats.date_format(timezone.localtime(moment), "j F Y à H:i")


@pytest.mark.django_db
def test_the_mediator_reads_when_it_was_said_beside_when_it_was_received(
    client_for, mediateur, said_earlier
):
    html = (
        client_for(mediateur)
        .get(reverse("consultations:moderation_expression", args=[said_earlier.pk]))
        .content.decode()
    )

    said, received = local(said_earlier.said_at), local(said_earlier.created_at)
    assert "Dite le</dt><dd data-said-at><time datetime=" in html
    assert html.index(said) < html.index("Reçue le") < html.index(received)


@pytest.mark.django_db
def test_the_expression_page_tells_mediators_when_it_was_said_and_received(
    client_for, mediateur, said_earlier
):
    Expression.objects.filter(pk=said_earlier.pk).update(
        status=Status.PUBLIEE, published_at=timezone.now()
    )

    html = client_for(mediateur).get(said_earlier.get_absolute_url()).content.decode()

    said, received = local(said_earlier.said_at), local(said_earlier.created_at)
    assert "Dit le" in html and html.index(said) < html.index("reçu le") < html.index(received)
