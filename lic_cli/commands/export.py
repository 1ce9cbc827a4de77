"""lic export: a trained model folder as other tools take it (weights alone, or with its gate)."""

from __future__ import annotations

import json

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("export")
@click.argument("model", required=False)
@click.option("--task", help="Export this causal-lm task's active model (default: the project's only one).")
@click.option("--to", "dest", required=True, type=click.Path(file_okay=False), help="New folder to write.")
@click.option("--gated", is_flag=True, help="Keep the scope gate and bundle its fallback model (for lic serve).")
@project_option
@cli_errors
def command(model, task, dest, gated, project_dir):
    """Write MODEL (a model folder; default: a task's active model) to a new folder.

    By default the merged weights alone, with a README giving their weights-alone figures
    (what a server without lic's gate will get). --gated also keeps the scope gate and a copy
    of its fallback model, so `lic serve` on the export answers as `lic eval` measured.
    Prints one JSON summary.

    \b
    Examples:
      lic export --to /tmp/faq-weights
      lic export models/faq/v3-0c1d2e3f --to /tmp/faq-gated --gated
    """
    from pathlib import Path

    from lic_cli import models, serve
    from lic_cli.train.export import export

    spec = serve.model_spec(project_dir, model, task)
    result = export(models.resolve(spec), Path(dest), gated=gated)
    click.echo(json.dumps(result, ensure_ascii=False))
