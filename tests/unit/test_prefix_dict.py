"""jieba's prefix dictionary memory-mapped (kg.embed.prefix_dict) segments exactly as the dict."""

from __future__ import annotations

import logging
from pathlib import Path

import jieba
import pytest

from kg.embed.prefix_dict import MappedFreq, load_freq, save_freq

_WORDS = """抑郁 50 n
抑郁症 30 n
失眠 40 n
睡不好 10 v
注意力 20 n
注意力不集中 5 n
集中 30 v
每天 60 r
很累 8 a
提不起 6 v
兴趣 25 n
"""
_TEXTS = ["最近睡不好，每天都很累，对什么都提不起兴趣。", "抑郁症和失眠，注意力不集中",
          "hello 世界 AU12 注意力集中"]


def _tokenizer(tmp_path: Path) -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text(_WORDS, encoding="utf-8")
    tk = jieba.Tokenizer(dictionary=str(dictionary))
    tk.tmp_dir = str(tmp_path)
    tk.initialize()
    return tk


def test_mapped_dictionary_answers_like_the_dict(tmp_path: Path) -> None:
    tk = _tokenizer(tmp_path)
    save_freq(tk.FREQ, tk.total, tmp_path / "d.pdict")
    mapped = load_freq(tmp_path / "d.pdict")
    assert isinstance(mapped, MappedFreq)
    assert mapped.total == tk.total and len(mapped) == len(tk.FREQ)
    assert dict(mapped.items()) == tk.FREQ
    assert "注意力不" in mapped and mapped["注意力不"] == 0  # a prefix, not a word
    assert mapped.get("没有这个词") is None and "没有这个词" not in mapped
    with pytest.raises(KeyError):
        mapped["没有这个词"]
    with pytest.raises(TypeError):
        mapped["新词"] = 1  # type: ignore[index]  # read-only: jieba's add_word cannot run

    plain = _tokenizer(tmp_path)
    tk.FREQ = mapped
    for text in _TEXTS:
        assert tk.lcut(text) == plain.lcut(text)
        assert tk.lcut(text, HMM=False) == plain.lcut(text, HMM=False)


def test_a_broken_file_is_not_a_dictionary(tmp_path: Path) -> None:
    (tmp_path / "bad.pdict").write_bytes(b"not a dictionary at all, just bytes" * 3)
    assert load_freq(tmp_path / "bad.pdict") is None
    assert load_freq(tmp_path / "missing.pdict") is None
