"""Per-frame AU intensities from landmark geometry against the subject's neutral baseline.

No trained AU model ships in any installable package, so the default estimator projects the
aligned landmark displacement (frame minus the subject's neutral median) onto the AU
displacement templates with non-negative least squares. Output follows OpenFace: AUxx_r
(0-5) and AUxx_c (0/1). A user-supplied trained model plugs in through `AUModel`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import cv2
import numpy as np
from scipy.optimize import nnls

from ingest.video import geometry as g
from ingest.video.au_defs import AUS, template_matrix

R_COLUMNS = [f"AU{au:02d}_r" for au in AUS]
C_COLUMNS = [f"AU{au:02d}_c" for au in AUS]
PRESENCE_THRESHOLD = 1.0  # AUxx_r at or above this counts as present (AUxx_c = 1)
# RMS flow displacement of the key points (face units) where the flow estimate starts / ends
# fading: a planted micro-expression peaks near 0.01, flow that lost track on a real
# expression reads 0.2-0.5 (measured on the synthetic clips and the posed-photo clips)
FLOW_LOST_LO, FLOW_LOST_HI = 0.03, 0.06


@runtime_checkable
class AUModel(Protocol):
    """A per-frame AU intensity model; `predict` returns len(AUS) values on OpenFace's 0-5 scale.

    `frame` is the BGR frame (None for the first, baseline frames, which are not kept), `landmarks` the FaceMesh points in pixels (N x 2) and
    `keypoints` the aligned key points in face units. Models may ignore what they don't need.
    Optional class attributes: `gray_input = True` (predict gets the frame as 8-bit grayscale,
    converted once, ahead, in the decode thread) and `uses_keypoints = False` (predict gets an
    empty array instead of key points it would not read); `analyze_video` reads both.
    """

    name: str

    def ready(self) -> bool: ...

    def observe_neutral(self, frame: np.ndarray | None, landmarks: np.ndarray,
                        keypoints: np.ndarray) -> None: ...

    def finish_baseline(self) -> None: ...

    def predict(self, frame: np.ndarray | None, landmarks: np.ndarray, keypoints: np.ndarray
                ) -> np.ndarray: ...


class GeometricAUModel:
    """NNLS projection of aligned landmark motion onto per-AU displacement bases.

    The baseline is the median of the first frames (micro-expressions are short, so the median
    is neutral unless the subject holds an expression from the start). With `calibrate`, each
    AU's basis is what FaceMesh actually reports when the subject's own neutral frame is warped
    by that AU's template (analysis by synthesis): FaceMesh under-reports small motions and
    couples regions (a blink shifts its mouth points), and a measured basis absorbs both.
    """

    name = "geometric-nnls-templates-v1 (unvalidated on real faces)"

    def __init__(self, baseline_frames: int = 120,
                 calibrate: bool = True,
                 sample_every: int = 10) -> None:
        self.baseline_frames = baseline_frames
        self.calibrate = calibrate
        self.sample_every = sample_every
        self._buffer: list[np.ndarray] = []
        self._samples: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.baseline: np.ndarray | None = None
        self._basis: np.ndarray | None = None
        self.calibrated = False

    def ready(self) -> bool:
        return self.baseline is not None

    def observe_neutral(self, frame: np.ndarray | None, landmarks: np.ndarray,
                        keypoints: np.ndarray) -> None:
        if self.baseline is not None:
            return
        if frame is not None and len(self._buffer) % self.sample_every == 0:
            self._samples.append((frame, landmarks, keypoints))
        self._buffer.append(keypoints)
        if len(self._buffer) >= self.baseline_frames:
            self.finish_baseline()

    def finish_baseline(self) -> None:
        if self.baseline is not None or not self._buffer:
            return
        ref = self._buffer[len(self._buffer) // 2]
        aligned = np.stack([g.align_to(ref, k) for k in self._buffer])
        self.baseline = np.median(aligned, axis=0)
        self._basis = template_matrix(self.baseline)
        if self.calibrate and self._samples:
            dist = [float(np.abs(g.align_to(self.baseline, k) - self.baseline).sum())
                    for _, _, k in self._samples]
            frame, lms, _ = self._samples[int(np.argmin(dist))]
            measured = measured_basis(frame, lms)
            if measured is not None:
                # where FaceMesh barely responds to an AU, keep at least half the template's
                # length so landmark jitter is not amplified into large intensities
                geo = np.linalg.norm(self._basis, axis=0)
                got = np.maximum(np.linalg.norm(measured, axis=0), 1e-9)
                self._basis = measured * np.maximum(1.0, 0.5 * geo / got)
                self.calibrated = True
        self._buffer, self._samples = [], []

    def predict(self, frame: np.ndarray | None, landmarks: np.ndarray, keypoints: np.ndarray
                ) -> np.ndarray:
        if self.baseline is None or self._basis is None:
            raise RuntimeError("baseline not set: call observe_neutral/finish_baseline first")
        aligned = g.align_to(self.baseline, keypoints)
        coef, _ = nnls(self._basis, (aligned - self.baseline).ravel(), maxiter=200)
        out: np.ndarray = np.clip(coef * 5.0, 0.0, 5.0)
        return out


def measured_basis(frame: np.ndarray, landmarks: np.ndarray, amplitude: float = 0.6
                   ) -> np.ndarray | None:
    """(2K x n_AUs) displacements FaceMesh reports for each AU template warped onto `frame`.

    Works on a crop around the face so large frames stay cheap; returns None if FaceMesh
    loses the face on the crop (the caller keeps the geometric templates then).
    """
    from ingest.video.face import Landmarker
    from ingest.video.warp import apply_field, au_fields

    lo, hi = landmarks.min(0), landmarks.max(0)
    c, half = (lo + hi) / 2, float(max(hi - lo)) * 0.9
    h, w = frame.shape[:2]
    x0, y0 = max(0, int(c[0] - half)), max(0, int(c[1] - half))
    x1, y1 = min(w, int(c[0] + half)), min(h, int(c[1] + half))
    crop = frame[y0:y1, x0:x1]
    pts = landmarks - np.array([x0, y0])
    fields = au_fields(pts, AUS, (crop.shape[1], crop.shape[0]), step=6)
    lm = Landmarker(static=True)
    try:
        p0 = lm(crop)
        if p0 is None:
            return None
        k0 = g.to_face(p0)
        cols = []
        for au in AUS:
            p = lm(apply_field(crop, fields[au] * amplitude))
            if p is None:
                return None
            cols.append(((g.align_to(k0, g.to_face(p)) - k0) / amplitude).ravel())
    finally:
        lm.close()
    return np.stack(cols, axis=1)


def _similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """2x3 similarity transform mapping src points onto dst (least squares)."""
    m, _ = cv2.estimateAffinePartial2D(src.astype(np.float32), dst.astype(np.float32),
                                       method=cv2.LMEDS)
    if m is None:
        m = np.hstack([np.eye(2), (dst.mean(0) - src.mean(0))[:, None]])
    out: np.ndarray = m.astype(np.float64)
    return out


# Tiny 2-D transforms written out by hand: numpy's BLAS/LAPACK calls on 2x2 matrices cost
# milliseconds per frame when the machine is busy (thread hand-offs), this costs microseconds.
def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    x, y = pts[:, 0], pts[:, 1]
    (a, b, c), (d, e, f) = m.tolist()  # Python floats: no numpy scalar per term
    out = np.empty((len(pts), 2))
    out[:, 0] = a * x + b * y + c
    out[:, 1] = d * x + e * y + f
    return out


def _invert(m: np.ndarray) -> np.ndarray:
    a, b, c, d = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    det = a * d - b * c
    inv = np.array([[d, -b], [-c, a]]) / det
    t = -(inv[:, 0] * m[0, 2] + inv[:, 1] * m[1, 2])
    return np.array([[inv[0, 0], inv[0, 1], t[0]], [inv[1, 0], inv[1, 1], t[1]]])


class FlowAUModel:
    """Key points tracked by pyramidal Lucas-Kanade flow from a neutral reference frame.

    FaceMesh places the regions and gives the rigid head motion; the fine, local skin motion
    that makes a micro-expression is measured by optical flow at the key points (FaceMesh's
    shape prior smooths such small motions away). Rigid motion is removed with a similarity
    fit on the stable points, the rest is projected onto the AU templates with NNLS.
    """

    name = "landmark-flow-nnls-templates-v1 (unvalidated on real faces)"
    uses_keypoints = False  # predict reads the frame and landmarks only (analyze skips them)
    gray_input = True

    def __init__(self, baseline_frames: int = 60, sample_every: int = 5) -> None:
        self.baseline_frames = baseline_frames
        self.sample_every = sample_every
        self._samples: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._keys: list[np.ndarray] = []
        self._ref: tuple[np.ndarray, np.ndarray] | None = None  # gray frame, landmarks
        # the reference's key points (float64, float32) and stable points, set with _ref
        self._ref_key = self._ref_key32 = self._ref_stable = np.zeros((0, 2))
        self._basis: np.ndarray | None = None
        self._rot = np.eye(2)
        self._iod = 1.0
        self._stable = np.array([g.KEY_INDEX[p] for p in g.STABLE])
        self.last_motion = 0.0  # RMS key-point displacement of the last frame (face units)

    def ready(self) -> bool:
        return self._ref is not None

    def observe_neutral(self, frame: np.ndarray | None, landmarks: np.ndarray,
                        keypoints: np.ndarray) -> None:
        if self._ref is not None:
            return
        if frame is not None and len(self._keys) % self.sample_every == 0:
            self._samples.append((_gray(frame), landmarks, keypoints))
        self._keys.append(keypoints)
        if len(self._keys) >= self.baseline_frames:
            self.finish_baseline()

    def finish_baseline(self) -> None:
        if self._ref is not None or not self._samples:
            return
        ref = self._keys[len(self._keys) // 2]
        median = np.median(np.stack([g.align_to(ref, k) for k in self._keys]), axis=0)
        dist = [float(np.abs(g.align_to(median, k) - median).sum()) for _, _, k in self._samples]
        gray, lms, _ = self._samples[int(np.argmin(dist))]
        self._ref = (gray, lms)
        self._ref_key = lms[_KEY_IDX]
        self._ref_key32 = self._ref_key.astype(np.float32)
        self._ref_stable = lms[_STABLE_LMS]
        _, self._rot, self._iod = g.face_frame(lms)
        self._basis = template_matrix(g.to_face(lms))
        self._samples, self._keys = [], []

    def track(self, gray: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
        """Key-point displacement from the reference, rigid motion removed (face units)."""
        assert self._ref is not None
        ref_gray = self._ref[0]
        ref_key = self._ref_key
        rigid = _similarity(self._ref_stable, landmarks[_STABLE_LMS])
        guess = _apply(rigid, ref_key).astype(np.float32)
        tracked, status, _ = cv2.calcOpticalFlowPyrLK(
            ref_gray, gray, self._ref_key32, guess.copy(), winSize=(15, 15),
            maxLevel=2, flags=cv2.OPTFLOW_USE_INITIAL_FLOW,
            criteria=(cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 20, 0.03),
        )
        ok = status.ravel() == 1
        pts = np.where(ok[:, None], tracked.astype(np.float64), guess.astype(np.float64))
        back = _apply(_invert(_similarity(ref_key[self._stable], pts[self._stable])), pts)
        rot_t = np.hstack([self._rot, np.zeros((2, 1))])  # face axes, no translation
        out: np.ndarray = _apply(rot_t, back - ref_key) / self._iod
        return out

    def predict(self, frame: np.ndarray | None, landmarks: np.ndarray, keypoints: np.ndarray
                ) -> np.ndarray:
        if self._basis is None or frame is None:
            raise RuntimeError("FlowAUModel needs its baseline and the frame")
        disp = self.track(_gray(frame), landmarks)
        self.last_motion = float(np.sqrt(np.mean(np.sum(disp * disp, axis=1))))
        coef, _ = nnls(self._basis, disp.ravel(), maxiter=200)
        out: np.ndarray = np.clip(coef * 5.0, 0.0, 5.0)
        return out


_KEY_IDX = np.array(g.KEY_POINTS)  # into full landmarks
_STABLE_LMS = np.array(g.STABLE)


def _gray(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 2:
        return frame
    out: np.ndarray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return out


class HybridAUModel:
    """Default: optical-flow NNLS for fine motion plus FaceMesh measures relative to the
    person's neutral for the AUs those measure (`relative.RelativeAUModel`).

    Each measured AU takes the larger of the two estimates, so the subtle motion the flow
    model sees (micro-expressions) and the large motion FaceMesh follows (posed and
    spontaneous macro expressions, where flow from the reference frame loses track) both
    count. With `flow=False` only the FaceMesh measures are used (other AUs stay 0).
    AU43 (both eyes closed) comes from the eye-closure measure alone; `last_eyes` holds the
    per-eye closure of the last frame predicted, for eye-event (blink, closure, wink) spotting.
    """

    def __init__(self, flow: bool = True) -> None:
        from ingest.video.relative import RelativeAUModel

        self.flow = FlowAUModel() if flow else None
        self.uses_keypoints = False  # the flow's baseline reads them, predict does not
        self.gray_input = True
        self.relative = RelativeAUModel()
        self.name = ("hybrid(" + (FlowAUModel.name.split(" ")[0] + "+" if flow else "")
                     + self.relative.name + ")")
        self._cols = {au: i for i, au in enumerate(AUS)}

    @property
    def last_eyes(self) -> object:
        return self.relative.last_eyes

    def ready(self) -> bool:
        return self.relative.ready() and (self.flow is None or self.flow.ready())

    def observe_neutral(self, frame: np.ndarray | None, landmarks: np.ndarray,
                        keypoints: np.ndarray) -> None:
        if self.flow is not None:
            self.flow.observe_neutral(frame, landmarks, keypoints)
        if not self.relative.ready():
            self.relative.observe(None if frame is None else _gray(frame), landmarks)

    def finish_baseline(self) -> None:
        if self.flow is not None:
            self.flow.finish_baseline()
        self.relative.finish()

    def predict(self, frame: np.ndarray | None, landmarks: np.ndarray, keypoints: np.ndarray
                ) -> np.ndarray:
        gray = None if frame is None else _gray(frame)  # once, for both models
        flow = (self.flow.predict(gray, landmarks, keypoints) if self.flow is not None
                else np.zeros(len(AUS)))
        motion = self.flow.last_motion if self.flow is not None else 0.0
        rel = self.relative.predict(gray, landmarks)
        return combine(flow, rel, motion)


def combine(flow: np.ndarray, rel: dict[int, float], motion: float = 0.0,
            lo: float = FLOW_LOST_LO, hi: float = FLOW_LOST_HI) -> np.ndarray:
    """Flow and FaceMesh-relative AUs -> one row. Flow measures the sub-pixel motion of
    micro-expressions (RMS key-point displacement around 0.01 face units) that FaceMesh smooths
    away; on larger motion (a macro expression, a cut between two photos) Lucas-Kanade from
    the neutral reference frame loses track (displacements of whole face units) and its
    least-squares split spreads over unrelated templates. So the flow estimate is faded out
    between `lo` and `hi` RMS displacement; each AU then takes the larger of the two."""
    keep = 1.0 - min(max((motion - lo) / max(hi - lo, 1e-6), 0.0), 1.0)
    out: np.ndarray = flow.astype(np.float64) * keep
    for au, v in rel.items():
        k = _COLUMN[au]
        out[k] = v if au == 43 else max(float(out[k]), v)
    return out


_COLUMN = {au: k for k, au in enumerate(AUS)}


AUModelFactory = Callable[[], AUModel]
_REGISTRY: dict[str, AUModelFactory] = {
    "geometric": HybridAUModel,
    "relative": lambda: HybridAUModel(flow=False),
    "flow": FlowAUModel,
    "facemesh-geometric": GeometricAUModel,
}


def register_au_model(name: str, factory: AUModelFactory) -> None:
    """Make a trained AU model (e.g. LibreFace/py-feat weights the user owns) selectable."""
    _REGISTRY[name] = factory


def get_au_model(name: str = "geometric") -> AUModel:
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise ValueError(f"unknown AU model {name!r}; registered: {sorted(_REGISTRY)}") from None


def presence(intensity: np.ndarray) -> np.ndarray:
    """AUxx_c from AUxx_r."""
    out: np.ndarray = (intensity >= PRESENCE_THRESHOLD).astype(np.uint8)
    return out
