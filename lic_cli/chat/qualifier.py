"""What tells sibling rows apart: the qualifier a question names and a row must share.

Most wrong first rows with rows applied directly are siblings: "When do your doors open
Monday to Friday?" against the weekday and the Saturday hours rows; "How much is an adult
ticket?" against the adult and the child price. Both rows are about the same thing; one word
of the question (a day, an age group) says which. Embeddings weigh that word little.

Two general readings of it, both domain-independent:

- **classes** (`conflict`): a small closed list of qualifier kinds that any domain uses — the
  part of the week (a weekday name, "weekdays", "during the week" against Saturday, Sunday, the
  weekend) and the age group (adult against child, kid, junior, under-16, student, senior). A
  row conflicts with a question when both name a qualifier of one kind and they differ
  ("Monday to Friday" and "Saturday"); a row that names none does not conflict.
- **words** (`distinctive`): among the candidates a question is choosing between, the content
  words only one candidate holds. A row lacks the question's qualifier when the question holds
  a word that marks another candidate apart and not this one.

`adjust` turns them into one number per candidate (-1 conflict or lack, +1 shares, 0 else),
which chat/combine.py weighs into the order (weight chosen on the dev domains, docs/chat.md).
"""

from __future__ import annotations

import functools
import re

from lic_cli.chat.rowindex import content_words, stem

AGE_NUMBERS = True  # read an age said as a number against a row's age bounds (session 11; measured on dev)

_WEEKDAY = r"monday|mondays|tuesday|tuesdays|wednesday|wednesdays|thursday|thursdays|friday|fridays|mon|tue|tues|wed|thu|thur|thurs|fri"
_CLASSES: dict[str, list[tuple[str, re.Pattern]]] = {
    "week": [
        ("weekday", re.compile(rf"\b(?:{_WEEKDAY}|weekdays?|week ?days?|during the week|working days?|business days?)\b")),
        ("saturday", re.compile(r"\b(?:saturdays?|sat)\b")),
        ("sunday", re.compile(r"\b(?:sundays?|sun)\b")),
        ("weekend", re.compile(r"\b(?:weekends?|week-ends?)\b")),
    ],
    "age": [
        ("adult", re.compile(r"\b(?:adults?|grown-?ups?|over[- ]?1[68]s?|18 and over)\b")),
        ("child", re.compile(r"\b(?:child|children|childs|kids?|juniors?|under[- ]?\d{1,2}s?|toddlers?|infants?|"
                             r"teens?|teenagers?|youths?|minors?|little ones?)\b")),
        ("student", re.compile(r"\b(?:students?)\b")),
        ("senior", re.compile(r"\b(?:seniors?|pensioners?|over[- ]?6[05]s?|retirees?|oaps?)\b")),
    ],
}
# An age said as a number in a question ("my 15-year-old", "aged 9") and the bounds a row puts on it
# ("children under 14", "aged 12 or over", "16+"): session 11, the siblings session 10 left.
_AGE = re.compile(r"\b(\d{1,2})[- ]?(?:years?|yrs?)[- ]?old\b|\b(\d{1,2})[- ]?y/?o\b|\baged? (\d{1,2})\b(?! ?(?:or|and|\+|to|-))"
                  r"|\b(?:son|daughter|kid|child|boy|girl|grandson|granddaughter|nephew|niece|i am|i'm|he is|she is|"
                  r"he's|she's)(?: is|'s)? (\d{1,2})\b(?! ?(?:minutes?|mins?|hours?|days?|weeks?|months?|euros?|"
                  r"pounds?|dollars?|%|:|\.\d|am\b|pm\b|people|of\b))")
_BELOW = re.compile(r"\b(?:under|below|younger than|less than)[- ]?(\d{1,2})s?\b|\b(\d{1,2}) (?:or|and) (?:under|younger|below)\b")
_ABOVE = re.compile(r"\b(?:over|above|older than)[- ]?(\d{1,2})s?\b|\b(\d{1,2}) ?(?:\+|(?:or|and) (?:over|older|above|up))")
# Qualifiers of one kind that do not contradict each other: "the weekend" holds Saturday and Sunday.
_COMPATIBLE = {frozenset({"weekend", "saturday"}), frozenset({"weekend", "sunday"})}


@functools.lru_cache(maxsize=8192)
def _qualifiers(low: str) -> tuple[tuple[str, frozenset[str]], ...]:
    out = []
    for kind, values in _CLASSES.items():
        got = frozenset(name for name, pat in values if pat.search(low))
        if got:
            out.append((kind, got))
    return tuple(out)


def qualifiers(text: str) -> dict[str, set[str]]:
    """The qualifiers a text names, by kind: {"week": {"weekday"}, "age": {"child"}}."""
    return {kind: set(got) for kind, got in _qualifiers(text.lower())}


def _agree(a: set[str], b: set[str]) -> bool:
    return bool(a & b) or any(frozenset({x, y}) in _COMPATIBLE for x in a for y in b)


def _number(m: re.Match) -> int:
    return int(next(g for g in m.groups() if g))


def age_fit(question: str, row: str) -> int:
    """An age the question says as a number against the bounds the row puts on age: +1 within them,
    -1 outside ("my 15-year-old" against "children under 14"), 0 when either says none."""
    m = _AGE.search(question.lower())
    if m is None:
        return 0
    age, low = _number(m), row.lower()
    below = [_number(x) for x in _BELOW.finditer(low)]
    above = [_number(x) for x in _ABOVE.finditer(low)]
    if not below and not above:
        return 0
    # "under 14" holds ages up to 13; "12 or over" / "over 12" hold 12 (a bound said either way is read loosely).
    ok = all(age < b for b in below) and all(age >= a for a in above)
    return 1 if ok else -1


def conflict(question: str, row: str) -> int:
    """-1 when the row names a qualifier of a kind the question names too and they differ (or puts
    bounds on an age the question says as a number, and it is outside them); +1 when they agree; 0
    when either names none of that kind."""
    q, r = qualifiers(question), qualifiers(row)
    age = age_fit(question, row) if AGE_NUMBERS else 0
    if age < 0:
        return -1
    out = age
    for kind in q.keys() & r.keys():
        if kind == "age" and age:  # the number decided it
            continue
        if not _agree(q[kind], r[kind]):
            return -1
        out = 1
    return out


@functools.lru_cache(maxsize=8192)
def _words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in content_words(text))


def distinctive(question: str, rows: list[str]) -> list[int]:
    """Per row: +1 when it holds a question word no other row holds, -1 when it lacks a question
    word that marks another row apart (and holds none of its own), 0 else."""
    q = _words(question)
    words = [_words(r) for r in rows]
    out = []
    for i, own in enumerate(words):
        others = set().union(*(w for j, w in enumerate(words) if j != i)) if len(words) > 1 else set()
        mine = (own - others) & q
        marks_other = any(((w - own) & q) - set().union(*(v for k, v in enumerate(words) if k not in (i, j)))
                          for j, w in enumerate(words) if j != i)
        out.append(1 if mine else -1 if marks_other else 0)
    return out


def adjust(question: str, rows: list[str], how: str = "classes") -> list[float]:
    """The qualifier reading of each candidate row ("classes", "words" or "both": their sum, kept
    in -1..1)."""
    if how == "none" or not rows:
        return [0.0] * len(rows)
    return list(_adjust(question, tuple(rows), how))


@functools.lru_cache(maxsize=4096)
def _adjust(question: str, rows: tuple[str, ...], how: str) -> tuple[float, ...]:
    cls = [float(conflict(question, r)) for r in rows] if how in ("classes", "both") else [0.0] * len(rows)
    wrd = [float(x) for x in distinctive(question, rows)] if how in ("words", "both") else [0.0] * len(rows)
    return tuple(max(-1.0, min(1.0, a + b)) for a, b in zip(cls, wrd, strict=True))
