"""Well-formed items or nothing (issue 15, session 14): the last step of the learned engine's
assembly (`learned.finish`) checks each item's values by English grammar, naming no domain word.

A value the tags cut in the middle of a phrase ends in a word that cannot end one: a determiner,
a preposition, a possessive or a conjunction ("for vegans on", "missing its", "the lot about"),
or holds nothing else ("the", "that"); a forget target may carry the request's own tail ("that
answer, would you"). Such words are trimmed from the end; a value left empty, or one that only
points back ("that answer", "the lot": a determiner and a word that names no thing of its own)
is not a value:

- a forget target names the thing, not the notes about it ("all the mug club stuff" -> "the mug
  club"); one that points back (or is a generic noun alone: "answer, would you") forgets what the last question asked about
  (`repair.question_topic`), or the item is dropped;
- an old value (`replaces`) is left out;
- an object, answer or label text: the item is dropped, since a wrong row costs a user more
  than a missing one (the caller's other engines or a rephrasing can still teach it);
- a fact's subject ("the" in "the / fee / €20"): the item stays as it is, since chat finds the
  row by its value (dropping such items lost 4 of the chat dev turns' answers, docs/extract.md).

Questions and note texts are clauses and are left alone ("Which gate does it leave from?"); a
label's text quotes its example as said ("... any more of the teal mohair in"), so it is kept
whole unless it is no phrase at all ("The").
"""

from __future__ import annotations

import re
from typing import Any

WELL_FORMED = True

# Words no noun phrase or value ends in.
_NO_END = frozenset(
    "the a an this that these those my your our their his her its whose "
    "of on in at for to with by about from into onto over under than via per "
    "and or but nor so if as".split())
_POINTERS = frozenset("it them they this that these those one ones all everything anything".split())
# A noun that names no thing of its own: with a determiner it points back ("that answer").
_GENERIC = frozenset("answer answers one ones bit bits info information entry entries stuff thing things lot "
                     "row rows note notes detail details".split())
_TAIL = re.compile(r"(?<=\S)(?:,\s*|\s+)(?:(?:would|could|will|can)\s+you\??|(?:please|pls|plz|thanks|thx|ta|"
                   r"cheers))\s*$", re.I)
_FIELDS = ("subject", "object", "answer", "replaces", "target", "text")
# A forget's target names the thing, not the notes about it: "all the mug club stuff" -> "the
# mug club" (no gold target of the corpus's train, dev or test domains starts with "all" or ends
# in "stuff", "things", "bits" or "info").
_TARGET_WRAP = re.compile(r"^(?:all|everything|anything)\s+(?:of\s+)?(?=the\s|my\s|our\s|your\s)|"
                          r"(?<=\w)\s+(?:stuff|things|bits|info|information)$", re.I)


def trim(value: str) -> str:
    """The value without a request's tail or words no phrase ends in ("the lot about" -> "the lot")."""
    v = value.strip()
    while True:
        before = v
        v = _TAIL.sub("", v).strip(" ,;:-\u2013\u2014")
        words = v.split()
        while words and words[-1].lower().strip(".,;:!?") in _NO_END:
            words.pop()
        v = " ".join(words)
        if v == before:
            return v


def points_back(value: str, count: bool = False) -> bool:
    """A value that names nothing itself: a pronoun, or a determiner and a generic noun (with
    `count`, "one" and "all" are amounts, as an object may be)."""
    words = [w.lower().strip(".,;:!?") for w in value.split()]
    if not words:
        return True
    pointers = _POINTERS - {"one", "all"} if count else _POINTERS
    if all(w in pointers or w in _NO_END for w in words):
        return True
    return len(words) == 2 and words[-1] in _GENERIC and (words[0] in _NO_END or words[0] in _POINTERS)


def repair(items: list[dict[str, Any]], context: list[dict]) -> list[dict[str, Any]]:
    if not WELL_FORMED:
        return items
    out = []
    for item in items:
        item = dict(item)
        keep = True
        for field in _FIELDS:
            value = item.get(field)
            if not isinstance(value, str) or not value.strip() or field == "text" and item.get("kind") != "label":
                continue
            # A label's text quotes the example as said: only one that is no phrase at all goes.
            trimmed = value.strip() if field == "text" else trim(value)
            if field == "replaces":
                if points_back(trimmed):
                    item.pop("replaces")
                elif trimmed != value.strip():
                    item["replaces"] = trimmed
                continue
            if field == "target":
                trimmed = _TARGET_WRAP.sub("", trimmed).strip() or trimmed
            if field == "target" and (points_back(trimmed) or trimmed.lower() in _GENERIC):
                topic = _asked_about(context)
                if topic is None:
                    keep = False
                    break
                item["target"] = topic
                continue
            if field == "subject" and points_back(trimmed):
                continue  # the value is still worth its row: chat finds it by the object
            if points_back(trimmed, count=field in ("object", "answer")):
                keep = False
                break
            if trimmed != value.strip():
                item[field] = trimmed
        if keep:
            out.append(item)
    return out


def _asked_about(context: list[dict]) -> str | None:
    from lic_cli.extract.explicit import asked_thing
    from lic_cli.extract.repair import last_question, question_topic

    question = last_question(context)
    return (question_topic(question) or asked_thing(question)) if question else None
