"""The model registry: `models/registry.jsonl`, one line per trained (or re-activated) model.

A model lives in `models/<task>/v<dataset version>-<hash8>/` and is identified by the
content hash of the dataset it was trained on, so a dataset that returns to earlier
content (a reverted patch) finds its earlier model again. Lines are only ever appended,
one `write` under an exclusive fcntl lock, so concurrent `lic train` runs never
interleave or lose lines. The newest line of a task names its active model.

Entry keys: task, status (trained | reused), path (project-relative), dataset_version,
dataset_hash, base, type, labels, params, metrics, time (UTC), seconds (training time).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lic_cli.errors import ProjectError
from lic_cli.jsonl import read_jsonl_file
from lic_cli.store import guard
from lic_cli.store.lock import file_lock
from lic_cli.tasks import Project

MODELS_DIR = "models"
REGISTRY_FILE = "registry.jsonl"


def registry_path(project: Project) -> Path:
    return project.root / MODELS_DIR / REGISTRY_FILE


def model_dir(project: Project, task: str, version: int, dataset_hash: str) -> Path:
    """Where the model trained on this dataset version lives."""
    path = project.root / MODELS_DIR / task / f"v{version}-{hash8(dataset_hash)}"
    guard.check_models(project, path)  # a models/ link out of the project is refused, not written through
    return path


def hash8(dataset_hash: str) -> str:
    return dataset_hash.split(":", 1)[-1][:8]


def model_path(project: Project, entry: dict[str, Any]) -> Path:
    """The absolute model folder of an entry (refusing paths that leave the project)."""
    return project.path(entry["path"])


def entries(project: Project, task: str | None = None) -> list[dict[str, Any]]:
    """All registry lines, oldest first; only `task`'s when given."""
    path = registry_path(project)
    guard.check_models(project)  # a models/ link out of the project is never followed
    guard.check_file(project, path)
    if not path.is_file():
        return []
    out = []
    for line, entry in read_jsonl_file(path):
        guard.check_registry_entry(project, entry, str(path), line)  # checked before it is followed
        if task is None or entry["task"] == task:
            out.append(entry)
    return out


def _exists(project: Project, entry: dict[str, Any]) -> bool:
    try:
        return (model_path(project, entry) / "config.json").is_file()
    except ProjectError:  # a hand-edited path outside the project is just "not usable"
        return False


def latest(project: Project, task: str) -> dict[str, Any] | None:
    """The task's active model: the newest entry whose folder exists and whose dataset
    content is a version the task's version log knows (any, while the task has no log).

    After `lic train` this is the model of the task's current dataset (a re-activated
    earlier model gets a new `reused` line). Between an apply and the next train it is
    the previous model, which is what detect and chat should keep using. A model trained
    on hand edits that no apply has recorded yet is left out until one does.
    """
    known = _known_hashes(project, task)
    for entry in reversed(entries(project, task)):
        if (known is None or entry["dataset_hash"] in known) and _exists(project, entry):
            return entry
    return None


def newest(project: Project, task: str) -> dict[str, Any] | None:
    """The task's newest entry whose folder exists, whatever the version log says."""
    for entry in reversed(entries(project, task)):
        if _exists(project, entry):
            return entry
    return None


def _known_hashes(project: Project, task: str) -> set[str] | None:
    from lic_cli.store.versions import read_log

    log = read_log(project, project.task(task))
    return {v.hash for v in log} if log else None


def for_hash(project: Project, task: str, dataset_hash: str) -> dict[str, Any] | None:
    """The newest usable model trained on exactly this dataset content, if any."""
    for entry in reversed(entries(project, task)):
        if entry["dataset_hash"] == dataset_hash and _exists(project, entry):
            return entry
    return None


def add(project: Project, entry: dict[str, Any]) -> dict[str, Any]:
    """Append one entry atomically (a single write of a whole line, under a lock)."""
    path = registry_path(project)
    guard.check_models(project)  # models/ stays in the project (or $LIC_HOME), a folder
    guard.check_file(project, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with _locked(path) as fh:
        # A line cut short by a crash would glue onto ours; start on a fresh line.
        size = fh.seek(0, os.SEEK_END)
        if size:
            fh.seek(size - 1)
            if fh.read(1) != b"\n":
                line = "\n" + line
        fh.seek(0, os.SEEK_END)
        fh.write(line.encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())
    return entry


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[Any]:
    with file_lock(path), open(path, "a+b") as fh:  # store.lock: the one file lock
        yield fh
