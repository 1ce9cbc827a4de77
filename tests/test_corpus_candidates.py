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
