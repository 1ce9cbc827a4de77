"""lic route: find the task datasets each knowledge item belongs to."""

from __future__ import annotations

import json

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import input_output, project_option, run_stage


@click.command("route")
@input_output
@project_option
@click.option("--eval", "eval_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Score routing on an eval set (e.g. evals/route.jsonl) instead of routing records.")
@click.option("--eval-json", type=click.File("w", encoding="utf-8"), default=None,
              help="With --eval: also write the metrics as JSON here.")
@cli_errors
def command(input_, output, project_dir, eval_file, eval_json):
    """Add `routes` (task, score, reason) to every record with `knowledge`.

    Knowledge that fits no task gets `routes: []` and a `proposal`: a tasks.yaml
    snippet for a person to accept.

    \b
    Example:
      lic detect -i chat.jsonl | lic extract | lic route
      lic route --eval evals/route.jsonl      # accuracy, precision@1, confusion (stderr)
    """
    from lic_cli import router
    from lic_cli.models import load_encoder
    from lic_cli.tasks import load_project

    project = load_project(project_dir)
    encoder = load_encoder("minilm")
    if eval_file:
        from lic_cli.locate.evaluate import report_text
        from lic_cli.router.evaluate import evaluate

        summary = evaluate(eval_file, project=project, encoder=encoder)
        click.echo(report_text(summary, "route"), err=True)
        if eval_json:
            eval_json.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
        return
    run_stage(input_, output, lambda recs: router.run(recs, project=project, encoder=encoder))
