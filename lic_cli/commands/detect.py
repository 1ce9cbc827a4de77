"""lic detect: mark each user turn teach / correct / forget / none (or score a labelled file)."""

from __future__ import annotations

import os
import stat

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import (
    check_eval_options,
    emit_eval,
    eval_options,
    input_output,
    project_option,
    run_stage,
)


@click.command("detect")
@input_output
@project_option
@click.option("--model", "model_choice", type=click.Choice(["auto", "head", "trained"]), default="auto",
              show_default=True,
              help="auto: the trained intent model for the current dataset if any, else the fast head.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Mark turns whose top score is below this `uncertain` [default: the model's, chosen on "
                   "the dev split].")
@click.option("--batch-size", type=click.IntRange(1, 4096), default=None,
              help="User turns classified per model call (memory stays flat; larger is faster) "
                   "[default: 512 for a file, 64 for a pipe or terminal, so live pipes answer soon].")
@eval_options("text, context_user, context, label", "intent dataset")
@cli_errors
def command(input_, output, project_dir, model_choice, threshold, batch_size, eval_file, split, eval_json):
    """Add `intent` to every user turn, with the previous exchange (assistant turn and the user turn it answered) as context.

    \b
    Examples:
      lic detect -i examples/teach.jsonl | jq -c '.intent'
      lic detect --eval - --eval-json metrics.json     # the intent dataset's test split
    """
    from lic_cli import detect
    from lic_cli.tasks import load_project

    check_eval_options(eval_file, split, eval_json)
    project = load_project(project_dir)
    model = detect.load_model(project, choice=model_choice)
    if eval_file is None:
        if batch_size is None:
            batch_size = 512 if _is_file(input_) else 64
        run_stage(input_, output, lambda recs: detect.run(recs, model=model, batch_size=batch_size,
                                                          threshold=threshold))
        return
    from lic_cli.detect.evaluate import evaluate_file, report

    metrics = evaluate_file(project, model, None if eval_file == "-" else eval_file, split=split,
                            threshold=threshold)
    emit_eval(report(metrics), metrics, eval_json)


def _is_file(fp) -> bool:
    try:
        return stat.S_ISREG(os.fstat(fp.fileno()).st_mode)
    except (OSError, ValueError):  # no descriptor (tests' StringIO): treat as a file
        return True
