"""Rewrite a stored value in the dataset's own words: replace just the span a correction changes.

A correction usually carries a fragment ("30 days", "$120", "Tom Ortiz since May") while
the row holds a sentence ("You can request a refund within 14 days of delivery."). The
fragment's *typed core* (a price, a quantity with its unit, a time, a phone number, an
e-mail, a URL, a person's name) is found, then the span of the same type in the stored
sentence is replaced, and nothing else:

    rewrite("You can request a refund within 14 days of delivery.", "30 days")
    -> "You can request a refund within 30 days of delivery."

When the stored text holds several spans of that type ("a check-up costs $85 and a
cleaning costs $110"), the one whose clause shares words with the hint (the question and
the user's turn) is chosen; a tie is not guessed. No span at all: `None`, and the caller
proposes a rewrite for review instead of replacing a sentence with a fragment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from lic_cli.locate.numbers import NUMBER_PHRASE, NUMBER_WORD, NUMBER_WORDS, words_number

_CURRENCY = r"[$€£¥]"
_NUMBER = r"\d+(?:[.,]\d+)*"
_UNIT = r"[A-Za-z]+"
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
# Numbers said in words ("about three hours", "two weeks"): quantities like "3 hours". One
# reader for locate and extract (numbers.py, session 12).
_NUMBER_WORD = NUMBER_WORD
# Units a number word counts (a number word before any other word is not a quantity: "one of").
_WORD_UNITS = (r"(?:minutes?|hours?|days?|nights?|weeks?|months?|years?|working days?|business days?|people|persons?"
               r"|guests?|adults?|children|kids?|pages?|items?|bags?|pieces?|sessions?|lessons?|visits?|classes|seats?"
               r"|rooms?|tickets?|miles?|kilometres?|kilometers?|km|kg|metres?|meters?|times?)")
# Order matters: the first type that matches the new value is its type.
TYPES: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "url": re.compile(r"https?://\S+[\w/]|www\.\S+[\w/]"),
    "money": re.compile(rf"{_CURRENCY}\s?{_NUMBER}|{_NUMBER}\s?(?:USD|EUR|GBP|dollars|euros|pounds)\b"),
    "phone": re.compile(r"\+?\d[\d ().-]{5,}\d"),
    "time": re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:am|pm|a\.m\.|p\.m\.)(?![a-z])|\b\d{1,2}:\d{2}\b", re.I),
    "date": re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b(?:\s+\d{{4}})?"
                       rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?"),
    "quantity": re.compile(rf"\b{_NUMBER}(?:\s|-)(?:{_UNIT})\b|\b{_NUMBER_WORD}(?:\s|-){_WORD_UNITS}\b", re.I),
    "number": re.compile(rf"\b{_NUMBER}\b"),
    "name": re.compile(r"\b(?:(?:Dr|Mr|Mrs|Ms|Prof)\.\s)?[A-Z](?:['’][A-Z])?[a-z'’-]+"
                       r"(?:\s(?:[A-Z](?:['’][A-Z])?[a-z'’-]+|[A-Z]\.))+"),
}
_WORD = re.compile(r"[a-z0-9]+")
_DANGLING = re.compile(r"(?:\s+(?:a|an|the|per|of|to|for|at|in|on|and|or|from|by|with))+$", re.I)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|[\"'(]\s*)$")
_TITLE = re.compile(r"(?:Dr|Mr|Mrs|Ms|Prof)\.\s")
_CLAUSE = re.compile(r",|;|\.\s|\s(?:and|but|while|whereas)\s")
STOP = frozenset("""a an the is are was were be been being am do does did of for to in on at by with from as
 and or but if then than that this these those it its it's we our you your they their he she his her i me my
 what which who whom whose how when where why can could will would should may might must shall has have had
 there here now no not yes so just also only per up about into over under again still any all each every
 much many long cost costs price prices charged charge get got please actually wrong right anymore since
 new old currently today tell know within s t""".split())
# An untyped replaced fragment ("upper deck") not verbatim in the stored value: rapidfuzz's
# partial alignment must score at least this for its closest span to be the one replaced
# (chosen on round 1 of the trial and tests/test_corrections.py phrasings; docs/locate.md).
ALIGN = 85
ALIGN_STRETCH = 1.5  # the aligned span, widened to whole words, may be at most this much longer


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str
    unit: str = ""  # quantities: the unit word, normalized


@dataclass(frozen=True)
class Rewrite:
    text: str  # the stored value with the span replaced
    old: str  # the span that was replaced
    new: str  # what replaced it
    kind: str  # the span type, or "whole" for a value replaced as a whole


def stem(word: str) -> str:
    """A crude stem that maps a word's forms to one string: "siblings" and "sibling", "minutes"
    and "minute", "walks" and "walked", "prices" and "price" (plural first, then -ing/-ed, then
    a final e)."""
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[:-len(suffix)]
            break
    # Nouns made from a word: "hardness" is "hard", "storage" is "store" (a stem of 4+ letters).
    for suffix in ("ness", "age"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def content_words(text: str) -> set[str]:
    return {stem(w) for w in _WORD.findall(text.lower()) if w not in STOP and not w.isdigit()}


def unit(text: str) -> str:
    m = re.search(rf"(?:{_NUMBER}|\b{_NUMBER_WORD})(?:\s|-)({_UNIT})", text, re.I)
    return stem(m.group(1).lower()) if m else ""


def number_of(text: str) -> str:
    """The number a quantity starts with, in digits ("three hours" -> "3")."""
    m = re.match(rf"{_NUMBER}|{_NUMBER_WORD}\b", text.strip(), re.I)
    if not m:
        return ""
    word = m.group(0).lower()
    return str(NUMBER_WORDS[word]) if word in NUMBER_WORDS else re.sub(r"[\s,]", "", word)


# Durations said as a fraction of an hour: the same quantity as the minutes a row may state.
_HOUR_PARTS = ((re.compile(r"\bhalf(?:\s+an|-an)?[\s-]+hour\b", re.I), "30 minutes"),
               (re.compile(r"\bquarter(?:\s+of)?(?:\s+an|-an)?[\s-]+hour\b", re.I), "15 minutes"),
               (re.compile(r"\bthree[\s-]quarters\s+of\s+an\s+hour\b", re.I), "45 minutes"))


def quantities(text: str) -> set[str]:
    """Every quantity a text states, as "number:unit" ("half an hour" and "30-minute" both
    give "30:minut"): which of two values a hint is about, when their clauses differ only there."""
    for pat, same_as in _HOUR_PARTS:
        text = pat.sub(same_as, text)
    return {f"{number_of(q.text)}:{q.unit}" for q in spans(text, "quantity")}


def spans(text: str, kind: str) -> list[Span]:
    """Spans of one type in `text`, left to right (a name at the very start of a sentence
    needs two words; one capitalized word there is just the sentence's first word)."""
    if kind == "count":  # no pattern of its own: counts() reads them around other types
        return counts(text)
    out = []
    for m in TYPES[kind].finditer(text):
        s, start = m.group(0).rstrip(".,;:"), m.start()
        if kind == "name":  # "Declan Byrne's job": the possessive is not part of the name
            s = re.sub(r"['’]s$", "", s)
        if kind == "name" and _SENTENCE_START.search(text[:start]) and len(s.split()) >= 3 and not _TITLE.match(s):
            # "Call Hannah Moss, ...": a sentence's capitalized first word before a name is not part of it
            cut = s.index(" ") + 1
            s, start = s[cut:], start + cut
        out.append(Span(kind, start, start + len(s), s, unit(s) if kind == "quantity" else ""))
    if kind == "number":  # numbers that are part of a richer type are not bare numbers
        taken = [(s.start, s.end) for k in ("money", "phone", "time", "date", "quantity") for s in spans(text, k)]
        out = [s for s in out if not any(a <= s.start < b for a, b in taken)]
    if kind == "quantity":  # "31 October" is a date, not 31 of something
        dates = [(s.start, s.end) for s in spans(text, "date")]
        out = [s for s in out if not any(a <= s.start < b for a, b in dates)]
    return out


def core(value: str) -> Span | None:
    """The typed core of a new value: its first span of the first type that has one."""
    for kind in TYPES:
        found = spans(value, kind)
        if found:
            return found[0]
    return None


def is_sentence(text: str) -> bool:
    """A whole answer, not a fragment: ends like a sentence, or is long."""
    t = text.strip()
    return bool(t) and (t[-1] in ".!?" and len(t.split()) >= 3 or len(t.split()) >= 8)


# Units of time: one duration replaces another whatever unit each is said in ("ten days" ->
# "two weeks"), as stems (unit()).
DURATIONS = frozenset({"second", "minut", "minute", "hour", "day", "night", "week", "month", "year", "working day",
                       "business day"})


def compatible(a: Span, b: Span) -> bool:
    """Can `b` replace `a`: the same type (quantities: the same unit, or two durations)."""
    if a.kind != b.kind:
        return False
    if a.kind == "quantity":
        return a.unit == b.unit or (a.unit in DURATIONS and b.unit in DURATIONS)
    return True


def _replacement(old: Span, new: Span) -> str:
    """What goes where `old` was: a quantity keeps the stored form of its unit ("14-day")."""
    if old.kind == "quantity" and old.unit != new.unit:
        return new.text  # another unit of time ("two weeks" for "ten days"): said as the user said it
    if old.kind == "quantity":
        num_old = re.match(rf"{_NUMBER}|{_NUMBER_WORD}\b", old.text, re.I)
        num_new = re.match(rf"{_NUMBER}|{_NUMBER_WORD}\b", new.text, re.I)
        if num_old and num_new:
            number = num_new.group(0)
            value = number_of(new.text)
            if num_old.group(0)[0].isalpha() and value.isdigit():  # "three hours" stays in words: "four hours"
                words = {v: w for w, v in NUMBER_WORDS.items()}
                number = words.get(int(value), number)
                number = number.capitalize() if num_old.group(0)[0].isupper() else number
            elif num_old.group(0)[0].isdigit():
                number = value or number
            return number + old.text[num_old.end():]
    if old.kind == "time":  # "7pm" for "6 pm": written as the row writes its times
        m_old = re.match(r"(\d{1,2}(?::\d{2})?)(\s?)([ap]\.?m\.?)?", old.text, re.I)
        m_new = re.match(r"(\d{1,2}(?::\d{2})?)\s?([ap]\.?m\.?)?", new.text, re.I)
        if m_old and m_new and m_old.group(3) and m_new.group(2):
            stored_suffix, letter = m_old.group(3), m_new.group(2)[0]
            letter = letter.upper() if stored_suffix[0].isupper() else letter.lower()
            return m_new.group(1) + m_old.group(2) + letter + stored_suffix[1:]
        if m_old and m_new and m_old.group(3) and not m_new.group(2) and m_new.end() == len(new.text):
            # "4:30" (said "half past four") for "4 pm": the stored part of the day stays;
            # "9:00" (said "nine o'clock") is written "9 pm" beside a row's "8 pm"
            hhmm = m_new.group(1)[:-3] if m_new.group(1).endswith(":00") and ":" not in m_old.group(1) else m_new.group(1)
            return hhmm + m_old.group(2) + m_old.group(3)
    return new.text


_ASIDE = re.compile(r"\([^()]*\)")


def clause(text: str, span: Span) -> str:
    # Commas and "and" inside brackets ("(skis, boots and poles)") do not end a clause.
    asides = [(m.start(), m.end()) for m in _ASIDE.finditer(text)]
    seps = [m for m in _CLAUSE.finditer(text) if not any(a < m.start() < b for a, b in asides)]
    starts = [0] + [m.end() for m in seps if m.end() <= span.start]
    ends = [m.start() for m in seps if m.start() >= span.end] + [len(text)]
    return text[max(starts):min(ends)]


def pick(text: str, found: list[Span], hint: str) -> Span | None:
    """The span the hint is about: the only one, or the one whose clause alone shares the most
    words with the hint (words every clause has do not count). None on a tie."""
    if len(found) == 1:
        return found[0]
    if not found:
        return None
    # The values' own words ("pm" of "4 pm") say nothing about which value is meant.
    values = set().union(*(content_words(s.text) for s in found)) | set().union(*(quantities(s.text) for s in found))
    # A quantity beside the value says which one ("a 30-minute lesson is $32" for "half-hour lessons").
    clauses = [(content_words(clause(text, s)) | quantities(clause(text, s))) - values for s in found]
    common = set.intersection(*clauses)
    want = content_words(hint) | quantities(hint)
    # Words before the first span ("Printing costs 15 cents ... and 50 cents ...") are about
    # every span: they decide only when nothing else does.
    lead = content_words(text[:found[0].start])
    for ignore in (common | lead, common):
        scores = [len((c - ignore) & want) for c in clauses]
        best = max(scores)
        if best > 0 and scores.count(best) == 1:
            return found[scores.index(best)]
        tied = [s for s, n in zip(found, scores, strict=True) if n == best]
        if best > 0 and len(tied) == 2 and (end := range_end(text, tied, hint)) is not None:
            # "8 am to 6 pm in summer, and 9 am to 4 pm in winter": the winter range, then its end
            return end
    return range_end(text, found, hint)


_RANGE = re.compile(r"^\s*(?:to|until|till|through|-|–)\s*$")
END_CUES = frozenset("close closes closing closed until till end ends ending finish finishes latest last shut shuts".split())
START_CUES = frozenset("open opens opening start starts starting begin begins earliest first".split())


def range_end(text: str, found: list[Span], hint: str) -> Span | None:
    """Two values forming a range ("from 10 am to 4 pm"): the end when the hint speaks only of
    closing or ending ("we close at 5 pm"), the start when only of opening or starting."""
    if len(found) != 2 or not _RANGE.match(text[found[0].end:found[1].start]):
        return None
    words = set(re.findall(r"[a-z]+", hint.lower()))
    end, start = bool(words & END_CUES), bool(words & START_CUES)
    if end and start:  # "stays open until 15 November": the cue nearest before the value decides
        digit = re.search(r"\d", hint)
        for word in reversed(re.findall(r"[a-z]+", hint[:digit.start() if digit else len(hint)].lower())):
            if word in END_CUES or word in START_CUES:
                end, start = word in END_CUES, word in START_CUES
                break
    return found[1] if end and not start else found[0] if start and not end else None


def find_old(stored: str, new: Span, *, old: str | None = None, hint: str = "") -> Span | None:
    """The span of `stored` that `new` replaces: the given old value where it occurs, else the
    span of the same type the hint points to."""
    if old:
        oc = core(old)
        if oc is not None and compatible(oc, new):
            hits = [s for s in spans(stored, oc.kind) if same(s, oc)]
            if hits:
                return pick(stored, hits, hint) or hits[0]
        # A typed old value of another type than the new one ("24 hours" for "$50") is not
        # what the new value replaces: never a substring of it.
        i = stored.lower().find(old.lower()) if oc is None or compatible(oc, new) else -1
        if i >= 0 and len(old) < len(stored):
            return widen(stored, Span(new.kind, i, i + len(old), stored[i:i + len(old)]), new.kind)
    found = [s for s in spans(stored, new.kind) if compatible(s, new)]
    return pick(stored, found, hint)


def widen(text: str, part: Span, kind: str) -> Span:
    """`part` grown to whole words, and to the whole typed span of `kind` around it ("Linda"
    in "Linda Park"): a value is replaced whole, never a piece of it."""
    start, end = part.start, part.end
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    for s in spans(text, kind) if kind in TYPES else []:
        if s.start <= end and start <= s.end and (s.start < start or s.end > end):
            start, end = min(start, s.start), max(end, s.end)
    return Span(part.kind, start, end, text[start:end], part.unit)


def align(stored: str, fragment: str) -> Span | None:
    """The span of `stored` closest to `fragment` (rapidfuzz partial alignment, case-blind),
    widened to whole words; None when it scores below ALIGN, is much longer than the
    fragment, or is the whole stored value."""
    frag = fragment.strip()
    if not frag or len(frag) >= len(stored):
        return None
    r = fuzz.partial_ratio_alignment(frag.lower(), stored.lower())
    if r is None or r.score < ALIGN:
        return None
    part = widen(stored, Span("text", r.dest_start, r.dest_end, stored[r.dest_start:r.dest_end]), "")
    text = part.text.strip(" ,;:")
    if not text or len(text) > ALIGN_STRETCH * len(frag) or len(text) >= len(stored.strip().rstrip(".!?")):
        return None
    at = stored.find(text, part.start)
    return Span("text", at, at + len(text), text)


def widen_value(value: str, said: str) -> str:
    """A new value that is a piece of a typed span of the turn it came from ("Sam" of "Sam
    Rivera took over") is that whole span; anything else is kept as it is."""
    v = value.strip()
    i = said.lower().find(v.lower()) if v else -1
    if i < 0 or core(v) is not None and core(v).kind != "name":
        return value
    for kind in ("name", "email", "url", "phone"):
        for s in spans(said, kind):
            if s.start <= i and i + len(v) <= s.end and len(s.text) > len(v):
                return s.text
    return value


_SYMBOL = {"dollar": "$", "buck": "$", "euro": "€", "quid": "£", "pound": "£"}
_NUMBER_PHRASE = NUMBER_PHRASE
_MONEY_WORDS = re.compile(rf"\b(a|an|{_NUMBER_PHRASE})\s+(dollar|buck|euro|quid|pound)s?"
                          rf"(?:\s+and\s+({_NUMBER_PHRASE})\s+(?:cents|pence)|\s+({_NUMBER_PHRASE})"
                          rf"(?:\s+(?:cents|pence))?(?!\s+{_WORD_UNITS}\b|[\w-]))?\b", re.I)
# A clock time in words: "eight", "eight thirty", "half past six", "a quarter to ten", then the part of the day.
_CLOCK_WORDS = re.compile(rf"\b(?:(?P<part>(?:a\s+)?quarter|half)\s+(?P<rel>past|to)\s+)?(?P<hour>{_NUMBER_WORD})"
                          rf"(?:\s+(?P<min>{_NUMBER_PHRASE}))?\s+(?:o'clock\s+)?(?:(?P<am>in the morning|a\.?m\.?)"
                          r"|in the (?:afternoon|evening)|at night|p\.?m\.?)(?=\W|$)", re.I)


# A clock time in words with no part of the day: "half past four", "a quarter to ten", "nine o'clock".
_CLOCK_BARE = re.compile(rf"\b(?:(?P<part>(?:a\s+)?quarter|half)\s+(?P<rel>past|to)\s+(?P<hour>{_NUMBER_WORD})"
                         rf"|(?P<oclock>{_NUMBER_WORD})\s+o'clock)\b(?!\s+(?:in the|at night|[ap]\.?m\b))", re.I)


def in_digits(value: str) -> str:
    """A value said in words written with digits, as rows write it: "fifteen dollars" -> "$15",
    "a dollar a ticket" -> "$1 a ticket", "six dollars fifty" -> "$6.50", "eight in the
    morning" -> "8 am", "half past six in the evening" -> "6:30 pm". Anything else is returned
    as it is (quantities in words are matched as they are: `_replacement`)."""
    def money(m: re.Match[str]) -> str:
        n = words_number(m.group(1))
        said = m.group(3) or m.group(4)
        cents = words_number(said) if said else 0
        if n is None or cents is None or not 0 <= cents < 100:
            return m.group(0)
        return f"{_SYMBOL[m.group(2).lower()]}{n}" + (f".{cents:02d}" if cents else "")

    def clock(m: re.Match[str]) -> str:
        hour = NUMBER_WORDS.get(m.group("hour").lower())
        minutes = words_number(m.group("min")) if m.group("min") else 0
        if hour is None or minutes is None or not 1 <= hour <= 12 or not 0 <= minutes < 60 \
                or (m.group("part") and m.group("min")):
            return m.group(0)
        if m.group("part"):
            minutes = 30 if m.group("part").lower() == "half" else 15
            if m.group("rel").lower() == "to":
                hour, minutes = (hour - 2) % 12 + 1, 60 - minutes
        return f"{hour}" + (f":{minutes:02d}" if minutes else "") + (" am" if m.group("am") else " pm")

    def bare(m: re.Match[str]) -> str:  # "half past four" -> "4:30": the row's part of the day is kept (_replacement)
        hour = NUMBER_WORDS.get((m.group("hour") or m.group("oclock")).lower())
        if hour is None or not 1 <= hour <= 12:
            return m.group(0)
        minutes = 0
        if m.group("part"):
            minutes = 30 if m.group("part").lower() == "half" else 15
            if m.group("rel").lower() == "to":
                hour, minutes = (hour - 2) % 12 + 1, 60 - minutes
        return f"{hour}:{minutes:02d}"

    return _CLOCK_BARE.sub(bare, _CLOCK_WORDS.sub(clock, _MONEY_WORDS.sub(money, value)))


_SENTENCE = re.compile(r"(?<=[.!?;])\s+")


def stating(said: str, value: str) -> str:
    """The sentences of a turn that state `value` ("Adults are $45 a day now. The junior price
    hasn't moved." -> the first): the words about the value, without those about what stays.
    The whole turn when no sentence holds it."""
    v = value.strip().lower()
    parts = [p for p in _SENTENCE.split(said) if v and v in p.lower()]
    return " ".join(parts) if parts else said


def _norm(text: str) -> str:
    return re.sub(r"[\s,]", "", text.lower())


def same(a: Span, b: Span) -> bool:
    """The same typed value: "14 days" is "14-day"; "$1,200" is "$1200"."""
    if not compatible(a, b):
        return False
    if a.kind == "quantity" and a.unit != b.unit:
        return False  # "ten days" is not "ten weeks"
    if a.kind in ("quantity", "count"):
        na, nb = number_of(a.text), number_of(b.text)
        return bool(na and nb) and na == nb
    return _norm(a.text) == _norm(b.text)


_DAYPART = re.compile(r"\s*(?:am|pm|a\.m\.|p\.m\.)$", re.I)


def same_kept(a: Span, kept: Span) -> bool:
    """`a` is a value the turn says stays: the same value, or the same clock time said without
    its part of the day ("the morning one is still at 11:30" keeps "11:30 am")."""
    if same(a, kept):
        return True
    if a.kind != "time" or kept.kind != "time":
        return False
    if _DAYPART.search(a.text) and _DAYPART.search(kept.text):
        return False
    clock = [re.sub(r"^(\d+)$", r"\1:00", _DAYPART.sub("", x.text).strip()) for x in (a, kept)]
    return clock[0] == clock[1]


def contains(stored: str, value: Span) -> bool:
    """Does `stored` state this typed value?"""
    return any(same(s, value) for s in spans(stored, value.kind))


def old_value(previous: str, new: Span, hint: str = "", keep: list[Span] | tuple = (),
              staying: frozenset[str] | set[str] = frozenset(), said: str = "") -> Span | None:
    """The value a correction replaces, read from the answer it corrects (`replaces` or the
    previous assistant turn): the span of the new value's type there that the hint is about,
    never one the turn says stays (`keep`, from `said_to_stay`; with the turn `said`, only where
    the answer's clause is the one the staying clause names: `kept_here`), nor one in a clause
    the turn names as staying (`staying`, from `named_to_stay`)."""
    found = [s for s in spans(previous, new.kind)
             if compatible(s, new) and not same(s, new)
             and not any(same_kept(s, k) for k in keep if kept_here(previous, s, said, new))]
    if len(found) > 1 and staying:
        # "Designer frames didn't go up": the clause whose own words the staying sentence names
        words = [content_words(clause(previous, s)) - content_words(s.text) for s in found]
        common = set.intersection(*words)
        left = [s for s, w in zip(found, words, strict=True) if not (w - common) & staying]
        found = left if left else found
    return pick(previous, found, hint)


def named_to_stay(said: str, new: Span) -> frozenset[str]:
    """Content words of the turn's sentences that say something stays without giving a value of
    the new one's type ("Designer frames didn't go up."): what they name is not what changed."""
    out: set[str] = set()
    for sentence in _SENTENCE.split(said):
        if _STAYS.search(sentence) and not [x for x in spans(sentence, new.kind) if compatible(x, new)]:
            out |= content_words(_STAYS.sub(" ", sentence))
    return frozenset(out)


# Words saying a value is unchanged: "Juniors are still $5.50", "the child price remains £7",
# "weekends haven't changed (10 am)", "the group price is the same" (session 12). General
# English, not one domain's wording.
_STAYS = re.compile(r"\b(?:still|unchanged|remains?|remained|stays?|stayed|staying|same as before|as before|"
                    r"(?:is|are|was|were|'s|’s) the same|the same as|no change|not changing|(?:holds?|holding|held) at|"
                    r"(?:has|have|had|did|does|do|is|are|was)(?:n't| not) (?:changed?|moved?|gone up|gone down|"
                    r"go up|go down|went up|went down|budged|shifted|rise|risen|rose|increased?|fall|fallen))\b", re.I)


def said_to_stay(said: str, new: Span) -> list[Span]:
    """The values of the new one's type that a turn says stay as they are: for each word saying
    so, the nearest such value of its sentence that is not the new one ("It's $8.50 for adults
    now. Juniors are still $5.50." -> $5.50; "Large boxes are $6 now, small ones unchanged at
    $3" -> $3). A value the turn calls old ("not 10 pm", "instead of $9") is never kept. A
    correction never replaces one of these."""
    kept: list[Span] = []
    for sentence in _SENTENCE.split(said):
        found = [s for s in spans(sentence, new.kind) if compatible(s, new) and not same(s, new)
                 and not _CALLED_OLD.search(sentence[:s.start])]
        for cue in _STAYS.finditer(sentence) if found else ():
            middle = (cue.start() + cue.end()) / 2
            nearest = min(found, key=lambda s: abs((s.start + s.end) / 2 - middle))
            if not any(same(nearest, k) for k in kept):
                kept.append(nearest)
    return kept


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r",(?!\d)|;|\.\s|\s[-–]\s|\s(?:and|but|while|whereas)\s", text) if c.strip()]


def _stay_and_state(said: str, new: Span) -> tuple[frozenset[str], frozenset[str]]:
    """(what the turn's clauses saying a value stays name, what its clause stating the new value
    names), neither holding the other's words nor the values'."""
    stay, stating = set(), set()
    for c in _clauses(said):
        words = content_words(_STAYS.sub(" ", c)) - {"same", "change", "chang"}
        if any(compatible(x, new) and same(x, new) for x in spans(in_digits(c), new.kind)):
            stating |= words  # "the site now stays open until 15 November" states the new value
        elif _STAYS.search(c):
            stay |= words
    values = set().union(*(content_words(x.text) for x in spans(said, new.kind))) if stay else set()
    return frozenset(stay - stating - values), frozenset(stating - stay - values)


def kept_words(said: str, new: Span) -> frozenset[str]:
    """Session 12: what the turn's clauses saying a value stays name, beside what its clause
    stating the new value names ("half days are fourteen hundred now, full days stay at $2,400"
    -> {full}; "A standard tune-up is $65 now; e-bike tune-ups stay at $60" -> {e, bike}): the
    subject of what stays, never a word of the changed value's own clause."""
    return _stay_and_state(said, new)[0]


def kept_here(previous: str, s: Span, said: str, new: Span) -> bool:
    """Is `s` of the answer `previous` the value a staying clause of the turn keeps? Yes, unless
    its clause names what the clause stating the new value names and nothing of what the staying
    clauses name ("A standard tune-up is $65 now; e-bike tune-ups stay at $60" keeps nothing of
    "A standard tune-up is $60 and a brake adjustment is $25"). Without the turn, or without such
    words, the value alone decides (session 11)."""
    if not said:
        return True
    stay, stating = _stay_and_state(said, new)
    words = content_words(clause(previous, s))
    return bool(words & stay) or not (words & stating)


_CALLED_OLD = re.compile(r"\b(?:not|instead of|rather than|was|were|used to be|from)\s*$", re.I)


_COUNT_NEW = re.compile(rf"^(?:up to\s+|only\s+|just\s+)?(?P<n>\d+|{_NUMBER_WORD})(?:\s+(?P<rest>[A-Za-z][\w\s-]*))?$",
                        re.I)
_COUNT = re.compile(rf"\b(?:\d+|{_NUMBER_WORD})\b(?:\s+(?P<noun>[A-Za-z-]+))?", re.I)


def counts(text: str) -> list[Span]:
    """Numbers that count something ("six berths", "eight children", "12 places"), digits or
    words, outside money, times, dates and phone numbers ("one" aside: a pronoun as often)."""
    taken = [(s.start, s.end) for k in ("money", "phone", "time", "date") for s in spans(text, k)]
    out = []
    for m in _COUNT.finditer(text):
        num = m.group(0).split()[0]
        if num.lower() in ("one", "zero") or any(a <= m.start() < b for a, b in taken) \
                or re.match(r"[.,:]\d", text[m.start() + len(num):m.start() + len(num) + 2]):
            continue
        out.append(Span("count", m.start(), m.start() + len(num), num, stem((m.group("noun") or "").lower())))
    return out


def count_rewrite(stored: str, new_value: str, hint: str) -> Rewrite | None:
    """A new count said around other words ("eight liveaboard berths", "six kids") for the
    count a sentence states ("up to six berths", "a minimum of eight children"): the stored
    count whose noun is the new value's, else the one whose clause the hint is about (a lone
    count needs that too); only the number changes, written as the row writes numbers."""
    m = _COUNT_NEW.match(new_value.strip().rstrip("."))
    if not m or not m.group("rest") or not is_sentence(stored):  # a bare number says too little
        return None
    n = number_of(m.group("n"))
    nouns = {stem(w.lower()) for w in m.group("rest").split()}
    found = [c for c in counts(stored) if number_of(c.text) != n]
    named = [c for c in found if c.unit and c.unit in nouns]
    span = named[0] if len(named) == 1 else None
    if span is None and found:
        span = pick(stored, found, hint)
        # even a lone count must be in a clause the hint speaks of ("a minimum of ten visitors")
        if span is not None and not (content_words(clause(stored, span)) - nouns) & content_words(hint):
            span = None
    if span is None or not n.isdigit():
        return None
    number = n
    if span.text[0].isalpha():
        number = {v: w for w, v in NUMBER_WORDS.items()}.get(int(n), n)
        number = number.capitalize() if span.text[0].isupper() else number
    return Rewrite(stored[:span.start] + number + stored[span.end:], span.text, number, "count")


def rewrite(stored: str, new_value: str, *, old: str | None = None, hint: str = "",
            replaces: str | None = None) -> Rewrite | None:
    """`stored` with the corrected span replaced, or None when no span can be found.

    A new value that is itself a whole sentence, or a stored value that is no sentence
    (a fact's object), is replaced whole. `replaces`: the replaced words as the correction
    gave them (a fragment), for values no type describes ("upper deck" → "lower deck"):
    the stored span they align to is replaced (`align`)."""
    stored_s, new_s = stored.strip(), new_value.strip()
    if not new_s:
        return None
    nc = core(new_s)
    if nc is not None:
        span = find_old(stored_s, nc, old=old, hint=hint)
        if span is not None:
            new_text = _replacement(span, nc) if span.kind == nc.kind else nc.text
            if not is_sentence(stored_s) and not is_sentence(new_s) and span.start == 0 and span.end == len(stored_s):
                whole = _DANGLING.sub("", new_s)  # an extractor's "$10.50 a" is "$10.50"
                if whole != nc.text or span.kind != nc.kind:
                    # the new value as said, with what it says beside its core ("$450 per month")
                    new_text = whole if len(whole.split()) <= len(stored_s.split()) + 1 else new_text
                # else the core alone, written as the row writes it ("sixty days" for "90 days": "60 days")
            return Rewrite(stored_s[:span.start] + new_text + stored_s[span.end:], span.text, new_text, span.kind)
    if replaces and is_sentence(stored_s) and not is_sentence(new_s) and not is_sentence(replaces):
        if nc is None and core(replaces) is None:  # typed values were looked for above
            part = align(stored_s, replaces)
            if part is not None and part.text.lower() != new_s.lower():
                return Rewrite(stored_s[:part.start] + new_s + stored_s[part.end:], part.text, new_s, "text")
    if nc is None and old and _COUNT_NEW.match(new_s) and _COUNT_NEW.match(old.strip()):
        # a count the sweep carries ("eight" -> "six") in a row that states it ("eight children")
        number = number_of(new_s)
        hits = [c for c in counts(stored_s) if number_of(c.text) == number_of(old)]
        if len(hits) == 1 and number.isdigit() and number != number_of(old):
            c = hits[0]
            if c.text[0].isalpha():
                number = {v: w for w, v in NUMBER_WORDS.items()}.get(int(number), number)
                number = number.capitalize() if c.text[0].isupper() else number
            return Rewrite(stored_s[:c.start] + number + stored_s[c.end:], c.text, number, "count")
    if is_sentence(new_s) or not is_sentence(stored_s):
        return Rewrite(new_s, stored_s, new_s, "whole")
    return count_rewrite(stored_s, new_s, hint)
