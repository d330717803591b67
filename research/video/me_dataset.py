"""Micro-expression training sets on the video path's terms.

- `FaceCropReader`: a dataset frame file -> the aligned, equalised face the video path's
  classifier sees at inference (`face.aligned_face`), so a model trained with
  `mindkg mer train` reads the same kind of input in `mindkg analyze`.
- `write_casme3_sample`: a small SYNTHETIC set in the CAS(ME)^3 Part A layout (frames
  `part_A/data/part_A/spNO.<S>/<clip>/color/<N>.jpg` plus a Part A label sheet), generated
  by `research.video.synthetic` with planted AU combinations per MEGC class. For tests, demos
  and the seeded reproduction of the shipped weights; never a stand-in for real data.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import cv2
import numpy as np

from ingest.video.face import Landmarker, aligned_face

CROP_SIZE = 128  # the side of `analyze.window_crops`

# Planted AU sets per MEGC class (FACS prototypes; AU numbers the generator supports).
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
SHEET_NAME = "SYNTHETIC_cas(me)3_part_A_ME_label_JpgIndex.csv"


class FaceCropReader:
    """Frame file -> aligned grayscale face in [0, 1] (CROP_SIZE square), via FaceMesh.

    Raises ValueError naming the file when no face is found: a dataset of ready-made crops
    (e.g. CASME II `Cropped`) is read without alignment instead (`mindkg mer train --faces
    crops`).
    """

    def __init__(self) -> None:
        self._mesh = Landmarker(static=True)

    def __call__(self, path: Path) -> np.ndarray:
        frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if frame is None:
            raise ValueError(f"cannot read frame {path}")
        pts = self._mesh(frame)
        if pts is None:
            raise ValueError(
                f"no face found in {path}; if the frames are face crops already, use --faces crops"
            )
        return aligned_face(frame, pts, size=CROP_SIZE).astype(np.float32) / 255.0

    def close(self) -> None:
        self._mesh.close()

    def __enter__(self) -> FaceCropReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def write_casme3_sample(
    root: Path,
    *,
    faces: tuple[str, ...] = ("astronaut",),
    per_class: int = 2,
    seed: int = 0,
    size: tuple[int, int] = (256, 256),
    fps: float = 120.0,
) -> Path:
    """Write a SYNTHETIC CAS(ME)^3 Part A folder: one subject per face, `per_class` clips of
    each MEGC class per subject (0.5 s at 120 fps). Returns the label sheet's path.

    Seeded: the same arguments give the same frames. Refuses a non-empty `root`.
    """
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise ValueError(f"{root} is not empty; the sample set is written to a new folder")
    if not 1 <= per_class <= 4:
        raise ValueError("per_class must be 1..4 (CAS(ME)^3 clip ids are letters a-m)")
    from research.video.synthetic import generate_clip, write_annotations, write_frame_folder

    rng = np.random.default_rng(seed)
    truths = []
    videos = Path(tempfile.mkdtemp(prefix="mindkg-me-sample-"))
    try:
        for s, face in enumerate(faces, start=1):
            k = 0
            for recipes in RECIPES.values():
                for _ in range(per_class):
                    emotion, aus = recipes[int(rng.integers(len(recipes)))]
                    onset = float(rng.uniform(0.06, 0.12))
                    apex = onset + float(rng.uniform(0.06, 0.12))
                    offset = apex + float(rng.uniform(0.08, 0.16))
                    truth = generate_clip(
                        videos, face=face, aus={a: float(rng.uniform(0.5, 1.0)) for a in aus},
                        onset_s=onset, apex_s=apex, offset_s=offset, duration_s=0.5, fps=fps,
                        size=size, seed=int(rng.integers(1 << 30)), emotion_label=emotion,
                        subject=str(s), filename="abcdefghijklm"[k],
                    )  # fmt: skip
                    k += 1
                    write_frame_folder(truth, root, "casme3")
                    truths.append(truth)
        return write_annotations(truths, root / SHEET_NAME, "casme3")
    finally:
        shutil.rmtree(videos, ignore_errors=True)
