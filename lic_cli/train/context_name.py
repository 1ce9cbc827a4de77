"""Rewordings of a taught question without the name that the task's questions share.

People who ask a business's own assistant leave the business's name out: "How much is a small car per
day?", not "... per day at Kingsferry?". The model-written rewordings (lm_paraphrase.py) must keep
every name of the question, so that a rewrite cannot drift to another subject, and the template ones
keep its words; a model taught from those alone has seen the fact only with the name. Session 13
(docs/train.md) found 40-57 % of the written paraphrases of three bench domains without it.

The shared name is found from the task's own train questions, not from a list: a capitalised word
(not the first) that at least MIN_SHARE of them name, in at least MIN_QUESTIONS questions. A name a few
rows mention ("the Ultimate package") is content and stays. The rewording drops the name where English
lets it go without the sentence breaking: a trailing phrase ("at Kingsferry", "for Hollowfern Paintball"),
a possessive ("Kingsferry's weekend deal" -> "the weekend deal"), a name used as a modifier ("the
Kingsferry branch" -> "the branch"), "Does Kingsferry ...?" -> "Do you ...?". A question whose name is
used otherwise gets no such rewording.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

MIN_SHARE = 0.25  # of the task's train questions
MIN_QUESTIONS = 3
_NAME = re.compile(r"^[A-Z][A-Za-z-]+")  # "Kingsferry's" -> Kingsferry; not "I", not a number
_PREPOSITIONS = "at|in|from|for|of|with|by|on|to|near"
_NOT_NAMES = frozenset("I I'm I'd I've".split())
# after a dropped trailing phrase: the end, or another phrase ("... to Kingsferry out of hours?")
_PHRASE_END = rf"(?=\s*(?:[?.!,;:]|$)|\s+(?:{_PREPOSITIONS}|and|or|if|when|before|after|during|per|this|next|last|each|every|out)\b)"
# what cannot follow a name used as a modifier: a phrase boundary or a participle ("the Wrenfold Festival called")
_NOT_NOUN = rf"(?:{_PREPOSITIONS}|and|or|if|when|before|after|during|per|this|next|last|each|every|out|\w+ed)\b"
# "the Kingsferry branch" is a modifier; "will the Lantern Larder travel", "is the Wrenfold Festival this year"
# are the name as subject, where "the" alone would not stand
_AUXILIARIES = frozenset("is are was were will would can could does do did should may must has have".split())


def _modifier(m: re.Match[str]) -> str:
    before = m.group(1) or ""
    # "a membership of the Thornbury Museum cost": "of the" names what it belongs to, not a modifier
    return m.group(0) if before.strip().casefold() in _AUXILIARIES | {"of"} else f"{before}the "


def _names(question: str) -> set[str]:
    out = set()
    for word in question.split()[1:]:  # the first word is capitalised anyway
        m = _NAME.match(word)
        if m and m.group(0) not in _NOT_NAMES:
            out.add(m.group(0))
    return out


def shared_names(questions: Sequence[str]) -> set[str]:
    """The names at least MIN_SHARE of the questions (and MIN_QUESTIONS of them) use."""
    counts = Counter(n for q in questions for n in _names(q))
    need = max(MIN_QUESTIONS, MIN_SHARE * len(questions))
    return {n for n, c in counts.items() if c >= need}


def without(question: str, names: set[str]) -> str | None:
    """The question with the shared names dropped, or None when one cannot be dropped cleanly (or none is in it)."""
    found = [n for n in names if re.search(rf"\b{re.escape(n)}\b", question)]
    if not found:
        return None
    text = question
    # the leftmost shared name first: its phrase takes the shared names after it ("Wrenfold Festival")
    for name in sorted(found, key=lambda n: question.index(n)):
        if not re.search(rf"\b{re.escape(name)}\b", text):
            continue
        n = re.escape(name)
        # a following capitalised word belongs to the name ("Hollowfern Paintball", "Greyhithe Rentals")
        whole = rf"{n}(?:\s+[A-Z][\w'-]*)*"
        text = re.sub(rf"\s+(?:{_PREPOSITIONS})\s+(?:the\s+)?{whole}{_PHRASE_END}", "", text)
        text = re.sub(rf"\b(?:the\s+)?{whole}'s\s+", "the ", text)
        text = re.sub(rf"(\w+\s+)?\bthe\s+{whole}\s+(?!{_NOT_NOUN})(?=[a-z])", _modifier, text)
        text = re.sub(rf"^(?:Does|Do)\s+{whole}\s+(?=[a-z])", "Do you ", text)
        if re.search(rf"\b{n}\b", text):
            return None  # used some other way ("Is Kingsferry open ...?"): no clean rewording
    text = re.sub(r"\s+([?.!,;:])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    text = re.sub(r"\bthe the\b", "the", text)
    if len(text.split()) < 3 or text == question.strip():
        return None
    return text[0].upper() + text[1:]
