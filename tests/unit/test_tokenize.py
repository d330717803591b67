"""Tokenizer: psychology terms stay whole, English is lowercased, results are deterministic."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.embed.tokenize import PSYCHOLOGY_TERMS, english_tokens, read_term_file, tokenize


@pytest.fixture(autouse=True)
def _home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINDKG_HOME", str(tmp_path_factory.getbasetemp() / "mindkg-home"))


@pytest.mark.parametrize("term", ["无意义感", "注意力不集中", "食欲下降", "入睡困难", "自杀意念"])
def test_user_dictionary_terms_stay_whole(term: str) -> None:
    tokens = tokenize(f"学生说最近{term}，情况持续两周。")
    assert term in tokens


def test_curated_terms_file_is_read() -> None:
    terms = read_term_file(PSYCHOLOGY_TERMS)
    assert {"失眠", "绝望", "自杀"} <= set(terms)


def test_extra_words_are_kept_whole() -> None:
    text = "出现快速眼动睡眠剥夺反应"
    assert "快速眼动睡眠剥夺" not in tokenize(text)
    assert "快速眼动睡眠剥夺" in tokenize(text, extra_words=["快速眼动睡眠剥夺"])


def test_punctuation_dropped_and_english_lowercased() -> None:
    tokens = tokenize("I feel HOPELESS, can't sleep; self-harm thoughts. 今天很开心！")
    assert tokens == [
        "i", "feel", "hopeless", "can't", "sleep", "self-harm", "thoughts", "今天", "很", "开心",
    ]


def test_english_tokens_keep_numbers_and_codes() -> None:
    assert english_tokens("SDS = 72.5, AU4 and AU12") == ["sds", "72.5", "au4", "and", "au12"]


def test_deterministic() -> None:
    text = "我这周睡不好，总觉得自己没用，对什么都提不起兴趣。"
    assert tokenize(text) == tokenize(text)


def test_bad_input() -> None:
    with pytest.raises(TypeError):
        tokenize(b"bytes")  # type: ignore[arg-type]


def test_prefix_dictionary_cache_gives_identical_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later process loads the finished dictionary instead of rebuilding it, same tokens."""
    from kg import lexicons
    from kg.embed import tokenize as tok_mod
    from kg.embed.prefix_dict import MappedFreq

    monkeypatch.setenv("MINDKG_HOME", str(tmp_path))
    texts = ["我最近总是睡不着，觉得什么都没意思", "注意力不集中，情绪低落，有时想哭",
             "这家店的菜很好吃，送得也快", "I feel down 但是还好"]
    built = tok_mod.PsychTokenizer(["心境低落"])
    assert list((tmp_path / "cache" / "jieba").glob("psych-dict-*.pdict"))

    def must_not_run() -> list[str]:
        raise AssertionError("the cached dictionary was rebuilt")

    monkeypatch.setattr(lexicons, "user_dictionary_words", must_not_run)
    loaded = tok_mod.PsychTokenizer(["心境低落"])
    assert isinstance(loaded._tk.FREQ, MappedFreq)  # memory-mapped, not unmarshalled
    assert [loaded.tokenize(t) for t in texts] == [built.tokenize(t) for t in texts]
    with pytest.raises(AssertionError, match="rebuilt"):
        tok_mod.PsychTokenizer(["另一个新词"])  # other forced words: another dictionary
