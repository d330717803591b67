"""The pretrained polarity space is built once, then read from the cache unchanged."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg.embed import polarity as pol


def test_cached_space_equals_the_built_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINDKG_CACHE_DIR", str(tmp_path))
    seeds = pol.read_seeds(pol.SEEDS_FILE)
    built = pol._cached_space(pol.SEEDS_FILE, seeds)
    assert list(tmp_path.glob("cache/polarity-space-*/rows.npy"))

    def must_not_run() -> None:
        raise AssertionError("the cached space was rebuilt")

    monkeypatch.setattr(pol, "load_pretrained", must_not_run)
    cached = pol._cached_space(pol.SEEDS_FILE, seeds)
    assert isinstance(cached.matrix, np.memmap)
    assert cached.key_to_index == built.key_to_index
    assert np.array_equal(np.asarray(cached.matrix), built.matrix)
    a, b = pol._from_space(built, seeds), pol._from_space(cached, seeds)
    for text in ("我最近总是睡不着，觉得什么都没意思", "这家店的菜很好吃", "教室在三楼"):
        assert a.score(text) == b.score(text)
