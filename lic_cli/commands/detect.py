"""lic detect: mark each user turn teach / correct / forget / none."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import input_output, project_option, run_stage


@click.command("detect")
@input_output
@project_option
@click.option("--model", "model_choice", type=click.Choice(["auto", "head", "trained"]), default="auto",
              show_default=True,
              help="auto: the trained intent model for the current dataset if any, else the fast head.")
@click.option("--batch-size", type=click.IntRange(1, 4096), default=64, show_default=True)
@cli_errors
def command(input_, output, project_dir, model_choice, batch_size):
    """Add `intent` to every user turn, using the previous assistant turn as context.

    \b
    Example:
      lic detect -i examples/teach.jsonl | jq -c '.intent'
    """
    from lic_cli import detect
    from lic_cli.tasks import load_project

    model = detect.load_model(load_project(project_dir), choice=model_choice)
    run_stage(input_, output, lambda recs: detect.run(recs, model=model, batch_size=batch_size))
