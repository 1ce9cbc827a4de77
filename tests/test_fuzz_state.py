"""lic's own state, broken in every way the issue lists (issue 19), under every command that
reads or writes it: a file where a folder belongs and the reverse, links out of the project,
a lock that is a folder, a damaged journal (no new_hash, a garbage hash, dated ahead of
the log), a damaged version log or registry, immutable files (chattr +i).

Each must end with exit 1 and one line naming what is wrong, no traceback; no dataset,
version log or registry changes; nothing is written outside the project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fuzzkit import (
    QA_ROWS,
    edit,
    guarded,
    invoke,
    new_project,
    record,
    refused,
    turn,
    valid_patch,
    version_line,
)


def _digest(project) -> str:
    from lic_cli.store.rows import file_hash

    return file_hash(project.dataset_path(project.task("support_qa")))


def _journal(project, **fields) -> None:
    d = _digest(project)
    obj = {"task": "support_qa", "old_hash": "sha256:" + "0" * 64, "new_hash": d,
           "entries": [{**version_line(0, d), "version": 0}]}
    obj.update(fields)
    path = project.root / ".lic/journal/support_qa.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))


def _log(project, *lines) -> None:
    path = project.root / "versions/support_qa.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))


def _file(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("not a folder\n")


def _dir(p: Path) -> None:
    if p.exists() and not p.is_dir():
        p.unlink()
    p.mkdir(parents=True, exist_ok=True)


def _link_out(p: Path, outside: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p)
    elif p.exists():
        p.unlink()
    p.parent.mkdir(parents=True, exist_ok=True)
    p.symlink_to(outside, target_is_directory=True)


# fault name -> (damage(project, outside), what the one error line must name)
FAULTS = {
    "lic-is-file": (lambda pr, out: _file(pr.root / ".lic"), ".lic"),
    "lic-links-out": (lambda pr, out: _link_out(pr.root / ".lic", out), ".lic"),
    "locks-is-file": (lambda pr, out: _file(pr.root / ".lic/locks"), ".lic/locks"),
    "lock-is-folder": (lambda pr, out: _dir(pr.root / ".lic/locks/support_qa.lock"), "support_qa.lock"),
    "journal-is-folder": (lambda pr, out: _dir(pr.root / ".lic/journal/support_qa.json"), "support_qa.json"),
    "journal-dir-is-file": (lambda pr, out: _file(pr.root / ".lic/journal"), ".lic/journal"),
    "index-dir-is-file": (lambda pr, out: _file(pr.root / ".lic/index"), ".lic/index"),
    "versions-is-file": (lambda pr, out: _file(pr.root / "versions"), "versions"),
    "versions-log-is-folder": (lambda pr, out: _dir(pr.root / "versions/support_qa.jsonl"), "support_qa.jsonl"),
    "versions-links-out": (lambda pr, out: _link_out(pr.root / "versions", out), "versions"),
    "patches-is-file": (lambda pr, out: _file(pr.root / "patches"), "patches"),
    "patches-links-out": (lambda pr, out: _link_out(pr.root / "patches", out), "patches"),
    "models-links-out": (lambda pr, out: _link_out(pr.root / "models", out), "models"),
    "journal-no-new-hash": (lambda pr, out: _journal(pr, new_hash=None) or _strip(pr, "new_hash"), "journal"),
    "journal-garbage-hash": (lambda pr, out: _journal(pr, new_hash="sha256:zz"), "journal"),
    "journal-forward-dated": (lambda pr, out: _journal(pr, entries=[version_line(7, _digest(pr))]), "journal"),
    "journal-wrong-task": (lambda pr, out: _journal(pr, task="facts"), "journal"),
    "journal-entries-string": (lambda pr, out: _journal(pr, entries="all"), "journal"),
    "versions-garbage-hash": (lambda pr, out: _log(pr, version_line(0, "sha256:xyz")), "versions/support_qa.jsonl"),
    "versions-bool-version": (lambda pr, out: _log(pr, {**version_line(0, _digest(pr)), "version": False}),
                              "versions/support_qa.jsonl"),
    "versions-negative-rows": (lambda pr, out: _log(pr, {**version_line(0, _digest(pr)), "rows": -3}),
                               "versions/support_qa.jsonl"),
    "versions-gap": (lambda pr, out: _log(pr, version_line(0, _digest(pr)), version_line(5, _digest(pr))),
                     "versions/support_qa.jsonl line 2"),
    "versions-patch-outside": (lambda pr, out: _log(pr, {**version_line(0, _digest(pr)), "patch": "../../x"}),
                               "versions/support_qa.jsonl"),
}


def _strip(project, key) -> None:
    path = project.root / ".lic/journal/support_qa.json"
    obj = json.loads(path.read_text())
    obj.pop(key)
    path.write_text(json.dumps(obj))


COMMANDS = ["apply", "revert", "log", "records"]


def _setup(tmp_path, command):
    project = new_project(tmp_path / "p")
    outside = tmp_path / "outside"
    outside.mkdir()
    path = valid_patch(project)
    if command == "revert":
        assert invoke(["apply", str(path), "--project", str(project.root)]).exit_code == 0
        shutil.rmtree(project.root / ".lic", ignore_errors=True)  # (so the faults below start clean)
    args = {"apply": ["apply", str(path)], "revert": ["revert", str(path)], "log": ["log"],
            "records": ["apply", "--yes"]}[command]
    return project, outside, [*args, "--project", str(project.root), *(["--author", "t"] if command != "log" else [])]


def _outside_files(outside: Path) -> list[str]:
    return sorted(str(p.relative_to(outside)) for p in outside.rglob("*"))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_broken_state(tmp_path, fault, command):
    project, outside, args = _setup(tmp_path, command)
    damage, names = FAULTS[fault]
    damage(project, outside)
    before = guarded(project.root)
    stdin = json.dumps(turn("c1", 1, edit("update", QA_ROWS[1], {"answer": "Yes."}))) + "\n"
    res = invoke(args, input=stdin if command == "records" else None)
    bad = refused(res, names)
    if guarded(project.root) != before:
        bad.append("a dataset or version log changed")
    if _outside_files(outside):
        bad.append(f"written outside the project: {_outside_files(outside)}")
    record("broken-state", f"{fault}/{command}", not bad)
    assert not bad, bad


@pytest.mark.parametrize("fault", ["models-links-out", "models-is-file", "registry-is-folder",
                                   "registry-path-outside", "registry-hash-garbage", "registry-task-list"])
def test_broken_registry(tmp_path, fault):
    project = new_project(tmp_path / "p")
    outside = tmp_path / "outside"
    outside.mkdir()
    models = project.root / "models"
    entry = {"task": "support_qa", "status": "trained", "path": "models/support_qa/v0-abcdef12",
             "dataset_hash": _digest(project)}
    if fault == "models-links-out":
        (outside / "registry.jsonl").write_text(json.dumps(entry) + "\n")
        models.symlink_to(outside, target_is_directory=True)
    elif fault == "models-is-file":
        models.write_text("x")
    elif fault == "registry-is-folder":
        (models / "registry.jsonl").mkdir(parents=True)
    else:
        bad_entry = {"registry-path-outside": {**entry, "path": "../../etc"},
                     "registry-hash-garbage": {**entry, "dataset_hash": 5},
                     "registry-task-list": {**entry, "task": ["support_qa"]}}[fault]
        models.mkdir()
        (models / "registry.jsonl").write_text(json.dumps(bad_entry) + "\n")
    before = guarded(project.root)
    outside_before = _outside_files(outside)
    res = invoke(["models", "--json", "--project", str(project.root)])
    bad = refused(res, "models")
    if guarded(project.root) != before or _outside_files(outside) != outside_before:
        bad.append("state changed")
    record("broken-state", f"registry/{fault}", not bad)
    assert not bad, bad


def _chattr(flag: str, *paths: Path) -> bool:
    try:
        return subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True).returncode == 0
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("target", ["versions/support_qa.jsonl", "datasets", ".lic/journal", ".lic/index",
                                    "versions"])
@pytest.mark.parametrize("command", ["apply", "revert"])
def test_immutable_files(tmp_path, target, command):
    """chattr +i (immutable even for root): refused before the dataset is touched."""
    project, outside, args = _setup(tmp_path, command)
    assert invoke(["log", "--project", str(project.root)]).exit_code == 0  # makes .lic/
    (project.root / ".lic/journal").mkdir(parents=True, exist_ok=True)
    (project.root / ".lic/index").mkdir(parents=True, exist_ok=True)
    log = project.root / "versions/support_qa.jsonl"
    if not log.exists():
        _log(project, version_line(0, _digest(project)))
    path = project.root / target
    if not _chattr("+i", path):
        pytest.skip("chattr +i is not allowed here")
    try:
        before = guarded(project.root)
        res = invoke(args)
        bad = refused(res, target)
        if guarded(project.root) != before:
            bad.append("a dataset or version log changed")
    finally:
        _chattr("-i", path)
    record("broken-state", f"immutable/{target}/{command}", not bad)
    assert not bad, bad


def test_nothing_written_outside_through_a_committed_lic_link(tmp_path):
    """The issue's case: a committed `.lic` symlink made apply write index, journal and stat
    files outside the project. Now refused, and the outside folder stays empty."""
    project, outside, args = _setup(tmp_path, "apply")
    (project.root / ".lic").symlink_to(outside, target_is_directory=True)
    res = invoke(args)
    assert res.exit_code == 1 and ".lic leads outside the project" in res.stderr
    assert os.listdir(outside) == []


CACHES = {"index-garbage": ("idx", b"garbage"), "index-magic-only": ("idx", b"LICIDX" + b"\x00" * 64),
          "stat-deep": ("stat", b'{"a": ' + b"[" * 5000), "stat-list": ("stat", b"[1]"),
          "stat-types": ("stat", b'{"hash": 5, "sig": "x", "settled_ns": []}')}


@pytest.mark.parametrize("case", sorted(CACHES))
def test_damaged_caches_are_rebuilt(tmp_path, case):
    """The key index and its stat record are caches: damaged ones are ignored and rebuilt."""
    project, outside, args = _setup(tmp_path, "apply")
    suffix, data = CACHES[case]
    (project.root / ".lic/index").mkdir(parents=True, exist_ok=True)
    (project.root / f".lic/index/support_qa.{suffix}").write_bytes(data)
    res = invoke(args)
    bad = [] if res.exit_code == 0 and "Traceback" not in res.output else [res.stderr[-300:]]
    record("broken-state", f"cache/{case}", not bad)
    assert not bad, bad


def test_reading_needs_nothing_writable(tmp_path):
    """An immutable dataset and log (a read-only checkout) still list: only a commit needs them writable."""
    project, outside, args = _setup(tmp_path, "apply")
    _log(project, version_line(0, _digest(project)))
    paths = [project.root / "datasets/support_qa.jsonl", project.root / "versions/support_qa.jsonl"]
    if not _chattr("+i", *paths):
        pytest.skip("chattr +i is not allowed here")
    try:
        res = invoke(["log", "support_qa", "--json", "--project", str(project.root)])
    finally:
        _chattr("-i", *paths)
    record("broken-state", "immutable-but-read-only-use", res.exit_code == 0)
    assert res.exit_code == 0, res.stderr
