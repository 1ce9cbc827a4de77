"""Repairs of the learned engine's items for hand-written turns (issue 15, session 12), each a
rule of English found as a class of miss on the hand-written dev sets (docs/extract.md,
"Session 12"), with a flag to measure it alone, and checked on phrasings of other domains in
tests/test_extract_session12.py.

- `contact_facts` (CONTACT_IN_PASSING; class "item missed"): a phone number, e-mail address or
  web address said in passing inside a teaching turn about something else ("ring the VIP
  bookings line, 555-0249, before they come"; "I've had a sign made with the yard mobile on it,
  555-0426") that no item holds is a fact: its subject the definite noun phrase (or the name)
  that names it right before it, its relation the value's type (`phone number`, `email
  address`, `website`), as the train gold writes a line's number.
- `keep_bound` (KEEP_BOUND; class "value cut"): a number's bound or approximation said right
  before it stays in the value ("about 45 minutes", "up to £50,000", "at least 10 days"):
  without it the stored value states something else. Not "within" (the corpus's gold leaves
  it out: "ready within 48 hours" -> `48 hours`) nor "up to" after a verb of change ("my dose
  went up to 100 micrograms").
- `keep_place_tail` (PLACE_TAIL; class "value cut"): an address or place keeps the short
  part after its comma that narrows it ("2 Park Lane, Hove BN3 4AB", "42 Foundry Lane, unit 3",
  "the ground floor, west wing"), when that part is a noun phrase ending the clause.
- `topic_clause` (TOPIC_CLAUSE; class "item missed"): a pass-on frame whose clause has a
  pronoun subject ("Tell anyone who asks about boarding that it's $40 per night") is read with
  the frame's topic as the subject, when no engine found anything.
- `count_facts` (COUNTS; class "item missed"): a count of things said with "there are", "has",
  "we've got" ("There are 6 rinks on the green") is a fact `number of <things>`, its subject
  the owner or the place the turn names, as the train gold writes "We've got 42 rooms".
- `forget_target` (FORGET_GONE; class "forget target"): a forget's target that names nothing
  ("the", "that") is what the turn says has gone ("we don't have a junior section any more so
  just drop that" -> "the junior section"), or is dropped so the last question's topic is read
  (`repair.forget_topic`); a target keeps no "'s", no leading "of", no "from your notes".
"""

from __future__ import annotations

import json
import re
from typing import Any

CONTACT_IN_PASSING = True
KEEP_BOUND = True
PLACE_TAIL = True

# --- contact values said in passing ---------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+(?<!\.)")
_URL = re.compile(r"(?<![\w@./-])(?:https?://|www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|ie|uk|io|co|de|fr|eu|nl|au|"
                  r"ca|info|biz)(?:/[\w./%?=&-]*[\w/])?(?![\w@])", re.I)
_PHONE = re.compile(r"(?<![\w/:.,£$€-])\+?\(?\d[\d ()-]{5,}\d(?![\w/:£$€%]|[.,]\d)")
_TYPE = {"phone": "phone number", "email": "email address", "url": "website"}
_DET = frozenset("the our your their its this that".split())
_SKIP = frozenset("""on at is are was were it's its it them directly now via to number numbers straight just also
or and please""".split())
_NOUN_TOO = frozenset("phone text email e-mail mail contact".split())
_STOP = frozenset("""ring call text phone dial email e-mail mail contact reach try use with for from in of by about
is are was be has have had will can could should must to and or but so if when then who which that we i you they he she
it me us them my""".split())


def _phones(text: str) -> list[tuple[int, str]]:
    out = []
    for m in _PHONE.finditer(text):
        value = m.group().strip(" ()-")
        digits = re.sub(r"\D", "", value)
        # a phone number: 7+ digits, or a 3-4 digit group joined by a hyphen ("555-0249");
        # never a range of years or times ("2019-2023", "9-5")
        if len(digits) >= 7 or re.fullmatch(r"\d{3}-\d{4}", value):
            if not re.fullmatch(r"(?:19|20)\d\d\s*-\s*(?:19|20)?\d\d", value):
                out.append((m.start() + m.group().index(value[0]), value))
    return out


def contacts(text: str) -> list[tuple[int, str, str]]:
    """The turn's contact values: (start, value, type)."""
    found = [(m.start(), m.group(), "email") for m in _EMAIL.finditer(text)]
    taken = [(s, s + len(v)) for s, v, _ in found]
    for m in _URL.finditer(text):
        if not any(a <= m.start() < b for a, b in taken):
            found.append((m.start(), m.group(), "url"))
    found += [(s, v, "phone") for s, v in _phones(text)]
    return sorted(found)


def _namer(prefix: str) -> str | None:
    """The noun phrase that names the value right after `prefix`: the nearest definite noun
    phrase ("the VIP bookings line", "our workroom"), else a name ("Marian Teale")."""
    clause = re.split(r"[.;!?]\s|\s[-\u2013\u2014]\s", prefix)[-1]
    words = re.findall(r"[\w'\u2019-]+|,", clause)
    while words and (words[-1] == "," or words[-1].lower() in _SKIP):
        words.pop()
    taken: list[str] = []
    while words and len(taken) < 5:
        w = words.pop()
        if w == ",":
            break
        if w.lower() in _DET:
            if not taken:
                return None
            det = "the" if w.lower() in ("the", "this", "that") else w.lower()
            return " ".join([det] + taken[::-1] if det == "the" else ["the"] + taken[::-1])
        if w.lower() in _STOP and not (w.lower() in _NOUN_TOO and words and words[-1] != ","
                                       and words[-1].lower() not in _STOP):
            break  # "ring", "call", "email" as verbs; "the bridal desk email", "the shop phone" as nouns
        taken.append(w)
    names = []
    for w in taken:
        if not w[0].isupper():
            break
        names.append(w)
    return " ".join(names[::-1]) if len(names) >= 2 else None


def contact_facts(items: list[dict[str, Any]], text: str, label: str) -> list[dict[str, Any]]:
    """`items` and a fact for each contact value of a teaching turn that no item holds."""
    if not CONTACT_IN_PASSING or label not in ("teach", "correct") or "?" in text.rstrip()[-1:]:
        return items
    if any(i.get("kind") in ("label", "span", "forget") for i in items):
        return items
    said = json.dumps(items, ensure_ascii=False).casefold()
    out = list(items)
    for start, value, kind in contacts(text):
        if value.casefold() in said or re.sub(r"\D", "", value) and kind == "phone" \
                and re.sub(r"\D", "", value) in re.sub(r"\D", "", said):
            continue
        subject = _namer(text[:start])
        if subject is None:
            continue
        out.append({"kind": "fact", "subject": subject, "relation": _TYPE[kind], "object": value})
        said += value.casefold()
    return out


# --- a number's bound ---------------------------------------------------------------------

_BOUND = re.compile(r"(?:^|(?<=\s))(?<!went\s)(?<!goes\s)(?<!gone\s)(?<!rose\s)(?<!moved\s)(?<!put\s)(?<!go\s)"
                    r"(?P<bound>about|around|roughly|approximately|approx\.?|up\s+to|at\s+least|at\s+most|"
                    r"nearly|almost|no\s+more\s+than|more\s+than|less\s+than|fewer\s+than|just\s+over|just\s+under|"
                    r"well\s+over|a\s+maximum\s+of|a\s+minimum\s+of)\s+$", re.I)
_NUMBERED = re.compile(r"^(?:[$\u20ac\u00a3]\s*)?\d|^(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                       r"fifteen|twenty|thirty|forty|fifty|sixty|a\s+hundred|an?\s+(?:hour|day|week|month|year))\b", re.I)


def keep_bound(value: str, text: str) -> str:
    """`value` with the bound said right before it in `text` ("about", "up to", "at least")."""
    if not KEEP_BOUND or not value or not _NUMBERED.match(value) or _BOUND.match(value + " "):
        return value
    for m in re.finditer(re.escape(value), text, re.I):
        b = _BOUND.search(text[:m.start()])
        if b:
            return " ".join(b.group("bound").lower().split() + [value])
        return value
    return value


# --- an address or place narrowed after its comma -----------------------------------------------

_PLACE_RELATION = re.compile(r"\b(?:location|address|where|place|venue|meeting place|floor|room)\b", re.I)
_STREET = re.compile(r"^\d+[a-z]?\s+[A-Z][a-z]+|\b(?:[Rr]oad|[Ss]treet|[Ll]ane|[Aa]venue|[Dd]rive|[Ss]quare|[Ee]state|"
                     r"floor|wing|building|unit)\b")
_TAIL = re.compile(r"^,\s+(?P<tail>[^,.;:!?()\u2013\u2014]{2,40}?)\s*(?=[.;!?)]|,|\s[-\u2013\u2014]\s|\s*:\)|$)")
_TAIL_STOP = re.compile(r"\b(?:not|no|never|rather|instead|longer|used|and|but|so|or|if|when|which|who|that|because|in\s+case|then|is|are|was|were|be|it|it's|"
                        r"we|we're|you|they|i|please|thanks|cheers|ok|opens?|closes?|call|ring|from|until|till|"
                        r"just|next|near|opposite|behind|past|by|for|to|as)\b|\d{1,2}(?::\d\d)?\s*(?:am|pm)\b", re.I)


def keep_place_tail(item: dict[str, Any], text: str) -> dict[str, Any]:
    """A fact's address or place (or a where-question's answer) with the part after its comma
    that narrows it: a noun phrase of up to 5 words ending the clause, no verb, no clause word."""
    if not PLACE_TAIL:
        return item
    key = "object" if item.get("kind") == "fact" else "answer" if item.get("kind") == "qa" else None
    value = item.get(key) if key else None
    if not isinstance(value, str) or not value:
        return item
    about = str(item.get("relation") or "") if key == "object" else str(item.get("question") or "")
    if not (_PLACE_RELATION.search(about) or _STREET.search(value)):
        return item
    i = text.find(value)
    if i < 0:
        return item
    m = _TAIL.match(text[i + len(value):])
    if not m or _TAIL_STOP.search(m.group("tail")) or len(m.group("tail").split()) > 5 \
            or str(item.get("replaces") or "\0").casefold() in m.group("tail").casefold():
        return item
    return {**item, key: f"{value}, {m.group('tail').strip()}"}


def whole_contact(value: str, text: str) -> str:
    """A value that is a part of a contact value of the turn ("kitteringjump.ie" of
    "kitteringjump.ie/waiver") is the whole contact value."""
    if not CONTACT_IN_PASSING or len(value) < 4:
        return value
    return next((v for _, v, _ in contacts(text) if value != v and value in v and len(value) >= len(v) / 2), value)


# --- a pass-on frame's topic for a pronoun clause ------------------------------------------------

_PRONOUN_BE = re.compile(r"^(?:it|they|that|this)(?:['\u2019]s|['\u2019]re|\s+(?:is|are|was|were))\s+(?=\S)", re.I)
_PRONOUN_VERB = re.compile(r"^(?:it|they)\s+(?=[a-z]+s?\b)", re.I)


def topic_clause(text: str) -> dict[str, Any] | None:
    """A fact from a pass-on frame whose clause has a pronoun for its subject ("Tell anyone
    who asks about boarding that it's $40 per night for dogs" -> boarding / price / $40 per
    night for dogs): the clause read with the frame's topic as its subject
    (`repair.read_clause`, which leaves pronoun subjects alone)."""
    from lic_cli.extract import repair

    if not TOPIC_CLAUSE:
        return None
    clause, about = repair.statement_clause(text)
    if not about or len(about.split()) > 6:
        return None
    m = _PRONOUN_BE.match(clause)
    if m:
        return repair.read_clause(f"{about} is {clause[m.end():]}.")
    m = _PRONOUN_VERB.match(clause)
    if m and clause.split()[1].lower() not in ("is", "are", "was", "were", "can", "will", "would", "should", "must"):
        return repair.read_clause(f"{about} {clause[m.end():]}.")
    return None


# --- counts ---------------------------------------------------------------------------------------

_COUNT = re.compile(r"\b(?:(?P<owner>(?:the|an?|our|this|that)\s+[\w'-]+(?:\s+[\w'-]+){0,2}?)\s+(?:has|have|holds?)|"
                    r"there\s+(?:are|is)|there['\u2019]s|we\s+(?:have|keep|run|stock)|we['\u2019]ve\s+got|we\s+have\s+got)"
                    r"\s+(?P<n>(?:(?:about|around|roughly|over|nearly|almost|up\s+to)\s+)?\d[\d,]*)\s+"
                    r"(?P<what>[a-z][\w-]*(?:\s+(?!(?:in|on|at|of|for|and|or|but|so|to|with|per|a|an|the)\b)[a-z][\w-]*)?)"
                    r"(?:\s+(?:in|on|at)\s+(?P<place>(?:the|our)\s+[\w'-]+(?:\s+(?!(?:in|on|at|of|for|and|or|but|so|to|with|right|now|today)\b)[\w'-]+)?))?",
                    re.I)


def count_facts(items: list[dict[str, Any]], text: str, label: str) -> list[dict[str, Any]]:
    """`items` and a count no item holds: "There are 6 rinks on the green" -> the green /
    number of rinks / 6; "The marina has 120 berths" -> the marina / number of berths / 120; a
    count the business states of itself ("we've got 8 vans in the fleet") takes its place as
    the subject, and none is written when no place or owner is said."""
    if not COUNTS or label not in ("teach", "correct") or text.rstrip().endswith("?"):
        return items
    said = json.dumps(items, ensure_ascii=False).casefold()
    out = list(items)
    for m in _COUNT.finditer(text):
        n = m.group("n")
        number = re.search(r"\d[\d,]*", n).group()
        if re.search(rf"(?<![\d,]){re.escape(number)}(?![\d,])", said):
            continue
        what = m.group("what").lower().split()
        if not what[-1].endswith("s") or what[-1] in ("minutes", "hours", "days", "weeks", "months", "years", "times"):
            continue  # a count of things, not an amount of time or a rate
        owner = m.group("owner") or m.group("place")
        if not owner:
            continue
        owner = re.sub(r"^(?:our|this|that)\s+", "the ", owner, flags=re.I)
        out.append({"kind": "fact", "subject": owner, "relation": "number of " + " ".join(what),
                    "object": " ".join(n.lower().split()[:-1] + [number]) if len(n.split()) > 1 else number})
        said += number
    return out


TOPIC_CLAUSE = True
COUNTS = True
FORGET_GONE = True


# --- a forget's target: what the turn says has gone ------------------------------------------------

_EMPTY_TARGET = frozenset("the that this it a an those these them one ones info entry bit".split())
_NP = r"[\w'\u2019-]+(?:\s+[\w'\u2019-]+){0,4}?"
_GONE = [re.compile(p, re.I) for p in (
    rf"\bwe\s+(?:don't|do\s+not|no\s+longer)\s+(?:have|do|offer|run|sell|stock|provide)\s+(?P<x>(?:an?|the|our|any)\s+{_NP})"
    r"(?=\s+(?:any\s*more|now|so|and|either)\b|\s*[,.;]|$)",
    rf"\bwe\s+(?:stopped|quit|dropped|scrapped|cancelled|canceled)\s+(?:doing\s+|offering\s+|running\s+|selling\s+)?(?P<x>{_NP})"
    r"(?=\s+(?:last|this|in|at|on|so|and|for|a|from)\b|\s*[,.;]|$)",
    rf"\bwe(?:\s+have|['\u2019]ve)?\s+got\s+rid\s+of\s+(?P<x>{_NP})(?=\s+(?:so|and|last|this)\b|\s*[,.;]|$)",
    rf"(?:^|[,.;]\s*|\b(?:so|and|because|since|as)\s+)(?P<x>(?:the|our|that)\s+{_NP})(?:\s+(?:is|are|was|were|has|have)(?:\s+been)?|"
    r"['\u2019]s)\s+(?:gone|over|closed|cancelled|canceled|ended|finished|stopped|discontinued|shut|scrapped|withdrawn)\b",
    rf"(?:^|[,.;]\s*|\b(?:so|and|because|since|as)\s+)(?P<x>(?:the|our|that)\s+{_NP})\s+(?:ended|closed|finished|stopped|"
    r"shut)\b",
    rf"(?:^|[,.;]\s*|\b(?:so|and|because|since|as)\s+)(?P<x>(?:the|our|that)\s+{_NP})\s+(?:doesn't|does\s+not|don't|"
    r"no\s+longer)\s+(?:exist|run|apply|happen)",
)]
_NOTES_TAIL = re.compile(r"\s+(?:from|off|out\s+of)\s+(?:your|the)\s+(?:notes|memory|records?|list|files?)\b.*$", re.I)


def gone_target(text: str) -> str | None:
    """The thing the turn says has gone ("we don't have a junior section any more" -> "the
    junior section"; "the offer ended" -> "the offer"; "We stopped offering cleaning" -> "cleaning")."""
    for p in _GONE:
        m = p.search(text)
        if m:
            x = m.group("x").strip()
            x = re.sub(r"^(?:an?|our|that|any)\s+", "the ", x, flags=re.I)
            return re.sub(r"^the\s+the\s+", "the ", x, flags=re.I)
    return None


def forget_target(items: list[dict[str, Any]], text: str, label: str) -> list[dict[str, Any]]:
    """A forget's target that names nothing ("the", "that") is what the turn says has gone, or
    else is dropped (so the last question's topic is read: `repair.forget_topic`); a target
    keeps no owner's "'s", no leading "of" and no "from your notes" tail."""
    if not FORGET_GONE or label != "forget":
        return items
    out = []
    for item in items:
        if item.get("kind") != "forget" or not isinstance(item.get("target"), str):
            out.append(item)
            continue
        target = item["target"].strip()
        target = _NOTES_TAIL.sub("", target)
        if not target.lower().startswith("the user"):
            target = target.split(",")[0]
        target = re.sub(r"['\u2019]s$", "", re.sub(r"^of\s+", "", target, flags=re.I))
        if set(target.lower().split()) <= _EMPTY_TARGET:
            gone = gone_target(text)
            if gone is None:
                continue
            target = gone
        out.append({**item, "target": target})
    return out


def repair(items: list[dict[str, Any]], text: str, label: str) -> list[dict[str, Any]]:
    """Every session-12 repair of one turn's items."""
    out = []
    for item in items:
        item = dict(item)
        for key in ("object", "answer"):
            if isinstance(item.get(key), str):
                item[key] = keep_bound(whole_contact(item[key], text), text)
        out.append(keep_place_tail(item, text))
    return forget_target(count_facts(contact_facts(out, text, label), text, label), text, label)
