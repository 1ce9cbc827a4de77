"""The one file lock (advisory fcntl) and the one build-once helper.

`task_lock`: one writer per task at a time, under the project's state folder.
`file_lock`: any exclusive lock on a path. `build_once`: a cache entry in $LIC_HOME
(an exported or converted model) made once, atomically, whoever asks first.

The lock is tied to an open file description, so it is released by the kernel when
the process dies, even by SIGKILL: a crashed applier never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lic_cli.tasks import Project, Task

# Re-entrant within one thread: flock locks on two descriptors of the same file would
# deadlock a thread against itself. Other threads open their own descriptor and wait.
_held: dict[tuple[Path, int], int] = {}


def lock_path(project: Project, task: Task) -> Path:
    return project.state_dir / "locks" / f"{task.name}.lock"


@contextmanager
def task_lock(project: Project, task: Task) -> Iterator[None]:
    with file_lock(lock_path(project, task)):
        yield


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created if missing), re-entrant within a thread."""
    key = (path, threading.get_ident())
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def build_once(target: Path, build: Callable[[Path], Path | None], *,
               done: Callable[[Path], bool] | None = None) -> Path:
    """Make `target` once per machine, however many processes ask at the same time.

    `build(tmp)` writes into a fresh scratch folder beside the target and returns what to
    install as `target` (a file or folder inside tmp; None: tmp itself). It is renamed into
    place atomically, under a lock on `target.lock`, so a reader sees the whole result or
    nothing; a failed build leaves nothing behind. `done(target)` says whether it is built
    (default: it exists)."""
    finished = done or (lambda p: p.exists())
    if finished(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(target.with_name(target.name + ".lock")):
        if finished(target):  # another process built it meanwhile
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            made = build(tmp) or tmp
            if target.exists() and target.is_dir():  # a partial folder from an older layout
                shutil.rmtree(target)
            os.replace(made, target)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target
