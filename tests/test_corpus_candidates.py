"""New train domains never move a dev or test row (tools/corpus/build.py NUMBERED_LAST): the
corpus built with the candidate train domains keeps every committed row byte for byte, in
place, and only adds train rows after them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "lic_cli" / "data" / "teaching.jsonl"


def test_candidate_train_domains_only_append_train_rows(tmp_path: Path):
    out = tmp_path / "teaching.jsonl"
    done = subprocess.run([sys.executable, str(REPO / "tools" / "corpus" / "build.py"), "--candidates", "--out",
                           str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    old, new = CORPUS.read_text(encoding="utf-8"), out.read_text(encoding="utf-8")
    assert new.startswith(old)  # every row, dev and test included, keeps its id, content and place
    added = [json.loads(line) for line in new[len(old):].splitlines()]
    assert added and {r["split"] for r in added} == {"train"}
    assert len({r["domain"] for r in added}) == 10


def test_session13_own_words_only_append_train_rows_in_their_own_domains(tmp_path: Path):
    """The session-13 hand-written files (measured, not shipped: `--s13`) are numbered after every
    earlier row: the shipped corpus is a byte prefix of the one built with them, and what follows
    is train rows in the files' own new domains only (tools/corpus/build.py OWN_WORDS_DOMAINS)."""
    out = tmp_path / "teaching.jsonl"
    done = subprocess.run([sys.executable, str(REPO / "tools" / "corpus" / "build.py"), "--s13", "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    shipped, full = CORPUS.read_text(encoding="utf-8"), out.read_text(encoding="utf-8")
    assert full.startswith(shipped)
    added = [json.loads(line) for line in full[len(shipped):].splitlines()]
    sys.path.insert(0, str(REPO / "tools" / "corpus"))
    from build import OWN_WORDS_DOMAINS

    new = {d for names in OWN_WORDS_DOMAINS.values() for d in names}
    assert len(added) == 840 and {r["split"] for r in added} == {"train"} and {r["domain"] for r in added} == new
    earlier = {r["domain"] for r in map(json.loads, shipped.splitlines())}
    assert not earlier & new  # no other row of the corpus is in these domains


def test_a_bad_hand_written_row_stops_the_build_with_one_line(tmp_path: Path, monkeypatch):
    sys.path.insert(0, str(REPO / "tools" / "corpus"))
    import build

    (tmp_path / "handwritten_bad.py").write_text(
        "ROWS = {'vineyard': [('teach', 'statement_copula', 'the cellar door shuts at 5', "
        "[{'kind': 'fact', 'subject': 'the cellar door', 'object': '5'}])]}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(build, "HERE", tmp_path)
    monkeypatch.setattr(build, "OWN_WORDS_FILES", ("handwritten_bad",))
    monkeypatch.setattr(build, "OWN_WORDS_DOMAINS", {"handwritten_bad": ("vineyard",)})
    try:
        build.own_words()
    except SystemExit as stop:
        message = str(stop)
    else:
        raise AssertionError("the build went on")
    assert message.startswith("tools/corpus/handwritten_bad.py: domain 'vineyard' row 1: item 0: a fact has the fields")
    assert "\n" not in message
    assert build.row_problem("none", "neg_question", "is it open?", [], ()) is None
    assert "disagree" in build.row_problem("teach", "statement_copula", "hi", [], ())
    assert "non-empty" in build.row_problem("teach", "statement_copula", "x",
                                            [{"kind": "qa", "question": "Q?", "answer": " "}], ())
