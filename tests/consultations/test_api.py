"""The JSON API: published expressions anonymised as on the site, and creating with a key."""

import uuid

import pytest
from django.core.management import call_command

from consultations.models import Expression, Status, Visibility
from tests.factories import UserFactory

from .conftest import image_bytes
from .factories import ConsultationFactory, ExpressionFactory

API = "/api/expressions/"


@pytest.mark.django_db
def test_the_list_is_anonymised_as_on_the_site(client, rimbart):
    named = UserFactory(display_name="Fatima", email="fatima@example.org")
    hidden = UserFactory(display_name="Gérard", email="gerard@example.org")
    ExpressionFactory(
        quartier=rimbart, author=named, status=Status.PUBLIEE, visibility=Visibility.PUBLIC_NAMED
    )
    ExpressionFactory(quartier=rimbart, author=hidden, status=Status.PUBLIEE)
    ExpressionFactory(quartier=rimbart, status=Status.SOUMISE)

    body = client.get(API).json()

    assert body["count"] == 2
    names = {row["author_name"] for row in body["results"]}
    assert names == {"Fatima", "un·e habitant·e de Rimbart"}
    raw = str(body)
    assert "@example.org" not in raw and "Gérard" not in raw
    assert {"id", "text", "quartier", "objectifs", "status", "supports_count", "page"} <= set(
        body["results"][0]
    )


@pytest.mark.django_db
def test_the_list_is_paginated_and_filtered(client, rimbart, cite5):
    ExpressionFactory.create_batch(3, quartier=rimbart, status=Status.PUBLIEE)
    ExpressionFactory(quartier=cite5, status=Status.PUBLIEE)

    assert client.get(API, {"quartier": "cite-5"}).json()["count"] == 1
    assert "next" in client.get(API).json()


def create(client, quartier, key=None, **data):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    payload = {"quartier": quartier.slug, "text": "Le square est fermé trop tôt.", **data}
    return client.post(API, payload, content_type="application/json", **headers)


@pytest.mark.django_db
def test_the_same_idempotency_key_twice_gives_one_expression(client_for, alice, rimbart):
    client = client_for(alice)
    key = str(uuid.uuid4())

    first = create(client, rimbart, key)
    second = create(client, rimbart, key)

    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Expression.objects.count() == 1
    assert Expression.objects.get().status == Status.SOUMISE


@pytest.mark.django_db
def test_a_non_uuid_idempotency_key_also_works(client_for, alice, rimbart):
    client = client_for(alice)

    create(client, rimbart, "envoi-telephone-42")
    create(client, rimbart, "envoi-telephone-42")
    create(client, rimbart, "envoi-telephone-43")

    assert Expression.objects.count() == 2


@pytest.mark.django_db
def test_creating_needs_an_account_with_a_verified_email(client, client_for, rimbart):
    assert create(client, rimbart).status_code == 403
    unverified = UserFactory(verified=False)
    response = create(client_for(unverified), rimbart)
    assert response.status_code == 403
    assert "adresse électronique" in response.json()["erreur"]["message"]
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_bad_input_gets_french_messages_per_field(client_for, alice, rimbart, jardin_cite5):
    closed = ConsultationFactory(closed=True, quartiers=[rimbart])

    response = create(
        client_for(alice), rimbart, text="", objectifs=[jardin_cite5.pk], consultation=closed.slug
    )

    assert response.status_code == 400
    errors = response.json()["erreur"]["champs"]
    assert "Écrivez votre message" in errors["text"][0]
    assert "autre quartier" in errors["objectifs"][0]
    assert "est close" in errors["consultation"][0]


@pytest.mark.django_db
def test_a_photo_can_be_sent_in_multipart_and_is_cleaned(client_for, alice, rimbart):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(alice).post(
        API,
        {
            "quartier": rimbart.slug,
            "text": "Regardez ce trottoir",
            "photo": SimpleUploadedFile("p.png", image_bytes("PNG"), content_type="image/png"),
        },
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )

    assert response.status_code == 201
    assert response.json()["photo"].endswith(f"/expressions/{response.json()['id']}/photo/")


@pytest.mark.django_db
def test_a_broken_photo_is_refused_by_the_api(client_for, alice, rimbart):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(alice).post(
        API,
        {
            "quartier": rimbart.slug,
            "text": "x",
            "photo": SimpleUploadedFile("p.jpg", b"pas une image"),
        },
    )

    assert response.status_code == 400
    assert "n'est pas une photo" in response.json()["erreur"]["champs"]["photo"][0]


@pytest.mark.django_db
def test_the_api_is_rate_limited_per_account(client_for, alice, rimbart, settings):
    settings.EXPRESSION_RATE_LIMIT = "1/h"
    client = client_for(alice)
    create(client, rimbart, str(uuid.uuid4()))

    response = create(client, rimbart, str(uuid.uuid4()))

    assert response.status_code == 429
    assert "attendez environ" in response.json()["erreur"]["message"]
    assert int(response["Retry-After"]) > 0


@pytest.mark.django_db
def test_the_schema_describes_the_expressions_and_validates(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = target.read_text()
    assert "/api/expressions/" in schema
    assert "Idempotency-Key" in schema
