"""Photos joined to expressions: checked, then re-encoded without any metadata.

A photo is decoded with Pillow (and pillow-heif for phones' HEIC), its size checked
before its pixels are read (decompression bombs), its EXIF orientation applied, and
only its pixels copied into a new JPEG: no EXIF, GPS, XMP, ICC profile or comment
survives, nor anything hidden after the image data (image + HTML polyglots). The file
the person sent is never stored.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# What is stored: large enough to read a sign on a wall, small enough for a phone.
STORED_LONG_SIDE = 2560
THUMBNAIL_LONG_SIDE = 640
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"

NOT_AN_IMAGE = _(
    "Ce fichier n'est pas une photo que nous savons lire. Formats acceptés : JPEG, PNG, "
    "WebP ou HEIC (photo de téléphone)."
)
TRUNCATED = _(
    "Cette photo est incomplète ou abîmée (l'envoi a peut-être été coupé). "
    "Choisissez-la à nouveau ou prenez-en une autre."
)
TOO_MANY_PIXELS = _(
    "Cette image est trop grande (plus de %(limit)s millions de points). "
    "Envoyez une photo prise avec un téléphone ou réduisez-la."
)
TOO_HEAVY = _(
    "Cette photo pèse %(size)s ; la limite est %(limit)s. Choisissez une photo plus légère."
)


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    width: int
    height: int

    def as_file(self, name: str = "photo.jpg") -> ContentFile:
        return ContentFile(self.content, name=name)


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        TOO_MANY_PIXELS, code="too_many_pixels", params={"limit": MAX_PIXELS // 1_000_000}
    )


def _open(data: bytes) -> Image.Image:
    """Decode the whole image or raise a ValidationError; never trust the file's name or type."""
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit: make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            # The header gives the size: refuse before decoding a single pixel.
            if image.width * image.height > MAX_PIXELS:
                raise _too_many_pixels()
            image.seek(0)  # animated images: the first frame only
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except UnidentifiedImageError as exc:
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ValidationError(TRUNCATED, code="truncated") from exc
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert colours to sRGB when the photo carries another profile (recent phones)."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, target, outputMode=image.mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new RGB image holding only the pixels (transparency laid on white)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        clean = Image.new("RGB", image.size, "white")
        clean.paste(image, mask=image.getchannel("A"))
        return clean
    converted = image.convert("RGB")
    clean = Image.new("RGB", converted.size)
    clean.paste(converted)
    return clean


def _encode(image: Image.Image, long_side: int) -> CleanImage:
    image = image.copy()
    image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return CleanImage(content=buffer.getvalue(), width=image.width, height=image.height)


def clean_photo(uploaded) -> CleanImage:
    """Check an uploaded file and return a new JPEG of its pixels, or raise ValidationError."""
    if uploaded.size > MAX_BYTES:
        raise ValidationError(
            TOO_HEAVY,
            code="too_heavy",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(MAX_BYTES)},
        )
    uploaded.seek(0)
    data = uploaded.read(MAX_BYTES + 1)
    if not data:
        raise ValidationError(NOT_AN_IMAGE, code="empty")
    image = _open(data)
    # A broken orientation tag: keep the image as it is.
    with contextlib.suppress(OSError, ValueError, SyntaxError):
        image = ImageOps.exif_transpose(image) or image
    image = _to_srgb(image)
    return _encode(_pixels_only(image), STORED_LONG_SIDE)


def make_thumbnail(data: bytes) -> CleanImage:
    """A small JPEG of an already cleaned photo."""
    image = Image.open(io.BytesIO(data), formats=("JPEG",))
    image.load()
    return _encode(_pixels_only(image), THUMBNAIL_LONG_SIDE)
