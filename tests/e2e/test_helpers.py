"""The harness's own helpers, checked without a browser."""

from allauth.mfa.totp.internal.auth import validate_totp_code
from django.conf import settings

from .helpers import PageWeight, Resource, exif_of, make_photo, totp_code
from .server import CODE_PATTERN


def test_the_totp_code_is_one_allauth_accepts():
    assert validate_totp_code(settings.DEMO_TOTP_SECRET, totp_code(account="test-helpers"))


def test_the_code_pattern_finds_allauth_codes_and_digit_codes():
    assert CODE_PATTERN.search("Votre code :\n\nAB3D-EF7H\n\nMerci").group(1) == "AB3D-EF7H"
    assert CODE_PATTERN.search("code\n  123456 \n").group(1) == "123456"
    assert CODE_PATTERN.search("pas de code ici, 2026-11-26") is None


def test_the_page_weight_leaves_out_users_photos(tmp_path):
    weight = PageWeight(
        "http://x/",
        [
            Resource("http://x/", "Document", 200, "", 5000),
            Resource("http://x/media/photo.jpg", "Image", 200, "", 900_000),
        ],
    )
    assert weight.total == 5000


def test_the_phone_photo_carries_gps_until_cleaned(tmp_path):
    photo = make_photo(tmp_path / "photo.jpg")
    assert "GPS" in exif_of(photo.read_bytes())
    assert exif_of(make_photo(tmp_path / "b.jpg", gps=False).read_bytes()).get("GPS") is None
