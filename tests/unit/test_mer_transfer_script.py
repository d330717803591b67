"""The transfer experiment's bookkeeping: dev subsets of target size and paired summaries."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "mer_transfer_experiment", ROOT / "scripts" / "mer_transfer_experiment.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_subset_keeps_subjects_and_caps_clips_per_class(tmp_path: Path) -> None:
    m = _script()
    root = tmp_path / "src"
    rows = ["Subject,Filename,,OnsetFrame,ApexFrame,OffsetFrame,,Action Units,Estimated Emotion"]
    for sub in ("01", "02"):
        (root / "Cropped" / f"sub{sub}").mkdir(parents=True)
        for k, cls in enumerate(["pos", "pos", "pos", "neg", "neg", "sur"], start=1):
            rows.append(f"{sub},EP{k:02d}_{cls},,1,2,3,,12,happiness")
    (root / "CASME2-coding-SYNTHETIC.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = m.subset(root, ["02"], tmp_path / "dst", per_class=2)
    kept = (out / "CASME2-coding-SYNTHETIC.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert [r.split(",")[1] for r in kept] == ["EP01_pos", "EP02_pos", "EP04_neg", "EP05_neg", "EP06_sur"]
    assert {r.split(",")[0] for r in kept} == {"02"}
    assert (out / "Cropped" / "sub02").is_symlink()


def test_paired_lines_compare_seed_by_seed() -> None:
    m = _script()
    summary = {
        "cnn_gcn transferred": {"runs": [{"seed": 0, "uf1": 0.7}, {"seed": 1, "uf1": 0.6}]},
        "cnn transferred": {"runs": [{"seed": 0, "uf1": 0.5}, {"seed": 1, "uf1": 0.7}]},
    }
    lines = m.paired_lines(summary)
    assert lines[-1].startswith("| cnn transferred | +0.050 ± ")
    assert lines[-1].endswith("| 1/2 |")
