"""SIGKILL `lic apply` at random moments: the dataset is always exactly old or exactly new,
and once the next writer takes the lock, the version log agrees with it."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest
from conftest import dump_rows, edit, make_project, turn

from lic_cli.patches import files
from lic_cli.patches.build import build
from lic_cli.store import versions
from lic_cli.store.atomic import TMP_SUFFIX
from lic_cli.store.rows import file_hash

T = "2026-01-02T03:04:05Z"
KILLS = 100


@pytest.mark.slow
def test_sigkill_at_random_points(tmp_path):
    project = make_project(tmp_path / "p")
    task = project.task("support_qa")
    data = project.dataset_path(task)
    # Big enough that the apply itself (not interpreter start) takes most of the run.
    rows = [{"question": f"Frage Nr. {i}: wie lange dauert die Rückgabe?", "answer": f"Antwort {i}.",
             "split": "train"} for i in range(150000)]
    data.write_text(dump_rows(rows))
    recs = [turn("c1", i, edit("update", rows[i * 11001], {"answer": f"neu {i}"})) for i in range(1, 13)]
    recs.append(turn("c1", 20, edit("add", None, {"question": "Neu?", "answer": "Ja."})))
    recs.append(turn("c1", 21, edit("delete", rows[7])))
    (patch,) = build(recs, project=project, author="a", time=T).patches
    patch_file = files.write_new(project, patch, "crash")
    pristine = tmp_path / "pristine.jsonl"
    shutil.copyfile(data, pristine)
    old = file_hash(data)
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    cmd = [sys.executable, "-m", "lic_cli", "apply", str(patch_file), "--project", str(project.root),
           "--author", "a"]

    def reset():
        shutil.copyfile(pristine, data)
        shutil.rmtree(project.root / "versions", ignore_errors=True)
        shutil.rmtree(project.state_dir, ignore_errors=True)

    t0 = time.monotonic()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    full = time.monotonic() - t0
    new = file_hash(data)
    assert new != old
    rng = random.Random(1234)
    outcomes = {"old": 0, "new": 0, "journal": 0}
    for _ in range(KILLS):
        reset()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, full * 1.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = file_hash(data)
        assert now in (old, new)  # never a half-written dataset
        if versions.journal_path(project, task).exists():
            outcomes["journal"] += 1
        with versions.writing(project, task):  # the next writer repairs
            pass
        assert file_hash(data) == now
        log = versions.read_log(project, task)
        if now == new:
            outcomes["new"] += 1
            assert [v.version for v in log] == [0, 1] and log[-1].hash == new
        else:
            outcomes["old"] += 1
            assert log == [] or log[-1].hash == old
        assert versions.current_version(project, task) == ((1, new) if now == new else (0, old))
        assert not list(data.parent.glob("*" + TMP_SUFFIX))
        assert not versions.journal_path(project, task).exists()
    print(f"\n{KILLS} kills over a {full:.2f}s apply: {outcomes}")
    assert outcomes["old"] > 0 and outcomes["new"] > 0
