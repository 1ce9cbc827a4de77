"""What `lic chat` does, without click: the console on a terminal, a JSONL pipe otherwise."""

from __future__ import annotations

import contextlib
import sys
from typing import IO

from lic_cli.chat import session as chat_session
from lic_cli.chat.staging import Notify
from lic_cli.chat.start import Options, start
from lic_cli.errors import InputError
from lic_cli.jsonl import write_records
from lic_cli.safeload import text_lines


def main(*, model: str | None, endpoint: str | None, system: str | None, conversation: str,
         max_new_tokens: int, learn: bool | None, accept: str, apply: bool, knowledge: bool,
         threshold: float | None, log_file: str | None, intent_threshold: float | None = None, resume: str | None, author: str | None,
         input_: IO[str], output: IO[str], project_dir: str | None, notify: Notify) -> None:
    interactive = getattr(input_, "name", "") == "<stdin>" and sys.stdin.isatty()
    if not interactive and not learn and (accept != "none" or apply):
        raise InputError("--accept all and --apply decide on what --learn proposes: add --learn", field="learn")
    opts = Options(model=model, endpoint=endpoint, system=system, conversation=conversation,
                   max_new_tokens=max_new_tokens, project_dir=project_dir,
                   learn=interactive if learn is None else learn, knowledge=knowledge,
                   threshold=threshold, intent_threshold=intent_threshold,
                   author=author)
    if interactive:
        notify("lic chat: loading models...")
    sess, note = start(opts, notify=notify)
    if resume:
        n = sess.resume(resume)
        staged = f", {len(sess.stage.edits)} staged change(s)" if sess.stage is not None and sess.stage.edits else ""
        notify(f"resumed conversation '{sess.conversation}' ({n} turns{staged}) from {resume}")
    log_path = log_file or resume
    with contextlib.ExitStack() as stack:
        if log_path:
            sess.sinks.append(stack.enter_context(open(log_path, "a", encoding="utf-8")))
        stack.callback(sess.close)  # runs before the log is closed
        if interactive:
            _console(sess, note, output)
            return
        # UTF-8 lines of bounded length (binary or UTF-16 input: one clear error), lic_cli/safeload.py
        records = chat_session.run(text_lines(input_), session=sess, accept=accept)
        write_records(records, output)
        if apply and sess.stage is not None:
            sess.stage.apply()
        elif sess.stage is not None and sess.stage.edits:
            notify(f"{len(sess.stage.edits)} accepted change(s) not applied (add --apply, or "
                   "lic apply -i TRANSCRIPT)")


def _console(sess: chat_session.Session, note: str, output: IO[str]) -> None:
    from lic_cli.chat.repl import Repl, setup_history
    from lic_cli.models import lic_home

    to_stdout = getattr(output, "name", "") in ("-", "<stdout>")
    if not (to_stdout and sys.stdout.isatty()):
        sess.sinks.append(output)  # the transcript, when stdout is a pipe or -o names a file
    save_history = setup_history(lic_home() / "chat_history")
    try:
        Repl(sess, model_note=note).run()
    finally:
        save_history()
