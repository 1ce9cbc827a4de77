"""lic revert: undo a patch by applying its inverse as a new dataset version."""

from __future__ import annotations

import sys

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import check_output, project_option


@click.command("revert")
@click.argument("patches", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Write nothing: show the inverse patch and what it would do.")
@click.option("--approve", is_flag=True, help="Approve the inverse patch (needed by tasks with review: required).")
@click.option("--author", envvar="LIC_AUTHOR", help="Who reverts (default: git user.name, else $USER).")
@click.option("-m", "--message", help="Message of the inverse patch (default: 'Revert PATCH: ...').")
@project_option
@cli_errors
def command(patches: tuple[str, ...], dry_run: bool, approve: bool, author: str | None,
            message: str | None, project_dir: str | None) -> None:
    """Apply the inverse of each PATCH as a new version (and write the inverse patch file).

    Examples:

    \b
      lic revert patches/support_qa/0003-refunds.patch.jsonl

    Prints one JSON line per inverse patch, like lic apply.
    """
    from lic_cli.jsonl import write_records
    from lic_cli.patches.run import default_author, revert_files
    from lic_cli.tasks import load_project

    project = load_project(project_dir)
    check_output(sys.stdout)  # before anything is applied
    write_records(revert_files(patches, project=project, author=author or default_author(), message=message,
                               approve=approve, dry_run=dry_run, notify=lambda m: click.echo(m, err=True)),
                  sys.stdout)
