"""The `lic` command: an explicit list of subcommands, each a thin module in commands/.

Import-light on purpose: `lic --help` and every subcommand's --help never load torch,
transformers or datasets (tests/test_startup.py checks this).
"""

from __future__ import annotations

import click

from lic_cli import __version__
from lic_cli.commands import (
    apply,
    chat,
    detect,
    export,
    extract,
    init,
    locate,
    log,
    models,
    plugins,
    predict,
    resolve,
    revert,
    route,
    serve,
    show,
    train,
)
from lic_cli.commands import eval as eval_  # the module name shadows a builtin

COMMANDS = [
    init.command,
    chat.command,
    detect.command,
    extract.command,
    route.command,
    locate.command,
    apply.command,
    resolve.command,
    train.command,
    log.command,
    show.command,
    revert.command,
    models.command,
    eval_.command,
    serve.command,
    export.command,
    predict.command,
    plugins.command,
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lic")
def cli() -> None:
    """Learning In Conversation: teach models by talking to them.

    Transcripts flow through the stages as JSONL, one record a line:

        lic chat | lic detect | lic extract | lic route | lic locate | lic apply

    apply writes reviewable patch files; `apply --yes` applies them as new dataset
    versions, and `lic train` retrains the tasks whose datasets changed.
    """
    from lic_cli.commands._errors import guard_std_streams

    guard_std_streams()  # a closed stdin or stdout fails in one line, not in click's parsing


for _cmd in COMMANDS:
    cli.add_command(_cmd)


def main() -> None:
    cli(prog_name="lic")
