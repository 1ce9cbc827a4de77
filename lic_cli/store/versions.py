"""The version log of each task's dataset, and the journal that keeps it true.

`versions/<task>.jsonl` (in the repository, reviewed with the patches) holds one line
per dataset version: its number, content hash, row count, the patch that made it and
who applied it. With no log yet the dataset is version 0; the first apply writes
version 0 and its own version together. A dataset whose hash differs from the log head
was edited by hand: the next apply records that as its own version ("external edit")
before its patch, so the history never loses track of a change.

Dataset and log must always agree, even across a crash. A writer (under the task lock)
records its intent in a journal under `.lic/journal/` before it renames the new
dataset into place, and removes the journal after the log is written. The next writer
to take the lock rolls an interrupted commit forward (dataset already renamed: append
the log lines) or back (not renamed: drop the temp file).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError, PatchError
from lic_cli.jsonl import read_jsonl_file
from lic_cli.safeload import loads as safe_loads
from lic_cli.store import guard
from lic_cli.store.atomic import AtomicFile, fsync_dir, sweep_temps, write_atomic
from lic_cli.store.lock import task_lock
from lic_cli.store.rows import file_hash
from lic_cli.tasks import Project, Task

VERSIONS_DIR = "versions"
OP_NAMES = ("add", "update", "delete")


@dataclass(frozen=True)
class Version:
    version: int
    hash: str
    rows: int
    patch: str | None = None  # project-relative path of the patch file
    patch_id: str | None = None
    author: str = ""
    time: str = ""
    ops: dict[str, int] = field(default_factory=dict)
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_FIELDS: dict[str, tuple[type, ...]] = {
    "version": (int,), "hash": (str,), "rows": (int,), "patch": (str, type(None)),
    "patch_id": (str, type(None)), "author": (str,), "time": (str,), "ops": (dict,), "message": (str,),
}


def log_path(project: Project, task: Task) -> Path:
    return project.path(f"{VERSIONS_DIR}/{task.name}.jsonl")


def rel(project: Project, path: Path) -> str:
    """A project path as written in logs and headers: relative, with forward slashes."""
    return path.resolve().relative_to(project.root.resolve()).as_posix()


def read_log(project: Project, task: Task) -> list[Version]:
    """Every recorded version, oldest first (empty when the task has no log yet)."""
    path = log_path(project, task)
    if not path.exists():
        return []
    name = rel(project, path)
    versions: list[Version] = []
    for line, obj in read_jsonl_file(path):
        guard.check_version(obj, name, line)  # types, hash, counts: a damaged log is reported, never followed
        expected = versions[-1].version + 1 if versions else 0
        if obj["version"] != expected:
            raise InputError(f"expected version {expected}, got {obj['version']}", source=name, line=line,
                             field="version")
        versions.append(Version(**{k: obj[k] for k in _FIELDS}))
    return versions


def _dumps_log(versions: list[Version]) -> str:
    return "".join(json.dumps(v.to_dict(), ensure_ascii=False) + "\n" for v in versions)


# --- the journal ---------------------------------------------------------------------

def journal_path(project: Project, task: Task) -> Path:
    return project.state_dir / "journal" / f"{task.name}.json"


def _read_journal(project: Project, task: Task) -> dict[str, Any] | None:
    path = journal_path(project, task)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise PatchError(f"{path}: unreadable journal of an interrupted apply ({exc}); check "
                         f"{task.dataset} against {VERSIONS_DIR}/{task.name}.jsonl, then delete it") from None
    try:
        obj = safe_loads(text, source=str(path))  # written atomically, so complete or absent
    except InputError:
        raise PatchError(f"{path}: unreadable journal of an interrupted apply; check "
                         f"{task.dataset} against {VERSIONS_DIR}/{task.name}.jsonl, then delete it") from None
    obj["entries"] = [Version(**e) for e in guard.check_journal(obj, str(path), task)]
    return obj


def recover(project: Project, task: Task) -> str | None:
    """Finish or undo an interrupted commit. Call with the task lock held.

    Returns "forward", "back" or None (nothing to do).
    """
    dataset = project.dataset_path(task)
    journal = _read_journal(project, task)
    outcome = None
    if journal is not None:
        current = file_hash(dataset) if dataset.exists() else None
        if current == journal["new_hash"]:
            versions = read_log(project, task)
            guard.check_journal_follows(journal["entries"], journal["new_hash"], str(journal_path(project, task)),
                                        task, versions)  # never follows a forward-dated or foreign entry
            head = versions[-1].version if versions else -1
            missing = [e for e in journal["entries"] if e.version > head]
            if missing:
                write_atomic(log_path(project, task), _dumps_log(versions + missing))
            outcome = "forward"
        else:
            # Not renamed (or edited by hand since): the old dataset stands and the log
            # already matches it; an external edit is noticed by the next apply.
            outcome = "back"
    sweep_temps(dataset)
    sweep_temps(log_path(project, task))
    if journal is not None:
        journal_path(project, task).unlink()
        fsync_dir(journal_path(project, task).parent)
    return outcome


@contextmanager
def writing(project: Project, task: Task) -> Iterator[None]:
    """The task lock, with any interrupted commit repaired first."""
    guard.check_state(project, task)  # folders where folders belong, nothing leading out of the project
    with task_lock(project, task):
        recover(project, task)
        yield


def commit(project: Project, task: Task, new_dataset: AtomicFile | None, *, old_hash: str,
           new_hash: str, entries: list[Version]) -> None:
    """Rename the new dataset into place and append `entries` to the log, crash-safely.

    `new_dataset` is None when only the log changes (recording an external edit).
    Call under `writing()`.
    """
    guard.check_replaceable(project, task)  # nothing read-only in the way: refused before the rename
    versions = read_log(project, task)
    jpath = journal_path(project, task)
    jpath.parent.mkdir(parents=True, exist_ok=True)
    if new_dataset is not None:
        new_dataset.prepare()
    write_atomic(jpath, json.dumps({"task": task.name, "old_hash": old_hash, "new_hash": new_hash,
                                    "entries": [e.to_dict() for e in entries]}, ensure_ascii=False))
    if new_dataset is not None:
        new_dataset.commit(retire=True)  # the old version's blocks are freed on a thread
    _crash_point("renamed")
    write_atomic(log_path(project, task), _dumps_log(versions + entries))
    _crash_point("logged")
    jpath.unlink()
    fsync_dir(jpath.parent)


def _crash_point(name: str) -> None:
    # Test hook for the crash-recovery tests: LIC_TEST_CRASH=renamed kills the process here.
    if os.environ.get("LIC_TEST_CRASH") == name:
        os._exit(86)


# --- reading the current version -------------------------------------------------------

def head(project: Project, task: Task) -> Version | None:
    versions = read_log(project, task)
    return versions[-1] if versions else None


def current_version(project: Project, task: Task) -> tuple[int, str]:
    """(version number, content hash) of the dataset as it is on disk now.

    Cheap: one streaming hash of the file plus the (small) log. A hand edit not yet
    recorded reports the number the next apply will record it under.
    """
    h = file_hash(project.dataset_path(task))
    versions = read_log(project, task)
    if versions and versions[-1].hash == h:
        return versions[-1].version, h
    # An apply interrupted after its rename: the journal knows the number.
    journal = _read_journal(project, task)
    if journal is not None and journal["new_hash"] == h and journal["entries"]:
        guard.check_journal_follows(journal["entries"], h, str(journal_path(project, task)), task, versions)
        return journal["entries"][-1].version, h
    return (versions[-1].version + 1 if versions else 0), h
