"""Images people send (residents' photos, staff's event images): checked, then re-encoded.

Two steps, so that no pixel is decoded before it is needed:

* ``check_photo`` reads the file's size and its header only (format, width, height). Forms
  and serializers call it while validating: a file too heavy, of another format, or with too
  many pixels (a decompression bomb) is refused there, before anything is decoded.
* ``clean_photo`` decodes the image (Pillow, and pillow-heif for phones' HEIC), applies its
  EXIF orientation and copies only its pixels into a new JPEG: no EXIF, GPS, XMP, ICC profile
  or comment survives, nor anything hidden after the image data (image + HTML polyglots).
  The service that stores the image calls it last, once everything else is accepted (the
  rest of the form, the rate limit, the idempotency key), so that an invalid, refused or
  replayed submission never decodes its photo to store it. A form that comes back may keep
  its photo for the next sending: it is then cleaned here first, once, by a service with a
  rate limit of its own, and never decoded again. The file the person sent is never stored.
* With ``blur_faces`` (residents' and mediators' photos), the same decoding also blurs every
  face the detector finds (``faces``) in the pixels stored: no copy with the faces is ever
  written, and the thumbnail is made from the blurred photo. ``blur_area`` blurs by hand an
  area the detector missed, in an already cleaned photo.
"""

import contextlib
import io
import warnings
from dataclasses import dataclass, replace

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
    # How many faces the detector found and blurred (``clean_photo(..., blur_faces=True)``).
    faces_blurred: int = 0

    def as_file(self, name: str = "photo.jpg") -> ContentFile:
        return ContentFile(self.content, name=name)


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        TOO_MANY_PIXELS, code="too_many_pixels", params={"limit": MAX_PIXELS // 1_000_000}
    )


@contextlib.contextmanager
def _as_validation_errors():
    """What Pillow raises while reading, as the French message that fits."""
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit: make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels() from exc
        except UnidentifiedImageError as exc:
            raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ValidationError(TRUNCATED, code="truncated") from exc


def _header(stream) -> Image.Image:
    """Open an image from its header only; refuse another format or too many pixels."""
    image = Image.open(stream, formats=ACCEPTED_FORMATS)
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels()
    return image


def check_photo(uploaded) -> None:
    """Refuse, from its size and its header only, a file that cannot become a stored photo.

    Raises a ValidationError in French; decodes no pixel. Never trust the file's name or type.
    """
    if uploaded.size > MAX_BYTES:
        raise ValidationError(
            TOO_HEAVY,
            code="too_heavy",
            params={"size": filesizeformat(uploaded.size), "limit": filesizeformat(MAX_BYTES)},
        )
    if not uploaded.size:
        raise ValidationError(NOT_AN_IMAGE, code="empty")
    uploaded.seek(0)
    try:
        with _as_validation_errors():
            _header(uploaded)  # not closed: closing the image would close the upload
    finally:
        uploaded.seek(0)


def _decode(data: bytes) -> Image.Image:
    """Decode the whole image or raise a ValidationError: the costly step."""
    with _as_validation_errors():
        image = _header(io.BytesIO(data))
        image.seek(0)  # animated images: the first frame only
        image.load()
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


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    image = image.copy()
    image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return image


def _encode(image: Image.Image, long_side: int) -> CleanImage:
    return _save(_fit(image, long_side))


def _save(image: Image.Image) -> CleanImage:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return CleanImage(content=buffer.getvalue(), width=image.width, height=image.height)


def clean_photo(uploaded, *, blur_faces: bool = False) -> CleanImage:
    """Decode a file and return a new JPEG of its pixels only, or raise a ValidationError.

    Checks the file again first (``check_photo``, cheap), so that no caller decodes an
    unchecked one. With ``blur_faces``, every face found is blurred in the pixels returned
    (a photo without a face comes out exactly as without it).
    """
    check_photo(uploaded)
    data = uploaded.read(MAX_BYTES + 1)
    uploaded.seek(0)
    image = _decode(data)
    # A broken orientation tag: keep the image as it is.
    with contextlib.suppress(OSError, ValueError, SyntaxError):
        image = ImageOps.exif_transpose(image) or image
    image = _fit(_pixels_only(_to_srgb(image)), STORED_LONG_SIDE)
    if not blur_faces:
        return _save(image)
    # OpenCV and NumPy come with it (0.15 s): loaded by the first photo a process cleans,
    # not by every command, worker and server that starts.
    from . import faces

    image, found = faces.blur_faces(image)
    return replace(_save(image), faces_blurred=found)


def blur_area(data: bytes, *, left: float, top: float, width: float, height: float) -> CleanImage:
    """A cleaned photo (our own JPEG) with one more area blurred, given in fractions of its
    width and height (0 to 1); re-encoded, so blurring again adds to what was blurred."""
    image = Image.open(io.BytesIO(data), formats=("JPEG",))
    image.load()
    x0, y0 = round(left * image.width), round(top * image.height)
    x1 = min(image.width, round((left + width) * image.width))
    y1 = min(image.height, round((top + height) * image.height))
    from . import faces

    box = faces.Box(x0, y0, max(1, x1 - x0), max(1, y1 - y0))
    return _save(faces.blur(_pixels_only(image), [box]))


def make_thumbnail(data: bytes) -> CleanImage:
    """A small JPEG of an already cleaned photo."""
    image = Image.open(io.BytesIO(data), formats=("JPEG",))
    image.load()
    return _encode(_pixels_only(image), THUMBNAIL_LONG_SIDE)
