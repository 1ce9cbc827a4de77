"""lic train: retrain the tasks whose datasets changed."""

from __future__ import annotations

import sys

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("train")
@click.argument("tasks", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Consider every task with a train: section, and report each.")
@click.option("--force", is_flag=True, help="Retrain even when a model for the current dataset exists.")
@click.option("--ci", is_flag=True, help="Exit 1 when a trained model's metric drops more than the task's "
              "train.tolerance against the model it replaces.")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors (warnings stay in the JSON "
              "summaries' metrics.warnings).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Write the JSON summaries here (default: stdout).")
@project_option
@cli_errors
def command(tasks, all_, force, ci, quiet, output, project_dir):
    """Train each task whose current dataset has no model yet; print one JSON summary a task.

    A dataset that returns to content an earlier model saw (a reverted patch) reuses
    that model at once. Models go to models/<task>/v<version>-<hash>/, listed by `lic models`.

    \b
    Examples:
      lic train                    # whatever changed
      lic train intent --force     # retrain one task
      lic train --ci               # in CI: fail when a metric dropped
    """
    from lic_cli import train
    from lic_cli.jsonl import write_records
    from lic_cli.tasks import load_project

    if tasks and all_:
        raise click.UsageError("give task names or --all, not both")
    from lic_cli import progress
    from lic_cli.train import gate

    project = load_project(project_dir)
    if quiet:
        progress.set_quiet()
    note = (lambda msg: None) if quiet else (lambda msg: click.echo(msg, err=True))
    skipped: list[str] = []
    failed: list[str] = []

    def summaries():
        for summary in train.run(project, tasks or None, all_=all_, force=force, ci=ci,
                                 progress=not quiet and sys.stderr.isatty(),
                                 note=note):
            if summary["status"] == "skipped":
                skipped.append(summary["task"])
                if quiet and tasks:  # a named task that cannot train is an error: -q keeps its reason
                    click.echo(f"{summary['task']}: skipped: {summary.get('reason', '')}", err=True)
            g = summary.get("gate", {})
            if not g.get("passed", True):
                failed.append(summary["task"])
                if quiet:  # the drops are the reasons of the gate's failure: -q keeps them
                    for line in gate.describe(summary["task"], g.get("against") or "", g["drops"], g["tolerance"]):
                        click.echo(line, err=True)
            yield summary

    write_records(summaries(), output)
    if failed:
        click.echo(f"CI gate failed: {', '.join(failed)}", err=True)
    if (tasks and skipped) or failed:  # a named task could not be trained, or a metric dropped
        raise click.exceptions.Exit(1)
