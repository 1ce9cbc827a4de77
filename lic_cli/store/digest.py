"""Content hashes computed beside the work that streams the bytes.

Applying hashes the old dataset and the new one while it scans and copies them. sha256
releases the GIL on large updates, so a worker thread hashes on another core while the
scan runs. Small pieces (single rows) are batched so the worker sees large updates, and
the queue is bounded so memory stays flat when hashing falls behind.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

_BATCH = 1 << 18  # bytes gathered per hash before handing them over
_DEPTH = 4  # updates in flight (a few MiB at most: memory stays flat)


class HashWorker:
    """Feeds sha256 objects from one worker thread, in order per object."""

    def __init__(self) -> None:
        self._q: queue.Queue[tuple[Any, bytes] | None] = queue.Queue(_DEPTH)
        self._pending: dict[int, tuple[Any, list[bytes]]] = {}  # id(hash) -> (hash, small pieces)
        self._sizes: dict[int, int] = {}
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="lic-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._q.get()) is not None:
            item[0].update(item[1])

    def _flush(self, key: int) -> None:
        h, parts = self._pending.pop(key)
        del self._sizes[key]
        self._q.put((h, b"".join(parts)))

    def update(self, h: Any, data: bytes) -> None:
        key = id(h)
        if len(data) >= _BATCH:
            if key in self._pending:
                self._flush(key)
            self._q.put((h, data))
        elif data:
            self._pending.setdefault(key, (h, []))[1].append(data)
            self._sizes[key] = self._sizes.get(key, 0) + len(data)
            if self._sizes[key] >= _BATCH:
                self._flush(key)

    def close(self) -> None:
        """Hash everything handed over and stop the worker (safe to call twice)."""
        if self._closed:
            return
        self._closed = True
        for key in list(self._pending):
            self._flush(key)
        self._q.put(None)
        self._thread.join()
