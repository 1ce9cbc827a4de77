"""Which stored row did the assistant answer from? The first signal for a correction.

In order (the edit's `signal` says which one decided):

1. `answered_from`: the rows the reply stated, recorded by `lic chat` on the assistant turn.
2. `context`: the rows chat gave the model for that reply (older transcripts); the ones
   whose value the reply repeats, else the best-scored one.
3. `replaces` / `previous_answer` (transcripts from elsewhere): the rows whose stored
   *value* states what the correction replaces, or repeats the previous assistant answer.
4. `key`: the user's question against the stored keys (locate's search), the fallback.

locate sees every turn of the transcript, so the assistant turn before a correction is
at hand (records.Context); nothing has to be copied onto the user turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, utils

from lic_cli.locate import spans
from lic_cli.locate.keys import row_key_text, row_value_text
from lic_cli.records import last, previous_exchange
from lic_cli.store.rows import iter_rows
from lic_cli.tasks import Project, Task

REPEATS = 85  # partial_ratio of a stored value inside the previous answer (or vice versa): the reply repeats it
VALUE_MATCH = 80  # a stored value stating the old value and this close to the previous answer is the row


@dataclass
class Prior:
    """The exchange a user turn reacts to."""

    question: str = ""  # the user turn the previous assistant turn answered
    answer: str = ""  # the previous assistant turn
    rows: list[dict[str, Any]] = field(default_factory=list)  # [{"task", "row", ...}]
    signal: str = ""  # "answered_from", "context" or "" (no rows recorded)


def prior(before: list[dict]) -> Prior:
    question, answer = previous_exchange(before)
    turn = last(before, "assistant")
    if turn is None:
        return Prior()
    for key in ("answered_from", "context"):
        rows = turn.get(key)
        if isinstance(rows, list) and rows:
            good = [r for r in rows if isinstance(r, dict) and isinstance(r.get("task"), str) and r.get("row") is not None]
            if good:
                return Prior(question, answer, good, key)
    return Prior(question, answer)


@dataclass
class Target:
    task: Task
    row_id: str
    row: dict[str, Any]
    signal: str
    score: float


def read_row(project: Project, task: Task, row_id: str) -> dict[str, Any] | None:
    for rid, _, row in iter_rows(task, project.dataset_path(task)):
        if rid == str(row_id):
            return row
    return None


def recorded_targets(project: Project, p: Prior) -> list[Target]:
    """The rows chat recorded for the previous answer that still exist (context: only the
    ones the answer repeats, or the best-scored one when it repeats none)."""
    out = []
    for ref in p.rows:
        task = project.tasks.get(ref["task"])
        if task is None or task.format not in ("qa", "fact"):
            continue
        row = read_row(project, task, str(ref["row"]))
        if row is not None:
            out.append(Target(task, str(ref["row"]), row, p.signal, float(ref.get("score", 1.0) or 0.0)))
    if p.signal == "context" and len(out) > 1:
        repeated = [t for t in out if repeats(row_value_text(t.task, t.row), p.answer)]
        out = repeated or [max(out, key=lambda t: t.score)]
    return out


def repeats(value: str, answer: str) -> bool:
    if not value or not answer:
        return False
    return fuzz.partial_ratio(value, answer, processor=utils.default_process) >= REPEATS


def value_targets(project: Project, task: Task, *, answer: str, old: spans.Span | None,
                  question: str, signal: str) -> list[Target]:
    """Rows of `task` whose stored value states the old value and repeats the previous answer
    (transcripts without recorded rows). Best first; ties broken by the key's closeness to
    the question the answer was given to."""
    if not answer:
        return []
    found = []
    for rid, _, row in _rows(project, task):
        value = row_value_text(task, row)
        if old is not None and not spans.contains(value, old):
            continue
        close = fuzz.partial_ratio(value, answer, processor=utils.default_process)
        if close < VALUE_MATCH:
            continue
        key = fuzz.token_set_ratio(row_key_text(task, row), question, processor=utils.default_process) if question else 0
        found.append((close, key, rid, row))
    found.sort(key=lambda f: (-f[0], -f[1]))
    if not found and old is not None:
        return clause_targets(project, task, answer=answer, old=old, signal=signal)
    return [Target(task, rid, row, signal, round(close / 100, 4)) for close, _, rid, row in found[:1]]


CLAUSE_SCORE = 0.8  # the score a row found by its clause carries (evidence only)


def clause_targets(project: Project, task: Task, *, answer: str, old: spans.Span, signal: str) -> list[Target]:
    """Session 11: no row repeats the previous answer (it was worded elsewhere: "Last entry is at
    4 pm; the aquarium closes at 5 pm."), but one row states the replaced value in a clause that
    names what the answer's clause names ("... with last entry at 4 pm." / the fact `last entry`:
    two of its words, and at least half): that row, when it is the only one of the task."""
    said = [s for s in spans.spans(answer, old.kind) if spans.same(s, old)]
    if len(said) != 1:
        return []
    words = spans.content_words(spans.clause(answer, said[0])) - spans.content_words(old.text)
    if not words:
        return []
    found = []
    for rid, _, row in _rows(project, task):
        value = row_value_text(task, row)
        own = [s for s in spans.spans(value, old.kind) if spans.same(s, old)]
        if not own:
            continue
        near = set().union(*(spans.content_words(spans.clause(value, s)) for s in own))
        if task.format == "fact" or not spans.is_sentence(value):
            near |= spans.content_words(row_key_text(task, row))
        shared = words & near
        if len(shared) >= min(2, len(words)) and 2 * len(shared) >= len(words):
            found.append((rid, row))
    if len(found) != 1:
        return []
    rid, row = found[0]
    return [Target(task, rid, row, signal, CLAUSE_SCORE)]


NEWS_SCORE = 0.7  # the score a row found for a correction said as news carries (evidence only)


def news_targets(project: Project, task: Task, *, said: str, new: spans.Span, old: spans.Span | None,
                 key: str = "") -> list[Target]:
    """Session 12: a correction said with no answer before it ("Dematting is $20 a dog now;
    fifteen didn't cover the time it takes", "The Bramley Woods hack only takes 75 minutes these
    days"): the one row of `task` stating a value of the new value's type (the replaced one,
    when the turn names it) whose clause and key share the most words with the turn's sentence
    stating the new value (and the item's key); none on a tie or when no word is shared."""
    words = spans.content_words(f"{spans.stating(said, new.text)} {key}") - spans.content_words(new.text)
    if old is not None:
        words -= spans.content_words(old.text)
    if not words:
        return []
    scored = []
    for rid, _, row in _rows(project, task):
        value = row_value_text(task, row)
        own = [s for s in spans.spans(value, new.kind) if spans.compatible(s, new) and not spans.same(s, new)
               and (old is None or spans.same(s, old) or spans.same_kept(s, old))]
        if not own:
            continue
        near = set().union(*(spans.content_words(spans.clause(value, s)) for s in own))
        near |= spans.content_words(row_key_text(task, row))
        near -= set().union(*(spans.content_words(s.text) for s in own))
        shared = words & near
        if shared:
            scored.append((len(shared), rid, row))
    scored.sort(key=lambda f: -f[0])
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return []
    _, rid, row = scored[0]
    return [Target(task, rid, row, "news", NEWS_SCORE)]


def _rows(project: Project, task: Task) -> Iterator[tuple[str, int, dict[str, Any]]]:
    return iter_rows(task, project.dataset_path(task))
