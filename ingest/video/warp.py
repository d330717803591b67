"""Landmark-driven thin-plate-spline warps of AU templates.

Shared by the synthetic generator (to animate a face) and the AU estimator (to calibrate its
basis on the subject's own neutral frame: analysis by synthesis).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from scipy.interpolate import RBFInterpolator

from ingest.video import au_defs
from ingest.video import geometry as g

# FaceMesh face-oval points: pinned (zero displacement) so warps stay on the face.
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
             400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54,
             103, 67, 109)


def au_fields(pts: np.ndarray, aus: Sequence[int], size: tuple[int, int], step: int = 8
              ) -> dict[int, np.ndarray]:
    """Dense (h, w, 2) pixel displacement of each AU at full intensity (TPS over landmarks)."""
    w, h = size
    _origin, rot, iod = g.face_frame(pts)
    base = g.to_face(pts)
    ctrl_idx = list(dict.fromkeys(g.KEY_POINTS + FACE_OVAL))
    ctrl = pts[ctrl_idx]
    border = [(x, y) for x in np.linspace(0, w - 1, 9) for y in (0.0, h - 1.0)]
    border += [(x, y) for x in (0.0, w - 1.0) for y in np.linspace(0, h - 1, 7)[1:-1]]
    ctrl = np.vstack([ctrl, np.array(border)])
    gy, gx = np.mgrid[0:h:step, 0:w:step]
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float64)
    cols = []
    for au in aus:
        d_face = au_defs.TEMPLATES[au](base)
        d_px = (d_face * iod) @ rot  # face units -> image pixels
        disp = np.zeros((len(ctrl), 2))
        for k, p in enumerate(ctrl_idx):
            if p in g.KEY_INDEX:
                disp[k] = d_px[g.KEY_INDEX[p]]
        cols.append(disp)
    # one TPS system for all AUs: the control points are shared
    rbf = RBFInterpolator(ctrl, np.concatenate(cols, axis=1), kernel="thin_plate_spline",
                          smoothing=1e-3)
    coarse = rbf(grid).reshape(gy.shape[0], gy.shape[1], -1).astype(np.float32)
    fields: dict[int, np.ndarray] = {}
    for k, au in enumerate(aus):
        fields[au] = cv2.resize(np.ascontiguousarray(coarse[..., 2 * k : 2 * k + 2]), (w, h),
                                interpolation=cv2.INTER_LINEAR)
    return fields


def apply_field(img: np.ndarray, field: np.ndarray) -> np.ndarray:
    """Backward-warp `img` by a (h, w, 2) displacement field (small displacements)."""
    h, w = img.shape[:2]
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    out: np.ndarray = cv2.remap(img, gx - field[..., 0], gy - field[..., 1], cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REFLECT101)
    return out
