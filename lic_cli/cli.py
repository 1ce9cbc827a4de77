"""The `lic` command: an explicit table of subcommands, each a thin module in commands/.

Import-light on purpose: `lic --help` and every subcommand's --help never load torch,
transformers or datasets (tests/test_startup.py checks this). The group is lazy: a command's
module is imported only when that command runs or shows its own help, and `lic --help` lists
each command's summary from the table below, so listing them imports none of the 18 modules
(they cost about a third of `lic --help`'s time). tests/test_startup.py checks that every
summary is still the first paragraph of its command's help.
"""

from __future__ import annotations

import importlib

import click

from lic_cli import __version__

# name -> (module in lic_cli.commands, the first paragraph of the command's help). `lic --help`
# lists them by name; docs/cli.md in this order: the pipeline's stages first, then the tools.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init", "Scan DIRECTORY (default: here) for datasets and write a commented tasks.yaml."),
    "chat": ("chat", "Chat with the model; teach it, see each change, apply it, and get the new answer at once."),
    "detect": ("detect", "Add `intent` to every user turn, with the previous exchange (assistant turn and the user "
                         "turn it answered) as context."),
    "extract": ("extract", "Add `knowledge` (qa, fact, label or forget items) to every teach, correct and forget "
                           "turn."),
    "route": ("route", "Add `routes` (task, score, reason) to every record with `knowledge`."),
    "locate": ("locate", "Add `edits` (op, row, before/after, scores, candidates) to every routed record."),
    "apply": ("apply", "Write one patch file per task from located records, or apply PATCH files."),
    "resolve": ("resolve", "Walk the conflicts and proposed rewrites in located records: update, add, skip or "
                           "edit."),
    "train": ("train", "Train each task whose current dataset has no model yet; print one JSON summary a task."),
    "log": ("log", "List the versions of TASK's dataset (or of every task): number, hash, patch, author, time."),
    "show": ("show", "Show PATCH as a diff: a coloured view on a terminal, plain text when piped."),
    "revert": ("revert", "Apply the inverse of each PATCH as a new version (and write the inverse patch file)."),
    "models": ("models", "List the registry of trained models (models/registry.jsonl), oldest first."),
    "eval": ("eval", "Measure reliability, generalization and locality of each causal-lm task's active model."),
    "serve": ("serve", "Serve MODEL (a model folder or alias; default: a task's active model) over HTTP."),
    "export": ("export", "Write MODEL (a model folder; default: a task's active model) to a new folder."),
    "predict": ("predict", "Label each JSONL record's text with TASK's active classifier: adds `label` and "
                           "`score`."),
    "plugins": ("plugins", "List the plugins lic finds: its built-ins and those other packages add through entry "
                           "points."),
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when the subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"lic_cli.commands.{COMMANDS[name][0]}")
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, click.utils.make_default_short_help(COMMANDS[name][1], limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def all_commands() -> dict[str, click.Command]:
    """Every subcommand, imported (for the docs generator and tests), in the table's order."""
    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in COMMANDS}


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


def main() -> None:
    cli(prog_name="lic")
