"""lic extract: turn each teaching turn into structured knowledge items."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import input_output, run_stage

_SHOW_IDS = 10  # ids listed in the summary; the rest are counted


@click.command("extract")
@input_output
@click.option("--engine", type=click.Choice(["auto", "rules"]), default="auto", show_default=True,
              envvar="LIC_EXTRACT_ENGINE",
              help="auto: the best engine available (today the deterministic rules).")
@cli_errors
def command(input_, output, engine):
    """Add `knowledge` (qa, fact, label or forget items) to every teach, correct and forget turn.

    Teaching turns the engine cannot read get `knowledge: []` and an `errors` entry,
    and are counted on stderr.

    \b
    Example:
      lic detect -i chat.jsonl | lic extract | jq -c '.knowledge // empty'
    """
    from lic_cli import extract

    stats = extract.Stats()
    run_stage(input_, output, lambda recs: extract.run(recs, engine=engine, stats=stats))
    line = f"extract: {_count(stats.teaching, 'teaching turn')}, {_count(stats.items, 'item')}"
    if stats.empty:
        ids = ", ".join(stats.empty[:_SHOW_IDS]) + (", ..." if len(stats.empty) > _SHOW_IDS else "")
        line += f"; {len(stats.empty)} with nothing extracted ({ids})"
    click.echo(line, err=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
