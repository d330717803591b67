"""The depression estimate (models/depression) on a tiny EATD-layout folder made here.

Volunteers are built from the project's own Mandarin samples (samples/speech), re-encoded
as FLAC/WAV with soundfile, with pauses inserted for the "depressed" ones, so training and
evaluation run through the real decoder, VAD, Praat and lexicon code. The numbers these
tests see are not evidence of anything: real-data results are in docs/REAL_DATA.md.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from typer.testing import CliRunner

from api.cli import app
from contracts.feature_text import Bilingual, FeatureText
from contracts.settings import Settings
from models.depression import ESTIMATE_KIND, depression_feature_text
from models.depression.features import (
    CONTRAST_FEATURES,
    FEATURES,
    LENGTH_RATIO_FEATURE,
    TEXT_CONTRAST_FEATURES,
    PersonInput,
    contrast_values,
    feature_vector,
    text_contrast_values,
    text_values,
)
from models.depression.model import VERSION, DepressionModel, cue_text, shipped_model
from tests.conftest import SAMPLES

runner = CliRunner()
SPEECH = SAMPLES / "speech"
LOW = ("zh_01.flac", "zh_02.flac", "zh_06.flac")
OK = ("zh_03.flac", "zh_05.flac", "zh_03.flac")

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")


def _texts() -> dict[str, str]:
    rows = (SPEECH / "transcripts.tsv").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in rows)


def _volunteer(root: Path, name: str, depressed: bool, k: int) -> None:
    d = root / name
    d.mkdir(parents=True)
    texts = _texts()
    clips = LOW if depressed else OK
    for i, prompt in enumerate(("positive", "neutral", "negative")):
        clip = clips[(i + k) % 3]
        (d / f"{prompt}.txt").write_text(texts[clip] * (1 + (k % 2)), encoding="utf-8")
        if k == 1 and prompt == "neutral":
            continue  # a missing recording, as in EATD (the transcript is there)
        x, sr = sf.read(SPEECH / clip, dtype="float32")
        if depressed:  # slow, quiet answers with long pauses
            gap = np.zeros(int(0.9 * sr), dtype=np.float32)
            parts = np.array_split(x, 4)
            x = 0.5 * np.concatenate([p for part in parts for p in (part, gap)])
        suffix = ".flac" if (i + k) % 2 == 0 else ".wav"
        sf.write(d / f"{prompt}{suffix}", x, sr)
    index = 62.5 if depressed else 40.0 + k
    (d / "sds.json").write_text(json.dumps({"sds_raw": index / 1.25, "sds_index": index,
                                            "depressed_sds_index_ge_53": depressed}))


@pytest.fixture(scope="module")
def eatd_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("eatd")
    for k in range(4):
        _volunteer(root, f"t_{k}", True, k)
        _volunteer(root, f"t_{10 + k}", False, k)
    return root


@pytest.mark.slow
def test_train_and_eval_commands_on_an_eatd_folder(eatd_root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    out = tmp_path / "w"
    res = runner.invoke(app, ["depression", "train", "--root", str(eatd_root), "--out", str(out),
                              "--cv-seeds", "0", "--jobs", "1", "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    model = DepressionModel.load(out)
    assert 0.0 < model.threshold < 1.0
    assert model.meta["data"]["volunteers"] == 8
    assert model.meta["data"]["recordings_without_audio"] == 2
    again = tmp_path / "w2"
    res = runner.invoke(app, ["depression", "train", "--root", str(eatd_root), "--out",
                              str(again), "--cv-seeds", "0", "--jobs", "1", "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    assert (again / "model.json").read_text() == (out / "model.json").read_text()  # seeded

    report = tmp_path / "report"
    res = runner.invoke(app, ["eval", "eatd", "--root", str(eatd_root), "--out", str(report),
                              "--seeds", "1", "--folds", "2", "--bootstrap", "100",
                              "--jobs", "1", "--cache", str(cache)])
    assert res.exit_code == 0, res.output
    assert "floor" in res.output and "model" in res.output
    doc = json.loads((report / "eatd_eval.json").read_text())
    assert set(doc["variants"]) == {"floor", "speech", "model", "model_no_prompts"}
    for v in doc["variants"].values():
        m = v["metrics"]
        assert m["auc"]["lo"] <= m["auc"]["value"] <= m["auc"]["hi"]
        assert sum(v["confusion"].values()) == 8
    for png in ("roc.png", "calibration.png", "confusion.png"):
        assert (report / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_rejects_a_folder_without_volunteers(tmp_path: Path) -> None:
    res = runner.invoke(app, ["eval", "eatd", "--root", str(tmp_path), "--out",
                              str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "sds.json" in res.output
    assert not (tmp_path / "o").exists()


def _rec(f0: float, span: float | None) -> dict[str, float | None]:
    return {"log_f0_mean": f0, "log_span_s": span}


def test_negative_topic_contrasts_need_prompt_labels() -> None:
    person = PersonInput([_rec(5.0, 1.0), _rec(5.2, 2.0), _rec(5.6, None)],
                         ["positive", "neutral", "negative"])
    c = dict(zip(CONTRAST_FEATURES, contrast_values(person), strict=True))
    assert c["negative_minus_other_log_f0_mean"] == pytest.approx(5.6 - 5.1)
    assert np.isnan(c["negative_minus_other_log_span_s"])  # no value on the negative answer
    assert np.isnan(c["negative_minus_other_hnr_db"])  # never measured
    unlabelled = PersonInput(person.recordings, [None, None, None])
    assert all(np.isnan(contrast_values(unlabelled)))
    only_negative = PersonInput([_rec(5.6, 1.0)], ["negative"])
    assert all(np.isnan(contrast_values(only_negative)))
    x = feature_vector(PersonInput(person.recordings, person.prompts, "我很好"))
    assert x.shape == (len(FEATURES),)
    assert x[FEATURES.index("log_f0_mean")] == pytest.approx((5.0 + 5.2 + 5.6) / 3)
    assert cue_text("negative_minus_other_f0_range_semitones", True)[1] == (
        "pitch range higher on the negative topic than on the others")
    assert cue_text("pause_ratio", False) == ("停顿占比偏低", "pause share low")
    model = shipped_model()
    assert model.head_for(x) is model.head  # prompts known: the contrasts are used
    assert model.head_for(feature_vector(unlabelled)) is model.fallback


def test_text_contrasts_compare_the_negative_answer_with_the_others() -> None:
    answers = [("positive", "我很好"), ("neutral", "还可以吧，今天天气不错"),
               ("negative", "我最近总是睡不着，觉得什么都没有意思，不想见人")]
    person = PersonInput(answers=answers)
    got = dict(zip(TEXT_CONTRAST_FEATURES, text_contrast_values(person), strict=True))
    per = {p: text_values(t, 0) for p, t in answers}
    other = (per["positive"]["log_chars"] + per["neutral"]["log_chars"]) / 2
    assert got["negative_minus_other_log_chars"] == pytest.approx(
        per["negative"]["log_chars"] - other)
    assert got[LENGTH_RATIO_FEATURE] == pytest.approx(
        per["negative"]["log_chars"] - per["positive"]["log_chars"])
    assert got["negative_minus_other_negation_rate"] > 0  # 不 on the negative topic only
    unlabelled = PersonInput(answers=[(None, t) for _, t in answers])
    assert all(np.isnan(text_contrast_values(unlabelled)))
    x = feature_vector(PersonInput(answers=answers, transcript="\n".join(t for _, t in answers)))
    assert shipped_model().head_for(x) is shipped_model().head  # text contrasts alone suffice
    assert cue_text(LENGTH_RATIO_FEATURE, True)[1] == (
        "answer longer on the negative topic than on the positive one")
    assert cue_text("negative_minus_other_first_person_rate", False)[1] == (
        "first-person rate lower on the negative topic than on the others")


def _content(text: str) -> FeatureText:
    return FeatureText(modality="audio", kind="speech_content",
                       text=Bilingual(zh="言语内容", en="speech content"),
                       values={"transcript": text, "symptoms": []})


def test_shipped_model_estimate_is_a_probability_with_its_threshold() -> None:
    ft = depression_feature_text([_content("我最近总是睡不着，觉得什么都没意思，也不想见人。")])
    assert ft is not None and ft.kind == ESTIMATE_KIND
    p = ft.values["depression_probability"]
    assert 0.0 < p < 1.0
    # no prompt labels: the fallback head (no negative-topic contrasts) and its threshold
    assert ft.values["threshold"] == round(shipped_model().fallback.threshold, 4)
    assert ft.values["negative_topic_contrasts_used"] is False
    assert ft.values["above_threshold"] == (p > shipped_model().fallback.threshold)
    assert ft.values["audio_used"] is False and "text only" in ft.text.en
    assert depression_feature_text([_content("")]) is None
    assert depression_feature_text([_content("I feel fine")], language="en") is None


def _bundle(root: Path, text: str, scales: dict[str, object] | None) -> Path:
    root.mkdir()
    manifest: dict[str, object] = {"student": "s1", "session": "w01",
                                   "recorded_at": "2026-03-02T10:00:00+08:00",
                                   "language": "zh", "transcript": "transcript.txt"}
    (root / "transcript.txt").write_text(text, encoding="utf-8")
    shutil.copy(SPEECH / "zh_06.flac", root / "audio.flac")
    manifest["audio"] = "audio.flac"
    if scales is not None:
        (root / "scales.json").write_text(json.dumps(scales))
        manifest["scales"] = "scales.json"
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return root


@pytest.mark.slow
def test_result_json_has_the_probability_and_the_level_follows_it(
        tmp_path: Path, settings: Settings) -> None:
    from api.pipeline import analyze_bundle

    text = _texts()["zh_06.flac"]
    result = analyze_bundle(_bundle(tmp_path / "b", text, None), settings, None, write=False)
    p = result.depression_probability
    assert p is not None and result.depression_model == f"{shipped_model().meta['name']}/{VERSION}"
    est = next(f for f in result.feature_texts if f.kind == ESTIMATE_KIND)
    assert est.values["audio_used"] is True
    assert result.assessment is not None
    expected = "mild" if p > shipped_model().fallback.threshold else "none"
    assert result.assessment.depression_level == expected
    assert f"{p:.2f}" in result.assessment.text.en and "SDS index ≥ 53" in result.assessment.text.en
    assert any(e.feature_ids == [est.id] and e.claim.startswith("depression_level:")
               for e in result.assessment.evidence)

    scales = {"PHQ9": [3, 3, 3, 3, 3, 3, 3, 3, 0]}
    with_scales = analyze_bundle(_bundle(tmp_path / "c", text, scales), settings, None,
                                 write=False)
    assert with_scales.depression_probability is not None
    assert with_scales.assessment is not None
    assert with_scales.assessment.depression_level == "severe"  # PHQ-9 24: the scale leads
    assert "instrument of record" in with_scales.assessment.text.en
