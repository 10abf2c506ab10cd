"""A photo is decoded last, once at most: never for a refused, rate-limited or replayed
submission.

``decodes`` counts the calls of the costly step (``participation.core.images._decode``):
the size, the format and the pixel count are read from the header while validating, and
the pixels only once everything else is accepted (valid, no replay, within the rate limit).
The photo of a form that comes back is kept as sent, unread (``services.keep_photo``,
counted in a bucket of its own): it is decoded the first time her browser asks for its
thumbnail, or by the corrected submission if it never did; once either way.
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
def test_an_empty_text_never_decodes_its_photo_and_the_photo_is_decoded_once_in_all(
    client_for, alice_in_rimbart, decodes
):
    client = client_for(alice_in_rimbart)
    response = post_photo(client, alice_in_rimbart.quartier, image_bytes("JPEG"), text="   ")

    assert response.status_code == 200
    assert "Écrivez votre message" in " ".join(response.context["form"].errors["text"])
    assert decodes == []  # kept as sent, unread
    assert not Expression.objects.exists()
    kept = response.context["kept_photo"]

    # The same form sent twice: the photo this session kept already is kept once, unread.
    again = post_photo(client, alice_in_rimbart.quartier, image_bytes("JPEG"), text="   ")
    assert again.context["kept_photo"] == kept
    assert decodes == []

    # Her browser asks for the thumbnail: decoded then, once.
    thumbnail = client.get(reverse("consultations:kept_photo", args=[kept.token]))
    assert thumbnail.status_code == 200
    b"".join(thumbnail.streaming_content)
    assert len(decodes) == 1
    fixed = client.post(
        URL,
        {
            "idempotency_key": str(uuid.uuid4()),
            "quartier": alice_in_rimbart.quartier.pk,
            "text": "Le trottoir devant l'école est défoncé.",
            "visibility": Visibility.PUBLIC_ANONYMOUS,
            "kept_photo": kept.token,
            "photo_choice": "garder",
        },
    )

    assert fixed.status_code == 302
    assert len(decodes) == 1
    assert Expression.objects.get().photo


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
    assert response.context["kept_photo"] is not None  # kept, unread, for when she sends it

    # Keeping has its limit too (the same rate): past it, nothing more is kept.
    other = post_photo(client, alice_in_rimbart.quartier, image_bytes("JPEG", color=(0, 90, 0)))

    assert other.status_code == 429
    assert decodes == []
    assert other.context["kept_photo"] is None
    assert "choisissez-la à nouveau" in other.content.decode()
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

    # With an empty text, it is kept unread; its thumbnail, decoded, is found broken.
    with_empty_text = post_photo(client, alice_in_rimbart.quartier, truncated, text="")
    assert decodes == []
    kept = with_empty_text.context["kept_photo"]
    thumbnail = client.get(reverse("consultations:kept_photo", args=[kept.token]))
    assert thumbnail.status_code == 404
    assert len(decodes) == 1

    response = post_photo(client, alice_in_rimbart.quartier, truncated)

    assert response.status_code == 200
    assert len(decodes) == 2
    assert "incomplète ou abîmée" in " ".join(response.context["form"].errors["photo"])
    html = response.content.decode()
    assert 'id="id_photo_error"' in html
    assert "Le trottoir devant l&#x27;école est défoncé." in html
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_a_mediators_entry_with_an_empty_text_never_decodes_its_photo(
    client_for, mediateur, rimbart, decodes
):
    client = client_for(mediateur)
    entry = {
        "idempotency_key": str(uuid.uuid4()),
        "source": "stand",
        "quartier": rimbart.pk,
        "text": "",
        "people_count": "1",
        "visibility": Visibility.PUBLIC_ANONYMOUS,
    }
    response = client.post(FIELD_URL, {**entry, "photo": api_photo()})

    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert decodes == []
    kept = response.context["kept_photo"]

    # No thumbnail asked for (a browser without images): the corrected entry decodes it.
    fixed = client.post(
        FIELD_URL, {**entry, "text": "Le square est sombre le soir.", "kept_photo": kept.token}
    )

    assert fixed.status_code == 302
    assert len(decodes) == 1
    assert Expression.objects.get().photo


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
