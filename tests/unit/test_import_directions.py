"""The package layout of docs/ARCHITECTURE.md, enforced by import-linter's contracts in
.importlinter (layers api > research > ingest > models > kg > contracts; the runtime never
imports research code), plus the light import of the CLI root that keeps `mindkg --help` fast.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from contracts.settings import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path, config: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache", "--no-logo"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_imports_follow_the_contracts() -> None:
    done = _lint(PROJECT_ROOT, PROJECT_ROOT / ".importlinter")
    assert done.returncode == 0, "imports against docs/ARCHITECTURE.md:\n" + done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_catch_wrong_imports(tmp_path: Path) -> None:
    """The project's own .importlinter on a small tree with one wrong import per rule."""
    files = {
        "contracts/__init__.py": "",
        "kg/__init__.py": "",
        "contracts/feature_text.py": "",
        "kg/store.py": "def f():\n    import ingest.scales  # kg below ingest\n",
        "kg/server/__init__.py": "",
        "kg/server/neo4j_server.py": "",
        "models/__init__.py": "",
        "models/mer.py": "from api import cli  # nothing imports api\n",
        "ingest/__init__.py": "",
        "ingest/scales.py": "from research import train  # the runtime never imports research\n",
        "ingest/audio.py": "from kg.server import neo4j_server  # only the api manages the server\n",
        "research/__init__.py": "",
        "research/train.py": "import ingest.scales  # allowed: research depends on the runtime\n",
        "api/__init__.py": "",
        "api/cli.py": "",
        "api/pipeline.py": "def f():\n    from research import train  # a runtime module of api\n",
        "api/cli_mer.py": "def train():\n    from research import train  # a training command\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # the tree has none of the project's listed exceptions: do not report them as stale
    config = tmp_path / ".importlinter"
    text = (PROJECT_ROOT / ".importlinter").read_text(encoding="utf-8")
    config.write_text(text.replace("\ntype = ", "\nunmatched_ignore_imports_alerting = none\ntype = "),
                      encoding="utf-8")
    done = _lint(tmp_path, config)
    report = done.stdout
    assert done.returncode == 1, report + done.stderr
    assert "0 kept, 3 broken" in report
    for wrong in ("kg.store -> ingest.scales", "models.mer -> api", "ingest.scales -> research",
                  "api.pipeline -> research", "ingest.audio -> kg.server"):
        assert wrong in report, wrong
    assert "api.cli_mer -> research" not in report
    assert "research.train -> ingest.scales" not in report


def test_the_cli_root_imports_no_settings_models_or_research() -> None:
    """`mindkg --help` imports every sub-app: their module level stays light."""
    code = ("import sys, api.cli\n"
            "heavy = {'pydantic', 'torch', 'numpy', 'kg', 'models', 'ingest', 'research'}\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120, check=True,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    assert done.stdout.strip() == "[]"
