import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from tests.factories import QuartierFactory

PASSWORD = "mot-de-passe-solide-2030"  # the password of tests.factories.UserFactory


@pytest.fixture
def rimbart(db):
    return QuartierFactory(slug="rimbart", name="Rimbart", short_name="Rimbart")


def attach_photo(expression) -> None:
    """Give ``expression`` a photo and a thumbnail, stored like the real ones."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, format="JPEG")
    expression.photo.save("photo.jpg", ContentFile(buffer.getvalue()), save=False)
    expression.thumbnail.save("mini.jpg", ContentFile(buffer.getvalue()), save=False)
    expression.save()
