"""Trained micro-expression classifiers for the video path (inference only).

`load_me_classifier(model, weights)` returns an object with `name`, `description` and
`classify(crops, apex_aus)` (the `ingest.video.analyze.MEClassifier` protocol), or None for
the AU rules. It reads a checkpoint written by `research.mer.train` (`--protocol full`, or
`mindkg mer train`), rebuilds the model and its input representation from it, and caches
the result per process: a session pays the load once, every spotted window only the
forward pass.

Shipped weights (`models/mer/weights/`) were trained on SYNTHETIC clips only
(`mindkg mer reproduce`); the names and descriptions say so wherever they appear.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ME_MODELS = ("cnn_gcn", "hybridmicronet", "mer_gcn_transformer", "lbp_vgg16", "rules")
"""Choices of `me_model` (Settings) and `mindkg analyze --me-model`."""

DEFAULT_ME_MODEL = "cnn_gcn"
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
SHIPPED: dict[str, str] = {"cnn_gcn": "cnn_gcn_synthetic.pt"}
"""Model -> weights file shipped in the package (trained on SYNTHETIC clips)."""

# A CAS(ME)^3-style class set -> MindKG's me_class ids; emotions map through their class.
_CLASS_OF_EMOTION = {
    "happiness": "positive", "surprise": "surprise", "sadness": "negative",
    "anger": "negative", "fear": "negative", "disgust": "negative", "contempt": "negative",
    "repression": "negative",
}  # fmt: skip
_ME_CLASSES = ("negative", "positive", "surprise", "others")

_lock = threading.Lock()
_cache: dict[tuple[str, bool, int, int], TrainedMEClassifier] = {}


def shipped_weights(model: str) -> Path | None:
    """The packaged weights file of a model, or None when none is shipped."""
    name = SHIPPED.get(model)
    return WEIGHTS_DIR / name if name else None


def load_me_classifier(model: str | None, weights: Path | None) -> TrainedMEClassifier | None:
    """The configured classifier; None = AU rules. ValueError for anything that cannot work.

    `model` None means: the model stored in `weights`, else the default (cnn_gcn).
    """
    if model is not None and model not in ME_MODELS:
        raise ValueError(f"unknown micro-expression model {model!r}; choose from {ME_MODELS}")
    if model == "rules":
        return None
    if weights is None:
        chosen = model or DEFAULT_ME_MODEL
        path = shipped_weights(chosen)
        if path is None:
            raise ValueError(
                f"no weights shipped for {chosen}: train with `mindkg mer train --model {chosen} "
                f"--dataset casme3 --root DIR --out W.pt` and set me_weights (MINDKG_ME_WEIGHTS) "
                f"to W.pt"
            )
        if not path.is_file():
            raise ValueError(f"the shipped weights of {chosen} are missing from the package: {path}")
    else:
        path = Path(weights).expanduser()
        if not path.is_file():
            raise ValueError(f"me_weights: no such file {path}")
    stat = path.stat()
    key = (str(path.resolve()), weights is None, stat.st_mtime_ns, stat.st_size)
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = TrainedMEClassifier.from_file(path, shipped=weights is None)
            _cache[key] = found
    if model is not None and model != found.model_name:
        raise ValueError(f"me_weights {path} holds {found.model_name!r} weights, not {model!r}")
    return found


@dataclass
class TrainedMEClassifier:
    """A checkpoint of research.mer.train, ready to classify spotted windows."""

    model_name: str
    labels: list[str]
    size: int
    frames: int
    net: Any = field(repr=False)  # torch.nn.Module; untyped so this imports without torch
    rep_state: dict[str, Any] = field(repr=False)
    trained_on: str
    digest: str
    shipped: bool = False

    @property
    def name(self) -> str:
        """e.g. 'cnn_gcn@synthetic-3f2a9c1d': model, training data, weights digest."""
        return f"{self.model_name}@{self.trained_on}-{self.digest}"

    @property
    def description(self) -> str:
        from models.mer.zoo import MODELS

        if self.shipped:
            data = "shipped weights trained on SYNTHETIC clips (mindkg mer reproduce), not on real faces"
        elif self.trained_on == "synthetic":
            data = "trained on SYNTHETIC clips (mindkg mer train), not on real faces"
        else:
            data = f"trained on {self.trained_on} (mindkg mer train)"
        return (f"{self.model_name}: {MODELS[self.model_name][1]}; labels "
                f"{','.join(self.labels)}; {data}; weights sha256 {self.digest}")

    @property
    def representation_kind(self) -> str:
        return f"{self.name} class probabilities ({','.join(self.labels)})"

    @classmethod
    def from_file(cls, path: Path, *, shipped: bool) -> TrainedMEClassifier:
        import torch

        from models.mer.zoo import MODELS

        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()[:8]
        try:
            ckpt = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:  # any unpickling failure means a bad file
            raise ValueError(f"me_weights {path}: not a checkpoint ({exc})") from exc
        if not isinstance(ckpt, dict) or not {"model", "labels", "state", "rep"} <= set(ckpt):
            raise ValueError(f"me_weights {path}: not a checkpoint written by mindkg mer train")
        stored = str(ckpt["model"])
        if stored not in MODELS or stored == "cnn":
            raise ValueError(f"me_weights {path}: model {stored!r} is not a selectable ME model")
        meta = ckpt.get("meta") or {}
        fmt = str(meta.get("format", "unknown"))
        trained_on = "synthetic" if shipped or meta.get("synthetic") else fmt
        size, frames = int(meta.get("size", 64)), int(meta.get("frames", 8))
        labels = [str(x) for x in ckpt["labels"]]
        unknown = [x for x in labels if x not in _ME_CLASSES and x not in _CLASS_OF_EMOTION]
        if unknown:
            raise ValueError(f"me_weights {path}: labels {unknown} have no micro-expression class")
        out = cls(stored, labels, size, frames, None, ckpt["rep"], trained_on, digest, shipped)
        out.net = out._build(ckpt["state"])
        return out

    def _inputs(self, crops: np.ndarray) -> Any:
        from models.mer.clips import ClipArrays, window_arrays
        from models.mer.zoo import build_rep

        faces = [c.astype(np.float32) / 255.0 for c in crops]
        onset, apex, seq = window_arrays(list(faces), self.size, self.frames)
        clips = ClipArrays(onset=onset[None], apex=apex[None], sequence=seq[None])
        rep = build_rep(self.model_name, clips)
        rep.load_state(self.rep_state)
        return rep.transform(np.array([0]))

    def _build(self, state: dict[str, Any]) -> Any:
        import torch

        from models.mer.cnn_gcn import CnnGcn
        from models.mer.zoo import TrainContext, build_model

        probe = np.full((2, self.size, self.size), 0.5, np.float32)
        shape = tuple(self._inputs(np.stack([probe[0], probe[1]]) * 255).shape[1:])
        if self.model_name == "cnn_gcn":
            # label vectors and adjacency are buffers in the state: no word vectors needed
            nodes, dim = state["label_vectors"].shape
            rng = np.random.default_rng(0)
            net: torch.nn.Module = CnnGcn(shape[0], rng.normal(size=(nodes, dim)),
                                          np.eye(nodes), n_outputs=len(self.labels))
        else:
            net, _ = build_model(self.model_name, TrainContext(self.labels, [], shape))
        try:
            net.load_state_dict(state)
        except RuntimeError as exc:
            raise ValueError(f"weights do not fit {self.model_name}: {exc}") from exc
        net.eval()
        return net

    def classify(self, crops: np.ndarray, apex_aus: dict[int, float]
                 ) -> tuple[str, str | None, float, list[float]]:
        """(me_class, emotion or None, probability of the chosen label, class probabilities).

        `crops`: aligned, equalised grayscale faces (T x H x W, uint8) onset..offset.
        """
        del apex_aus  # the trained models read the face images only
        import torch

        if len(crops) < 2:
            raise ValueError("a window needs at least two face crops")
        with torch.no_grad():
            probs = torch.softmax(self.net(self._inputs(crops)), dim=1)[0].numpy()
        k = int(np.argmax(probs))
        label = self.labels[k]
        if label in _ME_CLASSES:
            me_class, emotion = label, None
        else:  # repression has no emotion concept of its own in the graph: class only
            me_class = _CLASS_OF_EMOTION[label]
            emotion = None if label == "repression" else label
        return me_class, emotion, float(probs[k]), [round(float(p), 4) for p in probs]
