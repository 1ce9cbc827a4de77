"""lic apply: turn located edits into patch files, and apply patches as new dataset versions."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import check_output, input_output, project_option, run_stage, stdin_is_terminal


@click.command("apply")
@click.argument("patches", nargs=-1, type=click.Path(dir_okay=False))
@input_output
@click.option("--yes", is_flag=True, help="Apply the patches built from records too (default: write them for review).")
@click.option("--sweep", is_flag=True,
              help="Include the stale-value sweep's proposals (other rows that still state a corrected value; "
                   "default: held for review, lic resolve).")
@click.option("--dry-run", is_flag=True, help="Write nothing: show the patches and what applying them would do.")
@click.option("--ci", is_flag=True, envvar="LIC_CI_APPROVALS",
              help="Verify approvals: a review-required task's patch must carry an approval signed with "
                   "$LIC_APPROVAL_KEY (docs/security.md).")
@click.option("--approve", is_flag=True, help="Record your approval in the patch (needed by tasks with review: required).")
@click.option("--author", envvar="LIC_AUTHOR", help="Who writes, approves or applies (default: git user.name, else $USER).")
@click.option("-m", "--message", help="Patch message (default: a summary of the edits).")
@project_option
@click.pass_context
@cli_errors
def command(ctx: click.Context, patches: tuple[str, ...], input_, output, yes: bool, sweep: bool, dry_run: bool, ci: bool,
            approve: bool, author: str | None, message: str | None, project_dir: str | None) -> None:
    """Write one patch file per task from located records, or apply PATCH files.

    Examples:

    \b
      lic locate -i t.jsonl | lic apply            # write patches/<task>/NNNN-*.patch.jsonl
      lic locate -i t.jsonl | lic apply --yes      # ...and apply them
      lic locate -i t.jsonl | lic apply --sweep    # with the rows the sweep found still stating an old value
      lic apply patches/support_qa/0003-refunds.patch.jsonl
      lic apply --approve patches/intent/0002-forget.patch.jsonl

    Prints one JSON line per patch: {"patch", "task", "id", "ops", "applied", "version"}.
    """
    from lic_cli.jsonl import write_records
    from lic_cli.patches.apply import VERIFY_APPROVALS
    from lic_cli.patches.run import apply_files, apply_records, default_author
    from lic_cli.tasks import load_project

    VERIFY_APPROVALS.set(ci)  # (every apply sets it: one in-process run never leaks into the next)
    project = load_project(project_dir)
    author = author or default_author()
    check_output(output)  # before anything is applied: a failing output leaves every dataset as it was

    def notify(msg: str) -> None:
        click.echo(msg, err=True)

    if patches:
        if ctx.get_parameter_source("input_") != click.core.ParameterSource.DEFAULT:
            raise click.UsageError("give either PATCH files or --input records, not both")
        write_records(apply_files(patches, project=project, author=author, approve=approve,
                                  dry_run=dry_run, notify=notify), output)
        return
    if getattr(input_, "name", "") == "<stdin>" and stdin_is_terminal():
        raise click.UsageError("pipe located records in (lic locate ... | lic apply), or give PATCH files")
    run_stage(input_, output, lambda recs: apply_records(
        recs, project=project, author=author, message=message, apply=yes, dry_run=dry_run,
        approve=approve, notify=notify, sweep=sweep))
