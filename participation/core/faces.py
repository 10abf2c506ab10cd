"""Faces found in a photo and blurred before anyone sees it.

The detector is OpenCV's Haar cascades for faces seen from the front and in profile (both
ways), whose models ship inside the ``opencv-python-headless`` wheel (``cv2.data``): nothing
is downloaded at run time. It runs on a grey copy whose long side is at most
``DETECTION_LONG_SIDE``, so that its cost does not grow with the photo: a 12-megapixel phone
photo (4000×3000, stored at 2560×1920) costs about 0.6 s of one core, about as much again as
its decoding and re-encoding (docs/performance.md). The boxes found are mapped back to the
photo, widened a little (hair, chin) and blurred in the pixels that are stored: no copy with
the faces is ever kept.

A blurred area is pixelated into coarse blocks, then smoothed: the face cannot be read back
nor found again by the detector (the tests run it again on what is served).
"""

import threading
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

# A face smaller than the detector's window (about 24 points) at this size is not found:
# 2.3 % of the photo's long side, a face of about 90 points on a 4000-point photo.
DETECTION_LONG_SIDE = 1024
SCALE_STEP = 1.15
MIN_NEIGHBORS = 5
# How much wider than the box found the blurred area is, on each side (hair, ears, chin).
MARGIN = 0.2
# The blurred area is made of about this many blocks across: a face is no longer a face.
BLOCKS_ACROSS = 6

CASCADES = ("haarcascade_frontalface_default.xml", "haarcascade_profileface.xml")

_local = threading.local()


@dataclass(frozen=True)
class Box:
    """An area of an image, in points: left, top, width, height."""

    left: int
    top: int
    width: int
    height: int


def _classifiers() -> list[cv2.CascadeClassifier]:
    """The cascades, loaded once per thread (a classifier is not shared between threads)."""
    loaded = getattr(_local, "classifiers", None)
    if loaded is None:
        loaded = []
        for name in CASCADES:
            classifier = cv2.CascadeClassifier(cv2.data.haarcascades + name)
            if classifier.empty():  # a broken install: never store a photo unchecked
                raise RuntimeError(f"OpenCV's face model {name} could not be loaded.")
            loaded.append(classifier)
        _local.classifiers = loaded
    return loaded


def _grey(image: Image.Image) -> tuple[np.ndarray, float]:
    """A grey copy at most ``DETECTION_LONG_SIDE`` long, and its scale to the image."""
    grey = np.asarray(image.convert("L"))
    scale = min(1.0, DETECTION_LONG_SIDE / max(image.size))
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(grey), scale


def overlaps(a: Box, b: Box) -> bool:
    return (
        a.left < b.left + b.width
        and b.left < a.left + a.width
        and a.top < b.top + b.height
        and b.top < a.top + a.height
    )


def detect(image: Image.Image) -> list[Box]:
    """The faces found in ``image``, as boxes of the image's points, one per face (a face
    found by two cascades counts once)."""
    grey, scale = _grey(image)
    width = grey.shape[1]
    found: list[tuple[int, int, int, int]] = []
    frontal, profile = _classifiers()
    for classifier, mirrored in ((frontal, False), (profile, False), (profile, True)):
        # The profile cascade knows faces turned one way: the mirrored copy finds the others.
        source = np.ascontiguousarray(grey[:, ::-1]) if mirrored else grey
        for x, y, w, h in classifier.detectMultiScale(
            source, scaleFactor=SCALE_STEP, minNeighbors=MIN_NEIGHBORS
        ):
            found.append((width - x - w if mirrored else int(x), int(y), int(w), int(h)))
    boxes: list[Box] = []
    for x, y, w, h in found:
        box = Box(round(x / scale), round(y / scale), round(w / scale), round(h / scale))
        if not any(overlaps(box, kept) for kept in boxes):
            boxes.append(box)
    return boxes


def widen(box: Box, size: tuple[int, int], margin: float = MARGIN) -> Box:
    """``box`` widened by ``margin`` of its size on each side, within the image."""
    dx, dy = round(box.width * margin), round(box.height * margin)
    left, top = max(0, box.left - dx), max(0, box.top - dy)
    right = min(size[0], box.left + box.width + dx)
    bottom = min(size[1], box.top + box.height + dy)
    return Box(left, top, max(0, right - left), max(0, bottom - top))


def blur(image: Image.Image, boxes: list[Box]) -> Image.Image:
    """A copy of an RGB ``image`` with each area of ``boxes`` pixelated and smoothed."""
    if not boxes:
        return image
    pixels = np.array(image.convert("RGB"))
    for box in boxes:
        area = pixels[
            max(0, box.top) : max(0, box.top + box.height),
            max(0, box.left) : max(0, box.left + box.width),
        ]  # within the image: the slice is cut at its edges
        height, width = area.shape[:2]
        if not width or not height:
            continue
        block = max(1, max(width, height) // BLOCKS_ACROSS)
        small = cv2.resize(
            area, (max(1, width // block), max(1, height // block)), interpolation=cv2.INTER_AREA
        )
        coarse = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
        kernel = block | 1  # odd
        area[...] = cv2.GaussianBlur(coarse, (kernel, kernel), 0)
    return Image.fromarray(pixels)


def blur_faces(image: Image.Image) -> tuple[Image.Image, int]:
    """``image`` with every face found blurred, and how many were."""
    boxes = detect(image)
    return blur(image, [widen(box, image.size) for box in boxes]), len(boxes)
