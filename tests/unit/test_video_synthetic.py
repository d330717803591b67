"""The SYNTHETIC generator writes decodable videos, truth rows in real sheet layouts and
dataset-style frame folders."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from ingest.video import geometry as g
from ingest.video.decode import iter_frames, probe
from ingest.video.face import landmarks_once
from research.video.synthetic import (
    ClipTruth,
    PlantedEvent,
    generate_clip,
    write_annotations,
    write_frame_folder,
)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> ClipTruth:
    out = tmp_path_factory.mktemp("synthetic")
    return generate_clip(out, face="astronaut", aus={4: 1.0}, onset_s=0.3, apex_s=0.45,
                         offset_s=0.6, duration_s=0.8, fps=120, size=(320, 240), seed=3,
                         emotion_label="sadness", subject="07", filename="EP01_01")


def test_clip_decodes_with_truth_frames(clip: ClipTruth) -> None:
    assert "SYNTHETIC" in clip.video_path.name
    assert (clip.video_path.parent / "README_SYNTHETIC.txt").is_file()
    info = probe(clip.video_path)
    assert info.fps == pytest.approx(120.0)
    frames = list(iter_frames(clip.video_path))
    assert len(frames) == clip.n_frames == 96
    assert frames[0].shape == (240, 320, 3)
    assert (clip.onset_frame, clip.apex_frame, clip.offset_frame) == (37, 55, 73)
    assert clip.au_string == "4"


def test_planted_brow_lowerer_moves_the_brows_down(clip: ClipTruth) -> None:
    frames = list(iter_frames(clip.video_path))
    neutral = g.to_face(landmarks_once(frames[0]))
    apex = g.align_to(neutral, g.to_face(landmarks_once(frames[clip.apex_frame - 1])))
    inner = [g.KEY_INDEX[p] for p in (107, 55, 336, 285)]
    mouth = [g.KEY_INDEX[p] for p in g.MOUTH_CORNERS]
    drop = float((apex[inner, 1] - neutral[inner, 1]).mean())  # y grows downwards
    assert drop > 0.01  # inner brows lowered by > 1% of the inter-ocular distance
    assert drop > 2 * float(np.abs(apex[mouth] - neutral[mouth]).mean())


def test_casme2_and_samm_sheets(clip: ClipTruth, tmp_path: Path) -> None:
    path = write_annotations([clip], tmp_path / "SYNTHETIC-CASME2-coding.csv", fmt="casme2")
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["Subject", "Filename", "", "OnsetFrame", "ApexFrame", "OffsetFrame", "",
                       "Action Units", "Estimated Emotion"]
    assert rows[1] == ["07", "EP01_01", "", "37", "55", "73", "", "4", "sadness"]
    samm = list(csv.reader(write_annotations([clip], tmp_path / "SYNTHETIC-SAMM.csv",
                                             fmt="samm").open()))
    assert "SYNTHETIC" in samm[0][0]
    assert samm[13][:4] == ["Subject", "Filename", "Inducement Code", "Onset Frame"]
    assert samm[14][6] == "37"  # Duration = offset - onset + 1
    with pytest.raises(ValueError, match="SYNTHETIC"):
        write_annotations([clip], tmp_path / "CASME2-coding.csv")


def test_frame_folder_layouts(clip: ClipTruth, tmp_path: Path) -> None:
    folder = write_frame_folder(clip, tmp_path / "casme2", layout="casme2", selected=True)
    assert folder == tmp_path / "casme2" / "sub07" / "EP01_01"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 73 - 37 + 1
    assert "img37.jpg" in names and "img73.jpg" in names
    img = cv2.imread(str(folder / "img55.jpg"))
    assert img is not None and img.shape == (240, 320, 3)
    samm = write_frame_folder(clip, tmp_path / "samm", layout="samm", selected=True)
    assert (samm / "07_00037.jpg").is_file()


def test_event_validation() -> None:
    with pytest.raises(ValueError, match="onset_s < apex_s"):
        PlantedEvent(aus={4: 0.5}, onset_s=1.0, apex_s=0.9, offset_s=1.2)
    with pytest.raises(ValueError, match="unsupported"):
        PlantedEvent(aus={3: 0.5}, onset_s=1.0, apex_s=1.1, offset_s=1.2)
