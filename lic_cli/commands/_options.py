"""Option decorators shared by the stage commands, and the standard stage pipe."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import click


def input_output(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
                      help="Write JSONL here (default: stdout).")(fn)
    fn = click.option("-i", "--input", "input_", type=click.File("r", encoding="utf-8"), default="-",
                      help="Read JSONL from here (default: stdin).")(fn)
    return fn


def project_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--project", "project_dir", type=click.Path(file_okay=False), default=None,
                        envvar="LIC_PROJECT",
                        help="Project folder holding tasks.yaml (default: nearest one above the current folder).")(fn)


def run_stage(input_: IO[str], output: IO[str], stage: Callable[[Iterator[dict]], Iterable[dict]]) -> int:
    """Read records, run a stage over them, write its output; locate stage errors in the input."""
    from lic_cli.errors import RecordError
    from lic_cli.jsonl import Reader, write_records

    reader = Reader(input_)
    try:
        return write_records(stage(iter(reader)), output)
    except RecordError as exc:
        raise reader.locate(exc) from None


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()
