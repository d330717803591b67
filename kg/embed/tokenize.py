"""Tokenisation for MindKG texts: jieba with a psychology user dictionary, plain English words.

The user dictionary joins (a) curated clinical terms (data/lexicon/psychology_terms.txt), which
are forced to stay whole, (b) sentiment-lexicon words missing from jieba's dictionary, added
with a modest frequency so they compete instead of always winning, and (c) extra words the
caller passes (graph labels), also forced whole. jieba is deterministic (DAG + Viterbi), and
one tokenizer per set of extra words is built once per process; its prefix cache goes under
$MINDKG_HOME/cache (or the system temp dir), never into the jieba package folder.

Building the dictionary means parsing the lexicon YAML files and adding ~20k words to jieba's
prefix dictionary (seconds). The finished prefix dictionary is therefore kept on disk, keyed by
what it is made of (jieba's version and dictionary, the lexicon files, the forced words), and a
later process memory-maps it (kg.embed.prefix_dict) instead of reading ~600k words.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jieba

from contracts.settings import PROJECT_ROOT
from kg import lexicons
from kg.derived import user_cache
from kg.embed.prefix_dict import load_freq, save_freq
from kg.resources import resource_path

PSYCHOLOGY_TERMS = PROJECT_ROOT / "data" / "lexicon" / "psychology_terms.txt"
# jieba frequency for lexicon words jieba lacks: about a rare dictionary word's count, so a
# lexicon word is a candidate in the DAG without overriding common segmentations.
LEXICON_WORD_FREQ = 20

_ENGLISH = re.compile(r"[a-z0-9]+(?:[-'’.][a-z0-9]+)*")
# Latin-script runs go to the English tokenizer, everything else to jieba.
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.\-]*")
_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff]")
_LOCK = threading.Lock()
# Blocks (runs of Han characters, e.g. a clause) whose words a tokenizer remembers, then it
# starts afresh: a few MB at most.
_BLOCKS_KEPT = 50_000
# Bump when the way the dictionary is built changes (cached prefix dictionaries are keyed by it).
DICTIONARY_VERSION = 1
# The lexicon resources `lexicons.user_dictionary_words` reads.
_LEXICON_SOURCES = ("dutir", "hownet", "ntusd", "emobank")


def english_tokens(text: str) -> list[str]:
    """Lowercase English words and numbers (inner - ' . kept: self-harm, can't, 72.5, au4)."""
    return _ENGLISH.findall(text.lower())


def read_term_file(path: Path) -> list[str]:
    """Terms one per line; '#' comments and blanks skipped."""
    if not path.is_file():
        raise FileNotFoundError(f"term list {path} is missing")
    with path.open(encoding="utf-8") as handle:
        lines = (line.strip() for line in handle)
        return [line for line in lines if line and not line.startswith("#")]


def _cache_dir() -> Path:
    return user_cache("jieba")


class PsychTokenizer:
    """A private jieba.Tokenizer with MindKG's psychology user dictionary."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.tmp_dir = str(_cache_dir())
        self.forced_words: tuple[str, ...] = tuple(
            sorted({*read_term_file(PSYCHOLOGY_TERMS), *_clean(extra_words)})
        )
        cached = _cache_dir() / f"psych-dict-{_dictionary_key(tk, self.forced_words)}.pdict"
        if not _load_state(tk, cached):
            tk.initialize()
            for word in lexicons.user_dictionary_words():
                if word not in tk.FREQ or tk.FREQ[word] == 0:
                    tk.add_word(word, freq=LEXICON_WORD_FREQ)
            for word in self.forced_words:
                tk.add_word(word)  # freq=None: jieba suggests a frequency that keeps it whole
            _save_state(tk, cached)
        self._tk = tk
        self._blocks: dict[str, tuple[str, ...]] = {}

    def tokenize(self, text: str) -> list[str]:
        """Tokens of `text`: Chinese words and lowercase English words; no punctuation/space."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        out: list[str] = []
        start = 0
        for match in _LATIN_RUN.finditer(text):
            out.extend(self._cut(text[start : match.start()]))
            out.extend(english_tokens(match.group()))
            start = match.end()
        out.extend(self._cut(text[start:]))
        return out

    def _cut(self, chunk: str) -> list[str]:
        """jieba's words of `chunk`, block by block as jieba cuts them (runs of Han
        characters and the rest apart); a block's words are remembered, so a phrase said again
        is not cut again. A chunk without a word character has no token."""
        if not _WORDLIKE.search(chunk):
            return []
        out: list[str] = []
        for block in jieba.re_han_default.split(chunk):
            if block:
                out.extend(self._block(block))
        return out

    def _block(self, block: str) -> tuple[str, ...]:
        found = self._blocks.get(block)
        if found is None:
            with _LOCK:  # jieba's Tokenizer is not documented as thread-safe
                pieces = list(self._tk.cut(block, HMM=True))
            found = tuple(p.strip() for p in pieces if p.strip() and _WORDLIKE.search(p))
            if len(self._blocks) >= _BLOCKS_KEPT:
                self._blocks.clear()
            self._blocks[block] = found
        return found


def _dictionary_key(tk: jieba.Tokenizer, forced: Iterable[str], *, with_lexicons: bool = True) -> str:
    """What the finished prefix dictionary is made of, without building it."""
    h = hashlib.sha256(f"v{DICTIONARY_VERSION}|jieba {jieba.__version__}|"
                       f"{LEXICON_WORD_FREQ if with_lexicons else 'plain'}".encode())
    main = Path(tk.dictionary) if tk.dictionary else Path(jieba.__file__).parent / "dict.txt"
    sources = [resource_path(n) for n in _LEXICON_SOURCES] if with_lexicons else []
    for path in [main, *sources]:
        stat = path.stat()
        h.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    h.update("\x1f".join(forced).encode())
    return h.hexdigest()[:16]


def _load_state(tk: jieba.Tokenizer, path: Path) -> bool:
    """Point the tokenizer at a finished prefix dictionary, memory-mapped (kg.embed.prefix_dict)."""
    freq = load_freq(path)
    if freq is None:
        return False
    tk.FREQ, tk.total, tk.initialized = freq, freq.total, True
    return True


def _save_state(tk: jieba.Tokenizer, path: Path) -> None:
    save_freq(tk.FREQ, tk.total, path)


@cache
def default_tokenizer() -> jieba.Tokenizer:
    """A tokenizer with jieba's own dictionary (what `jieba.lcut` uses, same words and
    frequencies), built once per machine and memory-mapped: `jieba.lcut` would unmarshal the
    whole dictionary in every process."""
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.tmp_dir = str(_cache_dir())
    cached = _cache_dir() / f"jieba-dict-{_dictionary_key(tk, (), with_lexicons=False)}.pdict"
    if not _load_state(tk, cached):
        tk.initialize()
        _save_state(tk, cached)
    return tk


def _clean(words: Iterable[str]) -> set[str]:
    out = set()
    for word in words:
        if not isinstance(word, str):
            raise TypeError(f"extra words must be str, got {type(word).__name__}")
        word = word.strip()
        # jieba's dictionary format cannot hold spaces; English labels need no entry.
        if word and " " not in word and not word.isascii():
            out.add(word)
    return out


@cache
def _tokenizer(extra: frozenset[str]) -> PsychTokenizer:
    return PsychTokenizer(sorted(extra))


def get_tokenizer(extra_words: Iterable[str] = ()) -> PsychTokenizer:
    """The shared tokenizer for this set of extra words (built once per process)."""
    return _tokenizer(frozenset(_clean(extra_words)))


def tokenize(text: str, extra_words: Iterable[str] = ()) -> list[str]:
    """Tokenise zh/en text with the psychology dictionary (plus `extra_words`)."""
    return get_tokenizer(extra_words).tokenize(text)
