"""General repairs of the learned engine's items, by class of failure (issue 15, session 10).

Each repair is one rule of English, not a phrasing of one domain; each was found as a class
of miss on the teaching corpus's dev domains (docs/extract.md, "Session 10") and is checked
on phrasings of other domains in tests/test_extract_repair.py.

- `fix_typos`: a word mistyped by two swapped letters ("machnie", "prfeer") is written as
  the word it was meant to be, when exactly one swap gives a word of the packaged encoder's
  vocabulary and the typed word is not one. Stored knowledge is spelled right; values that
  are names or codes are left alone (capitalized words inside a sentence, digits).
- `bound_value`: a value (answer, object, old value) never spans a dash between spaces
  into the next clause ("SkyCircle - AirMiles Plus"), never opens with the preposition that
  links it to its verb ("from gate D14", "until 4 June") and never ends in one ("30 hours
  before"); a value of function words only ("without", "all") runs on to the end of its noun
  phrase in the turn ("without an appointment", "all of Groningen province").
- `owner_relation`: "the A of B" / "the A for B" / "B's A" said as a fact's subject names
  B as the subject and A as the relation ("the director of the museum is Dr Ines Faber" ->
  the museum / director), as the corpus's train domains write them.
- `question_topic`: a bare forget ("Bin that info.") after a question forgets what the
  question asked about: "How much is the flu vaccine?" -> "the flu vaccine price", "Who is
  the weekend pharmacist?" -> "the weekend pharmacist".
- `third_person` fixes (in tagging) are kept there; `and_verbs` conjugates the second verb
  of a note told in the third person ("The user is hard of hearing and prefer chat" ->
  "... and prefers chat"; "and they would like" -> "and would like").

Session 11 (docs/extract.md, "Session 11"), each with a flag and measured alone on dev:
- `read_clause` (learned.READ_CLAUSE): a teaching turn where no engine found anything is read
  as subject / verb group / object of the clause it states, its frame dropped ("Tell anyone
  who asks about X that ...", "Make a note: ...");
- `clock_relation` (tagging.CLOCK_RELATION): a clock value's relation from its clause's verb
  (opens / closes / is open), qualified by the days the clause names anywhere in it;
- `owner_relation` keeps a genitive that names a kind whole (KIND_GENITIVE: "a men's cut");
- `grow_tail` (VALUE_TAIL): a measured value keeps the qualifier right after it ("plus ...",
  "per page", "of the adult fare").
"""

from __future__ import annotations

import re
from functools import lru_cache

# --- typos ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Whole words of the packaged MiniLM vocabulary (about 20,000 English words of 4+ letters)."""
    try:
        from lic_cli.models import packaged_path

        path = packaged_path("minilm") / "vocab.txt"
        words = path.read_text(encoding="utf-8").split()
    except Exception:  # no packaged encoder: no typo repair
        return frozenset()
    return frozenset(w for w in words if w.isalpha() and len(w) >= 4)


_TYPO_WORD = re.compile(r"\b[A-Za-z]{4,}\b")


def _swapped(word: str, vocab: frozenset[str]) -> str | None:
    low = word.lower()
    if low in vocab:
        return None
    hits = {low[:i] + low[i + 1] + low[i] + low[i + 2:] for i in range(len(low) - 1) if low[i] != low[i + 1]}
    hits = {h for h in hits if h in vocab}
    if len(hits) != 1:
        return None
    fixed = hits.pop()
    return fixed[0].upper() + fixed[1:] if word[0].isupper() else fixed


def fix_typos(value: str, *, keep_names: bool = True) -> str:
    """Words with two swapped letters written right ("a CPAP machnie at ngiht" -> "a CPAP machine at
    night"); a capitalized word after the first (a name) is kept as typed when `keep_names`."""
    vocab = _vocabulary()
    if not vocab:
        return value

    def one(m: re.Match) -> str:
        word = m.group()
        if keep_names and m.start() > 0 and word[0].isupper():
            return word
        return _swapped(word, vocab) or word

    return _TYPO_WORD.sub(one, value)


# --- values whole ----------------------------------------------------------------------------

_LINK = r"(?:from|until|till|unitl|by|at|on|in|to|for|of|with|before|after|since|around|about)"
# Train gold values open with "in", "on", "by", "with", "about", "around" ("by appointment only",
# "around the clock") and with "from" in ranges ("from 6 am to 10 pm"), never with these:
_LEADING = re.compile(r"^(?:until|till|unitl|since|than|at|to|for|of|before|after|from(?!.*\b(?:to|until|till)\b))\s+(?=\S)",
                      re.I)
_TRAILING = re.compile(rf"(?:\s+(?:{_LINK}|and|or|but|the|a|an|per|than|plus))+$", re.I)
_FUNCTION = frozenset("""a an the all any some no none every each without with within of for to from at in on by
per until till than plus and or but only just""".split())
_OPENER = re.compile(r"^\s+[-\u2013\u2014]+\s+([^.!?;,]+)")
_DASH = re.compile(r"\s[-\u2013\u2014]+\s|\s\(")
# A value's noun phrase ends at punctuation, a dash, a conjunction that opens a clause, or a verb.
_NP_END = re.compile(r"[.!?;,:)(]|\s[-\u2013\u2014]+\s|\s(?:and|but|so|because|if|when|which|that|these days|"
                     r"now|from now|no longer|rather than|not)\b|$", re.I)


def bound_value(text: str, value: str) -> str:
    """The value cut to its own clause and without its linking preposition, or, when it holds
    function words only, run on to the end of its noun phrase in `text`."""
    out = value.strip()
    if not out:
        return value
    words = out.lower().split()
    if all(w in _FUNCTION for w in words):
        at = text.lower().find(out.lower())
        if at >= 0:
            m = _NP_END.search(text, at + len(out))
            grown = text[at:m.start() if m else len(text)].strip()
            if len(grown.split()) > len(words) and len(grown.split()) <= 8:
                return grown
        return value
    at = text.find(out)
    lead = _OPENER.match(text[at + len(out):]) if at == 0 or (at > 0 and text[:at].strip() == "") else None
    if lead and len(words) == 1 and out.isalpha() and words[0] not in ("yes", "no", "none", "nothing"):
        return lead.group(1).strip()  # "Easy - 45 euros.": the opener is not the value
    m = _DASH.search(out)
    if m and m.start() > 0:
        out = out[:m.start()].strip()
    cut = _LEADING.sub("", out)
    if cut and any(ch.isalnum() for ch in cut):
        out = cut
    cut = _TRAILING.sub("", out)
    if cut and any(ch.isalnum() for ch in cut):
        out = cut
    return out or value


# --- subject and relation ----------------------------------------------------------------------

_OWNED = re.compile(r"^(?:the|a|an)\s+(?P<attr>[\w-]+(?:\s+[\w-]+){0,2}?)\s+(?:of|for)\s+(?P<owner>.+)$", re.I)
_POSSESSED = re.compile(r"^(?P<owner>.+?)['\u2019]s\s+(?P<attr>[\w-]+(?:\s+[\w-]+){0,2})$", re.I)
_ATTR_STOP = frozenset("one ones kind type lot number couple pair set group range".split())
KIND_GENITIVE = True  # session 11: a genitive that names a kind of thing is not split into owner and attribute
# An indefinite article before the possessor belongs to the possessed noun ("a men's cut" is a cut),
# and possessors that are people in general name a kind ("the children's menu", "women's sizes").
_KIND_OWNER = re.compile(r"^(?:a|an)\s|\b(?:men|women|children|kids|people|ladies|gents|girls|boys|students|adults|"
                         r"seniors|teens|babies|members|guests|visitors|customers)$", re.I)


def owner_relation(subject: str) -> tuple[str, str] | None:
    """("the director of the museum") -> ("the museum", "director"); ("the pharmacy's phone
    number") -> ("the pharmacy", "phone number"); None when the subject is not such a phrase."""
    s = " ".join(subject.split())
    m = _OWNED.match(s)
    if m and m.group("attr").islower() and m.group("attr").split()[0] not in _ATTR_STOP \
            and not any(c.isdigit() for c in m.group("attr")):  # "the Bay of Biscay" is a name
        return m.group("owner"), m.group("attr")
    m = _POSSESSED.match(s)
    if m and KIND_GENITIVE and _KIND_OWNER.search(m.group("owner")):
        return None  # "a men's cut", "the children's pool": a kind of thing, not an owner's attribute
    if m and len(m.group("owner").split()) <= 5:
        owner = m.group("owner")
        if not re.match(r"(?:the|a|an|my|our|your)\b", owner, re.I) and owner[:1].islower():
            owner = "the " + owner
        return owner, m.group("attr")
    return None


# --- forgets of what a question asked about ----------------------------------------------------

_BE = r"(?:\s+(?:is|are)|['\u2019]s|['\u2019]re)"
_ASKS = [  # (question pattern, what the topic adds); matched case-insensitively
    (r"how much(?:\s+(?:is|are|does|do|will))\s+(?P<np>.+?)(?:\s+cost)?", " price"),
    (rf"what{_BE}\s+(?:the\s+)?(?:price|cost)\s+of\s+(?P<np>.+)", " price"),
    (r"when\s+(?:does|do|is|are|will)\s+(?P<np>.+?)\s+open\b.*", " opening time"),
    (r"when\s+(?:does|do|is|are|will)\s+(?P<np>.+?)\s+close\b.*", " closing time"),
    (r"when\s+(?:does|do|will)\s+(?P<np>.+?)\s+(?:depart|leave)\b.*", " departure time"),
    (r"when\s+(?:does|do|will)\s+(?P<np>.+?)\s+(?:arrive|land)\b.*", " arrival time"),
    (r"when\s+(?:does|do|will)\s+(?P<np>.+?)\s+(?:start|begin)\b.*", " start time"),
    (rf"what{_BE}\s+(?P<np>.+?)\s+called", " name"),
    (rf"(?:who|what){_BE}\s+(?P<np>(?:the|a|an)\s+.+|[\w-]+['\u2019]s\s+.+)", ""),
    (r"which\s+(?P<np>[\w-]+(?:\s+[\w-]+)?)\s+(?:do|does|did)\s+(?:we|you|they)\s+\w+", ""),
]
_ASKS_RE = [(re.compile(rf"^{p}$", re.I), add) for p, add in _ASKS]
_THE = re.compile(r"^(?:a|an)\s+", re.I)


def question_topic(question: str) -> str | None:
    """What a question asks about, as a forget target names it, or None when it is not one of
    the plain forms (`_ASKS`)."""
    q = " ".join(question.strip().rstrip("?").split())
    q = re.sub(r",?\s*\b(?:please|again|exactly|these days)\b", "", q, flags=re.I).strip()
    for pattern, add in _ASKS_RE:
        m = pattern.match(q)
        if not m:
            continue
        np_ = _THE.sub("the ", m.group("np").strip())
        if len(np_.split()) > 6 or re.search(r"\b(?:i|my|me|we|our|you|your|it|this|that|there)\b", np_, re.I):
            return None
        if not re.match(r"(?:the)\b", np_, re.I) and not re.search(r"['\u2019]s\b", np_):
            np_ = "the " + np_
        return np_ + add
    return None


def context_question(context: str) -> str | None:
    """The question of the last exchange (`tagging.context_text`: "question | answer")."""
    first = context.split(" | ")[0].strip() if context else ""
    return first if first.endswith("?") else None


# --- notes told in the third person: the second verb ---------------------------------------------

_AND_THEY = re.compile(r"\band they (would|will|are|have|had|were|can|could|should|must)\b", re.I)
_AND_VERB = re.compile(r"^(The user (?:is|has|was|can|will|would|does|did|always|often|usually|also|only)?\b.*?\band )"
                       r"([a-z]+)\b(.*)$")
_NOT_VERBS = frozenset("""a an the their them they his her its it of to in on at for with from and or so very also then
more less well not never now just only is has was were are am""".split())


def and_verbs(note: str) -> str:
    """The second verb of a third-person note agrees with "The user": "... and prefer chat" ->
    "... and prefers chat", "... and they would like" -> "... and would like"."""
    from lic_cli.extract.tagging import _third_verb

    out = _AND_THEY.sub(lambda m: f"and {m.group(1)}", note)
    m = _AND_VERB.match(out)
    if m and m.group(2) not in _NOT_VERBS and not m.group(2).endswith(("s", "ed", "ing", "ly")) \
            and m.group(2) in _vocabulary():
        out = m.group(1) + _third_verb(m.group(2)) + m.group(3)
    return out


_STILL = re.compile(r"(?:,?\s+(?:now|these days|nowadays|at the moment|anymore|any more|from now on))+(?=\.?$)", re.I)


_HEDGE = re.compile(r"^(The user(?:'s \w+)?) (?:always|finally|actually|really|also|just|still)\s+(?=\w)", re.I)


def timeless_note(note: str) -> str:
    """A note holds without the word that says it holds now: "The user has stopped
    breastfeeding now." -> "The user has stopped breastfeeding." (notes are timeless, as values are),
    and without an adverb of emphasis right after its subject ("The user always needs an aisle
    seat" -> "The user needs an aisle seat": the train domains' gold drops "always" 9 times of 13,
    "actually", "also" and "finally" every time, and keeps "only")."""
    cut = _HEDGE.sub(r"\1 ", _STILL.sub("", note))
    return cut if cut.strip(" .") else note


def last_question(context: list[dict] | None) -> str | None:
    """The last question the user asked in the context (a user turn ending in "?"), or None."""
    return next((str(t.get("text", "")) for t in reversed(context or [])
                 if t.get("role") == "user" and str(t.get("text", "")).rstrip().endswith("?")), None)


def forget_topic(items: list[dict], text: str, context: list[dict], label: str) -> list[dict]:
    """A forget turn that names nothing itself ("Bin that info.", "Please delete it.") forgets
    what the last question asked about: the learned engine, trained on targets said in the turn,
    finds nothing there or a fragment of the context. Items it found in the turn stand."""
    if label != "forget" or not context:
        return items
    if any(f.get("kind") != "forget" for f in items):
        return items
    said = text.lower()
    if any(str(f.get("target", "")).lower() in said for f in items):
        return items
    question = last_question(context)
    topic = question_topic(question) if question else None
    return [{"kind": "forget", "target": topic}] if topic else items


# --- subjects named the way the corpus's train domains write them -----------------------------

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NAME = r"(?:[A-Z][\w'-]*|\d+[A-Za-z]?)(?:\s+(?:[A-Z][\w'-]*|\d+[A-Za-z]?))*"
_PLACED = re.compile(rf"^(?P<det>the|a|an)\s+(?P<head>[a-z][\w-]*(?:\s+[a-z][\w-]*){{0,2}})\s+"
                     rf"(?:to|at|on|in|from)\s+(?P<name>{_NAME})$")
_FIRST_WORDS = frozenset("morning evening afternoon night early late last first next daily weekly main new old".split())


def name_first(subject: str) -> str:
    """A subject whose name comes after it comes before its head noun, as the train domains'
    gold writes subjects: "the ferry to Mallorca" -> "the Mallorca ferry", "the branch on Market
    Street" -> "the Market Street branch", "the spin class on Tuesdays" -> "the Tuesday spin
    class"; a time word stays first ("the morning flight to Nice" -> "the morning Nice flight")."""
    m = _PLACED.match(" ".join(subject.split()))
    if not m:
        return subject
    name = m.group("name")
    if name.lower().rstrip("s") in _DAYS:
        name = name.rstrip("s")
    elif re.fullmatch(r"\d+[A-Za-z]?", name):
        return subject  # "the lounge at 5" is not a name
    head = m.group("head").split()
    if any(w in {"and", "or", "of", "with"} for w in head):
        return subject
    lead = [head.pop(0)] if len(head) > 1 and head[0] in _FIRST_WORDS else []
    return " ".join(["the", *lead, name, *head])


# --- relations named from the kind of value ------------------------------------------------------

_DAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?"
_DAY_VALUE = re.compile(rf"^(?:(?:on|every)\s+)?{_DAY}(?:\s+(?:mornings?|afternoons?|evenings?|nights?))?"
                        rf"(?P<more>(?:\s*(?:,|and|&)\s*{_DAY}(?:\s+(?:mornings?|afternoons?|evenings?|nights?))?)*)$", re.I)


_HOURS_VALUE = re.compile(r"^(?:from\s+)?(?:\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)?|noon|midnight)\s*(?:to|till|until|-|\u2013)\s*"
                          r"(?:\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)?|noon|midnight)$|^(?:24/7|around the clock|24 hours a day)$",
                          re.I)
_WHEN_RELATION = re.compile(r"^(?:(?P<day>\w+day|weekday|weekend)\s+)?(?:opening time|closing time|time|times|schedule|"
                            r"date|location)$", re.I)


def hours_relation(relation: str, obj: str) -> str:
    """A value that is a span of the clock ("10 till 4", "8 am to 8 pm", "24/7") tells opening
    hours, the train domains' commonest relation for such values (18 of 32), with its day kept
    ("Sunday opening time" -> "Sunday opening hours"); a relation naming anything else stands."""
    m = _WHEN_RELATION.match(relation.strip())
    if not _HOURS_VALUE.match(obj.strip()) or not m:
        return relation
    return f"{m.group('day')} opening hours" if m.group("day") else "opening hours"


def day_relation(relation: str, obj: str, predicate: str = "") -> str:
    """A fact whose value is a day of the week ("Fridays", "Tuesday mornings") tells the day:
    `day` (`days` for several), `closing day` / `opening day` where the relation is a closing or
    opening time or the predicate says closed ("is closed on Mondays"); a relation that already
    names a day stands. In the train domains' gold, `day` / `days` is the commonest relation of
    such values (19 of 38; `schedule` 5)."""
    m = _DAY_VALUE.match(obj.strip())
    low = relation.lower()
    if not m or "day" in low and not (re.search(r"\bclos", predicate, re.I) and low in ("day", "days")):
        return relation
    if "clos" in low or re.search(r"\bclos", predicate, re.I):
        return "closing day"
    if "open" in low and "late" not in low:
        return "opening day"
    return "days" if m.group("more") else "day"


# --- the old value a correction says --------------------------------------------------------------

_NUMBER = r"(?:[$\u20ac\u00a3]?\d[\d,.:]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|" \
          r"twenty|thirty|forty|fifty|sixty|hundred|a|an|half)"
_BEFORE_NUMBER = re.compile(rf"(?:^|\s)({_NUMBER})\s+$", re.I)
_END = r"(?=\s*(?:[.!?;)]|,|\s[-\u2013\u2014]\s|\s(?:that|this|it|these|now|any more|anymore|though|but|and|so)\b|$))"
_OLD_AFTER = re.compile(rf"(?:\(\s*(?:it|that|this|they)\s+used\s+to\s+be|\bno\s+longer|\brather\s+than|\binstead\s+of|"
                        rf"(?:,|\band)\s+not|\bnot\s+anymore,?)\s+(?P<old>[^.!?;(),]+?){_END}", re.I)
_OLD_BEFORE = re.compile(r"(?:^|[-\u2013\u2014,:;]\s+)(?P<old>(?:[^.!?;:,\u2013\u2014-]|[:.](?=\d))+?)\s+(?:was|is)\s+(?:a\s+mistake|wrong)\b",
                         re.I)
# Session 13: "..., it was Monday before", "(it was 10%)", "I put Stuart Hall before by mistake",
# "I gave you 07700 900 219 before": the old value said after the new one.
_OLD_WAS = re.compile(r"(?:,|\(|\band)\s*(?:it|that|this|they)\s+(?:was|were)\s+(?P<old>(?:[^.!?;(),]|[.:](?=\d))+?)"
                      r"(?:\s+(?:before|previously|until\s+\w+|last\s+\w+))?\s*(?=[.!?;),](?!\d)|$)|"
                      r"\bi\s+(?:put|said|wrote|gave\s+you|told\s+you)\s+(?P<old2>(?:[^.!?;(),]|[.:](?=\d))+?)\s+(?:before|earlier|previously)\b|"
                      r"\b(?:it|that|this|they)(?:['\u2019]s|['\u2019]re|\s+is|\s+are)\s+not\s+(?:on\s+|at\s+|in\s+)?"
                      r"(?P<old3>(?:[^.!?;(),]|[.:](?=\d))+?)\s+any\s*more\b|"
                      r"\byou\s+(?:said|had|wrote|told\s+me|have)\s+(?P<old4>(?!that\b|it\b|so\b)(?:[^.!?;(),]|[.:](?=\d))+?)"
                      r"\s+(?:but|and|which|before)\b",
                      re.I)


def grow_number(text: str, value: str, start: int = 0) -> str:
    """A value the tagger cut after its number ("months" in "it used to be two months", "pounds"
    in "14 pounds") gets the number back (`start`: where the value's span begins, or before)."""
    at = text.find(value, start)
    if at <= 0:
        return value
    m = _BEFORE_NUMBER.search(text[:at])
    if not m or value[:1].isdigit():
        return value
    return text[m.start(1):at + len(value)]


OLD_WAS = True  # session 13: _OLD_WAS's frames


def said_old(text: str, new: str) -> str | None:
    """The old value a correction names ("- 35 euros was a mistake", "(it used to be three
    months)", "no longer midnight", "rather than 10 kg", ", not 24"), or None."""
    low_new = new.lower().strip()
    for pattern in (_OLD_AFTER, _OLD_BEFORE) + ((_OLD_WAS,) if OLD_WAS else ()):
        for m in pattern.finditer(text):
            old = next((m.group(g) for g in ("old", "old2", "old3", "old4") if g in pattern.groupindex and m.group(g)), "")
            old = old.strip()
            if pattern is _OLD_WAS and not re.search(r"\d|\b[A-Z]|\b(?:noon|midnight|free|one|two|three|four|five|six|"
                                                      r"seven|eight|nine|ten|twelve|twenty|thirty)\b", old):
                continue  # "it was great" is no old value: a number, a name or a day is
            if re.match(r"(?:your|my|our|the)\s+(?:info|information|notes?|records?|data)\b", old, re.I):
                continue
            if old and old.lower() != low_new and low_new not in old.lower() and len(old.split()) <= 6 \
                    and not re.match(r"(?:i|you|we|they|he|she|it|that|this)\b", old, re.I):
                return old
    return None


# --- a fact's object after its verb ------------------------------------------------------------

_OBJ_VERB = re.compile(r"^\s+(?:(?:must|can|will|should|may|now|still|also|usually|always)\s+)*(?:be\s+\w+ed\s+(?:by|at|in|on|"
                       r"for|from|to|with|until)|needs?|requires?|costs?|takes?|lasts?|holds?|seats?|opens?|closes?|"
                       r"includes?|covers?|offers?|accepts?|serves?|gets?|uses?|has|have|is|are)\s+(?P<obj>[^,.;!?()]+)",
                       re.I)


def object_after_verb(text: str, subjects: list[tuple[int, int, float]]) -> tuple[int, int] | None:
    """Where a fact's object is when the tagger found its subject (a sure span, >= 0.8) but no
    object: the words after the subject's verb to the end of its clause ("the climbing wall needs
    a belay certificate" -> "a belay certificate"). None when no verb of that list follows, the
    clause is a question, or the rest is longer than 6 words."""
    sure = [(a, b) for a, b, sc in subjects if sc >= 0.8]
    if not sure or text.rstrip().endswith("?"):
        return None
    a, b = max(sure, key=lambda x: x[1] - x[0])
    m = _OBJ_VERB.match(text[b:])
    if not m:
        return None
    start = b + m.start("obj")
    end = start + len(m.group("obj").rstrip())
    words = text[start:end].split()
    if not words or len(words) > 6:
        return None
    return start, end


# --- ranges and lists of one kind of value -------------------------------------------------------

_CLOCK = r"(?:\d{1,2}(?:[:.]\d{2})?(?:\s*(?:am|pm|a\.m\.|p\.m\.))?|noon|midnight)"
_WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?(?:\s+(?:mornings?|afternoons?|evenings?|nights?))?"
_MONTH = r"(?:january|february|march|april|may|june|july|august|september|october|november|december)"
_KINDS = {"clock": _CLOCK, "day": _WEEKDAY, "month": _MONTH}


def grow_range(text: str, value: str, start: int = 0) -> str:
    """A value that is a time, a day or a month runs on over the range or list of the same kind
    after it ("8 am" + " to 10 pm", "11 am" + " and 2 pm", "Tuesdays" + " and Fridays"), as the
    train domains' gold keeps them whole (a range or list inside 130 of their values)."""
    at = text.find(value, start)
    if at < 0:
        return value
    for pattern in _KINDS.values():
        if not re.fullmatch(pattern, value.strip(), re.I):
            continue
        m = re.match(rf"\s*(?:to|till|until|[-\u2013]|and|&|or)\s*{pattern}(?![\w:])", text[at + len(value):], re.I)
        if m:
            return text[at:at + len(value) + m.end()]
    return value


# --- a statement read from its clause when the engines found nothing (session 11) -------------

# Frames that tell the assistant to pass a statement on: "Tell anyone who asks about boarding
# that it's $40 a night", "If anyone asks about parking, say that ...". The statement is the rest.
_PASS_ON = [re.compile(p, re.I) for p in (
    r"^(?:please\s+)?(?:tell|let)\s+(?:anyone|everyone|anybody|people|customers|callers|guests|visitors|them|whoever)"
    r"(?:\s+(?:know))?\s*(?:who\s+asks?|asking|that\s+asks?)?(?:\s+about\s+(?P<about>[^,]+?))?,?\s+that\s+",
    r"^if\s+(?:anyone|anybody|someone|somebody|people|a\s+\w+|customers|callers|guests)\s+asks?"
    r"(?:\s+about\s+(?P<about>[^,]+?))?\s*,\s*(?:(?:just\s+)?(?:tell\s+them|say|let\s+them\s+know)\s+)?(?:that\s+)?",
)]
# Openers that carry no knowledge ("Just so you know,", "For the record,", "FYI", "Nope,").
_OPENERS = re.compile(r"^(?:(?:just\s+so\s+you\s+know|so\s+you\s+know|for\s+the\s+record|for\s+your\s+info(?:rmation)?|"
                      r"fyi|btw|by\s+the\s+way|heads\s+up|quick\s+fact|also|oh|and|so|ok(?:ay)?|nope|no|yes|well|"
                      r"not\s+true|incorrect|actually|please\s+note|note\s+that|remember|just\s+telling\s+you)"
                      r"\b\s*[,:!.-]?\s*)+", re.I)
_FRAME_COLON = re.compile(r"^([^:.!?\d]{1,40}):\s+(?=\S)")  # "Make a note: ...", "Small fix: ..."
_CLAUSE_STOP = re.compile(r"[.!?;](?=\s|$)|\s[-\u2013\u2014]+\s|\s\(|,\s*(?:in\s+case|for\s+your|just\s+so|but|not|no\s+longer"
                          r"|rather|which|so\s+that|worth)\b|,?\s+but\s", re.I)
# The words a predicate is made of: auxiliaries, modals, adverbs and verbs in any form.
_AUX = frozenset("""is are was were be been being am isn't aren't wasn't weren't can can't cannot could must mustn't will
won't would should shouldn't may might shall do does did don't doesn't didn't has have had hasn't haven't need needs
needed get gets got""".split())
_ADV = frozenset("""only always also still now usually often never just currently normally generally automatically
already typically sometimes really then early late""".split())
_VERB_WORD = re.compile(r"^(?:costs?|opens?|closes?|leaves?|departs?|arrives?|starts?|begins?|ends?|runs?|takes?|lasts?|"
                        r"requires?|holds?|seats?|comes?|serves?|includes?|covers?|rolls?|meets?|stays?|goes?|charges?|"
                        r"pays?|offers?|accepts?|ships?|sells?|lives?|sits?|lies|belongs?|works?|fits?|weighs?|expires?|"
                        r"renews?|reopens?|happens?|unlocks?|locks?|refers?|treats?|sends?|gives?|allows?|uses?|"
                        r"stocks?|books?|stores?|visits?|arrive|join|book|store|use|bring|brings|bring|sign|install|"
                        r"\w+ed)$", re.I)
_PREP = frozenset("on in at by for from to until till after before with within about over under of as".split())
_SUBJECT_PRONOUN = frozenset("i we you they he she it this that there these those who what".split())
# A subject is a noun phrase: no pronoun of the speakers ("I", "we", "you"), no clause opener, no
# punctuation; a clause that quotes words ("When people ask 'Q', ...") is a question told, not a fact.
_NOT_SUBJECT = re.compile(r"^(?:" + "|".join(sorted(_SUBJECT_PRONOUN)) + r")$|\b(?:i|i'm|i've|me|my|we|we're|our|us|you|your|"
                          r"when|if|because|since|whenever)\b|[,;:?!\"]", re.I)
_QUOTED = re.compile(r"(?:^|\s)['\"\u2018\u201c]\w")
_MONEY = re.compile(r"[$\u20ac\u00a3]\s*\d|\d[\d,.]*\s*(?:p|euros?|dollars?|pounds?|cents?)\b|\bfree\b|\bnothing\b", re.I)
_DURATION = re.compile(r"^(?:at\s+least\s+|up\s+to\s+|about\s+|around\s+)?[\w.]+\s+(?:working\s+|business\s+)?"
                       r"(?:minutes?|hours?|days?|weeks?|months?|years?)(?:['\u2019]s?)?(?:\s+\w+)?$", re.I)
_CLOCK_ONLY = re.compile(rf"^(?:at\s+)?{_CLOCK}$", re.I)


def statement_clause(text: str) -> tuple[str, str]:
    """The clause a turn states, without its frame and openers, and what a pass-on frame says it is
    about ("Tell anyone who asks about boarding that it's $40" -> ("it's $40", "boarding"))."""
    s = " ".join(text.split())
    about = ""
    for _ in range(3):
        before = s
        s = _OPENERS.sub("", s)
        m = _FRAME_COLON.match(s)
        if m and len(m.group(1).split()) <= 5:
            s = s[m.end():]
        for p in _PASS_ON:
            m = p.match(s)
            if m:
                about = (m.group("about") or "").strip()
                s = s[m.end():]
        if s == before:
            break
    m = _CLAUSE_STOP.search(s)
    return (s[:m.start()] if m else s).strip(" ,"), about


def read_clause(text: str) -> dict | None:
    """A fact read from the clause a teaching turn states, for turns where no engine found
    anything: the subject is the noun phrase before the clause's first verb, the predicate its
    verb group (auxiliaries, adverbs, a preposition), the object the rest of the clause. The
    relation is what the predicate names (`relations.name`), else the value's type (money: price,
    a clock time: time, a day of the week: day, an amount of time: duration), else the predicate's
    own words ("roll over", "replaced with"), as the train domains' gold writes unnamed relations.
    None for a question, a clause with no verb, a pronoun subject or an object of over 8 words."""
    from lic_cli.extract import relations

    clause, _about = statement_clause(text)
    first = re.search(r"[.!?](?=\s|$)", text)
    if not clause or (first is not None and first.group() == "?"):
        return None
    words = list(re.finditer(r"[\w$\u20ac\u00a3'\u2019/+:.-]*[\w%]", clause))
    verb = next((i for i, w in enumerate(words) if i >= 1 and (w.group().lower() in _AUX
                                                              or _VERB_WORD.match(w.group()))), None)
    if verb is None:
        return None
    subject = clause[:words[verb].start()].strip(" ,")
    while subject and subject.split()[-1].lower() in _ADV:  # "we only stock": the subject is "we"
        subject = subject.rsplit(None, 1)[0] if len(subject.split()) > 1 else ""
    if not subject or len(subject.split()) > 7 or _NOT_SUBJECT.search(subject) or _QUOTED.search(clause):
        return None
    j = verb + 1
    while j < len(words):
        low = words[j].group().lower()
        if low in _AUX or low in _ADV or low.endswith("ly") and low not in ("only",) or _VERB_WORD.match(low) \
                and not low[0].isdigit():
            j += 1
            continue
        if low in _PREP and j + 1 < len(words):
            j += 1
            break
        break
    if j >= len(words):
        return None
    predicate = clause[words[verb].start():words[j].start()].strip()
    obj = bound_value(clause, clause[words[j].start():].strip())
    obj = grow_range(clause, obj, words[j].start())
    if not obj or len(obj.split()) > 8:
        return None
    after = clause[words[j].start() + len(obj):] if clause.find(obj) >= 0 else ""
    relation = relations.name(predicate, after, obj)
    if relation is None:
        if _MONEY.search(obj):
            relation = relations.per("price", after)
        elif _CLOCK_ONLY.match(obj):
            relation = "time"
        elif _DURATION.match(obj):
            relation = "duration"
        else:
            content = [w for w in predicate.split() if w.lower() not in _AUX and w.lower() not in _ADV]
            relation = " ".join(content).lower().strip(" ,;:") if content else ""
    relation = hours_relation(day_relation(relation, obj, predicate), obj) if relation else relation
    if not relation:
        return None
    item = {"kind": "fact", "subject": name_first(subject), "relation": relation, "object": obj}
    old = said_old(text, obj)
    if old:
        item["replaces"] = old
    return item


# --- a clock value's relation, with the days it holds on (session 11) --------------------------

_CLOCK_VALUE = re.compile(rf"^(?:from\s+)?{_CLOCK}(?:\s*(?:to|till|until|-|\u2013)\s*{_CLOCK})?$", re.I)
_CLOCK_THEN_DAYS = re.compile(rf"^(?P<clock>{_CLOCK}(?:\s*(?:to|till|until|-|\u2013)\s*{_CLOCK})?)\s+(?:on\s+)?"
                              rf"(?P<days>(?:{_WEEKDAY}|weekdays?|weekends?)(?:\s*(?:to|-|\u2013|and|,)\s*(?:{_WEEKDAY}))*)$", re.I)
_WHEN_WORDS = re.compile(r"\b(?:time|times|hours|day|days|schedule|opening|closing|start|end)\b", re.I)
_CLOSE_VERB = re.compile(r"\b(?:stays?|is|are|['\u2019]re|['\u2019]s)\s+open\s+(?:late|until|till)\b|\bclos(?:e|es|ing)\b", re.I)
_OPEN_RANGE = re.compile(r"\b(?:is|are|['\u2019]re|['\u2019]s)\s+open\b", re.I)
_OPENS = re.compile(r"\bopens?\b", re.I)
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORD = re.compile(rf"\b(?:{_WEEKDAY}|weekdays?|weekends?)(?:\s*(?:to|through|-|\u2013|and|&|,)\s*(?:{_WEEKDAY}))*", re.I)


def names_days(relation: str) -> bool:
    """The relation already says the days it holds on ("opening time on weekdays", "Sunday hours")."""
    return bool(_DAY_WORD.search(relation))


def days_qualifier(days: str) -> str | None:
    """The qualifier the train domains' gold writes for the days a value holds on: one day
    ("on Saturdays" -> Saturday), weekdays ("Monday to Friday" -> weekday), the weekend
    ("Saturdays and Sundays" -> weekend); None for any other set of days."""
    low = days.lower()
    if "weekend" in low:
        return "weekend"
    if "weekday" in low:
        return "weekday"
    found = [d for d in _DAY_NAMES if re.search(rf"\b{d[:3]}", low)]
    if len(found) == 1:
        return found[0].capitalize()
    if re.search(r"\bmon\w*\s*(?:to|through|-|\u2013)\s*fri", low):
        return "weekday"
    if set(found) == {"saturday", "sunday"}:
        return "weekend"
    return None


def clock_relation(text: str, item: dict) -> dict:
    """A fact whose value is a clock time or span: the relation its clause's verb names
    (opens: opening time; closes, stays open until: closing time; is open from A to B: opening
    hours), qualified by the days the clause names anywhere in it ("On Saturdays we're open
    8:00 to 17:00" -> `Saturday opening hours`), with days cut off the value ("9:00 Monday to
    Friday" -> "9:00"). A relation that names something other than when stands."""
    obj = str(item.get("object", "")).strip()
    relation = str(item.get("relation", ""))
    m = _CLOCK_THEN_DAYS.match(obj)
    if m:
        obj = m.group("clock")
    if not _CLOCK_VALUE.match(obj) or relation and not _WHEN_WORDS.search(relation):
        return item
    at = text.find(obj)
    if at < 0:
        return item
    starts = [x.end() for x in re.finditer(r"[.!?;](?=\s|$)|\s[-\u2013\u2014]+\s", text[:at])]
    start = starts[-1] if starts else 0
    end = re.search(r"[.!?;](?=\s|$)|\s[-\u2013\u2014]+\s|$", text[at + len(obj):]).start() + at + len(obj)
    before, after = text[start:at], text[at + len(obj):end]
    nxt = re.search(r"\d", after)  # the next value of the clause starts another fact's part
    after = after[:nxt.start()] if nxt else after
    ranged = bool(re.search(r"\s*(?:to|till|until|-|\u2013)\s*\d", obj[1:]))
    verbs = [(_CLOSE_VERB, "closing time", False), (_OPEN_RANGE, "opening hours", True), (_OPENS, "opening time", False)]
    found = [(m.end(), named) for pattern, named, wants_range in verbs if wants_range == ranged
             for m in pattern.finditer(before)]
    if found:  # the verb nearest before the value names it ("the bakery opens at 7 am and the market closes ...")
        named = max(found)[1]
    else:
        found = [(m.start(), named) for pattern, named, wants_range in verbs if wants_range == ranged
                 for m in pattern.finditer(after)]
        if not found:
            return {**item, "object": obj}
        named = min(found)[1]
    d = _DAY_WORD.search(after) or ([*_DAY_WORD.finditer(before)] or [None])[-1]
    q = days_qualifier(d.group()) if d else None
    return {**item, "object": obj, "relation": f"{q} {named}" if q and named in (
        "opening time", "closing time", "opening hours") else named}


# --- the qualifier said right after a value (session 11) ---------------------------------------

VALUE_TAIL = True
_PER_UNITS = r"(?:day|night|week|month|year|hour|person|head)"  # relations.per names these in the relation
_STOP_WORDS = r"(?:and|or|but|so|if|when|now|from|these|since|until|at|in|on|for|with|by|to|is|are)"
_TAIL_NP = rf"(?:the\s+|a\s+|an\s+|any\s+)?(?!{_STOP_WORDS}\b)[\w'\u2019-]+(?:\s+(?!{_STOP_WORDS}\b)[\w'\u2019-]+){{0,3}}"
_TAIL = re.compile(rf"^\s+(?:(?:plus|except|excluding)\s+{_TAIL_NP}|per\s+(?!{_PER_UNITS}s?\b)[\w-]+"
                   rf"|of\s+the\s+{_TAIL_NP})(?=\s*(?:[.,;:!?)]|\s[-\u2013\u2014]\s|\s{_STOP_WORDS}\b|$))",
                   re.I)
_MEASURE = re.compile(r"(?:\d[\d,.]*\s*(?:%|percent|p|euros?|dollars?|pounds?|cents?|kg|g|km|m|cm|ml|l|gb|mb|minutes?|"
                      r"hours?|days?|weeks?|months?|years?|[a-z]+s)?|[$\u20ac\u00a3]\s*\d[\d,.]*)$", re.I)


def grow_tail(text: str, value: str, start: int = 0) -> str:
    """A measured value keeps the qualifier said right after it that makes it true: "60 euros"
    + " plus any fare difference", "5p" + " per page" (periods and persons are named in the
    relation instead: relations.per), "10 percent" + " of the adult fare", "everything"
    + " except X". Only after a number (or a value ending in one) and up to the clause's end."""
    at = text.find(value, start)
    if at < 0 or not _MEASURE.search(value.strip()):
        return value
    m = _TAIL.match(text[at + len(value):])
    return text[at:at + len(value) + m.end()] if m else value
