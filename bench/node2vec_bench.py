"""Benchmark: MindKG node2vec vs the `node2vec` PyPI package vs PecanPy, same graphs, same run.

For every graph (synthetic ~10k-node graphs built here with a fixed seed, plus an optional
edge-list TSV or the configured MindKG store) 10% of the edges are held out; each
implementation then generates walks on the remaining graph in its own fresh subprocess, where
wall time and peak memory are measured; the main process trains one identical Word2Vec on
each implementation's walks and scores held-out edges against sampled non-edges (ROC AUC,
cosine and Hadamard + logistic regression), to show the walks are of equal quality.

    .venv/bin/python bench/node2vec_bench.py                   # synthetic graphs
    .venv/bin/python bench/node2vec_bench.py --edges kg.tsv    # + an exported graph
    .venv/bin/python bench/node2vec_bench.py --store           # + the MindKG store

Results go to stdout and, as markdown, to docs/benchmarks/node2vec.md (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TOOLS = ("ours", "ours-cold-jit", "pecanpy-SparseOTF", "pecanpy-PreComp", "node2vec")
VERSIONED = ("numpy", "numba", "llvmlite", "gensim", "node2vec", "pecanpy", "networkx",
             "scikit-learn", "scipy")


# -- measurement helpers (run inside the worker subprocess) --------------------------------


def _status_mb(field_name: str) -> float:
    """VmRSS (current) or VmHWM (peak) of this process in MiB, from /proc (Linux)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"{field_name} not in /proc/self/status")


def _read_tsv(path: Path) -> tuple[list[tuple[str, str]], list[float] | None]:
    pairs: list[tuple[str, str]] = []
    weights: list[float] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        pairs.append((parts[0], parts[1]))
        if len(parts) == 3:
            weights.append(float(parts[2]))
    return pairs, (weights if weights else None)


def _walk_ours(args: argparse.Namespace) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    from kg.embed.csr import read_edge_list
    from kg.embed.node2vec import generate_walks

    def load() -> Any:
        return read_edge_list(Path(args.graph))

    def walk(g: Any) -> Any:
        return generate_walks(g, walk_length=args.walk_length, num_walks=args.num_walks,
                              p=args.p, q=args.q, seed=args.seed, workers=args.workers)

    return load, walk


def _walk_pecanpy(args: argparse.Namespace, mode: str) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    from pecanpy import pecanpy

    weighted = _read_tsv(Path(args.graph))[1] is not None

    def load() -> Any:
        g = getattr(pecanpy, mode)(p=args.p, q=args.q, workers=args.workers,
                                   random_state=args.seed)
        g.read_edg(args.graph, weighted=weighted, directed=False)
        return g

    def walk(g: Any) -> Any:
        # PecanPy's walk_length counts steps (walks have walk_length + 1 nodes).
        return g.simulate_walks(num_walks=args.num_walks, walk_length=args.walk_length - 1)

    return load, walk


def _walk_node2vec(args: argparse.Namespace) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    import networkx as nx
    from node2vec import Node2Vec

    weighted = _read_tsv(Path(args.graph))[1] is not None

    def load() -> Any:
        data: Any = (("weight", float),) if weighted else False
        return nx.read_edgelist(args.graph, delimiter="\t", nodetype=str, data=data)

    def walk(g: Any) -> Any:
        n2v = Node2Vec(g, dimensions=args.dimensions, walk_length=args.walk_length,
                       num_walks=args.num_walks, p=args.p, q=args.q, workers=args.workers,
                       quiet=True, seed=args.seed)
        return n2v.walks

    return load, walk


def run_worker(args: argparse.Namespace) -> None:
    """One implementation, one graph: time load and walks, record peak RSS, dump walks."""
    tool = args.tool
    if tool in ("ours", "ours-cold-jit"):
        load, walk = _walk_ours(args)
    elif tool.startswith("pecanpy-"):
        load, walk = _walk_pecanpy(args, tool.split("-", 1)[1])
    elif tool == "node2vec":
        load, walk = _walk_node2vec(args)
    else:
        raise SystemExit(f"unknown tool {tool!r}")
    base = _status_mb("VmRSS")
    t0 = time.perf_counter()
    graph = load()
    t1 = time.perf_counter()
    walks = walk(graph)
    t2 = time.perf_counter()
    peak = _status_mb("VmHWM")
    result: dict[str, Any] = {"load_s": t1 - t0, "walk_s": t2 - t1, "base_mb": base,
                              "peak_mb": peak}
    if tool.startswith("ours"):
        # Peers hand back Python lists of strings; ours an int32 matrix read lazily as
        # tokens. Measure what materialising lists like theirs would add, to be fair.
        t3 = time.perf_counter()
        as_lists = [walks.as_ids(i) for i in range(len(walks))]
        result["to_lists_s"] = time.perf_counter() - t3
        result["peak_with_lists_mb"] = _status_mb("VmHWM")
        del as_lists
        lines = ("\t".join(walks.as_ids(i)) for i in range(len(walks)))
    else:
        lines = ("\t".join(str(x) for x in w) for w in walks)
    with open(args.walks_out, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
    Path(args.json_out).write_text(json.dumps(result), encoding="utf-8")


# -- graphs and the link-prediction split (main process) ------------------------------------


@dataclass
class Split:
    name: str
    description: str
    nodes: list[str]
    train: list[tuple[str, str, float]]
    test_pos: list[tuple[str, str]]
    test_neg: list[tuple[str, str]]
    fit_neg: list[tuple[str, str]]
    weighted: bool = False
    results: dict[str, dict[str, Any]] = field(default_factory=dict)


def synthetic_edges(kind: str, n: int, seed: int) -> tuple[list[tuple[str, str, float]], str]:
    """Synthetic graphs (networkx generators with a fixed seed), labelled as such."""
    import networkx as nx

    if kind == "plc":
        g = nx.powerlaw_cluster_graph(n, 5, 0.3, seed=seed)
        desc = f"synthetic Holme–Kim power-law cluster graph (n={n}, m=5, p=0.3, seed={seed})"
    elif kind == "sbm":
        blocks = 20
        size = n // blocks
        p_in, p_out = 8.0 / size, 2.0 / (n - size)
        probs = [[p_in if i == j else p_out for j in range(blocks)] for i in range(blocks)]
        g = nx.stochastic_block_model([size] * blocks, probs, seed=seed, sparse=True)
        desc = (f"synthetic stochastic block model ({blocks} blocks x {size}, "
                f"p_in={p_in:.4f}, p_out={p_out:.6f}, seed={seed})")
    else:
        raise SystemExit(f"unknown synthetic graph {kind!r}")
    return [(f"v{a}", f"v{b}", 1.0) for a, b in g.edges() if a != b], desc


def split_edges(
    name: str, desc: str, edges: Sequence[tuple[str, str, float]], weighted: bool, seed: int,
    holdout: float = 0.1,
) -> Split:
    """Hold out `holdout` of the edges (never a node's last one) plus as many non-edges."""
    merged: dict[tuple[str, str], float] = {}
    for a, b, w in edges:
        if a != b:
            key = (a, b) if a < b else (b, a)
            merged[key] = merged.get(key, 0.0) + w
    pairs = sorted(merged)
    nodes = sorted({x for pair in pairs for x in pair})
    degree = dict.fromkeys(nodes, 0)
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    rng = np.random.default_rng(seed)
    want = int(round(holdout * len(pairs)))
    test: set[tuple[str, str]] = set()
    for i in rng.permutation(len(pairs)).tolist():
        if len(test) >= want:
            break
        a, b = pairs[i]
        if degree[a] > 1 and degree[b] > 1:
            test.add(pairs[i])
            degree[a] -= 1
            degree[b] -= 1

    def non_edges(k: int, avoid: set[tuple[str, str]]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        while len(out) < k:
            a, b = (nodes[i] for i in rng.integers(0, len(nodes), size=2))
            key = (a, b) if a < b else (b, a)
            if a != b and key not in merged and key not in avoid:
                avoid.add(key)
                out.append(key)
        return out

    taken: set[tuple[str, str]] = set()
    test_neg = non_edges(len(test), taken)
    train = [(a, b, merged[(a, b)]) for a, b in pairs if (a, b) not in test]
    fit_neg = non_edges(len(test), taken)
    return Split(name, desc, nodes, train, sorted(test), test_neg, fit_neg, weighted)


def edges_from_tsv(path: Path) -> tuple[list[tuple[str, str, float]], bool]:
    from kg.embed.csr import read_edge_list

    g = read_edge_list(path)  # validates the file
    out = [(g.ids[i], g.ids[j], 1.0 if g.weights is None else float(g.weights[k]))
           for i in range(g.num_nodes)
           for k, j in enumerate(g.indices[g.indptr[i]:g.indptr[i + 1]].tolist(),
                                 start=int(g.indptr[i]))
           if i < j]
    return out, g.weighted


def edges_from_store() -> tuple[list[tuple[str, str, float]], str]:
    from kg.embed.csr import csr_from_store
    from kg.settings import load_settings
    from kg.store.factory import open_store

    settings = load_settings()
    with open_store(settings, ensure_schema=False) as store:
        g = csr_from_store(store)
    out = [(g.ids[i], g.ids[j], 1.0) for i in range(g.num_nodes)
           for j in g.indices[g.indptr[i]:g.indptr[i + 1]].tolist() if i < j]
    return out, f"MindKG store ({settings.store_backend})"


# -- scoring ---------------------------------------------------------------------------------


def score(split: Split, walks_file: Path, args: argparse.Namespace) -> dict[str, float]:
    from gensim.models import Word2Vec
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    with walks_file.open(encoding="utf-8") as fh:
        walks = [line.rstrip("\n").split("\t") for line in fh]
    t0 = time.perf_counter()
    model = Word2Vec(walks, vector_size=args.dimensions, window=args.window, min_count=1,
                     sg=1, negative=5, epochs=args.epochs, workers=1, seed=args.seed)
    w2v_s = time.perf_counter() - t0
    wv = model.wv
    dim = args.dimensions

    def vec(node: str) -> np.ndarray:
        return np.asarray(wv[node]) if node in wv.key_to_index else np.zeros(dim, np.float32)

    def feats(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        return np.stack([vec(a) * vec(b) for a, b in pairs])

    def cosine(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        out = []
        for a, b in pairs:
            va, vb = vec(a), vec(b)
            den = float(np.linalg.norm(va) * np.linalg.norm(vb)) or 1.0
            out.append(float(va @ vb) / den)
        return np.asarray(out)

    labels = np.r_[np.ones(len(split.test_pos)), np.zeros(len(split.test_neg))]
    test_pairs = split.test_pos + split.test_neg
    auc_cos = roc_auc_score(labels, cosine(test_pairs))
    rng = np.random.default_rng(args.seed)
    fit_pos_idx = rng.choice(len(split.train), size=len(split.fit_neg), replace=False)
    fit_pos = [(split.train[i][0], split.train[i][1]) for i in fit_pos_idx.tolist()]
    clf = LogisticRegression(max_iter=1000)
    clf.fit(feats(fit_pos + split.fit_neg),
            np.r_[np.ones(len(fit_pos)), np.zeros(len(split.fit_neg))])
    auc_lr = roc_auc_score(labels, clf.predict_proba(feats(test_pairs))[:, 1])
    return {"auc_cos": float(auc_cos), "auc_hadamard_lr": float(auc_lr), "w2v_s": w2v_s}


# -- orchestration ---------------------------------------------------------------------------


def run_tool(
    tool: str, split: Split, graph_file: Path, tmp: Path, args: argparse.Namespace
) -> dict[str, Any]:
    workers = args.node2vec_workers if tool == "node2vec" else args.workers
    walks_out, json_out = tmp / f"{split.name}.{tool}.walks", tmp / f"{split.name}.{tool}.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "_worker", "--tool", tool,
           "--graph", str(graph_file), "--walks-out", str(walks_out), "--json-out",
           str(json_out), "--p", str(args.p), "--q", str(args.q), "--num-walks",
           str(args.num_walks), "--walk-length", str(args.walk_length), "--workers",
           str(workers), "--seed", str(args.seed), "--dimensions", str(args.dimensions)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "NUMBA_NUM_THREADS": str(max(workers, 1))}
    if tool == "ours-cold-jit":
        env["NUMBA_CACHE_DIR"] = str(tmp / f"numba-cache-{split.name}")  # empty: compile
    print(f"[{split.name}] {tool} (threads={workers}) ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"threads": workers, "error": f"timed out after {args.timeout} s"}
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"threads": workers, "error": " | ".join(tail)}
    res: dict[str, Any] = json.loads(json_out.read_text(encoding="utf-8"))
    res["threads"] = workers
    res["process_wall_s"] = wall
    res.update(score(split, walks_out, args))
    walks_out.unlink()
    print(f"    walks {res['walk_s']:.2f} s, peak {res['peak_mb']:.0f} MiB, "
          f"AUC {res['auc_cos']:.3f}/{res['auc_hadamard_lr']:.3f}", file=sys.stderr)
    return res


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def render(splits: Sequence[Split], args: argparse.Namespace, command: str) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(f"{n}=={_version(n)}" for n in VERSIONED)
    lines = [
        "# node2vec benchmark: MindKG vs `node2vec` (PyPI) vs PecanPy",
        "",
        "Generated by `bench/node2vec_bench.py`; numbers are from one run on the machine below.",
        "",
        f"- Command: `{command}`",
        f"- Machine: {cpu}, {os.cpu_count()} cores (shared with other jobs), "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}",
        f"- Packages: {versions}",
        f"- Walks: p={args.p}, q={args.q}, num_walks={args.num_walks}, "
        f"walk_length={args.walk_length} nodes, seed={args.seed}; ours and PecanPy with "
        f"{args.workers} thread(s), the `node2vec` package with workers="
        f"{args.node2vec_workers}.",
        f"- Quality: 10% of edges held out (never a node's last edge) + as many sampled "
        f"non-edges; one identical gensim Word2Vec per implementation (skip-gram, "
        f"dim={args.dimensions}, window={args.window}, epochs={args.epochs}, 1 thread, "
        f"seed={args.seed}) on its walks; ROC AUC by cosine, and by Hadamard features + "
        f"logistic regression fitted on train edges vs other non-edges.",
        "- Each implementation runs in a fresh subprocess. `load` = reading the edge list "
        "into its structure; `walks` = generating all walks (PecanPy: including its "
        "preprocessing and numba JIT; ours: numba's on-disk cache warm, except "
        "`ours-cold-jit` which compiles from scratch). Peak = VmHWM of the worker; "
        "Δ = peak minus RSS after imports, i.e. what graph and walks cost.",
        "",
    ]
    for split in splits:
        n_edges = len(split.train) + len(split.test_pos)
        lines += [f"## {split.name}: {split.description}", "",
                  f"{len(split.nodes)} nodes, {n_edges} edges "
                  f"({len(split.train)} for training, {len(split.test_pos)} held out).", "",
                  "| implementation | threads | load s | walks s | load+walks s | peak MiB "
                  "| Δ MiB | AUC cos | AUC Hadamard-LR |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for tool, r in split.results.items():
            if "error" in r:
                lines.append(f"| {tool} | {r['threads']} | failed: {r['error']} "
                             "| | | | | | |")
                continue
            lines.append(
                f"| {tool} | {r['threads']} | {_fmt(r['load_s'])} | {_fmt(r['walk_s'])} "
                f"| {_fmt(r['load_s'] + r['walk_s'])} | {_fmt(r['peak_mb'], 0)} "
                f"| {_fmt(r['peak_mb'] - r['base_mb'], 0)} | {_fmt(r['auc_cos'], 3)} "
                f"| {_fmt(r['auc_hadamard_lr'], 3)} |")
        ours = split.results.get("ours", {})
        if "walk_s" in ours:
            lines += ["", f"Ours returns an int32 walk matrix; materialising Python lists "
                          f"of id strings like the peers return would add "
                          f"{ours['to_lists_s']:.2f} s and bring the peak to "
                          f"{ours['peak_with_lists_mb']:.0f} MiB.", "",
                      "Ratios peer / ours (higher = ours better):", "",
                      "| peer | walks time | load+walks time | peak memory | Δ memory |",
                      "|---|---|---|---|---|"]
            for tool, r in split.results.items():
                if tool == "ours" or "error" in r:
                    continue
                lines.append(
                    f"| {tool} | {r['walk_s'] / ours['walk_s']:.1f}× "
                    f"| {(r['load_s'] + r['walk_s']) / (ours['load_s'] + ours['walk_s']):.1f}× "
                    f"| {r['peak_mb'] / ours['peak_mb']:.2f}× "
                    f"| {(r['peak_mb'] - r['base_mb']) / max(ours['peak_mb'] - ours['base_mb'], 1e-9):.1f}× |")
        lines.append("")
    return "\n".join(lines)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--p", type=float, default=1.0)
    parser.add_argument("--q", type=float, default=0.5)
    parser.add_argument("--num-walks", type=int, default=10)
    parser.add_argument("--walk-length", type=int, default=40)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dimensions", type=int, default=64)
    if argv[:1] == ["_worker"]:
        parser.add_argument("--tool", required=True)
        parser.add_argument("--graph", required=True)
        parser.add_argument("--walks-out", required=True)
        parser.add_argument("--json-out", required=True)
        run_worker(parser.parse_args(argv[1:]))
        return
    parser.add_argument("--synthetic", default="plc,sbm",
                        help="comma-separated synthetic graphs: plc (power-law cluster), sbm")
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--edges", type=Path, help="extra graph: src<TAB>dst[<TAB>weight] TSV")
    parser.add_argument("--store", action="store_true",
                        help="extra graph: every relationship in the configured MindKG store")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--node2vec-workers", type=int, default=1)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=300, help="per implementation run")
    parser.add_argument("--out", type=Path, default=REPO / "docs/benchmarks/node2vec.md")
    args = parser.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown:
        parser.error(f"unknown tools {sorted(unknown)}; known: {', '.join(TOOLS)}")

    splits: list[Split] = []
    for kind in [k for k in args.synthetic.split(",") if k]:
        edges, desc = synthetic_edges(kind, args.nodes, args.seed)
        splits.append(split_edges(kind, desc, edges, False, args.seed))
    if args.edges:
        edges, weighted = edges_from_tsv(args.edges)
        splits.append(split_edges(args.edges.stem, f"edge list `{args.edges}`", edges,
                                  weighted, args.seed))
    if args.store:
        edges, desc = edges_from_store()
        splits.append(split_edges("store", desc, edges, False, args.seed))

    with tempfile.TemporaryDirectory(prefix="n2v-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for split in splits:
            graph_file = tmp / f"{split.name}.train.tsv"
            with graph_file.open("w", encoding="utf-8") as fh:
                for a, b, w in split.train:
                    fh.write(f"{a}\t{b}\t{w}\n" if split.weighted else f"{a}\t{b}\n")
            for tool in tools:
                split.results[tool] = run_tool(tool, split, graph_file, tmp, args)

    command = "python bench/node2vec_bench.py " + " ".join(argv)
    report = render(splits, args, command.strip())
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
