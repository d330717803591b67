"""The allowed import directions of docs/ARCHITECTURE.md, checked by scanning every import
statement (module level and inside functions) of the project's packages."""

from __future__ import annotations

import ast
from pathlib import Path

from contracts.settings import PROJECT_ROOT

PACKAGES = ("contracts", "kg", "models", "ingest", "api")
ALLOWED: dict[str, set[str]] = {
    "contracts": {"contracts.feature_text"},  # until FeatureText moves into contracts
    "kg": {"contracts"},
    "models": {"kg", "contracts"},
    "ingest": {"models", "kg", "contracts"},
    "api": {"contracts", "kg", "models", "ingest"},
}
# Known exceptions (issue 11 point 5 removes them): (file, imported module).
EXCEPTIONS = {
    ("models/cohort/generator.py", "ingest.scales"),
    # training-data reader: runs the product's speech path over EATD recordings (research code,
    # moves out of models/ with the rest of the training code)
    ("models/depression/eatd.py", "ingest.audio"),
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


def _allowed(package: str, module: str) -> bool:
    top = module.split(".")[0]
    if top not in PACKAGES or top == package:
        return True
    return any(module == rule or module.startswith(rule + ".") for rule in ALLOWED[package])


def test_imports_point_the_allowed_way() -> None:
    wrong: list[str] = []
    for package in PACKAGES:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            rel = path.relative_to(PROJECT_ROOT).as_posix()
            for module in _imports(path):
                if not _allowed(package, module) and (rel, module) not in EXCEPTIONS:
                    wrong.append(f"{rel} imports {module}")
    assert wrong == [], "imports against docs/ARCHITECTURE.md:\n" + "\n".join(wrong)


def test_the_rules_catch_a_wrong_import(tmp_path: Path) -> None:
    assert not _allowed("kg", "ingest.scales")
    assert not _allowed("kg", "api.pipeline")
    assert not _allowed("models", "api.cli")
    assert not _allowed("contracts", "kg.store.base")
    assert _allowed("ingest", "models.decoder") and _allowed("api", "ingest.bundle")
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from api.cli import app\n    import ingest.scales\n")
    assert _imports(bad) == ["api.cli", "ingest.scales"]


def test_only_the_api_manages_the_neo4j_server() -> None:
    """kg/server/ (install, start, stop, browse copy) is used by the CLI, never by the graph."""
    wrong: list[str] = []
    for package in ("contracts", "kg", "models", "ingest"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            rel = path.relative_to(PROJECT_ROOT).as_posix()
            if rel.startswith("kg/server/"):
                continue
            wrong += [f"{rel} imports {m}" for m in _imports(path)
                      if m == "kg.server" or m.startswith("kg.server.")]
    assert wrong == []
