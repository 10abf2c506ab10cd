import io

import pytest
from PIL import Image

from participation.core import realtime

from .factories import ObjectifFactory, QuartierFactory


@pytest.fixture
def rimbart(db):
    return QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")


@pytest.fixture
def cite5(db):
    return QuartierFactory(
        slug="cite-5", name="Cité 5, de Marles et du Rond-Point", short_name="Cité 5"
    )


@pytest.fixture
def mediation_rimbart(rimbart):
    return ObjectifFactory(quartier=rimbart, operationnel="Renforcer la médiation sociale")


@pytest.fixture
def jardin_cite5(cite5):
    return ObjectifFactory(quartier=cite5, operationnel="Un jardin partagé")


@pytest.fixture
def alice_in_rimbart(alice, rimbart):
    alice.quartier = rimbart
    alice.save()
    return alice


@pytest.fixture
def live_events(monkeypatch):
    """The real-time events sent (after commit) by the services."""
    sent = []

    def capture(group, event, **options):
        sent.append((group, event))
        return True

    monkeypatch.setattr(realtime, "send_now", capture)
    return sent


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 30, 30), **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save_kwargs.pop("alpha", False) else "RGB"
    Image.new(mode, size, color).save(buffer, format=fmt, **save_kwargs)
    return buffer.getvalue()
