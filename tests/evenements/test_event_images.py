"""Event images: re-encoded without metadata like residents' photos, and shown in embedded mode."""

import datetime as dt
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import ExifTags, Image

from consultations.storage import private_root
from evenements import services
from evenements.models import Evenement
from tests.factories import QuartierFactory

from .factories import EvenementFactory, in_days
from .test_gestion import form_data

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(80, 60)) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TelephoneDeLaMediatrice"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (50.0, 30.0, 29.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 28.0, 22.0)
    buffer = io.BytesIO()
    Image.new("RGB", size, (240, 180, 20)).save(
        buffer, format="JPEG", exif=exif, comment=b"cache-cache"
    )
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the premise
    return data


def upload(content: bytes, name="affiche.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def assert_without_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert "comment" not in image.info
    for marker in (b"Exif", b"GPS", b"TelephoneDeLaMediatrice", b"cache-cache"):
        assert marker not in data, marker


def stored(event: Evenement) -> bytes:
    event.refresh_from_db()
    with event.image.open("rb") as handle:
        return handle.read()


def test_an_image_uploaded_with_a_new_event_is_stored_without_its_gps(client_for, mediateur):
    response = client_for(mediateur).post(
        "/evenements/gestion/nouveau/",
        {**form_data(QuartierFactory()), "image": upload(jpeg_with_gps()), "image_alt": "Affiche"},
    )

    assert response.status_code == 302
    event = Evenement.objects.get()
    assert_without_metadata(stored(event))
    assert event.image.name.endswith(".jpg")


def test_an_image_changed_on_an_event_is_stored_without_its_gps(client_for, mediateur):
    event = EvenementFactory(starts_at=in_days(10), ends_at=in_days(10) + dt.timedelta(hours=2))
    data = form_data(
        event.quartiers.first(),
        title=event.title,
        starts_at=f"{in_days(10):%Y-%m-%dT%H:%M}",
        ends_at=f"{in_days(10) + dt.timedelta(hours=2):%Y-%m-%dT%H:%M}",
        capacity="",
        registration_required="",
    )

    response = client_for(mediateur).post(
        f"/evenements/{event.pk}/modifier/", {**data, "image": upload(jpeg_with_gps())}
    )

    assert response.status_code == 302, response.context["form"].errors
    assert_without_metadata(stored(event))


def test_an_unreadable_image_is_refused_in_french_next_to_its_field(client_for, mediateur):
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buffer, format="JPEG", quality=95)
    truncated = buffer.getvalue()[:4000]  # a whole header, pixels cut off

    response = client_for(mediateur).post(
        "/evenements/gestion/nouveau/",
        {**form_data(QuartierFactory()), "image": upload(truncated)},
    )

    assert response.status_code == 200
    assert "incomplète ou abîmée" in " ".join(response.context["form"].errors["image"])
    assert "Table ronde jeunesse" in response.content.decode()
    assert not Evenement.objects.exists()


def test_an_image_uploaded_in_the_admin_is_stored_without_its_gps(client_for, referent):
    quartier = QuartierFactory()
    start = in_days(12, 10)
    response = client_for(referent).post(
        "/gestion/admin/evenements/evenement/add/",
        {
            "kind": "stand",
            "title": "Stand de la fête des voisins",
            "quartiers": [quartier.pk],
            "place_name": "Place Jules Guesde",
            "starts_at_0": f"{start:%d/%m/%Y}",
            "starts_at_1": "10:00:00",
            "ends_at_0": f"{start:%d/%m/%Y}",
            "ends_at_1": "12:00:00",
            "organiser_kind": "commune",
            "organiser_name": "Service Politique de la Ville",
            "status": "publie",
            "image": upload(jpeg_with_gps()),
            "image_alt": "Affiche de la fête",
            "inscriptions-TOTAL_FORMS": "0",
            "inscriptions-INITIAL_FORMS": "0",
            "inscriptions-MIN_NUM_FORMS": "0",
            "inscriptions-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_without_metadata(stored(Evenement.objects.get()))


def event_with_image() -> Evenement:
    event = EvenementFactory()
    services.update_event(
        event, actor=None, data={"image": upload(jpeg_with_gps()), "image_alt": "Affiche"}
    )
    event.refresh_from_db()
    return event


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_embedded_mode_serves_event_images_and_production_leaves_them_to_nginx(settings):
    settings.EMBEDDED = True
    event = event_with_image()
    client = Client()

    response = client.get(event.image.url)

    assert event.image.url.startswith("/media/evenements/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert_without_metadata(body(response))
    # The event's page shows it from there.
    assert f'src="{event.image.url}"' in client.get(event.get_absolute_url()).content.decode()

    settings.EMBEDDED = False
    assert client.get(event.image.url).status_code == 404


def test_private_photos_are_never_reached_through_media(settings, tmp_path):
    settings.EMBEDDED = True
    public = event_with_image()
    client = Client()
    assert body(client.get(public.image.url))  # the same road leads to a public file
    # Beside MEDIA_ROOT (the default): reached by climbing out, or by a link inside it.
    secret = private_root() / "expressions" / "photo.jpg"
    secret.parent.mkdir(parents=True)
    secret.write_bytes(jpeg_with_gps())
    os.symlink(secret, settings.MEDIA_ROOT / "lien.jpg")
    for path in (
        "/media/../private/expressions/photo.jpg",
        "/media/%2E%2E/private/expressions/photo.jpg",
        "/media/evenements/../../private/expressions/photo.jpg",
        "/media/lien.jpg",
    ):
        response = client.get(path)
        assert response.status_code in (400, 404), path
        assert b"TelephoneDeLaMediatrice" not in response.content

    # PRIVATE_MEDIA_ROOT configured inside MEDIA_ROOT: still never served there.
    settings.PRIVATE_MEDIA_ROOT = str(settings.MEDIA_ROOT / "prive")
    inside = private_root() / "expressions" / "photo.jpg"
    inside.parent.mkdir(parents=True)
    inside.write_bytes(jpeg_with_gps())
    assert client.get("/media/prive/expressions/photo.jpg").status_code == 404


def test_images_stored_before_re_encoding_lose_their_metadata_in_the_migration(settings):
    """0003_reencode_event_images: an image uploaded as sent (before issue 15) is replaced by
    a JPEG of its pixels; an unreadable one is left where it is."""
    import importlib

    from django.apps import apps
    from django.core.files.base import ContentFile

    migration = importlib.import_module("evenements.migrations.0003_reencode_event_images")
    with_gps = EvenementFactory()
    with_gps.image.save("ancienne.jpg", ContentFile(jpeg_with_gps()))
    broken = EvenementFactory()
    broken.image.save("abimee.jpg", ContentFile(b"\xff\xd8\xff pas une image"))
    old_path = with_gps.image.path

    migration.reencode_event_images(apps, None)

    assert_without_metadata(stored(with_gps))
    assert not os.path.exists(old_path), "the original, with its GPS, is not kept"
    assert stored(broken) == b"\xff\xd8\xff pas une image"
