"""Benchmark: MindKG node2vec vs PecanPy (SparseOTF, PreComp), warm and cold, same graphs.

For every graph (synthetic ~10k-node graphs built here with a fixed seed, the default seed
knowledge graph with --seed-kg, an edge-list TSV, or the configured MindKG store) 10% of the
edges are held out and the walks run on the rest.

- **Warm** (what a long-running process gets): every implementation is loaded and called once
  in this one process before anything is timed, so numba has compiled (PecanPy builds its
  `move_forward`/`has_nbrs` kernels as closures on each `simulate_walks` call, which makes
  numba compile them again every call; here they are built once per graph object and reused,
  so its timed calls compile nothing, and PreComp's transition tables are computed in the
  untimed first call). Then the implementations run in alternating (rotated) order,
  `--repeats` times. PecanPy returns lists of node-id strings; ours an int32 matrix, so the
  conversion of our walks into the same lists is timed as its own column and added for the
  like-for-like ratio.
- **Cold** (what one CLI call gets): each implementation in a fresh subprocess: interpreter,
  imports, reading the edge list, first walks (PecanPy: including its JIT compilation; ours:
  numba's on-disk cache, or, as `ours-cold-jit`, an empty cache that compiles), alternating,
  `--cold-repeats` times; peak RSS from /proc.
- With `--quality`, one identical Word2Vec is trained on each implementation's walks and
  link-prediction ROC AUC (cosine, Hadamard + logistic regression) shows equal walk quality.

    .venv/bin/python bench/node2vec_bench.py --seed-kg --json out.json
    .venv/bin/python bench/node2vec_bench.py --synthetic '' --edges kg.tsv --quality

Needs the bench extras (`pecanpy==2.0.9`, `networkx`; `node2vec==0.5.0` only with
`--tools ...,node2vec`; `scikit-learn` and `gensim` for --quality). Reports medians
[min-max]; bench/report.py renders the JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench_stats import loadavg, machine, ratio, spread  # noqa: E402

TOOLS = ("ours", "pecanpy-SparseOTF", "pecanpy-PreComp", "node2vec")
COLD_EXTRA = ("ours-cold-jit",)  # cold only: ours with an empty numba cache
DEFAULT_TOOLS = "ours,pecanpy-SparseOTF,pecanpy-PreComp"
VERSIONED = ("numpy", "numba", "llvmlite", "gensim", "node2vec", "pecanpy", "networkx",
             "scikit-learn", "scipy")


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


# -- the implementations: load(graph file) -> object, walk(object) -> walks -----------------


@dataclass
class Impl:
    load: Callable[[], Any]
    walk: Callable[[Any], Any]


def _ours(graph: str, args: argparse.Namespace, workers: int) -> Impl:
    from kg.embed.csr import read_edge_list
    from kg.embed.node2vec import generate_walks

    return Impl(
        load=lambda: read_edge_list(Path(graph)),
        walk=lambda g: generate_walks(g, walk_length=args.walk_length,
                                      num_walks=args.num_walks, p=args.p, q=args.q,
                                      seed=args.seed, workers=workers))


def ours_as_lists(walks: Any) -> list[list[str]]:
    """Our walks in the peers' output form: one list of node-id strings per walk."""
    from kg.embed.node2vec import walks_as_tokens

    return list(walks_as_tokens(walks, prefix=""))


def _pecanpy(graph: str, args: argparse.Namespace, mode: str, warm: bool) -> Impl:
    from pecanpy import pecanpy

    weighted = _read_tsv(Path(graph))[1] is not None

    def load() -> Any:
        g = getattr(pecanpy, mode)(p=args.p, q=args.q, workers=args.workers,
                                   random_state=args.seed)
        g.read_edg(graph, weighted=weighted, directed=False)
        if warm:
            # Build the per-graph numba closures once and hand the same ones to every
            # simulate_walks call (it calls these getters each time): the timed calls then
            # reuse compiled code instead of compiling fresh closures.
            closures: dict[str, Any] = {}
            for name in ("get_move_forward", "get_has_nbrs"):
                make = getattr(g, name)

                def memo(make: Any = make, name: str = name) -> Any:
                    if name not in closures:
                        closures[name] = make()
                    return closures[name]

                setattr(g, name, memo)
        return g

    # PecanPy's walk_length counts steps (its walks have walk_length + 1 nodes).
    return Impl(load=load, walk=lambda g: g.simulate_walks(num_walks=args.num_walks,
                                                           walk_length=args.walk_length - 1))


def _node2vec_pkg(graph: str, args: argparse.Namespace, workers: int) -> Impl:
    import networkx as nx
    from node2vec import Node2Vec

    weighted = _read_tsv(Path(graph))[1] is not None
    data: Any = (("weight", float),) if weighted else False
    # comments=None: KG ids may contain '#' (Cilin codes such as "cilin:Df04A04#").
    return Impl(
        load=lambda: nx.read_edgelist(graph, delimiter="\t", nodetype=str, data=data,
                                      comments=None),
        walk=lambda g: Node2Vec(g, dimensions=args.dimensions, walk_length=args.walk_length,
                                num_walks=args.num_walks, p=args.p, q=args.q,
                                workers=workers, quiet=True, seed=args.seed).walks)


def implementation(tool: str, graph: str, args: argparse.Namespace, warm: bool) -> Impl:
    if tool.startswith("ours"):
        return _ours(graph, args, args.workers)
    if tool.startswith("pecanpy-"):
        return _pecanpy(graph, args, tool.split("-", 1)[1], warm)
    if tool == "node2vec":
        return _node2vec_pkg(graph, args, args.node2vec_workers)
    raise SystemExit(f"unknown tool {tool!r}")


# -- cold: one fresh process per run ---------------------------------------------------------


def run_worker(args: argparse.Namespace) -> None:
    """Cold run of one implementation: load the graph, first walks; times and peak RSS."""
    base = _status_mb("VmRSS")
    impl = implementation(args.tool, args.graph, args, warm=False)
    t0 = time.perf_counter()
    g = impl.load()
    t1 = time.perf_counter()
    walks = impl.walk(g)
    t2 = time.perf_counter()
    result: dict[str, Any] = {"load_s": t1 - t0, "walk_s": t2 - t1, "base_mb": base,
                              "peak_mb": _status_mb("VmHWM")}
    if args.tool.startswith("ours"):
        t3 = time.perf_counter()
        lists = ours_as_lists(walks)
        result["to_lists_s"] = time.perf_counter() - t3
        result["peak_with_lists_mb"] = _status_mb("VmHWM")
        del lists
    Path(args.json_out).write_text(json.dumps(result), encoding="utf-8")


def cold_runs(tools: Sequence[str], graph_file: Path, tmp: Path, split_name: str,
              args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """`--cold-repeats` rounds, each running every tool once in a fresh subprocess (rotated
    order); the process wall time includes interpreter start-up and imports."""
    runs: dict[str, list[dict[str, Any]]] = {t: [] for t in tools}
    errors: dict[str, str] = {}
    for r in range(args.cold_repeats):
        order = list(tools[r % len(tools):]) + list(tools[:r % len(tools)])
        for tool in order:
            if tool in errors:
                continue
            workers = args.node2vec_workers if tool == "node2vec" else args.workers
            json_out = tmp / f"{split_name}.{tool}.{r}.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "_worker", "--tool", tool,
                   "--graph", str(graph_file), "--json-out", str(json_out)]
            cmd += _walk_flags(args)
            env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUTF8": "1",
                   "NUMBA_NUM_THREADS": str(max(workers, 1))}
            if tool == "ours-cold-jit":  # an empty numba cache: compiles from scratch
                env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="numba-", dir=tmp)
            print(f"[{split_name}] cold {tool} #{r + 1}", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                                      timeout=args.timeout)
            except subprocess.TimeoutExpired:
                errors[tool] = f"timed out after {args.timeout} s"
                continue
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                errors[tool] = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
                continue
            res = json.loads(json_out.read_text(encoding="utf-8"))
            res["process_s"] = wall
            runs[tool].append(res)
    out: dict[str, dict[str, Any]] = {}
    for tool in tools:
        rows = runs[tool]
        if tool in errors or not rows:
            out[tool] = {"error": errors.get(tool, "no run")}
            continue
        out[tool] = {
            "threads": args.node2vec_workers if tool == "node2vec" else args.workers,
            "process_s": spread([x["process_s"] for x in rows]),
            "load_s": spread([x["load_s"] for x in rows]),
            "walk_s": spread([x["walk_s"] for x in rows]),
            "peak_mb": spread([x["peak_mb"] for x in rows], 1),
            "delta_mb": spread([x["peak_mb"] - x["base_mb"] for x in rows], 1),
        }
        if "to_lists_s" in rows[0]:
            out[tool]["to_lists_s"] = spread([x["to_lists_s"] for x in rows])
            out[tool]["peak_with_lists_mb"] = spread([x["peak_with_lists_mb"] for x in rows], 1)
    return out


# -- warm: everything compiled in this process, alternating ---------------------------------


def warm_runs(tools: Sequence[str], graph_file: Path, split_name: str,
              args: argparse.Namespace) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Returns per-tool medians and the last walks of each tool (for --quality)."""
    impls = {t: implementation(t, str(graph_file), args, warm=True) for t in tools}
    graphs: dict[str, Any] = {}
    first: dict[str, float] = {}
    last: dict[str, Any] = {}
    for tool, impl in impls.items():  # load + first call: compiles, PreComp preprocesses
        print(f"[{split_name}] warm-up {tool}", file=sys.stderr, flush=True)
        graphs[tool] = impl.load()
        t0 = time.perf_counter()
        impl.walk(graphs[tool])
        first[tool] = time.perf_counter() - t0
    identical = None
    if "ours" in tools and args.workers > 1:  # determinism: 1 thread gives the same walks
        one = _ours(str(graph_file), args, 1).walk(graphs["ours"])
        many = impls["ours"].walk(graphs["ours"])
        identical = bool(np.array_equal(one.nodes, many.nodes)
                         and np.array_equal(one.lengths, many.lengths))
        del one, many
    wall: dict[str, list[float]] = {t: [] for t in tools}
    cpu: dict[str, list[float]] = {t: [] for t in tools}
    conv: list[float] = []
    for r in range(args.repeats):
        order = list(tools[r % len(tools):]) + list(tools[:r % len(tools)])
        for tool in order:
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            walks = impls[tool].walk(graphs[tool])
            wall[tool].append(time.perf_counter() - t0)
            cpu[tool].append(time.process_time() - c0)
            if tool == "ours":
                t1 = time.perf_counter()
                lists = ours_as_lists(walks)
                conv.append(time.perf_counter() - t1)
                last[tool] = lists
            else:
                last[tool] = walks
            del walks
    out: dict[str, dict[str, Any]] = {}
    for tool in tools:
        out[tool] = {"first_call_s": round(first[tool], 4), "walk_s": spread(wall[tool]),
                     "walk_cpu_s": spread(cpu[tool]),
                     "threads": args.node2vec_workers if tool == "node2vec" else args.workers}
    if "ours" in out:
        out["ours"]["identical_1_vs_n_threads"] = identical
        out["ours"]["to_lists_s"] = spread(conv)
        out["ours"]["walk_plus_lists_s"] = spread(
            [a + b for a, b in zip(wall["ours"], conv, strict=True)])
        base = out["ours"]["walk_s"]["median"]
        base_lists = out["ours"]["walk_plus_lists_s"]["median"]
        for tool in tools:
            if tool != "ours":
                peer = out[tool]["walk_s"]["median"]
                out[tool]["ratio_vs_ours_walks"] = ratio(peer, base)
                out[tool]["ratio_vs_ours_with_lists"] = ratio(peer, base_lists)
    return out, last


def _walk_flags(args: argparse.Namespace) -> list[str]:
    return ["--p", str(args.p), "--q", str(args.q), "--num-walks", str(args.num_walks),
            "--walk-length", str(args.walk_length), "--workers", str(args.workers),
            "--node2vec-workers", str(args.node2vec_workers), "--seed", str(args.seed),
            "--dimensions", str(args.dimensions)]


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
    want = round(holdout * len(pairs))
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

    possible = len(nodes) * (len(nodes) - 1) // 2 - len(pairs)
    if possible < 2 * len(test):
        raise SystemExit(f"{name}: too dense for the link-prediction split "
                         f"({possible} non-edges, {2 * len(test)} needed)")
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


def edges_from_seed_kg() -> tuple[list[tuple[str, str, float]], str]:
    """The default seed knowledge graph (kg.seed), built in memory, provenance edges left out
    (FROM_SOURCE ties every concept to one of a few Source nodes: bookkeeping, not meaning)."""
    from kg.seed import build_default_seed

    seed = build_default_seed()
    out = [(e.src_key, e.dst_key, 1.0) for e in seed.edges() if e.type != "FROM_SOURCE"]
    return out, "MindKG default seed knowledge graph (kg.seed), all relations but FROM_SOURCE"


def edges_from_store() -> tuple[list[tuple[str, str, float]], str]:
    from contracts.settings import load_settings
    from kg.embed.csr import csr_from_store
    from kg.store.factory import open_store

    settings = load_settings()
    with open_store(settings, ensure_schema=False) as store:
        g = csr_from_store(store)
    out = [(g.ids[i], g.ids[j], 1.0) for i in range(g.num_nodes)
           for j in g.indices[g.indptr[i]:g.indptr[i + 1]].tolist() if i < j]
    return out, f"MindKG store ({settings.store_backend})"


# -- quality ---------------------------------------------------------------------------------


def score(split: Split, walks: Sequence[Sequence[Any]], args: argparse.Namespace) -> dict[str, float]:
    """Link-prediction ROC AUC of one identical Word2Vec trained on these walks."""
    from gensim.models import Word2Vec
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    sentences = [[str(x) for x in w] for w in walks]
    model = Word2Vec(sentences, vector_size=args.dimensions, window=args.window, min_count=1,
                     sg=1, negative=5, epochs=args.epochs, workers=1, seed=args.seed)
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
    return {"auc_cos": round(float(auc_cos), 4), "auc_hadamard_lr": round(float(auc_lr), 4)}


# -- orchestration ---------------------------------------------------------------------------


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _fmt(s: dict[str, Any] | None, digits: int = 2) -> str:
    if not s or s.get("median") is None:
        return "—"
    return f"{s['median']:.{digits}f} [{s['min']:.{digits}f}–{s['max']:.{digits}f}]"


def print_summary(result: dict[str, Any]) -> None:
    for g in result["graphs"]:
        print(f"\n{g['name']}: {g['nodes']} nodes, {g['train_edges']} training edges")
        for tool, r in g["warm"].items():
            if "error" in r:
                print(f"  warm {tool:20s} failed: {r['error']}")
                continue
            extra = ""
            if tool == "ours":
                extra = (f"; + lists {_fmt(r['to_lists_s'])} = {_fmt(r['walk_plus_lists_s'])}")
            else:
                extra = (f"; {r['ratio_vs_ours_walks']}x ours, "
                         f"{r['ratio_vs_ours_with_lists']}x ours+lists")
            print(f"  warm {tool:20s} walks {_fmt(r['walk_s'])} s{extra}")
        for tool, r in g["cold"].items():
            if "error" in r:
                print(f"  cold {tool:20s} failed: {r['error']}")
                continue
            print(f"  cold {tool:20s} process {_fmt(r['process_s'])} s, first walks "
                  f"{_fmt(r['walk_s'])} s, peak {_fmt(r['peak_mb'], 0)} MiB")
        for tool, q in g.get("quality", {}).items():
            print(f"  AUC  {tool:20s} cos {q['auc_cos']:.3f} Hadamard-LR {q['auc_hadamard_lr']:.3f}")


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--p", type=float, default=1.0)
    parser.add_argument("--q", type=float, default=0.5)
    parser.add_argument("--num-walks", type=int, default=10)
    parser.add_argument("--walk-length", type=int, default=40)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--node2vec-workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dimensions", type=int, default=64)
    if argv[:1] == ["_worker"]:
        parser.add_argument("--tool", required=True)
        parser.add_argument("--graph", required=True)
        parser.add_argument("--json-out", required=True)
        run_worker(parser.parse_args(argv[1:]))
        return
    parser.add_argument("--synthetic", default="plc,sbm",
                        help="comma-separated synthetic graphs: plc (power-law cluster), sbm")
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--edges", type=Path, help="extra graph: src<TAB>dst[<TAB>weight] TSV")
    parser.add_argument("--store", action="store_true",
                        help="extra graph: every relationship in the configured MindKG store")
    parser.add_argument("--seed-kg", action="store_true",
                        help="extra graph: the default seed knowledge graph built by kg.seed")
    parser.add_argument("--tools", default=DEFAULT_TOOLS,
                        help=f"comma-separated, of {', '.join(TOOLS)}")
    parser.add_argument("--repeats", type=int, default=5, help="warm alternating rounds")
    parser.add_argument("--cold-repeats", type=int, default=3,
                        help="cold rounds (fresh process per run); 0: no cold runs")
    parser.add_argument("--cold-graphs", default="",
                        help="comma-separated graph names to run cold (default: all)")
    parser.add_argument("--no-cold-jit", action="store_true",
                        help="leave out the cold run of ours with an empty numba cache")
    parser.add_argument("--quality", action="store_true",
                        help="also score each implementation's walks (Word2Vec + AUC)")
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=300, help="per cold run, seconds")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = set(tools) - set(TOOLS)
    if unknown or not tools:
        parser.error(f"unknown tools {sorted(unknown)}; known: {', '.join(TOOLS)}")
    import importlib.util

    needed = {"pecanpy": any(t.startswith("pecanpy-") for t in tools),
              "node2vec": "node2vec" in tools, "networkx": True,
              "sklearn": args.quality, "gensim": args.quality}
    missing = [m for m, need in needed.items() if need and importlib.util.find_spec(m) is None]
    if missing:
        parser.error(f"missing {', '.join(missing)}: install the bench extras, e.g. "
                     "pip install --no-deps pecanpy==2.0.9 numba-progress==1.2.0 nptyping==2.5.0"
                     " (node2vec==0.5.0 for that peer)")
    if tools[0] != "ours" and "ours" in tools:
        tools.remove("ours")
        tools.insert(0, "ours")
    # PecanPy and our walks take their thread count from here (numba reads it on import).
    os.environ["NUMBA_NUM_THREADS"] = str(max(args.workers, 1))

    result: dict[str, Any] = {
        "bench": "node2vec", "machine": machine(), "loadavg_before": loadavg(),
        "command": "python bench/node2vec_bench.py " + " ".join(argv),
        "versions": {n: _version(n) for n in VERSIONED},
        "params": {"p": args.p, "q": args.q, "num_walks": args.num_walks,
                   "walk_length": args.walk_length, "threads": args.workers,
                   "seed": args.seed, "repeats": args.repeats,
                   "cold_repeats": args.cold_repeats},
        "graphs": [],
    }
    splits: list[Split] = []
    for kind in [k for k in args.synthetic.split(",") if k]:
        edges, desc = synthetic_edges(kind, args.nodes, args.seed)
        splits.append(split_edges(kind, desc, edges, False, args.seed))
    if args.edges:
        edges, weighted = edges_from_tsv(args.edges)
        splits.append(split_edges(args.edges.stem, f"edge list `{args.edges}`", edges,
                                  weighted, args.seed))
    if args.seed_kg:
        edges, desc = edges_from_seed_kg()
        splits.append(split_edges("seed-kg", desc, edges, False, args.seed))
    if args.store:
        edges, desc = edges_from_store()
        splits.append(split_edges("store", desc, edges, False, args.seed))

    cold_tools = tools + ([] if args.no_cold_jit or "ours" not in tools else list(COLD_EXTRA))
    with tempfile.TemporaryDirectory(prefix="n2v-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for split in splits:
            graph_file = tmp / f"{split.name}.train.tsv"
            with graph_file.open("w", encoding="utf-8") as fh:
                for a, b, w in split.train:
                    fh.write(f"{a}\t{b}\t{w}\n" if split.weighted else f"{a}\t{b}\n")
            entry: dict[str, Any] = {
                "name": split.name, "description": split.description,
                "nodes": len(split.nodes), "train_edges": len(split.train),
                "heldout_edges": len(split.test_pos), "loadavg_before": loadavg()}
            warm, walks = warm_runs(tools, graph_file, split.name, args)
            entry["warm"] = warm
            cold_graphs = [g for g in args.cold_graphs.split(",") if g]
            run_cold = args.cold_repeats > 0 and (not cold_graphs or split.name in cold_graphs)
            entry["cold"] = (cold_runs(cold_tools, graph_file, tmp, split.name, args)
                             if run_cold else {})
            if args.quality:
                entry["quality"] = {t: score(split, w, args) for t, w in walks.items()}
            del walks
            entry["loadavg_after"] = loadavg()
            result["graphs"].append(entry)
    result["loadavg_after"] = loadavg()
    print_summary(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
        print(f"written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
