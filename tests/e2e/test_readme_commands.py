"""Every `mindkg` command README.md shows works (issue 11).

The commands are read from README.md itself: its code blocks (`mindkg ...` lines, also after
`&&`) and its inline code spans. Each must be classified below:
- RUN: run as written on the embedded store in a private MINDKG_HOME, placeholders (BUNDLE_DIR,
  FEATURES.json, stu_..., DIR) replaced by real small inputs;
- JOINT_SPACE: run as written too, but in a slow test, since they build (or load from the
  shared cache) the joint node2vec/Word2Vec space of the seeded graph;
- HELP_ONLY: need a running server, Neo4j or an API key: only `--help` is checked.
A README command that is missing from these lists, or a listed one no longer in the README,
fails the test; so does any command that exits non-zero.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from contracts.settings import PROJECT_ROOT
from tests.conftest import SHARED_CACHE

README = PROJECT_ROOT / "README.md"
runner = CliRunner()

RUN = [
    "mindkg --help",
    "mindkg kg seed",
    "mindkg analyze samples/sessions/en_w01_risk",
    "mindkg analyze samples/sessions/zh_w01_moderate --json --beam-width 5",
    "mindkg ingest BUNDLE_DIR",
    "mindkg assess FEATURES.json",
    "mindkg fusion train --sessions L.jsonl --out DIR",
    'mindkg kg polarity 我很开心 "觉得活着没有意义"',
    "mindkg align explore stu_.../w01 --csv a.csv",
    "mindkg kg stats",
    "mindkg timeline stu_.../w01 --out DIR",
    "mindkg trend stu_... --out DIR",
    "mindkg keys create ops --role admin",
    "mindkg ingest samples/sessions/zh_w01_moderate",
    "mindkg config",
    "mindkg kg polarity --file F --json",
    "mindkg speech emotion --json samples/speech/zh_01.flac",
]
JOINT_SPACE = [
    "mindkg kg embed",
    "mindkg align eval data/gold/alignment_gold.tsv",
    "mindkg align plot --out joint.png",
]
HELP_ONLY = {
    "mindkg serve --port 8000": "starts a long-running HTTP server",
    "mindkg submit samples/sessions/zh_w01_moderate --key ...": "needs a running server and key",
    "mindkg worker": "a long-running job worker",
    "mindkg neo4j start": "downloads and starts Neo4j",
    "mindkg neo4j status": "needs the project's Neo4j",
    "mindkg neo4j stop": "needs the project's Neo4j",
    "mindkg neo4j browse-copy refresh": "needs a running Neo4j",
    "mindkg eval eatd --root EATD_DIR --out DIR": "needs a real data set (docs/REAL_DATA.md)",
    "mindkg eval sentiment CORPUS_FILE --out DIR": "needs a real data set (docs/REAL_DATA.md)",
    "mindkg eval speech-emotion --root EMODB_DIR --out DIR": "needs a real data set",
    "mindkg eval faces --root FACES_DIR --out DIR": "needs a real data set (docs/REAL_DATA.md)",
    "mindkg eval asr --root EATD_DIR --out DIR": "needs a real data set (docs/REAL_DATA.md)",
    "mindkg depression train --root EATD_DIR --out DIR": "needs a real data set",
    "mindkg kg polarity-train --data SENTIMENT_DIR --out W.npz": "needs a real data set",
    "mindkg speech train-emotion --root EMODB_DIR --out DIR": "needs a real data set",
    "mindkg mer train --dataset casme3 --root DIR --out W.pt": "needs a licensed data set",
}


def readme_commands(text: str) -> list[str]:
    """`mindkg` commands in code blocks (comments dropped) and inline code spans, in order."""
    found: list[str] = []
    in_block = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_block = not in_block
            continue
        if in_block:
            code = re.split(r"\s#", line, maxsplit=1)[0].strip()
            found += [part.strip() for part in code.split("&&")
                      if part.strip().startswith("mindkg ")]
        else:
            for span in re.findall(r"`(mindkg [^`]+)`", line):
                words = span.split()
                if "|" in words[-1]:  # `mindkg neo4j status|stop`: both commands
                    found += [" ".join([*words[:-1], w]) for w in words[-1].split("|")]
                else:
                    found.append(span)
    return list(dict.fromkeys(found))


def test_every_readme_command_is_classified() -> None:
    shown = readme_commands(README.read_text(encoding="utf-8"))
    known = [*RUN, *JOINT_SPACE, *HELP_ONLY]
    assert [c for c in shown if c not in known] == [], "classify the new README command(s)"
    assert [c for c in known if c not in shown] == [], "listed commands the README lost"
    assert "mindkg analyze samples/sessions/zh_w01_moderate --json --beam-width 5" in shown


class Session:
    """Runs README commands in one private MINDKG_HOME, filling in the placeholders."""

    def __init__(self, tmp: Path, *, semantic: bool) -> None:
        self.tmp = tmp
        self.env = {"MINDKG_HOME": str(tmp / "home"), "MINDKG_PURPOSE": "counseling",
                    "MINDKG_NEO4J_URI": "", "MINDKG_STORE": "embedded",
                    "MINDKG_CACHE_DIR": str(SHARED_CACHE),
                    "MINDKG_SEMANTIC_ALIGNMENT": "true" if semantic else "false"}
        self.student = ""
        self._outs = 0

    def args(self, command: str) -> list[str]:
        words = shlex.split(command)
        assert words[0] == "mindkg"
        return [self.fill(w) for w in words[1:]]

    def fill(self, word: str) -> str:
        if word.startswith(("samples/", "data/")):
            return str(PROJECT_ROOT / word)
        if word in ("a.csv", "joint.png"):
            return str(self.tmp / word)
        if word == "DIR":
            self._outs += 1
            return str(self.tmp / f"out{self._outs}")
        if word == "BUNDLE_DIR":
            return str(PROJECT_ROOT / "samples" / "sessions" / "zh_w02_worse")
        if word == "FEATURES.json":
            return str(self._features())
        if word == "L.jsonl":
            return str(self._labelled())
        if word == "F":
            path = self.tmp / "texts.txt"
            path.write_text("我最近总是睡不着，觉得什么都没意思\n这家店的菜很好吃，送得也快\n",
                            encoding="utf-8")
            return str(path)
        if word.startswith("stu_..."):
            assert self.student, "a README command names a student before any was analysed"
            return self.student + word.removeprefix("stu_...")
        return word

    def run(self, command: str) -> Result:
        result = runner.invoke(app, self.args(command), env=self.env)
        assert result.exit_code == 0, f"`{command}` failed:\n{result.output}"
        if command.startswith("mindkg analyze") and "--json" in command:
            self.student = json.loads(result.stdout)["student"]
        return result

    def _features(self) -> Path:
        path = self.tmp / "features.json"
        path.write_text(json.dumps([
            {"modality": "scales", "kind": "scale_score", "instance": "PHQ9",
             "text": {"zh": "PHQ-9 总分 8，轻度抑郁", "en": "PHQ-9 total 8, mild depression"},
             "values": {"level": "mild", "risk_level": "none"}},
        ], ensure_ascii=False), encoding="utf-8")
        return path

    def _labelled(self) -> Path:
        from research.cohort import generate_cohort

        path = self.tmp / "labelled.jsonl"
        rows = [{"feature_texts": [f.model_dump() for f in s.features],
                 "emotion": s.truth.emotion, "depression_level": s.truth.level}
                for s in generate_cohort(12, 3)]
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                        encoding="utf-8")
        return path


def test_readme_commands_run(tmp_path: Path) -> None:
    session = Session(tmp_path, semantic=False)
    for command in RUN:
        result = session.run(command)
        if "--beam-width 5" in command:
            assert len(json.loads(result.stdout)["assessment"]["nbest"]) == 5
    assert (tmp_path / "a.csv").is_file()


@pytest.mark.parametrize("command", list(HELP_ONLY))
def test_help_only_commands_exist(command: str) -> None:
    words: list[str] = []
    for word in shlex.split(command)[1:]:  # the command path, without arguments or options
        if word.startswith("-") or "/" in word or "." in word:
            break
        words.append(word)
    result = runner.invoke(app, [*words, "--help"])
    assert result.exit_code == 0, f"`{command}` ({HELP_ONLY[command]}): {result.output}"


@pytest.mark.slow
def test_joint_space_commands_run(tmp_path: Path) -> None:
    session = Session(tmp_path, semantic=True)
    session.run("mindkg kg seed")
    for command in JOINT_SPACE:
        session.run(command)
    assert (tmp_path / "joint.png").stat().st_size > 0
    session.run("mindkg analyze samples/sessions/en_w01_risk")  # with semantic alignment
