"""Photos: only re-encoded pixels are kept and served, to those who may read the expression."""

import io
import os
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image, ImageCms

from consultations import tasks
from consultations.models import Expression, Status, Visibility
from consultations.storage import private_root

from .conftest import image_bytes
from .factories import ExpressionFactory

URL = reverse("consultations:expression_create")


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TéléphoneDeTest"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: must be turned upright
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (50.0, 30.0, 29.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 28.0, 22.0)
    buffer = io.BytesIO()
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", (60, 40), (10, 120, 200)).save(
        buffer,
        format="JPEG",
        exif=exif,
        icc_profile=icc,
        comment=b"<script>alert('commentaire')</script>",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">secret</x:xmpmeta>',
    )
    data = buffer.getvalue()
    # The test itself: the original does carry GPS, XMP and a comment.
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"xmpmeta" in data and b"commentaire" in data
    return data


def post_photo(
    client, quartier, content: bytes, name="photo.jpg", content_type="image/jpeg", **extra
):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "quartier": quartier.pk,
        "text": "Le trottoir devant l'école est défoncé.",
        "visibility": Visibility.PUBLIC_ANONYMOUS,
        "photo_description": "Un trottoir abîmé",
        "photo": SimpleUploadedFile(name, content, content_type=content_type),
        **extra,
    }
    return client.post(URL, data)


def assert_clean_jpeg(data: bytes):
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert "icc_profile" not in image.info
    assert "comment" not in image.info
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"ICC_PROFILE", b"<script", b"commentaire"):
        assert marker not in data, marker
    return image


def status_of(client, url) -> int:
    response = client.get(url)
    if response.streaming:
        # Reading a FileResponse to its end closes its file (the test client's way).
        b"".join(response.streaming_content)
    return response.status_code


def served(client, expression, name="consultations:expression_photo"):
    response = client.get(reverse(name, args=[expression.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_no_served_image_contains_exif_or_gps(
    client_for, alice_in_rimbart, django_capture_on_commit_callbacks
):
    client = client_for(alice_in_rimbart)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photo(client, alice_in_rimbart.quartier, jpeg_with_gps())
    assert response.status_code == 302
    expression = Expression.objects.get()

    photo = assert_clean_jpeg(served(client, expression))
    thumbnail = assert_clean_jpeg(served(client, expression, "consultations:expression_thumbnail"))

    # Orientation 6 was applied to the pixels: the 60 × 40 photo is now upright, 40 × 60.
    assert photo.size == (40, 60)
    assert thumbnail.size == (40, 60)
    assert expression.thumbnail


@pytest.mark.django_db
def test_the_original_file_is_never_stored(
    client_for, alice_in_rimbart, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client_for(alice_in_rimbart), alice_in_rimbart.quartier, jpeg_with_gps())

    stored = [
        p
        for root in (private_root(), settings.MEDIA_ROOT)
        if root.exists()
        for p in root.rglob("*")
        if p.is_file()
    ]
    assert len(stored) == 2  # the cleaned photo and its thumbnail
    for path in stored:
        assert_clean_jpeg(path.read_bytes())
        assert settings.MEDIA_ROOT not in path.parents


@pytest.mark.django_db
def test_png_webp_and_heic_are_accepted_and_stored_as_jpeg(client_for, alice_in_rimbart):
    import pillow_heif

    pillow_heif.register_heif_opener()
    client = client_for(alice_in_rimbart)
    samples = [
        (image_bytes("PNG", alpha=True, color=(0, 0, 0, 0)), "a.png", "image/png"),
        (image_bytes("WEBP"), "b.webp", "image/webp"),
        (image_bytes("HEIF"), "IMG_0001.HEIC", "image/heic"),
    ]
    for content, name, content_type in samples:
        response = post_photo(client, alice_in_rimbart.quartier, content, name, content_type)
        assert response.status_code == 302, name

    stored = list(Expression.objects.all())
    assert len(stored) == len(samples)
    for expression in stored:
        with expression.photo.open("rb") as handle:
            assert_clean_jpeg(handle.read())


def noisy_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def bomb_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, format="PNG")
    return buffer.getvalue()


def too_many_pixels_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (7_000, 7_000)).save(buffer, format="PNG")  # 49 Mpx: under Pillow's own limit
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "name", "content_type", "expected"),
    [
        (bomb_png, "bombe.png", "image/png", "trop grande"),
        (too_many_pixels_png, "immense.png", "image/png", "trop grande"),
        (lambda: noisy_jpeg()[:4000], "coupee.jpg", "image/jpeg", "incomplète ou abîmée"),
        (
            lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "dessin.svg",
            "image/svg+xml",
            "n'est pas une photo",
        ),
        (
            lambda: b"Bonjour, je ne suis pas une image.",
            "photo.jpg",
            "image/jpeg",
            "n'est pas une photo",
        ),
        (lambda: b"", "vide.jpg", "image/jpeg", "vide"),
        (lambda: b"\xff" * (10 * 1024 * 1024 + 1), "lourde.jpg", "image/jpeg", "la limite est 10"),
    ],
    ids=[
        "bombe-12000x12000",
        "49-megapixels",
        "jpeg-tronque",
        "svg",
        "texte-renomme-jpg",
        "vide",
        "trop-lourde",
    ],
)
def test_bad_photos_are_refused_next_to_the_field_and_the_rest_is_kept(
    client_for, alice_in_rimbart, make, name, content_type, expected
):
    response = post_photo(
        client_for(alice_in_rimbart), alice_in_rimbart.quartier, make(), name, content_type
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("photo", []))
    assert expected in errors.replace("\xa0", " ")
    html = response.content.decode()
    assert 'id="id_photo_error"' in html
    assert "Le trottoir devant l&#x27;école est défoncé." in html
    assert 'value="Un trottoir abîmé"' in html
    assert "choisissez-la à nouveau" in html
    assert not Expression.objects.exists()


@pytest.mark.django_db
def test_an_image_with_html_appended_is_served_without_it(client_for, alice_in_rimbart):
    polyglot = (
        image_bytes("JPEG") + b"<html><body><script>alert(document.cookie)</script></body></html>"
    )
    client = client_for(alice_in_rimbart)

    response = post_photo(client, alice_in_rimbart.quartier, polyglot, "polyglotte.jpg")

    assert response.status_code == 302
    data = served(client, Expression.objects.get())
    assert_clean_jpeg(data)
    assert b"<html" not in data


@pytest.mark.django_db
def test_photos_of_a_private_expression_are_served_to_its_author_and_staff_only(
    client_for, alice_in_rimbart, bob, mediateur, client
):
    post_photo(
        client_for(alice_in_rimbart),
        alice_in_rimbart.quartier,
        image_bytes("JPEG"),
        visibility=Visibility.PRIVATE,
    )
    expression = Expression.objects.get()
    Expression.objects.filter(pk=expression.pk).update(status=Status.PUBLIEE)
    url = reverse("consultations:expression_photo", args=[expression.pk])

    assert status_of(client_for(alice_in_rimbart), url) == 200
    assert status_of(client_for(mediateur), url) == 200
    assert status_of(client_for(bob), url) == 404
    client.logout()
    assert status_of(client, url) == 404


@pytest.mark.django_db
def test_a_submitted_photo_is_not_public_before_moderation(client_for, alice_in_rimbart, bob):
    post_photo(client_for(alice_in_rimbart), alice_in_rimbart.quartier, image_bytes("JPEG"))
    url = reverse("consultations:expression_photo", args=[Expression.objects.get().pk])

    assert client_for(bob).get(url).status_code == 404


@pytest.mark.django_db
def test_the_thumbnail_is_made_later_when_the_broker_is_down(
    client_for, alice_in_rimbart, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis injoignable")

    monkeypatch.setattr(tasks.make_expression_thumbnail, "delay", broker_down)
    client = client_for(alice_in_rimbart)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_photo(client, alice_in_rimbart.quartier, noisy_jpeg())
    expression = Expression.objects.get()

    assert response.status_code == 302
    assert not expression.thumbnail
    # Meanwhile the page still shows the (cleaned) photo in place of the thumbnail.
    assert_clean_jpeg(served(client, expression, "consultations:expression_thumbnail"))

    Expression.objects.filter(pk=expression.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    assert tasks.sweep_thumbnails() == 1
    expression.refresh_from_db()
    assert expression.thumbnail
    small = assert_clean_jpeg(served(client, expression, "consultations:expression_thumbnail"))
    assert max(small.size) <= 640


@pytest.mark.django_db
def test_an_expression_without_photo_has_no_photo_url(client):
    expression = ExpressionFactory(status=Status.PUBLIEE)

    assert (
        client.get(reverse("consultations:expression_photo", args=[expression.pk])).status_code
        == 404
    )


@pytest.mark.django_db
def test_a_public_photo_is_checked_at_each_use_so_a_hidden_one_is_never_shown_again(
    client_for, alice_in_rimbart
):
    post_photo(client_for(alice_in_rimbart), alice_in_rimbart.quartier, image_bytes("JPEG"))
    client = Client()  # a visitor
    expression = Expression.objects.get()
    Expression.objects.filter(pk=expression.pk).update(status=Status.PUBLIEE)
    for name in ("consultations:expression_photo", "consultations:expression_thumbnail"):
        url = reverse(name, args=[expression.pk])
        first = client.get(url)
        b"".join(first.streaming_content)
        # No cache may keep it without asking again (« public, max-age » did, for an hour).
        assert first["Cache-Control"] == "no-cache"
        assert first["ETag"]
        # Asking again costs nothing while it is unchanged...
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304

    # ...and once a mediator hides it after a report, the check answers 404 to everyone.
    Expression.objects.filter(pk=expression.pk).update(visibility=Visibility.PRIVATE)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def stored_photos() -> list[str]:
    root = private_root()
    return sorted(p.name for p in root.rglob("*.jpg") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_a_submission_that_fails_after_its_photo_was_written_leaves_no_file(
    client_for, alice_in_rimbart, monkeypatch
):
    from consultations.expressions import services

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    # The photo is written, then the row's transaction fails (here, its first step).
    monkeypatch.setattr(services, "add_step", broken)
    with pytest.raises(RuntimeError):
        post_photo(client_for(alice_in_rimbart), alice_in_rimbart.quartier, image_bytes("JPEG"))

    assert not Expression.objects.exists()
    assert stored_photos() == []


@pytest.mark.django_db
def test_the_same_photo_sent_twice_at_once_leaves_one_file(
    client_for, alice_in_rimbart, monkeypatch
):
    """Two requests with the same idempotency key: the second's row is refused by the unique
    key (IntegrityError), and the photo it wrote goes with it."""
    from consultations.expressions import services

    client = client_for(alice_in_rimbart)
    key = str(uuid.uuid4())
    first = post_photo(client, alice_in_rimbart.quartier, image_bytes("JPEG"), idempotency_key=key)
    assert first.status_code == 302
    # The second request does not see the first one before it writes (the race); it reads
    # it after its own row was refused.
    calls = []
    real = services._existing

    def late(**lookup):
        calls.append(lookup)
        return None if len(calls) == 1 else real(**lookup)

    monkeypatch.setattr(services, "_existing", late)
    second = post_photo(client, alice_in_rimbart.quartier, image_bytes("JPEG"), idempotency_key=key)

    assert second.status_code == 302
    assert Expression.objects.count() == 1
    assert stored_photos() == [Path(Expression.objects.get().photo.name).name]


@pytest.mark.django_db
def test_photo_files_no_expression_names_are_deleted_once_a_day_old(
    client_for, alice_in_rimbart, django_capture_on_commit_callbacks
):
    """What a killed process leaves: a photo written, its row never stored."""
    from consultations.expressions import orphan_photos
    from consultations.storage import private_storage

    with django_capture_on_commit_callbacks(execute=True):
        post_photo(client_for(alice_in_rimbart), alice_in_rimbart.quartier, image_bytes("JPEG"))
    expression = Expression.objects.get()
    old_orphan = private_storage.save("expressions/2026/01/perdue.jpg", io.BytesIO(b"x"))
    new_orphan = private_storage.save("expressions/2026/12/en-cours.jpg", io.BytesIO(b"x"))
    two_days_ago = time.time() - 2 * 86400
    for name in (old_orphan, expression.photo.name, expression.thumbnail.name):
        os.utime(private_storage.path(name), (two_days_ago, two_days_ago))

    assert tasks.purge_orphan_photos() == 1

    assert not private_storage.exists(old_orphan)
    # A day is longer than any transaction: a photo whose row is being stored stays.
    assert private_storage.exists(new_orphan)
    assert private_storage.exists(expression.photo.name)
    assert private_storage.exists(expression.thumbnail.name)
    assert orphan_photos.purge() == 0


def test_the_orphan_photos_are_looked_for_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-orphan-photos"]

    assert entry["task"] == tasks.purge_orphan_photos.name
    assert entry["schedule"].hour == {4}


def test_a_file_that_cannot_be_deleted_never_hides_the_error_that_undid_its_row(
    monkeypatch, caplog
):
    from consultations import storage

    def refused(name):
        raise PermissionError(name)

    monkeypatch.setattr(storage.private_storage, "delete", refused)
    with (
        pytest.raises(RuntimeError, match="the row was not stored"),
        storage.files_undone_on_error(),
    ):
        storage.note_written("expressions/2026/12/a.jpg")
        raise RuntimeError("the row was not stored")

    assert "expressions/2026/12/a.jpg could not be deleted" in caplog.text
