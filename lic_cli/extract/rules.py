"""The rules engine: deterministic regexes that turn a teaching turn into knowledge fields.

No model, no randomness: the same turn and context always give the same items. The
rules are deliberately conservative; a teaching turn they cannot read yields nothing
(and `run` records why) rather than a guess. Forms handled, per intent:

- teach: labels (`'...' is a billing ticket`, `Label '...' as shipping`, `Tag this as
  technical: '...'`), facts (`Kestrel's CEO is Dana Whitfield`, `The battery life of the
  Kestrel Aero 2 is 30 hours`), plain statements as questions (`The refund window is 30
  days` -> `What is the refund window?`), a few verb statements (`Our loyalty program
  gives 1 point per dollar`), and answers to the question the assistant just asked.
- correct: the same, plus bare new values (`No, it's 30 days now.`, `Not 14 days but 30
  days.`) set against the previous user question, or else against the assistant's last
  statement `X is A`; the old answer goes in `replaces`.
- forget: `Forget ...`, `Delete the fact about ...`, `Stop saying ...`, `Remove the entry
  saying ...`, `X is no longer true`, `We no longer offer X`; trailing justifications
  (`, we don't have one anymore`, `because ...`) are cut.

Each returned item is a `(kind, fields)` pair; `lic_cli.extract` adds statement, source
and engine and validates it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lic_cli.records import previous_exchange

Fields = dict[str, str]
Item = tuple[str, Fields]

_I = re.IGNORECASE

# --- text helpers -------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_WS = re.compile(r"\s+")
_FULL_STOP = re.compile(r"[.!]+$")
_REQUEST_END = re.compile(r"[.!?]+$")
_END_PUNCT = re.compile(r"[\s.,;:!]+$")
_THE = re.compile(r"^the\s+", re.IGNORECASE)
_THAT = re.compile(r"^that\s+", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|a|an|our|your)\s+", re.IGNORECASE)


_SPACES = re.compile(r"[^\S\n]+")
_BULLET = re.compile(r"^(?:[-*\u2022]|\d+[.)])\s+")


def _clean(text: str) -> str:
    """Light normalization: straight quotes, single spaces, no blank lines; nothing else changes."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.translate(_QUOTES).splitlines())
    return "\n".join(line for line in lines if line)


# A quoted span: "..." or '...' (an apostrophe inside a word, as in doesn't, is not a quote).
_QUOTED_SPAN = re.compile(r"\"[^\"]+\"|(?<![\w'])'.+?'(?!\w)")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z0-9])")
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
    r"^(?:(?:please\s+)?(?:remember|note|keep in mind|bear in mind)(?:\s+that)?"
    r"|(?:you should|you need to|you must|i want you to) (?:know|remember|note)(?:\s+that)?"
    r"|fyi|btw|by the way|for future reference|for the record|for your information|for your info"
    r"|just so you know|just (?:a|an) (?:fyi|heads[- ]up|note)|heads[- ]up|please note(?:\s+that)?"
    r"|(?:i want to|let me|i'd like to|i would like to) (?:tell you|teach you|let you know|add)(?:\s+that)?"
    r"|(?:learn|know) this)\b[\s,:;.!—–-]*"
    r"|^(?:hi|hello|hey|ok|okay|so|well|also|and|oh|thanks|thank you|great|cool|sure|note|update|correction)"
    r"\s*[,:;.!—–-]+\s*",
    _I)
# Openers of a correction: "No,", "Actually", "That's wrong,", "Wrong —".
_CORRECTION = re.compile(
    r"^(?:no+\s+(?=(?:it|it's|its|that|that's|they|they're|the|we|you|not)\b)"
    r"|(?:no+|nope|nah|wrong|incorrect|false|not quite|not really|sorry|correction|careful|hmm)"
    r"\s*[,:;.!—–-]+\s*"
    r"|(?:actually|in fact|in reality|to be clear|to clarify)\b[\s,:;.!—–-]*"
    r"|(?:that|this|it)(?:'s| is| was) (?:wrong|incorrect|not right|not correct|not true|false|outdated"
    r"|out of date|old|not accurate|inaccurate|a mistake|no longer (?:true|right|correct|valid))"
    r"(?: information| info| now| anymore)?\b[\s,:;.!—–-]*"
    r"|(?:you're|you are) (?:wrong|mistaken|incorrect|out of date)\b[\s,:;.!—–-]*)",
    _I)
_TRAILING = re.compile(
    r"(?:[\s,]+(?:now|these days|nowadays|currently|from now on|going forward|anymore|any more|instead"
    r"|as of (?:today|now|this (?:week|month|year))|actually|though|btw|by the way|please|thanks))+[.!]*$",
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
    return text


def _relation(text: str) -> str:
    """Relation names are lowercase without an article; acronyms (CEO, VAT) keep their case."""
    text = _DETERMINER.sub("", text.strip())
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in text.split())


def _subject(text: str) -> str:
    return _THE.sub("", text.strip())


# Customers ask "your"; the teacher says "our".
_PERSON_SWAP = {"our": "your", "we": "you", "us": "you", "ours": "yours", "Our": "Your", "We": "You"}


def _as_asked(text: str) -> str:
    return " ".join(_PERSON_SWAP.get(w, w) for w in text.split())


def _words(text: str) -> int:
    return len(text.split())


# --- questions in context -----------------------------------------------------------

_QUESTION_START = re.compile(
    r"^(?:what|what's|who|who's|whom|whose|where|where's|when|why|how|which|is|are|am|was|were|do|does|did|"
    r"can|could|will|would|should|shall|may|might|have|has|had)\b", _I)
# Questions an assistant asks to move the chat along, not to learn something.
_RHETORICAL = re.compile(
    r"\b(?:anything else|can i help|could i help|may i help|help you with|would you like|do you want|"
    r"shall i|should i|is that (?:right|correct|ok|okay|all)|does that help|did that help|"
    r"is there anything|what else|how can i|how may i|want me to|like me to)\b", _I)


def _question_in(text: str) -> str:
    """The (last) question asked in a turn's text, or ''."""
    text = _clean(text)
    if not text:
        return ""
    asked = [s for s in _sentences(text) if s.endswith("?")]
    if asked:
        return asked[-1]
    return text if _QUESTION_START.match(text) and _words(text) <= 20 else ""


def _assistant_question(context: list[dict]) -> str:
    """The question the assistant asked in the turn right before this one, if a real one."""
    if not context or context[-1].get("role") != "assistant":
        return ""
    q = _question_in(str(context[-1].get("text", "")))
    return "" if not q or _RHETORICAL.search(q) else q


# --- labels -------------------------------------------------------------------------

_Q = r"(?:\"(?P<dq>[^\"]+)\"|(?<![\w'])'(?P<sq>.+?)'(?!\w))"
_LABEL = r"(?:an?\s+)?(?P<label>[A-Za-z][\w-]*)"
_NOUN = (r"(?:\s+(?:ticket|tickets|example|examples|one|message|messages|query|request|question|issue"
         r"|case|topic|label|category|class|turn|item|sample|thing|problem|complaint))?")
_TASK = r"(?:\s+(?:for|in|under)\s+(?:the\s+)?(?P<task>[a-z][a-z0-9_-]*)(?:\s+(?:task|dataset))?)?"
_TAIL = _LABEL + _NOUN + _TASK + r"\s*$"
_CLASSIFIED = r"(?:labell?ed|tagged|classified|categori[sz]ed|marked|filed)(?:\s+(?:as|under|with))?\s+"
_VERB = r"(?:please\s+)?(?:label|tag|classify|mark|categori[sz]e|file)\s+"
_LABEL_FORMS = [
    # '...' is a billing ticket / should be classified as returns / is a teach example for intent
    re.compile(r"^" + _Q + r"\s+(?:is|are|should be|would be|must be|counts as|=|->)\s+(?:" + _CLASSIFIED
               + r")?" + _TAIL, _I),
    # '...' belongs in / goes under billing
    re.compile(r"^" + _Q + r"\s+(?:belongs|goes|fits)\s+(?:in|to|under|with|into)\s+(?:the\s+)?" + _TAIL, _I),
    # Label '...' as shipping
    re.compile(r"^" + _VERB + _Q + r"\s+(?:as|under|with)\s+" + _TAIL, _I),
    # Tag this as technical: '...'
    re.compile(r"^" + _VERB + r"(?:this|it|that|the following)(?:\s+one)?\s+(?:as|under|with)\s+" + _LABEL
               + _NOUN + _TASK + r"\s*[:—–-]+\s*" + _Q + r"[.!]?$", _I),
    # The label for '...' is billing
    re.compile(r"^(?:the\s+)?(?:label|topic|category|class|intent)\s+(?:for|of)\s+" + _Q
               + r"\s+(?:is|should be)\s+" + _TAIL, _I),
    # Label where is my parcel as shipping (unquoted: only with a verb first and `as` last)
    re.compile(r"^" + _VERB + r"(?!this\b|it\b|that\b)(?P<raw>.+?)\s+as\s+" + _TAIL, _I),
]
# Words that end a "for ..." phrase but do not name a task.
_REJECTED_LABEL = re.compile(
    r",?\s+(?:not|rather than|instead of)\s+(?:an?\s+)?[\w-]+(?:\s+(?:ticket|one|example))?$", _I)
_NOT_TASKS = {"customers", "customer", "users", "user", "us", "me", "you", "them", "people", "now", "sure",
              "example", "instance", "real", "good", "later", "reference", "training"}
_NOT_LABELS = {"a", "an", "the", "this", "that", "it", "not", "wrong", "right", "correct", "true", "false",
               "good", "bad", "fine", "ok", "okay"}


def _label(sentence: str) -> Item | None:
    text = _FULL_STOP.sub("", sentence.strip())
    # "'...' is billing, not shipping" -> drop the rejected label.
    text = _REJECTED_LABEL.sub("", text)
    for form in _LABEL_FORMS:
        m = form.match(text)
        if not m:
            continue
        groups = m.groupdict()
        quoted = groups.get("dq") or groups.get("sq") or groups.get("raw") or ""
        label = m.group("label").lower()
        if not quoted.strip() or label in _NOT_LABELS:
            continue
        fields = {"text": quoted.strip(), "label": label}
        task = groups.get("task")
        if task and task.lower() not in _NOT_TASKS:
            fields["task"] = task
        return "label", fields
    return None


# --- statements: facts and question/answer pairs --------------------------------------

_COPULA = (r"(?P<cop>(?:is|are)(?:\s+now)?|(?:has|have)(?:\s+been)?\s+(?:changed|updated|moved)\s+to"
           r"|(?:was|were)\s+(?:changed|updated|moved)\s+to|changed to|moved to|is moving to"
           r"|(?:has|have)\s+become|became|will be|is going to be)")
_NAME = (r"[A-Z0-9][\w&.+-]*(?:\s+(?:[A-Z0-9][\w&.+-]*|of|and|&|de))*"
         # a named product often ends in a common noun: "the Kestrel Pulse smartwatch"
         r"(?:\s+(?:smartwatch|watch|speaker|camera|cable|charger|plug|smart plug|headphones|earbuds|buds|laptop"
         r"|app|hub|store|warehouse))?")
# Kestrel's support phone number is ... / Kestrel Headphones' battery life is ...
_POSSESSIVE = re.compile(r"^(?:the\s+)?(?P<subj>" + _NAME + r")'s?\s+(?P<rel>[^,]+?)\s+" + _COPULA
                         + r"\s+(?P<obj>.+)$")
# its CFO is ... (the subject of the previous fact in the same turn)
_ITS = re.compile(r"^(?:its|their)\s+(?P<rel>[^,]+?)\s+" + _COPULA + r"\s+(?P<obj>.+)$", _I)
# The battery life of the Kestrel Aero 2 is ...
# (case-sensitive: the subject must be a name)
_OF = re.compile(r"^(?:[Tt]he\s+)?(?P<rel>[A-Za-z][\w' -]*?)\s+(?:of|for|at)\s+(?:the\s+)?(?P<subj>" + _NAME
                 + r")\s+" + _COPULA + r"\s+(?P<obj>.+)$")
_PLAIN = re.compile(r"^(?P<x>[^,;:]+?)\s+" + _COPULA + r"\s+(?P<y>.+)$", _I)
# Our loyalty program gives 1 point per dollar -> What does your loyalty program give?
_VERBS = {"gives": "What does {x} give?", "offers": "What does {x} offer?", "costs": "How much does {x} cost?",
          "includes": "What does {x} include?", "covers": "What does {x} cover?",
          "accepts": "What does {x} accept?", "lasts": "How long does {x} last?",
          "charges": "How much does {x} charge?", "opens": "When does {x} open?",
          "closes": "When does {x} close?", "earns": "What does {x} earn?",
          "requires": "What does {x} require?", "supports": "What does {x} support?",
          "takes": "How long does {x} take?", "expires": "When does {x} expire?",
          "starts": "When does {x} start?", "ends": "When does {x} end?", "fixes": "What does {x} fix?"}
_VERB_FORM = re.compile(r"^(?P<x>[^,;:]+?)\s+(?P<verb>" + "|".join(_VERBS) + r")\s+(?P<y>.+)$", _I)

# First words that make a phrase a clause or a pronoun rather than a thing to ask about.
_NOT_SUBJECTS = set(
    "it it's this that there here these those they them i i'm you he she we what who where when why how which "
    "if because since although though while after before as once unless so but or and everything nothing "
    "something anything everyone someone anyone one mine yours his hers theirs ours not no yes let please "
    "thanks thank sorry hi hello hey ok okay well just also can could would should will may might must do does "
    "did is are was were".split())
_NOT_OWNERS = _NOT_SUBJECTS | {"our", "your", "my", "their", "his", "her", "its"}
_NOT_VALUES = re.compile(
    r"^(?:not|no longer|never|being|going|able|unable|sure|right|wrong|correct|incorrect|true|false|"
    r"great|good|bad|fine|ok|okay|done|it|that|this|why|how|what|when|where|who|which|because)\b", _I)
_PERSON_ROLES = {"ceo", "cfo", "cto", "coo", "founder", "founders", "owner", "owners", "manager", "director",
                 "president", "chair", "chairman", "chairwoman", "head", "lead", "contact", "boss", "cofounder",
                 "co-founder", "spokesperson", "representative", "rep", "chef", "agent"}
_WHERE = re.compile(r"^(?:located|based|situated|headquartered|found)\s+(?P<rest>(?:in|at|on|near)\s+.+)$", _I)
_WHEN = re.compile(r"^(?P<adj>open|closed|available)\s+(?P<rest>(?:from|on|at|between|until|till|daily|every|"
                   r"weekdays|weekends|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d).*)$", _I)


@dataclass
class _State:
    """What earlier clauses of the same turn established ("its" refers to the last subject)."""

    subject: str = ""


def _ok_name(text: str) -> bool:
    return 0 < _words(text) <= 6


def _fact(subject: str, rel: str, obj: str) -> Item | None:
    subject, rel, obj = _subject(subject), _relation(rel), _value(obj)
    if obj.lower().startswith("called "):  # "Kestrel's loyalty program is called Kestrel Perks"
        obj = obj[len("called "):]
    if not (_ok_name(subject) and _ok_name(rel) and obj) or _NOT_VALUES.match(obj):
        return None
    if rel.split()[0].lower() in _NOT_SUBJECTS or subject.split()[0].lower() in _NOT_OWNERS:
        return None
    return "fact", {"subject": subject, "relation": rel, "object": obj}


def _qa_about(x: str, cop: str, y: str) -> Item | None:
    """'The refund window is 30 days' -> ('What is the refund window?', '30 days')."""
    x = x.strip()
    if not (0 < _words(x) <= 8) or x[0] in "\"'(" or x.split()[0].lower() in _NOT_SUBJECTS:
        return None
    y = _value(y)
    if not y or _NOT_VALUES.match(y):
        return None
    plural = cop.lower().startswith(("are", "have", "were"))
    subject = _as_asked(_lower_first(x))
    if "moved" in cop.lower():
        return "qa", {"question": f"Where {'are' if plural else 'is'} {subject}?", "answer": y}
    first = y.split()[0]
    where = _WHERE.match(y)
    if where:
        verb = first.lower()
        return "qa", {"question": f"Where {'are' if plural else 'is'} {subject} {verb}?",
                      "answer": _value(where.group("rest"))}
    when = _WHEN.match(y)
    if when:
        adj = when.group("adj").lower()
        return "qa", {"question": f"When {'are' if plural else 'is'} {subject} {adj}?",
                      "answer": _value(when.group("rest"))}
    # "is closed on Sundays", "is shipped the same day": not a thing to ask "what is" about.
    if first[0].islower() and (first.lower().endswith("ed") and len(first) > 4 or first.lower() in
                               ("open", "closed", "free", "available", "unavailable", "possible", "required",
                                "allowed", "valid", "included", "excluded", "eligible", "limited")):
        return None
    who = x.split()[-1].lower().strip("'") in _PERSON_ROLES
    return "qa", {"question": f"{'Who' if who else 'What'} {'are' if plural else 'is'} {subject}?", "answer": y}


def _clause(text: str, state: _State) -> Item | None:
    """One clause as a fact or a question/answer pair, or None."""
    text = _strip_lead(text.strip())
    text = _FULL_STOP.sub("", text).strip()
    if not text or text.endswith("?"):
        return None
    m = _ITS.match(text)
    if m:
        return _fact(state.subject, m.group("rel"), m.group("obj")) if state.subject else None
    m = _POSSESSIVE.match(text)
    if m:
        item = _fact(m.group("subj"), m.group("rel"), m.group("obj"))
        if item:
            return item
    m = _OF.match(text)
    if m:
        item = _fact(m.group("subj"), m.group("rel"), m.group("obj"))
        if item:
            return item
    m = _PLAIN.match(text)
    if m:
        return _qa_about(m.group("x"), m.group("cop"), m.group("y"))
    m = _VERB_FORM.match(text)
    if m:
        x, y = m.group("x").strip(), _value(m.group("y"))
        if 0 < _words(x) <= 8 and x.split()[0].lower() not in _NOT_SUBJECTS and y and not _NOT_VALUES.match(y):
            return "qa", {"question": _VERBS[m.group("verb").lower()].format(x=_as_asked(_lower_first(x))),
                          "answer": y}
    return None


# "A is B and its C is D": split only where both sides read as statements.
_AND = re.compile(r",?\s+and\s+(?:also\s+)?|;\s+|,\s+(?=(?:its|their)\s)", _I)


def _statement_items(sentence: str, state: _State) -> list[Item]:
    for m in _AND.finditer(sentence):
        left = _clause(sentence[: m.start()], state)
        if left is None:
            continue
        saved = state.subject
        if left[0] == "fact":
            state.subject = left[1]["subject"]
        rest = _statement_items(sentence[m.end():], state)
        if rest:
            return [left, *rest]
        state.subject = saved
    item = _clause(sentence, state)
    if item is None:
        return []
    if item[0] == "fact":
        state.subject = item[1]["subject"]
    return [item]


def _teach_items(text: str) -> list[Item]:
    """Labels and statements, sentence by sentence (lead-ins and fillers stripped)."""
    state = _State()
    items: list[Item] = []
    for sentence in _sentences(text):
        sentence = _strip_lead(sentence)
        label = _label(sentence)
        if label:
            items.append(label)
            continue
        items.extend(_statement_items(sentence, state))
    return items


# --- corrections ----------------------------------------------------------------------

# "it's 30 days", "they are ...", "the answer is ...": the value follows.
_PRONOUN_COPULA = re.compile(
    r"^(?:its(?=\s+[\d$+])|(?:it|that|this|they|those|these"
    r"|the (?:correct |right |real |actual |new )?(?:answer|one|number|value))"
    r"(?:'s|'re| is| are| was| were| has| have| should be| will be| ought to be))"
    r"(?:\s+(?:actually|now|really|been|changed to|updated to|moved to|since changed to))*\s+", _I)
_NOT_BUT = re.compile(r"^not\s+(?P<old>.+?)(?:,\s*|\s+)(?:but|it's|it is|rather|they're|they are)\s+(?P<new>.+)$", _I)
# "Not 24 hours, 1 hour after checkout": the rejected value has a number, the new one follows.
_NOT_COMMA = re.compile(r"^not\s+(?P<old>[^,]*\d[^,]*),\s*(?P<new>.+)$", _I)
# "Only 5 units", "just 1 per order", "more like 3 to 5 days": hedges before the value itself.
_HEDGE = re.compile(r"^(?:only|just|more like)\s+(?=\S*\d)", _I)
_BUT_NOT = re.compile(r"^(?P<new>.+?)(?:,\s*|\s+)(?:and\s+)?(?:not|rather than|instead of)\s+(?P<old>.+)$", _I)
_NOT_ANSWERS = re.compile(
    r"^(?:i|i'm|i've|i'd|you|you're|please|can|could|would|what|why|how|who|where|when|which|let|thanks|"
    r"thank|thanks|ok|okay|yes|yeah|yep|sure|hmm|hi|hello|hey|bye|goodbye|cheers|great|cool|nice|perfect|"
    r"awesome|got it|fine|alright|good|no|nope|sorry|that|this|it|we|they)\b", _I)


def _bare_value(text: str) -> str:
    """The new value of a correction or an answer, or '' when the text is not just a value."""
    text = text.replace("\n", " ")
    text = _strip_lead(_strip_lead(text), _CORRECTION)
    text = _FULL_STOP.sub("", text).strip()
    m = _NOT_BUT.match(text) or _NOT_COMMA.match(text)
    if m:
        text = m.group("new")
    text = _PRONOUN_COPULA.sub("", text, count=1)
    text = _HEDGE.sub("", text, count=1)
    m = _BUT_NOT.match(text)
    if m:
        text = m.group("new")
    text = _value(text)
    if not text or text.endswith("?") or _NOT_ANSWERS.match(text) or _words(text) > 20:
        return ""
    return text


def _assistant_claim(text: str) -> Item | None:
    """The first statement `X is A` the assistant made, as an item."""
    state = _State()
    for sentence in _sentences(_clean(text)):
        item = _clause(sentence, state)
        if item:
            return item
    return None


def _correct(text: str, context: list[dict]) -> list[Item]:
    prev_user, prev_assistant = previous_exchange(context)
    question = _question_in(prev_user)
    old = _clean(prev_assistant)
    body = _strip_lead(_strip_lead(text), _CORRECTION)

    # A full statement first: "No, Kestrel's CEO is Dana Whitfield." / "'...' is billing, not shipping."
    stated = _teach_items(body)
    if stated:
        return [_replacing(kind, fields, question if len(stated) == 1 else "", old) for kind, fields in stated]
    # Then a bare value set against the question just answered: "No, it's 30 days now."
    value = _bare_value(body)
    if not value:
        return []
    asked = _assistant_question(context)
    if asked:
        # The assistant asked rather than answered: the "correction" is the answer to its question.
        return [("qa", {"question": asked, "answer": value})]
    if question:
        return [("qa", {"question": question, "answer": value, **({"replaces": old} if old else {})})]
    # No question: correct the assistant's own claim "X is A".
    claim = _assistant_claim(old) if old else None
    if claim is None:
        return []
    kind, fields = claim
    key = "answer" if kind == "qa" else "object"
    if _normal(fields[key]) == _normal(value):
        return []
    return [(kind, {**fields, key: value, "replaces": fields[key]})]


def _replacing(kind: str, fields: Fields, question: str, old: str) -> Item:
    """A stated correction, with the question asked and the answer it replaces when known."""
    if kind not in ("qa", "fact"):
        return kind, fields
    key = "answer" if kind == "qa" else "object"
    fields = {**fields, key: _cut_not(fields[key])}
    if kind == "qa" and question:
        # It answers the question just asked, so it replaces the answer just given.
        fields["question"] = question
        if old:
            fields["replaces"] = old
    elif old:
        # Replace the old value only when the assistant said "<the same thing> is <old value>".
        claim = _assistant_claim(old)
        if claim is not None and claim[0] == kind and _same_topic(claim[1], fields):
            fields["replaces"] = claim[1][key]
    return kind, fields


def _cut_not(value: str) -> str:
    m = _BUT_NOT.match(value)
    return _value(m.group("new")) if m else value


def _same_topic(a: Fields, b: Fields) -> bool:
    if "question" in a:
        return _normal(a["question"]) == _normal(b.get("question", ""))
    return _normal(a["subject"]) == _normal(b.get("subject", "")) and \
        _normal(a["relation"]) == _normal(b.get("relation", ""))


def _normal(text: str) -> str:
    return _WS.sub(" ", text.casefold()).strip(" .!?")


# --- forget ---------------------------------------------------------------------------

_FORGET = re.compile(
    r"^(?:(?:please|can you|could you|would you|kindly|you should|you can|you need to|i want you to|also|and"
    r"|just|now)\s+)*"
    r"(?:forget(?:\s+about)?|delete|remove|drop|erase|unlearn|purge|discard|scrap|get rid of"
    r"|stop (?:saying|telling (?:people|customers|users|them|everyone|anyone))"
    r"|(?:don'?t|do not|never|no longer) (?:say|tell (?:people|customers|users|anyone|them))"
    r")\s+(?P<rest>.+)$", _I)
_NO_LONGER_TRUE = re.compile(
    r"^(?P<target>.+?)\s+(?:is|are)\s+(?:no longer|not)\s+(?:true|valid|correct|accurate|right|the case"
    r"|a thing|offered|available)(?:\s+(?:anymore|any more))?$", _I)
_NO_LONGER = re.compile(
    r"^(?P<who>we|kestrel|they)\s+(?:no longer|(?:don't|do not|doesn't|does not)(?=.*\b(?:anymore|any more)$))"
    r"\s+(?P<verb>[\w-]+)\s+(?P<rest>.+?)(?:\s+(?:anymore|any more))?$", _I)
_HAVE_VERBS = {"have", "offer", "sell", "stock", "provide", "support", "carry", "accept", "use", "run", "ship"}
_ABOUT = re.compile(
    r"^(?:(?:the|that|this|any|all)\s+)?(?:fact|facts|entry|entries|row|rows|record|records|line|answer|answers|"
    r"info|information|item|note|bit|part|thing|statement|claim|rule|knowledge|stuff|data|detail|details)"
    r"\s+(?:about|saying|that says|which says|stating|that|on|for|regarding|of)\s+"
    r"|^(?:what|everything|anything|all)\s+(?:you know|you learned|you have learned|i told you|you were told|"
    r"you have|we said|you said|you've been told)\s+(?:about|regarding|on)\s+"
    r"|^about\s+", _I)
_JUSTIFY = re.compile(
    r"(?:\s*[,;]|\s+[—–-])\s+(?:we|it|they|that|this|there|as|since|because|which|he|she|i|you|our|its|it's|"
    r"that's|there's|we're|we've|they're|please|thanks|thank|now|not|no|so|but|the)\b.*$"
    r"|\s+(?:because|since|as (?:we|it|they|that|this|there)|seeing as)\b.*$", _I)
_TARGET_TAIL = re.compile(
    r"\s+(?:anymore|any more|please|from now on|for good|completely|entirely"
    r"|from (?:the |your |our )?(?:dataset|datasets|memory|database|data|records|knowledge base|list|answers))$", _I)
_PRONOUN_TARGET = re.compile(
    r"^(?:it|that|this|those|these|them|that one|this one|that fact|this fact|that answer|this answer|"
    r"what you (?:just )?said|your (?:last )?answer)$", _I)
_SPLIT_FORGET = re.compile(r",?\s+and\s+(?:also\s+)?(?=(?:forget|delete|remove|drop|erase|stop)\b)", _I)


def _target(rest: str) -> str:
    rest = rest.strip()
    rest = _JUSTIFY.sub("", rest)
    rest = _FULL_STOP.sub("", rest).strip()
    while True:
        cut = _TARGET_TAIL.sub("", rest).strip()
        if cut == rest:
            break
        rest = cut
    rest = _ABOUT.sub("", rest, count=1).strip()
    if _words(rest) > 1:
        rest = _THAT.sub("", rest)
    rest = _ARTICLE.sub("", rest)
    return _value(rest)


def _forget(text: str, context: list[dict]) -> list[Item]:
    _, prev_assistant = previous_exchange(context)
    if context and context[-1].get("role") == "assistant":
        prev_assistant = str(context[-1].get("text", ""))
    targets: list[str] = []
    for sentence in _sentences(text):
        for part in _SPLIT_FORGET.split(_strip_lead(sentence)):
            # "Can you forget ...?" is a request, not a question.
            part = _REQUEST_END.sub("", part.strip()).strip()
            target = ""
            m = _FORGET.match(part)
            if m:
                target = _target(m.group("rest"))
            elif m := _NO_LONGER_TRUE.match(_JUSTIFY.sub("", part)):
                target = _target(m.group("target"))
            elif m := _NO_LONGER.match(_JUSTIFY.sub("", part)):
                verb = m.group("verb").lower()
                who = "we" if m.group("who").lower() == "we" else m.group("who")
                target = _target(m.group("rest")) if verb in _HAVE_VERBS else \
                    _value(f"{who} {m.group('verb')} {m.group('rest')}")
            if target and _PRONOUN_TARGET.match(target):
                # "Forget that." points at what the assistant just said.
                target = _value(_clean(prev_assistant)) if prev_assistant else ""
            if target and target not in targets:
                targets.append(target)
    return [("forget", {"target": t}) for t in targets]


# --- entry point ----------------------------------------------------------------------

def extract(text: str, intent: str, context: list[dict]) -> list[Item]:
    """Knowledge in one teaching turn. `context`: earlier turns of the conversation, oldest first."""
    text = _clean(text)
    if not text:
        return []
    if intent == "forget":
        items = _forget(text, context)
    elif intent == "correct":
        items = _correct(text, context)
    else:
        items = _teach_items(_strip_lead(text))
        if not items:
            items = _answer(text, context)
    unique: list[Item] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return unique


def _answer(text: str, context: list[dict]) -> list[Item]:
    """A bare answer to the question just asked: by the assistant, else by the user before it."""
    question = _assistant_question(context)
    if not question and context and context[-1].get("role") == "assistant":
        # The assistant just failed to answer: "It's 30 days." answers the user's own question.
        question = _question_in(previous_exchange(context)[0])
    if not question:
        return []
    value = _bare_value(text)
    return [("qa", {"question": question, "answer": value})] if value else []
