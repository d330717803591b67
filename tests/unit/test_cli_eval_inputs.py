"""`mindkg eval speech-emotion` on a folder too small for its protocol: a clear message,
exit 2, nothing written (a SYNTHETIC EmoDB-layout folder made here)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from tests.unit.test_speech_emotion_emodb import make_emodb


def test_eval_speech_emotion_with_two_speakers_says_how_many_it_needs(tmp_path: Path) -> None:
    root = make_emodb(tmp_path / "emo", speakers=("01", "02"), per=1)
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["eval", "speech-emotion", "--root", str(root), "--out", str(out),
                                 "--no-lstm"])
    assert r.exit_code == 2, r.output
    assert "at least 3 speakers" in r.output and "found 2" in r.output
    assert not out.exists()
