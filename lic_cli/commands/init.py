"""lic init: propose a commented tasks.yaml from the dataset files in a folder."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lic_cli.commands._errors import cli_errors


@click.command("init")
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, exists=True))
@click.option("--dry-run", is_flag=True, help="Print the proposed tasks.yaml instead of writing it.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@cli_errors
def command(directory: str, dry_run: bool, quiet: bool) -> None:
    """Scan DIRECTORY (default: here) for datasets and write a commented tasks.yaml.

    Each JSONL, CSV, TSV or Parquet file and Hugging Face save_to_disk folder becomes a
    task: its format (qa, fact, label...) guessed from its columns, its key, its labels
    and its split column, with a train: section for the formats lic trains. A comment
    explains every guess. An existing tasks.yaml is never overwritten.

    \b
    Examples:
      lic init --dry-run      # see the proposal
      lic init my-project
    """
    from lic_cli.progress import Progress
    from lic_cli.project.init import init

    root = Path(directory).resolve()
    with Progress("scanning datasets", quiet=quiet):
        text, guesses, written = init(root, dry_run=dry_run)
    if dry_run:
        sys.stdout.write(text)
        return
    if not quiet:
        for g in guesses:
            what = f"task '{g.name}' ({g.format}" + (f", {len(g.labels)} labels" if g.labels else "") + ")"
            click.echo(f"{g.path}: {what if g.format else 'no task: ' + g.reasons[-1]}", err=True)
        click.echo(f"wrote {written}; check the guesses in its comments", err=True)
