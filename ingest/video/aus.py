"""Per-frame AU intensities from landmark geometry against the subject's neutral baseline.

No trained AU model ships in any installable package, so the default estimator projects the
aligned landmark displacement (frame minus the subject's neutral median) onto the AU
displacement templates with non-negative least squares. Output follows OpenFace: AUxx_r
(0-5) and AUxx_c (0/1). A user-supplied trained model plugs in through `AUModel`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol, runtime_checkable

import numpy as np
from scipy.optimize import nnls

from ingest.video import geometry as g
from ingest.video.au_defs import AUS, template_matrix

R_COLUMNS = [f"AU{au:02d}_r" for au in AUS]
C_COLUMNS = [f"AU{au:02d}_c" for au in AUS]
PRESENCE_THRESHOLD = 1.0  # AUxx_r at or above this counts as present (AUxx_c = 1)


@runtime_checkable
class AUModel(Protocol):
    """A per-frame AU intensity model; `predict` returns len(AUS) values on OpenFace's 0-5 scale.

    `frame` is the BGR frame (None for the first, baseline frames, which are not kept), `landmarks` the FaceMesh points in pixels (N x 2) and
    `keypoints` the aligned key points in face units. Models may ignore what they don't need.
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
                 calibrate: bool = os.environ.get("MINDKG_AU_CALIBRATE", "1") != "0",
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


AUModelFactory = Callable[[], AUModel]
_REGISTRY: dict[str, AUModelFactory] = {"geometric": GeometricAUModel}


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
