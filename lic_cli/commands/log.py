"""lic log: the version history of the task datasets."""

from __future__ import annotations

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
    from lic_cli.commands._output import emit_listing
    from lic_cli.patches.run import log_records
    from lic_cli.tasks import load_project

    emit_listing(log_records(load_project(project_dir), task), json_=json_, columns=[
        ("task", lambda r: r["task"]), ("version", lambda r: r["version"]), ("hash", lambda r: r["hash"][7:19]),
        ("rows", lambda r: r["rows"]), ("patch", lambda r: r["patch"] or ""), ("author", lambda r: r["author"]),
        ("time", lambda r: r["time"]), ("message", lambda r: r["message"])])
