"""progress.py (a stderr line for slow steps, never stdout, -q), classifier warnings,
`lic train -q` and `lic predict`'s errors (the model paths run in test_quickstart.py)."""

from __future__ import annotations

import io
import json
import time

import pytest
from click.testing import CliRunner
from conftest import make_project

from lic_cli import progress
from lic_cli.cli import cli
from lic_cli.train.classify import warnings


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_quiet_quick_slow_and_tty():
    out = io.StringIO()
    with progress.Progress("quick", stream=out, after=0.5):
        pass
    assert out.getvalue() == ""  # quick steps say nothing
    with progress.Progress("indexing", stream=out, after=0.05):
        time.sleep(0.3)
    assert out.getvalue().startswith("indexing...\n") and "indexing: done in" in out.getvalue()
    tty = Tty()
    with progress.Progress("loading", stream=tty, after=0.05):
        time.sleep(0.4)
    assert "\r\x1b[2K" in tty.getvalue() and "loading (0 s)" in tty.getvalue()
    quiet = io.StringIO()
    progress.set_quiet()
    try:
        with progress.Progress("silenced", stream=quiet, after=0.0):
            time.sleep(0.1)
    finally:
        progress.set_quiet(False)
    assert quiet.getvalue() == ""


def test_classifier_warnings():
    labels = ["a", "b", "c", "d", "e", "f"]
    # The case: 48 rows, loss 1.40, confidence 0.3-0.4: unsure, though below chance loss (1.79).
    found = warnings({"final_train_loss": 1.40, "mean_confidence": 0.35, "accuracy": 0.5,
                      "majority_baseline": 0.3}, labels)
    assert len(found) == 1 and "unsure" in found[0]
    found = warnings({"final_train_loss": 1.9, "mean_confidence": 0.2, "accuracy": 0.1,
                      "majority_baseline": 0.3}, labels)
    assert len(found) == 3 and "above chance level (ln 6 = 1.79)" in found[0] and "majority-class" in found[2]
    assert warnings({"final_train_loss": 0.1, "mean_confidence": 0.95, "accuracy": 0.9,
                     "majority_baseline": 0.3}, labels) == []


def test_train_quiet_is_silent_and_predict_errors(tmp_path):
    make_project(tmp_path)
    runner = CliRunner()
    res = runner.invoke(cli, ["train", "-q", "--project", str(tmp_path)])
    assert res.exit_code == 0 and res.stderr == "" and res.stdout == ""
    res = runner.invoke(cli, ["train", "--project", str(tmp_path)])
    assert "nothing to train" in res.stderr
    res = runner.invoke(cli, ["predict", "intent", "--project", str(tmp_path)], input=json.dumps({"text": "x"}))
    assert res.exit_code == 1 and "it has no train: section" in res.stderr and "Traceback" not in res.output


@pytest.mark.slow
def test_index_builds_and_model_loads_say_so_on_stderr(demo_project, monkeypatch):
    """Nothing silent: the locate stage's model load and index build each get a stderr line
    once they take longer than the threshold (0 here), and stdout keeps only records."""
    monkeypatch.setattr(progress, "AFTER", 0.0)
    monkeypatch.setitem(progress._state, "quiet", False)  # an earlier -q in this process must not leak in
    monkeypatch.chdir(demo_project)
    from lic_cli.knowledge import make_item
    from lic_cli.locate import index

    index._MEMO.clear()
    rec = {"conversation": "c1", "turn": 1, "role": "user", "text": "The refund window is 30 days.",
           "intent": {"label": "teach", "score": 0.99},
           "knowledge": [make_item("qa", {"question": "How long is the refund window?", "answer": "30 days"},
                                   source="The refund window is 30 days.", engine="rules")],
           "routes": [{"task": "support_qa", "score": 0.9, "item": 0}]}
    res = CliRunner().invoke(cli, ["locate"], input=json.dumps(rec) + "\n")
    assert res.exit_code == 0, res.stderr
    assert "indexing support_qa for locate" in res.stderr
    assert all(json.loads(line) for line in res.stdout.splitlines())
    quiet = CliRunner().invoke(cli, ["locate"], input=json.dumps(rec) + "\n", env={"LIC_QUIET": "1"})
    assert quiet.exit_code == 0 and "indexing" not in quiet.stderr
