"""The F1 study of the depression estimate (research/depression/f1_study.py, pauses.py):
pause structure through the real decoder and VAD, the threshold rules, the minority mixing
inside training folds and the nested comparison, on small data made here."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from contracts.feature_text import Bilingual, FeatureText
from models.depression.features import AUDIO_FEATURES, feature_vector, person_input
from research.depression import f1_study as S
from research.depression.pauses import PAUSE_STATS, pause_spans_of, pause_stats
from research.depression.train import Data, prevalence_threshold
from tests.conftest import SAMPLES

PROMPTS = ("positive", "neutral", "negative")


def test_pause_stats_of_known_spans() -> None:
    st = pause_stats([[1.0, 1.5], [3.0, 4.5], [6.0, 6.5]], 0.4, 12.4)
    lengths = np.array([0.5, 1.5, 0.5])
    assert st["log_pause_sd"] == pytest.approx(math.log(lengths.std() + 0.05))
    assert st["long_pauses_per_min"] == pytest.approx(60.0 / 12.0)
    assert st["log_max_pause_s"] == pytest.approx(math.log(1.55))
    assert st["log_onset_s"] == pytest.approx(math.log(0.45))
    assert st["pause_cv"] == pytest.approx(lengths.std() / lengths.mean())
    none = pause_stats([], 0.0, 5.0)
    assert math.isnan(none["log_pause_sd"]) and none["long_pauses_per_min"] == 0.0
    assert set(none) == set(PAUSE_STATS)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_pause_spans_of_a_real_recording_find_inserted_gaps(tmp_path: Path) -> None:
    x, sr = sf.read(SAMPLES / "speech" / "zh_01.flac", dtype="float32")
    gap = np.zeros(int(1.4 * sr), dtype=np.float32)
    parts = np.array_split(x, 3)
    path = tmp_path / "gaps.flac"
    sf.write(path, np.concatenate([gap, parts[0], gap, parts[1], gap, parts[2]]), sr)
    spans, start, end = pause_spans_of(path)
    long = [e - s for s, e in spans if e - s >= 1.2]
    assert len(long) == 2  # the two gaps inside the speech span, not the leading one
    assert start >= 1.2 and end > start
    assert pause_stats(spans, start, end)["long_pauses_per_min"] > 0


def test_prevalence_threshold_predicts_as_many_positives_as_there_are() -> None:
    y = np.array([0, 0, 0, 0, 1, 1])
    p = np.array([0.1, 0.7, 0.2, 0.3, 0.9, 0.4])
    t = prevalence_threshold(y, p)
    assert int((p > t).sum()) == 2 and 0.4 < t < 0.7


def _fts(f0: float, text: str) -> list[FeatureText]:
    b = Bilingual(zh="x", en="x")
    inton = {"f0_mean_hz": f0, "f0_sd_semitones": 2.0, "jitter_local": 0.01,
             "shimmer_local": 0.05, "hnr_db": 15.0}
    rate = {"syllables_per_second": 3.0, "pause_ratio": 0.2, "pause_count": 2,
            "speech_span_s": 10.0, "mean_pause_s": 0.4,
            "mfcc_mean": [1.0, f0 / 100, 0.5], "mfcc_std": [2.0, 1.0, 1.0]}
    return [FeatureText(modality="audio", kind="speech_content", text=b,
                        values={"transcript": text, "symptoms": []}),
            FeatureText(modality="audio", kind="intonation", text=b, values=inton),
            FeatureText(modality="audio", kind="speech_rate", text=b, values=rate)]


def _toy(n: int = 24) -> tuple[Data, S.Answers]:
    rng = np.random.default_rng(2)
    y = np.array([1] * 8 + [0] * (n - 8))
    words = {1: "我很难过睡不着没有意思", 0: "今天天气很好还可以"}
    fts, dense, texts = [], [], []
    for i in range(n):
        row: list[list[FeatureText] | None] = [
            _fts(120 + 40 * y[i] + float(rng.normal(0, 10)) + 5 * j, words[int(y[i])] + str(i))
            for j in range(3)]
        if i == 3:
            row[1] = None  # a volunteer without a neutral answer
        fts.append(row)
        have = [(r, PROMPTS[j]) for j, r in enumerate(row) if r is not None]
        person = person_input([r for r, _ in have], [p for _, p in have])
        dense.append(feature_vector(person))
        texts.append(person.transcript)
    names = [f"v{i}" for i in range(n)]
    spans = {f"v{i}/{p}": {"spans": [[1.0, 1.5 + y[i]]], "start": 0.2, "end": 9.0}
             for i in range(n) for p in PROMPTS}
    return Data(names, texts, np.array(dense), y, 40.0 + 20 * y), S.Answers(fts, spans, names)


def test_mixer_mixes_only_depressed_training_volunteers_until_balanced() -> None:
    data, answers = _toy()
    mixer = S.Mixer(data, answers)
    idx = np.array([0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19])
    y = data.y[idx]
    triples = mixer.triples(idx, y)
    assert len(triples) == int((y == 0).sum() - (y == 1).sum())
    assert all(set(t) <= {0, 1, 2, 3, 4} and len(set(t)) > 1 for t in triples)
    assert all(t[1] != 3 for t in triples)  # volunteer 3 has no neutral answer
    assert triples == S.Mixer(data, answers).triples(idx, y)  # deterministic
    x, text = mixer.person(triples[0])
    recs = [answers.fts[i][j] for j, i in enumerate(triples[0])]
    expected = feature_vector(person_input([r for r in recs if r is not None], PROMPTS))
    np.testing.assert_allclose(x, expected)
    assert text.count("\n") == 2


def test_feature_blocks_and_nested_compare_are_deterministic() -> None:
    data, answers = _toy()
    blocks = S.feature_blocks(data, answers)
    assert blocks["pause"].shape == (24, 2 * len(PAUSE_STATS))
    assert blocks["tilt"].shape == (24, 6)
    assert blocks["b_contrasts"].shape == (24, len(AUDIO_FEATURES))
    c1 = [next(f.values["mfcc_mean"][1] for f in r if f.kind == "speech_rate")
          for r in answers.fts[0] if r is not None]
    np.testing.assert_allclose(blocks["tilt"][0, [0, 3]], [np.mean(c1), c1[2] - np.mean(c1[:2])])
    comps = S.components(data, blocks, S.Mixer(data, answers))
    variants = {v: S.VARIANTS[v] for v in ("model_aug", "avg6", "model+pause")}
    a = S.compare(data, comps, [0], 2, variants)
    b = S.compare(data, comps, [0], 2, {"avg6": S.VARIANTS["avg6"]})
    assert set(a) == {f"{v}|{r}" for v in variants for r in S.RULES}
    for cell in a.values():
        assert np.all((cell["prob"] > 0) & (cell["prob"] < 1))
    np.testing.assert_array_equal(a["avg6|f1"]["prob"], b["avg6|f1"]["prob"])
    assert a["model_aug|half"]["thresholds"] == [0.5, 0.5]


def test_oracle_f1_is_the_best_any_threshold_reaches() -> None:
    y = np.array([0, 0, 1, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.8, 0.9])
    assert S.oracle_f1(y, p) == pytest.approx(2 * 3 / (2 * 3 + 1))
