"""Datasets in CSV, TSV, Parquet and HF save_to_disk folders: read, patched in place in
their own format, versioned and reverted like JSONL (lic apply / log / show / revert)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from conftest import QA_ROWS, edit, turn

from lic_cli.cli import cli
from lic_cli.store import formats
from lic_cli.store.rows import file_hash
from lic_cli.tasks import load_project

NEW = {"question": "Do you ship to the EU?", "answer": "Yes."}
KINDS = ["csv", "tsv", "parquet", "hf"]
NAMES = {"csv": "qa.csv", "tsv": "qa.tsv", "parquet": "qa.parquet", "hf": "qa_hf"}


def write_dataset(path, kind, rows):
    if kind in ("csv", "tsv"):
        cols = list(dict.fromkeys(c for r in rows for c in r))
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, cols, delimiter="," if kind == "csv" else "\t", lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    elif kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        import datasets

        datasets.disable_progress_bars()
        datasets.Dataset.from_list(rows).save_to_disk(str(path))


def make(root, kind, rows=QA_ROWS):
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    path = root / "datasets" / NAMES[kind]
    write_dataset(path, kind, rows)
    (root / "tasks.yaml").write_text(
        "version: 1\ntasks:\n  - name: support_qa\n    description: Support answers.\n"
        f"    dataset: datasets/{NAMES[kind]}\n    format: qa\n    key: [question]\n", encoding="utf-8")
    return load_project(root), path


def run(root, *args, input=None):
    who = ["--author", "ann"] if args[0] in ("apply", "revert") else []
    return CliRunner().invoke(cli, [*args, "--project", str(root), *who], input=input)


def records(*recs):
    return "".join(json.dumps(r) + "\n" for r in recs)


def lines(result):
    return [json.loads(x) for x in result.stdout.splitlines()]


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    monkeypatch.delenv("LIC_PROJECT", raising=False)


@pytest.mark.parametrize("kind", KINDS)
def test_read_same_rows_as_jsonl(tmp_path, kind):
    _, path = make(tmp_path, kind)
    assert formats.for_path(path).name == kind
    assert [row for _, row in formats.read_rows(path)] == QA_ROWS


@pytest.mark.parametrize("kind", KINDS)
def test_apply_update_add_keeps_format_log_show_revert(tmp_path, kind):
    project, path = make(tmp_path, kind)
    res = run(tmp_path, "apply", "--yes", input=records(
        turn("c1", 1, edit("update", QA_ROWS[0], {"answer": "30 days."})),
        turn("c1", 2, edit("add", None, NEW))))
    assert res.exit_code == 0, res.output
    (out,) = lines(res)
    assert out["applied"] and out["version"] == 1 and out["ops"] == {"add": 1, "update": 1, "delete": 0}
    rows = [r for _, r in formats.read_rows(path)]
    assert rows[0] == {**QA_ROWS[0], "answer": "30 days."}
    assert rows[1:4] == QA_ROWS[1:] and rows[4] == {**NEW, "split": "train"}
    assert formats.for_path(path).name == kind  # still the same format, same path
    if kind == "csv":  # untouched rows keep their bytes: a diff shows only the changed ones
        text = path.read_text(encoding="utf-8").splitlines()
        assert text[2] == "Do you ship abroad?,No.,train" and text[1] == "How long do refunds take?,30 days.,train"
    if kind == "hf":
        import datasets

        assert datasets.load_from_disk(str(path)).to_list()[4] == {**NEW, "split": "train"}
    log = lines(run(tmp_path, "log", "support_qa"))
    assert [(x["version"], x["rows"]) for x in log] == [(0, 4), (1, 5)]
    assert log[1]["hash"] == file_hash(path)
    show = run(tmp_path, "show", out["patch"])
    assert '+ answer: "30 days."' in show.stdout
    assert json.loads((tmp_path / out["patch"]).read_text().splitlines()[0])["dataset"] == f"datasets/{NAMES[kind]}"
    again = run(tmp_path, "apply", out["patch"])
    assert lines(again)[0]["applied"] is False and "already applied" in again.stderr
    rev = run(tmp_path, "revert", out["patch"])
    assert rev.exit_code == 0, rev.output
    assert [r for _, r in formats.read_rows(path)] == QA_ROWS
    assert not list(path.parent.glob(".*lic-tmp"))  # no temp files or folders left behind


@pytest.mark.parametrize("kind", KINDS)
def test_conflict_and_delete(tmp_path, kind):
    project, path = make(tmp_path, kind)
    stale = {**QA_ROWS[1], "answer": "Maybe."}
    res = run(tmp_path, "apply", "--yes", input=records(turn("c1", 1, edit("update", stale, {"answer": "x"}))))
    assert res.exit_code == 1 and "conflict" in res.stderr and "Traceback" not in res.stderr
    digest = file_hash(path)
    assert digest == file_hash(path)
    res = run(tmp_path, "apply", "--yes", input=records(turn("c1", 1, edit("delete", QA_ROWS[1], None))))
    assert res.exit_code == 0, res.output
    assert [r for _, r in formats.read_rows(path)] == [QA_ROWS[0], *QA_ROWS[2:]]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_new_column_and_absent_values(tmp_path, kind):
    rows = [{"question": q["question"], "answer": q["answer"]} for q in QA_ROWS]  # no split column
    project, path = make(tmp_path, kind, rows)
    res = run(tmp_path, "apply", "--yes", input=records(
        turn("c1", 1, edit("add", None, {**NEW, "source": "chat"}))))
    assert res.exit_code == 0, res.output
    got = [r for _, r in formats.read_rows(path)]
    assert got[:4] == rows  # new columns: old rows unchanged (an empty cell, a null is absent)
    assert got[4] == {**NEW, "source": "chat", "split": "train"}
    assert formats.columns(path) == ["question", "answer", "source", "split"]


def test_csv_quoted_multiline_and_non_ascii_keys(tmp_path):
    rows = [{"question": "Line one\nline two?", "answer": 'He said "yes", twice', "split": "train"},
            {"question": "Ça marche ?", "answer": "Oui.", "split": "train"},
            {"question": "Plain?", "answer": "Plain.", "split": "train"}]
    project, path = make(tmp_path, "csv", rows)
    assert [r for _, r in formats.read_rows(path)] == rows
    res = run(tmp_path, "apply", "--yes", input=records(
        turn("c1", 1, edit("update", rows[1], {"answer": "Oui, oui."})),
        turn("c1", 2, edit("update", rows[0], {"answer": "multi"}))))
    assert res.exit_code == 0, res.output
    got = [r for _, r in formats.read_rows(path)]
    assert got == [{**rows[0], "answer": "multi"}, {**rows[1], "answer": "Oui, oui."}, rows[2]]


def test_bad_csv_names_file_and_line(tmp_path):
    project, path = make(tmp_path, "csv")
    path.write_text("question,answer\nA?,B,extra\n", encoding="utf-8")
    res = run(tmp_path, "apply", "--yes", input=records(turn("c1", 1, edit("add", None, NEW))))
    assert res.exit_code != 0
    assert "qa.csv" in res.stderr and "line 2" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_keys_found_whatever_their_case_width_and_spacing(tmp_path, kind):
    # The column-wise filter must hand over every row whose key normalizes to a target.
    rows = [{"question": "  Wie  LANGE\tdauert es?  ", "answer": "1", "split": "train"},
            {"question": "ＦＵＬＬ width?", "answer": "2", "split": "train"},
            {"question": "STRASSE oder Straße?", "answer": "3", "split": "train"},
            *({"question": f"Plain {i}?", "answer": "x", "split": "train"} for i in range(50))]
    project, path = make(tmp_path, kind, rows)
    res = run(tmp_path, "apply", "--yes", input=records(*(
        turn("c1", i + 1, edit("update", r, {"answer": "new"})) for i, r in enumerate(rows[:3]))))
    assert res.exit_code == 0, res.output
    assert [r["answer"] for _, r in formats.read_rows(path)][:4] == ["new", "new", "new", "x"]
