"""lic locate: find the exact row each routed item adds, updates, deletes or already has."""

from __future__ import annotations

import json

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import input_output, project_option, run_stage


@click.command("locate")
@input_output
@project_option
@click.option("--top-k", type=click.IntRange(1, 100), default=5, show_default=True,
              help="Candidate rows kept as evidence per edit.")
@click.option("--eval", "eval_file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Score locate on an eval set (e.g. evals/locate.jsonl) instead of locating records.")
@click.option("--eval-json", type=click.File("w", encoding="utf-8"), default=None,
              help="With --eval: also write the metrics as JSON here.")
@cli_errors
def command(input_, output, project_dir, top_k, eval_file, eval_json):
    """Add `edits` (op, row, before/after, scores, candidates) to every routed record.

    \b
    Example:
      ... | lic route | lic locate | lic apply
      lic locate --eval evals/locate.jsonl    # accuracy, precision@1, op confusion (stderr)
    """
    from lic_cli import locate
    from lic_cli.models import load_encoder
    from lic_cli.tasks import load_project

    project = load_project(project_dir)
    encoder = load_encoder("minilm")
    if eval_file:
        from lic_cli.locate.evaluate import evaluate, report_text

        summary = evaluate(eval_file, project=project, encoder=encoder, top_k=top_k)
        click.echo(report_text(summary, "locate"), err=True)
        if eval_json:
            eval_json.write(json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
        return
    run_stage(input_, output, lambda recs: locate.run(recs, project=project, encoder=encoder, top_k=top_k))
