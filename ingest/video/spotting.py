"""Micro-expression spotting from AU-intensity motion against a sliding baseline, and the
MEGC spotting evaluation (IoU >= 0.5 one-to-one matching, precision/recall/F1).

Why AU-space motion: the intensities are already aligned (head motion removed) and grouped by
facial region, so a blink (eyes only, AU43) can be told apart from a brow or mouth event.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d, median_filter

from ingest.video.au_defs import AUS

ROI_AUS: dict[str, tuple[int, ...]] = {
    "brows": (1, 2, 4),
    "eyes": (5, 6, 7, 43),
    "nose": (9, 10),
    "mouth": (12, 14, 15, 17, 18, 20, 23, 24, 25, 26, 27),
}
ME_MIN_S, ME_MAX_S = 0.065, 0.5


@dataclass(frozen=True)
class SpotParams:
    baseline_s: float = 1.5  # sliding median window: longer than any micro-expression
    smooth_s: float = 0.02
    settle_s: float = 0.5  # FaceMesh's first frames of a track are unsettled
    high_z: float = 5.0  # peak must stand this many noise units above the baseline
    low_frac: float = 0.08  # interval bounds where motion falls to this fraction of the peak
    low_z: float = 1.5
    merge_gap_s: float = 0.06
    max_len_s: float = 0.6  # longer intervals are macro-expressions or posture changes
    blink_ratio: float = 0.85  # eye aperture below this share of its baseline = a blink


@dataclass(frozen=True)
class Interval:
    onset: int  # frame indices, 0-based, inclusive
    apex: int
    offset: int
    score: float  # peak z
    confidence: float
    region: str
    kind: str  # "micro", "blink" or "macro"


def motion_signal(au_r: np.ndarray, fps: float, params: SpotParams = SpotParams()
                  ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(combined z-score per frame, per-region z (T x R), region names)."""
    x = np.nan_to_num(au_r.astype(np.float64), nan=0.0)
    if len(x) == 0:
        return np.zeros(0), np.zeros((0, len(ROI_AUS))), list(ROI_AUS)
    sigma = max(params.smooth_s * fps, 0.5)
    x = gaussian_filter1d(x, sigma, axis=0, mode="nearest")
    # sliding median on a decimated copy keeps this cheap for hour-long recordings
    step = max(1, int(fps / 30))
    win = max(3, int(params.baseline_s * fps / step) | 1)
    base_d = median_filter(x[::step], size=(win, 1), mode="nearest")
    idx = np.minimum(np.arange(len(x)) // step, len(base_d) - 1)
    dev = x - base_d[idx]
    cols = {au: i for i, au in enumerate(AUS)}
    names = list(ROI_AUS)
    z = np.zeros((len(x), len(names)))
    for r, name in enumerate(names):
        d = np.linalg.norm(dev[:, [cols[a] for a in ROI_AUS[name]]], axis=1)
        med = float(np.median(d))
        mad = float(np.median(np.abs(d - med)))
        scale = max(med + 3.0 * 1.4826 * mad, 0.05)  # 0.05 r-units floor: a perfectly still face
        z[:, r] = d / scale
    return z.max(axis=1), z, names


def spot(au_r: np.ndarray, fps: float, params: SpotParams = SpotParams(),
         aperture: np.ndarray | None = None) -> list[Interval]:
    """Intervals where facial motion rises above and returns to the sliding baseline.

    `aperture` (eye lid gap per frame, see geometry.eye_aperture) lets blinks, which shake
    FaceMesh's whole mesh, be labelled as blinks instead of micro-expressions.
    """
    s, z, names = motion_signal(au_r, fps, params)
    n = len(s)
    out: list[Interval] = []
    above = s >= params.high_z
    above[: int(params.settle_s * fps)] = False
    i = 0
    while i < n:
        if not above[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and above[j + 1]:
            j += 1
        apex = i + int(np.argmax(s[i : j + 1]))
        peak = float(s[apex])
        low = max(params.low_z, params.low_frac * peak)
        on = apex
        while on > 0 and s[on - 1] >= low and s[on - 1] <= s[on] + 0.5:
            on -= 1
        off = apex
        while off + 1 < n and s[off + 1] >= low and s[off + 1] <= s[off] + 0.5:
            off += 1
        # extend while the motion keeps falling: onset/offset are where it meets the floor
        while on > 0 and s[on - 1] < s[on] and s[on - 1] > params.low_z * 0.5:
            on -= 1
        while off + 1 < n and s[off + 1] < s[off] and s[off + 1] > params.low_z * 0.5:
            off += 1
        region = names[int(np.argmax(z[apex]))]
        out.append(Interval(on, apex, off, peak, 0.0, region, "micro"))
        i = max(j, off) + 1
    merged: list[Interval] = []
    gap = int(params.merge_gap_s * fps)
    for iv in out:
        if merged and iv.onset - merged[-1].offset <= gap:
            prev = merged[-1]
            best = prev if prev.score >= iv.score else iv
            merged[-1] = Interval(prev.onset, best.apex, iv.offset, best.score, 0.0,
                                  best.region, "micro")
        else:
            merged.append(iv)
    result = []
    eye_col = AUS.index(43)
    ap_base = None
    if aperture is not None and np.isfinite(aperture).any():
        ap = np.where(np.isfinite(aperture), aperture, np.nanmedian(aperture))
        ap_base = float(np.median(ap))
    for iv in merged:
        length = (iv.offset - iv.onset + 1) / fps
        kind = "micro"
        if length > params.max_len_s:
            kind = "macro"
        elif (ap_base is not None and float(ap[iv.onset : iv.offset + 1].min()) < (
            params.blink_ratio * ap_base
        )) or int(np.argmax(au_r[iv.apex])) == eye_col:
            kind = "blink"
        conf = float(np.clip(1.0 - np.exp(-(iv.score - params.high_z / 2) / params.high_z),
                             0.05, 0.99))
        result.append(Interval(iv.onset, iv.apex, iv.offset, iv.score, conf, iv.region, kind))
    return result


@dataclass(frozen=True)
class SpotScore:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: SpotScore) -> SpotScore:
        return SpotScore(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def interval_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    """IoU of inclusive frame intervals, as in MEGC spotting."""
    inter = min(a[1], b[1]) - max(a[0], b[0]) + 1
    if inter <= 0:
        return 0.0
    return inter / ((a[1] - a[0] + 1) + (b[1] - b[0] + 1) - inter)


def evaluate_spotting(pred: Sequence[tuple[int, int]], truth: Sequence[tuple[int, int]],
                      iou_threshold: float = 0.5) -> SpotScore:
    """MEGC: a prediction is a TP when IoU >= threshold with a not yet matched truth interval."""
    used: set[int] = set()
    tp = 0
    for p in sorted(pred):
        best, best_iou = -1, 0.0
        for k, t in enumerate(truth):
            if k in used:
                continue
            v = interval_iou(p, t)
            if v > best_iou:
                best, best_iou = k, v
        if best >= 0 and best_iou >= iou_threshold:
            used.add(best)
            tp += 1
    return SpotScore(tp=tp, fp=len(pred) - tp, fn=len(truth) - tp)


# ------------------------------------------------------------------ eyes: blink, closure, wink

EYE_CLOSED = 0.37  # both eyes' closure (0..1, above the sliding baseline): eyes closed
WINK = 0.135  # lost mirror symmetry + 0.5 x closure difference: one eye closed
# a bilateral closure up to this long is a blink (AU45), longer is eyes closed (AU43);
# spontaneous blinks last about 0.1-0.3 s
BLINK_MAX_S = 0.3
MIN_EYE_S = 0.1  # eye events shorter than this are landmark noise


@dataclass(frozen=True)
class EyeEvent:
    onset_frame: int  # 0-based, inclusive
    apex_frame: int
    offset_frame: int
    fps: float
    kind: str  # "blink", "eye_closure" (both eyes) or "wink" (one eye)
    au: int  # 45 blink, 43 eyes closed, 46 wink
    side: str  # "both", or the subject's "right" / "left" eye
    closure: float  # 0..1 at the apex
    confidence: float
    duration_s: float


def _sliding_median(x: np.ndarray, fps: float, window_s: float) -> np.ndarray:
    step = max(1, int(fps / 15))
    win = max(3, int(window_s * fps / step) | 1)
    base = median_filter(x[::step], size=win, mode="nearest")
    idx = np.minimum(np.arange(len(x)) // step, len(base) - 1)
    out: np.ndarray = base[idx]
    return out


def spot_eyes(closure: np.ndarray, asymmetry: np.ndarray, fps: float, *,
              closed: float = EYE_CLOSED, wink: float = WINK, window_s: float = 4.0
              ) -> list[EyeEvent]:
    """Eye events from per-frame closure (T x 2: subject's right, left; 0 open .. 1 closed)
    and eye asymmetry (T), both taken above their sliding median so slow drifts (lighting,
    fatigue) are not events. NaN frames (no face) end an event."""
    n = len(closure)
    if n == 0:
        return []
    ok = np.isfinite(closure).all(axis=1) & np.isfinite(asymmetry)
    c = np.where(ok[:, None], closure, 0.0)
    a = np.where(ok, asymmetry, 0.0)
    c = np.clip(c - np.stack([_sliding_median(c[:, k], fps, window_s) for k in (0, 1)], 1),
                0.0, 1.0)
    a = np.clip(a - _sliding_median(a, fps, window_s), 0.0, 1.0)
    both = c.min(axis=1)
    one = a + 0.5 * np.abs(c[:, 0] - c[:, 1])
    state = np.zeros(n, np.int8)  # 0 open, 1 both closed, 2 wink
    state[(both >= closed) & ok] = 1
    state[(one >= wink) & (c.max(axis=1) >= 0.3) & ok] = 2
    # hysteresis: an event lasts while its measure stays above 60 % of its threshold
    lo_both = (both >= 0.6 * closed) & ok
    lo_one = (one >= 0.6 * wink) & ok
    for _ in range(n):
        grow = np.zeros(n, bool)
        grow[1:] |= (state[:-1] != 0) & (state[1:] == 0)
        grow[:-1] |= (state[1:] != 0) & (state[:-1] == 0)
        grow &= lo_both | lo_one
        if not grow.any():
            break
        src = np.roll(state, 1)
        src2 = np.roll(state, -1)
        state[grow] = np.where(src[grow] != 0, src[grow], src2[grow])
    events: list[EyeEvent] = []
    i = 0
    while i < n:
        if state[i] == 0:
            i += 1
            continue
        j = i
        while j + 1 < n and state[j + 1] != 0:
            j += 1
        seg = state[i : j + 1]
        is_wink = int((seg == 2).sum()) > len(seg) // 2
        if is_wink:
            score = one[i : j + 1]
            apex = i + int(np.argmax(score))
            right = float(c[apex, 0]) > float(c[apex, 1])
            margin = float(score[apex - i]) - wink
            closure_v = float(c[apex].max())
            kind, au, side = "wink", 46, "right" if right else "left"
        else:
            score = both[i : j + 1]
            apex = i + int(np.argmax(score))
            margin = float(score[apex - i]) - closed
            closure_v = float(both[apex])
            dur = (j - i + 1) / fps
            blink = dur <= BLINK_MAX_S
            kind, au, side = ("blink", 45, "both") if blink else ("eye_closure", 43, "both")
        if j - i + 1 >= max(2, round(MIN_EYE_S * fps)):  # shorter: noise
            conf = float(np.clip(0.5 + margin / 0.3, 0.05, 0.99))
            events.append(EyeEvent(i, apex, j, fps, kind, au, side, round(closure_v, 3),
                                   round(conf, 3), round((j - i + 1) / fps, 4)))
        i = j + 1
    return events


# --------------------------------------------------------------------------- confidence

# Logistic maps from evidence to the probability that the reported AU / event is right,
# fitted on the posed-photo clips of the development people by scripts/faces_calibrate.py
# (leave-one-person-out reliability: docs/REAL_DATA.md).
AU_CONF = (-2.648, 0.916)  # logit = a + b * apex intensity above the local baseline (0-5)
EVENT_CONF = (-4.975, 1.6)  # logit = a + b * the largest dominant AU's apex intensity


def _sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


def au_confidence(delta: float) -> float:
    """Probability that an AU reported at `delta` above baseline is really there."""
    a, b = AU_CONF
    return round(_sigmoid(a + b * float(delta)), 3)


def event_confidence(apex: dict[int, float], dominant: Sequence[int]) -> float:
    """Probability that an expression event is real and its dominant AUs right."""
    a, b = EVENT_CONF
    top = max((apex[au] for au in dominant), default=0.0)
    return round(_sigmoid(a + b * top), 3)


# ------------------------------------------------------- sustained (macro) expressions

MACRO_ON, MACRO_OFF = 1.5, 1.0  # AUxx_r above the neutral that starts / keeps a held expression


def sustained(au_r: np.ndarray, fps: float, *, on: float = MACRO_ON, off: float = MACRO_OFF,
              min_s: float = ME_MAX_S, settle_s: float = 0.5) -> list[Interval]:
    """Expressions held longer than `min_s`, which a sliding-baseline spotter absorbs into its
    baseline: some AU (AU43 aside) at `on` or more above the person's neutral, until all fall
    below `off`; a run whose leading emotion (AU rules) changes for `min_s` or longer is split
    there (crying, then laughing). `score` is the apex intensity."""
    n = len(au_r)
    if n == 0:
        return []
    cols = [k for k, au in enumerate(AUS) if au != 43]
    x = gaussian_filter1d(np.nan_to_num(au_r.astype(np.float64), nan=0.0),
                          max(0.1 * fps, 0.5), axis=0, mode="nearest")
    level = x[:, cols].max(axis=1)
    level[: int(settle_s * fps)] = 0.0
    labels = _leading_emotions(x)
    min_len = max(1, int(min_s * fps))
    out: list[Interval] = []
    i = 0
    while i < n:
        if level[i] < on:
            i += 1
            continue
        a, b = i, i
        while a > 0 and level[a - 1] >= off:
            a -= 1
        while b + 1 < n and level[b + 1] >= off:
            b += 1
        # split where the leading emotion changes for at least min_len frames
        cuts = [a]
        k = a
        while k <= b:
            j = k
            while j + 1 <= b and labels[j + 1] == labels[k]:
                j += 1
            if j - k + 1 >= min_len and k > cuts[-1] and labels[k] != labels[cuts[-1]]:
                cuts.append(k)
            k = j + 1
        bounds = [*cuts, b + 1]
        for s, e in itertools.pairwise(bounds):
            if e - s > min_len:
                apex = s + int(np.argmax(level[s:e]))
                out.append(Interval(s, apex, e - 1, float(level[apex]), 0.0, "face", "macro"))
        i = b + 1
    return out


def _leading_emotions(x: np.ndarray) -> np.ndarray:
    """Per frame, the index (in sorted emotion names) of the emotion `au_defs.emotion_scores`
    ranks first for that row of AU intensities, or -1 where every score is 0: the same sums,
    in the same order, and the same tie-break (the emotion met first), for all frames at once
    instead of a dict per frame."""
    from ingest.video.au_defs import AU_EMOTIONS

    order: list[str] = []  # emotions in the order emotion_scores first meets them
    for au in AUS:
        if au != 43:
            order += [e for e in AU_EMOTIONS.get(au, {}) if e not in order]
    scores = np.zeros((len(x), len(order)))
    for k, au in enumerate(AUS):
        if au == 43:
            continue
        pos = np.maximum(x[:, k], 0.0)
        for emo, w in AU_EMOTIONS.get(au, {}).items():
            j = order.index(emo)
            scores[:, j] = scores[:, j] + w * pos
    emos = sorted(order)
    to_sorted = np.array([emos.index(e) for e in order])
    labels = np.full(len(x), -1)
    if order:
        best = np.argmax(scores, axis=1)  # first maximum: emotion_scores' insertion order
        on = scores.max(axis=1) > 0
        labels[on] = to_sorted[best[on]]
    return labels
