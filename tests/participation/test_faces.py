"""Faces are found and blurred in the pixels stored, on real photographs."""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageChops

from participation.core import faces, images
from tests.sample_photos import astronaut, cameraman, faces_in, launch_pad, pixels


def upload(content: bytes, name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def detail(pixels: np.ndarray) -> float:
    """How much the image varies from one point to the next (low once blurred)."""
    return float(np.abs(np.diff(pixels, axis=1)).mean())


def test_the_detector_finds_the_face_of_the_astronaut_and_nothing_on_the_launch_pad():
    assert len(faces_in(astronaut())) == 1
    assert faces_in(launch_pad()) == []


def test_a_face_seen_from_the_side_is_found_too():
    assert len(faces_in(cameraman())) == 1


def test_each_face_found_is_blurred_and_the_detector_finds_none_in_the_stored_photo():
    original = pixels(images.clean_photo(upload(astronaut())).content)
    (face,) = faces_in(astronaut())

    clean = images.clean_photo(upload(astronaut()), blur_faces=True)

    assert clean.faces_blurred == 1
    assert faces_in(clean.content) == []
    stored = pixels(clean.content)
    inside = (face.left, face.top, face.left + face.width, face.top + face.height)
    before = np.asarray(original.crop(inside), dtype=float)
    after = np.asarray(stored.crop(inside), dtype=float)
    # The face's details are gone: what varied from point to point is now nearly flat.
    assert detail(after) < detail(before) / 3
    # Far from the face, the photo is the same (but for the JPEG re-encoding).
    corner = (0, 400, 100, 512)
    assert ImageChops.difference(original.crop(corner), stored.crop(corner)).getbbox() is None


def test_a_face_seen_from_the_side_is_blurred_and_found_no_more():
    clean = images.clean_photo(upload(cameraman()), blur_faces=True)

    assert clean.faces_blurred == 1
    assert faces_in(clean.content) == []


def test_a_photo_without_a_face_comes_out_exactly_as_it_did_before_faces_were_blurred():
    before = images.clean_photo(upload(launch_pad(), "rocket.jpg"))

    after = images.clean_photo(upload(launch_pad(), "rocket.jpg"), blur_faces=True)

    assert after.faces_blurred == 0
    assert after.content == before.content  # byte for byte
    assert ImageChops.difference(pixels(after.content), pixels(before.content)).getbbox() is None


def test_a_phone_photo_is_searched_on_a_smaller_copy_and_its_face_blurred_where_it_is():
    photo = Image.open(io.BytesIO(launch_pad())).convert("RGB").resize((4000, 3000))
    photo.paste(
        Image.open(io.BytesIO(astronaut())).convert("RGB").resize((1024, 1024)), (1500, 900)
    )
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=90)

    clean = images.clean_photo(upload(buffer.getvalue(), "photo.jpg"), blur_faces=True)

    assert (clean.width, clean.height) == (2560, 1920)
    assert clean.faces_blurred == 1
    assert faces_in(clean.content) == []
    # The face was found on a copy of 1024 points and blurred on the photo stored: it lies
    # where the astronaut's face is, scaled to 2560 points (1500 + 177×2 → ×0.64).
    stored = faces.detect(pixels(images.clean_photo(upload(buffer.getvalue(), "p.jpg")).content))
    (face,) = stored
    assert 1100 < face.left < 1250 and 600 < face.top < 700


def test_an_area_blurred_by_hand_is_blurred_and_the_rest_kept():
    clean = images.clean_photo(upload(launch_pad(), "rocket.jpg"))

    blurred = images.blur_area(clean.content, left=0.5, top=0.25, width=0.25, height=0.5)

    assert (blurred.width, blurred.height) == (clean.width, clean.height)
    before = np.asarray(pixels(clean.content), dtype=float)
    after = np.asarray(pixels(blurred.content), dtype=float)
    area = (slice(107, 320), slice(320, 480))  # 640×427: from 50 % left and 25 % top
    assert detail(after[area]) < detail(before[area]) / 3
    outside = np.ones(before.shape[:2], dtype=bool)
    outside[area] = False
    # Elsewhere, only the JPEG re-encoding: a point or two on average.
    assert np.abs(after - before)[outside].mean() < 2


@pytest.mark.parametrize("side", [1, 7])
def test_a_tiny_area_or_a_tiny_photo_is_no_trouble(side):
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (20, 40, 60)).save(buffer, format="JPEG")

    clean = images.clean_photo(upload(buffer.getvalue(), "p.jpg"), blur_faces=True)
    blurred = images.blur_area(clean.content, left=0.9, top=0.9, width=0.1, height=0.1)

    assert clean.faces_blurred == 0
    assert (blurred.width, blurred.height) == (side, side)
