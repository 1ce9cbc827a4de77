"""Crash-safe file writes: write beside the target, fsync, then rename over it.

A reader (or a crash) sees either the old file or the new one, never a half-written
one. Temporary files live in the target's own folder (a rename across file systems is
not atomic) and carry a recognisable name so a later run can sweep leftovers.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO

TMP_SUFFIX = ".lic-tmp"


def tmp_prefix(target: Path) -> str:
    return f".{target.name}."


def fsync_dir(directory: Path) -> None:
    """Make a rename durable: fsync the folder that holds the entry."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicFile:
    """A binary temp file beside `target`; `commit()` renames it over the target.

    Use it as a context manager: leaving the block without commit() (an exception, or
    a caller that changed its mind) removes the temp file. `prepare()` flushes and
    fsyncs without renaming, for callers that must record a journal in between.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=tmp_prefix(target), suffix=TMP_SUFFIX, dir=target.parent)
        self.tmp = Path(name)
        self.fh: IO[bytes] = os.fdopen(fd, "wb", buffering=1 << 20)
        self.done = False

    def write(self, data: bytes) -> None:
        self.fh.write(data)

    def prepare(self) -> Path:
        """Flush and fsync the temp file (keeps the file mode of an existing target)."""
        if not self.fh.closed:
            self.fh.flush()
            if self.target.exists():
                os.chmod(self.fh.fileno(), self.target.stat().st_mode & 0o7777)
            else:
                os.chmod(self.fh.fileno(), 0o644)
            os.fsync(self.fh.fileno())
            self.fh.close()
        return self.tmp

    def commit(self) -> None:
        self.prepare()
        os.replace(self.tmp, self.target)
        fsync_dir(self.target.parent)
        self.done = True

    def discard(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        if not self.done:
            self.tmp.unlink(missing_ok=True)
            self.done = True

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if not self.done:
            self.discard()


def write_atomic(target: Path, data: bytes | str) -> None:
    """Replace `target` with `data` atomically."""
    with AtomicFile(target) as af:
        af.write(data.encode("utf-8") if isinstance(data, str) else data)
        af.commit()


def create_exclusive(target: Path, data: bytes | str) -> bool:
    """Create `target` with `data` only if it does not exist yet, atomically.

    The content is written and fsynced under a temp name, then hard-linked to the
    final name: link() fails when the name is taken, so two writers racing for the
    same patch number never overwrite each other, and the file never appears half
    written. Returns False when the name was taken.
    """
    with AtomicFile(target) as af:
        af.write(data.encode("utf-8") if isinstance(data, str) else data)
        tmp = af.prepare()
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        fsync_dir(target.parent)
        return True


def sweep_temps(target: Path) -> list[Path]:
    """Remove temp files left beside `target` by a crashed writer. Call under the lock."""
    removed = []
    if target.parent.is_dir():
        for p in target.parent.glob(tmp_prefix(target) + "*" + TMP_SUFFIX):
            p.unlink(missing_ok=True)
            removed.append(p)
    return removed
