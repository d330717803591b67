"""The per-request shortcuts of `POST /v1/assessments` (issue 13 point 6) give exactly what the
plain computations gave: the tokenizer's remembered jieba blocks, phrase vectors gathered in
one array, spreading activation over remembered out-weights. And the load bench's `--unique`
requests never repeat a speech text."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pytest

from api.http.schemas import AssessIn
from contracts.feature_text import Bilingual, FeatureText
from kg.embed.tokenize import _LATIN_RUN, _WORDLIKE, english_tokens, get_tokenizer
from kg.embed.word_vectors import WordSpace
from models.fusion.graph import OntologyView
from models.fusion.kg_fusion import spread

ROOT = Path(__file__).resolve().parents[2]
SAID = ("最近睡不好，晚上翻来覆去到两三点才睡着。", "觉得自己什么都做不好，挺没用的。",
        "和室友聊了聊，感觉轻松了一些。", "上课注意力很难集中，老是走神。")
ODD = "ー１２ａｂ　\t\n。，！？…—-+#&._% ＡＢ★é漢字かなカナ한국어PHQ-9 total 12, AU4 "


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINDKG_HOME", str(tmp_path_factory.getbasetemp() / "mindkg-home"))


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pool = ODD + "".join(SAID)
    out = ["", " ", "，", "PHQ-9 总分 20，重度抑郁；第9题自杀意念阳性（1分） PHQ-9 total 20",
           *SAID]
    out += ["".join(rng.choice(pool) for _ in range(rng.randint(0, 60))) for _ in range(count)]
    return out


def _whole_chunks(text: str) -> list[str]:
    """The tokenizer as it was: each chunk between Latin runs cut by jieba in one piece."""
    tk = get_tokenizer()._tk

    def cut(chunk: str) -> list[str]:
        if not chunk.strip():
            return []
        return [p.strip() for p in tk.cut(chunk, HMM=True) if p.strip() and _WORDLIKE.search(p)]

    out: list[str] = []
    start = 0
    for match in _LATIN_RUN.finditer(text):
        out += cut(text[start : match.start()]) + english_tokens(match.group())
        start = match.end()
    return out + cut(text[start:])


def test_tokens_cut_block_by_block_and_remembered_are_jiebas_for_the_whole_chunk() -> None:
    tokenizer = get_tokenizer()
    texts = _texts(400, seed=1)
    for _round in range(2):  # cold, then from the remembered blocks
        for text in texts:
            assert tokenizer.tokenize(text) == _whole_chunks(text), text
    assert tokenizer._blocks  # blocks were remembered


def _reference_phrase(space: WordSpace, tokens: list[str]) -> tuple[object, ...]:
    """WordSpace.phrase as it was: one mean per token, then the mean of those rows."""
    used: list[str] = []
    oov: list[str] = []
    rows: list[np.ndarray] = []
    for token in tokens:
        parts = space.pieces(token)
        if not parts:
            oov.append(token)
            continue
        rows.append(np.mean([space.vector(p) for p in parts], axis=0))
        used.extend(parts)
    vector = np.mean(rows, axis=0) if rows else None
    coverage = len(rows) / len(tokens) if tokens else 0.0
    return vector, coverage, tuple(used), tuple(oov)


def test_phrase_vectors_gathered_in_one_array_are_bit_identical() -> None:
    rng = np.random.default_rng(3)
    words = ["睡眠", "失眠", "注意力", "集中", "不", "难过", "情绪", "低落", "sad", "mood", "自"]
    matrix = rng.standard_normal((len(words), 8)).astype(np.float32)
    space = WordSpace.from_rows(words, matrix / np.linalg.norm(matrix, axis=1, keepdims=True))
    vocab = [*words, "注意力不集中", "情绪低落", "自杀", "无关词", "x", "睡眠不足"]  # OOV: pieces
    pick = random.Random(4)
    for _ in range(300):
        tokens = [pick.choice(vocab) for _ in range(pick.randint(0, 9))]
        for _round in range(2):  # pieces computed, then remembered
            got = space.phrase(tokens)
            vector, coverage, used, oov = _reference_phrase(space, tokens)
            assert (got.vector is None) == (vector is None)
            if got.vector is not None:
                assert isinstance(vector, np.ndarray)
                assert got.vector.dtype == vector.dtype
                assert got.vector.tobytes() == vector.tobytes()
            assert (got.coverage, got.used, got.oov, got.tokens) == (
                coverage, used, oov, tuple(tokens))


def _reference_spread(seeds: dict[str, float], view: OntologyView, damping: float,
                      hops: int) -> dict[str, float]:
    activation = dict(seeds)
    frontier = dict(seeds)
    for _ in range(hops):
        nxt: dict[str, float] = {}
        for node, a in frontier.items():
            edges = view.out.get(node, ())
            total = sum(w for _r, _d, w in edges)
            if total <= 0:
                continue
            for _rel, dst, w in edges:
                nxt[dst] = nxt.get(dst, 0.0) + damping * a * w / total
        for node, a in nxt.items():
            activation[node] = activation.get(node, 0.0) + a
        frontier = nxt
    return activation


def test_spreading_activation_over_remembered_out_weights_is_unchanged() -> None:
    rng = random.Random(5)
    nodes = [f"n{i}" for i in range(40)]
    view = OntologyView(names={n: (n, n) for n in nodes}, types={n: "Symptom" for n in nodes})
    for _ in range(160):
        view.add_edge("INDICATES", rng.choice(nodes), rng.choice(nodes),
                      rng.choice([0.0, 0.3, 1.0, rng.random()]))
    for _ in range(50):
        seeds = {rng.choice(nodes): rng.random() for _ in range(rng.randint(1, 6))}
        got = spread(seeds, view, 0.6, 3)
        want = _reference_spread(seeds, view, 0.6, 3)
        assert list(got.items()) == list(want.items())  # same values, same order
    # a new edge is seen by the next spread (the remembered weights are dropped)
    view.add_edge("INDICATES", "n0", "n39", 5.0)
    seeds = {"n0": 1.0}
    assert spread(seeds, view, 0.6, 2) == _reference_spread(seeds, view, 0.6, 2)
    assert view.weighted_out("n0")[1][-1] == ("n39", 5.0)


def test_unique_requests_never_repeat_a_speech_text_and_are_valid_bodies() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from api_load_bench import _NEW, NewClauses, Requests

    scale = FeatureText(modality="scales", kind="scale_score",
                        text=Bilingual(zh="PHQ-9 总分 12，中度抑郁", en="PHQ-9 total 12, moderate"),
                        values={"level": "moderate"}, instance="PHQ9")
    speech = FeatureText(modality="audio", kind="speech_content",
                         text=Bilingual(zh=f"言语内容：负面（0.12）。学生说：“{SAID[0]}{_NEW}”",
                                        en="Speech content: negative (0.12)"))
    with_speech = json.dumps({"feature_texts": [scale.model_dump(mode="json"),
                                                speech.model_dump(mode="json")]},
                             ensure_ascii=False).encode()
    scales_only = json.dumps({"feature_texts": [scale.model_dump(mode="json")]}).encode()
    stream = Requests("http://127.0.0.1:1", "key", [with_speech, scales_only],
                      NewClauses(0))
    said: list[str] = []
    for n in range(3000):
        body = AssessIn.model_validate_json(stream.body())
        assert body.feature_texts[0] == scale
        if n % 2 == 0:
            text = body.feature_texts[1].text.zh
            assert text.startswith(f"言语内容：负面（0.12）。学生说：“{SAID[0]}") and _NEW not in text
            said.append(text)
        else:
            assert len(body.feature_texts) == 1
    assert len(set(said)) == len(said) == 1500 == stream.new_texts
    head = stream.next().split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("POST /v1/assessments HTTP/1.1") and "Bearer key" in head
    with pytest.raises(ValueError, match="unique"):  # a body with the place needs new clauses
        Requests("http://127.0.0.1:1", "key", [with_speech]).body()


def test_synonym_features_that_no_concept_name_has_count_as_before() -> None:
    """Synonyms whose features no name has (numbered apart) weigh in the Dice denominator,
    unless the text has them itself: the ranking is the concept-by-concept reference's."""
    from kg.align.aligner import Aligner, LexicalIndex, cilin_synonyms
    from tests.unit.test_aligner_scoring import ZH, _concepts, _space, _texts, reference_rank

    concepts = _concepts(random.Random(3))
    synonyms = dict(cilin_synonyms(concepts))
    for word in ZH[:12]:  # unnamed features: characters and bigrams of no concept name
        synonyms[word] = synonyms.get(word, frozenset()) | {"鑫森淼", "龘靐", ZH[-1]}
    al = Aligner(_space(concepts), {}, synonyms, lexicon=LexicalIndex.build(concepts),
                 cache_size=0)
    texts = [*_texts(random.Random(8), 40), f"{ZH[0]}鑫森{ZH[3]}", f"龘靐 {ZH[1]}{ZH[2]}"]
    for text in texts:
        for modality, kind in ((None, None), ("audio", "speech_content")):
            assert al.rank(text, modality=modality, kind=kind, top_k=8) == reference_rank(
                al, text, modality=modality, kind=kind, top_k=8), text
    assert al._unnamed_list  # the unnamed numbering was used
