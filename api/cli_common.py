"""What every `mindkg` sub-app shares: consoles, exit codes, error mapping, settings, store.

Light on purpose: `mindkg --help` imports every sub-app, so nothing here (nor at the top of an
api/cli_<area>.py module) imports pydantic, the graph stores or a model; those are imported
inside the commands.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console

if TYPE_CHECKING:
    from contracts.settings import Settings
    from kg.store.base import GraphStore

err = Console(stderr=True)
out = Console()
F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_STORE = 3
EXIT_SERVER = 4


def print_error(message: str) -> None:
    """One `error: ...` line on stderr (also for one bad item of many, the command going on)."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)


def _fail(code: int, message: str) -> None:
    print_error(message)
    raise typer.Exit(code)


def handles_errors(fn: F) -> F:
    """Map failures to clear messages and distinct exit codes instead of tracebacks: bad input
    (a ValueError, a missing file) and configuration 2, graph store 3, Neo4j server 4.

    The one error decorator of every `mindkg` command (api/cli_*.py).
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from api.auth.purpose import PurposeNotDeclared
        from contracts.settings import ConfigError
        from kg.server.neo4j_server import Neo4jServerError
        from kg.store.base import StoreError, StoreUnavailable

        try:
            return fn(*args, **kwargs)
        except (ConfigError, PurposeNotDeclared) as exc:
            _fail(EXIT_INPUT, f"configuration: {exc}")
        except StoreUnavailable as exc:
            _fail(EXIT_STORE, f"graph store unavailable: {exc}")
        except StoreError as exc:
            _fail(EXIT_STORE, str(exc))
        except Neo4jServerError as exc:
            _fail(EXIT_SERVER, str(exc))
        except (ValueError, FileNotFoundError) as exc:  # every input error is one of these
            _fail(EXIT_INPUT, str(exc))
        except (FileExistsError, NotADirectoryError, IsADirectoryError, PermissionError) as exc:
            _fail(EXIT_INPUT, f"{exc.filename}: {exc.strerror}")  # e.g. --out names a file
        return None

    return wrapper  # type: ignore[return-value]


def load_cli_settings() -> Settings:
    from contracts.settings import load_settings

    return load_settings()


def require_purpose() -> None:
    """Emotion inference runs only for a declared purpose (docs/privacy.md)."""
    from api.auth.purpose import require_purpose as require

    require(load_cli_settings().api.purpose)


def open_cli_store(settings: Settings) -> GraphStore:
    from kg.store.factory import open_store

    return open_store(settings)


def progress_line(message: str) -> None:
    """One dimmed progress line on stderr (the `progress` callback of long commands)."""
    err.print(f"[dim]· {message}[/]")


def write_report(path: Path, result: dict[str, Any]) -> None:
    """A training or evaluation command's metrics as indented UTF-8 JSON (folder created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
