"""Option decorators shared by the stage commands, and the standard stage pipe."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import click


def _early_output(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """-o checked as the options are read: a missing folder, a folder or /dev/full fails in
    one line before any model is loaded or any input read."""
    from lic_cli.errors import OutputError

    if ctx.resilient_parsing:
        return value
    try:
        check_output(value)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from None
    return value


def input_output(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
                      callback=_early_output, help="Write JSONL here (default: stdout).")(fn)
    fn = click.option("-i", "--input", "input_", type=click.File("r", encoding="utf-8"), default="-",
                      help="Read JSONL from here (default: stdin).")(fn)
    return fn


def project_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--project", "project_dir", type=click.Path(file_okay=False), default=None,
                        envvar="LIC_PROJECT",
                        help="Project folder holding tasks.yaml (default: nearest one above the current folder).")(fn)


def eval_options(rows: str, dataset: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--eval FILE / --split / --eval-json, as detect and extract take them."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn = click.option("--eval-json", metavar="OUT", default=None,
                          help="With --eval: also write the metrics as JSON here ('-': stdout, the report goes "
                               "to stderr).")(fn)
        fn = click.option("--split", default=None, help="With --eval: only rows of this split [default: test for "
                                                        "'-', all rows for a file; 'all' for every row].")(fn)
        return click.option("--eval", "eval_file", metavar="FILE", default=None,
                             help=f"Score on labelled JSONL rows ({rows}) instead; '-' means the project's "
                                  f"{dataset}.")(fn)
    return deco


def check_eval_options(eval_file: str | None, split: str | None, eval_json: str | None) -> None:
    if (split or eval_json) and eval_file is None:
        raise click.UsageError("--split and --eval-json go with --eval")
    if eval_json and eval_json != "-":
        check_output_path(eval_json, "--eval-json")  # now, not after the whole evaluation


def check_output_path(path: str, option: str = "-o") -> None:
    """Fail now, in one line, when `path` cannot be written: a missing folder, a folder, a
    read-only place. Creates nothing (a file that does not exist yet stays absent)."""
    import os

    from lic_cli.errors import OutputError

    p = os.path.abspath(path)
    parent = os.path.dirname(p) or "."
    if os.path.isdir(p):
        raise OutputError(f"{option} {path}", OSError(21, "is a folder, not a file"))
    if not os.path.isdir(parent):
        raise OutputError(f"{option} {path}", OSError(2, f"no such folder: {parent}"))
    if not os.access(parent if not os.path.exists(p) else p, os.W_OK):
        raise OutputError(f"{option} {path}", OSError(13, "not writable"))


def check_output(output: Any, option: str = "-o") -> None:
    """Check an output stream (a click.File, lazy or not, or sys.stdout) can take writes,
    before any work whose result it is meant to record: its folder exists, it is not a
    folder, a zero-byte write does not fail (/dev/full, a closed descriptor) and, for a
    pipe, the reader is still there. Raises OutputError (one line, exit 1)."""
    import errno
    import os
    import select

    from lic_cli.errors import OutputError

    if output is None:
        raise OutputError("stdout", OSError(errno.EBADF, "stdout is closed"))
    name = getattr(output, "name", None)
    label = "stdout" if name in (None, "-", "<stdout>") else f"{option} {name}"
    if callable(getattr(output, "open", None)) and name not in (None, "-"):  # a lazy click.File
        check_output_path(name, option)
        if not os.path.exists(name) or os.path.isfile(name):
            # A regular file is not opened (nor truncated) before the command has output for it;
            # a file system with no room left is refused now.
            try:
                st = os.statvfs(os.path.dirname(os.path.abspath(name)) or ".")
            except OSError:
                return
            if st.f_bavail == 0 and st.f_blocks:
                raise OutputError(label, OSError(errno.ENOSPC, "No space left on device"))
            return
        try:  # a device or a fifo (/dev/full, /dev/stdout): opened and probed below
            output.open()
        except (OSError, click.FileError) as exc:
            raise OutputError(label, exc if isinstance(exc, OSError) else OSError(5, str(exc))) from None
    try:
        fd = output.fileno()
    except (OSError, ValueError, AttributeError):
        return  # not a real file (a test runner's buffer): nothing the OS can refuse
    try:
        output.flush()
        os.write(fd, b"")  # /dev/full refuses even zero bytes; a closed descriptor too
    except OSError as exc:
        raise OutputError(label, exc) from None
    try:
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        events = dict(poller.poll(0)).get(fd, 0)
    except (OSError, ValueError):
        return
    if events & (select.POLLERR | select.POLLNVAL):
        raise OutputError(label, OSError(errno.EPIPE, "broken pipe (nothing reads the output)"))


def emit_eval(report: str, metrics: dict[str, Any], eval_json: str | None) -> None:
    """Print an --eval report (on stderr when the JSON takes stdout) and write the JSON."""
    import json

    click.echo(report, nl=False, err=eval_json == "-")
    if eval_json is None:
        return
    from lic_cli.errors import OutputError

    try:
        fh = click.open_file(eval_json, "w", encoding="utf-8")
    except OSError as exc:
        raise click.FileError(eval_json, exc.strerror) from None
    try:
        with fh:
            fh.write(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
    except OSError as exc:
        raise OutputError("stdout" if eval_json == "-" else eval_json, exc) from None


def run_stage(input_: IO[str], output: IO[str], stage: Callable[[Iterator[dict]], Iterable[dict]]) -> int:
    """Read records, run a stage over them, write its output; locate stage errors in the input."""
    from lic_cli.errors import RecordError
    from lic_cli.jsonl import Reader, write_records

    check_output(output)
    reader = Reader(input_)
    try:
        return write_records(stage(iter(reader)), output)
    except RecordError as exc:
        raise reader.locate(exc) from None


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
