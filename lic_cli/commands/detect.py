"""lic detect: mark each user turn teach / correct / forget / none (or score a labelled file)."""

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
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Mark turns whose top score is below this `uncertain` [default: the model's, chosen on "
                   "the dev split].")
@click.option("--batch-size", type=click.IntRange(1, 4096), default=256, show_default=True)
@click.option("--eval", "eval_file", metavar="FILE", default=None,
              help="Score the model on labelled JSONL rows (text, context, label) instead; '-' means the "
                   "project's intent dataset.")
@click.option("--split", default=None, help="With --eval: only rows of this split [default: test for '-', "
                                            "all rows for a file; 'all' for every row].")
@click.option("--eval-json", type=click.File("w", encoding="utf-8", lazy=True), default=None,
              help="With --eval: also write the metrics as JSON here ('-': stdout, the report goes to stderr).")
@cli_errors
def command(input_, output, project_dir, model_choice, threshold, batch_size, eval_file, split, eval_json):
    """Add `intent` to every user turn, using the previous assistant turn as context.

    \b
    Examples:
      lic detect -i examples/teach.jsonl | jq -c '.intent'
      lic detect --eval - --eval-json metrics.json     # the intent dataset's test split
    """
    from lic_cli import detect
    from lic_cli.tasks import load_project

    if (split or eval_json) and eval_file is None:
        raise click.UsageError("--split and --eval-json go with --eval")
    project = load_project(project_dir)
    model = detect.load_model(project, choice=model_choice)
    if eval_file is None:
        run_stage(input_, output, lambda recs: detect.run(recs, model=model, batch_size=batch_size,
                                                          threshold=threshold))
        return
    import json

    from lic_cli.detect.evaluate import evaluate_file, report

    metrics = evaluate_file(project, model, None if eval_file == "-" else eval_file, split=split,
                            threshold=threshold)
    to_stdout = eval_json is not None and getattr(eval_json, "name", "") == "-"
    click.echo(report(metrics), nl=False, err=to_stdout)
    if eval_json is not None:
        eval_json.write(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n")
