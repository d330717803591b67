"""The joint vector space the aligner and decoder work in: words and graph nodes together.

node2vec walks over the ontology (tokens `node::<id>`) and "label sentences" that put each
node token next to the words of its names are trained into ONE Word2Vec model seeded with the
pretrained Chinese vectors (kg.embed.word_vectors.build_joint_model), so a feature text's
vector (mean of its word vectors) and a concept's vector are directly comparable by cosine.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kg.derived import write_file, write_folder
from kg.embed.csr import CSRGraph, csr_from_store
from kg.embed.tokenize import tokenize
from kg.embed.word_vectors import CORPUS_VERSION, PlainVectors, WordSpace, build_joint_model
from kg.graph_view import ONTOLOGY_RELATIONS, ConceptInfo, GraphView, concept_names, graph_view
from kg.store.base import GraphStore

__all__ = ["ONTOLOGY_RELATIONS", "ConceptInfo", "JointSpace", "build_joint_space",
           "concept_names", "csr_from_store", "load_concepts", "space_key"]

NODE_PREFIX = "node::"
# node2vec walks the ontology relations of the graph view (kg.graph_view.ONTOLOGY_RELATIONS).
# FROM_SOURCE (hubs joining every concept to its source) and session relations are left out:
# they say nothing about meaning.
# Bump when walks, label sentences, the trainer or concept rows change meaning: cached spaces
# are keyed by this, the ontology's content and the build parameters, never by anything
# derived from them. 3: our deterministic parallel SGNS (kg.embed.sgns) instead of gensim;
# 4: its noise words shared within a window, corpus-absent words left out of training,
# subsampling 1e-4 (kg.embed.word_vectors.SUBSAMPLE).
SPACE_VERSION = 4
_SPACE_FILES = ("names.npy", "nodes.npy", "vectors.npy", "vocab.json", "space.json")


def load_concepts(store: GraphStore) -> list[ConceptInfo]:
    """The concepts that have a name, from the store's graph view (kg.graph_view)."""
    return list(graph_view(store).concepts)


def label_sentences(
    concepts: Iterable[ConceptInfo], tok: Callable[[str], list[str]], repeat: int = 3
) -> list[list[str]]:
    """[node, name words..., node] per name: the window ties the node token to its words."""
    out: list[list[str]] = []
    for concept in concepts:
        token = NODE_PREFIX + concept.id
        for name in concept.names:
            words = tok(name)
            if words:
                out.extend([[token, *words, token]] * repeat)
    return out


@dataclass
class JointSpace:
    words: WordSpace
    concepts: list[ConceptInfo]
    name_matrix: np.ndarray  # unit rows: mean of the concept's name vectors (word space)
    node_matrix: np.ndarray  # unit rows: the concept's node2vec token vector (zeros if none)
    model_dir: Path

    def text_vector(self, text: str) -> tuple[np.ndarray | None, float]:
        """Unit vector of a phrase (mean of word vectors) and the fraction of known tokens."""
        return self.tokens_vector(tokenize(text))

    def tokens_vector(self, tokens: Sequence[str]) -> tuple[np.ndarray | None, float]:
        """`text_vector` of a text already cut into `tokens`."""
        phrase = self.words.phrase(tokens)
        if phrase.vector is None:
            return None, 0.0
        norm = float(np.linalg.norm(phrase.vector))
        return (phrase.vector / norm if norm else None), phrase.coverage

    def node_vector(self, concept_id: str) -> np.ndarray | None:
        token = NODE_PREFIX + concept_id
        return self.words.vector(token) if token in self.words else None


def _concept_rows(words: WordSpace, concepts: Sequence[ConceptInfo]) -> tuple[np.ndarray, np.ndarray]:
    names = np.zeros((len(concepts), words.dim), dtype=np.float32)
    nodes = np.zeros((len(concepts), words.dim), dtype=np.float32)
    for i, concept in enumerate(concepts):
        token = NODE_PREFIX + concept.id
        if token in words:
            nodes[i] = words.vector(token)
        parts = []
        for name in concept.names:
            vec = words.phrase(tokenize(name)).vector
            if vec is not None:
                parts.append(vec / (np.linalg.norm(vec) or 1.0))
        if parts:
            v = np.mean(parts, axis=0)
            names[i] = v / (np.linalg.norm(v) or 1.0)
    return names, nodes


def space_key(concepts: Sequence[ConceptInfo], graph: CSRGraph, params: dict[str, Any]) -> str:
    """Content key of a joint space: the concepts, the walked graph, parameters, versions.

    Cheap to compute (no walks, no tokenisation), so a warm start reads the cached space
    instead of regenerating what it was built from.
    """
    from contracts.settings import PROJECT_ROOT

    h = hashlib.sha256(json.dumps(
        {"space": SPACE_VERSION, "corpus": CORPUS_VERSION, **params}, sort_keys=True).encode())
    for c in concepts:
        h.update("\x1f".join((c.id, c.type, c.source, *c.names)).encode() + b"\x1e")
    h.update(b"\x00graph")
    h.update("\x1f".join(graph.ids).encode())
    h.update(np.ascontiguousarray(graph.indptr, dtype=np.int64).tobytes())
    h.update(np.ascontiguousarray(graph.indices, dtype=np.int64).tobytes())
    if graph.weights is not None:
        h.update(np.ascontiguousarray(graph.weights, dtype=np.float64).tobytes())
    for lexicon in sorted((PROJECT_ROOT / "data" / "lexicon").glob("*")):
        if lexicon.is_file():  # the tokeniser's user dictionary and the glossary
            h.update(lexicon.name.encode() + hashlib.sha256(lexicon.read_bytes()).digest())
    return h.hexdigest()[:16]


def _space_folder(view: GraphView, home: Path, params: dict[str, Any]) -> Path:
    """home/models/space-<space_key>. The key is remembered per graph-view content, parameters,
    versions and lexicon files (by size and mtime), so a warm start neither rebuilds the walked
    graph nor rehashes the concepts. An input added to `space_key` must join `memo` here."""
    from contracts.settings import PROJECT_ROOT

    lexicons = [(f.name, f.stat().st_size, f.stat().st_mtime_ns)
                for f in sorted((PROJECT_ROOT / "data" / "lexicon").glob("*")) if f.is_file()]
    memo = hashlib.sha256(json.dumps(
        [view.key, SPACE_VERSION, CORPUS_VERSION, params, lexicons], sort_keys=True).encode())
    memo_file = home / "models" / "space-keys" / memo.hexdigest()[:16]
    try:
        key = memo_file.read_text(encoding="utf-8").strip()
    except OSError:
        key = ""
    if len(key) != 16 or not all(c in "0123456789abcdef" for c in key):
        key = space_key(view.concepts, view.csr(ONTOLOGY_RELATIONS), params)
        write_file(memo_file, key)
    return home / "models" / f"space-{key}"


def _load_cached(folder: Path, concepts: list[ConceptInfo]) -> JointSpace | None:
    if not all((folder / name).is_file() for name in _SPACE_FILES):
        return None
    meta = json.loads((folder / "space.json").read_text(encoding="utf-8"))
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "vectors.npy", mmap_mode="r")
    if len(vocab) != vectors.shape[0]:
        return None
    model_dir = folder.parent / str(meta["model"])
    names = np.load(folder / "names.npy", mmap_mode="r")
    nodes = np.load(folder / "nodes.npy", mmap_mode="r")
    if names.shape[0] != len(concepts) or nodes.shape != names.shape:
        return None
    return JointSpace(words=_finished_words(folder, vocab, vectors), concepts=concepts,
                      name_matrix=names, node_matrix=nodes, model_dir=model_dir)


def _finished_words(folder: Path, vocab: list[str], vectors: np.ndarray) -> WordSpace:
    """The word space of the cached raw vectors: its unit, centred rows are derived once into
    `<folder>-rows` and memory-mapped after that (no full-matrix copies at start-up)."""
    rows_dir = folder.parent / f"{folder.name}-rows"
    try:
        rows = np.load(rows_dir / "rows.npy", mmap_mode="r")
        if rows.shape == vectors.shape and rows.dtype == np.float32:
            return WordSpace.from_rows(vocab, rows)
    except (OSError, ValueError):
        pass
    words = WordSpace(PlainVectors(vocab, vectors))
    write_folder(rows_dir, lambda tmp: np.save(tmp / "rows.npy", words.matrix))
    return words


def _save_cached(folder: Path, space: JointSpace) -> None:
    """Write the concept rows beside the model, atomically (a folder rename)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        np.save(tmp / "names.npy", np.ascontiguousarray(space.name_matrix, dtype=np.float32))
        np.save(tmp / "nodes.npy", np.ascontiguousarray(space.node_matrix, dtype=np.float32))
        kv = space.words.keyed_vectors  # the joint model's raw rows, so loading needs no gensim
        np.save(tmp / "vectors.npy", np.ascontiguousarray(kv.vectors, dtype=np.float32))
        (tmp / "vocab.json").write_text(json.dumps(list(kv.index_to_key), ensure_ascii=False),
                                        encoding="utf-8")
        (tmp / "space.json").write_text(json.dumps(
            {"model": space.model_dir.name, "concepts": len(space.concepts),
             "version": SPACE_VERSION}), encoding="utf-8")
        try:
            os.replace(tmp, folder)
        except OSError:  # another process cached the same key first: theirs is identical
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def build_joint_space(
    store: GraphStore,
    home: Path,
    *,
    seed: int = 0,
    walk_length: int = 40,
    num_walks: int = 10,
    p: float = 1.0,
    q: float = 1.0,
    workers: int = 2,
    progress: Callable[[str], None] | None = None,
) -> JointSpace:
    """Walk the ontology, train (or load the cached) joint model, index concept vectors.

    The finished space is cached under `home`/models/space-<key>, keyed by the ontology's
    content and the parameters (`space_key`); a warm call loads it memory-mapped and does
    no walks, tokenisation or training.
    """
    say = progress or (lambda _m: None)
    view = graph_view(store)
    concepts = view.concepts
    if not concepts:
        raise ValueError("the graph has no concepts: run `mindkg kg seed` first")
    params = {"seed": seed, "walk_length": walk_length, "num_walks": num_walks, "p": p, "q": q}
    folder = _space_folder(view, home, params)
    cached = _load_cached(folder, concepts)
    if cached is not None:
        return cached
    graph = view.csr(ONTOLOGY_RELATIONS)
    from kg.embed.node2vec import generate_walks, walks_as_tokens  # numba: only to build

    say(f"node2vec walks over the ontology ({len(concepts)} concepts)")
    walks = generate_walks(graph, walk_length=walk_length, num_walks=num_walks, p=p, q=q,
                           seed=seed, workers=workers)
    sentences = label_sentences(concepts, tokenize)
    say("training the joint Word2Vec space (cached after the first run)")
    kv, _info, directory = build_joint_model(home, sentences, walks_as_tokens(walks), seed=seed)
    words = WordSpace(kv)
    names, nodes = _concept_rows(words, concepts)
    space = JointSpace(words=words, concepts=concepts, name_matrix=names, node_matrix=nodes,
                       model_dir=directory)
    _save_cached(folder, space)
    return space
