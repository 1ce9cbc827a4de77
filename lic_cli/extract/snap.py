"""Values in the dataset's own words: a correction's `replaces` snapped to the previous answer,
and values kept whole.

The learned engine tags spans of the turn and its context, word pieces widened to words,
so its `replaces` can be a fragment ("Park" for "Linda Park"), a paraphrase, or a value
cut before its unit ("40" for "40 cents per page"). Locate rewrites a row by finding the
old value in it, which needs the old value as the previous assistant turn wrote it:

- `replaces`, when the turn follows an assistant turn: the substring of that turn it
  refers to (rapidfuzz partial alignment, score >= SNAP_SCORE, and the aligned words, whole,
  as similar to it), widened to whole words and
  to the whole value around it (a name's other capitalized words, a number's currency and
  unit words); left as it is when nothing there aligns;
- values (`answer`, `object`) and `replaces`: a number is kept with its sign, currency and
  unit words from the text it was tagged in ("$120", "40 cents per page", "8 kg").
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz

from lic_cli.locate.numbers import NUMBER_WORDS
from lic_cli.locate.spans import in_digits
from lic_cli.records import previous_exchange

SNAP_SCORE = 80.0
_WORD = re.compile(r"[\w'@\-/:+$€£%]+(?:\.\w+)*")
_NUMBER = re.compile(r"^[$€£]?[+-]?\d[\d.,:/]*(?:%|am|pm|k|kg|km|m|h|p)?$", re.I)
# Words that belong to a number written before them: "40 cents per page", "8 kg", "6 am".
_UNIT = re.compile(
    r"^(?:%|percent|cents?|pence|p|euros?|eur|dollars?|usd|pounds?|gbp|francs?|kr|kroner|yen|"
    r"kg|g|grams?|kilos?|kilograms?|lbs?|ml|l|litres?|liters?|km|m|metres?|meters?|miles?|cm|mm|"
    r"minutes?|mins?|hours?|hrs?|h|days?|weeks?|months?|years?|nights?|seconds?|secs?|"
    r"am|pm|a\.m|p\.m|gb|mb|tb|mbps|mbit|megabit)$", re.I)
_PER = re.compile(r"^(?:per|a|an|each|every)$", re.I)
_CODE = re.compile(r"^(?:\d+[a-z]?|[a-z]{1,2}\d+[a-z]?)$", re.I)
_NAMED_BY = re.compile(r"^(?:level|gate|platform|room|floor|terminal|bay|desk|counter|track|aisle|row|seat|building"
                       r"|suite|unit|stand|zone|lane|exit|pier|berth|ward|block|hall|studio|court|pitch|door|window)$",
                       re.I)
_CURRENCY_WORD = re.compile(r"^(?:[$€£]|usd|eur|gbp)$", re.I)


def _words(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text)]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " ,;:!?\"'()":
        a += 1
    while b > a and text[b - 1] in " .,;:!?\"'()-–—":
        b -= 1
    if text[b - 3:b].lower() in ("a.m", "p.m") and text[b:b + 1] == ".":
        b += 1  # "9 p.m." keeps its abbreviation's stop
    return a, b


def whole_value(text: str, a: int, b: int) -> tuple[int, int]:
    """The span [a, b) of `text` widened to whole words and to the whole value: a number's
    currency before it and its unit words after it ("per page" included), a name's
    neighbouring capitalized words."""
    words = _words(text)
    if not words:
        return a, b
    inside = [i for i, (s, e) in enumerate(words) if e > a and s < b]
    if not inside:
        return a, b
    i, j = inside[0], inside[-1]
    i, j = complete(text, words, i, j)
    first, last = text[words[i][0]:words[i][1]], text[words[j][0]:words[j][1]].rstrip(".")
    # A number: its unit words after it ("40 cents per page") and its currency before it.
    if _NUMBER.match(last):
        k = j + 1
        if k < len(words) and _UNIT.match(text[words[k][0]:words[k][1]].rstrip(".,")):
            j = k
            if (k + 2 < len(words) and _PER.match(text[words[k + 1][0]:words[k + 1][1]])
                    and re.match(r"^[a-z]+$", text[words[k + 2][0]:words[k + 2][1]].rstrip(".,"))):
                j = k + 2
    if i > 0 and _NUMBER.match(first) and _CURRENCY_WORD.match(text[words[i - 1][0]:words[i - 1][1]]):
        i -= 1
    # A number or code named by the noun before it: "level 3", "gate D14", "platform 9".
    if i > 0 and _CODE.match(first) and _NAMED_BY.match(text[words[i - 1][0]:words[i - 1][1]]) \
            and text[words[i - 1][1]:words[i][0]] == " ":
        i -= 1
    # A name: the capitalized words around a capitalized span ("Linda Park", not "Park").
    if first[:1].isupper() and a > 0:
        while (i > 0 and _name_word(text, words[i - 1]) and text[words[i - 1][1]:words[i][0]] == " "
               and not _sentence_start(text, words[i - 1][0])):
            i -= 1
    if last[:1].isupper():
        while j + 1 < len(words) and _name_word(text, words[j + 1]) and text[words[j][1]:words[j + 1][0]] == " ":
            j += 1
    return _strip(text, words[i][0], words[j][1])


# Value completion: a number said in words or digits is one value with the words that finish it
# ("eight" of "eight in the morning", "one hundred" of "one hundred and twenty dollars",
# "forty-five" of "forty-five minutes").
# The number words are locate's (locate/numbers.py, one reader for both: session 12).
_NUM_WORDS = frozenset(w for w in NUMBER_WORDS if "-" not in w) | frozenset("half quarter dozen noon midnight".split())
_MONEY_UNIT = re.compile(r"^(?:dollars?|euros?|pounds?|bucks?|quid)$", re.I)
# Not counted nouns ("24 people" is "24") nor a money rate ("35 euros a month" is "35 euros"): the
# corpus's gold convention (issue 15), which the extract bench scores against.
_UNIT_EXTRA = re.compile(r"^(?:degrees?|o'clock)$", re.I)
_QUALIFIED_UNIT = re.compile(r"^(?:working|business|calendar|school|full|clear)$", re.I)
_DAY_PART = ("in the morning", "in the afternoon", "in the evening", "at night", "at noon", "at midnight")


def _w(text: str, words: list[tuple[int, int]], k: int) -> str:
    return text[words[k][0]:words[k][1]].rstrip(".,;:!?").lower() if 0 <= k < len(words) else ""


def _is_num(word: str) -> bool:
    word = word.lower()
    return bool(_NUMBER.match(word)) or word in _NUM_WORDS or (
        "-" in word and all(p in _NUM_WORDS for p in word.split("-")))


def _gap(text: str, words: list[tuple[int, int]], k: int) -> bool:
    """Only a space between word k and word k + 1 (no comma or stop)."""
    return k + 1 < len(words) and text[words[k][1]:words[k + 1][0]] == " "


def complete(text: str, words: list[tuple[int, int]], i: int, j: int) -> tuple[int, int]:
    """Word positions [i, j] widened to the whole number phrase they belong to: the other number
    words of one number ("one hundred and twenty", "eight thirty", "half past six", "a quarter
    to midnight"), its unit ("forty-five minutes", "five working days"), the cents after a
    money word ("six dollars fifty") and the part of the day ("seven in the morning", "ten at
    night"). A counted noun or a rate stays out ("24 people" is 24, "35 euros a month" 35 euros),
    as the corpus's gold writes values; a unit with "per" after a number keeps it (whole_value)."""
    if not any(_is_num(_w(text, words, k)) or _NUMBER.match(_w(text, words, k)) for k in range(i, j + 1)):
        return i, j
    # Backwards: the number words before ("eight" before "thirty", "half past" before "six").
    while i > 0 and _gap(text, words, i - 1):
        before = _w(text, words, i - 1)
        if _is_num(before) and _is_num(_w(text, words, i)):
            i -= 1
        elif before in ("past", "to") and i > 1 and _w(text, words, i - 2) in ("half", "quarter") \
                and _gap(text, words, i - 2):
            i -= 2
        elif before == "a" and _w(text, words, i) in ("quarter", "half", "dozen"):
            i -= 1
        else:
            break
    digits_cut = bool(_NUMBER.match(_w(text, words, j)))  # cut at a number in digits ("50" of "50 cents per page")
    money = text[words[i][0]] in "$€£" or any(_MONEY_UNIT.match(_w(text, words, k)) for k in range(i, j + 1))
    while _gap(text, words, j):
        cur, nxt = _w(text, words, j), _w(text, words, j + 1)
        after = " ".join(_w(text, words, k) for k in range(j + 1, min(j + 4, len(words))))
        if _is_num(cur) and (_is_num(nxt) and cur not in ("noon", "midnight")
                             or cur in ("half", "quarter") and nxt in ("past", "to")):
            j += 1  # "eight thirty", "one hundred", "half past", "half ten"
        elif _is_num(cur) and nxt == "and" and _is_num(_w(text, words, j + 2)) and _gap(text, words, j + 1) \
                and cur in ("hundred", "thousand"):
            j += 2  # "one hundred and twenty"
        elif cur in ("past", "to") and _is_num(nxt):
            j += 1
        elif _is_num(cur) and (_UNIT.match(nxt) or _UNIT_EXTRA.match(nxt) or _MONEY_UNIT.match(nxt)):
            money = money or bool(_MONEY_UNIT.match(nxt))
            j += 1
        elif _is_num(cur) and _QUALIFIED_UNIT.match(nxt) and _UNIT.match(_w(text, words, j + 2)) \
                and _gap(text, words, j + 1):
            j += 2  # "five working days"
        elif money and _MONEY_UNIT.match(cur) and _is_num(nxt) and not (
                _UNIT.match(_w(text, words, j + 2)) or _UNIT_EXTRA.match(_w(text, words, j + 2))):
            j += 1  # "six dollars fifty"
        elif money and _MONEY_UNIT.match(cur) and _is_num(nxt) and _w(text, words, j + 2) in ("cents", "pence", "p"):
            j += 2  # "six dollars fifty cents"
        elif any(after.startswith(p) and (len(after) == len(p) or after[len(p)] == " ") for p in _DAY_PART) \
                and (_is_num(cur) or _UNIT.match(cur) or cur == "o'clock") and not money:
            j += len(next(p for p in _DAY_PART if after.startswith(p)).split())
            break
        elif (digits_cut and _UNIT.match(cur) and _NUMBER.match(_w(text, words, j - 1)) and _PER.match(nxt)
              and _gap(text, words, j + 1) and re.match(r"^[a-z]+$", _w(text, words, j + 2))):
            j += 2  # a unit with "per" after a number in digits, as whole_value always kept it ("40 cents per page")
            break
        else:
            break
        if _MONEY_UNIT.match(_w(text, words, j)) or text[words[i][0]] in "$€£":
            money = True
    return i, j


def _name_word(text: str, span: tuple[int, int]) -> bool:
    w = text[span[0]:span[1]]
    return w[:1].isupper() and w.lower() not in {"i", "the", "our", "we", "it", "a", "an", "no", "yes"}


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in ".!?:;|"


def snap(value: str, source: str) -> str | None:
    """The substring of `source` that `value` refers to, whole (see `whole_value`), or None."""
    value = " ".join(str(value).split())
    if not value or not source:
        return None
    at = source.lower().find(value.lower())
    if at >= 0:
        a, b = at, at + len(value)
    else:
        m = fuzz.partial_ratio_alignment(value.lower(), source.lower(), score_cutoff=SNAP_SCORE)
        if m is None:
            return None
        a, b = m.dest_start, m.dest_end
        # The aligned words, whole, must still read like the value ("Chen" is not "Checked").
        words = [(s, e) for s, e in _words(source) if e > a and s < b]
        if not words or fuzz.ratio(value.lower(), source[words[0][0]:words[-1][1]].lower()) < SNAP_SCORE:
            return None
    a, b = whole_value(source, a, b)
    return source[a:b] or None


def keep_whole(value: str, text: str) -> str:
    """`value` widened to the whole value where `text` (the turn) holds it as tagged."""
    at = text.find(value) if value else -1
    if at < 0:
        return value
    a, b = whole_value(text, at, at + len(value))
    return text[a:b] or value


def snap_items(items: list[dict[str, Any]], text: str, context: list[dict]) -> list[dict[str, Any]]:
    """The items with values kept whole and `replaces` in the previous answer's words."""
    _, previous = previous_exchange(context or [])
    out = []
    for item in items:
        item = dict(item)
        for field in ("answer", "object"):
            if isinstance(item.get(field), str) and item[field]:
                item[field] = keep_whole(item[field], text)
        old = item.get("replaces")
        key = "answer" if item.get("kind") == "qa" else "object"
        if isinstance(old, str) and old and item.get("kind") in ("qa", "fact"):
            if previous and re.search(rf"(?<!\w){re.escape(old)}(?!\w)", previous):
                item["replaces"] = _like(old, str(item.get(key, "")), previous)
            else:
                snapped = snap(old, previous) if previous else None
                item["replaces"] = snapped or (keep_whole(old, text) if _has_number(old) else old)
            new = _new_value(text, item["replaces"]) if _same(item.get(key), item["replaces"]) else None
            if new is None and _same(item.get(key), item["replaces"]) and _has_number(item["replaces"]) \
                    and any(_same(item["replaces"], m) for m in _marked_old(text)):
                # "$15 was the old price. Punctures are $18 now.": the one other value of its shape
                new = _other_value(text, item["replaces"], item["replaces"])
            if new:
                item[key] = new  # "that's 7 am, it's 6 am now": the value after the old one
            _swap_marked_old(item, key, text)
        elif item.get("kind") in ("qa", "fact") and not old:
            _stated_change(item, key, text)
        out.append(item)
    return out


# A change stated in the turn itself, with no assistant answer before it: "now leaves at 11:15 pm,
# not 10:45 pm", "it used to be $3", "went up from $12 to $15", "is no longer 555-0142, it's
# 555-0199", "$40 a month, up from $35". Only values with a digit (times, prices, amounts, numbers): a bare "from" or "was"
# before a value says no change ("open from 9 am to 5 pm"), so "from" counts after a verb of
# change only.
_DIGIT_VALUE = r"[$€£]?\d[\w.,:/%+\-]*"  # where a value with a digit starts (widened by whole_value)
_CHANGE_VERB = (r"(?:went|gone|goes|go|has gone|moved|moves|rose|risen|rises|fell|fallen|falls|increased|increases|"
                r"decreased|decreases|dropped|drops|changed|changes|raised|lowered|cut|jumped|climbed|reduced|"
                r"shifted|pushed|brought)")
_OLD_CUE = re.compile(
    r"(?:\bnot|\binstead of|\brather than|\b(?:the|our|that|this|my)\s+(?:old|previous|former|outdated)"
    r"|\bno longer(?: is| at| costs?)?|\bused to (?:be|cost|open|close|start|"
    r"leave|run|take)(?: at)?|\bpreviously|\bformerly|\b(?:up|down) from|\b" + _CHANGE_VERB + r"\b(?: (?:up|down|back|forward))?"
    r"[^.;!?]{0,40}?\bfrom)\s+(?P<old>" + _DIGIT_VALUE + ")", re.I)


# "$15 was the old price", "10% was last year's", "the 9 am start is out of date": the value named
# before a word that says it no longer holds.
_OLD_AFTER = re.compile(
    r"(?P<old>" + _DIGIT_VALUE + r")(?:\s+[\w-]+){0,2}?\s+(?:was|is|were|are)\s+(?:(?:the|our|my)\s+)?"
    r"(?:old|previous|former|outdated|out of date|last\s+(?:year|season|term|semester|month|week|time|summer|winter|spring|autumn)(?:'s)?|wrong)\b", re.I)


def _other_value(text: str, old: str, like: str) -> str | None:
    """The one value of the turn with a digit, other than `old`, of the same shape as `like`
    (a currency, a percent, a time): "Punctures are $18 now" after "$15 was the old price"."""
    found = []
    for m in re.finditer(_DIGIT_VALUE, text):
        value = _value_at(text, m.start(), m.end())
        if value.lower() != old.lower() and _shape(value) == _shape(like) and value not in found:
            found.append(value)
    return found[0] if len(found) == 1 else None


def _value_at(text: str, a: int, b: int) -> str:
    """The whole value around text[a:b] (whole_value), without a sentence's closing stop."""
    a, b = whole_value(text, a, b)
    return text[a:b].rstrip(".,")


def _shape(value: str) -> str:
    return ("$" if value[:1] in "$€£" else "") + ("%" if "%" in value else "") + \
        ("t" if re.search(r"\d(?::\d\d)?\s*(?:am|pm)\b|\d:\d\d", value, re.I) else "")


def _stated_change(item: dict[str, Any], key: str, text: str) -> None:
    """`replaces` from an old value the turn names, and the value after it when the item
    took the old one for its value. Changes `item` in place."""
    value = item.get(key)
    if not isinstance(value, str) or not (_has_number(value) or _has_number(in_digits(value))):
        return  # "eight in the morning instead of 7:30" states a change as well as "8 am instead of 7:30"
    for m in _OLD_AFTER.finditer(text):
        old = _value_at(text, m.start("old"), m.end("old"))
        if _same(value, old):  # the old value taken for the value: the other value of its shape is the new one
            new = _other_value(text, old, old)
            if new:
                item[key], item["replaces"] = new, old
            return
        if old.lower() not in value.lower():
            item["replaces"] = old
            return
    for m in _OLD_CUE.finditer(text):
        old = _value_at(text, m.start("old"), m.end("old"))
        if not old or old.lower() in value.lower():
            if _same(value, old) and (new := _new_value(text, old)) and _has_number(new):
                item[key], item["replaces"] = new, old  # "no longer 555-0142, it's 555-0199"
                return
            continue
        item["replaces"] = old
        return


def _marked_old(text: str) -> list[str]:
    """The values the turn itself says are old ("that's the old $20 rate", "$15 was the old price")."""
    found = []
    for m in [*_OLD_AFTER.finditer(text), *_OLD_CUE.finditer(text)]:
        old = _value_at(text, m.start("old"), m.end("old"))
        if old and old not in found:
            found.append(old)
    return found


def _swap_marked_old(item: dict[str, Any], key: str, text: str) -> None:
    """The value an extractor took is the one the turn calls old, and `replaces` is a value of
    the turn that it does not: the two are swapped ("that's the old $20 rate ... $25 since the
    spring" read as $20 replacing $25). Changes `item` in place."""
    value, old = str(item.get(key) or ""), str(item.get("replaces") or "")
    marked = _marked_old(text)
    if not value or not _has_number(value) or not any(_same(value, m) or m.lower() in value.lower() for m in marked):
        return
    if old and old.lower() in text.lower() and not any(_same(old, m) for m in marked) and _has_number(old):
        item[key], item["replaces"] = old, next(m for m in marked if _same(value, m) or m.lower() in value.lower())


# "that's 7 am, it's 6 am now" / "not 35 euros, it's 45 euros": the new value follows the old.
_AFTER_OLD = re.compile(r"^\W*(?:[,;]|\s)\s*(?:but\s+)?(?:it's|it is|it's now|it is now|now it's|now|now it is|it has"
                        r" changed to|it changed to|it should be|should be)\s+(?P<new>.+?)"
                        r"(?:\s+(?:now|these days|nowadays|today|instead))?\s*(?:[.!;,]|$)", re.I)


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and " ".join(a.lower().split()) == " ".join(b.lower().split())


def _new_value(text: str, old: str) -> str | None:
    at = text.lower().find(old.lower())
    if at < 0:
        return None
    m = _AFTER_OLD.match(text[at + len(old):])
    return m.group("new").strip() if m and m.group("new").strip() else None


def _like(old: str, value: str, previous: str) -> str:
    """`old` (words of the previous answer) in the shape of the new value: a name whole
    ("Shah" -> "Dev Shah"), and the noun or unit the value carries ("D12" -> "gate D12" when
    the value is "gate D14" and the answer said "gate D12"; "15" -> "15 minutes")."""
    at = re.search(rf"(?<!\w){re.escape(old)}(?!\w)", previous)
    if at is None:
        return old
    if old[:1].isupper() and not _has_number(old):
        a, b = whole_value(previous, at.start(), at.end())
        return previous[a:b] or old
    words = value.split()
    if len(words) >= 2 and _has_number(old):
        head, tail = words[0], words[-1]
        if not _has_number(head) and _has_number(words[1]) and not old.lower().startswith(head.lower()) \
                and previous[:at.start()].lower().endswith(head.lower() + " "):
            return f"{previous[at.start() - len(head) - 1:at.start() - 1]} {old}"
        if not _has_number(tail) and _has_number(words[-2]) and not old.lower().endswith(tail.lower()) \
                and previous[at.end():].lower().startswith(" " + tail.lower()):
            return f"{old} {previous[at.end() + 1:at.end() + 1 + len(tail)]}"
    return old


def _has_number(value: str) -> bool:
    return any(c.isdigit() for c in value)
