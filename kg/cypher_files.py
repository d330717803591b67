"""Reading the project's .cypher files: the schema that stores apply and saved queries."""

from __future__ import annotations

import re
from pathlib import Path

from contracts.settings import PROJECT_ROOT

CYPHER_DIR = PROJECT_ROOT / "cypher"
_LINE_COMMENT = re.compile(r"^\s*//.*$", re.MULTILINE)


def split_statements(text: str) -> list[str]:
    """Statements end with ';' at the end of a line; '//' comment lines are dropped."""
    body = _LINE_COMMENT.sub("", text)
    parts = re.split(r";\s*(?:\n|$)", body)
    return [p.strip() for p in parts if p.strip()]


def read_statements(path: Path) -> list[str]:
    return split_statements(path.read_text(encoding="utf-8"))


def schema_statements() -> list[str]:
    return read_statements(CYPHER_DIR / "schema.cypher")


def saved_query_files() -> list[Path]:
    return sorted((CYPHER_DIR / "queries").glob("*.cypher"))
