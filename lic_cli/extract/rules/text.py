"""Text helpers every rule shares: cleaning, sentence splitting, lead-ins, value and name shapes."""

from __future__ import annotations

import re

Fields = dict[str, str]
Item = tuple[str, Fields]

_I = re.IGNORECASE


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_WS = re.compile(r"\s+")
_FULL_STOP = re.compile(r"[.!]+$")
_REQUEST_END = re.compile(r"[.!?]+$")
_END_PUNCT = re.compile(r"[\s.,;:!]+$")
_THE = re.compile(r"^(?:the|teh)\s+", re.IGNORECASE)
_THAT = re.compile(r"^that\s+", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|teh|a|an|our|your)\s+", re.IGNORECASE)


_SPACES = re.compile(r"[^\S\n]+")
_BULLET = re.compile(r"^(?:[-*\u2022]|\d+[.)])\s+")


def _clean(text: str) -> str:
    """Light normalization: straight quotes, single spaces, no blank lines; nothing else changes."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.translate(_QUOTES).splitlines())
    return "\n".join(line for line in lines if line)


# A quoted span: "..." or '...' (an apostrophe inside a word, as in doesn't, is not a quote).
_QUOTED_SPAN = re.compile(r"\"[^\"]+\"|(?<![\w'])'.+?'(?!\w)")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z0-9$€£+])")
_ABBREV = {"mr", "mrs", "ms", "dr", "st", "rd", "ave", "inc", "ltd", "co", "corp", "jr", "sr", "vs",
           "etc", "e.g", "i.e", "no", "approx", "dept", "prof", "mt", "ft"}


def _sentences(text: str) -> list[str]:
    """Split into lines (bullets dropped), then on sentence ends, never inside quotes or after
    common abbreviations."""
    out: list[str] = []
    for line in text.splitlines():
        out.extend(_line_sentences(_BULLET.sub("", line.strip())))
    return out


def _line_sentences(text: str) -> list[str]:
    spans = [m.span() for m in _QUOTED_SPAN.finditer(text)]
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        pos = m.start()
        if any(a < pos < b for a, b in spans):
            continue
        prev = text[start:pos].rsplit(" ", 1)[-1].rstrip(".!?").lower()
        if prev in _ABBREV or len(prev) == 1 and prev.isalpha():
            continue
        out.append(text[start:pos].strip())
        start = m.end()
    out.append(text[start:].strip())
    return [s for s in out if s]


# Lead-ins that announce knowledge; the first group needs no punctuation after it.
_LEAD = re.compile(
    r"^(?:(?:please\s+)?(?:re?me?m*b+er|note|keep in mind|bear in mind)(?:\s+that)?"
    r"|good to know(?:\s+for (?:later|the future))?|(?:ok|okay|so|and|plus)(?:\s+so)?(?=\s+(?:the|our|its|kestrel)\b)"
    r"|(?:you should|you need to|you must|i want you to) (?:know|remember|note)(?:\s+that)?"
    r"|fyi|btw|by the way|for future reference|for the record|for your information|for your info"
    r"|just so you know|just (?:a|an) (?:fyi|heads[- ]up|note)|heads[- ]up|please note(?:\s+that)?"
    r"|(?:i want to|let me|i'd like to|i would like to) (?:tell you|teach you|let you know|add)(?:\s+that)?"
    r"|(?:learn|know) this)\b[\s,:;.!—–-]*"
    r"|^(?:hi|hello|hey|ok|okay|so|well|also|and|oh|thanks|thank you|great|cool|sure|note|update|correction"
    # "Should anyone ask, ...", "In case customers ask: ...", "For anyone asking: ..."
    r"|(?:if|in case|should|when|whenever)\s+(?:anyone|someone|somebody|anybody|customers?|people|they|a customer)"
    r"\s+(?:asks?|wonders?)|for (?:anyone|customers|people|those) (?:asking|wondering|who ask))"
    r"\s*[,:;.!—–-]+\s*",
    _I)
# Openers of a correction: "No,", "Actually", "That's wrong,", "Wrong —".
_CORRECTION = re.compile(
    r"^(?:(?:no+|nope|nah)\s+(?=(?:it|it's|its|that|that's|they|they're|the|we|you|not)\b)"
    r"|(?:no+(?:[\s,]+no+)*|nope|nah|wrong|incorrect|false|not quite|not really|sorry|correction|careful|hmm"
    r"|not (?:this|that|any) (?:year|time|season|month|more)|not anymore|not any more"
    r"|(?:wrong|incorrect|not the right)\s+(?:topic|label|category|class|answer|one|price|number|value|figure|address"
    r"|date|time|info|information))"
    r"\s*[,:;.!—–-]+\s*"
    r"|(?:actually|in fact|in reality|to be clear|to clarify)\b[\s,:;.!—–-]*"
    r"|(?:that|this|it)(?:'s| is| was) (?:wrong|incorrect|not right|not correct|not true|false|outdated"
    r"|out of date|old|not accurate|inaccurate|a mistake|no longer (?:true|right|correct|valid)"
    r"|(?:the|an?)\s+(?:old|previous|former|outdated|wrong|last year's)\s+[\w-]+)"
    r"(?: information| info| now| anymore)?\b[\s,:;.!—–-]*"
    r"|(?:you're|you are) (?:wrong|mistaken|incorrect|out of date)\b[\s,:;.!—–-]*)",
    _I)
_TRAILING = re.compile(
    r"(?:[\s,]+(?:now|these days|nowadays|currently|from now on|going forward|anymore|any more|instead"
    r"|as of (?:today|now|this (?:week|month|year))|this (?:year|season|month|week)|for now|actually|though|btw"
    r"|by the way|please|thanks))+[.!]*$",
    _I)


def _strip_lead(text: str, pattern: re.Pattern[str] = _LEAD) -> str:
    while True:
        stripped = pattern.sub("", text, count=1).strip()
        if stripped == text:
            return text
        text = stripped


def _value(text: str) -> str:
    """A field value: no trailing fillers ("now"), no trailing full stop, no wrapping quotes."""
    text = _TRAILING.sub("", text.strip())
    text = _END_PUNCT.sub("", text)
    if len(text) > 1 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def _lower_first(text: str) -> str:
    """'The refund window' -> 'the refund window'; proper nouns and acronyms keep their case."""
    first, _, rest = text.partition(" ")
    if first in ("The", "A", "An", "This", "These", "Those", "Each", "Every", "All", "Any", "Some", "Our", "Your",
                 "My"):
        return first.lower() + (" " + rest if rest else "")
    # "Refurbished laptops" is capitalized only because it starts the sentence; "Kestrel Care+" is a name.
    if rest and first[:1].isupper() and first[1:].islower() and rest[:1].islower():
        return first.lower() + " " + rest
    # "Refunds", "Trade-ins" alone: a plural common noun, capitalized by the sentence.
    if not rest and first[:1].isupper() and first[1:].islower() and first.endswith("s") and len(first) > 3:
        return first.lower()
    return text


def _relation(text: str) -> str:
    """Relation names are lowercase without an article; acronyms (CEO, VAT) keep their case."""
    text = _DETERMINER.sub("", text.strip())
    return " ".join(w if len(w) > 1 and w.isupper() else _spelled(w.lower()) for w in text.split())


def _subject(text: str) -> str:
    return _THE.sub("", text.strip())


# Customers ask "your"; the teacher says "our".
_PERSON_SWAP = {"our": "your", "we": "you", "us": "you", "ours": "yours", "Our": "Your", "We": "You"}


# Common misspellings of the shop's words, fixed in the questions and relations the rules write
# (never in answers, labelled texts or forget targets, which stay as typed).
_TYPOS = {"teh": "the", "hte": "the", "windwo": "window", "widnow": "window", "lable": "label", "labal": "label",
          "batery": "battery", "battey": "battery", "adress": "address", "addres": "address",
          "recieve": "receive", "reciept": "receipt", "recipt": "receipt", "shiping": "shipping",
          "shippng": "shipping", "delivary": "delivery", "delievery": "delivery", "warrenty": "warranty",
          "waranty": "warranty", "guarentee": "guarantee", "paymnet": "payment", "pirce": "price",
          "prcie": "price", "retrun": "return", "reutrn": "return", "refnud": "refund", "refudn": "refund",
          "numbr": "number", "nubmer": "number", "nuber": "number", "phnoe": "phone", "stroe": "store",
          "sotre": "store", "discout": "discount", "acount": "account", "exchnage": "exchange",
          "polcy": "policy", "poilcy": "policy", "subscripton": "subscription", "shpping": "shipping"}


def _spelled(word: str) -> str:
    fixed = _TYPOS.get(word.lower())
    if fixed is None:
        return word
    return fixed.capitalize() if word[:1].isupper() else fixed


def _as_asked(text: str) -> str:
    return " ".join(_PERSON_SWAP.get(w, _spelled(w)) for w in text.split())


def _words(text: str) -> int:
    return len(text.split())


# The user's own details and opinions ("my address is ...", "the best laptop I've owned") are not
# the shop's knowledge.
_FIRST_PERSON = re.compile(r"\b(?:i|i've|i'm|i'd|i'll|me|my|mine|myself)\b", _I)


# "Correction for the FAQ: the warranty period is 2 years": a short heading before the knowledge.
_HEADING = re.compile(r"^(?P<head>[^:'\"]{1,60}?):\s+(?P<rest>.+)$")


def _normal(text: str) -> str:
    return _WS.sub(" ", text.casefold()).strip(" .!?")
