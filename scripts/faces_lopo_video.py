"""Video-level leave-one-person-out check of relative.SCALES and the eye thresholds.

    python scripts/faces_lopo_video.py --root DIR --work OUT [--fades 0,0.2]

Builds the clips `mindkg eval faces` builds, runs `analyze_video` once on each while recording
per frame the FaceMesh landmarks and eye measures the AU model saw (cached in OUT/cache.pkl).
Then, for each person, SCALES and the eye thresholds are re-estimated from the other people's
photos (scripts/faces_scales.py's procedure) and applied to that person's clips (FaceMesh-
relative AUs only, the optical-flow part left out), scored as `mindkg eval faces` scores.
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import faces_scales

from ingest.video import aus, spotting
from ingest.video import relative as rel
from ingest.video.analyze import _event_from, analyze_video
from ingest.video.au_defs import AUS
from research.video.posed import EXPECTED, build_clips, find_photos

Frame = tuple[np.ndarray, tuple[float, float, float]]  # landmarks, eye measures


def record(root: Path, work: Path, fades: list[float]) -> list[dict[str, Any]]:
    cache = work / "cache.pkl"
    if cache.is_file():
        with cache.open("rb") as fh:
            out: list[dict[str, Any]] = pickle.load(fh)
        return out
    frames: list[Frame] = []

    class Recorder(aus.HybridAUModel):
        def predict(self, frame: np.ndarray | None, landmarks: np.ndarray,
                    keypoints: np.ndarray) -> np.ndarray:
            row = super().predict(frame, landmarks, keypoints)
            e = self.relative.last_eyes
            frames.append((landmarks.copy(),
                           (e.closure_right, e.closure_left, e.asymmetry)))
            return row

    aus.register_au_model("lopo-recorder", Recorder)
    res = []
    for spec in build_clips(find_photos(root), work / "clips", fades=fades):
        frames.clear()
        analyze_video(spec.path, fps=spec.fps, progress=False, au_model="lopo-recorder")
        res.append({"spec": spec, "frames": list(frames)})
    with cache.open("wb") as out_fh:
        pickle.dump(res, out_fh)
    return res


def rows(frames: list[Frame], scales: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    model = rel.RelativeAUModel()
    for lm, _ in frames[:15]:
        model.observe(None, lm)
    model.finish()
    assert model.neutral is not None
    out = np.zeros((len(frames), len(AUS)))
    for t, (lm, eye) in enumerate(frames):
        a = rel.procrustes(model.neutral.shape, rel.to_face_full(lm))
        raw = rel.measures(a, model.neutral.shape)
        er, el = rel.eye_aspect(lm)
        raw[5] = (er / model.neutral.ear[0] + el / model.neutral.ear[1]) / 2 - 1
        for au, v in raw.items():
            if au in scales:
                out[t, AUS.index(au)] = np.clip(3.0 * v / scales[au], 0, 5)
        out[t, AUS.index(27)] = np.clip(3.0 * (raw[27] - scales[26]) / (0.30 - scales[26]),
                                        0, 5)
        out[t, AUS.index(43)] = 5.0 * min(eye[0], eye[1])
    return out, np.array([e for _, e in frames])


def score(item: dict[str, Any], scales: dict[int, float], closed: float, wink: float
          ) -> tuple[bool | None, int]:
    spec = item["spec"]
    au_r, eyes = rows(item["frames"], scales)
    fps = spec.fps
    params = spotting.SpotParams()
    spotted = spotting.spot(au_r, fps, params)
    held = [h for h in spotting.sustained(au_r, fps)
            if not any(i.onset <= h.offset and i.offset >= h.onset for i in spotted)]

    def inside(on: int, off: int) -> bool:
        return (not spec.still and on <= spec.offset_frame + 6
                and off >= spec.onset_frame - 6)

    pred: set[int] = set()
    false = 0
    for iv in [*spotted, *held]:
        _, dom = _event_from(iv, au_r, fps, params.baseline_s, absolute=iv in held)
        if dom and inside(iv.onset, iv.offset):
            pred |= set(dom)
        elif dom:
            false += 1
    for e in spotting.spot_eyes(eyes[:, :2], eyes[:, 2], fps, closed=closed, wink=wink):
        if inside(e.onset_frame, e.offset_frame):
            pred.add(e.au)
        else:
            false += 1
    return (None if spec.still else bool(pred & EXPECTED[spec.variant])), false


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--fades", default="0,0.2")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    items = record(args.root, args.work, [float(x) for x in args.fades.split(",")])
    data = faces_scales.measure(args.root)
    people = sorted(data)
    totals: dict[str, list[int]] = {}
    still_false = 0
    for person in people:
        fitted = faces_scales.fit(data, [q for q in people if q != person])
        scales = {int(k): float(v) for k, v in fitted["scales"].items()}
        for item in items:
            if item["spec"].subject != person:
                continue
            hit, false = score(item, scales, fitted["closed"], fitted["wink"])
            if hit is None:
                still_false += false
                continue
            t = totals.setdefault(item["spec"].variant, [0, 0])
            t[0] += hit
            t[1] += 1
    hits = sum(t[0] for t in totals.values())
    n = sum(t[1] for t in totals.values())
    print(f"LOPO video-level (FaceMesh-relative AUs): {hits}/{n}",
          {v: f"{a}/{b}" for v, (a, b) in totals.items()}, "still-clip events", still_false)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
