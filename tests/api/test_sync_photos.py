"""The field sync decodes an entry's photo only once the entry is accepted and within the limit."""

import pytest

from consultations.models import Expression

from .conftest import SYNC, entry, jpeg_base64


def sync(client, entries):
    return client.post(SYNC, {"entrees": entries}, format="json")


@pytest.mark.django_db
def test_only_an_accepted_entry_decodes_its_photo_and_an_unreadable_one_refuses_it_alone(
    api_for, mediateur, rimbart, decodes
):
    whole = jpeg_base64(size=(400, 300))
    cut = whole[: len(whole) // 2 // 4 * 4]  # its header is whole, its pixels are not
    batch = [
        entry(rimbart, text="  ", photo=whole),
        entry(rimbart, photo=cut),
        entry(rimbart, photo=whole),
    ]

    results = sync(api_for(mediateur), batch).json()["resultats"]

    assert [r["etat"] for r in results] == ["refusee", "refusee", "envoyee"]
    assert set(results[0]["champs"]) == {"text"}
    assert "incomplète ou abîmée" in results[1]["champs"]["photo"][0]
    assert len(decodes) == 2  # the cut photo and the stored one; never the refused text's
    assert Expression.objects.count() == 1


@pytest.mark.django_db
def test_an_entry_over_the_rate_limit_never_decodes_its_photo(
    api_for, mediateur, rimbart, settings, decodes
):
    settings.FIELD_EXPRESSION_RATE_LIMIT = "1/h"

    body = sync(api_for(mediateur), [entry(rimbart), entry(rimbart, photo=jpeg_base64())]).json()

    assert [r["etat"] for r in body["resultats"]] == ["envoyee", "reessayer"]
    assert decodes == []
    assert Expression.objects.count() == 1
