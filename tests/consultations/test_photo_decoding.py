"""A photo is decoded last: never for a refused, rate-limited or replayed submission.

``decodes`` counts the calls of the costly step (``participation.core.images._decode``):
the size, the format and the pixel count are read from the header while validating, and
the pixels only by the service, once everything else is accepted.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations.models import Expression, Visibility

from .conftest import image_bytes
from .test_photos import noisy_jpeg, post_photo, too_many_pixels_png

URL = reverse("consultations:expression_create")
FIELD_URL = reverse("consultations:field_create")
API = "/api/expressions/"


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def api_photo(content=None, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content or image_bytes("JPEG"), content_type=content_type)


@pytest.mark.django_db
def test_an_empty_text_never_decodes_its_photo(client_for, alice_in_rimbart, decodes):
    response = post_photo(
        client_for(alice_in_rimbart), alice_in_rimbart.quartier, image_bytes("JPEG"), text="   "
    )

    assert response.status_code == 200
    assert "Écrivez votre message" in " ".join(response.context["form"].errors["text"])
    assert decodes == []
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_a_rate_limited_submission_never_decodes_its_photo(
    client_for, alice_in_rimbart, settings, decodes
):
    settings.EXPRESSION_RATE_LIMIT = "1/h"
    client = client_for(alice_in_rimbart)
    first = client.post(
        URL,
        {
            "idempotency_key": str(uuid.uuid4()),
            "quartier": alice_in_rimbart.quartier.pk,
            "text": "Un premier message, sans photo.",
            "visibility": Visibility.PUBLIC_ANONYMOUS,
        },
    )
    assert first.status_code == 302

    response = post_photo(client, alice_in_rimbart.quartier, image_bytes("JPEG"))

    assert response.status_code == 429
    assert "attendez environ" in response.content.decode()
    assert decodes == []
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_a_replayed_submission_returns_the_first_without_decoding_again(
    client_for, alice_in_rimbart, decodes
):
    client = client_for(alice_in_rimbart)
    key = str(uuid.uuid4())
    first = post_photo(client, alice_in_rimbart.quartier, image_bytes("JPEG"), idempotency_key=key)
    assert first.status_code == 302
    assert len(decodes) == 1

    replay = post_photo(client, alice_in_rimbart.quartier, image_bytes("JPEG"), idempotency_key=key)

    assert replay.status_code == 302
    assert replay["Location"] == first["Location"]
    assert len(decodes) == 1
    assert Expression.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "name", "content_type", "expected"),
    [
        (too_many_pixels_png, "immense.png", "image/png", "trop grande"),
        (svg, "dessin.svg", "image/svg+xml", "n'est pas une photo"),
        (lambda: b"Bonjour, je ne suis pas une image.", "photo.jpg", "image/jpeg", "n'est pas"),
    ],
    ids=["49-megapixels", "svg", "texte-renomme-jpg"],
)
def test_a_photo_refused_from_its_header_is_never_decoded(
    client_for, alice_in_rimbart, decodes, make, name, content_type, expected
):
    response = post_photo(
        client_for(alice_in_rimbart), alice_in_rimbart.quartier, make(), name, content_type
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photo"]).replace("\xa0", " ")
    assert expected in errors
    assert decodes == []
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_a_photo_unreadable_once_decoded_is_refused_next_to_its_field_and_the_text_kept(
    client_for, alice_in_rimbart, decodes
):
    client = client_for(alice_in_rimbart)
    truncated = noisy_jpeg()[:4000]  # its header is whole, its pixels are not

    with_empty_text = post_photo(client, alice_in_rimbart.quartier, truncated, text="")
    assert decodes == []
    assert "photo" not in with_empty_text.context["form"].errors

    response = post_photo(client, alice_in_rimbart.quartier, truncated)

    assert response.status_code == 200
    assert len(decodes) == 1
    assert "incomplète ou abîmée" in " ".join(response.context["form"].errors["photo"])
    html = response.content.decode()
    assert 'id="id_photo_error"' in html
    assert "Le trottoir devant l&#x27;école est défoncé." in html
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_a_mediators_entry_with_an_empty_text_never_decodes_its_photo(
    client_for, mediateur, rimbart, decodes
):
    response = client_for(mediateur).post(
        FIELD_URL,
        {
            "idempotency_key": str(uuid.uuid4()),
            "source": "stand",
            "quartier": rimbart.pk,
            "text": "",
            "people_count": "1",
            "visibility": Visibility.PUBLIC_ANONYMOUS,
            "photo": api_photo(),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert decodes == []


# --- The API ------------------------------------------------------------------------------


def api_post(client, quartier, *, key=None, **fields):
    data = {"quartier": quartier.slug, "text": "Regardez ce trottoir", **fields}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(API, data, **headers)


@pytest.mark.django_db
def test_the_api_decodes_a_photo_only_for_a_valid_new_submission_within_the_limit(
    client_for, alice, rimbart, settings, decodes
):
    settings.EXPRESSION_RATE_LIMIT = "1/h"
    client = client_for(alice)

    empty = api_post(client, rimbart, text="", photo=api_photo())
    assert empty.status_code == 400
    assert "text" in empty.json()["erreur"]["champs"]
    assert decodes == []

    key = str(uuid.uuid4())
    created = api_post(client, rimbart, key=key, photo=api_photo())
    assert created.status_code == 201
    assert len(decodes) == 1

    replay = api_post(client, rimbart, key=key, photo=api_photo())
    assert replay.status_code == 200
    assert replay.json()["id"] == created.json()["id"]
    assert len(decodes) == 1

    limited = api_post(client, rimbart, key=str(uuid.uuid4()), photo=api_photo())
    assert limited.status_code == 429
    assert len(decodes) == 1


@pytest.mark.django_db
def test_the_api_refuses_a_photo_unreadable_once_decoded_in_its_field(
    client_for, alice, rimbart, decodes
):
    client = client_for(alice)
    truncated = api_photo(noisy_jpeg()[:4000])

    empty = api_post(client, rimbart, text="", photo=truncated)
    assert set(empty.json()["erreur"]["champs"]) == {"text"}
    assert decodes == []

    response = api_post(client, rimbart, photo=api_photo(noisy_jpeg()[:4000]))

    assert response.status_code == 400
    assert "incomplète ou abîmée" in response.json()["erreur"]["champs"]["photo"][0]
    assert len(decodes) == 1
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_the_api_refuses_too_many_pixels_or_bytes_before_decoding(
    client_for, alice, rimbart, decodes
):
    client = client_for(alice)
    immense = api_photo(too_many_pixels_png(), "immense.png", "image/png")
    heavy = api_photo(b"\xff" * (10 * 1024 * 1024 + 1), "lourde.jpg")

    too_many_pixels = api_post(client, rimbart, photo=immense)
    too_heavy = api_post(client, rimbart, photo=heavy)

    assert too_many_pixels.status_code == too_heavy.status_code == 400
    assert "trop grande" in too_many_pixels.json()["erreur"]["champs"]["photo"][0]
    assert "la limite est 10" in too_heavy.json()["erreur"]["champs"]["photo"][0].replace(
        "\xa0", " "
    )
    assert decodes == []
