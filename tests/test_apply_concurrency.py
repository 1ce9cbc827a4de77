"""Concurrent appliers: eight disjoint patches applied at once all land, each as its own version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

from conftest import dump_rows, edit, make_project, read_rows, turn

from lic_cli.patches import files
from lic_cli.patches.apply import apply_patch
from lic_cli.patches.build import build
from lic_cli.store import versions
from lic_cli.store.rows import file_hash

T = "2026-01-02T03:04:05Z"


def big_project(tmp_path, n=2000):
    project = make_project(tmp_path)
    rows = [{"question": f"Question number {i}?", "answer": f"Answer {i}.", "split": "train"} for i in range(n)]
    project.dataset_path(project.task("support_qa")).write_text(dump_rows(rows))
    return project, rows


def disjoint_patches(project, rows, k=8):
    out = []
    for j in range(k):
        row = rows[j * 97 + 5]
        (p,) = build([turn(f"c{j}", 1, edit("update", row, {"answer": f"Changed by {j}."}))],
                     project=project, author=f"w{j}", time=T).patches
        out.append(files.write_new(project, p, f"w{j}"))
    return out


def check_all_landed(project, rows, k=8):
    task = project.task("support_qa")
    log = versions.read_log(project, task)
    assert [v.version for v in log] == list(range(k + 1))
    assert log[-1].hash == file_hash(project.dataset_path(task))
    assert sorted(v.author for v in log[1:]) == sorted(f"w{j}" for j in range(k))
    now = read_rows(project.dataset_path(task))
    assert len(now) == len(rows)
    for j in range(k):
        assert now[j * 97 + 5]["answer"] == f"Changed by {j}."


def test_eight_processes(tmp_path):
    project, rows = big_project(tmp_path)
    paths = disjoint_patches(project, rows)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    procs = [subprocess.Popen([sys.executable, "-m", "lic_cli", "apply", str(p), "--project", str(project.root),
                               "--author", f"w{j}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
             for j, p in enumerate(paths)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        results.append(json.loads(out))
    assert all(r["applied"] for r in results)
    assert sorted(r["version"] for r in results) == list(range(1, 9))
    check_all_landed(project, rows)


def test_eight_threads(tmp_path):
    project, rows = big_project(tmp_path)
    paths = disjoint_patches(project, rows)
    errors: list[BaseException] = []

    def work(j, path):
        try:
            patch, _, name = files.load(project, path)
            apply_patch(project, patch, name=name, patch_path=name, author=f"w{j}")
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(j, p)) for j, p in enumerate(paths)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    check_all_landed(project, rows)
