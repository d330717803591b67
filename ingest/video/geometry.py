"""Face-normalised landmark geometry shared by the AU estimator and the synthetic generator.

Coordinates are expressed in a face frame: origin between the eyes, x along the eye line
(image left to right), y downwards, unit = inter-ocular distance (IOD). That removes head
translation, in-plane rotation and scale, so what is left is facial muscle motion.
Indices are MediaPipe FaceMesh's (468-point topology; the 10 iris points are optional).
"""

from __future__ import annotations

import numpy as np

# Subject's right eye is on the image left.
R_EYE = (33, 160, 159, 158, 133, 153, 145, 144)
L_EYE = (362, 385, 386, 387, 263, 373, 374, 380)
R_UPPER_LID = (246, 161, 160, 159, 158, 157, 173)
L_UPPER_LID = (466, 388, 387, 386, 385, 384, 398)
R_LOWER_LID = (7, 163, 144, 145, 153, 154, 155)
L_LOWER_LID = (249, 390, 373, 374, 380, 381, 382)
# brows, outer -> inner
R_BROW_UP = (70, 63, 105, 66, 107)
R_BROW_LO = (46, 53, 52, 65, 55)
L_BROW_UP = (300, 293, 334, 296, 336)
L_BROW_LO = (276, 283, 282, 295, 285)
NOSE_BRIDGE = (168, 6, 197, 195, 5, 4)
NOSE_TIP = (1, 2, 98, 327)
R_NOSE_SIDE = (48, 115, 131, 49, 64, 129)
L_NOSE_SIDE = (278, 344, 360, 279, 294, 358)
R_CHEEK = (117, 118, 50, 101, 36, 205, 123)
L_CHEEK = (346, 347, 280, 330, 266, 425, 352)
MOUTH_CORNERS = (61, 291)
INNER_CORNERS = (78, 308)
UPPER_LIP_OUT = (0, 37, 267, 39, 269, 40, 270, 185, 409)
UPPER_LIP_IN = (13, 82, 312, 81, 311, 80, 310)
LOWER_LIP_IN = (14, 87, 317, 178, 402, 88, 318)
LOWER_LIP_OUT = (17, 84, 314, 181, 405, 91, 321, 146, 375)
CHIN = (152, 175, 199, 200, 18, 148, 377, 176, 400)
JAW = (136, 365, 150, 379, 149, 378, 172, 397)
# points that do not move with expressions: used to remove rigid head motion
# (nose bridge and upper face outline: eye corners shift when FaceMesh sees a blink)
STABLE = (168, 6, 197, 195, 10, 109, 338, 67, 297, 234, 454, 127, 356, 93, 323)

ROIS: dict[str, tuple[int, ...]] = {
    "brows": R_BROW_UP + R_BROW_LO + L_BROW_UP + L_BROW_LO,
    "eyes": R_UPPER_LID + L_UPPER_LID + R_LOWER_LID + L_LOWER_LID,
    "nose": NOSE_BRIDGE + NOSE_TIP + R_NOSE_SIDE + L_NOSE_SIDE + R_CHEEK + L_CHEEK,
    "mouth": MOUTH_CORNERS + INNER_CORNERS + UPPER_LIP_OUT + UPPER_LIP_IN + LOWER_LIP_IN
    + LOWER_LIP_OUT + CHIN + JAW,
}


def _unique(groups: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    seen: dict[int, None] = {}
    for g in groups:
        for i in g:
            seen.setdefault(i, None)
    return tuple(seen)


KEY_POINTS: tuple[int, ...] = _unique((STABLE, *ROIS.values()))
KEY_INDEX = {p: i for i, p in enumerate(KEY_POINTS)}


_R_EYE_IDX, _L_EYE_IDX = np.array(R_EYE), np.array(L_EYE)
_KEY_IDX = np.array(KEY_POINTS)


def eye_centers(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(right, left) eye centres in the coordinates of `pts` (N x 2, full topology)."""
    # sum / count is what ndarray.mean computes, without its Python-level bookkeeping (this
    # runs several times a frame)
    return (pts[_R_EYE_IDX].sum(axis=0) / len(R_EYE),
            pts[_L_EYE_IDX].sum(axis=0) / len(L_EYE))


def face_frame(pts: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(origin, 2x2 rotation to face axes, IOD) from the eye centres of full landmarks."""
    right, left = eye_centers(pts)
    axis = left - right
    iod = float(np.hypot(*axis))
    if iod < 1e-6:
        raise ValueError("degenerate landmarks: eyes coincide")
    c, s = axis / iod
    rot = np.array([[c, s], [-s, c]])
    return (right + left) / 2.0, rot, iod


def to_face(pts: np.ndarray) -> np.ndarray:
    """Full landmarks (pixels) -> key points in face units (len(KEY_POINTS) x 2)."""
    origin, rot, iod = face_frame(pts)
    out: np.ndarray = ((pts[_KEY_IDX] - origin) @ rot.T) / iod
    return out


_STABLE_IDX = np.array([KEY_INDEX[p] for p in STABLE])


def align_to(ref: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Similarity-align key points `cur` onto `ref` using only the stable points (Umeyama)."""
    a, b = cur[_STABLE_IDX], ref[_STABLE_IDX]
    ma, mb = a.mean(0), b.mean(0)
    a0, b0 = a - ma, b - mb
    u, s, vt = np.linalg.svd(a0.T @ b0)
    d = np.sign(np.linalg.det(u @ vt))
    corr = np.diag([1.0, d])
    r = u @ corr @ vt
    scale = float((s * np.array([1.0, d])).sum() / max((a0**2).sum(), 1e-12))
    out: np.ndarray = (cur - ma) @ r * scale + mb
    return out


def eye_aperture(pts: np.ndarray) -> float:
    """Mean lid gap over eye width of both eyes (full landmarks); drops sharply in a blink."""
    def gap(a: int, b: int) -> float:
        return float(np.hypot(*(pts[a] - pts[b])))

    right = gap(159, 145) / max(gap(33, 133), 1e-6)
    left = gap(386, 374) / max(gap(362, 263), 1e-6)
    return (right + left) / 2
