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
- **session 12's classes** (`EXTRA`, read by `conflict` too): the months a text names (a month, a
  range such as "October to March" or "1 July to 20 September", a season: "a Saturday in August"
  against the April-to-September and the October-to-March hours; months agree when they overlap),
  the period a price or a hire is for (per hour, half day, full day, week, month, year: "the hourly
  rate" against "a full day's hire"), a size said another way (small / medium "middle-sized" /
  large "the bigger one"), and a count of the same thing in words or digits ("twelve eggs" against
  "six eggs", "half a dozen", a party "for 4 people" against "for two"). An age said without an
  apostrophe ("im 30") is read as an age too.
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
                  r"he's|she's|im|i'm aged)(?: is|'s)? (\d{1,2})\b(?! ?(?:minutes?|mins?|hours?|days?|weeks?|months?|euros?|"
                  r"pounds?|dollars?|%|:|\.\d|am\b|pm\b|people|of\b))")
_BELOW = re.compile(r"\b(?:under|below|younger than|less than)[- ]?(\d{1,2})s?\b|\b(\d{1,2}) (?:or|and) (?:under|younger|below)\b")
_ABOVE = re.compile(r"\b(?:over|above|older than)[- ]?(\d{1,2})s?\b|\b(\d{1,2}) ?(?:\+|(?:or|and) (?:over|older|above|up))")
# Qualifiers of one kind that do not contradict each other: "the weekend" holds Saturday and Sunday.
_COMPATIBLE = {frozenset({"weekend", "saturday"}), frozenset({"weekend", "sunday"})}

# Session 12: the siblings session 11 left (docs/chat.md "Session 12"), as more general classes, each
# switched by name in EXTRA (an empty set is session 11's reading).
EXTRA = {"season", "period", "size", "count"}

# --- months and seasons: the months a text names (one, a range, a season) -----------------------
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH_RE = r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
_MONTH = re.compile(rf"\b({_MONTH_RE})\b")
_MONTH_RANGE = re.compile(rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)? )?({_MONTH_RE})\b(?: \d{{1,2}}(?:st|nd|rd|th)?)?"
                          rf"\s*(?:to|until|till|through|-|–)\s*(?:the )?(?:end of |\d{{1,2}}(?:st|nd|rd|th)? )?({_MONTH_RE})\b")
# Northern-hemisphere seasons, read loosely (a season holds the months around it).
_SEASONS = {"spring": {3, 4, 5}, "summer": {6, 7, 8}, "autumn": {9, 10, 11}, "fall": {9, 10, 11},
            "winter": {12, 1, 2}, "christmas": {12}, "new year": {12, 1}, "easter": {3, 4}}
_SEASON = re.compile(r"\b(spring|summer|autumn|winter|christmas|new year|easter)(?:time|s)?\b|\b(fall) (?:season|term|months?)\b")
# "may" is a month only beside a day or a preposition ("in May", "May 3", "1 May").
_MAY_OK = re.compile(r"\b(?:in|of|from|until|till|to|through|early|late|mid|end of|since|before|after) may\b|\bmay \d|\d(?:st|nd|rd|th)? may\b")


def _month_no(word: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, 1) if m.startswith(word[:3]))


def months(low: str) -> frozenset[int]:
    """The months a text names: single months, ranges ("April to September", "1 July to 20 September";
    a range that wraps the year holds the months across it) and seasons."""
    got: set[int] = set()
    spans = []
    for m in _MONTH_RANGE.finditer(low):
        a, b = _month_no(m.group(1)), _month_no(m.group(2))
        got.update(((a - 1 + i) % 12) + 1 for i in range((b - a) % 12 + 1))
        spans.append(m.span())
    for m in _MONTH.finditer(low):
        if any(x <= m.start() < y for x, y in spans):
            continue
        if m.group(1) == "may" and not _MAY_OK.search(low[max(0, m.start() - 12):m.end() + 4]):
            continue
        got.add(_month_no(m.group(1)))
    for m in _SEASON.finditer(low):
        got |= _SEASONS[m.group(1) or m.group(2)]
    return frozenset(got)


# --- the period a price or a hire is for -----------------------------------------------------------
_PERIODS = [
    ("hour", re.compile(r"(?:\b(?:per|an|a|each|by the|every) hour\b|\bhourly\b|\b(?:1|one)[- ]?(?:hr|hour)\b|\bper hr\b"
                        r"|\b60[- ]minutes?\b)(?! and a half| and (?:\d|a|one|two|three|fifteen|thirty|forty))")),
    ("half day", re.compile(r"\bhalf[- ]days?\b|\bhalf a day\b|\b(?:a|the|per) morning\b|\b(?:a|the|per) afternoon\b"
                            r"|\b(?:4|four)[- ]hours?\b")),
    ("day", re.compile(r"\b(?:full|whole|entire)[- ]days?\b|\ball[- ]day\b|\bper day\b|\bdaily\b|\bday (?:rate|hire|ticket|pass)\b"
                       r"|\b(?:for|a|the) (?:the )?day\b|\bday's\b|\bmorning (?:till|to|until) (?:evening|night|close)\b"
                       r"|\bthe whole day\b")),
    ("week", re.compile(r"\b(?:per|a|each|every) week\b|\bweekly\b")),
    ("month", re.compile(r"\b(?:per|a|each|every) month\b|\bmonthly\b")),
    ("year", re.compile(r"\b(?:per|a|each|every) year\b|\byearly\b|\bannual(?:ly)?\b|\bper annum\b")),
]

# --- sizes said another way ---------------------------------------------------------------------------
_SIZES = [
    ("small", re.compile(r"\b(?:small|smaller|smallest|little|mini|petite)\b")),
    ("medium", re.compile(r"\b(?:medium|middle[- ]sized?|mid[- ]?sized?|middle one|standard[- ]sized?)\b")),
    ("large", re.compile(r"(?<!how )\b(?:large|larger|largest|big|bigger|biggest|jumbo|extra[- ]large|xl|king[- ]size)\b")),
]

# --- a count of something said another way ("twelve eggs" and "12 eggs", "a dozen", "for two") -------
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "dozen": 12,
                 "a dozen": 12, "half a dozen": 6, "half-dozen": 6, "a pair of": 2, "couple": 2, "a couple of": 2}
_NUM = r"\d{1,3}|half a dozen|half-dozen|a dozen|dozen|a pair of|a couple of|" + "|".join(
    w for w in _NUMBER_WORDS if " " not in w and w not in ("dozen", "half-dozen", "couple"))
_COUNT = re.compile(rf"\b({_NUM})\b(?: (?:free-range|fresh|large|small|extra|single|whole|adult|child|standard))? ([a-z]{{3,}})")
_PARTY = re.compile(rf"\bfor ({_NUM})(?: (?:people|persons|guests|adults|of us|players|diners))?\b(?! (?:minutes?|hours?|days?|weeks?|months?|years?|nights?))")
_UNIT_WORDS = {"minute", "minutes", "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year",
               "years", "am", "pm", "percent", "per", "to", "and", "or", "times", "night", "nights", "mins", "hrs"}


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


def _number_value(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word, _NUMBER_WORDS.get(word.replace("-", " "), 0))


@functools.lru_cache(maxsize=8192)
def _extra(low: str) -> tuple[tuple[str, frozenset], ...]:
    """Session 12's readings of a text: its months ("season"), the period a price is for ("period"),
    a size ("size"), counts of things by noun ("count": "eggs=12") and a party size ("count": "party=4")."""
    out = []
    if "season" in EXTRA:
        got = months(low)
        if got:
            out.append(("season", got))
    if "period" in EXTRA:
        got = frozenset(name for name, pat in _PERIODS if pat.search(low))
        if got:
            out.append(("period", got))
    if "size" in EXTRA:
        got = frozenset(name for name, pat in _SIZES if pat.search(low))
        if got:
            out.append(("size", got))
    if "count" in EXTRA:
        counts = set()
        for m in _COUNT.finditer(low):
            noun = m.group(2)
            if noun in _UNIT_WORDS or noun in _NUMBER_WORDS:
                continue
            n = _number_value(m.group(1))
            if n > 1:  # "one" is too often not a count ("which one", "one of")
                counts.add(f"{stem(noun)}={n}")
        for m in _PARTY.finditer(low):
            n = _number_value(m.group(1))
            if n:
                counts.add(f"party={n}")
        if counts:
            out.append(("count", frozenset(counts)))
    return tuple(out)


def _extra_fit(question: str, row: str) -> int:
    """-1 when the row names a reading of a kind the question names too and none agrees; +1 when one
    agrees; 0 else. Months agree when they overlap; counts compare only the same noun."""
    q, r = dict(_extra(question.lower())), dict(_extra(row.lower()))
    out = 0
    for kind in q.keys() & r.keys():
        a, b = q[kind], r[kind]
        if kind == "count":
            qn = {x.split("=")[0]: x for x in a}
            rn = {x.split("=")[0]: x for x in b}
            shared = qn.keys() & rn.keys()
            if not shared:
                continue
            if any(qn[k] != rn[k] for k in shared):
                return -1
            out = 1
            continue
        if not a & b:
            return -1
        out = 1
    return out


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
    if EXTRA:
        extra = _extra_fit(question, row)
        if extra < 0:
            return -1
        out = max(out, extra)
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
