"""The one place where library errors become exits: one line on stderr, exit code 1.

Besides LicError, what the environment can throw at any command also ends in one line:
an OSError (a full disk, a read-only or missing file, a folder where a file belongs),
RecursionError and MemoryError (input lic could not bound), and a stdout that fails or
is closed. Anything else is a bug in lic: it is reported as one line too, as an
internal error naming its type, with LIC_DEBUG=1 for the traceback.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from lic_cli.errors import LicError, OutputError

INTERNAL = "internal error"  # what the fuzz suite looks for: each one is a bug to fix


def cli_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except OutputError as exc:
            _debug()
            if exc.name == "stdout":
                silence_stdout()
            raise click.ClickException(str(exc)) from None
        except LicError as exc:
            _debug()
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:
            silence_stdout()
            raise SystemExit(1) from None
        except OSError as exc:
            _debug()
            if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EBADF) and not exc.filename:
                silence_stdout()
            raise click.ClickException(os_message(exc)) from None
        except RecursionError:
            _debug()
            raise click.ClickException("input nested too deeply for lic to read (see LIC_MAX_DEPTH)") from None
        except MemoryError:
            _debug()
            raise click.ClickException("out of memory reading the input (see LIC_MAX_LINE_BYTES)") from None
        except Exception as exc:  # noqa: BLE001 (a bug: still one line, never a traceback)
            _debug()
            raise click.ClickException(f"{INTERNAL}: {type(exc).__name__}: {str(exc)[:300]} "
                                       "(please report it; LIC_DEBUG=1 shows the traceback)") from None

    return wrapper


def os_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {reason}"
    if exc.errno == errno.EBADF:
        return f"a standard stream is closed ({reason})"
    return f"cannot read or write: {reason}"


def _debug() -> None:
    if os.environ.get("LIC_DEBUG"):
        import traceback

        traceback.print_exc()


def silence_stdout() -> None:
    """Point stdout at /dev/null: Python flushes it again at exit, and that flush must not
    fail a second time (a full disk, a broken pipe) and print a traceback of its own."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError, AttributeError):
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
    try:  # what the buffer still holds would fail again: drop it
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    except OSError:
        pass


class _Closed(__import__("io").RawIOBase):
    """Stands in for a standard stream the process was started without (`lic ... <&-`):
    any read or write fails with one clear OSError instead of an AttributeError on None."""

    def __init__(self, what: str) -> None:
        self.what = what

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return -1  # any use of the descriptor fails with EBADF (commands/_options.py check_output)

    def readinto(self, b: Any) -> int:
        raise OSError(errno.EBADF, f"{self.what} is closed (pass -i FILE or pipe records in)")

    def write(self, b: Any) -> int:
        raise OSError(errno.EBADF, f"{self.what} is closed")


def guard_std_streams() -> None:
    """Give lic a stream for each closed standard stream (see _Closed)."""
    import io

    for name in ("stdin", "stdout"):
        if getattr(sys, name) is None:
            raw = _Closed(name)
            setattr(sys, name, io.TextIOWrapper(io.BufferedReader(raw) if name == "stdin" else io.BufferedWriter(raw),
                                                encoding="utf-8"))
