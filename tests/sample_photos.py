"""Real photographs that a Python package ships (scikit-image's sample images), for the
face blurring tests: nothing is downloaded."""

import io
from pathlib import Path

import skimage.data
from PIL import Image

from participation.core import faces

SAMPLES = Path(skimage.data.__file__).parent


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def astronaut() -> bytes:
    """Eileen Collins in her flight suit: one face, seen from the front (PNG, 512×512)."""
    return sample("astronaut.png")


def cameraman() -> bytes:
    """A man behind his camera, his face seen from the side (grey PNG, 512×512)."""
    return sample("camera.png")


def launch_pad() -> bytes:
    """A rocket on its launch pad, outdoors: no face (JPEG, 640×427)."""
    return sample("rocket.jpg")


def faces_in(content: bytes) -> list[faces.Box]:
    """What the detector finds in an image file, run again as on the photos received."""
    image = Image.open(io.BytesIO(content))
    image.load()
    return faces.detect(image.convert("RGB"))


def pixels(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image.convert("RGB")
