"""A form that comes back never loses its photo, and keeps it for its own session only.

After any error (a field, the objectives button without JavaScript, the rate limit) the photo
chosen is kept re-encoded in the private storage (consultations/expressions/kept_photos.py)
and shown as a thumbnail with « Garder cette photo » / « Retirer » / « Choisir une autre
photo »; it becomes the expression's photo when the form is sent again, and it is gone
once the expression is stored, removed, or a day old.
"""

import os
import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from consultations import tasks
from consultations.expressions import kept_photos
from consultations.models import Expression, Visibility
from consultations.storage import private_root

from .conftest import image_bytes
from .test_photos import assert_clean_jpeg, jpeg_with_gps, post_photo, status_of

URL = reverse("consultations:expression_create")
FIELD_URL = reverse("consultations:field_create")
TEXT = "Le trottoir devant l'école est défoncé."


def kept_files() -> list:
    folder = private_root() / kept_photos.FOLDER
    return sorted(folder.iterdir()) if folder.exists() else []


def fixed_form(quartier, kept, choice="garder", **extra):
    """The form sent again once corrected, as the page draws it after the error."""
    return {
        "idempotency_key": str(uuid.uuid4()),
        "quartier": quartier.pk,
        "text": TEXT,
        "visibility": Visibility.PUBLIC_ANONYMOUS,
        "photo_description": "Un trottoir abîmé",
        "kept_photo": kept.token,
        "photo_choice": choice,
        **extra,
    }


def thumbnail_url(kept) -> str:
    return reverse("consultations:kept_photo", args=[kept.token])


@pytest.fixture
def kept_after_error(client_for, alice_in_rimbart, jardin_cite5):
    """Alice sent her photo with an objective of another quartier: the form came back."""
    client = client_for(alice_in_rimbart)
    response = post_photo(
        client, alice_in_rimbart.quartier, jpeg_with_gps(), objectifs=[jardin_cite5.pk]
    )
    assert response.status_code == 200
    assert response.context["form"].errors["objectifs"]
    return client, response, response.context["kept_photo"]


@pytest.mark.django_db
def test_after_an_error_she_sees_her_photo_as_a_thumbnail_and_her_text(kept_after_error):
    client, response, kept = kept_after_error

    html = response.content.decode()
    assert f'src="{thumbnail_url(kept)}"' in html
    assert f'name="kept_photo" value="{kept.token}"' in html
    assert 'value="garder" id="id_photo_choice_0" checked' in html
    assert "Retirer" in html and "Choisir une autre photo" in html
    assert "vous n'avez pas à la choisir à nouveau" in html
    assert "choisissez-la à nouveau" not in html
    assert "Le trottoir devant l&#x27;école est défoncé." in html
    assert 'value="Un trottoir abîmé"' in html
    response = client.get(thumbnail_url(kept))
    assert response["Cache-Control"] == "private, no-store"
    assert_clean_jpeg(b"".join(response.streaming_content))
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_the_kept_photo_holds_no_exif_or_gps_once_shown_and_lives_in_the_private_storage(
    kept_after_error, settings
):
    client, _response, kept = kept_after_error
    # Kept as sent (unread), in the private storage only, and never served as such.
    [sent] = kept_files()
    assert sent.name == f"{kept.token}.envoi"
    assert settings.MEDIA_ROOT not in sent.parents

    thumbnail = client.get(thumbnail_url(kept))

    assert thumbnail.status_code == 200
    assert_clean_jpeg(b"".join(thumbnail.streaming_content))
    files = kept_files()
    assert [path.name for path in files] == sorted(
        [f"{kept.token}.jpg", f"{kept.token}-mini.jpg", f"{kept.token}-visages.txt"]
    )
    for path in files:  # the file as sent is gone once re-encoded
        assert settings.MEDIA_ROOT not in path.parents
        if path.suffix == ".txt":  # how many faces were blurred, for the expression
            assert path.read_text() == "0"
        else:
            assert_clean_jpeg(path.read_bytes())  # no EXIF, GPS, XMP, ICC profile or comment


@pytest.mark.django_db
def test_the_kept_photo_becomes_the_expressions_photo_and_the_temporary_goes(
    kept_after_error, alice_in_rimbart, django_capture_on_commit_callbacks
):
    client, _response, kept = kept_after_error
    kept_bytes = kept.read().content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, fixed_form(alice_in_rimbart.quartier, kept))

    assert response.status_code == 302
    expression = Expression.objects.get()
    with expression.photo.open("rb") as handle:
        assert handle.read() == kept_bytes  # copied as it was kept: not decoded again
    assert expression.photo_description == "Un trottoir abîmé"
    assert expression.thumbnail
    assert kept_files() == []
    assert status_of(client, thumbnail_url(kept)) == 404


@pytest.mark.django_db
def test_the_same_corrected_form_sent_twice_makes_one_expression(
    kept_after_error, alice_in_rimbart, django_capture_on_commit_callbacks
):
    client, _response, kept = kept_after_error
    data = fixed_form(alice_in_rimbart.quartier, kept)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(URL, data)
    second = client.post(URL, data)  # the kept photo is gone: the replay needs none

    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_retirer_drops_the_kept_photo_at_once(kept_after_error, alice_in_rimbart, jardin_cite5):
    client, _response, kept = kept_after_error

    again = client.post(
        URL, fixed_form(alice_in_rimbart.quartier, kept, "retirer", objectifs=[jardin_cite5.pk])
    )
    assert again.status_code == 200
    assert again.context["kept_photo"] is None
    assert kept_files() == []

    response = client.post(URL, fixed_form(alice_in_rimbart.quartier, kept, "retirer"))

    assert response.status_code == 302
    assert not Expression.objects.get().photo


@pytest.mark.django_db
def test_choisir_une_autre_photo_replaces_it(kept_after_error, alice_in_rimbart):
    client, _response, kept = kept_after_error

    without_file = client.post(URL, fixed_form(alice_in_rimbart.quartier, kept, "remplacer"))
    assert without_file.status_code == 200
    assert "Choisissez la nouvelle photo" in " ".join(without_file.context["form"].errors["photo"])
    assert without_file.context["kept_photo"] == kept  # still there to keep instead

    response = post_photo(
        client,
        alice_in_rimbart.quartier,
        image_bytes("PNG", size=(30, 20)),
        "autre.png",
        "image/png",
        kept_photo=kept.token,
        photo_choice="remplacer",
    )

    assert response.status_code == 302
    with Expression.objects.get().photo.open("rb") as handle:
        assert assert_clean_jpeg(handle.read()).size == (30, 20)
    assert kept_files() == []  # the one she did not take is deleted at once


@pytest.mark.django_db
def test_a_token_of_another_session_is_refused_without_saying_whose(
    kept_after_error, alice_in_rimbart, bob
):
    _client, _response, kept = kept_after_error
    url = thumbnail_url(kept)
    bobs = Client()
    bobs.force_login(bob)
    alices_phone = Client()  # her own account, signed in elsewhere
    alices_phone.force_login(alice_in_rimbart)

    assert status_of(bobs, url) == 404
    assert status_of(alices_phone, url) == 404
    assert status_of(Client(), url) == 302  # to the sign-in page

    bob.quartier = alice_in_rimbart.quartier
    bob.save()
    forged = bobs.post(URL, fixed_form(bob.quartier, kept))
    made_up = bobs.post(URL, fixed_form(bob.quartier, kept_photos.KeptPhoto("x" * 43)))

    assert forged.status_code == made_up.status_code == 200
    assert forged.context["form"].errors["photo"] == made_up.context["form"].errors["photo"]
    assert "n&#x27;est plus disponible" in forged.content.decode()
    assert kept.token not in forged.content.decode().replace(f'value="{kept.token}"', "")
    assert not Expression.objects.exists()
    assert kept.exists()  # hers, untouched


@pytest.mark.django_db
def test_the_objectives_button_without_javascript_keeps_the_photo(
    client_for, alice_in_rimbart, cite5, jardin_cite5
):
    client = client_for(alice_in_rimbart)

    response = post_photo(client, cite5, jpeg_with_gps(), action="refresh")

    assert response.status_code == 200
    assert not response.context["form"].errors
    kept = response.context["kept_photo"]
    html = response.content.decode()
    assert "Un jardin partagé" in html
    assert f'src="{thumbnail_url(kept)}"' in html

    sent = client.post(URL, fixed_form(cite5, kept, objectifs=[jardin_cite5.pk]))

    assert sent.status_code == 302
    assert Expression.objects.get().photo


@pytest.mark.django_db
def test_a_rate_limited_submission_keeps_its_photo_for_later(
    client_for, alice_in_rimbart, settings
):
    settings.EXPRESSION_RATE_LIMIT = "1/h"
    client = client_for(alice_in_rimbart)
    first = {
        "idempotency_key": str(uuid.uuid4()),
        "quartier": alice_in_rimbart.quartier.pk,
        "text": "Un premier message, sans photo.",
        "visibility": Visibility.PUBLIC_ANONYMOUS,
    }
    assert client.post(URL, first).status_code == 302

    response = post_photo(client, alice_in_rimbart.quartier, jpeg_with_gps())

    assert response.status_code == 429
    kept = response.context["kept_photo"]
    assert f'src="{thumbnail_url(kept)}"' in response.content.decode()
    assert status_of(client, thumbnail_url(kept)) == 200


@pytest.mark.django_db
def test_a_mediators_field_form_keeps_the_photo_too(client_for, mediateur, rimbart):
    client = client_for(mediateur)
    entry = {
        "idempotency_key": str(uuid.uuid4()),
        "source": "stand",
        "quartier": rimbart.pk,
        "text": "",
        "people_count": "1",
        "visibility": Visibility.PUBLIC_ANONYMOUS,
        "photo": SimpleUploadedFile("photo.jpg", jpeg_with_gps(), content_type="image/jpeg"),
    }

    response = client.post(FIELD_URL, entry)

    assert response.status_code == 200
    kept = response.context["kept_photo"]
    assert f'src="{thumbnail_url(kept)}"' in response.content.decode()
    assert "Garder cette photo" in response.content.decode()
    assert status_of(client, thumbnail_url(kept)) == 200


@pytest.mark.django_db
def test_kept_photos_are_purged_after_a_day(
    kept_after_error, alice_in_rimbart, client_for, jardin_cite5
):
    client, _response, old = kept_after_error
    a_day_ago = time.time() - kept_photos.LIFETIME.total_seconds() - 60
    for path in kept_files():
        os.utime(path, (a_day_ago, a_day_ago))
    fresh = post_photo(
        client,
        alice_in_rimbart.quartier,
        image_bytes("JPEG", color=(0, 0, 200)),
        objectifs=[jardin_cite5.pk],
    ).context["kept_photo"]

    assert tasks.purge_kept_photos() == 1  # the old photo, kept as sent (never shown)

    assert not old.exists()
    assert fresh.exists()
    gone = client.post(URL, fixed_form(alice_in_rimbart.quartier, old))
    assert gone.status_code == 200
    assert "n&#x27;est plus disponible" in gone.content.decode()
    assert "Le trottoir devant l&#x27;école est défoncé." in gone.content.decode()
    assert not Expression.objects.exists()


def test_the_purge_of_kept_photos_runs_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-kept-photos"]

    assert entry["task"] == tasks.purge_kept_photos.name
    assert entry["schedule"].minute == {20}
    assert len(entry["schedule"].hour) == 24
