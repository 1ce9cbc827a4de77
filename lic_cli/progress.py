"""A status line on stderr for steps that may take a while: nothing is silent, nothing
is noisy.

    with progress.step("building the index of support_qa"):
        ...

On a terminal a spinner with the elapsed time appears once the step has taken
`after` seconds (2 s), and is replaced by one "... done in N s" line at the end.
When stderr is not a terminal (a pipe, a log file) one line is written once the step
has taken `after` seconds, and one when it ends, so a log shows why a run was slow.
Quick steps print nothing. Never stdout (it carries records). `-q` (set_quiet), or
LIC_QUIET=1 for every stage of a pipe, silences it; errors are not its business.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

AFTER = 2.0
_FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_state = {"quiet": False}


def set_quiet(quiet: bool = True) -> None:
    """Silence every progress line of this process (the commands' -q)."""
    _state["quiet"] = quiet


def is_quiet() -> bool:
    return _state["quiet"] or os.environ.get("LIC_QUIET", "") not in ("", "0")


class Progress:
    """A context manager; `update(text)` changes what the line says."""

    def __init__(self, what: str, *, quiet: bool = False, after: float | None = None,
                 stream: TextIO | None = None) -> None:
        self.what = what
        self.silent = quiet or is_quiet()
        self.after = AFTER if after is None else after
        self.stream = stream if stream is not None else sys.stderr
        try:
            self.tty = self.stream.isatty()
        except (AttributeError, ValueError):
            self.tty = False
        self.shown = False
        self.start = 0.0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def update(self, what: str) -> None:
        self.what = what

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed stderr: progress is not worth an error
            self.silent = True

    def _run(self) -> None:
        if self._stop.wait(self.after):
            return
        frame = 0
        while True:
            with self._lock:
                if self._stop.is_set() or self.silent:
                    return
                elapsed = time.monotonic() - self.start
                if self.tty:
                    self._write(f"\r\x1b[2K{_FRAMES[frame % len(_FRAMES)]} {self.what} ({elapsed:.0f} s)")
                elif not self.shown:
                    self._write(f"{self.what}...\n")
                self.shown = True
            if not self.tty:
                return
            frame += 1
            if self._stop.wait(0.1):
                return

    def __enter__(self) -> Progress:
        self.start = time.monotonic()
        if not self.silent:
            self._thread = threading.Thread(target=self._run, name="lic-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._lock:
            self._stop.set()
            if self.shown and not self.silent:
                elapsed = time.monotonic() - self.start
                status = "done" if exc_type is None else "stopped"
                self._write(("\r\x1b[2K" if self.tty else "") + f"{self.what}: {status} in {elapsed:.1f} s\n")
        if self._thread is not None:
            self._thread.join(timeout=1)


def step(what: str, *, after: float | None = None) -> Progress:
    """A progress line for one step (see the module doc)."""
    return Progress(what, after=after)
