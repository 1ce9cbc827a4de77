"""lic plugins: the extract engines, chat backends, train types and dataset formats installed."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._output import emit_listing, json_option


@click.command("plugins")
@click.argument("kind", required=False,
                type=click.Choice(["extract-engine", "chat-backend", "train-type", "dataset-format"]))
@json_option
@cli_errors
def command(kind: str | None, json_: bool) -> None:
    """List the plugins lic finds: its built-ins and those other packages add through entry points.

    A package adds one by declaring an entry point in the group lic.extract_engines,
    lic.chat_backends, lic.train_types or lic.dataset_formats (docs/plugins.md).
    A table on a terminal; one JSON line per plugin when piped or with --json.

    \b
    Examples:
      lic plugins
      lic plugins extract-engine --json | jq -r .name
    """
    from lic_cli import plugins

    rows = [r for r in plugins.installed() if kind is None or r["kind"] == kind]
    emit_listing(rows, json_=json_, columns=[("kind", lambda r: r["kind"]), ("name", lambda r: r["name"]),
                                             ("from", lambda r: "built-in" if r["builtin"] else r["dist"]),
                                             ("object", lambda r: r["value"])])
