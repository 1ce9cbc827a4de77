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


def emit_eval(report: str, metrics: dict[str, Any], eval_json: str | None) -> None:
    """Print an --eval report (on stderr when the JSON takes stdout) and write the JSON."""
    import json

    click.echo(report, nl=False, err=eval_json == "-")
    if eval_json is None:
        return
    try:
        fh = click.open_file(eval_json, "w", encoding="utf-8")
    except OSError as exc:
        raise click.FileError(eval_json, exc.strerror) from None
    with fh:
        fh.write(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")


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
