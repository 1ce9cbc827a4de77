"""lic route: find the task datasets each knowledge item belongs to."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import input_output, project_option, run_stage


@click.command("route")
@input_output
@project_option
@cli_errors
def command(input_, output, project_dir):
    """Add `routes` (task, score, reason) to every record with `knowledge`.

    Knowledge that fits no task gets `routes: []` and a `proposal`: a tasks.yaml
    snippet for a person to accept.

    \b
    Example:
      lic detect -i chat.jsonl | lic extract | lic route
    """
    from lic_cli import router
    from lic_cli.models import load_encoder
    from lic_cli.tasks import load_project

    project = load_project(project_dir)
    encoder = load_encoder("minilm")
    run_stage(input_, output, lambda recs: router.run(recs, project=project, encoder=encoder))
