"""The mediator sees how many faces were blurred and blurs by hand what the detector missed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from consultations.models import Status, Visibility
from consultations.moderation import services
from participation.audit.models import AuditEntry
from participation.core import faces, images
from tests.sample_photos import astronaut, faces_in, launch_pad, pixels

from ..factories import ExpressionFactory
from ..test_photos import served

AREA = services.Area(left=50, top=25, width=25, height=50)


def with_photo(expression, content: bytes, faces_blurred=0):
    """A photo as the pipeline stores it (blurred faces counted), with its thumbnail."""
    clean = images.clean_photo(ContentFile(content, name="p"), blur_faces=True)
    expression.photo.save("photo.jpg", clean.as_file(), save=False)
    expression.thumbnail.save(
        "mini.jpg", images.make_thumbnail(clean.content).as_file(), save=False
    )
    expression.faces_blurred = clean.faces_blurred
    expression.save()
    return expression


def staff_page(expression) -> str:
    return reverse("consultations:moderation_expression", args=[expression.pk])


def blur_url(expression) -> str:
    return reverse("consultations:moderation_blur_photo", args=[expression.pk])


def fields(left="50", top="25", width="25", height="50") -> dict:
    return {"flou-left": left, "flou-top": top, "flou-width": width, "flou-height": height}


@pytest.fixture
def with_astronaut(db):
    return with_photo(ExpressionFactory(), astronaut())


@pytest.fixture
def with_launch_pad(db):
    return with_photo(
        ExpressionFactory(status=Status.PUBLIEE, visibility=Visibility.PUBLIC_ANONYMOUS),
        launch_pad(),
    )


def test_the_staff_page_says_how_many_faces_were_blurred_and_offers_to_blur_an_area(
    client_for, mediateur, with_astronaut
):
    page = client_for(mediateur).get(staff_page(with_astronaut)).content.decode()

    assert "1 visage flouté automatiquement." in page
    assert "Flouter une zone" in page
    assert f'action="{blur_url(with_astronaut)}#photo"' in page
    for name in ("left", "top", "width", "height"):
        assert f'name="flou-{name}"' in page


def test_the_staff_page_says_when_no_face_was_found(client_for, mediateur, with_launch_pad):
    page = client_for(mediateur).get(staff_page(with_launch_pad)).content.decode()

    assert "Aucun visage trouvé par la détection automatique." in page


def test_an_area_typed_without_javascript_is_blurred_in_the_photo_and_its_thumbnail(
    client_for, mediateur, with_launch_pad, django_capture_on_commit_callbacks
):
    expression = with_launch_pad
    client = client_for(mediateur)
    old = (expression.photo.name, expression.thumbnail.name)
    before = pixels(served(client, expression))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(blur_url(expression), fields())

    assert response.status_code == 302
    assert response["Location"] == f"{staff_page(expression)}#photo"
    expression.refresh_from_db()
    # New files (new names), the old ones deleted: no copy without the blur is kept.
    assert expression.photo.name not in old and expression.thumbnail.name not in old
    assert not any(expression.photo.storage.exists(name) for name in old)
    after = pixels(served(client, expression))
    inside = (320, 107, 480, 320)
    assert before.crop(inside).tobytes() != after.crop(inside).tobytes()
    small = pixels(served(client, expression, "consultations:expression_thumbnail"))
    assert small.size == after.size  # 640 wide: the thumbnail is the same size here
    page = client.get(response["Location"]).content.decode()
    assert "La zone est floutée sur la photo et sa miniature" in page


def test_blurring_an_area_is_audited(mediateur, with_launch_pad):
    services.blur_photo_area(with_launch_pad, actor=mediateur, area=AREA)

    entry = AuditEntry.objects.get(action="expression.photo_floutee")
    assert entry.actor == mediateur
    assert entry.after == {
        "zone_pourcent": {"left": 50.0, "top": 25.0, "width": 25.0, "height": 50.0}
    }


def test_a_face_the_detector_missed_is_blurred_by_hand(mediateur):
    # Stored as it came, as if the detector had missed her face.
    expression = ExpressionFactory()
    clean = images.clean_photo(ContentFile(astronaut(), name="p"))
    expression.photo.save("photo.jpg", clean.as_file())
    (face,) = faces_in(clean.content)

    # Her face lies around 35 to 55 % from the left, 13 to 32 % from the top.
    services.blur_photo_area(
        expression, actor=mediateur, area=services.Area(left=30, top=8, width=30, height=30)
    )

    expression.refresh_from_db()
    with expression.photo.open("rb") as stored:
        # Her face is found no more (coarse blocks may look like a face elsewhere).
        assert not [found for found in faces_in(stored.read()) if faces.overlaps(found, face)]
    assert expression.thumbnail


def test_after_a_blur_the_public_photo_has_another_etag_so_no_browser_shows_the_old_one(
    client, mediateur, with_launch_pad
):
    url = reverse("consultations:expression_photo", args=[with_launch_pad.pk])
    first = client.get(url)
    b"".join(first.streaming_content)
    etag = first["ETag"]

    services.blur_photo_area(with_launch_pad, actor=mediateur, area=AREA)

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    b"".join(again.streaming_content)
    assert again["ETag"] != etag


@pytest.mark.parametrize("role", ["alice", "comite"])
def test_residents_and_committee_members_cannot_blur_a_photo(
    request, client_for, role, with_launch_pad
):
    user = request.getfixturevalue(role)
    name = with_launch_pad.photo.name

    with pytest.raises(PermissionDenied):
        services.blur_photo_area(with_launch_pad, actor=user, area=AREA)
    assert client_for(user).post(blur_url(with_launch_pad), fields()).status_code == 403

    with_launch_pad.refresh_from_db()
    assert with_launch_pad.photo.name == name
    assert not AuditEntry.objects.filter(action="expression.photo_floutee").exists()


def test_an_area_past_the_edge_comes_back_with_a_french_message_and_what_was_typed(
    client_for, mediateur, with_launch_pad
):
    name = with_launch_pad.photo.name

    response = client_for(mediateur).post(blur_url(with_launch_pad), fields(left="80", width="40"))

    assert response.status_code == 400
    page = response.content.decode()
    assert "La zone dépasse de la photo" in page
    assert 'name="flou-left" value="80"' in page
    with_launch_pad.refresh_from_db()
    assert with_launch_pad.photo.name == name


@pytest.mark.parametrize(
    "typed, message",
    [
        (fields(width=""), "Donnez un nombre entre 0 et 100."),
        (fields(height="0"), "Donnez une taille de plus de 0 %"),
        (fields(top="abc"), "Donnez un nombre entre 0 et 100"),
        (fields(left="-5"), "Assurez-vous que cette valeur est supérieure ou égale à 0."),
    ],
)
def test_a_wrong_area_is_refused(client_for, mediateur, with_launch_pad, typed, message):
    response = client_for(mediateur).post(blur_url(with_launch_pad), typed)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_expression_without_photo_has_nothing_to_blur(client_for, mediateur):
    expression = ExpressionFactory()

    with pytest.raises(ValidationError):
        services.blur_photo_area(expression, actor=mediateur, area=AREA)
    assert client_for(mediateur).post(blur_url(expression), fields()).status_code == 404
