"""Content hashes computed beside the work that streams the bytes.

Applying hashes the old dataset and the new one while it copies one into the other.
sha256 releases the GIL on large updates, so each hash gets its own worker thread:
with two hashes and a copy to do, all cores help. Small pieces (single rows) are
batched so a worker sees few, large updates, and each queue is bounded so memory
stays flat when hashing falls behind. Pieces must not change once handed over (bytes,
or memoryviews of bytes).
"""

from __future__ import annotations

import queue
import threading
from typing import Any

_BATCH = 1 << 18  # bytes gathered per hash before handing them over
_DEPTH = 2  # batches in flight per hash (a few MiB at most: memory stays flat)

Piece = bytes | memoryview


class _Worker:
    """One hash, fed in order from one thread."""

    def __init__(self, h: Any) -> None:
        self.h = h
        self.q: queue.Queue[list[Piece] | None] = queue.Queue(_DEPTH)
        self.pending: list[Piece] = []
        self.size = 0
        self.thread = threading.Thread(target=self._run, name="lic-hash", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        update = self.h.update
        while (pieces := self.q.get()) is not None:
            for piece in pieces:
                update(piece)

    def flush(self) -> None:
        if self.pending:
            self.q.put(self.pending)
            self.pending, self.size = [], 0


class HashWorker:
    """Feeds sha256 objects, each from its own worker thread, in order per object."""

    def __init__(self) -> None:
        self._workers: dict[int, _Worker] = {}  # id(hash) -> its worker
        self._closed = False

    def update(self, h: Any, data: Piece) -> None:
        if not data:
            return
        w = self._workers.get(id(h))
        if w is None:
            w = self._workers[id(h)] = _Worker(h)
        w.pending.append(data)
        w.size += len(data)
        if w.size >= _BATCH:
            w.flush()

    def close(self) -> None:
        """Hash everything handed over and stop the workers (safe to call twice)."""
        if self._closed:
            return
        self._closed = True
        for w in self._workers.values():
            w.flush()
            w.q.put(None)
        for w in self._workers.values():
            w.thread.join()
