"""jieba's prefix dictionary as a memory-mapped, read-only hash table.

jieba keeps its dictionary as a dict of ~600k words and word prefixes (`Tokenizer.FREQ`);
unmarshalling that dict costs about a second per process, and a session with one short text
looks up a few hundred of them. `MappedFreq` answers the same lookups (`in`, `[]`, `get`) from
one file mapped into memory: an open-addressing table (CRC-32 of the UTF-8 word, linear
probing) over word offsets, frequencies and the words' bytes. Loading it reads nothing but the
header; the pages a lookup touches are read on demand and shared between processes.
"""

from __future__ import annotations

import mmap
import os
import struct
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path

_MAGIC = b"MKPDICT1"
_HEADER = struct.Struct("<8sQQQq")  # magic, words, table slots, blob bytes, total frequency


def _align(n: int) -> int:
    return (n + 7) & ~7


class MappedFreq(Mapping[str, int]):
    """word -> frequency, read-only, backed by a file written by `save_freq`."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        magic, n, slots, blob, total = _HEADER.unpack_from(self._map, 0)
        if magic != _MAGIC or slots & (slots - 1):
            raise ValueError(f"{path}: not a MindKG prefix dictionary")
        view = memoryview(self._map)
        at = _align(_HEADER.size)
        self._offsets = view[at : at + 4 * (n + 1)].cast("I")
        at = _align(at + 4 * (n + 1))
        self._freqs = view[at : at + 8 * n].cast("q")
        at = _align(at + 8 * n)
        self._slots = view[at : at + 4 * slots].cast("i")
        at = _align(at + 4 * slots)
        if at + blob != len(self._map):
            raise ValueError(f"{path}: truncated prefix dictionary")
        self._blob_at = at
        self._n, self._mask, self.total = n, slots - 1, total
        self._memo: dict[str, int] = {}  # words looked up so far -> row (-1: absent)

    def _find(self, word: str) -> int:
        found = self._memo.get(word)
        if found is not None:
            return found
        key = word.encode("utf-8")
        slot = zlib.crc32(key) & self._mask
        offsets, base, data = self._offsets, self._blob_at, self._map
        while True:
            i = self._slots[slot]
            if i < 0 or data[base + offsets[i] : base + offsets[i + 1]] == key:
                break
            slot = (slot + 1) & self._mask
        self._memo[word] = i
        return i

    def __getitem__(self, word: str) -> int:
        i = self._find(word) if isinstance(word, str) else -1
        if i < 0:
            raise KeyError(word)
        return int(self._freqs[i])

    def get(self, word: str, default: int | None = None) -> int | None:  # type: ignore[override]
        i = self._find(word) if isinstance(word, str) else -1
        return default if i < 0 else int(self._freqs[i])

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._find(word) >= 0

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        base = self._blob_at
        for i in range(self._n):
            yield self._map[base + self._offsets[i] : base + self._offsets[i + 1]].decode()


def save_freq(freq: Mapping[str, int], total: int, path: Path) -> None:
    """Write `freq` as a MappedFreq file, atomically (a reader never sees half of it)."""
    import numpy as np  # only to build

    words = [w.encode("utf-8") for w in freq]
    n = len(words)
    slots = 1 << max(4, (2 * n).bit_length())
    mask = slots - 1
    table = np.full(slots, -1, dtype=np.int32)
    for i, key in enumerate(words):
        slot = zlib.crc32(key) & mask
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = i
    offsets = np.zeros(n + 1, dtype=np.uint32)
    np.cumsum([len(w) for w in words], out=offsets[1:])
    freqs = np.fromiter(freq.values(), dtype=np.int64, count=n)
    blob = b"".join(words)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            out.write(_HEADER.pack(_MAGIC, n, slots, len(blob), int(total)))
            for part in (offsets.tobytes(), freqs.tobytes(), table.tobytes()):
                out.write(b"\0" * (_align(out.tell()) - out.tell()))
                out.write(part)
            out.write(b"\0" * (_align(out.tell()) - out.tell()))
            out.write(blob)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a read-only cache only costs the next process time


def load_freq(path: Path) -> MappedFreq | None:
    try:
        return MappedFreq(path)
    except (OSError, ValueError, struct.error):
        return None
