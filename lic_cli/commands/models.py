"""lic models: list the trained models in the registry."""

from __future__ import annotations

import sys

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("models")
@click.argument("task", required=False)
@click.option("--json", "json_", is_flag=True, help="JSONL even on a terminal.")
@project_option
@cli_errors
def command(task, json_, project_dir):
    """List the registry of trained models (models/registry.jsonl), oldest first.

    A table on a terminal, one JSON entry a line when piped. `*` marks each task's
    active model (what `registry.latest` returns, and detect uses). Causal-lm models show
    held-out answer accuracy and reliability / generalization / locality (see `lic eval`).

    \b
    Examples:
      lic models
      lic models intent --json | jq -c .metrics
    """
    from lic_cli.jsonl import write_records
    from lic_cli.tasks import load_project
    from lic_cli.train import registry

    project = load_project(project_dir)
    if task is not None:
        project.task(task)  # unknown task names are an error, not an empty list
    entries = registry.entries(project, task)
    if json_ or not sys.stdout.isatty():
        write_records(entries, sys.stdout)
        return
    if not entries:
        click.echo("no trained models yet: run 'lic train'", err=True)
        return
    from rich.console import Console
    from rich.table import Table

    active = {t: registry.latest(project, t) for t in {e["task"] for e in entries}}
    table = Table("task", "model", "status", "dataset", "accuracy", "macro-F1", "rel/gen/loc", "time", "seconds")
    for e in entries:
        m = e.get("metrics") or {}
        learned = "/".join(_num(m.get(k)) or "-" for k in ("reliability", "generalization", "locality"))
        table.add_row(e["task"] + (" *" if active[e["task"]] == e else ""), e["path"], e.get("status", ""),
                      f"v{e.get('dataset_version')} {e['dataset_hash'].split(':')[-1][:8]}",
                      _num(m.get("accuracy", m.get("answer_accuracy"))), _num(m.get("macro_f1")),
                      "" if learned == "-/-/-" else learned, str(e.get("time", "")), _num(e.get("seconds")))
    Console().print(table)
    click.echo("* active model of the task", err=True)


def _num(value) -> str:
    return "" if value is None else f"{value:g}"
