"""AU intensities and eye closure from FaceMesh landmarks relative to the person's own neutral.

Real faces, posed or spontaneous, move far more than the sub-pixel skin motion the optical-flow
model (`aus.FlowAUModel`) is built for, and FaceMesh follows such macro motion well. Each frame's
468 landmarks are put in face units (origin between the eyes, x along the eye line, unit =
inter-ocular distance) and similarity-aligned (Procrustes) onto the person's neutral shape on
points that expressions do not move (nose bridge, upper face outline), which removes head
translation, in-plane rotation and scale. What is left is read as a few FACS-motivated
measures (inner/outer brow raise, brow lowering and knitting, lid opening, cheek raise, lip
corner raise/pull and depression, chin raise, lips apart, jaw drop), each divided by the size it
has in a typical posed expression (`SCALES`, estimated from the development photos, see
docs/REAL_DATA.md) so that 3 on OpenFace's 0-5 scale is a typical posed expression.

Eye closure is measured per eye from the eye aspect ratio relative to neutral and from the
eye's appearance: the normalised cross-correlation of the (pose-normalised) eye patch with the
neutral one, and the mirror symmetry of the two eyes (a wink breaks it, a blink does not).
FaceMesh alone couples the two eyes (a wink lowers both lids' points), so the appearance terms
decide the side.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ingest.video import geometry as g

# landmark groups (MediaPipe FaceMesh indices; subject's right = image left)
INNER_BROW = (107, 66, 55, 65, 336, 296, 285, 295)
OUTER_BROW = (70, 63, 46, 53, 300, 293, 276, 283)
CHEEK = (117, 118, 50, 101, 346, 347, 280, 330)
LOWER_LID = (145, 144, 153, 374, 373, 380)
CORNERS = (61, 291)
CHIN = (152, 175, 199, 200)
_STABLE = np.array(g.STABLE)
_IDX: dict[tuple[int, ...], np.ndarray] = {
    ids: np.array(ids) for ids in (INNER_BROW, OUTER_BROW, CHEEK, LOWER_LID, CORNERS, CHIN)}
# eye aspect: three lid gaps and the width of the right eye, then of the left eye
_EAR_A = np.array([160, 159, 158, 33, 385, 386, 387, 362])
_EAR_B = np.array([144, 145, 153, 133, 380, 374, 373, 263])

# size of each measure (face units, or ratio for AU5) at intensity 3 ("a typical posed
# expression"); from the development photos: median over people of the measure in the
# variant that shows the AU (scripts/faces_scales.py prints them, with leave-one-person-out)
# (floored at 0.03 face units, about the landmark noise between two photos of a still face)
SCALES: dict[int, float] = {
    1: 0.06, 2: 0.049, 4: 0.03, 5: 0.224, 6: 0.041, 12: 0.205, 15: 0.03, 17: 0.03,
    25: 0.23, 26: 0.154, 27: 0.30,
}
EYE_STRIP = (192, 48)  # canonical eye strip (w, h): eyes 64 px apart, at (64, 24), (128, 24)
_IOD_PX = 64.0


FaceFrame = tuple[np.ndarray, np.ndarray, float]  # geometry.face_frame: origin, rotation, IOD


def to_face_full(pts: np.ndarray, frame: FaceFrame | None = None) -> np.ndarray:
    """All landmarks in face units (see geometry.face_frame; `frame`: already computed)."""
    origin, rot, iod = frame or g.face_frame(pts)
    out: np.ndarray = ((pts - origin) @ rot.T) / iod
    return out


def procrustes(ref: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Similarity-align full face-unit landmarks `cur` onto `ref` on the stable points."""
    a, b = cur[_STABLE], ref[_STABLE]
    ma, mb = a.mean(0), b.mean(0)
    a0, b0 = a - ma, b - mb
    # closed-form 2-D similarity (no LAPACK call: microseconds, not milliseconds when busy)
    sxx = float((a0 * b0).sum())
    sxy = float((a0[:, 0] * b0[:, 1] - a0[:, 1] * b0[:, 0]).sum())
    norm = max(float((a0**2).sum()), 1e-12)
    c, s = sxx / norm, sxy / norm
    rot = np.array([[c, s], [-s, c]])  # row-vector form: p @ rot
    out: np.ndarray = (cur - ma) @ rot + mb
    return out


def eye_aspect(pts: np.ndarray) -> tuple[float, float]:
    """(right, left) eye aspect ratios: mean of three lid gaps over the eye width."""
    d = pts[_EAR_A] - pts[_EAR_B]
    h = np.hypot(d[:, 0], d[:, 1])  # all eight distances in one call (runs every frame)
    right = float(h[0:3].sum() / 3) / max(float(h[3]), 1e-6)
    left = float(h[4:7].sum() / 3) / max(float(h[7]), 1e-6)
    return right, left


def eye_strip(gray: np.ndarray, pts: np.ndarray, frame: FaceFrame | None = None) -> np.ndarray:
    """Pose-normalised strip around both eyes (float32, EYE_STRIP size)."""
    origin, rot, iod = frame or g.face_frame(pts)
    scale = _IOD_PX / iod
    m = np.zeros((2, 3))
    m[:, :2] = rot * scale
    m[:, 2] = np.array([EYE_STRIP[0] / 2, EYE_STRIP[1] / 2]) - m[:, :2] @ origin
    out: np.ndarray = cv2.warpAffine(gray, m, EYE_STRIP, flags=cv2.INTER_LINEAR,
                                     borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    return out


def _eyes(strip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h = EYE_STRIP[1]
    cx = EYE_STRIP[0] / 2
    half_w = 22
    r0, l0 = int(cx - _IOD_PX / 2), int(cx + _IOD_PX / 2)
    right = strip[h // 2 - 12 : h // 2 + 12, r0 - half_w : r0 + half_w]
    left = strip[h // 2 - 12 : h // 2 + 12, l0 - half_w : l0 + half_w]
    return right, left


def _ncc(a: np.ndarray, b: np.ndarray) -> float:
    """Best normalised cross-correlation of `b` within `a` padded by 3 px (small shifts)."""
    pad = cv2.copyMakeBorder(a, 3, 3, 3, 3, cv2.BORDER_REPLICATE)
    return float(cv2.matchTemplate(pad, b, cv2.TM_CCOEFF_NORMED).max())


@dataclass(frozen=True)
class EyeState:
    closure_right: float  # 0 open as at neutral .. 1 closed
    closure_left: float
    asymmetry: float  # loss of mirror symmetry between the eyes vs neutral (a wink)


@dataclass
class Neutral:
    shape: np.ndarray  # full landmarks in face units (median of the baseline frames)
    ear: tuple[float, float]
    eyes: tuple[np.ndarray, np.ndarray] | None  # neutral eye patches
    symmetry: float


def measures(a: np.ndarray, n: np.ndarray) -> dict[int, float]:
    """Raw FACS-motivated measures of aligned face-unit landmarks `a` vs neutral `n`
    (positive = the AU's direction; y grows downwards)."""
    def up(ids: tuple[int, ...]) -> float:
        idx = _IDX[ids]  # sum / count: ndarray.mean's arithmetic, without its overhead
        return float(n[idx, 1].sum() / len(ids) - a[idx, 1].sum() / len(ids))

    brow_gap = float(abs(a[107, 0] - a[336, 0]) - abs(n[107, 0] - n[336, 0]))
    width = float((a[291, 0] - a[61, 0]) - (n[291, 0] - n[61, 0]))
    lip_mid_a = (a[13, 1] + a[14, 1]) / 2
    lip_mid_n = (n[13, 1] + n[14, 1]) / 2
    corner_rel = float((n[61, 1] + n[291, 1]) / 2 - lip_mid_n
                       - ((a[61, 1] + a[291, 1]) / 2 - lip_mid_a))  # >0: corners rose
    gap = float((a[14, 1] - a[13, 1]) - (n[14, 1] - n[13, 1]))
    chin = up(CHIN)
    return {
        1: up(INNER_BROW),
        2: up(OUTER_BROW),
        4: max(0.0, -up(INNER_BROW)) + max(0.0, -brow_gap),
        6: up(CHEEK) + 0.5 * up(LOWER_LID),
        12: up(CORNERS) + 0.5 * width,
        15: -corner_rel - max(0.0, width) - max(0.0, gap),
        17: chin - max(0.0, gap),
        25: gap,
        26: -chin,
        27: -chin,
    }


class RelativeAUModel:
    """Landmark measures relative to the neutral baseline (+ eye closure from appearance)."""

    name = "facemesh-relative-v2"

    def __init__(self) -> None:
        self._shapes: list[np.ndarray] = []
        self._ears: list[tuple[float, float]] = []
        self._strips: list[np.ndarray] = []
        self.neutral: Neutral | None = None
        self.last_eyes = EyeState(0.0, 0.0, 0.0)

    def ready(self) -> bool:
        return self.neutral is not None

    def observe(self, gray: np.ndarray | None, landmarks: np.ndarray) -> None:
        self._shapes.append(to_face_full(landmarks))
        self._ears.append(eye_aspect(landmarks))
        if gray is not None:
            self._strips.append(eye_strip(gray, landmarks))

    def finish(self) -> None:
        if self.neutral is not None or not self._shapes:
            return
        ref = self._shapes[len(self._shapes) // 2]
        aligned = np.stack([procrustes(ref, s) for s in self._shapes])
        shape = np.median(aligned, axis=0)
        ears = np.median(np.array(self._ears), axis=0)
        eyes = None
        sym = 1.0
        if self._strips:
            strip = np.median(np.stack(self._strips), axis=0).astype(np.float32)
            r, left = _eyes(strip)
            eyes = (r, left)
            sym = _ncc(r, np.ascontiguousarray(left[:, ::-1]))
        self.neutral = Neutral(shape, (float(ears[0]), float(ears[1])), eyes, sym)
        self._shapes, self._ears, self._strips = [], [], []

    def eye_state(self, gray: np.ndarray | None, landmarks: np.ndarray,
                  ear: tuple[float, float] | None = None, frame: FaceFrame | None = None
                  ) -> EyeState:
        """`ear` (eye_aspect) and `frame` (face_frame) of `landmarks` if already computed."""
        assert self.neutral is not None
        er, el = ear or eye_aspect(landmarks)
        n = self.neutral
        geo_r = max(0.0, 1.0 - er / max(n.ear[0], 1e-6)) / 0.5
        geo_l = max(0.0, 1.0 - el / max(n.ear[1], 1e-6)) / 0.5
        app_r = app_l = asym = 0.0
        if gray is not None and n.eyes is not None:
            r, left = _eyes(eye_strip(gray, landmarks, frame))
            app_r = max(0.0, 1.0 - _ncc(n.eyes[0], r)) / 0.4
            app_l = max(0.0, 1.0 - _ncc(n.eyes[1], left)) / 0.4
            asym = max(0.0, n.symmetry - _ncc(r, np.ascontiguousarray(left[:, ::-1])))
        return EyeState(_clip(0.5 * geo_r + 0.5 * app_r, 0.0, 1.0),
                        _clip(0.5 * geo_l + 0.5 * app_l, 0.0, 1.0), float(asym))

    def predict(self, gray: np.ndarray | None, landmarks: np.ndarray) -> dict[int, float]:
        """AU -> intensity 0-5 for the AUs measured here (AU43: both eyes closed)."""
        assert self.neutral is not None
        frame = g.face_frame(landmarks)  # once a frame, for the shape and the eye strip
        a = procrustes(self.neutral.shape, to_face_full(landmarks, frame))
        raw = measures(a, self.neutral.shape)
        ear = eye_aspect(landmarks)
        er, el = ear
        raw[5] = (er / max(self.neutral.ear[0], 1e-6) + el / max(self.neutral.ear[1], 1e-6)) / 2 - 1
        out = {au: _clip(3.0 * v / SCALES[au], 0.0, 5.0) for au, v in raw.items()
               if au in SCALES}
        out[27] = _clip(3.0 * (raw[27] - SCALES[26]) / (SCALES[27] - SCALES[26]), 0.0, 5.0)
        eyes = self.eye_state(gray, landmarks, ear, frame)
        self.last_eyes = eyes
        out[43] = 5.0 * min(eyes.closure_right, eyes.closure_left)
        return out


def _clip(v: float, lo: float, hi: float) -> float:
    """float(np.clip(v, lo, hi)) for one number (NaN passes through), without numpy's
    per-call overhead."""
    v = float(v)
    return lo if v < lo else hi if v > hi else v


def frame_quality(landmarks: np.ndarray) -> float:
    """0..1: how frontal the face is (1 frontal; < 0.5 near profile), from the nose tip's
    offset from the face-outline centre and the eye-width ratio (both cheap and rotation-free)."""
    left_x, right_x = landmarks[454, 0], landmarks[234, 0]
    width = max(abs(left_x - right_x), 1e-6)
    yaw = abs(landmarks[1, 0] - (left_x + right_x) / 2) / width  # 0 frontal, ~0.5 profile
    wr = float(np.hypot(*(landmarks[133] - landmarks[33])))
    wl = float(np.hypot(*(landmarks[263] - landmarks[362])))
    ratio = min(wr, wl) / max(wr, wl, 1e-6)  # 1 frontal, -> 0 in profile
    return _clip(min(1.0 - 2.5 * max(0.0, yaw - 0.08), (ratio - 0.3) / 0.5), 0.0, 1.0)
