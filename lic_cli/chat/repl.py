"""The interactive console: a teacher talks, sees what the system would learn, and decides.

Human output goes to stderr through rich; the transcript goes to the `--log` file (and
to stdout when stdout is not a terminal), one record the moment it is complete.
Ctrl-C stops a reply (or a question), never the session; Ctrl-D or /quit ends it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

from lic_cli.chat.learn import Learned
from lic_cli.chat.related import related_edits
from lic_cli.chat.session import Session, decide, not_saved_reason, taught
from lic_cli.errors import LicError

HELP = """\
Talk as you would to a colleague; teach, correct or ask to forget in plain words.
When a turn teaches, the proposed change is shown: [a]ccept, [e]dit or [r]eject it.
  /patch   show the staged changes as patches
  /apply   write the patches; apply those of tasks without review (others wait for review)
  /undo    unstage the last accepted change (or, if none is staged, revert the last applied patch)
  /log     the latest dataset versions
  /model   which model answers, and the live-knowledge settings
  /model NAME|PATH|URL [SERVER-MODEL]   switch: an alias (smollm2), a local Hugging Face
           folder, a task with a trained chat model, or an OpenAI-compatible server
  /help    this text        /quit (or Ctrl-D)  leave
Ctrl-C stops a reply."""


class Repl:
    def __init__(self, session: Session, *, model_note: str = "", console=None,
                 read: Callable[[str], str] | None = None) -> None:
        from rich.console import Console

        self.s = session
        self.model_note = model_note
        self.console = console or Console(stderr=True, highlight=False, soft_wrap=True)
        self.read = read or _read_line

    # --- small helpers ------------------------------------------------------------------

    def say(self, text: str, style: str = "") -> None:
        from rich.text import Text

        self.console.print(Text(text, style=style))

    def ask(self, prompt: str, default: str = "") -> str:
        try:
            answer = self.read(prompt).strip()
        except KeyboardInterrupt:
            self.say("")
            return default
        return answer or default

    def choose(self, prompt: str, options: str, default: str) -> str:
        while True:
            answer = self.ask(prompt, default).lower()[:1]
            if answer in options:
                return answer
            self.say(f"please answer one of: {', '.join(options)}", "yellow")

    # --- the loop -----------------------------------------------------------------------

    def banner(self) -> None:
        note = f" ({self.model_note})" if self.model_note else ""
        self.say(f"lic chat · model {self.s.backend.name}{note}", "bold")
        learning = "learning on" if self.s.learner else "learning off"
        knowledge = f"live knowledge from {', '.join(t.name for t in self.s.retriever.tasks)}" \
            if self.s.retriever else "live knowledge off"
        self.say(f"{learning} · {knowledge} · /help for commands, Ctrl-D to leave", "dim")

    def run(self) -> None:
        self.banner()
        while True:
            try:
                line = self.read("you> ")
            except KeyboardInterrupt:
                self.say("\n(Ctrl-D or /quit to leave)", "dim")
                continue
            except EOFError:
                self.say("")
                break
            text = line.strip()
            if not text:
                continue
            if text.startswith("/"):
                try:
                    if self.command(text) == "quit":
                        break
                except LicError as exc:
                    self.say(f"error: {exc}", "red")
                except KeyboardInterrupt:
                    self.say("\n[interrupted]", "yellow")
                continue
            self.turn(text)
        self.goodbye()

    def goodbye(self) -> None:
        stage = self.s.stage
        if stage is not None and stage.edits:
            self.say(f"{len(stage.edits)} accepted change(s) were not applied; they are in the transcript "
                     "(lic apply -i TRANSCRIPT writes them as patches)", "yellow")
        self.say("bye", "dim")

    # --- one turn -----------------------------------------------------------------------

    def turn(self, text: str) -> None:
        rec = self.s.user(text)
        learned = None
        try:
            learned = self.s.detect(rec)
            if learned is not None:
                rec = self.learn(learned)
                why = not_saved_reason(rec)
                if why is not None:
                    rec = {**rec, "not_saved": why}
        except KeyboardInterrupt:  # Ctrl-C while learning: keep the turn, learn nothing from it
            if self.s.stage is not None:
                self.s.stage.edits = [e for e in self.s.stage.edits
                                      if (e.conversation, e.turn) != (rec["conversation"], rec["turn"])]
            rec = {k: rec[k] for k in ("conversation", "turn", "role", "text")}
            self.say("\n[learning skipped]", "yellow")
            if learned is not None and (learned.teaching or learned.uncertain):
                rec["not_saved"] = "learning was skipped (Ctrl-C)"
            learned = None
        with sigint_deferred():
            self.s.record(rec)
        if rec.get("not_saved") and taught(rec):
            with sigint_deferred():  # one honest line instead of a reply that sounds as if it had learned
                reply = self.s.not_saved_reply(rec["not_saved"])
            self.say(f"assistant> {reply['text']}", "yellow")
            return
        self.answer(learned)

    def learn(self, learned: Learned) -> dict[str, Any]:
        label = None
        if learned.uncertain:
            verb = learned.intent.get("label")
            if self.choose(f"Was that meant to teach? (detect: {verb}, {learned.intent.get('score')}) [y/N] ",
                           "yn", "n") == "n":
                self.say("  not saved (not meant to teach)", "dim")
                rec = dict(learned.record)
                rec["intent"] = {**rec["intent"], "label": "none", "confirmed": True}
                rec["intent"].pop("uncertain", None)
                return rec
            label = verb if learned.teaching else learned.best_teaching_label()
        elif not learned.teaching:
            return learned.record
        try:
            learned = self.s.locate(learned, label)
        except LicError as exc:
            self.say(f"could not learn from that: {exc}", "red")
            return learned.record
        return self.review(learned)

    def review(self, learned: Learned) -> dict[str, Any]:
        rec = learned.record
        ms = sum(learned.seconds.values()) * 1000
        if not rec.get("knowledge") or (rec.get("proposal") and not rec.get("edits")):
            return rec  # nothing to decide: the reply says, in one line, that it was not saved
        decided = []
        for edit in rec.get("edits") or []:
            decided.extend(self.decide_edit(rec, edit))
        self.say(f"(learning took {ms:.0f} ms)", "dim")
        return {**rec, "edits": decided}

    def decide_edit(self, rec: dict[str, Any], edit: dict[str, Any]) -> list[dict[str, Any]]:
        project = self.s.learner.project if self.s.learner else None
        task = project.task(edit["task"]) if project else None
        op = edit.get("op")
        if op == "noop":
            self.say(f"Already known in {edit['task']}: {edit.get('reason', '')}", "dim")
            if edit.get("before"):
                self.show_row(edit["before"], "dim")
            return [edit]
        review = " · review required" if task is not None and task.review == "required" else ""
        self.say(f"Proposed change: {edit['task']} · {op} · row {edit.get('row') or '(new)'} · "
                 f"score {edit.get('score')}{review}", "bold cyan")
        proposal = dict(edit)
        if op == "conflict":
            self.say(f"  close to an existing row but not a sure match ({edit.get('reason', '')})", "yellow")
            if edit.get("after") is None:  # a forget target: delete that row
                proposal.update(op="delete")
            else:
                proposal.update(op="update", after={**edit["before"], **{c: v for c, v in edit["after"].items()
                                                                         if task is None or c not in task.key}})
        self.show_change(proposal)
        self.show_evidence(edit)
        options, hint = ("aer", "[a]ccept / [e]dit / [r]eject") if proposal["op"] != "delete" \
            else ("ar", "[a]ccept / [r]eject")
        if op == "conflict" and proposal["op"] == "update":
            options, hint = options + "n", hint + " / [n]ew row instead"
        answer = self.choose(f"{hint}? ", options, "r")
        if answer == "r":
            self.say("  rejected", "dim")
            return [decide(edit, "rejected")]
        if answer == "n":
            after = {**edit["after"], **({task.split_column: task.default_split} if task else {})}
            proposal = {**proposal, "op": "add", "row": None, "before": None, "after": after}
        decision = "accepted"
        if answer == "e" and task is not None:
            proposal = {**proposal, "after": self.edit_row(task, proposal)}
            decision = "edited"
        final = decide({**proposal, "proposed": op} if proposal["op"] != op else proposal, decision)
        self.s.stage_edit(rec, final)
        self.say(f"  staged ({len(self.s.stage.edits) if self.s.stage else 0} change(s) waiting for /apply)",
                 "green")
        return [final, *self.offer_related(rec, final)]

    def offer_related(self, rec: dict[str, Any], edit: dict[str, Any]) -> list[dict[str, Any]]:
        learner, retriever = self.s.learner, self.s.retriever
        if learner is None or edit.get("op") != "update":
            return []
        tasks = retriever.tasks if retriever else [learner.project.task(edit["task"])]
        staged = {(e["task"], e.get("row")) for e in (self.s.stage.staged() if self.s.stage else [])}
        related, phrase = related_edits(learner.project, edit, encoder=learner.encoder, tasks=tasks, skip=staged)
        if not related:
            return []
        self.say(f"{len(related)} related row(s) still say '{phrase}':", "bold")
        for n, e in enumerate(related, 1):
            task = learner.project.task(e["task"])
            cols = [task.column(f) for f in task.value_fields]
            key = " ".join(str(e["before"].get(task.column(f), "")) for f in task.key_fields)
            self.say(f"  {n}. [{e['task']}] {key}", "")
            for c in cols:
                if e["before"].get(c) != e["after"].get(c):
                    self.say(f"       {e['before'][c]}  →  {e['after'][c]}", "")
        answer = self.ask("Update them too? [a]ll / [n]one / numbers (e.g. 1 3) ", "n").lower()
        picked = set(range(1, len(related) + 1)) if answer.startswith("a") else \
            {int(x) for x in answer.replace(",", " ").split() if x.isdigit()}
        out = []
        for n, e in enumerate(related, 1):
            if n in picked:
                e = decide(e, "accepted")
                self.s.stage_edit(rec, e)
            else:
                e = decide(e, "rejected")
            out.append(e)
        if picked:
            self.say(f"  staged {len(picked & set(range(1, len(related) + 1)))} related change(s)", "green")
        return out

    def edit_row(self, task, edit: dict[str, Any]) -> dict[str, Any]:
        after = dict(edit["after"])
        fields = task.value_fields if edit["op"] == "update" else task.key_fields + task.value_fields
        for f in fields:
            col = task.column(f)
            after[col] = self.ask(f"  {col} [{after.get(col, '')}]: ", str(after.get(col, "")))
        return after

    def show_row(self, row: dict[str, Any], style: str = "") -> None:
        for col, val in row.items():
            self.say(f"    {col}: {val}", style)

    def show_change(self, edit: dict[str, Any]) -> None:
        before, after = edit.get("before") or {}, edit.get("after") or {}
        if edit["op"] == "add":
            for col, val in after.items():
                self.say(f"  + {col}: {val}", "green")
        elif edit["op"] == "delete":
            for col, val in before.items():
                self.say(f"  - {col}: {val}", "red")
        else:
            for col in list(before) + [c for c in after if c not in before]:
                if before.get(col) == after.get(col):
                    self.say(f"    {col}: {before.get(col)}", "dim")
                else:
                    self.say(f"  ~ {col}: {before.get(col)}  →  {after.get(col)}", "yellow")

    def show_evidence(self, edit: dict[str, Any]) -> None:
        cands = edit.get("candidates") or []
        if cands:
            self.say("  evidence (nearest rows):", "dim")
        for c in cands[:2]:
            self.say(f"    {c.get('score')}  {c.get('key')} → {c.get('value')}", "dim")

    # --- the reply ----------------------------------------------------------------------

    def answer(self, learned: Learned | None) -> None:
        """Stream the reply here, in the main thread (as fast as plain `generate`): Ctrl-C
        raises KeyboardInterrupt out of the model at the next token, and the part already
        said is logged with `"interrupted": true`."""
        out = self.console.file
        interrupted = False

        def write(piece: str) -> None:
            out.write(piece)
            out.flush()

        try:
            write("assistant> ")
            self.s.generate_reply(write)
        except KeyboardInterrupt:
            interrupted = True
        except LicError as exc:
            out.write("\n")
            self.say(f"error: {exc}", "red")
            interrupted = True
        with sigint_deferred():  # the reply is over: a late Ctrl-C must not lose its record
            out.write("\n")
            if interrupted:
                self.say("[stopped]", "yellow")
            self.s.finish_reply("".join(self.s.partial), interrupted=interrupted)
        self.status(learned)

    def status(self, learned: Learned | None) -> None:
        if self.s.last_hits:
            used = "; ".join(f"{h.task} {h.row} v{h.version}{' (staged)' if h.staged else ''} {h.score:.2f}"
                             for h in self.s.last_hits)
            self.say(f"  used rows: {used}", "dim")
            rec = self.s.turns[-1] if self.s.turns and self.s.turns[-1].get("role") == "assistant" else {}
            stated = rec.get("answered_from") or []
            if rec.get("grounded") == "row":
                self.say(f"  answered from row {stated[0]['task']} {stated[0]['row']} (the model's reply did not "
                         "state its value)", "cyan")
            elif rec.get("grounded") == "answer":
                self.say(f"  answered with row {stated[0]['task']} {stated[0]['row']}'s own answer", "cyan")
            elif stated:
                self.say("  the reply states " + "; ".join(f"{r['task']} {r['row']}" for r in stated), "dim")
        st = self.s.last_stats
        bits = [self.s.backend.name]
        if st is not None and st.first_token_s is not None:
            bits.append(f"first token {st.first_token_s:.2f} s · {st.tokens_per_s:.1f} tok/s")
        if learned is not None:
            bits.append(f"learning {sum(learned.seconds.values()) * 1000:.0f} ms")
        if st is not None and self.s.retriever is not None:
            bits.append(f"retrieval {st.retrieve_s * 1000:.0f} ms")
        self.say("  " + " · ".join(bits), "dim")

    # --- slash commands -------------------------------------------------------------------

    def command(self, text: str) -> str | None:
        name = text.split()[0].lower()
        if name in ("/quit", "/exit", "/q"):
            return "quit"
        if name == "/help":
            self.say(HELP)
        elif name == "/patch":
            self.show_patches()
        elif name == "/apply":
            self.apply()
        elif name == "/undo":
            self.say(self.s.stage.undo() if self.s.stage else "nothing to undo (no project)")
        elif name == "/log":
            self.show_log()
        elif name == "/model":
            args = text.split()[1:]
            if len(args) > 2:
                self.say("usage: /model [NAME|PATH|URL [SERVER-MODEL]]", "yellow")
            elif args:
                self.switch_model(*args)
            else:
                self.show_model()
        else:
            self.say(f"unknown command {name}; /help lists them", "yellow")
        return None

    def show_patches(self) -> None:
        from rich.text import Text

        from lic_cli.patches import render

        stage = self.s.stage
        patches = stage.patches() if stage else []
        if not patches:
            self.say("nothing staged")
            return
        for patch in patches:
            for style, line in render.lines(patch):
                self.console.print(Text(line, style=style or ""))
            if stage.project.task(patch.task).review == "required":
                self.say(f"({patch.task} requires review: /apply writes this patch for review, it is not applied)",
                         "yellow")

    def apply(self) -> None:
        stage = self.s.stage
        if stage is None or not stage.edits:
            self.say("nothing staged")
            return
        stage.notify = lambda msg: self.say(msg, "green")
        for r in stage.apply():
            if r["applied"]:
                self.say(f"{r['task']} is now version {r['version']}; answers use it from now on", "bold green")
            else:
                self.say(f"{r['patch']} waits for review", "yellow")

    def show_log(self) -> None:
        from lic_cli.patches.run import log_records

        stage = self.s.stage
        if stage is None:
            self.say("no project")
            return
        shown = False
        for task in sorted(stage.project.tasks):
            versions = list(log_records(stage.project, task))
            for v in versions[-3:]:
                shown = True
                self.say(f"{v['task']} v{v['version']}  {v['hash'][7:19]}  {v['rows']} rows  "
                         f"{v['patch'] or '-'}  {v['message']}")
        if not shown:
            self.say("no dataset versions recorded yet")

    def switch_model(self, spec: str, server_model: str | None = None) -> None:
        """Load the named model and let it answer from the next turn; on a bad name the old
        one stays (the error is one line)."""
        from lic_cli.chat.start import open_backend

        self.say(f"loading {spec}...", "dim")
        backend, note = open_backend(spec, project=_project(self.s), server_model=server_model, check=True,
                                     max_new_tokens=getattr(self.s.backend, "max_new_tokens", 128))
        self.s.backend, self.model_note = backend, note
        self.say(f"model {backend.name} ({note}) answers from now on", "bold")

    def show_model(self) -> None:
        b = self.s.backend
        self.say(f"model: {b.name}" + (f" ({self.model_note})" if self.model_note else ""))
        self.say(f"max new tokens: {getattr(b, 'max_new_tokens', '?')}")
        if self.s.retriever is not None:
            r = self.s.retriever
            self.say(f"live knowledge: top {r.top_k} rows scoring ≥ {r.threshold} "
                     f"({_scorer(r)}) from "
                     f"{', '.join(t.name for t in r.tasks)}; a row scoring ≥ {r.ground} answers (checked)")


def _scorer(r) -> str:
    if getattr(r, "cross", None) is not None:
        return f"base model's best {r.cross.k}, re-ranked by the cross-encoder"
    return "learned ranker" if r.ranker is not None else "base model"


@contextlib.contextmanager
def sigint_deferred() -> Iterator[None]:
    """Ignore Ctrl-C while a transcript record is written, so a record is never half done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _project(session: Session):
    return next((part.project for part in (session.stage, session.learner, session.retriever) if part is not None),
                None)


def _read_line(prompt: str) -> str:
    """input() with readline when both ends are a terminal; the prompt never goes to a piped stdout."""
    if sys.stdout.isatty():
        return input(prompt)
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


def setup_history(path) -> Callable[[], None]:
    """Load the readline history; returns the function that saves it."""
    try:
        import readline
    except ImportError:  # no readline on this platform: plain input()
        return lambda: None
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)

    return save
