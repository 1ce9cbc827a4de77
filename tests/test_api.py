"""The Python API: docs/python-api.md's examples run, in order, in a copy of the demo project."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "python-api.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_import_is_light_and_the_api_is_listed():
    probe = ("import sys, lic_cli; heavy = [m for m in ('torch', 'numpy', 'lic_cli.api', 'lic_cli.detect', "
             "'importlib.metadata') if m in sys.modules]; print(heavy, sorted(set(lic_cli.API) - set(dir(lic_cli))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[] []"


def test_stage_packages_are_callable_and_still_packages():
    import lic_cli
    from lic_cli import detect, extract, locate, train

    for pkg in (detect, extract, locate, train):
        assert callable(pkg) and pkg.__name__.startswith("lic_cli.")
    assert detect.run and extract.load_engine and locate.run and train.run
    assert lic_cli.detect is detect and callable(lic_cli.route) and callable(lic_cli.apply)


@pytest.mark.slow
def test_python_api_doc_examples_run(demo_pipe_project, monkeypatch, capsys):
    tmp_path = demo_pipe_project
    monkeypatch.chdir(tmp_path)
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 4
    scope: dict = {}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{DOC.name} block {i + 1}", "exec"), scope)  # noqa: S102
    assert list((tmp_path / "patches").glob("*/*.patch.jsonl"))
    assert "unknown extract engine 'nope'" in capsys.readouterr().out
