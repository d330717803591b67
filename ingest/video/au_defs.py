"""Action-unit vocabulary: names (zh+en, from contracts/vocabulary.py), the source study's AU->emotion table, and the
geometric displacement templates that both the estimator and the synthetic generator use.

Templates are our approximation of FACS appearance changes as 2-D landmark displacements in
face units (IOD) at full intensity (AUxx_r = 5). They are not learned from data: accuracy on
real faces is unvalidated and the estimator says so in its source string.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from contracts import vocabulary
from ingest.video import geometry as g

AUS: tuple[int, ...] = (1, 2, 4, 5, 6, 7, 9, 10, 12, 14, 15, 17, 18, 20, 23, 24, 25, 26, 27, 43)

# Names (zh, en) of the per-frame AUs and the eye events (45 blink, 46 wink, reported by
# spotting.spot_eyes only): the shared vocabulary's, so feature texts and the graph agree.
AU_NAMES: dict[int, tuple[str, str]] = {au: vocabulary.AU_NAMES[au] for au in (*AUS, 45, 46)}

# Emotion sets from the source study's Table 1; weights (how typical the AU is for the
# emotion) are ours. AU10 has no emotion in Table 1; EMFACS associates it with disgust.
AU_EMOTIONS: dict[int, dict[str, float]] = {
    1: {"sadness": 0.6, "surprise": 0.6, "fear": 0.5, "interest": 0.3},
    2: {"surprise": 1.0, "fear": 0.5, "interest": 0.5},
    4: {"sadness": 0.6, "anger": 0.6, "fear": 0.4, "confusion": 0.4},
    5: {"surprise": 0.8, "fear": 0.6, "anger": 0.4, "interest": 0.3},
    6: {"happiness": 1.0},
    7: {"anger": 0.6, "fear": 0.4, "confusion": 0.4},
    9: {"disgust": 1.0},
    10: {"disgust": 0.8},
    12: {"happiness": 1.0, "contempt": 0.5},
    14: {"contempt": 0.8, "boredom": 0.5},
    15: {"sadness": 0.8, "disgust": 0.5, "confusion": 0.3},
    17: {"sadness": 0.6, "surprise": 0.2, "fear": 0.3},
    18: {},
    20: {"fear": 1.0},
    23: {"anger": 0.8, "confusion": 0.3, "boredom": 0.3},
    24: {"boredom": 0.6},
    25: {},
    26: {"surprise": 0.8, "fear": 0.5},
    27: {},
    43: {"boredom": 0.4},
}

# 4-class micro-expression grouping (CAS(ME)^3 / MEGC style: positive = happiness,
# negative = the other basic negative emotions, surprise, others = the rest).
EMOTION_TO_ME_CLASS: dict[str, str] = {
    "happiness": "positive",
    "surprise": "surprise",
    "sadness": "negative",
    "anger": "negative",
    "fear": "negative",
    "disgust": "negative",
    "contempt": "negative",
    "confusion": "others",
    "boredom": "others",
    "interest": "others",
}

def au_label(au: int) -> str:
    """'皱眉(AU4)': the form psychologists read in feature texts."""
    return f"{AU_NAMES[au][0]}(AU{au})"


def emotion_scores(intensities: dict[int, float]) -> dict[str, float]:
    """Sum of AU intensities weighted by how typical each AU is for each emotion."""
    scores: dict[str, float] = {}
    for au, value in intensities.items():
        for emo, w in AU_EMOTIONS.get(au, {}).items():
            scores[emo] = scores.get(emo, 0.0) + w * max(value, 0.0)
    return scores


def classify_by_rules(intensities: dict[int, float]) -> tuple[str, str | None, float]:
    """(me_class, emotion or None, margin in 0..1) from apex AU intensities via Table 1."""
    scores = emotion_scores({au: v for au, v in intensities.items() if au != 43})
    if not scores or max(scores.values()) <= 0:
        return "others", None, 0.0
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    emotion, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    margin = (top - second) / top if top > 0 else 0.0
    return EMOTION_TO_ME_CLASS.get(emotion, "others"), emotion, float(margin)


# ---------------------------------------------------------------- displacement templates

Template = Callable[[np.ndarray], np.ndarray]


def _disp() -> np.ndarray:
    return np.zeros((len(g.KEY_POINTS), 2))


def _move(d: np.ndarray, base: np.ndarray, pts: tuple[int, ...], out: float, up: float) -> None:
    """Move points `out` (away from the midline) and `up`, in IOD units."""
    for p in pts:
        i = g.KEY_INDEX[p]
        side = float(np.sign(base[i, 0])) if abs(base[i, 0]) > 0.04 else 0.0
        d[i, 0] += side * out
        d[i, 1] -= up


def _toward(d: np.ndarray, base: np.ndarray, pts: tuple[int, ...], target: tuple[int, ...],
            frac: float) -> None:
    """Move each point a fraction of the way to its partner (e.g. upper lid onto lower lid)."""
    for p, q in zip(pts, target, strict=True):
        i, j = g.KEY_INDEX[p], g.KEY_INDEX[q]
        d[i] += frac * (base[j] - base[i])


def _t1(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, (107, 55, 336, 285), 0.0, 0.11)
    _move(d, b, (66, 65, 296, 295), 0.0, 0.08)
    _move(d, b, (105, 52, 334, 282), 0.0, 0.04)
    return d


def _t2(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, (70, 46, 300, 276), 0.01, 0.11)
    _move(d, b, (63, 53, 293, 283), 0.0, 0.09)
    _move(d, b, (105, 52, 334, 282), 0.0, 0.04)
    return d


def _t4(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, (107, 55, 336, 285), -0.06, -0.07)
    _move(d, b, (66, 65, 296, 295), -0.04, -0.06)
    _move(d, b, (105, 52, 334, 282), -0.02, -0.03)
    return d


def _t5(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.R_UPPER_LID[2:5] + g.L_UPPER_LID[2:5], 0.0, 0.045)
    _move(d, b, g.R_UPPER_LID[1:2] + g.R_UPPER_LID[5:6] + g.L_UPPER_LID[1:2]
          + g.L_UPPER_LID[5:6], 0.0, 0.03)
    return d


def _t6(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.R_CHEEK + g.L_CHEEK, 0.0, 0.06)
    _move(d, b, g.R_LOWER_LID[2:5] + g.L_LOWER_LID[2:5], 0.0, 0.02)
    _move(d, b, g.MOUTH_CORNERS, 0.0, 0.015)
    return d


def _t7(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.R_LOWER_LID[1:6] + g.L_LOWER_LID[1:6], 0.0, 0.035)
    _move(d, b, g.R_UPPER_LID[2:5] + g.L_UPPER_LID[2:5], 0.0, -0.012)
    return d


def _t9(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.R_NOSE_SIDE + g.L_NOSE_SIDE, -0.01, 0.05)
    _move(d, b, (197, 195, 5), 0.0, 0.02)
    _move(d, b, (107, 55, 336, 285), -0.01, -0.025)
    _move(d, b, (0, 37, 267), 0.0, 0.02)
    return d


def _t10(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.UPPER_LIP_OUT[:7] + g.UPPER_LIP_IN, 0.0, 0.065)
    _move(d, b, (185, 409), 0.0, 0.035)
    _move(d, b, (98, 327, 129, 358), 0.0, 0.015)
    return d


def _t12(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.MOUTH_CORNERS + g.INNER_CORNERS, 0.06, 0.08)
    _move(d, b, (185, 409, 146, 375, 91, 321, 40, 270), 0.03, 0.045)
    _move(d, b, (205, 425, 36, 266), 0.0, 0.02)
    return d


def _t14(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.MOUTH_CORNERS + g.INNER_CORNERS, 0.055, 0.0)
    _move(d, b, (185, 409, 40, 270), 0.02, -0.012)
    _move(d, b, (146, 375, 91, 321), 0.02, 0.012)
    return d


def _t15(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.MOUTH_CORNERS + g.INNER_CORNERS, 0.01, -0.075)
    _move(d, b, (146, 375, 91, 321, 185, 409), 0.005, -0.04)
    return d


def _t17(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, (152, 175, 199, 200, 18), 0.0, 0.05)
    _move(d, b, (148, 377, 176, 400), 0.0, 0.03)
    _move(d, b, g.LOWER_LIP_OUT[:5] + g.LOWER_LIP_IN[:5], 0.0, 0.04)
    return d


def _t18(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.MOUTH_CORNERS + g.INNER_CORNERS, -0.08, 0.0)
    _move(d, b, (185, 409, 146, 375), -0.05, 0.0)
    _move(d, b, (40, 270, 91, 321), -0.03, 0.0)
    return d


def _t20(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.MOUTH_CORNERS + g.INNER_CORNERS, 0.07, -0.03)
    _move(d, b, (146, 375, 91, 321, 181, 405), 0.03, -0.025)
    return d


def _t23(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.MOUTH_CORNERS + g.INNER_CORNERS, -0.03, 0.0)
    _move(d, b, (0, 37, 267, 39, 269), 0.0, -0.02)
    _move(d, b, (17, 84, 314, 181, 405), 0.0, 0.02)
    return d


def _t24(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.UPPER_LIP_OUT[:5] + g.UPPER_LIP_IN[:5], 0.0, -0.02)
    _move(d, b, g.LOWER_LIP_OUT[:5] + g.LOWER_LIP_IN[:5], 0.0, 0.035)
    _move(d, b, (152, 175, 199, 200, 18), 0.0, 0.015)
    return d


def _t25(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.UPPER_LIP_IN, 0.0, 0.015)
    _move(d, b, g.LOWER_LIP_IN, 0.0, -0.06)
    _move(d, b, (17, 84, 314), 0.0, -0.02)
    return d


def _t26(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.CHIN, 0.0, -0.11)
    _move(d, b, g.JAW, 0.0, -0.05)
    _move(d, b, g.LOWER_LIP_OUT + g.LOWER_LIP_IN, 0.0, -0.1)
    return d


def _t27(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _move(d, b, g.CHIN, 0.0, -0.22)
    _move(d, b, g.JAW, 0.0, -0.1)
    _move(d, b, g.LOWER_LIP_OUT + g.LOWER_LIP_IN, 0.0, -0.2)
    _move(d, b, g.MOUTH_CORNERS + g.INNER_CORNERS, -0.04, -0.05)
    _move(d, b, g.UPPER_LIP_IN + g.UPPER_LIP_OUT, 0.0, 0.02)
    return d


def _t43(b: np.ndarray) -> np.ndarray:
    d = _disp()
    _toward(d, b, g.R_UPPER_LID, g.R_LOWER_LID, 0.85)
    _toward(d, b, g.L_UPPER_LID, g.L_LOWER_LID, 0.85)
    return d


TEMPLATES: dict[int, Template] = {
    1: _t1, 2: _t2, 4: _t4, 5: _t5, 6: _t6, 7: _t7, 9: _t9, 10: _t10, 12: _t12, 14: _t14,
    15: _t15, 17: _t17, 18: _t18, 20: _t20, 23: _t23, 24: _t24, 25: _t25, 26: _t26,
    27: _t27, 43: _t43,
}


def template_matrix(baseline: np.ndarray) -> np.ndarray:
    """(2K x n_AUs) matrix of full-intensity displacements for a subject's neutral face."""
    return np.stack([TEMPLATES[au](baseline).reshape(-1) for au in AUS], axis=1)
