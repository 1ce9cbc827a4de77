"""lic models: list the trained models in the registry."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("models")
@click.argument("task", required=False)
@click.option("--json", "json_", is_flag=True, help="JSONL even on a terminal.")
@click.option("--ranker", is_flag=True,
              help="Train chat's learned retriever now if it is not trained yet (about 160 s on 2 cores, cached in "
                   "$LIC_HOME; chat uses it once trained) and print what it is, as one JSON line.")
@click.option("--cross", is_flag=True,
              help="Train chat's cross-encoder re-ranker now if it is not trained yet (a few minutes on 2 cores, "
                   "cached in $LIC_HOME; chat re-ranks with it once trained) and print what it is, as one JSON line. "
                   "With --ranker too, also calibrate the two combined (about a minute, once), as chat uses them "
                   "when both are trained.")
@click.option("--scope-judge", "scope_judge", is_flag=True,
              help="Train the scope judge now if it is not trained yet (about 160 s on 2 cores, cached in $LIC_HOME; "
                   "the check after generation of gated chat models, `scope_check: judge`, asks it once trained and "
                   "uses the row check until then) and print what it is, as one JSON line.")
@project_option
@cli_errors
def command(task, json_, ranker, cross, scope_judge, project_dir):
    """List the registry of trained models (models/registry.jsonl), oldest first.

    A table on a terminal, one JSON entry a line when piped. `*` marks each task's
    active model (what `registry.latest` returns, and detect uses). Causal-lm models show
    held-out answer accuracy and reliability / generalization / locality (see `lic eval`).

    \b
    Examples:
      lic models
      lic models intent --json | jq -c .metrics
      lic models --ranker
      lic models --cross
      lic models --ranker --cross
      lic models --scope-judge
    """
    if scope_judge:
        from lic_cli.models.scope import train_judge

        click.echo(train_judge())
    if ranker or cross:
        if ranker:
            from lic_cli.chat.ranker import describe, ensure

            click.echo(describe(ensure()))
        if cross:
            from lic_cli.chat import crossenc

            click.echo(crossenc.describe(crossenc.ensure()))
        if ranker and cross:
            import json
            from dataclasses import asdict

            from lic_cli.chat import combine, crossenc
            from lic_cli.chat import ranker as ranking

            cal = combine.ensure(ranking.ensure(), crossenc.ensure())
            click.echo(json.dumps({"combined": asdict(combine.DEFAULT), **asdict(cal)}, ensure_ascii=False))
    if ranker or cross or scope_judge:
        return
    from lic_cli.commands._output import emit_listing
    from lic_cli.tasks import load_project
    from lic_cli.train import registry

    project = load_project(project_dir)
    if task is not None:
        project.task(task)  # unknown task names are an error, not an empty list
    entries = registry.entries(project, task)
    active = {t: registry.latest(project, t) for t in {e["task"] for e in entries}}

    def learned(e: dict) -> str:
        m = e.get("metrics") or {}
        text = "/".join(_num(m.get(k)) or "-" for k in ("reliability", "generalization", "locality"))
        return "" if text == "-/-/-" else text

    def metric(*keys: str):
        return lambda e: next((_num(v) for k in keys if (v := (e.get("metrics") or {}).get(k)) is not None), "")

    emit_listing(entries, json_=json_, empty="no trained models yet: run 'lic train'",
                 footer="* active model of the task", columns=[
                     ("task", lambda e: e["task"] + (" *" if active[e["task"]] == e else "")), ("model", lambda e: e["path"]),
                     ("status", lambda e: e.get("status", "")),
                     ("dataset", lambda e: f"v{e.get('dataset_version')} {e['dataset_hash'].split(':')[-1][:8]}"),
                     ("accuracy", metric("accuracy", "answer_accuracy")), ("macro-F1", metric("macro_f1")),
                     ("rel/gen/loc", learned), ("time", lambda e: e.get("time", "")),
                     ("seconds", lambda e: _num(e.get("seconds")))])


def _num(value) -> str:
    return "" if value is None else f"{value:g}"
