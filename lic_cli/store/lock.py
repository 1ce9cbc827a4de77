"""One writer per task at a time: an advisory fcntl lock under the project's state folder.

The lock is tied to an open file description, so it is released by the kernel when
the process dies, even by SIGKILL: a crashed applier never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
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
