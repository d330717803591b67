"""Speech emotion on EmoDB-layout folders: reader, LOSO metrics, weights, runtime, CLI and the
speech feature text. The folder is generated here (short harmonic WAVs with per-emotion
pitch/loudness/rate, `labels.csv` file,speaker,emotion); audio goes through the real
decoders (soundfile for training, ffmpeg for the CLI and the speech path).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from models.speech_emotion import runtime
from research.speech_emotion.emodb import CLASSES, DatasetError, read_emodb
from research.speech_emotion.metrics import bootstrap_uar, report, uar
from research.speech_emotion.train import (
    FloorConfig,
    LstmConfig,
    fit_final,
    load_corpus,
    loso,
    train_lstm,
)

SR = 16_000
# emotion -> (f0 Hz, amplitude, syllables per second)
STYLE = {"anger": (220, 0.6, 6.0), "boredom": (110, 0.15, 2.5), "disgust": (140, 0.3, 3.0),
         "fear": (260, 0.3, 7.0), "happiness": (240, 0.5, 5.0), "neutral": (150, 0.3, 4.0),
         "sadness": (120, 0.12, 2.5)}
SPEECH = Path(__file__).resolve().parents[2] / "samples" / "speech"
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


def _voice(f0: float, amp: float, rate: float, seconds: float, rng: np.random.Generator
           ) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    f = f0 * (1 + 0.08 * np.sin(2 * np.pi * 1.3 * t + rng.uniform(0, 6)))
    phase = 2 * np.pi * np.cumsum(f) / SR
    harm = sum(np.sin(k * phase) / k for k in range(1, 12))
    env = np.clip(np.sin(np.pi * rate * t), 0, None) ** 0.7
    y = amp * env * harm / 3 + 0.003 * rng.standard_normal(t.size)
    return np.clip(y, -0.95, 0.95).astype(np.float32)


def make_emodb(root: Path, speakers: tuple[str, ...] = ("01", "02", "03"), per: int = 2,
               seconds: float = 1.0) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    rows = []
    for s_i, spk in enumerate(speakers):
        for emo, (f0, amp, rate) in STYLE.items():
            for k in range(per):
                name = f"{spk}{emo[:3]}{k}.wav"
                y = _voice(f0 * (1 + 0.1 * s_i), amp, rate, seconds, rng)
                sf.write(root / name, y, SR, subtype="PCM_16")
                rows.append({"file": name, "speaker": spk, "emotion": emo})
    with (root / "labels.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["file", "speaker", "emotion"])
        w.writeheader()
        w.writerows(rows)
    return root


@pytest.fixture(scope="module")
def emodb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_emodb(tmp_path_factory.mktemp("emodb"))


def test_reader_rejects_bad_folders(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"labels\.csv"):
        read_emodb(tmp_path)
    (tmp_path / "labels.csv").write_text("file,speaker,emotion\n../x.wav,01,anger\n")
    with pytest.raises(DatasetError, match="plain relative"):
        read_emodb(tmp_path)
    sf.write(tmp_path / "a.wav", np.zeros(1600, dtype=np.float32), SR)
    (tmp_path / "labels.csv").write_text("file,speaker,emotion\na.wav,01,joy\n")
    with pytest.raises(DatasetError, match="joy"):
        read_emodb(tmp_path)
    (tmp_path / "labels.csv").write_text("file,speaker,emotion\na.wav,01,anger\n")
    with pytest.raises(DatasetError, match="2 speakers"):
        read_emodb(tmp_path)


def test_uar_and_bootstrap() -> None:
    y = np.array([0, 0, 1, 1, 2, 2])
    p = np.array([0, 0, 1, 0, 2, 1])
    assert uar(y, p, [0, 1, 2]) == pytest.approx((1 + 0.5 + 0.5) / 3)
    lo, hi = bootstrap_uar(y, p, [0, 1, 2], n=200)
    assert 0 <= lo <= hi <= 1
    probs = np.eye(7)[[0, 4, 5, 6, 6]]
    r = report(probs, np.array([0, 4, 5, 6, 5]), CLASSES,
               ("anger", "happiness", "neutral", "sadness"), ["a", "a", "b", "b", "b"])
    assert r["uar_4"] == pytest.approx((1 + 1 + 0.5 + 1) / 4)
    assert np.asarray(r["confusion"]).sum() == 5


@pytest.mark.slow
def test_loso_lstm_is_seeded_and_weights_load(emodb: Path, tmp_path: Path) -> None:
    corpus = load_corpus(emodb)
    assert corpus.frames.shape[1:] == (99, 120)  # 1 s clips padded to 2 s, 20 ms steps
    assert [f.shape for f in corpus.speed_frames] == [corpus.frames.shape] * 2
    cfg = LstmConfig(hidden=8, attn_dim=4, epochs=2, patience=1)
    a = runtime.lstm_probs(train_lstm(corpus.frames, corpus.y, cfg).model, corpus.frames[:5])
    b = runtime.lstm_probs(train_lstm(corpus.frames, corpus.y, cfg).model, corpus.frames[:5])
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a.sum(axis=1), 1, rtol=1e-5)
    res = loso(corpus, cfg, FloorConfig())
    assert set(res["models"]) == {"floor", "attention_lstm", "ensemble"}
    for fold in res["lstm_folds"].values():  # early stopping on another training speaker
        assert 1 <= fold["epochs"] <= 2 and fold["val_speaker"] in res["speakers"]
    for m in res["models"].values():
        assert 0 <= m["uar_7_ci95"][0] <= m["uar_7"] <= m["uar_7_ci95"][1] <= 1
        assert np.asarray(m["confusion"]).sum() == len(corpus.clips)
    # per-emotion pitch/loudness/rate is learnable by the floor across speakers
    assert res["models"]["floor"]["uar_7"] > 0.4
    paths = fit_final(corpus, tmp_path, cfg, FloorConfig(), None, res["lstm_final_epochs"])
    assert sorted(p.name for p in paths) == ["attention_lstm.npz", "floor.npz"]
    y = _voice(230, 0.5, 5.0, 3.5, np.random.default_rng(3))
    for kind in runtime.KINDS:
        model = runtime.load(kind, tmp_path)
        probs = model.window_probs(runtime.windows(y))
        assert probs.shape == (3, 7)  # 3.5 s: windows at 0, 1 and 1.5 s
        np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
        est = runtime.summarise(probs, model)
        assert est is not None and est["label"] in CLASSES


def test_windows_follow_voicing() -> None:
    y = np.ones(5 * SR, dtype=np.float32)
    voiced = np.zeros(y.size, dtype=bool)
    voiced[: 2 * SR] = True
    assert len(runtime.windows(y)) == 4
    assert len(runtime.windows(y, voiced)) == 2  # windows at 0 s and 1 s are half voiced
    assert runtime.windows(y[: SR], np.zeros(SR, dtype=bool)) == []
    assert len(runtime.windows(y[: SR])) == 1
    assert len(runtime.windows(np.ones(60 * SR, dtype=np.float32), max_windows=5)) == 5


@needs_ffmpeg
def test_cli_speech_emotion_json(emodb: Path, tmp_path: Path) -> None:
    from api.cli import app

    long = tmp_path / "long.wav"
    rng = np.random.default_rng(5)
    sf.write(long, np.concatenate([_voice(240, 0.5, 5.0, 2.5, rng), np.zeros(SR, np.float32),
                                   _voice(120, 0.2, 3.0, 2.0, rng)]), SR)
    mp3 = tmp_path / "clip.mp3"
    os.system(f"ffmpeg -v error -y -i {emodb / '01ang0.wav'} {mp3}")
    env = {"MINDKG_PURPOSE": "counseling"}
    r = CliRunner().invoke(app, ["speech", "emotion", "--json", str(long), str(mp3)], env=env)
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["file"] for row in rows] == [str(long), str(mp3)]
    for row in rows:
        assert row["label"] in CLASSES
        assert sum(row["probabilities"].values()) == pytest.approx(1, abs=1e-3)
        assert row["model"].startswith("speech_emotion/")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF not audio at all")
    r = CliRunner().invoke(app, ["speech", "emotion", "--json", str(bad)], env=env)
    assert r.exit_code == 2 and not r.stdout.strip()
    # one bad file among good ones: the good lines, one error line for the bad one, exit 2
    r = CliRunner().invoke(app, ["speech", "emotion", "--json", str(long), str(bad), str(mp3)],
                           env=env)
    assert r.exit_code == 2, r.output
    assert [json.loads(line)["file"] for line in r.stdout.splitlines()] == [str(long), str(mp3)]
    errors = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("error:") and "bad.wav" in errors[0]


def test_cli_eval_speech_emotion_floor(emodb: Path, tmp_path: Path) -> None:
    from api.cli import app

    out = tmp_path / "eval"
    r = CliRunner().invoke(app, ["eval", "speech-emotion", "--root", str(emodb),
                                 "--out", str(out), "--no-lstm"])
    assert r.exit_code == 0, r.output
    assert "floor: UAR7" in r.stdout and "UAR4" in r.stdout
    data = json.loads((out / "speech_emotion_loso.json").read_text())
    assert data["n_clips"] == 42 and "floor" in data["models"]
    assert (out / "speech_emotion_confusion.png").stat().st_size > 1000
    r = CliRunner().invoke(app, ["eval", "speech-emotion", "--root", str(tmp_path / "none"),
                                 "--no-lstm"])
    assert r.exit_code == 2


@needs_ffmpeg
@pytest.mark.slow
def test_speech_emotion_is_its_own_feature_text(tmp_path: Path) -> None:
    from ingest.audio import analyze_speech

    transcript = tmp_path / "t.txt"
    transcript.write_text("我最近总是睡不着，觉得什么都没意思。", encoding="utf-8")
    result = analyze_speech(SPEECH / "zh_01.flac", transcript_path=transcript, language="zh",
                            progress=False)
    feature = next(f for f in result.feature_texts if f.kind == "speech_emotion")
    emo = feature.values["speech_emotion"]
    assert emo["label"] in CLASSES and emo["windows"] >= 1
    assert set(emo["probabilities"]) == set(CLASSES)
    assert feature.values["label"] == emo["label"]
    assert emo["model"] == runtime.load().name
    assert feature.text.zh.startswith("语音情绪：") and "德语" in feature.text.zh
    assert feature.text.en.startswith("Speech emotion: ") and "German" in feature.text.en
    assert feature.values["concept_ids"] == []
    intonation = next(f for f in result.feature_texts if f.kind == "intonation")
    assert "speech_emotion" not in intonation.values and "语音情绪" not in intonation.text.zh


def test_cli_train_emotion_writes_both_weight_files(emodb: Path, tmp_path: Path) -> None:
    from api.cli import app

    out = tmp_path / "w"
    r = CliRunner().invoke(app, ["speech", "train-emotion", "--root", str(emodb), "--out",
                                 str(out), "--epochs", "1", "--skip-loso"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["attention_lstm.npz", "floor.npz"]
    r = CliRunner().invoke(app, ["speech", "train-emotion", "--root", str(tmp_path / "no"),
                                 "--out", str(tmp_path / "w2")])
    assert r.exit_code == 2 and not (tmp_path / "w2").exists()
