"""Numbers said in words: one reader shared by locate (spans.py: quantities, money and clock
times in words) and extract (snap.py: the words that finish a value).

    words_number("fourteen hundred")            -> 1400
    words_number("two thousand five hundred")   -> 2500
    words_number("one hundred and twenty")      -> 120
    words_number("twelve fifty")                -> None  (a price or a time? not one number)
    bare_number("fourteen hundred now")         -> 1400
    money_like(1400, ["$2,400", "$1,300"])      -> "$1,400"

Pure functions, no model.
"""

from __future__ import annotations

import re

UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine".split())}
TEENS = {w: i + 10 for i, w in enumerate(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
SCALES = {"hundred": 100, "thousand": 1000}
# Every number word, and the tens joined to a unit by a hyphen ("forty-five").
NUMBER_WORDS: dict[str, int] = {**UNITS, **TEENS, **TENS, **SCALES}
NUMBER_WORDS |= {f"{t}-{u}": TENS[t] + UNITS[u] for t in TENS for u in list(UNITS)[1:]}
NUMBER_WORD = r"(?:" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
# One number said in words: "one hundred and twenty", "twenty-two", "fourteen hundred".
NUMBER_PHRASE = rf"(?:{NUMBER_WORD})(?:(?:\s+and)?[\s-]+(?:{NUMBER_WORD}))*"
_BARE = re.compile(rf"^\s*(?:(?:only|just|about|around)\s+)?(?P<n>(?:an?\s+)?{NUMBER_PHRASE})"
                   r"(?:\s+(?:now|then|these days|from now on))?\s*[.!]?\s*$", re.I)
_MONEY = re.compile(r"^(?P<pre>[$€£¥])?\s?(?P<num>\d+(?:[.,]\d+)*)(?:\s?(?P<post>USD|EUR|GBP|dollars|euros|pounds))?$")


def words_number(phrase: str) -> int | None:
    """The number a phrase of number words says, or None when it is not one number: units,
    teens and tens in their order, each scale ("hundred", "thousand") after them ("fourteen
    hundred" is 1400). "twelve fifty" (a price or a clock time) and "five six" are not one number."""
    words = [w for w in re.split(r"[\s-]+", phrase.lower().strip()) if w and w != "and"]
    if not words:
        return None
    if words[0] in ("a", "an"):
        if len(words) == 1:
            return 1
        if words[1] not in SCALES:
            return None
        words[0] = "one"
    total, current, last = 0, 0, ""  # last: the kind of the previous word
    for w in words:
        if w in UNITS:
            if last in ("unit", "teen"):
                return None
            current += UNITS[w]
            last = "unit"
        elif w in TEENS:
            if last in ("unit", "teen", "tens"):
                return None
            current += TEENS[w]
            last = "teen"
        elif w in TENS:
            if last in ("unit", "teen", "tens") or current % 100:
                return None
            current += TENS[w]
            last = "tens"
        elif w == "hundred":
            if last in ("hundred", "thousand") or current >= 100 or (current == 0 and last):
                return None
            current = max(current, 1) * 100
            last = "hundred"
        elif w == "thousand":
            if last == "thousand" or total:
                return None
            total, current = max(current, 1) * 1000, 0
            last = "thousand"
        else:
            return None
    return total + current


def bare_number(value: str) -> int | None:
    """A value that is one number in words and nothing else ("fourteen hundred", "forty-five
    now"), as an int; None otherwise (digits, a unit, a currency word: those have a type)."""
    m = _BARE.match(value)
    return words_number(m.group("n")) if m else None


def money_like(n: int, amounts: list[str]) -> str | None:
    """`n` written as the stored amounts write money: their currency sign or word, and a
    thousands comma when they use one ("$2,400" -> "$1,400"). None without an amount to copy."""
    shapes = [m for a in amounts if (m := _MONEY.match(a.strip()))]
    if not shapes:
        return None
    first = shapes[0]
    comma = any("," in m.group("num") for m in shapes) or n < 1000
    num = f"{n:,}" if comma else str(n)
    if first.group("pre"):
        return f"{first.group('pre')}{num}"
    return f"{num} {first.group('post')}" if first.group("post") else None
