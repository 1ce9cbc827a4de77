"""lic locate: find the exact row each routed item adds, updates, deletes or already has."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import input_output, project_option, run_stage


@click.command("locate")
@input_output
@project_option
@click.option("--top-k", type=click.IntRange(1, 100), default=5, show_default=True,
              help="Candidate rows kept as evidence per edit.")
@cli_errors
def command(input_, output, project_dir, top_k):
    """Add `edits` (op, row, before/after, scores, candidates) to every routed record.

    \b
    Example:
      ... | lic route | lic locate | lic apply
    """
    from lic_cli import locate
    from lic_cli.models import load_encoder
    from lic_cli.tasks import load_project

    project = load_project(project_dir)
    encoder = load_encoder("minilm")
    run_stage(input_, output, lambda recs: locate.run(recs, project=project, encoder=encoder, top_k=top_k))
