"""lic extract: turn each teaching turn into structured knowledge items (or score an engine)."""

from __future__ import annotations

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

_SHOW_IDS = 10  # ids listed in the summary; the rest are counted


@click.command("extract")
@input_output
@project_option
@click.option("--engine", metavar="NAME", default="auto", show_default=True, envvar="LIC_EXTRACT_ENGINE",
              callback=lambda ctx, param, value: _engine(value),
              help="rules: deterministic patterns; model: the project's trained extraction model; llm: a chat "
                   "model (--llm / --endpoint); learned: a MiniLM tagger trained once on the packaged corpus; generative: "
                   "SmolLM2 fine-tuned once on the packaged corpus (about 390 s on 2 cores); auto: "
                   "rules where they are sure, learned elsewhere; or an "
                   "engine a plugin adds (`lic plugins`). Env: LIC_EXTRACT_ENGINE.")
@click.option("--llm", "llm", default="smollm2", show_default=True, metavar="MODEL",
              help="--engine llm: a model alias or local Hugging Face folder; with --endpoint, the model name sent.")
@click.option("--endpoint", metavar="URL", default=None,
              help="--engine llm: an OpenAI-compatible server (http://host:port/v1) instead of a local model.")
@click.option("--api-key", envvar="LIC_API_KEY", default=None, help="Bearer key for --endpoint [env LIC_API_KEY].")
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, show_default=True,
              help="Seconds to wait for each --endpoint answer.")
@click.option("--batch-size", type=click.IntRange(1, 1024), default=16, show_default=True,
              help="Teaching turns per model call (model and llm engines).")
@click.option("--rejects", metavar="FILE", type=click.File("w", encoding="utf-8", lazy=True), default=None,
              help="Also write every record whose engine output failed validation here (JSONL).")
@eval_options("extract dataset format", "extract dataset")
@cli_errors
def command(input_, output, project_dir, engine, llm, endpoint, api_key, timeout, batch_size, rejects, eval_file,
            split, eval_json):
    """Add `knowledge` (qa, fact, label or forget items) to every teach, correct and forget turn.

    Teaching turns the engine cannot read get `knowledge: []` and an `errors` entry, and
    are counted on stderr, as are turns whose engine output failed validation (--rejects).

    \b
    Examples:
      lic detect -i chat.jsonl | lic extract | jq -c '.knowledge // empty'
      lic extract --engine llm --endpoint http://localhost:8080/v1 -i turns.jsonl
      lic extract --eval - --engine rules        # the extract dataset's test split
    """
    from lic_cli import extract

    check_eval_options(eval_file, split, eval_json)
    project = _project(project_dir, required=engine == "model" or eval_file == "-")
    eng = extract.load_engine(engine, project, llm=llm, endpoint=endpoint, api_key=api_key, timeout=timeout,
                              batch_size=batch_size)
    if eval_file is not None:
        from lic_cli.extract.evaluate import evaluate_file, report

        metrics = evaluate_file(eng, project, eval_file, split=split, batch_size=batch_size)
        emit_eval(report(metrics), metrics, eval_json)
        return
    stats = extract.Stats()
    from lic_cli.jsonl import dumps

    keep = (lambda rec: rejects.write(dumps(rec) + "\n")) if rejects is not None else None
    run_stage(input_, output, lambda recs: extract.run(recs, engine=eng, stats=stats, batch_size=batch_size,
                                                       reject=keep, project=project))
    click.echo(_summary(stats), err=True)


def _engine(name: str) -> str:
    """A built-in or plugin engine name, else a usage error listing the installed ones."""
    from lic_cli import plugins

    names = plugins.names("extract-engine")
    if name not in names:
        raise click.BadParameter(f"{name!r} is not an installed engine ({', '.join(names)}; see `lic plugins`)")
    return name


def _project(project_dir, *, required: bool):
    from lic_cli.errors import ProjectError
    from lic_cli.tasks import load_project

    try:
        return load_project(project_dir)
    except ProjectError:
        if required or project_dir:
            raise
        return None  # rules and llm engines work outside a project


def _summary(stats) -> str:
    line = f"extract: {_count(stats.teaching, 'teaching turn')}, {_count(stats.items, 'item')}"
    if stats.empty:
        line += f"; {len(stats.empty)} with nothing extracted ({_ids(stats.empty)})"
    if stats.rejected:
        line += f"; {len(stats.rejected)} rejected: output failed validation ({_ids(stats.rejected)})"
    if stats.repaired:
        line += f"; {stats.repaired} repaired by a retry"
    return line


def _ids(ids: list[str]) -> str:
    return ", ".join(ids[:_SHOW_IDS]) + (", ..." if len(ids) > _SHOW_IDS else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
