"""A fact item's key read against the facts task's own keys.

An extractor often puts part of the relation into the subject: "Gullrock Ferries' bookings
email" / "email address", "BoxSafe's after-hours emergency" / "number", "the late payment
fee" / "price", "the online" / "fee". The task's rows say it one way: subject "Gullrock
Ferries", relation "bookings email". `refit` rewrites the item's subject and relation in the
task's own words, in two cases only:

* **the subject starts with a stored subject** (its words, the last one possibly possessive:
  "Gullrock Ferries' ...", or a stored subject's first, distinctive word: "BoxSafe's ..."):
  the subject is the stored one, the relation what follows it (with the item's relation
  after that when it adds new words: "after-hours emergency number", but "bookings email",
  not "bookings email email address");
* **the subject is no stored subject and the task's rows share one subject** (half of them
  or more): the subject's own words (determiners aside), alone or followed by the item's
  relation, are the relation of exactly one stored row of that subject (every word of the
  candidate among the row's relation words, or the reverse): that row's key ("the late
  payment fee" / "price" is "Millrace Water" / "late payment fee"; "Check-out" / "closing
  time" is "Otterbrook Campsite" / "check-out time"). A row whose relation the candidate only
  holds needs the subject's own words in it: "the workroom" / "phone number" is not the row
  "phone" (session 13);
* **the subject is no stored subject, names no row, and every row (SOLE of them) has one
  subject** (session 13): the task is about that one subject, so the new fact is too; what the
  extractor took for a subject names the relation ("Instagram" / "handle" is "Fernhill Garden
  Centre" / "Instagram handle"; "the night watchman" / "phone number" is "... / night watchman
  phone number"). A relation word naming another type than the value's ("location" or "name" for
  a phone number, "location" for a person) is dropped, and a contact value's type named in its
  place ("the Eastgate" / "location" / 555-0930 is "Eastgate phone"). A subject of determiners
  only ("the") says nothing and is left as it is.

Anything else is left as the extractor wrote it (a new fact about another subject stays one in
a task of several subjects: the demo's facts have no subject on half their rows).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from lic_cli.locate.spans import content_words, core
from lic_cli.tasks import Task

MAX_ROWS = 5000  # larger facts tasks: no refit (their keys are read whole)
DOMINANT = 0.5  # a subject on at least this share of the rows is the task's own subject
SOLE = 0.9  # ...and on this share, the subject of every fact the task stores (a new one included)
# Relation words that only name a value's type, and the types they name ("location" of a phone
# number is an extractor's guess, not what the number is for).
TYPE_WORDS = {"location": {"place"}, "place": {"place"}, "address": {"place", "email", "url"}, "name": {"name"},
              "price": {"money"}, "cost": {"money"}, "fee": {"money"}, "date": {"date"}, "time": {"time"},
              "phone": {"phone"}, "number": {"phone"}, "email": {"email"}, "website": {"url"}, "url": {"url"}}
KIND_OF = {"email": "email", "url": "url", "money": "money", "phone": "phone", "time": "time", "date": "date",
           "name": "name"}
NAMED_AS = {"phone": "phone", "email": "email", "url": "website"}  # a contact value's type, as a relation word
_DET = re.compile(r"^(?:the|our|your|their|its|a|an)\s+", re.I)
_POSS = re.compile(r"['’]s?$")


def _tokens(text: str) -> list[str]:
    return text.split()


def _bare(word: str) -> str:
    return _POSS.sub("", word).strip(",.;:").lower()


_MEMO: dict[tuple[str, str], list[tuple[str, str]]] = {}


def stored_keys(task: Task, index) -> list[tuple[str, str]] | None:
    """(subject, relation) of every row of a facts task's index (memoized per dataset version);
    None when it has no rows or more than MAX_ROWS."""
    if len(index) == 0 or len(index) > MAX_ROWS:
        return None
    memo = (str(index.path), index.digest)
    if memo not in _MEMO:
        subj, rel = task.column("subject"), task.column("relation")
        _MEMO[memo] = [(str(row.get(subj, "")), str(row.get(rel, ""))) for row in map(index.row, range(len(index)))]
    return _MEMO[memo]


def _join(rest: str, relation: str) -> str:
    if not rest:
        return relation
    if not relation or content_words(relation) & content_words(rest):
        return rest
    return f"{rest} {relation}"


def _after_subject(subject: str, stored: str) -> str | None:
    """What follows a stored subject at the start of `subject` ("" when it is the stored
    subject itself), or None when it does not start with it."""
    words, own = _tokens(subject), _tokens(stored)
    if not words or not own:
        return None
    n = len(own)
    if len(words) >= n and [_bare(w) for w in words[:n]] == [w.lower().strip(",.") for w in own] \
            and all(not _POSS.search(w) for w in words[:n - 1]):
        return " ".join(words[n:])
    # "BoxSafe's after-hours emergency": the stored subject's first, distinctive word, possessive.
    first = own[0]
    if len(own) > 1 and first[:1].isupper() and _POSS.search(words[0]) and _bare(words[0]) == first.lower():
        return " ".join(words[1:])
    return None


def refit(task: Task, item: dict[str, Any], index) -> tuple[dict[str, Any], str]:
    """The item with its subject and relation in the task's own words, and why ("" when unchanged)."""
    if item.get("kind") != "fact" or task.format != "fact":
        return item, ""
    rows = stored_keys(task, index)
    return refit_keys(item, rows) if rows else (item, "")


def refit_keys(item: dict[str, Any], rows: list[tuple[str, str]]) -> tuple[dict[str, Any], str]:
    """`refit` against the stored (subject, relation) pairs."""
    subject, relation = str(item.get("subject", "")).strip(), str(item.get("relation", "")).strip()
    if not subject or not rows:
        return item, ""
    subjects = Counter(s for s, _ in rows)
    if subject.lower() in {s.lower() for s in subjects}:
        return item, ""
    for stored, _ in subjects.most_common():
        rest = _after_subject(subject, stored)
        if rest is None:
            continue
        new_rel = _join(rest, relation)
        if not new_rel:
            return item, ""
        return ({**item, "subject": stored, "relation": new_rel},
                f"the subject {subject!r} starts with the task's subject {stored!r}: read as {stored!r} / {new_rel!r}")
    top, count = subjects.most_common(1)[0]
    if count / len(rows) < DOMINANT:
        return item, ""
    own = _DET.sub("", subject)
    own_words = content_words(own)
    for cand in (_join(own, relation), own):
        words = content_words(cand)
        if not words:
            continue
        hits = [r for s, r in rows if s == top and content_words(r)
                and (words <= content_words(r) or own_words <= content_words(r) <= words)]
        if len(set(hits)) == 1:
            return ({**item, "subject": top, "relation": hits[0]},
                    f"the subject {subject!r} is no stored subject; with the relation it names the row "
                    f"{top!r} / {hits[0]!r}")
    if count / len(rows) < SOLE or not own_words or any(own_words <= content_words(r) for _, r in rows):
        return item, ""  # (the subject's words in a row it could not tell from another: "the green fee")
    new_rel = _join(own, _typed_relation(relation, str(item.get("object", ""))))
    return ({**item, "subject": top, "relation": new_rel},
            f"the subject {subject!r} is no stored subject and every fact here is about {top!r}: read as "
            f"{top!r} / {new_rel!r}")


def _typed_relation(relation: str, value: str) -> str:
    """The relation without words naming another type than the value's ("location" for a phone
    number); for a contact value left with no word, its type ("phone")."""
    c = core(value)
    kind = KIND_OF.get(c.kind, "") if c is not None and c.text.strip() == value.strip() else ""
    if not kind:
        return relation
    kept = [w for w in relation.split() if kind in TYPE_WORDS.get(w.lower().strip(",."), {kind})]
    if kept == relation.split():
        return relation
    return " ".join(kept) or NAMED_AS.get(kind, "")
