"""lic detect: mark each user turn teach / correct / forget / none (or score a labelled file)."""

from __future__ import annotations

import os
import stat
import sys

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
              help="auto: the model `lic train intent` fine-tuned for the current intent dataset if any, else the "
                   "fast head (lic's default detector, extended by the project's intent task if it has one).")
@click.option("--intent-threshold", "threshold", type=click.FloatRange(0, 1), default=None,
              help="Mark turns whose top score is below this `uncertain` [default: the model's, chosen on "
                   "held-out dev domains].")
@click.option("--threshold", "old_threshold", type=click.FloatRange(0, 1), default=None, hidden=True)
@click.option("--batch-size", type=click.IntRange(1, 4096), default=None,
              help="User turns classified per model call (memory stays flat; larger is faster) "
                   "[default: 512 for a file, 64 for a pipe or terminal, so live pipes answer soon].")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors (no progress line, no "
                                                   "uncertain count).")
@eval_options("text, context_user, context, label; or the corpus format", "intent dataset (without an "
              "intent task: the packaged corpus)")
@cli_errors
def command(input_, output, project_dir, model_choice, threshold, old_threshold, batch_size, quiet, eval_file, split,
            eval_json):
    """Add `intent` to every user turn, with the previous exchange (assistant turn and the user turn it answered) as context.

    Works in any project: without an `intent` task in tasks.yaml (or without tasks.yaml)
    the detector is lic's default one, trained on the packaged multi-domain corpus on
    first use and cached under $LIC_HOME.

    \b
    Examples:
      lic detect -i examples/teach.jsonl | jq -c '.intent'
      lic detect --eval - --eval-json metrics.json     # the intent dataset's test split
      lic detect --eval - --split dev                  # per-domain figures on held-out domains
    """
    from lic_cli import detect, progress

    if quiet:
        progress.set_quiet()
    if threshold is None:
        threshold = old_threshold  # --threshold: the option's name before --intent-threshold
    check_eval_options(eval_file, split, eval_json)
    project = _project(project_dir)
    model = detect.load_model(project, choice=model_choice)
    if eval_file is None:
        if batch_size is None:
            batch_size = 512 if _is_file(input_) else 64
        counts = {"user": 0, "uncertain": 0}
        from lic_cli.detect.labelcue import project_labels

        labels = project_labels(project)
        run_stage(input_, output, lambda recs: _count(detect.run(recs, model=model, batch_size=batch_size,
                                                                 threshold=threshold, labels=labels), counts))
        if counts["uncertain"] and not progress.is_quiet():
            print(f"detect: {counts['uncertain']} of {counts['user']} turns uncertain (kept, with "
                  f"intent.uncertain: true; select them with jq 'select(.intent.uncertain)')", file=sys.stderr)
        return
    from lic_cli.detect.evaluate import evaluate_file, report

    metrics = evaluate_file(project, model, None if eval_file == "-" else eval_file, split=split,
                            threshold=threshold)
    emit_eval(report(metrics), metrics, eval_json)


def _project(project_dir):
    """The project, or None outside any project when none was named (the default detector needs none)."""
    from lic_cli.errors import ProjectError
    from lic_cli.tasks import load_project

    try:
        return load_project(project_dir)
    except ProjectError:
        if project_dir is not None:
            raise
        return None


def _count(records, counts):
    for rec in records:
        intent = rec.get("intent")
        if intent is not None:
            counts["user"] += 1
            counts["uncertain"] += bool(intent.get("uncertain"))
        yield rec


def _is_file(fp) -> bool:
    try:
        return stat.S_ISREG(os.fstat(fp.fileno()).st_mode)
    except (OSError, ValueError):  # no descriptor (tests' StringIO): treat as a file
        return True
