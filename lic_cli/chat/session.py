"""A conversation: its turns as transcript records, the model's replies, and the log.

Records are the transcript format detect reads (docs/records.md). A user turn carries
the stage outputs of the learning step (`intent`, `knowledge`, `routes`, `edits`), each
edit marked with the person's `decision`; an assistant turn carries `model` and
`context` (the dataset rows it was given). Every record is written to the log the
moment it is complete, so an interrupted session loses nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lic_cli.chat.backend import DEFAULT_SYSTEM
from lic_cli.chat.learn import Learned, Learner
from lic_cli.chat.retrieve import Hit, Retriever
from lic_cli.chat.staging import Stage, staged_edit
from lic_cli.jsonl import Reader, dumps

NOTES = "Answer from these notes; they are current and override anything you remember:"
APPLIED_OPS = ("add", "update", "delete")


@dataclass
class ReplyStats:
    first_token_s: float | None
    seconds: float
    tokens: int
    retrieve_s: float = 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


def decide(edit: dict[str, Any], decision: str, after: dict[str, Any] | None = None) -> dict[str, Any]:
    """The edit as logged: accepted / edited ones keep their op; rejected ones become noops,
    so `lic apply -i LOG` rebuilds exactly the patches the session made."""
    out = {**edit, "decision": decision}
    if after is not None:
        out["after"] = after
    if decision == "rejected" and edit.get("op") in APPLIED_OPS:
        out.update(op="noop", proposed=edit["op"])
    return out


class Session:
    def __init__(self, backend, *, conversation: str = "chat", system: str = DEFAULT_SYSTEM, history: int = 12,
                 learner: Learner | None = None, retriever: Retriever | None = None,
                 stage: Stage | None = None) -> None:
        self.backend = backend
        self.conversation = conversation
        self.system = system
        self.history = history  # turns of context given to the model
        self.learner = learner
        self.retriever = retriever
        self.stage = stage
        self.turns: list[dict[str, Any]] = []
        self.sinks: list[IO[str]] = []
        self.next_turn = 1
        self.last_stats: ReplyStats | None = None
        self.last_hits: list[Hit] = []
        self.partial: list[str] = []  # the pieces of the reply being generated

    # --- the transcript ---------------------------------------------------------------

    def resume(self, path: str | Path) -> int:
        """Continue the conversation of a transcript (its last conversation), with the edits it
        left staged staged again; returns its turn count."""
        with open(path, encoding="utf-8") as fh:
            records = list(Reader(fh, str(path)))
        if not records:
            return 0
        self.conversation = str(records[-1]["conversation"])
        self.turns = [r for r in records if str(r.get("conversation")) == self.conversation]
        self.next_turn = max(int(r["turn"]) for r in self.turns) + 1
        if self.stage is not None:
            self.stage.restore(self.turns)
        return len(self.turns)

    def user(self, text: str) -> dict[str, Any]:
        """A new user turn (not yet in the transcript: learning may add to it first)."""
        rec = {"conversation": self.conversation, "turn": self.next_turn, "role": "user", "text": text}
        self.next_turn += 1
        return rec

    def record(self, rec: dict[str, Any]) -> dict[str, Any]:
        """Add a finished turn to the conversation and write it to every log. A user turn also
        carries what /undo unstaged since the last one (`unstaged`), so a resumed session and
        the transcript agree on what is still staged."""
        if rec.get("role") == "user" and self.stage is not None and self.stage.unstaged:
            rec = {**rec, "unstaged": self.stage.unstaged}
            self.stage.unstaged = []
        self.turns.append(rec)
        line = dumps(rec) + "\n"
        for sink in self.sinks:
            sink.write(line)
            sink.flush()
        return rec

    def close(self) -> None:
        """At the end: /undo notes no user turn has carried yet go on a last system turn."""
        if self.stage is not None and self.stage.unstaged:
            notes, self.stage.unstaged = self.stage.unstaged, []
            self.record({"conversation": self.conversation, "turn": self.next_turn, "role": "system",
                         "text": f"unstaged {len(notes)} change(s)", "unstaged": notes})
            self.next_turn += 1

    def dialogue(self) -> list[dict[str, Any]]:
        """The user and assistant turns (what the model and the learning stages read)."""
        return [t for t in self.turns if t.get("role") in ("user", "assistant")]

    # --- learning ---------------------------------------------------------------------

    def detect(self, rec: dict[str, Any]) -> Learned | None:
        return self.learner.detect(self.dialogue(), rec) if self.learner else None

    def locate(self, learned: Learned, label: str | None = None) -> Learned:
        assert self.learner is not None
        return self.learner.locate(self.dialogue(), learned, label=label)

    def stage_edit(self, rec: dict[str, Any], edit: dict[str, Any]) -> None:
        if self.stage is not None and edit.get("op") in APPLIED_OPS:
            self.stage.add(rec["conversation"], rec["turn"], staged_edit(edit))

    # --- replies ----------------------------------------------------------------------

    def retrieve(self, text: str) -> list[Hit]:
        if self.retriever is None:
            return []
        staged = self.stage.staged() if self.stage is not None else []
        return self.retriever.search(text, staged)

    def messages(self, hits: list[Hit]) -> list[dict[str, str]]:
        system = self.system
        if hits and self.retriever is not None:
            system = f"{system}\n{NOTES}\n{self.retriever.context(hits)}"
        msgs = [{"role": "system", "content": system}]
        msgs += [{"role": t["role"], "content": t["text"]} for t in self.dialogue()[-self.history:]]
        return msgs

    def generate_reply(self, emit: Callable[[str], None]) -> str:
        """Generate the reply to the last user turn in this thread, each piece to `emit` as it
        comes; returns the text. KeyboardInterrupt (Ctrl-C) stops it and propagates, with
        `last_stats` and `partial` telling what was said so far; `finish_reply` records it."""
        self.last_hits, self.last_stats, self.partial = [], None, []
        start = time.perf_counter()
        last_user = next((t["text"] for t in reversed(self.turns) if t.get("role") == "user"), "")
        self.last_hits = self.retrieve(last_user)
        retrieve_s = time.perf_counter() - start
        msgs = self.messages(self.last_hits)
        first: float | None = None
        parts = self.partial
        t0 = time.perf_counter()

        def piece(text: str) -> None:
            nonlocal first
            if first is None:
                first = time.perf_counter() - t0
            parts.append(text)
            emit(text)

        try:
            self.backend.generate(msgs, piece, grounded=bool(self.last_hits))
        finally:
            self.last_stats = ReplyStats(first, time.perf_counter() - t0, getattr(self.backend, "last_tokens", 0),
                                         retrieve_s)
        return "".join(parts)

    def finish_reply(self, text: str, *, interrupted: bool = False) -> dict[str, Any]:
        rec: dict[str, Any] = {"conversation": self.conversation, "turn": self.next_turn, "role": "assistant",
                               "text": text.strip(), "model": self.backend.name}
        self.next_turn += 1
        if self.last_hits:
            rec["context"] = [h.to_dict() for h in self.last_hits]
        if interrupted:
            rec["interrupted"] = True
        if not getattr(self.backend, "last_in_scope", True):
            rec["scope"] = "fallback"  # a gated model's fallback answered (lic_cli/train/scope.py)
        return self.record(rec)

    def reply(self) -> dict[str, Any]:
        return self.finish_reply(self.generate_reply(lambda _piece: None))


def run(lines: Iterable[str], *, session: Session, accept: str = "none",
        on_learned: Callable[[Learned], None] | None = None) -> Iterator[dict]:
    """The non-interactive chat: each non-blank line is a user message; yields the user turn
    (with its stage outputs when the session learns) and the reply.

    accept: `all` stages every add / update / delete proposed by a confident turn; `none`
    records the proposals as `pending`. Uncertain turns are never located (no one to ask).
    """
    for line in lines:
        text = line.strip()
        if not text:
            continue
        rec = session.user(text)
        learned = session.detect(rec)
        if learned is not None:
            if learned.teaching and not learned.uncertain:
                learned = session.locate(learned)
            if on_learned is not None:
                on_learned(learned)
            rec = learned.record
            if rec.get("edits"):
                edits = []
                for e in rec["edits"]:
                    if e.get("op") in APPLIED_OPS:
                        e = decide(e, "accepted" if accept == "all" else "pending")
                        if accept == "all":
                            session.stage_edit(rec, e)
                    edits.append(e)
                rec = {**rec, "edits": edits}
        yield session.record(rec)
        yield session.reply()
