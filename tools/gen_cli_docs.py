"""Generate docs/cli.md, the command reference, from the click commands themselves.

    python tools/gen_cli_docs.py           # rewrite docs/cli.md
    python tools/gen_cli_docs.py --check   # exit 1 when docs/cli.md is stale (CI: tests/test_startup.py)

Every command, its usage line, its help text (click's `\\b` blocks become code blocks) and
a table of its arguments and options: flags, value, default, the environment variable
that sets it, and the help. Nothing depends on the terminal's width or the environment.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

import click

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "cli.md"

HEADER = """# Command reference

Generated from the click commands by `python tools/gen_cli_docs.py`; do not edit by hand
(tests/test_startup.py fails when this file is stale). Every command reads and writes
JSONL (stdin → stdout, or `-i/-o`) unless it says otherwise; `-h` is `--help`.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _help_markdown(text: str) -> str:
    """A click docstring as markdown: paragraphs as they are, `\\b` blocks as code."""
    out: list[str] = []
    for para in inspect.cleandoc(text).split("\n\n"):
        lines = para.split("\n")
        if lines[0].strip() == "\b":
            body = "\n".join(lines[1:])
            out.append("```\n" + inspect.cleandoc(body) + "\n```" if body.strip() else "")
        else:
            out.append(" ".join(line.strip() for line in lines if line.strip()))
    return "\n\n".join(p for p in out if p)


def _value(param: click.Parameter, ctx: click.Context) -> str:
    if isinstance(param, click.Option) and param.is_flag and not param.secondary_opts:
        return ""
    if isinstance(param.type, click.Choice):
        return " \\| ".join(f"`{c}`" for c in param.type.choices)
    if isinstance(param, click.Argument):
        metavar = param.make_metavar(ctx)
    else:
        metavar = param.metavar or param.type.get_metavar(param, ctx)
    return f"`{metavar or param.type.name.upper()}`"


def _default(param: click.Parameter) -> str:
    if not isinstance(param, click.Option) or not param.show_default:
        return ""
    default = param.default
    if default is None or default is False or callable(default) or default == ():
        return ""
    if isinstance(default, tuple | list):
        default = ", ".join(map(str, default))
    return f"`{default}`"


def _params(cmd: click.Command, ctx: click.Context) -> list[str]:
    rows = []
    for param in cmd.get_params(ctx):
        if isinstance(param, click.Option) and param.hidden:
            continue
        if isinstance(param, click.Argument):
            names = f"`{param.human_readable_name}`"
            help_text = "argument" + (" (several)" if param.nargs == -1 else "") + \
                ("" if param.required else ", optional")
        else:
            names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
            help_text = param.help or ""
        envvar = param.envvar if isinstance(param.envvar, str) else ", ".join(param.envvar or ())
        rows.append(f"| {names} | {_value(param, ctx)} | {_default(param)} | "
                    f"{f'`{envvar}`' if envvar else ''} | {_cell(help_text)} |")
    if not rows:
        return []
    return ["| option | value | default | env | what it does |", "|---|---|---|---|---|", *rows]


def _command(name: str, cmd: click.Command, parent: click.Context) -> list[str]:
    ctx = click.Context(cmd, info_name=name, parent=parent)
    lines = [f"## `lic {name}`", "", "```", ctx.get_usage(), "```", ""]
    if cmd.help:
        lines += [_help_markdown(cmd.help), ""]
    lines += _params(cmd, ctx)
    return [*lines, ""]


def render() -> str:
    from lic_cli.cli import all_commands, cli

    root = click.Context(cli, info_name="lic")
    commands = all_commands()
    names = list(commands)
    parts = [HEADER, "## `lic`", "", _help_markdown(cli.help or ""), "",
             "| command | what it does |", "|---|---|"]
    parts += [f"| [`lic {n}`](#lic-{n}) | {_cell(commands[n].get_short_help_str(limit=120))} |" for n in names]
    parts.append("")
    for name in names:
        parts += _command(name, commands[name], root)
    return "\n".join(parts).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/cli.md differs from what would be written")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(REPO)} is stale: run python tools/gen_cli_docs.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)} ({len(text.splitlines())} lines)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
