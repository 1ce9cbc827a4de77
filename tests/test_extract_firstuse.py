"""extract's `auto` trains its learned engine on first use, says so with progress lines, caches
it in $LIC_HOME and never trains it again; LIC_EXTRACT_TRAIN=0 keeps it to the rules.

The real training code runs on the real MiniLM; the corpus is cut to a few hundred train
turns so the test stays short (the full first use is measured by
bench/bench_extract_firstuse.py, docs/extract.md "First use")."""

from __future__ import annotations

import time

import pytest

from lic_cli.extract.engine import Turn

UNDECIDED = Turn("Heads up: the ferry to Skye now leaves at 7:15 on Sundays.", [], "teach")


@pytest.mark.slow
def test_auto_trains_the_learned_engine_on_first_use_once(tmp_path, monkeypatch, capsys):
    from lic_cli.extract import learned
    from lic_cli.extract.auto import AutoEngine

    rows = learned.corpus_rows()
    small = [r for r in rows if r["split"] == "train"][::20]  # every 20th train turn: all kinds, ~320 turns
    monkeypatch.setattr(learned, "corpus_rows", lambda files=learned.CORPUS: small)
    monkeypatch.setenv("LIC_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LIC_EXTRACT_TRAIN", raising=False)
    assert learned.trained_path() is None

    start = time.perf_counter()
    (out,) = AutoEngine().extract([UNDECIDED])
    first = time.perf_counter() - start
    err = capsys.readouterr().err
    assert "first use: auto trains its learned engine now" in err and "learned engine epoch" in err
    assert out.engine == "learned"
    assert learned.trained_path() is not None and (learned.trained_path() / "info.json").is_file()

    start = time.perf_counter()
    (again,) = AutoEngine().extract([UNDECIDED])
    assert "first use" not in capsys.readouterr().err  # cached: loaded, not trained
    assert again.items == out.items and time.perf_counter() - start < first


@pytest.mark.slow
def test_first_use_training_can_be_switched_off(tmp_path, monkeypatch, capsys):
    from lic_cli.extract import learned
    from lic_cli.extract.auto import AutoEngine

    monkeypatch.setenv("LIC_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LIC_EXTRACT_TRAIN", "0")
    (out,) = AutoEngine().extract([UNDECIDED])
    assert out.engine == "rules" and learned.trained_path() is None
    assert "LIC_EXTRACT_TRAIN=0" in capsys.readouterr().err
