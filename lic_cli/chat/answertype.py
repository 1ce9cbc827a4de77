"""The question's form: what kind of answer it asks for, whether it speaks of the asker, and
what kind of value a row holds.

MiniLM puts "When does the kiln fire?" as close to "How much is a kiln firing?" as to
"When does the kiln fire? Wednesday nights": it reads the topic, not what is asked.
The question's form says what kind of answer it wants (when: a time, a day or a date;
how much: a price; who: a person; where: a place; the phone / email / website), and a
row's value says what kind it is. `agreement` is +1 when the value is of a kind the
question asks for, -1 when the question asks for kinds and the value is of other kinds
only, 0 when either is unknown. Retrieval adds it, weighted, to a row's score
(lic_cli/chat/rowindex.py `blend`).

A question that speaks of the asker or to the assistant ("I lost my access card, what do I
owe?", "Where are you?": `situated`) is about the place the assistant serves far more often
than a general one ("What day comes after Friday?"): on the dev domains 49 % of the
paraphrases do, 14 % of general.jsonl's probes. Retrieval lifts such questions a little.
"""

from __future__ import annotations

import re

# What a question asks for: (pattern on the lowercased question, kinds). Every pattern that
# matches adds its kinds; the first three are exclusive (a question about an email address
# is not a question about a place).
_ASKS_EXCLUSIVE = [
    (re.compile(r"\be-?mail\b|\bwrite to\b|\bmail address\b"), {"email"}),
    (re.compile(r"\bsend (a |an )?(message|note)\b"), {"email", "phone"}),
    (re.compile(r"\b(tele)?phone\b|\b(to|i|we|can|should) call\b|\bcall (you|them|the|us|someone)\b|\bring\b|\bhotline\b|\bnumber (to|for) (call|ring|reach|text)\b"
                r"|\bwhatsapp\b|\bsms\b|\btext (you|them|the)\b"), {"phone"}),
    (re.compile(r"\bwebsite\b|\bweb ?page\b|\burl\b|\bweb address\b|\blink\b"), {"url"}),
]
_ASKS = [
    (re.compile(r"^\s*(who|whom|whose)\b|\bwho (is|are|runs|do|does|should|can|leads|looks|handles|teaches)\b"
                r"|\b(which|what) (staff|person|member of staff|employee|trainer|coach|vet|doctor|nurse|teacher|"
                r"instructor|manager|technician|colleague)\b|\bname of (the|our|your) \w+ (manager|head|lead)\b"),
     {"person"}),
    (re.compile(r"\bwhere\b|\bwhich (floor|room|building|street|entrance|desk|office|part)\b|\b(street|postal) "
                r"address\b|\blocation\b|\bhow do i (get|find)\b"), {"place"}),
    (re.compile(r"\bwhen\b|\bwhat time\b|\bhow (early|late)\b|\b(what|which) (day|days|night|date|hour|month|"
                r"weekday)\b|\bopening (hour|time)s?\b|\bclosing (hour|time)s?\b|\bwhat year\b|\bsince when\b|"
                r"\bhow soon\b|\bdeadline\b"),
     {"time", "day", "date", "year"}),
    (re.compile(r"\bhow much\b(?! (warning|notice|time|longer|earlier|in advance))|\bcost\b|\bprice\b|\bpriced\b|\bfee\b|\bfees\b|\bcharge\b|\bcharged\b|\bpay\b|"
                r"\bowe\b|\bcheaper\b|\bdiscount\b|\bexpensive\b|\brate\b"), {"money", "percent"}),
    (re.compile(r"\bhow long\b|\bhow far (ahead|in advance)\b|\bhow many (minutes|hours|days|weeks|months|years)\b|"
                r"\bhow much (time|warning|notice|longer)\b|\bduration\b|\bnotice\b|\bin advance\b"), {"duration"}),
    (re.compile(r"\bhow many\b|\bhow often\b|\blimit\b|\bmaximum\b|\bmax\b|\bminimum\b|\bup to\b"),
     {"count", "duration", "size"}),
    (re.compile(r"\bhow (big|thick|wide|large|tall|heavy|long is the|high|deep|far)\b|\bwhat size\b|\bdimensions?\b"),
     {"size", "count"}),
]

_DAYS = r"(mon|tues|wednes|thurs|fri|satur|sun)days?|weekends?|weekdays?|daily|nightly|nights?|tonight|tomorrow"
_MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred|once|twice"
_HAS = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")),
    ("url", re.compile(r"https?://|\bwww\.|\b[\w-]+\.(com|org|net|edu|io|ac\.uk|co\.uk)\b(?!@)")),
    ("phone", re.compile(r"\+?\d[\d ()-]{5,}\d|\bext(ension)?\.? ?\d{3,}")),
    ("time", re.compile(r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2} ?(am|pm|a\.m\.|p\.m\.)|\bnoon\b|\bmidnight\b|"
                        r"\bo'clock\b", re.IGNORECASE)),
    ("day", re.compile(rf"\b({_DAYS})\b", re.IGNORECASE)),
    ("date", re.compile(rf"\b({_MONTHS})\b|\b\d{{1,2}}(st|nd|rd|th)\b|\b(first|second|third|fourth|last) \w+ of\b",
                        re.IGNORECASE)),
    ("year", re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")),
    ("money", re.compile(r"[$€£¥]|\b(euros?|dollars?|cents?|pounds?|pence|usd|eur|gbp|free|no charge)\b",
                         re.IGNORECASE)),
    ("percent", re.compile(r"%|\bper ?cent\b", re.IGNORECASE)),
    ("duration", re.compile(r"\b(\d+|" + _NUMBER_WORDS + r"|a|an|half an?)[ -](seconds?|minutes?|mins?|hours?|"
                            r"hrs?|days?|weeks?|months?|years?|nights?)\b", re.IGNORECASE)),
    ("size", re.compile(r"\b\d+(\.\d+)? ?(mm|cm|m|km|kg|g|gb|mb|tb|inch(es)?|ft|feet|litres?|liters?|ml)\b",
                        re.IGNORECASE)),
    ("count", re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE)),
    ("place", re.compile(r"\b(street|st\.|road|rd\.|lane|avenue|ave\.|floor|room|building|unit|suite|wing|hall|"
                         r"entrance|campus|level|basement|reception|next to|behind|opposite|beside|near|"
                         r"inside|outside|upstairs|downstairs|corner)\b", re.IGNORECASE)),
    ("person", re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+ (?:[A-Z]\. )?[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b|"
                          r"^[A-Z][a-z]+ (?:[A-Z]\. )?[A-Z][a-z]+$|\b(dr|mr|mrs|ms|prof)\.? [A-Z]")),
]


_SITUATED = re.compile(r"\b(i|i'm|i've|i'd|i'll|my|me|mine|you|your|you're|yours|we|our|us|here)\b", re.IGNORECASE)


def situated(question: str) -> bool:
    """Does the question speak of the asker or to the assistant (I, my, you, your, we, here)?"""
    return _SITUATED.search(question) is not None


def asks(question: str) -> set[str]:
    """The kinds of answer a question asks for (empty: its form does not say)."""
    q = question.lower()
    for pattern, kinds in _ASKS_EXCLUSIVE:
        if pattern.search(q):
            return set(kinds)
    out: set[str] = set()
    for pattern, kinds in _ASKS:
        if pattern.search(q):
            out |= kinds
    return out


def kinds(value: str) -> set[str]:
    """The kinds a value is (a price, a time, a person, ...; empty: none recognised)."""
    out = {name for name, pattern in _HAS if pattern.search(value)}
    if "email" in out or "url" in out:
        out -= {"person", "place", "count", "phone", "size"}
    if "phone" in out:
        out -= {"time", "year", "count"}
    return out


def agreement(asked: set[str], value: str) -> int:
    """+1: the value is of a kind asked for; -1: kinds are asked and the value has only others; 0: unknown."""
    if not asked:
        return 0
    have = kinds(value)
    if not have:
        return 0
    return 1 if have & asked else -1
