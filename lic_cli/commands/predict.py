"""lic predict: a task's active model on JSONL records."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import input_output, project_option


@click.command("predict")
@click.argument("task")
@input_output
@click.option("-b", "--batch-size", type=click.IntRange(1, 4096), default=64, show_default=True,
              help="Records classified at once.")
@click.option("-q", "--quiet", is_flag=True, help="Nothing on stderr but errors.")
@project_option
@cli_errors
def command(task, input_, output, batch_size, quiet, project_dir):
    """Label each JSONL record's text with TASK's active classifier: adds `label` and `score`.

    The text is the task's text column (else `text`); tasks trained with context
    columns read those too. The model is the one `lic train` made active (`lic models`).
    Span tasks add `spans`; text tasks (train type retrieval, a note memory) add `notes`,
    the task's notes closest in meaning.

    \b
    Examples:
      echo '{"text": "I was charged twice"}' | lic predict tickets
      lic predict tickets -i new_tickets.jsonl -o labelled.jsonl
    """
    from lic_cli import predict, progress
    from lic_cli.commands._options import check_output
    from lic_cli.jsonl import Reader, write_records
    from lic_cli.tasks import load_project

    if quiet:
        progress.set_quiet()
    project = load_project(project_dir)
    check_output(output)
    reader = Reader(input_, expand_chats=False)
    records = ((reader.line, rec) for rec in reader)
    write_records(predict.predict(project, project.task(task), records, source=reader.name,
                                  batch_size=batch_size), output)
