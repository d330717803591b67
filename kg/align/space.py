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

from kg.embed.csr import CSRGraph, csr_from_store
from kg.embed.tokenize import tokenize
from kg.embed.word_vectors import CORPUS_VERSION, PlainVectors, WordSpace, build_joint_model
from kg.schema import CONCEPT
from kg.store.base import GraphStore

NODE_PREFIX = "node::"
# Ontology relations walked by node2vec. FROM_SOURCE (hubs joining every concept to its
# source) and session relations are left out: they say nothing about meaning.
ONTOLOGY_RELATIONS: tuple[str, ...] = (
    "IS_A", "PART_OF", "INDICATES", "HAS_SYMPTOM", "HAS_SIGN", "MEASURED_BY", "HAS_ITEM",
    "HAS_SEVERITY", "ASSESSES", "SIGNALS_RISK", "TREATED_BY", "EXAMINED_BY", "COMPLICATION_OF",
    "MOVES", "LOCATED_IN", "SYNONYM_OF", "RELATED_TO",
)
# Bump when walks, label sentences, the trainer or concept rows change meaning: cached spaces
# are keyed by this, the ontology's content and the build parameters, never by anything
# derived from them. 3: our deterministic parallel SGNS (kg.embed.sgns) instead of gensim.
SPACE_VERSION = 3
_SPACE_FILES = ("names.npy", "nodes.npy", "vectors.npy", "vocab.json", "space.json")
_NAME_PROPS = ("name_zh", "name_en", "facs_name", "paper_description", "item_name_zh",
               "item_name_en", "description_zh", "description_en")


@dataclass(frozen=True)
class ConceptInfo:
    id: str
    type: str
    source: str
    names: tuple[str, ...]  # every name a text may use for it: labels, aliases, descriptions


def concept_names(props: dict[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    for prop in _NAME_PROPS:
        value = props.get(prop)
        if isinstance(value, str) and value.strip():
            names.append(value.strip())
    aliases = props.get("aliases") or []
    names += [a.strip() for a in aliases if isinstance(a, str) and a.strip()]
    return tuple(dict.fromkeys(names))


def load_concepts(store: GraphStore) -> list[ConceptInfo]:
    concepts = []
    for node in store.iter_nodes(CONCEPT):
        names = concept_names(node.props)
        if not names:
            continue
        concepts.append(ConceptInfo(
            id=node.key, type=str(node.props.get("type", "Other")),
            source=str(node.props.get("source", "")), names=names,
        ))
    return concepts


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
        phrase = self.words.phrase(tokenize(text))
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
    from kg.settings import PROJECT_ROOT

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


def _load_cached(folder: Path, concepts: list[ConceptInfo]) -> JointSpace | None:
    if not all((folder / name).is_file() for name in _SPACE_FILES):
        return None
    meta = json.loads((folder / "space.json").read_text(encoding="utf-8"))
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    vectors = np.load(folder / "vectors.npy", mmap_mode="r")
    if len(vocab) != vectors.shape[0]:
        return None
    kv = PlainVectors(vocab, vectors)
    model_dir = folder.parent / str(meta["model"])
    names = np.load(folder / "names.npy", mmap_mode="r")
    nodes = np.load(folder / "nodes.npy", mmap_mode="r")
    if names.shape[0] != len(concepts) or nodes.shape != names.shape:
        return None
    return JointSpace(words=WordSpace(kv), concepts=concepts, name_matrix=names,
                      node_matrix=nodes, model_dir=model_dir)


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
    concepts = load_concepts(store)
    if not concepts:
        raise ValueError("the graph has no concepts: run `mindkg kg seed` first")
    graph = csr_from_store(store, ONTOLOGY_RELATIONS, node_labels=(CONCEPT,))
    params = {"seed": seed, "walk_length": walk_length, "num_walks": num_walks, "p": p, "q": q}
    folder = home / "models" / f"space-{space_key(concepts, graph, params)}"
    cached = _load_cached(folder, concepts)
    if cached is not None:
        return cached
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
