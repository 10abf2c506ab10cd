"""The field mode's photos are blurred too, at the decoding of the entry accepted."""

import base64

import pytest

from consultations.models import Expression
from tests.sample_photos import astronaut, faces_in

from .conftest import SYNC, entry


@pytest.mark.django_db
def test_a_photo_synced_from_the_field_mode_is_stored_with_its_face_blurred(
    api_for, mediateur, rimbart, decodes
):
    photo = base64.b64encode(astronaut()).decode()

    response = api_for(mediateur).post(
        SYNC, {"entrees": [entry(rimbart, photo=photo)]}, format="json"
    )

    assert [r["etat"] for r in response.json()["resultats"]] == ["envoyee"]
    expression = Expression.objects.get()
    assert expression.faces_blurred == 1
    assert len(decodes) == 1
    with expression.photo.open("rb") as stored:
        assert faces_in(stored.read()) == []
