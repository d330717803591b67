"""Importers for OpenKG-style dumps: RDF (N-Triples, Turtle, RDF/XML via rdflib) and tabular
subject/predicate/object files (TSV or CSV).

OpenKG.CN publishes its graphs in both shapes; either becomes a SeedGraph with a Source node and
provenance on every node and edge, through the same mapping as the built-in CMeKG seed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from kg.seed.records import SeedError, SeedGraph, SourceInfo
from kg.seed.triples import PredicateRule, Triple, TripleMapping, local_name, triples_to_seed

RDF_FORMATS = {".nt": "nt", ".ttl": "turtle", ".n3": "n3", ".rdf": "xml", ".owl": "xml"}
TABLE_DELIMITERS = {".tsv": "\t", ".csv": ","}
_HEADER = {("subject", "predicate", "object"), ("s", "p", "o"), ("head", "relation", "tail")}

# Attribute predicates every RDF dump tends to use for names.
RDF_NAME_PREDICATES = {
    "http://www.w3.org/2000/01/rdf-schema#label": "name_zh",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "name_zh",
    "http://www.w3.org/2004/02/skos/core#altLabel": "aliases",
    "http://schema.org/name": "name_zh",
}


def read_table(path: Path, delimiter: str | None = None) -> Iterator[Triple]:
    """Rows of exactly three non-empty cells; an optional header row is skipped."""
    path = Path(path)
    delim = delimiter or TABLE_DELIMITERS.get(path.suffix.lower())
    if delim is None:
        raise SeedError(f"{path}: cannot tell the delimiter from the suffix; pass delimiter=")
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise SeedError(f"{path}: cannot read: {exc}") from exc
    with handle:
        reader = csv.reader(handle, delimiter=delim)
        try:
            for lineno, row in enumerate(reader, start=1):
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if row[0].lstrip().startswith("#"):
                    continue
                cells = [c.strip() for c in row]
                if lineno == 1 and tuple(c.lower() for c in cells) in _HEADER:
                    continue
                if len(cells) != 3 or not all(cells):
                    raise SeedError(
                        f"{path}:{lineno}: expected subject{delim!r}predicate{delim!r}object "
                        f"with three non-empty cells, got {row!r}"
                    )
                yield Triple(cells[0], cells[1], cells[2])
        except (csv.Error, UnicodeDecodeError) as exc:
            raise SeedError(f"{path}: not a UTF-8 {delim!r}-separated file: {exc}") from exc


def read_rdf(path: Path, rdf_format: str | None = None) -> Iterator[Triple]:
    """Triples of an RDF file; URIs shortened to their local names, literals kept with language."""
    from rdflib import BNode, Graph, Literal

    path = Path(path)
    fmt = rdf_format or RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise SeedError(f"{path}: unknown RDF suffix; pass rdf_format= (nt, turtle, xml, n3)")
    if not path.is_file():
        raise SeedError(f"{path}: no such file")
    graph = Graph()
    try:
        graph.parse(source=str(path), format=fmt)
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise SeedError(f"{path}: not valid {fmt}: {exc}") from exc
    for s, p, o in sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        if isinstance(s, BNode) or isinstance(o, BNode):
            continue  # blank nodes have no stable id to merge on
        pred = str(p)
        if isinstance(o, Literal):
            yield Triple(local_name(str(s)), pred, str(o), True, o.language or "")
        else:
            yield Triple(local_name(str(s)), pred, local_name(str(o)))


def import_file(
    path: Path,
    mapping: TripleMapping,
    source: SourceInfo,
    *,
    seed: SeedGraph | None = None,
    delimiter: str | None = None,
    rdf_format: str | None = None,
) -> SeedGraph:
    """Import one dump, choosing the reader from the suffix (.nt/.ttl/.rdf or .tsv/.csv)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if rdf_format or suffix in RDF_FORMATS:
        rdf_mapping = replace(mapping, attributes={**RDF_NAME_PREDICATES, **mapping.attributes})
        triples = list(read_rdf(path, rdf_format))
        if not triples:
            raise SeedError(f"{path}: no triples")
        return triples_to_seed(triples, rdf_mapping, source, seed=seed)
    triples = list(read_table(path, delimiter))
    if not triples:
        raise SeedError(f"{path}: no triples")
    return triples_to_seed(triples, mapping, source, seed=seed)


def load_mapping(path: Path) -> TripleMapping:
    """A mapping from JSON, for users importing their own dump without writing Python:

    {"namespace": "mykg",
     "predicates": {"症状": "HAS_SYMPTOM",
                    "并发症": {"rel_type": "COMPLICATION_OF", "reverse": true,
                               "object_type": "Complication"}},
     "attributes": {"英文名": "name_en", "别名": "aliases"},
     "default_type": "Other"}
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SeedError(f"{path}: cannot read the mapping: {exc}") from exc
    if not isinstance(data, dict) or "namespace" not in data:
        raise SeedError(f"{path}: a mapping is a JSON object with at least 'namespace'")
    unknown = set(data) - {"namespace", "predicates", "attributes", "default_type"}
    if unknown:
        raise SeedError(f"{path}: unknown mapping keys {sorted(unknown)}")
    rules: dict[str, PredicateRule | str] = {}
    for pred, rule in data.get("predicates", {}).items():
        if isinstance(rule, str):
            rules[pred] = PredicateRule(rule)
        elif isinstance(rule, dict):
            try:
                rules[pred] = PredicateRule(**rule)
            except TypeError as exc:
                raise SeedError(f"{path}: predicate {pred!r}: {exc}") from exc
        else:
            raise SeedError(f"{path}: predicate {pred!r} maps to neither a type nor an object")
    return TripleMapping(
        namespace=data["namespace"],
        predicates=rules,
        attributes=dict(data.get("attributes", {})),
        default_type=data.get("default_type", "Other"),
    )
