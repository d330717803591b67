"""Mapping tables (data/speech_tables/*.yaml) from feature values to descriptive codes.

Tables are data so a counseling center can recalibrate thresholds without touching code.
Values are turned into z-scores against the speaker's own earlier sessions when a
baseline is given, else against population norms per language.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from contracts.settings import PROJECT_ROOT
from ingest.audio.errors import AudioInputError

TABLE_DIR = PROJECT_ROOT / "data" / "speech_tables"
_COND = re.compile(r"^\s*([a-z0-9_]+)\s*(<=|>=)\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Condition:
    feature: str
    op: str
    z: float

    def holds(self, zscores: Mapping[str, float]) -> bool:
        value = zscores.get(self.feature)
        if value is None:
            return False
        return value <= self.z if self.op == "<=" else value >= self.z


@dataclass(frozen=True)
class Rule:
    code: str
    when: tuple[Condition, ...]


@dataclass(frozen=True)
class Decision:
    """The chosen code, its bilingual phrase, and the z-scores it was based on."""

    code: str
    zh: str
    en: str
    zscores: dict[str, float]
    reference: str  # "baseline" or "population"


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AudioInputError(f"speech table {path} cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise AudioInputError(f"speech table {path} must be a mapping")
    return data


@functools.lru_cache(maxsize=4)
def descriptors(path: Path = TABLE_DIR / "descriptors.yaml") -> dict[str, Any]:
    data = _load_yaml(path)
    for section in ("intonation", "rate"):
        for rule in data[section]["rules"]:
            if rule["code"] not in data[section]["codes"]:
                raise AudioInputError(f"{path}: rule code {rule['code']!r} has no text")
    return data


@functools.lru_cache(maxsize=4)
def content_lexicon(path: Path = TABLE_DIR / "content.yaml") -> dict[str, Any]:
    return _load_yaml(path)


def parse_rules(section: Mapping[str, Any]) -> list[Rule]:
    rules = []
    for raw in section["rules"]:
        conds = []
        for text in raw.get("when", []):
            m = _COND.match(text)
            if m is None:
                raise AudioInputError(f"bad table condition {text!r}: use 'feature <= z'")
            conds.append(Condition(m.group(1), m.group(2), float(m.group(3))))
        rules.append(Rule(str(raw["code"]), tuple(conds)))
    return rules


def normalise_baseline(baseline: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Accept {feature: [earlier values]} or {feature: {"mean": m, "sd": s}}."""
    table = descriptors()
    floors: Mapping[str, float] = table.get("baseline_min_sd", {})
    out: dict[str, tuple[float, float]] = {}
    for name, spec in baseline.items():
        if isinstance(spec, Mapping):
            mean, sd = float(spec["mean"]), float(spec.get("sd", 0.0))
        elif isinstance(spec, Sequence) and not isinstance(spec, str):
            vals = [float(v) for v in spec if v is not None and math.isfinite(float(v))]
            if len(vals) < 2:
                continue  # one earlier session gives no spread: fall back to norms
            mean = sum(vals) / len(vals)
            sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / (len(vals) - 1))
        else:
            raise AudioInputError(
                f"baseline[{name!r}] must be a list of earlier values or {{mean, sd}}")
        out[name] = (mean, max(sd, float(floors.get(name, 1e-6))))
    return out


def zscores(
    values: Mapping[str, float | None], language: str,
    baseline: Mapping[str, tuple[float, float]] | None,
) -> tuple[dict[str, float], str]:
    """z per feature: baseline where it has the feature, population norms otherwise."""
    norms = descriptors()["norms"]
    out: dict[str, float] = {}
    used_baseline = False
    for name, value in values.items():
        if value is None or not math.isfinite(value):
            continue
        if baseline and name in baseline:
            mean, sd = baseline[name]
            used_baseline = True
        elif name in norms and language in norms[name]:
            mean, sd = float(norms[name][language]["mean"]), float(norms[name][language]["sd"])
        else:
            continue
        out[name] = (value - mean) / sd
    return out, "baseline" if used_baseline else "population"


def decide(
    section_name: str, values: Mapping[str, float | None], language: str,
    baseline: Mapping[str, tuple[float, float]] | None,
) -> Decision:
    section = descriptors()[section_name]
    z, reference = zscores(values, language, baseline)
    for rule in parse_rules(section):
        if all(c.holds(z) for c in rule.when):
            text = section["codes"][rule.code]
            return Decision(rule.code, text["zh"], text["en"],
                            {k: round(v, 2) for k, v in z.items()}, reference)
    raise AudioInputError(f"speech table section {section_name!r} has no default rule")


BASELINE_FEATURES = ("f0_mean_hz", "f0_range_semitones", "energy_db", "energy_dynamic_db",
                     "articulation_rate_sps", "pause_ratio")


def baseline_from_sessions(earlier: Sequence[Mapping[str, Any]]) -> dict[str, list[float]]:
    """Build `analyze_speech(baseline=...)` from earlier sessions' intonation/speech_rate
    FeatureText `values` (as stored in the graph): {feature: [value per session]}."""
    out: dict[str, list[float]] = {}
    for values in earlier:
        for name in BASELINE_FEATURES:
            v = values.get(name)
            if isinstance(v, int | float) and math.isfinite(v):
                out.setdefault(name, []).append(float(v))
    return out
