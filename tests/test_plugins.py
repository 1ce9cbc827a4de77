"""Plugins through entry points: a package that lic has never seen adds an extract engine
and a dataset format by declaring entry points, and lic uses them; lic's built-ins are
declared the same way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from lic_cli import plugins

REPO = Path(__file__).resolve().parent.parent

PLUGIN_MODULE = '''
from lic_cli.extract.engine import Outcome


class ShoutEngine:
    """Every teaching turn is one fact: the turn's first word is the subject."""

    name = "shout"

    def extract(self, turns):
        out = []
        for t in turns:
            words = t.text.rstrip(".!").split()
            out.append(Outcome(items=[{"kind": "fact", "subject": words[0], "relation": "says",
                                       "object": " ".join(words[1:]).upper()}]))
        return out


def make_engine(project=None, **options):
    return ShoutEngine()


class PipeRows:
    """'a | b' lines under a header line of column names."""

    name = "pipe-rows"
    suffixes = (".rows",)
    directory = False

    def matches(self, path):
        return path.is_file()

    def read(self, path, source):
        lines = path.read_text(encoding="utf-8").splitlines()
        header = [c.strip() for c in lines[0].split("|")]
        for n, line in enumerate(lines[1:], start=2):
            if line.strip():
                yield n, dict(zip(header, (c.strip() for c in line.split("|")), strict=True))

    def columns(self, path):
        return [c.strip() for c in path.read_text(encoding="utf-8").splitlines()[0].split("|")]


FORMAT = PipeRows()
'''


def install_plugin(root: Path) -> Path:
    """A distribution as pip would leave it: the module and a dist-info with entry_points.txt."""
    site = root / "site"
    (site / "lic_shout_plugin-1.0.dist-info").mkdir(parents=True)
    (site / "lic_shout_plugin.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    info = site / "lic_shout_plugin-1.0.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lic-shout-plugin\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[lic.extract_engines]\nshout = lic_shout_plugin:make_engine\n\n"
        "[lic.dataset_formats]\npipe-rows = lic_shout_plugin:FORMAT\n", encoding="utf-8")
    return site


def lic(site: Path, *args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    return subprocess.run([sys.executable, "-m", "lic_cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=cwd)


def test_a_plugin_adds_an_extract_engine_and_a_dataset_format(tmp_path):
    site = install_plugin(tmp_path)
    listed = lic(site, "plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(x) for x in listed.stdout.splitlines()]
    mine = {(r["kind"], r["name"]): r for r in rows if not r["builtin"]}
    assert set(mine) == {("extract-engine", "shout"), ("dataset-format", "pipe-rows")}
    assert mine["extract-engine", "shout"]["dist"] == "lic-shout-plugin"

    # The engine is used by the extract stage, by name.
    turn = {"conversation": "c", "turn": 1, "role": "user", "text": "Kestrel weighs 1.9 kg.",
            "intent": {"label": "teach", "score": 1.0}}
    out = lic(site, "extract", "--engine", "shout", stdin=json.dumps(turn) + "\n", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    (item,) = json.loads(out.stdout)["knowledge"]
    assert (item["kind"], item["subject"], item["object"]) == ("fact", "Kestrel", "WEIGHS 1.9 KG")

    # The format is read wherever lic reads datasets: `lic init` finds and reads a .rows file.
    data = tmp_path / "proj"
    data.mkdir()
    (data / "faq.rows").write_text("question | answer\nHow long is the warranty? | 2 years\n"
                                   "Do you ship abroad? | yes\n", encoding="utf-8")
    init = lic(site, "init", "--dry-run", str(data))
    assert init.returncode == 0, init.stderr
    assert "faq.rows" in init.stdout and "question" in init.stdout

    # Without the plugin on the path, neither exists: the error names what is installed.
    bare = lic(tmp_path / "nowhere", "extract", "--engine", "shout", stdin=json.dumps(turn) + "\n", cwd=tmp_path)
    assert bare.returncode == 2 and "'shout' is not an installed engine (auto, rules" in bare.stderr
    assert "Traceback" not in bare.stderr


def test_builtins_are_declared_as_entry_points_in_pyproject():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["entry-points"]
    for kind, group in plugins.GROUPS.items():
        assert declared[group] == plugins.BUILTIN[kind], group


@pytest.mark.parametrize("kind", ["extract-engine", "dataset-format", "chat-backend"])
def test_every_builtin_loads(kind):
    for p in plugins.plugins(kind):
        assert p.load() is not None


def test_lookups_are_lazy():
    probe = "import sys, lic_cli.cli; print('importlib.metadata' in sys.modules, 'lic_cli.plugins' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert out[1] == "False"


TRAINER_MODULE = '''
import json


class Params:
    def __init__(self, task):
        self.word = (task.train.params or {}).get("word", "hello")

    def to_dict(self):
        return {"word": self.word}


class Constant:
    """A 'model' that answers one word: writes it to the model folder."""

    name = "constant"

    def params(self, task):
        return Params(task)

    def read(self, task, path):
        return path.read_text(encoding="utf-8").count("\\n")

    def train(self, job):
        (job.tmp / "config.json").write_text(json.dumps({"word": job.params.word}))
        return {"rows": job.data}


TRAINER = Constant()
'''


def test_a_plugin_adds_a_train_type(tmp_path, monkeypatch):
    site = tmp_path / "site"
    info = site / "lic_constant-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "lic_constant.py").write_text(TRAINER_MODULE, encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lic-constant\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[lic.train_types]\nconstant = lic_constant:TRAINER\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    plugins.clear_cache()
    try:
        from lic_cli.tasks import load_project
        from lic_cli.train import registry, run

        (tmp_path / "datasets").mkdir()
        (tmp_path / "datasets" / "qa.jsonl").write_text('{"question": "q?", "answer": "a."}\n' * 3)
        (tmp_path / "tasks.yaml").write_text(
            "version: 1\ntasks:\n  - name: qa\n    description: Questions.\n    dataset: datasets/qa.jsonl\n"
            "    format: qa\n    train: {type: constant, base: minilm, params: {word: kestrel}}\n")
        project = load_project(tmp_path)
        [summary] = list(run(project, progress=False, note=lambda _m: None))
        assert summary["status"] == "trained" and summary["metrics"] == {"rows": 3}
        [entry] = registry.entries(project)
        assert entry["type"] == "constant" and entry["params"] == {"word": "kestrel"}
        assert json.loads((project.path(entry["path"]) / "config.json").read_text()) == {"word": "kestrel"}
    finally:
        plugins.clear_cache()
