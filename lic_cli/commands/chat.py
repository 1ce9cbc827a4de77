"""lic chat: talk with the assistant, teach it, and log every turn as a JSONL transcript."""

from __future__ import annotations

import click

from lic_cli.commands._errors import cli_errors
from lic_cli.commands._options import project_option


@click.command("chat")
@click.option("--model", "model_spec", default=None, envvar="LIC_CHAT_MODEL",
              help="Model alias, local Hugging Face causal-LM folder, or a task with a trained chat model (with "
                   "--endpoint: the server's model name) [default: the newest trained chat model, else smollm2]. "
                   "/model switches it in the console.")
@click.option("--endpoint", metavar="URL", envvar="LIC_CHAT_ENDPOINT",
              help="An OpenAI-compatible server (ollama, vLLM, llama.cpp) instead of a local model.")
@click.option("--system", default=None, help="System prompt.")
@click.option("--conversation", default="chat", show_default=True, help="Conversation id for the transcript.")
@click.option("--max-new-tokens", type=click.IntRange(1, 4096), default=128, show_default=True)
@click.option("--learn/--no-learn", default=None,
              help="Run detect, extract, route and locate on every user turn [default: on in the console, "
                   "off in a pipe].")
@click.option("--accept", type=click.Choice(["none", "all"]), default="none", show_default=True,
              help="In a pipe with --learn: stage every confident proposal (all) or only record it (none).")
@click.option("--apply", "apply_", is_flag=True, help="In a pipe: apply the staged changes at the end, like /apply.")
@click.option("--knowledge/--no-knowledge", default=True, show_default=True,
              help="Give the model the nearest dataset rows (live knowledge).")
@click.option("--retrieval-threshold", "retrieval_threshold", type=click.FloatRange(0, 1), default=None,
              help="Live knowledge: least score (meaning + domain + question form) of a row given to the model "
                   "[default: the learned retriever's calibrated threshold; 0.563 on the base model].")
@click.option("--threshold", "retrieval_threshold", type=click.FloatRange(0, 1), default=None, hidden=True,
              help="Old name of --retrieval-threshold.")
@click.option("--intent-threshold", type=click.FloatRange(0, 1), default=None,
              help="Learning: a turn whose intent score is below this is uncertain (the console asks; a pipe "
                   "learns nothing from it) [default: the detector's calibrated threshold].")
@click.option("--log", "log_file", type=click.Path(dir_okay=False), default=None,
              help="Append every turn to this JSONL transcript as it happens.")
@click.option("--resume", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Continue the conversation in this transcript, with what it left staged (and append to it "
                   "unless --log is given).")
@click.option("--author", envvar="LIC_AUTHOR", help="Who applies the changes (default: git user.name, else $USER).")
@click.option("-i", "--input", "input_", type=click.File("r", encoding="utf-8"), default="-",
              help="User lines to send, one per line (default: stdin; a terminal opens the console).")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", lazy=True), default="-",
              help="Transcript JSONL (default: stdout, unless it is a terminal).")
@project_option
@cli_errors
def command(model_spec, endpoint, system, conversation, max_new_tokens, learn, accept, apply_, knowledge,
            retrieval_threshold, intent_threshold, log_file, resume, author, input_, output, project_dir):
    """Chat with the model; teach it, see each change, apply it, and get the new answer at once.

    On a terminal this opens the console (/help lists its commands). Otherwise each
    input line is a user message and both sides of the conversation are written as
    JSONL, ready for `lic detect`.

    \b
    Examples:
      lic chat --log session.jsonl
      printf 'How long is the refund window?\\nNo, it is 30 days.\\n' | lic chat > chat.jsonl
      printf '...' | lic chat --learn --accept all --apply --endpoint http://localhost:11434
    """
    from lic_cli.chat.run import main

    main(model=model_spec, endpoint=endpoint, system=system, conversation=conversation,
         max_new_tokens=max_new_tokens, learn=learn, accept=accept, apply=apply_, knowledge=knowledge,
         threshold=retrieval_threshold, intent_threshold=intent_threshold, log_file=log_file, resume=resume, author=author, input_=input_, output=output,
         project_dir=project_dir, notify=lambda m: click.echo(m, err=True))
