"""lic log: the version history of the task datasets."""

from __future__ import annotations

import sys

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("log")
@click.argument("task", required=False)
@click.option("--json", "json_", is_flag=True, help="JSONL even on a terminal.")
@project_option
@cli_errors
def command(task: str | None, json_: bool, project_dir: str | None) -> None:
    """List the versions of TASK's dataset (or of every task): number, hash, patch, author, time.

    Examples:

    \b
      lic log support_qa
      lic log --json | jq .patch

    A table on a terminal; one JSON line per version when piped or with --json.
    """
    from lic_cli.jsonl import write_records
    from lic_cli.patches.run import log_records
    from lic_cli.tasks import load_project

    records = log_records(load_project(project_dir), task)
    out = sys.stdout
    if json_ or not sys.stdout.isatty():
        write_records(records, out)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("task", "version", "hash", "rows", "patch", "author", "time", "message")
    for r in records:
        table.add_row(r["task"], str(r["version"]), r["hash"][7:19], str(r["rows"]), r["patch"] or "",
                      r["author"], r["time"], r["message"])
    Console(file=out).print(table)
