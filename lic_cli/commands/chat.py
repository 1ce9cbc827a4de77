"""lic chat: talk with the assistant; every turn is logged as a JSONL transcript."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors


@click.command("chat")
@click.option("--model", "model_spec", default="smollm2", show_default=True, envvar="LIC_CHAT_MODEL",
              help="Model alias or local Hugging Face causal-LM folder.")
@click.option("--system", default=None, help="System prompt.")
@click.option("--conversation", default="chat", show_default=True, help="Conversation id for the transcript.")
@click.option("--max-new-tokens", type=click.IntRange(1, 4096), default=128, show_default=True)
@click.option("-i", "--input", "input_", type=click.File("r", encoding="utf-8"), default="-",
              help="User lines to send, one per line (default: stdin).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Transcript JSONL (default: stdout).")
@cli_errors
def command(model_spec, system, conversation, max_new_tokens, input_, output):
    """Chat with the model and write the transcript as JSONL turns.

    Reads one user message per line and writes both sides of the conversation,
    ready for `lic detect`.

    \b
    Example:
      printf 'How long is the refund window?\\nNo, it is 30 days.\\n' | lic chat > chat.jsonl
    """
    from lic_cli.chat import session as chat_session
    from lic_cli.chat.backend import DEFAULT_SYSTEM, LocalLM
    from lic_cli.jsonl import write_records

    backend = LocalLM(model_spec, max_new_tokens=max_new_tokens)
    if input_.isatty():
        click.echo(f"Chatting with {backend.name}: type a message per line, Ctrl-D to end.", err=True)
    sess = chat_session.Session(backend, conversation=conversation, system=system or DEFAULT_SYSTEM)
    write_records(chat_session.run(input_, session=sess), output)
