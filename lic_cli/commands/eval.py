"""lic eval: what the causal-lm models learned from the latest patches."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("eval")
@click.argument("tasks", nargs=-1)
@click.option("--json", "json_", is_flag=True, help="JSON (one result a line) even on a terminal.")
@click.option("--details/--no-details", default=False,
              help="Keep each taught row's and locality probe's question, answers and verdicts in the JSON.")
@project_option
@cli_errors
def command(tasks, json_, details, project_dir):
    """Measure reliability, generalization and locality of each causal-lm task's active model.

    For the rows the patches added or updated since the model's previous version: does the
    model give the taught answer (reliability), also to paraphrases (generalization), and
    are unrelated questions it answered right still right (locality)? Answers are judged by
    content. A table on a terminal, JSON when piped.

    \b
    Examples:
      lic eval
      lic eval support_qa --json | jq .reliability
    """
    from lic_cli.commands._output import emit_listing
    from lic_cli.tasks import load_project
    from lic_cli.train import evaluate

    project = load_project(project_dir)
    note = lambda msg: click.echo(msg, err=True)  # noqa: E731
    results = [r if details else {k: v for k, v in r.items() if k not in ("items", "locality_items", "near_miss_items")}
               for r in evaluate.run(project, tasks or None, note=note)]
    from lic_cli.train.report import table

    emit_listing(results, json_=json_, table=table)
