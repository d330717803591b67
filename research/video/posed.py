"""Posed-photo clips: test videos built from a folder of `subjectNN.VARIANT` face photos.

A FACS coder expects, against the same person's `normal` photo: happy -> AU6/AU12; surprised
-> AU1, AU2, AU5, AU26/27; sad -> AU1, AU4, AU15, AU17; sleepy -> AU43 (both eyes closed);
wink -> AU46 (one eye). Each expression becomes a clip: the neutral photo for `lead_s`, the
expression held for `hold_s` (reached by a jump or a linear cross-fade of `fade_s`), neutral
again for `tail_s`, written as a real mp4 and read back through the product's decoder and
`analyze_video`. Still clips (the neutral photo only) must give no events.

The photos may be in any format PIL reads, with or without an extension (the Yale database's
`subject01.happy` is a GIF without one).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

if TYPE_CHECKING:
    from ingest.video.analyze import VideoAnalysis

NEUTRAL = "normal"
EXPECTED: dict[str, frozenset[int]] = {
    "happy": frozenset({6, 12}),
    "surprised": frozenset({1, 2, 5, 26, 27}),
    "sad": frozenset({1, 4, 15, 17}),
    "sleepy": frozenset({43}),
    "wink": frozenset({46}),
}
EYE_VARIANTS = ("sleepy", "wink")
SCORED_AUS = (1, 2, 4, 5, 6, 12, 15, 17, 26, 27, 43, 46)
_NAME = re.compile(r"^subject(\d+)\.([A-Za-z]+)(\.[A-Za-z0-9]+)?$")


def find_photos(root: Path) -> dict[str, dict[str, Path]]:
    """subject -> variant -> file, for files named `subjectNN.VARIANT[.ext]` under `root`."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"not a folder: {root}")
    out: dict[str, dict[str, Path]] = {}
    for p in sorted(root.iterdir()):
        m = _NAME.match(p.name)
        if m and p.is_file():
            out.setdefault(f"subject{m.group(1)}", {})[m.group(2).lower()] = p
    if not out:
        raise ValueError(f"no photos named subjectNN.VARIANT in {root}")
    if not any(NEUTRAL in v for v in out.values()):
        raise ValueError(f"no subjectNN.{NEUTRAL} photo in {root}: clips need a neutral face")
    return out


def read_photo(path: Path) -> np.ndarray:
    """BGR uint8 image of any format PIL reads (first frame of a GIF)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"cannot read image {path}: {exc}") from exc
    out: np.ndarray = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    return out


def on_canvas(img: np.ndarray, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """Scale `img` to fit a (w, h) frame, centred, borders replicated (no black edges)."""
    w, h = size
    s = min(w / img.shape[1], h / img.shape[0])
    resized = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)),
                         interpolation=cv2.INTER_CUBIC if s > 1 else cv2.INTER_AREA)
    top = (h - resized.shape[0]) // 2
    left = (w - resized.shape[1]) // 2
    out: np.ndarray = cv2.copyMakeBorder(resized, top, h - resized.shape[0] - top, left,
                                         w - resized.shape[1] - left, cv2.BORDER_REPLICATE)
    return out


@dataclass(frozen=True)
class ClipSpec:
    subject: str
    variant: str  # the expression variant, or NEUTRAL for a still clip
    fade_s: float
    fps: float
    path: Path
    n_frames: int
    onset_frame: int  # first frame that is not purely neutral (still clips: -1)
    offset_frame: int  # last such frame

    @property
    def still(self) -> bool:
        return self.onset_frame < 0


def alpha_curve(fps: float, lead_s: float, hold_s: float, tail_s: float, fade_s: float
                ) -> np.ndarray:
    """Per-frame share of the expression photo: 0, linear ramp, 1 for `hold_s`, ramp, 0."""
    ramp = max(0, round(fade_s * fps))
    up = np.arange(1, ramp + 1) / (ramp + 1)
    return np.concatenate([np.zeros(round(lead_s * fps)), up, np.ones(round(hold_s * fps)),
                           up[::-1], np.zeros(round(tail_s * fps))])


def write_video(path: Path, frames: Iterator[np.ndarray], fps: float) -> int:
    """mp4 (MPEG-4 part 2, OpenCV's encoder) of BGR frames; returns the frame count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer: Any = None
    n = 0
    try:
        for frame in frames:
            if writer is None:
                h, w = frame.shape[:2]
                writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), fps,
                                         (w, h))
                if not writer.isOpened():
                    raise ValueError(f"OpenCV cannot write an mp4 video at {path}")
            writer.write(frame)
            n += 1
    finally:
        if writer is not None:
            writer.release()
    return n


def build_clip(out_dir: Path, subject: str, neutral: np.ndarray, expr: np.ndarray | None,
               variant: str, *, fps: float = 30.0, fade_s: float = 0.0, lead_s: float = 1.5,
               hold_s: float = 0.4, tail_s: float = 1.5, size: tuple[int, int] = (640, 480)
               ) -> ClipSpec:
    """Write one clip; `expr=None` makes a still clip of `lead_s + hold_s + tail_s`."""
    a = on_canvas(neutral, size).astype(np.float32)
    if expr is None:
        alpha = np.zeros(round((lead_s + hold_s + tail_s) * fps))
        b = a
    else:
        alpha = alpha_curve(fps, lead_s, hold_s, tail_s, fade_s)
        b = on_canvas(expr, size).astype(np.float32)
    tag = f"{fade_s * 1000:03.0f}ms"
    path = out_dir / f"{subject}.{variant}.{tag}.mp4"
    n = write_video(path, ((a + float(t) * (b - a)).round().clip(0, 255).astype(np.uint8)
                           for t in alpha), fps)
    nz = np.flatnonzero(alpha > 0)
    on, off = (int(nz[0]), int(nz[-1])) if len(nz) else (-1, -1)
    return ClipSpec(subject, variant, fade_s, fps, path, n, on, off)


@dataclass
class ClipOutcome:
    subject: str
    variant: str
    fade_s: float
    hit: bool | None  # None for still clips
    events: list[dict[str, Any]] = field(default_factory=list)  # facial events
    eye_events: list[dict[str, Any]] = field(default_factory=list)
    predicted_aus: list[int] = field(default_factory=list)  # in the expression window
    false_events: int = 0  # facial events outside the window (all of a still clip's)
    frames_with_face: int = 0
    n_frames: int = 0
    low_confidence_frames: int = 0


def _overlaps(on: int, off: int, spec: ClipSpec, slack: int) -> bool:
    return on <= spec.offset_frame + slack and off >= spec.onset_frame - slack


def score_clip(spec: ClipSpec, a: VideoAnalysis) -> ClipOutcome:
    """Whether an event in the expression window carries an expected AU among its dominant
    AUs (eye variants: an eye event with AU43 / AU46); every other facial event is false."""
    slack = round(0.2 * spec.fps)
    out = ClipOutcome(spec.subject, spec.variant, spec.fade_s, None,
                      frames_with_face=a.frames_with_face, n_frames=a.n_frames,
                      low_confidence_frames=int(getattr(a, "low_confidence_frames", 0)))
    pred: set[int] = set()
    for ev in a.events:
        d = {"onset_s": round(ev.onset_s, 3), "apex_s": round(ev.apex_s, 3),
             "offset_s": round(ev.offset_s, 3), "kind": getattr(ev, "kind", "micro"),
             "dominant_aus": list(ev.dominant_aus), "me_class": ev.me_class,
             "apex_intensity": {str(a): ev.apex_aus.get(a, 0.0) for a in ev.dominant_aus},
             "emotion": ev.emotion, "confidence": ev.confidence,
             "au_confidence": {str(k): v for k, v in getattr(ev, "au_confidence", {}).items()}}
        inside = not spec.still and _overlaps(ev.onset_frame, ev.offset_frame, spec, slack)
        d["in_window"] = inside
        out.events.append(d)
        if inside:
            pred |= set(ev.dominant_aus)
        else:
            out.false_events += 1
    for eye in getattr(a, "eye_events", []):
        d = asdict(eye) if hasattr(eye, "__dataclass_fields__") else dict(eye)
        inside = not spec.still and _overlaps(eye.onset_frame, eye.offset_frame, spec, slack)
        d["in_window"] = inside
        out.eye_events.append(d)
        if inside:
            pred.add(eye.au)
    out.predicted_aus = sorted(pred)
    if not spec.still:
        out.hit = bool(pred & EXPECTED[spec.variant])
    return out


def au_precision_recall(outcomes: Sequence[ClipOutcome]) -> dict[str, dict[str, float]]:
    """Per AU over expression clips: predicted in a clip whose variant expects it = TP,
    predicted elsewhere = FP, expected but not predicted = FN. (Expected sets list the AUs a
    coder may see; a posed face rarely shows all, so recall is a lower bound.)"""
    res: dict[str, dict[str, float]] = {}
    for au in SCORED_AUS:
        tp = fp = fn = 0
        for o in outcomes:
            if o.hit is None:
                continue
            want = au in EXPECTED[o.variant]
            got = au in o.predicted_aus
            tp += want and got
            fp += got and not want
            fn += want and not got
        res[f"AU{au}"] = {"tp": tp, "fp": fp, "fn": fn,
                          "precision": round(tp / (tp + fp), 3) if tp + fp else float("nan"),
                          "recall": round(tp / (tp + fn), 3) if tp + fn else float("nan")}
    return res


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = 5
                ) -> dict[str, Any]:
    """Binned confidence vs observed accuracy and the expected calibration error."""
    if not pairs:
        return {"bins": [], "ece": float("nan"), "n": 0}
    conf = np.array([p[0] for p in pairs], float)
    ok = np.array([p[1] for p in pairs], float)
    edges = np.linspace(0, 1, bins + 1)
    rows = []
    ece = 0.0
    for lo, hi in itertools.pairwise(edges):
        m = (conf >= lo) & ((conf < hi) if hi < 1 else (conf <= hi))
        if not m.any():
            continue
        acc, mc = float(ok[m].mean()), float(conf[m].mean())
        ece += m.sum() / len(conf) * abs(acc - mc)
        rows.append({"lo": round(lo, 2), "hi": round(hi, 2), "n": int(m.sum()),
                     "mean_confidence": round(mc, 3), "accuracy": round(acc, 3)})
    return {"bins": rows, "ece": round(float(ece), 4), "n": len(pairs)}


def plot_reliability(curves: dict[str, dict[str, Any]], path: Path) -> None:
    """Reliability diagram (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "k--", lw=0.8, label="perfect calibration")
    for name, rel in curves.items():
        xs = [b["mean_confidence"] for b in rel["bins"]]
        ys = [b["accuracy"] for b in rel["bins"]]
        ax.plot(xs, ys, "o-", label=f"{name} (n={rel['n']}, ECE={rel['ece']:.3f})")
    ax.set_xlabel("stated confidence")
    ax.set_ylabel("observed accuracy")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("MindKG face path: reliability on posed-photo clips", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def build_clips(photos: dict[str, dict[str, Path]], out_dir: Path, *, fps: float = 30.0,
                fades: Sequence[float] = (0.0, 0.1, 0.2)) -> list[ClipSpec]:
    """Expression clips (every variant in EXPECTED, every fade) and one still clip per person."""
    specs: list[ClipSpec] = []
    for subject, variants in sorted(photos.items()):
        if NEUTRAL not in variants:
            continue
        neutral = read_photo(variants[NEUTRAL])
        specs.append(build_clip(out_dir, subject, neutral, None, NEUTRAL, fps=fps))
        for variant in EXPECTED:
            if variant not in variants:
                continue
            expr = read_photo(variants[variant])
            for fade in fades:
                specs.append(build_clip(out_dir, subject, neutral, expr, variant, fps=fps,
                                        fade_s=fade))
    return specs


def summarize(outcomes: Sequence[ClipOutcome]) -> dict[str, Any]:
    expr = [o for o in outcomes if o.hit is not None]
    still = [o for o in outcomes if o.hit is None]
    per_variant: dict[str, dict[str, Any]] = {}
    for v in EXPECTED:
        rows = [o for o in expr if o.variant == v]
        if rows:
            per_variant[v] = {"hits": sum(bool(o.hit) for o in rows), "clips": len(rows),
                              "rate": round(sum(bool(o.hit) for o in rows) / len(rows), 3)}
    per_fade: dict[str, dict[str, Any]] = {}
    for f in sorted({o.fade_s for o in expr}):
        rows = [o for o in expr if o.fade_s == f]
        per_fade[f"{f:.1f}s"] = {"hits": sum(bool(o.hit) for o in rows), "clips": len(rows)}
    hits = sum(bool(o.hit) for o in expr)
    return {
        "expression_clips": len(expr), "hits": hits,
        "hit_rate": round(hits / len(expr), 3) if expr else float("nan"),
        "per_variant": per_variant, "per_fade": per_fade,
        "au_precision_recall": au_precision_recall(outcomes),
        "still_clips": len(still),
        "false_events_on_still_clips": sum(o.false_events for o in still),
        "eye_events_on_still_clips": sum(len(o.eye_events) for o in still),
        "false_events_outside_window_in_expression_clips": sum(o.false_events for o in expr),
    }


def confidence_pairs(outcomes: Sequence[ClipOutcome]) -> dict[str, list[tuple[float, bool]]]:
    """(stated confidence, was it right) for events and for each dominant AU of an event."""
    ev: list[tuple[float, bool]] = []
    au: list[tuple[float, bool]] = []
    for o in outcomes:
        want = EXPECTED.get(o.variant, frozenset())
        for e in o.events + o.eye_events:
            aus = e.get("dominant_aus") or [e.get("au")]
            ok = bool(e["in_window"] and set(aus) & want)
            ev.append((float(e["confidence"]), ok))
            per = e.get("au_confidence") or {}
            for a in aus:
                c = per.get(str(a), e["confidence"])
                au.append((float(c), bool(e["in_window"] and a in want)))
    return {"events": ev, "aus": au}


def run_evaluation(root: Path, out: Path, *, fps: float = 30.0,
                   fades: Sequence[float] = (0.0, 0.1, 0.2), keep_clips: bool = False,
                   log: Any = None) -> dict[str, Any]:
    """Build the clips, analyse each with `analyze_video` (real mp4 through the real decoder),
    score them; writes `faces_eval.json` and `reliability.png` to `out`."""
    import json
    import shutil
    import tempfile

    from ingest.video.analyze import analyze_video

    photos = find_photos(root)
    if any(f < 0 or f > 1.0 for f in fades) or fps <= 0:
        raise ValueError("fades must be within 0..1 s and fps positive")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    clip_dir = out / "clips" if keep_clips else Path(tempfile.mkdtemp(prefix="mindkg-faces-"))
    outcomes: list[ClipOutcome] = []
    try:
        specs = build_clips(photos, clip_dir, fps=fps, fades=fades)
        for k, spec in enumerate(specs):
            try:
                a = analyze_video(spec.path, fps=fps, progress=False)
                o = score_clip(spec, a)
            except ValueError as exc:  # VideoInputError: e.g. no face in the photo
                o = ClipOutcome(spec.subject, spec.variant, spec.fade_s,
                                None if spec.still else False)
                o.events.append({"error": str(exc)})
            outcomes.append(o)
            if log is not None:
                log(f"[{k + 1}/{len(specs)}] {spec.path.name}: hit={o.hit} "
                    f"aus={o.predicted_aus} false={o.false_events}")
    finally:
        if not keep_clips:
            shutil.rmtree(clip_dir, ignore_errors=True)
    report = summarize(outcomes)
    pairs = confidence_pairs(outcomes)
    curves = {name: reliability(p) for name, p in pairs.items()}
    report["reliability"] = curves
    report["settings"] = {"root": str(root), "fps": fps, "fades_s": list(fades),
                          "lead_s": 1.5, "hold_s": 0.4, "tail_s": 1.5, "size": [640, 480],
                          "people": sorted(photos)}
    report["clips"] = [asdict(o) for o in outcomes]
    (out / "faces_eval.json").write_text(json.dumps(report, indent=2, default=str))
    plot_reliability(curves, out / "reliability.png")
    return report
