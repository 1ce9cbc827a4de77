"""qa <-> fact: which row of a task of the other kind holds the same knowledge.

A QA pair and a fact are the same knowledge when the question asks for the fact's subject
and relation ("How much is a cleaning?" ~ "Harbor Dental / cleaning price"). Judged on the
top candidates of locate's search with the item's own key as one text, best first:

* **words**: every content word of the relation is in the question, at least one of the
  subject's own words is (not the name every fact shares, "Harbor Dental"), and so are the
  subject's numbers ("Glide 14" is not "Glide 16"). A QA question must also be mostly about
  the fact: at least QUESTION_SHARE of its own words are the fact's ("can I use the student
  discount in store" asks something else about the "student discount");
* **words and meaning**: at least PARTIAL_SHARE of the relation's words are in the question
  and the keys' cosine is at least PARTIAL_SIM ("canada shipping fee" ~ "How much does
  shipping to Canada cost?");
* **meaning**: else the key embeddings' cosine is at least CROSS_SIM (and the numbers agree).

Router (cross-kind routes) and locate (the row such a route updates) both call `match`,
so a cross route always names the row it will touch. Thresholds: docs/locate.md.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from lic_cli.locate import spans
from lic_cli.locate.keys import item_own_key
from lic_cli.locate.matcher import Candidate, search
from lic_cli.locate.spans import content_words
from lic_cli.tasks import Project, Task

# Chosen on the route eval's dev split (evals/route.jsonl; docs/locate.md).
CROSS_SIM = 0.80  # cosine of the two keys alone that makes them the same knowledge
PARTIAL_SIM = 0.70  # ...with at least PARTIAL_SHARE of the relation's words in the question
PARTIAL_SHARE = 0.5
QUESTION_SHARE = 0.6  # qa→fact by words: this share of the question's own words are the fact's
TOP_K = 5
COMMON = 0.5  # a word in at least this share of a facts task's keys is the shared subject ("Kestrel")
_NUM = re.compile(r"\d+")


_COMMON: dict[str, frozenset[str]] = {}  # per dataset version (index digest): counted once per process


def common_words(project: Project, indexes: dict[str, Any]) -> set[str]:
    """Words in at least half the keys of a facts task (its shared subject), any facts task."""
    out: set[str] = set()
    for name, index in indexes.items():
        task = project.tasks[name]
        if task.format != "fact" or len(index) < 2:
            continue
        out |= _shared_words(name, index)
    return out


def _shared_words(name: str, index) -> frozenset[str]:
    """Words in at least COMMON of one task's keys, counted once per dataset version."""
    tag = f"{name}:{index.digest}"
    if tag not in _COMMON:
        seen: Counter = Counter()
        for key in index.keys:
            seen.update(content_words(key))
        _COMMON[tag] = frozenset(w for w, c in seen.items() if c / len(index) >= COMMON)
    return _COMMON[tag]


def _numbers(text: str) -> set[str]:
    return set(_NUM.findall(text))


def agree(question: str, subject: str, relation: str, common: set[str], sim: float, *, asks: bool) -> str:
    """Why a question asks for this subject and relation, or "" when its words do not say so.
    `asks`: the question is the item's (qa→fact), so it must be mostly about the fact."""
    q = content_words(question) - common
    if not _numbers(subject) <= _numbers(question):
        return ""
    rel = content_words(relation) - common
    subj = content_words(subject) - common
    if not rel or (subj and not subj & q):
        return ""
    named = f" and the subject ({', '.join(sorted(subj & q))})" if subj else ""
    if rel <= q and (not asks or len(q & (rel | subj)) >= QUESTION_SHARE * len(q)):
        return f"the question names the relation ({', '.join(sorted(rel))}){named}"
    if sim >= PARTIAL_SIM and len(rel & q) >= PARTIAL_SHARE * len(rel):
        return f"the question names the relation in part ({', '.join(sorted(rel & q))}){named}, cosine {sim:.2f}"
    return ""


def fact_fields(task: Task, row: dict[str, Any]) -> tuple[str, str]:
    return str(row.get(task.column("subject"), "")), str(row.get(task.column("relation"), ""))


def match(index, task: Task, item: dict[str, Any], common: set[str]) -> tuple[Candidate, str] | None:
    """The row of `task` (the other kind) holding the knowledge of `item`, and why; None when none does."""
    kind = item.get("kind")
    own = item_own_key(item)
    for c in search(index, (own,), k=TOP_K):
        if kind == "qa":
            subject, relation = fact_fields(task, index.row(c.i))
            question = str(item.get("question", ""))
        else:
            subject, relation = str(item.get("subject", "")), str(item.get("relation", ""))
            question = index.keys[c.i]
        why = agree(question, subject, relation, common, c.sim, asks=kind == "qa")
        if why:
            return c, why
        if c.sim >= CROSS_SIM and _numbers(subject) <= _numbers(question):
            return c, f"the keys are close in meaning (cosine {c.sim:.2f})"
    return None


VALUE_SIM = 0.6  # qa→fact by value: the question's cosine to the fact's key at least this (chosen on dev: docs/locate.md)
VALUE_K = 20  # candidates read for the value match
_VALUE_TYPES = ("money", "time", "date", "quantity", "email", "url", "phone")  # bare numbers and names say too little


def states(text: str, value: str) -> bool:
    """`text` states every typed value of `value` (a price, a duration, a time, a date, a
    contact), and `value` has one: "You can request a refund within 14 days of delivery."
    states "14 days from delivery"."""
    typed: list[spans.Span] = []
    for sp in (sp for kind in _VALUE_TYPES for sp in spans.spans(value, kind)):
        if not any(t.start < sp.end and sp.start < t.end for t in typed):  # "$40 a day": the price, not "40 a"
            typed.append(sp)
    return bool(typed) and all(spans.contains(text, sp) for sp in typed)


def by_value(index, task: Task, item: dict[str, Any], common: set[str]) -> tuple[Candidate, str] | None:
    """qa→fact when no word rule agrees: the fact whose object's typed values (a price, a
    duration, a time, a date, a contact) the answer states, every one of them ("You can request
    a refund within 14 days of delivery." ~ "refund window: 14 days from delivery"), whose
    subject's own words the question names, and whose key is not far in meaning (VALUE_SIM)."""
    answer, question = str(item.get("answer", "")), str(item.get("question", ""))
    hits = []
    for c in search(index, (item_own_key(item),), k=VALUE_K):
        if c.sim < VALUE_SIM:
            continue
        subject, _ = fact_fields(task, index.row(c.i))
        own = content_words(subject) - common
        if own and not own & content_words(question):
            continue
        if states(answer, index.value(c.i)):
            hits.append(c)
    if not hits:
        return None
    best = max(hits, key=lambda c: c.sim)
    return best, f"the answer states this fact's value ({index.value(best.i)!r}), cosine {best.sim:.2f}"


def find(project: Project, index, task: Task, item: dict[str, Any], encoder) -> tuple[Candidate, str] | None:
    """`match`, with the shared subject words read from the project's facts tasks."""
    from lic_cli.locate import index as key_index

    facts = {t.name: key_index.load(project, t, encoder) for t in project.tasks.values() if t.format == "fact"}
    common = common_words(project, facts)
    found = match(index, task, item, common)
    if found is None and item.get("kind") == "qa" and task.format == "fact":
        found = by_value(index, task, item, common)
    return found


_NAME = re.compile(r"(?<=\s)[A-Z][\w'-]*")


def _names(target: str) -> set[str]:
    """The names a target carries past its first word ("the lockout message with the Mill Road
    address" -> mill, road), as content words: a fact that holds none of them is not meant."""
    return content_words(" ".join(_NAME.findall(target.strip())))


def named_fact(index, task: Task, target: str, cands: list[Candidate]) -> tuple[Candidate, str] | None:
    """A forget target in words ("the phone number for Fernhill") that names one candidate
    fact: every word of its relation is in the target, and one of its subject's own words when
    it has any (words in half the task's keys are the shared subject, "Fernhill", and need not
    be named). None when no candidate, or more than one, is named."""
    if len(index) < 2:
        return None
    common = _shared_words(task.name, index)
    words = content_words(target)
    hits = []
    for c in cands:
        subject, relation = fact_fields(task, index.row(c.i))
        rel = content_words(relation)
        own = content_words(subject) - common
        if rel and rel <= words and (own & words if own else True) and _numbers(subject) <= _numbers(target) \
                and _names(target) <= content_words(" ".join(str(v) for v in index.row(c.i).values())):
            hits.append((c, rel))
    # "Westfield kiosk address" names both `address` and `Westfield kiosk address`: the relation
    # that holds every other hit's words and more is the one meant
    widest = [h for h in hits if all(o[1] <= h[1] for o in hits)]
    if len(hits) > 1 and len(widest) == 1 and sum(1 for h in hits if h[1] == widest[0][1]) == 1:
        hits = widest
    if not hits and len(words) >= 2:
        # Session 11: a target of two words or more, every one of them in one fact's relation
        # ("the shuttle number" for `airport shuttle number`): that fact, when it is the only one
        part = [(c, content_words(fact_fields(task, index.row(c.i))[1])) for c in cands]
        part = [(c, rel) for c, rel in part if words <= rel]
        if len(part) == 1:
            c, rel = part[0]
            return c, f"every word of the forget target is in this fact's relation ({', '.join(sorted(rel))})"
    if len(hits) != 1:
        return None
    c, rel = hits[0]
    return c, f"the forget target names this fact's relation ({', '.join(sorted(rel))}) and subject"
