"""One output helper for every listing command (log, models, eval, plugins): a table on a
terminal, one JSON object a line when piped or with --json."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import click

Column = tuple[str, Callable[[dict], Any]]  # header, cell of a record


def json_option(fn):
    return click.option("--json", "json_", is_flag=True, help="JSONL (one object a line) even on a terminal.")(fn)


def emit_listing(records: Sequence[dict], *, json_: bool = False, columns: Sequence[Column] | None = None,
                 table: Callable[[Sequence[dict]], Any] | None = None, empty: str | None = None,
                 footer: str | None = None) -> None:
    """JSONL on stdout when it is not a terminal or `json_`; else a rich table from `columns`
    (or a ready renderable from `table`), `empty` on stderr when there is nothing to list,
    and `footer` on stderr after the table."""
    out = sys.stdout
    if json_ or not out.isatty():
        from lic_cli.jsonl import write_records

        write_records(records, out)
        return
    if not records and empty:
        click.echo(empty, err=True)
        return
    from rich.console import Console

    if table is not None:
        renderable = table(records)
    else:
        from rich.table import Table

        renderable = Table(*(h for h, _ in columns or ()))
        for rec in records:
            renderable.add_row(*("" if (v := cell(rec)) is None else str(v) for _, cell in columns or ()))
    Console(file=out).print(renderable)
    if footer:
        click.echo(footer, err=True)
