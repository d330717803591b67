"""`mindkg eval faces` and the neutral-relative AU / eye-event path, on fixtures made here.

The "posed photos" are skimage's astronaut (a real photo) warped with the project's AU
templates (SYNTHETIC expressions) and with painted lids for closed eyes / a wink, saved as
`subject01.VARIANT` in several formats (GIF without extension, PNG, JPEG) like the Yale files.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from ingest.video import geometry as g
from ingest.video import relative as rel
from ingest.video.spotting import spot_eyes
from research.video.posed import (
    EXPECTED,
    alpha_curve,
    build_clip,
    find_photos,
    read_photo,
    reliability,
)


def _save(img_bgr: np.ndarray, path: Path, fmt: str) -> None:
    rgb = cv2.cvtColor(img_bgr, cv2.COLOR_BGR2RGB)
    im = Image.fromarray(rgb)
    if fmt == "GIF":
        im = im.convert("L")  # Yale photos are grayscale GIFs
    im.save(path, format=fmt)


@pytest.fixture(scope="module")
def posed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ingest.video.warp import apply_field, au_fields
    from research.video.synthetic import frame_face, load_face, paint_eyelids

    root = tmp_path_factory.mktemp("posed")
    base, pts = frame_face(load_face("astronaut"), (320, 243), face_height=0.8)
    fields = au_fields(pts, [1, 2, 26], (320, 243), step=6)
    surprised = apply_field(base, fields[1] + fields[2] + fields[26])
    sleepy = paint_eyelids(base, pts, 1.0)
    mid_x = int((g.eye_centers(pts)[0][0] + g.eye_centers(pts)[1][0]) / 2)
    wink = base.copy()
    wink[:, mid_x:] = sleepy[:, mid_x:]  # the subject's left eye (image right) closed
    _save(base, root / "subject01.normal", "GIF")  # no extension, like the Yale files
    _save(surprised, root / "subject01.surprised.png", "PNG")
    _save(sleepy, root / "subject01.sleepy", "PNG")
    _save(wink, root / "subject01.wink.jpg", "JPEG")
    (root / "notes.txt").write_text("not a photo")
    return root


def test_find_photos_and_formats(posed: Path, tmp_path: Path) -> None:
    photos = find_photos(posed)
    assert set(photos) == {"subject01"}
    assert set(photos["subject01"]) == {"normal", "surprised", "sleepy", "wink"}
    img = read_photo(photos["subject01"]["normal"])  # GIF without extension
    assert img.shape == (243, 320, 3) and img.dtype == np.uint8
    with pytest.raises(ValueError, match="no photos"):
        find_photos(tmp_path)
    (tmp_path / "subject02.happy").write_bytes(b"not an image")
    with pytest.raises(ValueError, match="neutral"):
        find_photos(tmp_path)
    with pytest.raises(ValueError, match="cannot read"):
        read_photo(tmp_path / "subject02.happy")


def test_clip_timing_jump_and_fade(posed: Path, tmp_path: Path) -> None:
    a = alpha_curve(30.0, 1.5, 0.4, 1.5, 0.0)
    assert len(a) == 102 and a.sum() == 12 and a[45] == 1.0 and a[44] == 0.0
    f = alpha_curve(30.0, 1.5, 0.4, 1.5, 0.2)
    assert len(f) == 114 and (np.diff(f[44:52]) > 0).all() and f.max() == 1.0
    photos = find_photos(posed)["subject01"]
    spec = build_clip(tmp_path, "subject01", read_photo(photos["normal"]),
                      read_photo(photos["surprised"]), "surprised", fade_s=0.1)
    cap = cv2.VideoCapture(str(spec.path))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    ok, frame = cap.read()
    cap.release()
    assert ok and frame.shape == (480, 640, 3) and n == spec.n_frames == 108
    assert (spec.onset_frame, spec.offset_frame) == (45, 62)
    still = build_clip(tmp_path, "subject01", read_photo(photos["normal"]), None, "normal")
    assert still.still and still.n_frames == 102


def test_eval_faces_end_to_end(posed: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli_eval import eval_app

    root = tmp_path / "photos"
    root.mkdir()
    for name in ("subject01.normal", "subject01.surprised.png", "subject01.sleepy"):
        (root / name).write_bytes((posed / name).read_bytes())
    out = tmp_path / "out"
    args = ["--root", str(root), "--out", str(out), "--fades", "0"]
    if len(eval_app.registered_commands) > 1:  # typer runs a lone command without its name
        args = ["faces", *args]
    res = CliRunner().invoke(eval_app, args)
    assert res.exit_code == 0, res.output
    report = json.loads((out / "faces_eval.json").read_text())
    assert (out / "reliability.png").stat().st_size > 1000
    assert report["expression_clips"] == 2 and report["still_clips"] == 1
    assert report["false_events_on_still_clips"] == 0
    assert report["eye_events_on_still_clips"] == 0
    assert report["per_variant"]["surprised"]["hits"] == 1
    assert report["per_variant"]["sleepy"]["hits"] == 1
    surprised = next(c for c in report["clips"] if c["variant"] == "surprised")
    assert set(surprised["predicted_aus"]) & EXPECTED["surprised"]
    ev = surprised["events"][0]
    assert ev["kind"] in ("micro", "macro") and 0 < ev["confidence"] <= 1
    assert set(ev["au_confidence"]) == {str(a) for a in ev["dominant_aus"]}
    sleepy = next(c for c in report["clips"] if c["variant"] == "sleepy")
    closed = [e for e in sleepy["eye_events"] if e["in_window"]]
    assert closed and all(e["au"] == 43 and e["side"] == "both" for e in closed)
    assert "expression clips right" in res.output and "AU12" in res.output


def test_eval_faces_bad_root_exits_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli_eval import eval_app

    args = ["--root", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]
    if len(eval_app.registered_commands) > 1:
        args = ["faces", *args]
    res = CliRunner().invoke(eval_app, args)
    assert res.exit_code == 2
    assert not (tmp_path / "o").exists()


def test_relative_measures_ignore_head_pose(posed: Path) -> None:
    """A rotated, scaled, shifted copy of the neutral landmarks measures no AU."""
    from ingest.video.face import landmarks_once

    img = read_photo(find_photos(posed)["subject01"]["normal"])
    pts = landmarks_once(cv2.resize(img, (640, 486)))
    model = rel.RelativeAUModel()
    model.observe(None, pts)
    model.finish()
    c, s = np.cos(0.2), np.sin(0.2)
    moved = (pts - pts.mean(0)) @ np.array([[c, -s], [s, c]]).T * 0.8 + pts.mean(0) + 17.0
    out = model.predict(None, moved)
    assert max(v for au, v in out.items() if au != 43) < 0.05
    # corners up and out: AU12 measured, brows untouched
    smile = pts.copy()
    _, _, iod = g.face_frame(pts)
    smile[61] += np.array([-0.06, -0.06]) * iod
    smile[291] += np.array([0.06, -0.06]) * iod
    out = model.predict(None, smile)
    assert out[12] > 1.0 and out[1] < 0.1 and out[4] < 0.1
    assert rel.frame_quality(pts) > 0.9


def test_eye_events_blink_closure_wink_and_still() -> None:
    fps = 30.0
    n = 150
    closure = np.zeros((n, 2))
    asym = np.zeros(n)
    closure[30:35] = 0.8  # 0.17 s: a blink (AU45)
    closure[70:85] = 0.7  # 0.5 s: eyes closed (AU43)
    closure[110:122, 1] = 0.8  # left eye only: a wink (AU46)
    closure[110:122, 0] = 0.2
    asym[110:122] = 0.2
    ev = spot_eyes(closure, asym, fps)
    assert [(e.kind, e.au, e.side) for e in ev] == [
        ("blink", 45, "both"), ("eye_closure", 43, "both"), ("wink", 46, "left")]
    assert ev[1].onset_frame == 70 and ev[1].offset_frame == 84
    noise = np.random.default_rng(0).normal(0, 0.03, (n, 2)).clip(0, 1)
    assert spot_eyes(noise, np.abs(noise[:, 0] - noise[:, 1]), fps) == []
    nan = closure.copy()
    nan[:] = np.nan
    assert spot_eyes(nan, np.full(n, np.nan), fps) == []


def test_reliability_bins() -> None:
    r = reliability([(0.9, True), (0.9, True), (0.1, False), (0.1, True)], bins=5)
    assert r["n"] == 4 and len(r["bins"]) == 2
    assert r["ece"] == pytest.approx(0.5 * 0.1 + 0.5 * 0.4)
