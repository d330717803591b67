"""Bad, one-sided and BOM-marked text inputs of `kg polarity --file`, `eval sentiment`, `assess`:
a clear one-line message naming the file, exit 2, nothing written (files made here)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


def test_polarity_file_without_text_names_the_file(tmp_path: Path) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n", encoding="utf-8")
    res = runner.invoke(app, ["kg", "polarity", "--file", str(blank), "--json"])
    assert res.exit_code == 2
    assert f"{blank}: holds no text" in res.output and "Traceback" not in res.output


def test_eval_sentiment_on_gbk_text_names_the_file_and_writes_nothing(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.tsv"
    gbk.write_bytes("1\t这家店的菜很好吃\n0\t服务太差了\n".encode("gbk"))
    out = tmp_path / "out"
    res = runner.invoke(app, ["eval", "sentiment", str(gbk), "--out", str(out)])
    assert res.exit_code == 2
    assert f"{gbk}: not UTF-8 text" in res.output and "iconv" in res.output
    assert not out.exists()


def test_eval_sentiment_with_one_gold_class_says_what_the_number_is(tmp_path: Path) -> None:
    one = tmp_path / "one.tsv"
    one.write_text("1\t这家店的菜很好吃，送得也快\n1\t房间干净，服务很好\n", encoding="utf-8")
    res = runner.invoke(app, ["eval", "sentiment", str(one), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "every text is labelled positive" in res.stderr


def test_feature_texts_file_saved_with_a_utf8_bom_is_read(tmp_path: Path) -> None:
    import json

    from api.pipeline import read_feature_texts

    path = tmp_path / "features.json"
    feature = {"modality": "scales", "kind": "scale_score", "instance": "PHQ9",
               "text": {"zh": "PHQ-9 总分 8，轻度抑郁", "en": "PHQ-9 total 8, mild depression"}}
    path.write_text(json.dumps([feature], ensure_ascii=False), encoding="utf-8-sig")
    assert [f.instance for f in read_feature_texts(path)] == ["PHQ9"]
