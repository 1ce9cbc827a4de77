"""A conversation: its turns as transcript records, the model's replies, and the log.

Records are the transcript format detect reads (docs/records.md). A user turn carries
the stage outputs of the learning step (`intent`, `knowledge`, `routes`, `edits`), each
edit marked with the person's `decision`, and `not_saved` when it taught but nothing of
it was kept; an assistant turn carries `model`, `context` (the dataset rows it was
given), `answered_from` (the rows its text states) and `grounded`. Every record is
written to the log the moment it is complete, so an interrupted session loses nothing.

Grounded answers: when the best retrieved row answers the question with high confidence
(lic_cli/chat/retrieve.py `answering`), a qa row whose answer is a whole sentence is the
reply, said at once with no model (`"grounded": "answer"`); for any other row the model is
given that row alone as its note, told to answer from it, and its reply is checked as `lic eval` judges an answer (lic_cli/models/judge.py): the reply
is shown once it states the row's value (`"grounded": "model"`); a reply that does not
within GIVE_UP characters is dropped and the row answers itself in a short templated
sentence (`"grounded": "row"`). Below that confidence the model answers freely.

Honest feedback: a turn that taught nothing that was kept (`not_saved`) is never given to
the model again as it was said: later prompts carry a note in its place, so the model
cannot repeat from the history what lic did not learn.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lic_cli.chat import taught as taught_rows
from lic_cli.chat.backend import DEFAULT_SYSTEM
from lic_cli.chat.learn import Learned, Learner
from lic_cli.chat.retrieve import Hit, Retriever
from lic_cli.chat.staging import Stage, staged_edit
from lic_cli.jsonl import Reader, dumps
from lic_cli.models.judge import is_correct

NOTES = "Answer from these notes; they are current and override anything you remember:"
ANSWER_NOTE = "The note answers the question: state its answer in one short sentence."
NOT_SAVED_NOTE = ("The user's last message was not saved as knowledge ({why}): do not say that you learned, "
                  "noted or updated anything.")
NOT_SAVED_HISTORY = "(The user said something here that was not saved as knowledge: {why}.)"
APPLIED_OPS = ("add", "update", "delete")
GIVE_UP = 100  # characters of a grounded reply without the row's value before the row answers instead (~2 s)


class _Ungrounded(Exception):
    """Raised out of the backend when a checked reply has gone on too long without the row's value."""


def says_itself(task, hit: Hit) -> bool:
    """A row whose answer is already a reply: a qa answer that is a whole sentence ("You have 14 days
    from the delivery date to start a return."), or a row taught in chat whose teaching turn has a
    sentence stating its value and naming what it is about (LIC_TAUGHT=answer, taught.stating).
    It is said as it is, at once, with no model."""
    return own_answer(task, hit) is not None


def own_answer(task, hit: Hit) -> str | None:
    """The reply a row makes by itself (says_itself), or None."""
    value = hit.value(task).strip()
    if task.format == "qa" and hit.question(task) is not None and len(value.split()) >= 4 \
            and value[:1].isupper() and value.endswith((".", "!", "?")):
        return value
    said = taught_rows.sentence(hit.fields)
    if said and taught_rows.mode() == "answer" and value:
        return taught_rows.stating(said, value, hit.question(task) or "")
    return None


def template(task, hit: Hit) -> str:
    """The row's answer as a short sentence: what the reply says when the model did not."""
    value = hit.value(task).strip()
    question = hit.question(task)
    if task.format == "fact":
        subject, relation = (str(hit.fields.get(task.column(f), "")).strip() for f in task.key_fields[:2])
        return f"{subject} — {relation}: {value.rstrip('.')}."
    if question is None or (len(value.split()) >= 4 and value[:1].isupper()):
        return value if value.endswith((".", "!", "?")) else value + "."
    return f"The answer to “{question}” is {value.rstrip('.')}."


def not_saved_reason(rec: dict[str, Any]) -> str | None:
    """Why a teaching (or maybe-teaching) user turn left nothing kept, or None when it was kept or not teaching."""
    intent = rec.get("intent") or {}
    label = intent.get("label")
    if label not in ("teach", "correct", "forget") and not intent.get("uncertain"):
        return None
    edits = rec.get("edits") or []
    if any(e.get("decision") in ("accepted", "edited") and e.get("op") in APPLIED_OPS for e in edits):
        return None
    if any(e.get("op") == "noop" and "decision" not in e for e in edits):
        return None  # already known: nothing needed saving
    if intent.get("uncertain"):
        return "not sure it was meant to teach"
    if not rec.get("knowledge"):
        return "nothing to learn was found in it (try 'X is Y' or 'the answer to Q is A')"
    if rec.get("proposal") is not None and not edits:
        return "no task takes this knowledge (a tasks.yaml proposal is in the transcript)"
    if any(e.get("decision") == "pending" for e in edits):
        return "the change is pending (--accept none)"
    if any(e.get("decision") == "rejected" for e in edits):
        return "the change was rejected"
    if any(e.get("op") == "conflict" for e in edits):
        return "it is close to an existing row and needs a person"
    return "no change was made"


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
        self.last_answering: Hit | None = None  # the row that answers the last question, if one does
        self.last_grounded: str | None = None  # "model" (the reply states the row's value) or "row"
        self.partial: list[str] = []  # the pieces of the reply being generated
        self.unsaved: Counter[str] = Counter()  # teaching turns nothing of which was kept, by why (a pipe)

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
            self.stage.add(rec["conversation"], rec["turn"], staged_edit(edit), rec.get("text"))

    # --- replies ----------------------------------------------------------------------

    def retrieve(self, text: str) -> list[Hit]:
        if self.retriever is None:
            return []
        staged = self.stage.staged() if self.stage is not None else []
        return self.retriever.search(text, staged)

    def messages(self, hits: list[Hit], answering: Hit | None = None) -> list[dict[str, str]]:
        """The prompt: the system prompt (with the rows as notes), then the recent turns. A
        turn that taught nothing kept is replaced by a note, except the newest, which the
        model answers (told that it was not saved)."""
        system = self.system
        if hits and self.retriever is not None:
            system = f"{system}\n{NOTES}\n{self.retriever.context(hits)}"
            if answering is not None:
                system = f"{system}\n{ANSWER_NOTE}"
        turns = self.dialogue()[-self.history:]
        last = turns[-1] if turns and turns[-1].get("role") == "user" else None
        if last is not None and last.get("not_saved"):
            system = f"{system}\n{NOT_SAVED_NOTE.format(why=last['not_saved'])}"
        msgs = [{"role": "system", "content": system}]
        for t in turns:
            text = t["text"]
            if t.get("not_saved") and t is not last:
                text = NOT_SAVED_HISTORY.format(why=t["not_saved"])
            msgs.append({"role": t["role"], "content": text})
        return msgs

    def generate_reply(self, emit: Callable[[str], None]) -> str:
        """Generate the reply to the last user turn in this thread, each piece to `emit` as it
        comes; returns the text. KeyboardInterrupt (Ctrl-C) stops it and propagates, with
        `last_stats` and `partial` telling what was said so far; `finish_reply` records it.

        With a row that answers the question (`Retriever.answering`), the pieces are held
        back until the reply states the row's value, then shown at once and streamed; a reply
        that never does is replaced by the row's templated answer (`last_grounded` "row")."""
        self.last_hits, self.last_stats, self.partial = [], None, []
        self.last_answering, self.last_grounded = None, None
        start = time.perf_counter()
        last_user = next((t["text"] for t in reversed(self.turns) if t.get("role") == "user"), "")
        self.last_hits = self.retrieve(last_user)
        answering = self.retriever.answering(self.last_hits) if self.retriever is not None else None
        self.last_answering = answering
        retrieve_s = time.perf_counter() - start
        if answering is not None:
            self.last_hits = [answering]  # the row that answers is the one note the model is given
        first: float | None = None
        parts = self.partial
        generated: list[str] = []
        t0 = time.perf_counter()
        own = own_answer(self.retriever.project.task(answering.task), answering) if answering is not None else None
        if own is not None:
            self.last_grounded = "answer"
            parts.append(own)
            emit(parts[0])
            self.last_stats = ReplyStats(time.perf_counter() - t0, time.perf_counter() - t0, 0, retrieve_s)
            return parts[0]
        msgs = self.messages(self.last_hits, answering)
        check = self._check(answering, last_user) if answering is not None else None
        released = check is None

        def show(text: str) -> None:
            nonlocal first
            if first is None:
                first = time.perf_counter() - t0
            parts.append(text)
            emit(text)

        def piece(text: str) -> None:
            nonlocal released
            generated.append(text)
            if released:
                show(text)
                return
            so_far = "".join(generated)
            if check(so_far):
                released = True
                show(so_far)
            elif len(so_far) > GIVE_UP:
                raise _Ungrounded

        try:
            try:
                self.backend.generate(msgs, piece, grounded=bool(self.last_hits))
            except _Ungrounded:
                pass
            if answering is not None:
                if released:
                    self.last_grounded = "model"
                else:
                    self.last_grounded = "row"
                    show(template(self.retriever.project.task(answering.task), answering))
        finally:
            self.last_stats = ReplyStats(first, time.perf_counter() - t0, getattr(self.backend, "last_tokens", 0),
                                         retrieve_s)
        return "".join(parts)

    def _check(self, hit: Hit, question: str) -> Callable[[str], bool]:
        """Does a reply state the row's value? Judged as `lic eval` judges an answer."""
        task = self.retriever.project.task(hit.task)
        value, about = hit.value(task), hit.question(task) or question
        return lambda text: is_correct(value, text, about)

    def answered_from(self, text: str) -> list[Hit]:
        """The rows given whose value the reply states (the templated answer: its row)."""
        if self.retriever is None or not text.strip():
            return []
        if self.last_grounded in ("row", "answer") and self.last_answering is not None:
            return [self.last_answering]
        return [h for h in self.last_hits if self._check(h, "")(text)]

    def finish_reply(self, text: str, *, interrupted: bool = False) -> dict[str, Any]:
        rec: dict[str, Any] = {"conversation": self.conversation, "turn": self.next_turn, "role": "assistant",
                               "text": text.strip(), "model": self.backend.name}
        self.next_turn += 1
        if self.last_hits:
            rec["context"] = [h.to_dict() for h in self.last_hits]
            used = self.answered_from(text)
            if used:
                rec["answered_from"] = [h.ref() for h in used]
        if self.last_grounded and not interrupted:
            rec["grounded"] = self.last_grounded
        if interrupted:
            rec["interrupted"] = True
        if not getattr(self.backend, "last_in_scope", True):
            rec["scope"] = "fallback"  # a gated model's fallback answered (lic_cli/models/scope.py)
        return self.record(rec)

    def not_saved_reply(self, why: str) -> dict[str, Any]:
        """The reply to a teaching turn nothing of which was kept: one honest line, not the model's
        "Thanks, noted!" (which reads as if it had learned)."""
        self.last_hits, self.last_grounded, self.last_stats, self.partial = [], None, None, []
        rec = {"conversation": self.conversation, "turn": self.next_turn, "role": "assistant",
               "text": f"I have not saved that: {why}.", "model": "lic", "not_saved": True}
        self.next_turn += 1
        return self.record(rec)

    def reply(self) -> dict[str, Any]:
        last = next((t for t in reversed(self.turns) if t.get("role") == "user"), {})
        if last.get("not_saved") and taught(last):
            return self.not_saved_reply(last["not_saved"])
        return self.finish_reply(self.generate_reply(lambda _piece: None))


def taught(rec: dict[str, Any]) -> bool:
    """A turn meant to teach (by the detector's confident label, or as the person confirmed)."""
    intent = rec.get("intent") or {}
    return intent.get("label") in ("teach", "correct", "forget") and not intent.get("uncertain")


def run(lines: Iterable[str], *, session: Session, accept: str = "none",
        on_learned: Callable[[Learned], None] | None = None) -> Iterator[dict]:
    """The non-interactive chat: each non-blank line is a user message; yields the user turn
    (with its stage outputs when the session learns) and the reply.

    accept: `all` stages every add / update / delete proposed by a confident turn; `none`
    records the proposals as `pending`. Uncertain turns are never located (no one to ask).
    A turn that taught (or may have) with nothing kept is marked `not_saved` and counted in
    `session.unsaved` (uncertain / skipped).
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
            why = not_saved_reason(rec)
            if why is not None:
                rec = {**rec, "not_saved": why}
                session.unsaved["uncertain" if learned.uncertain else "skipped"] += 1
        yield session.record(rec)
        yield session.reply()
