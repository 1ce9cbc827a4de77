"""lic show: render a patch file for review."""

from __future__ import annotations

import sys

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("show")
@click.argument("patch", type=click.Path(dir_okay=False))
@click.option("--color/--no-color", default=None, help="Colour the diff (default: when writing to a terminal).")
@project_option
@cli_errors
def command(patch: str, color: bool | None, project_dir: str | None) -> None:
    """Show PATCH as a diff: a coloured view on a terminal, plain text when piped.

    Examples:

    \b
      lic show patches/support_qa/0003-refunds.patch.jsonl
      lic show patches/support_qa/0003-refunds.patch.jsonl | less
    """
    from lic_cli.patches import files, render
    from lic_cli.tasks import load_project

    project = load_project(project_dir)
    loaded, _, name = files.load(project, patch)
    out = sys.stdout
    if color if color is not None else sys.stdout.isatty():
        render.write_rich(loaded, out, name)
    else:
        render.write_plain(loaded, out, name)
