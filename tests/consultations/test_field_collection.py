"""A mediator records what residents without an account said at a stand or table ronde."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Expression, Source, Status, Visibility

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
