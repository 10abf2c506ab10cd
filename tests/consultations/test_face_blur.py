"""Faces are blurred in the photo residents and mediators send, at the one decoding that
strips its metadata: nobody, staff included, ever receives the photo with its faces."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from consultations.expressions import kept_photos
from consultations.models import Expression, Visibility
from consultations.storage import private_storage
from participation.core import images
from tests.sample_photos import astronaut, faces_in, launch_pad

from .test_photos import URL, post_photo, served


def corrected(author, kept) -> dict:
    """The form sent again, corrected, keeping the photo kept when it came back."""
    return {
        "idempotency_key": str(uuid.uuid4()),
        "quartier": author.quartier.pk,
        "text": "Le trottoir devant l'école est défoncé.",
        "visibility": Visibility.PUBLIC_ANONYMOUS,
        "kept_photo": kept.token,
        "photo_choice": "garder",
    }


@pytest.mark.django_db
def test_a_residents_photo_is_stored_with_its_face_blurred_and_the_count_recorded(
    client_for, alice_in_rimbart, mediateur, decodes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photo(
            client_for(alice_in_rimbart), alice_in_rimbart.quartier, astronaut(), "a.png"
        )

    assert response.status_code == 302
    expression = Expression.objects.get()
    assert expression.faces_blurred == 1
    assert len(decodes) == 1  # blurred at the decoding that strips the metadata
    with expression.photo.open("rb") as stored:
        assert faces_in(stored.read()) == []
    staff = client_for(mediateur)
    assert faces_in(served(staff, expression)) == []
    # The thumbnail is made from the blurred photo.
    assert faces_in(served(staff, expression, "consultations:expression_thumbnail")) == []


@pytest.mark.django_db
def test_a_photo_without_a_face_is_stored_as_before_and_counts_no_face(
    client_for, alice_in_rimbart
):
    post_photo(client_for(alice_in_rimbart), alice_in_rimbart.quartier, launch_pad())

    assert Expression.objects.get().faces_blurred == 0


@pytest.mark.django_db
def test_a_refused_form_never_decodes_its_photo_and_the_kept_photo_is_blurred_once(
    client_for, alice_in_rimbart, decodes, django_capture_on_commit_callbacks
):
    client = client_for(alice_in_rimbart)
    refused = post_photo(client, alice_in_rimbart.quartier, astronaut(), "a.png", text=" ")
    assert refused.status_code == 200
    assert decodes == []
    kept = refused.context["kept_photo"]

    # Her browser asks for the thumbnail of the kept photo: blurred then, at its decoding.
    thumbnail = client.get(reverse("consultations:kept_photo", args=[kept.token]))
    assert faces_in(b"".join(thumbnail.streaming_content)) == []
    assert len(decodes) == 1
    with django_capture_on_commit_callbacks(execute=True):
        fixed = client.post(URL, corrected(alice_in_rimbart, kept))

    assert fixed.status_code == 302
    assert len(decodes) == 1
    expression = Expression.objects.get()
    assert expression.faces_blurred == 1
    with expression.photo.open("rb") as stored:
        assert faces_in(stored.read()) == []
    assert not kept.exists()
    assert not expression.photo.storage.exists(kept.faces_name)


@pytest.mark.django_db
def test_a_kept_photo_never_shown_is_blurred_by_the_corrected_form(
    client_for, alice_in_rimbart, decodes
):
    client = client_for(alice_in_rimbart)
    kept = post_photo(client, alice_in_rimbart.quartier, astronaut(), "a.png", text=" ").context[
        "kept_photo"
    ]

    client.post(URL, corrected(alice_in_rimbart, kept))

    assert len(decodes) == 1
    assert Expression.objects.get().faces_blurred == 1


@pytest.mark.django_db
def test_a_photo_kept_before_faces_were_blurred_is_blurred_when_the_form_stores_it():
    # Re-encoded by the code of before: no count of faces beside it.
    photo = kept_photos.KeptPhoto(token="gardee-avant-le-floutage")
    clean = images.clean_photo(ContentFile(astronaut(), name="p"))
    private_storage.save(photo.name, ContentFile(clean.content))
    assert len(faces_in(clean.content)) == 1

    read = photo.read()

    assert read.faces_blurred == 1
    assert faces_in(read.content) == []
