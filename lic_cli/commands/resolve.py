"""lic resolve: decide the conflicts and proposals locate left for a person."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import input_output, project_option, run_stage, stdin_is_terminal


@click.command("resolve")
@input_output
@project_option
@click.option("--choose", "choose", multiple=True, metavar="REF=CHOICE",
              help="Decide one edit: REF is '<record id>#<i>' (e.g. refund/t3#0) or a row id; CHOICE is "
                   "update, add, delete, skip or edit:NEW VALUE. Repeatable.")
@click.option("--all", "all_", type=click.Choice(["update", "add", "delete", "skip"]), default=None,
              help="Decide every other edit that needs a person this way (where it fits).")
@click.option("--author", envvar="LIC_AUTHOR", help="Who decides (default: git user.name, else $USER).")
@cli_errors
def command(input_, output, project_dir, choose, all_, author):
    """Walk the conflicts and proposed rewrites in located records: update, add, skip or edit.

    Reads `lic locate` output and writes it back with each decision made, ready for
    `lic apply`. With -i FILE on a terminal it asks for every edit no --choose or --all
    decides; otherwise (scripts, pipes) undecided edits are left as they are.

    \b
    Examples:
      lic resolve -i located.jsonl -o resolved.jsonl          # asks on the terminal
      lic resolve -i located.jsonl --choose refund/t3#0=update --all skip | lic apply --yes
      lic resolve -i located.jsonl --choose 'price/t3#0=edit:A cleaning costs $120.'
    """
    from lic_cli.patches import resolve
    from lic_cli.patches.run import default_author
    from lic_cli.tasks import load_project

    project = load_project(project_dir)
    author = author or default_author()
    scripted = resolve.scripted(resolve.parse_choices(choose), all_)
    ask = getattr(input_, "name", "") != "<stdin>" and stdin_is_terminal() and not choose and all_ is None

    def decide(rec, i, edit):
        d = scripted(rec, i, edit)
        if d is not None or not ask:
            return d
        for line in resolve.describe(rec, i, edit):
            click.echo(line, err=True)
        options = resolve.choices_for(edit)
        choice = click.prompt("  choice", type=click.Choice(options), default="skip", err=True)
        value = click.prompt("  new value", err=True) if choice == "edit" else None
        return resolve.Decision(choice, value)

    stats: dict[str, int] = {}
    run_stage(input_, output, lambda recs: resolve.resolve(recs, project=project, decide=decide, author=author,
                                                           stats=stats))
    done = ", ".join(f"{n} {k}" for k, n in sorted(stats.items()) if k != "left") or "nothing"
    left = f"; {stats['left']} left for a person" if stats.get("left") else ""
    click.echo(f"resolve: {done}{left}", err=True)
