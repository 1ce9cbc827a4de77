"""Which row a forget target names, when its words are not the row's key.

A forget target is often not a key ("Remove the ticket 'hello world'" is, "the answer about
the cafe", "the example with my card number (4471 0923)" and "Take that answer out" are
not). One function, `named_row`, is read by route (does this task hold the target?) and by
locate (which row goes), so a forget always deletes the row its route was found for:

* **text**: a label task's example that is the quoted text (ratio >= SAME_TEXT), else the one
  example that holds the quoted text as whole words ("4471 0923");
* **value**: a row whose stored value is the target itself (the target is the assistant's
  answer the user points at with "that": "Please delete that.");
* **fact**: the one fact whose relation (and subject's own words) the target names
  ("the fax number": locate/cross.named_fact);
* **question**: the one QA row whose question holds every content word of the target
  ("the answer about second-hand bikes", "the wifi question").

Each is taken only when exactly one row qualifies; otherwise the key search decides.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process, utils

from lic_cli.locate import cross
from lic_cli.locate.matcher import Candidate
from lic_cli.locate.spans import content_words, stem
from lic_cli.tasks import Task

SAME_TEXT = 95  # label tasks: ratio at or above which two texts are the same example
SAME_VALUE = 90  # a target this close (ratio) to a row's whole value is that value
# Words that say which kind of record is meant, not what it is about.
_RECORD = {"answer", "question", "entry", "row", "record", "fact", "info", "information", "detail", "faq", "bit",
           "line", "reply", "one", "thing", "stuff", "knowledge", "example", "ticket", "message", "you", "have"}
_RECORD_STEMS = frozenset(stem(w) for w in _RECORD)  # as content_words writes them


def exact_text(index, text: str) -> int | None:
    """The row whose key is this text (after normalization, or a near-verbatim copy)."""
    want = utils.default_process(text)
    if not want:
        return None
    hit = process.extractOne(want, index.keys, scorer=fuzz.ratio, processor=utils.default_process,
                             score_cutoff=SAME_TEXT)
    return hit[2] if hit else None


def _one(hits: list[int]) -> int | None:
    return hits[0] if len(hits) == 1 else None


def holding_text(index, text: str) -> int | None:
    """The one row whose key holds `text` as whole words (case and punctuation aside)."""
    want = utils.default_process(text)
    if len(want) < 4:
        return None
    pat = re.compile(rf"(?:^|\s){re.escape(want)}(?:\s|$)")
    return _one([i for i in range(len(index)) if pat.search(utils.default_process(index.keys[i]))])


def stated_value(index, target: str) -> int | None:
    """The one row whose stored value is the target (the answer the user points at)."""
    want = utils.default_process(target)
    if len(want.split()) < 3:
        return None
    return _one([i for i in range(len(index))
                 if fuzz.ratio(want, utils.default_process(index.value(i))) >= SAME_VALUE])


def named_question(index, target: str) -> int | None:
    """The one row whose question holds every content word of the target (record words such
    as "answer" or "question" aside)."""
    words = {w for w in content_words(target) if w not in _RECORD_STEMS}
    if not words:
        return None
    return _one([i for i in range(len(index)) if words <= content_words(index.keys[i])])


def named_row(index, task: Task, target: str, quoted: bool, cands: list[Candidate]) -> tuple[int, str, str] | None:
    """(row position, signal, why) of the row the forget target names, or None."""
    if task.format == "label":
        i = exact_text(index, target)
        if i is not None:
            return i, "text", "the row with exactly this text"
        i = holding_text(index, target) if quoted or any(ch.isdigit() for ch in target) else None
        if i is not None:
            return i, "text", "the one example holding the quoted text"
        return None
    if task.format not in ("qa", "fact"):
        return None
    i = stated_value(index, target)
    if i is not None:
        return i, "previous_answer", "the row whose value is the answer the forget points at"
    if quoted:
        return None
    if task.format == "fact":
        named = cross.named_fact(index, task, target, cands)
        return (named[0].i, "key", named[1]) if named else None
    i = named_question(index, target)
    if i is not None:
        return i, "key", "the one question that holds every word of the forget target"
    return None
