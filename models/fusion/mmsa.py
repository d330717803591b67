"""MMSA `label.csv` (CMU-MOSI, CMU-MOSEI, CH-SIMS) loading and the metrics published work quotes.

Columns are read by name (copies differ in order; FORMATS.md section 7); `mode` accepts
`validation` for `valid`. Features are not in label.csv: users pass per-clip group vectors
(e.g. from MMSA's Processed pkl, which we do not unpickle for them), or use
`text_hash_vector` as a weak text-only baseline.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REQUIRED = ("video_id", "clip_id", "text", "label", "mode")
_MODES = {"train": "train", "valid": "valid", "validation": "valid", "test": "test"}


class MMSAFormatError(ValueError):
    """A label.csv that does not follow the MMSA convention."""


@dataclass(frozen=True)
class MMSARow:
    video_id: str
    clip_id: str
    text: str
    label: float
    label_t: float | None
    label_a: float | None
    label_v: float | None
    annotation: str
    mode: str

    @property
    def key(self) -> str:
        """MMSA's id convention `video_id$_$clip_id`."""
        return f"{self.video_id}$_${self.clip_id}"


def _opt_float(value: str | None, where: str) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise MMSAFormatError(f"{where}: {value!r} is not a number") from None


def load_label_csv(path: str | Path) -> list[MMSARow]:
    path = Path(path)
    if not path.is_file():
        raise MMSAFormatError(f"{path}: no such label.csv")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        lacking = [c for c in REQUIRED if c not in header]
        if lacking:
            raise MMSAFormatError(f"{path}: missing column(s) {', '.join(lacking)}; has {header}")
        rows = []
        for n, r in enumerate(reader, start=2):
            where = f"{path}:{n}"
            mode = _MODES.get((r.get("mode") or "").strip().lower())
            if mode is None:
                raise MMSAFormatError(f"{where}: mode {r.get('mode')!r} not train/valid/test")
            label = _opt_float(r.get("label"), where)
            if label is None:
                raise MMSAFormatError(f"{where}: empty label")
            rows.append(MMSARow(
                video_id=str(r["video_id"]), clip_id=str(r["clip_id"]), text=r.get("text") or "",
                label=label, label_t=_opt_float(r.get("label_T"), where),
                label_a=_opt_float(r.get("label_A"), where),
                label_v=_opt_float(r.get("label_V"), where),
                annotation=(r.get("annotation") or "").strip(), mode=mode))
    if not rows:
        raise MMSAFormatError(f"{path}: no rows")
    return rows


def text_hash_vector(text: str, dim: int = 64) -> np.ndarray:
    """Hashed character-bigram counts (L2-normalised): a dependency-free text baseline."""
    v = np.zeros(dim)
    chars = text.strip().lower()
    for a, b in itertools.pairwise(chars):
        h = int.from_bytes(hashlib.md5((a + b).encode()).digest()[:4], "little")
        v[h % dim] += 1.0
    n = np.linalg.norm(v)
    return v / n if n else v


def _weighted_f1(y: np.ndarray, p: np.ndarray) -> float:
    f1s, weights = [], []
    for c in (False, True):
        tp = float(np.sum((p == c) & (y == c)))
        fp = float(np.sum((p == c) & (y != c)))
        fn = float(np.sum((p != c) & (y == c)))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        weights.append(float(np.sum(y == c)))
    return float(np.dot(f1s, weights) / max(1.0, sum(weights)))


def mmsa_metrics(pred: Sequence[float], truth: Sequence[float]) -> dict[str, float]:
    """MMSA conventions: Has0 (>=0 vs <0) and Non0 (zeros removed, >0 vs <0) Acc-2 and
    weighted F1, MAE and Pearson correlation. `Non0_acc_2` is the usual "Acc-2"."""
    p, y = np.asarray(pred, dtype=float), np.asarray(truth, dtype=float)
    if p.shape != y.shape or p.size == 0:
        raise ValueError("predictions and labels must be non-empty and the same length")
    nz = y != 0
    out = {
        "Has0_acc_2": float(np.mean((p >= 0) == (y >= 0))),
        "Has0_F1": _weighted_f1(y >= 0, p >= 0),
        "Non0_acc_2": float(np.mean((p[nz] > 0) == (y[nz] > 0))) if nz.any() else float("nan"),
        "Non0_F1": _weighted_f1(y[nz] > 0, p[nz] > 0) if nz.any() else float("nan"),
        "MAE": float(np.mean(np.abs(p - y))),
    }
    out["Corr"] = float(np.corrcoef(p, y)[0, 1]) if p.std() > 0 and y.std() > 0 else float("nan")
    return out
