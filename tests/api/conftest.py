import base64
import io
import uuid

import pytest
from PIL import Image
from rest_framework.test import APIClient

from tests.consultations.factories import ObjectifFactory, QuartierFactory
from tests.evenements.factories import EvenementFactory, in_days

SYNC = "/api/terrain/synchronisation/"


@pytest.fixture
def rimbart(db):
    return QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")


@pytest.fixture
def cite5(db):
    return QuartierFactory(slug="cite-5", name="Cité 5", short_name="Cité 5")


@pytest.fixture
def mediation_rimbart(rimbart):
    return ObjectifFactory(quartier=rimbart, operationnel="Renforcer la médiation sociale")


@pytest.fixture
def stand(rimbart):
    # Yesterday: words are recorded at an event that has taken place.
    return EvenementFactory(
        title="Stand du marché de Rimbart", quartiers=[rimbart], starts_at=in_days(-1, 10)
    )


@pytest.fixture
def api_for():
    """An API client signed in as ``user``, checking CSRF like a browser session would."""

    def make(user=None, *, csrf=False):
        client = APIClient(enforce_csrf_checks=csrf)
        if user is not None:
            client.force_login(user)
        return client

    return make


def entry(quartier, **fields) -> dict:
    """One field-mode entry as the tablet sends it."""
    return {
        "uuid": str(uuid.uuid4()),
        "quartier": quartier.slug,
        "text": "Les jeux du square sont cassés depuis l'hiver.",
        "source": "stand",
        **fields,
    }


def jpeg_base64(size=(40, 30), exif_gps=False) -> str:
    image = Image.new("RGB", size, (30, 120, 200))
    buffer = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "TelephoneDeTest"  # Make
        exif.get_ifd(0x8825)[2] = (50.0, 30.0, 0.0)  # GPSLatitude
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="JPEG")
    return base64.b64encode(buffer.getvalue()).decode()
