"""The packaged sentence encoder: shape, unit length, order, determinism and its content cache."""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np

from kg.embed.sentence_encoder import DIM, encode


def test_vectors_are_unit_length_in_order_and_deterministic(tmp_path: Path) -> None:
    texts = ["我最近总是睡不着，觉得什么都没意思", "这家店的菜很好吃，送得也快", "教室在三楼。"]
    plain = encode(texts)
    assert plain.shape == (3, DIM) and plain.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(plain, axis=1), 1.0, atol=1e-4)
    again = encode(list(reversed(texts)))
    np.testing.assert_array_equal(again[::-1], plain)
    assert encode([]).shape == (0, DIM)

    cache = tmp_path / "vectors.sqlite3"
    first = encode(texts, cache=cache)
    np.testing.assert_array_equal(first, plain)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    second = encode([texts[1], "新的一句话", texts[0]], cache=cache)
    np.testing.assert_array_equal(second[0], plain[1])
    np.testing.assert_array_equal(second[2], plain[0])
    assert not np.allclose(encode(texts[:1], query=False), plain[:1])
