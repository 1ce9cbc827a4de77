"""Teaching statements, clause by clause: facts, and questions with answers from copulas, verbs,
passives and yes/no policies; also what the assistant claimed, for corrections."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lic_cli.extract.rules.asked import _asked_items, _base, _pair_item
from lic_cli.extract.rules.forget import _FORGET, _forget_targets
from lic_cli.extract.rules.labels import _labels, _task_heading
from lic_cli.extract.rules.text import (
    _FIRST_PERSON,
    _FULL_STOP,
    _HEADING,
    _I,
    _REQUEST_END,
    Item,
    _as_asked,
    _clean,
    _lower_first,
    _relation,
    _sentences,
    _strip_lead,
    _subject,
    _value,
    _words,
)

# (?i:...): "KESTREL'S CEO IS ..." is shouted, the names around it stay case-sensitive
_COPULA = (r"(?P<cop>(?i:(?:is|are)(?:\s+now)?|(?:has|have)(?:\s+been)?\s+(?:changed|updated|moved)\s+to"
           r"|(?:was|were)\s+(?:changed|updated|moved)\s+to|changed to|moved to|is moving to"
           r"|(?:has|have)\s+become|became|will be|is going to be"
           r"|went (?:up|down) to|(?:rose|fell|dropped|increased|decreased) to"
           r"|(?:is|are|was|were|has been|have been) (?:raised|lowered|increased|reduced|cut|bumped) to))")
_NAME = (r"[A-Z0-9][\w&.+-]*(?:\s+(?:[A-Z0-9][\w&.+-]*|of|and|&|de))*"
         # a named product often ends in a common noun: "the Kestrel Pulse smartwatch"
         r"(?:\s+(?:smartwatch|watch|speaker|camera|cable|charger|plug|smart plug|headphones|earbuds|buds|laptop"
         r"|app|hub|store|warehouse))?")
# Kestrel's support phone number is ... / Kestrel Headphones' battery life is ...
_POSSESSIVE = re.compile(r"^(?:the\s+)?(?P<subj>" + _NAME + r")'[sS]?\s+(?P<rel>[^,]+?)\s+" + _COPULA
                         + r"\s+(?P<obj>.+)$")
# "The app's ..." matches _NAME through its common-noun tail, but names no one.
_COMMON_OWNER = re.compile(r"^(?:The|A|An)\s+[a-z]")
# kestrel's cfo is ... (typed in lower case: a bare word owns it; "the app's" does not)
_POSSESSIVE_LOWER = re.compile(r"^(?P<subj>[a-z][\w&+-]*)'s\s+(?P<rel>[^,]+?)\s+" + _COPULA + r"\s+(?P<obj>.+)$")
# "..., and Kestrel Austin's are noon to 6 pm": the relation of the fact before, another subject.
_POSSESSIVE_ALONE = re.compile(r"^(?:the\s+)?(?P<subj>" + _NAME + r")'[sS]?\s+(?:is|are)\s+(?P<obj>.+)$")
# The Kestrel Pulse smartwatch has a water resistance of 50 meters (a named subject: a fact).
_HAS_OF = re.compile(r"^(?:[Tt]he\s+)?(?P<subj>" + _NAME + r")\s+(?:has|have)\s+(?:an?\s+)(?P<rel>[a-z][\w -]*)\s+of\s+"
                     r"(?P<obj>.+)$")
# "... has a screen size of 16 inches and a weight of 1.9 kg": another measure of the same subject.
_ALSO_OF = re.compile(r"^(?:an?\s+)(?P<rel>[a-z][\w -]{0,30}?)\s+of\s+(?P<obj>[$€£]?\d.*)$")
# its CFO is ... (the subject of the previous fact in the same turn, or of the assistant's claim)
_ITS = re.compile(r"^(?:its|their)\s+(?P<rel>[^,]+?)\s+" + _COPULA + r"\s+(?P<obj>.+)$", _I)
# The battery life of the Kestrel Aero 2 is ...
# (case-sensitive: the subject must be a name; "the minimum age for Klarna is 18" is a question)
_OF = re.compile(r"^(?:[Tt]he\s+)?(?P<rel>[A-Za-z][\w' -]*?)\s+of\s+(?:the\s+)?(?P<subj>" + _NAME
                 + r")\s+" + _COPULA + r"\s+(?P<obj>.+)$")
_PLAIN = re.compile(r"^(?P<x>[^,;:]+?)\s+" + _COPULA + r"\s+(?P<y>.+)$", _I)
# Our loyalty program gives 1 point per dollar -> What does your loyalty program give?
# Keyed by the verb's base form; "gives" asks "does", the plural "give" asks "do".
_VERBS = {"give": "What {aux} {x} give?", "offer": "What {aux} {x} offer?", "cost": "How much {aux} {x} cost?",
          "include": "What {aux} {x} include?", "cover": "What {aux} {x} cover?",
          "accept": "What {aux} {x} accept?", "last": "How long {aux} {x} last?",
          "charge": "How much {aux} {x} charge?", "open": "When {aux} {x} open?",
          "close": "When {aux} {x} close?", "earn": "What {aux} {x} earn?",
          "require": "What {aux} {x} require?", "support": "What {aux} {x} support?",
          "take": "How long {aux} {x} take?", "expire": "When {aux} {x} expire?",
          "start": "When {aux} {x} start?", "end": "When {aux} {x} end?", "fix": "What {aux} {x} fix?",
          "get": "What {aux} {x} get?", "have": "What {aux} {x} have?", "need": "What {aux} {x} need?",
          "come with": "What {aux} {x} come with?", "weigh": "How much {aux} {x} weigh?",
          "come in": "What {aux} {x} come in?"}
_SINGULAR = {"have": "has", "fix": "fixes", "come with": "comes with", "come in": "comes in"}
_VERB_OF = {**{_SINGULAR.get(v, v + "s"): (v, "does") for v in _VERBS}, **{v: (v, "do") for v in _VERBS}}
_VERB_FORM = re.compile(r"^(?P<x>[^,;:]+?)\s+(?P<verb>" + "|".join(sorted(_VERB_OF, key=len, reverse=True))
                        + r")\s+(?P<y>.+)$", _I)
# "Open-box items have a 1-year warranty" asks what warranty: the noun after a number names it.
_COUNTED = re.compile(r"^(?:an?\s+)(?:\S*\d\S*)\s+(?P<noun>[a-z][a-z -]*)$")
_VERB_ASKS_NOUN = {"have", "get", "come with"}
# Any -s verb and a direct object that reads as a value (a number, an amount, a name):
# "The Aero Buds case holds three full charges"; "The app crashes on login" has none.
_ANY_VERB = re.compile(r"^(?P<x>(?:[Tt]he|[Oo]ur|[Yy]our|[Ee]ach|[Ee]very)\s+[^,;:\d]+?)\s+(?P<verb>[a-z]+[^s\W]s)\s+(?P<y>(?!(?:on|in|at|to|for|with|from|by|after|before|when"
                       r"|if|up|down|out|off|over|under|into)\b).+)$")
_VALUE_LIKE = re.compile(r"[\d$€£%]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|a dozen)\b|\s[A-Z]")
_NOT_VERB_WORDS = re.compile(r"^(?:is|was|has|does|says|thinks|claims|seems|looks|sounds|feels|means|wants|needs|costs|ships)$")
_TO_DO = re.compile(r"^(?P<value>.*\d.*?)\s+to\s+(?P<inf>[a-z]+)$", _I)
_ADVERB_END = re.compile(r"\s+(?:only|also|now|still|usually|always|actually|just)$", _I)
# "We now ship to Mexico" / "We don't ship to PO boxes": a yes/no question about the shop.
_WE_DO = re.compile(
    r"^we\s+(?:(?P<neg>don't|do not|no longer|can't|cannot|won't|never)\s+)?(?:(?:now|also|still|do|even)\s+)*"
    r"(?P<rest>(?:ship|deliver|offer|accept|sell|stock|carry|support|price[- ]match|match|take|provide|allow|do"
    r"|install|repair|recycle|buy back|open|deliver)\b.+)$", _I)
# "You can return items bought on sale" / "You can't ..." -> Can I ...?
_YOU_CAN = re.compile(r"^you\s+(?P<can>can't|cannot|can not|can)\s+(?P<rest>.+)$", _I)
_SECOND_PERSON = {"your": "my", "you": "I", "yours": "mine"}
# "There is no restocking fee" -> What is the restocking fee? none.
_THERE_IS_NO = re.compile(r"^there(?:'s|\s+(?P<be>is|are))\s+no\s+(?P<x>[a-z][\w -]*?)(?:\s+at all)?$", _I)
# "The trade-in credit for a Glide 14 is $250, and for a Glide 16 it's $350": the same question,
# another qualifier.
_QUALIFIED = re.compile(
    r"^(?:(?:and|but|while|whereas)\s+)?(?P<prep>for|on|in|at|with|to|from)\s+(?P<q>[^,]+?),?\s+"
    r"(?:it's|it is|its|they're|they are|that's|that is|it costs|it takes|it's only)\s+(?P<v>.+)$", _I)

# First words that make a phrase a clause or a pronoun rather than a thing to ask about.
_NOT_SUBJECTS = set(
    "it it's this that there here these those they them i i'm you he she we what who where when why how which "
    "if because since although though while after before as once unless so but or and everything nothing "
    "something anything everyone someone anyone one mine yours his hers theirs ours not no yes let please "
    "thanks thank sorry hi hello hey ok okay well just also can could would should will may might must do does "
    "did is are was were my".split())
_NOT_OWNERS = _NOT_SUBJECTS | {"our", "your", "my", "their", "his", "her", "its"}
_NOT_VALUES = re.compile(
    r"^(?:not|no longer|never|being|going|able|unable|sure|right|wrong|correct|incorrect|true|false|"
    r"great|good|bad|fine|ok|okay|done|it|that|this|why|how|what|when|where|who|which|because|too)\b"
    # opinions: "a great laptop", "such a hassle", "the best headphones"
    r"|^(?:such|so|really|very|quite|pretty)\s|^(?:an?|the)\s+(?:great|good|bad|terrible|awful|amazing|excellent|nice"
    r"|fantastic|horrible|best|worst|lovely|perfect|awesome|brilliant|real|total|complete)\b", _I)
# "Our office manager says the terms are net 30": hearsay, not a statement of the teacher's.
_REPORTED = re.compile(r"\b(?:says|said|thinks|thought|told|claims|claimed|believes|reckons|mentioned|heard)\b", _I)


_PLACEHOLDER = re.compile(r"^(?:the\s+)?(?:(?:correct|right|real|actual|new|true)\s+)?(?:answer|one|value)$", _I)


def _personal(subject: str) -> bool:
    """'my address', 'the one I bought', 'our manager says the terms': not the shop's knowledge."""
    return bool(_FIRST_PERSON.search(subject) or _REPORTED.search(subject))


_PERSON_ROLES = {"ceo", "cfo", "cto", "coo", "founder", "founders", "owner", "owners", "manager", "director",
                 "president", "chair", "chairman", "chairwoman", "head", "lead", "contact", "boss", "cofounder",
                 "co-founder", "spokesperson", "representative", "rep", "chef", "agent"}
_WHERE = re.compile(r"^(?:located|based|situated|headquartered|found)\s+(?P<rest>(?:in|at|on|near)\s+.+)$", _I)
_WHEN = re.compile(r"^(?P<adj>open|closed|available)\s+(?P<rest>(?:daily|every|weekdays|weekends|monday|tuesday"
                   r"|wednesday|thursday|friday|saturday|sunday|\d).*)$", _I)
_PLACE_PREP = r"(?:at|in|on|under|near|inside|behind|beside|outside|next to|via|through)"
_TIME_PREP = r"(?:within|after|before|until|till|by|during|when|between|from|every|once|starting)"
_MONTH = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
          r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)")
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekday|weekend)s?"
# What follows "in"/"on"/"at" when it is a time, not a place.
_TIME = re.compile(r"^(?:the\s+)?(?:" + _MONTH + r"\b|" + _DAY + r"\b|\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m|p\.m)\b"
                   r"|\d{4}\b|noon|midnight|spring|summer|autumn|fall|winter|morning|afternoon|evening|night"
                   r"|holidays?\b|christmas|black friday|(?:first|last|end|start|beginning|middle) of\b"
                   r"|(?:next|this) (?:week|month|year)|\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?)\b)", _I)
_PARTICIPLE = re.compile(
    r"^(?P<adj>(?:[a-z]+ed|paid|held|sold|made|sent|kept|given|shown|done|built|taken|written)"
    r"(?:\s+(?:out|up|back|off|over|down))?"  # "are paid out within 3 days"
    r"|open|closed|available|valid|eligible|free|possible|due|ready|offered)\s+(?P<rest>.+)$", _I)
# "under 24 hours", "at least $50": an amount, asked with "what".
_AMOUNT = re.compile(r"^(?:least\s+|most\s+)?[$€£]?\d", _I)
_MONEY = re.compile(r"^(?:only\s+)?[$€£]?\d|^(?:free|nothing)\b", _I)
_DURATION = re.compile(r"^(?:up to\s+)?\d+\s+(?:minutes?|hours?|days?|weeks?|months?|years?|business days?)\b", _I)
_CUT_NOT = re.compile(r",?\s+(?:not|rather than|instead of)\s+.+$", _I)


@dataclass
class _State:
    """What earlier clauses established: "its" refers to the last subject, and "for X it's Y"
    re-asks the last question with another qualifier."""

    subject: str = ""
    question: str = ""
    relation: str = ""  # "Kestrel Denver's Sunday hours are ..., and Kestrel Austin's are ..."

    def note(self, item: Item) -> None:
        kind, fields = item
        if kind == "fact":
            self.subject, self.relation = fields["subject"], fields["relation"]
        elif kind == "qa":
            self.question = fields["question"]


def _ok_name(text: str) -> bool:
    return 0 < _words(text) <= 6


def _fact(subject: str, rel: str, obj: str) -> Item | None:
    subject, rel, obj = _subject(subject), _relation(rel), _value(obj)
    if obj.lower().startswith("called "):  # "Kestrel's loyalty program is called Kestrel Perks"
        obj = obj[len("called "):]
    if not (_ok_name(subject) and _ok_name(rel) and obj) or _NOT_VALUES.match(obj) or _FIRST_PERSON.search(obj):
        return None
    if rel.split()[0].lower() in _NOT_SUBJECTS or subject.split()[0].lower() in _NOT_OWNERS:
        return None
    return "fact", {"subject": subject, "relation": rel, "object": obj}


def _be(plural: bool) -> str:
    return "are" if plural else "is"


def _qa_about(x: str, cop: str, y: str) -> Item | None:
    """'The refund window is 30 days' -> ('What is the refund window?', '30 days')."""
    x = x.strip()
    if _PLACEHOLDER.match(x):
        return None  # "The answer is 2 days" answers the question asked, it is not about "the answer"
    if not (0 < _words(x) <= 8) or x[0] in "\"'(" or x.split()[0].lower() in _NOT_SUBJECTS or _personal(x):
        return None
    y = _value(_CUT_NOT.sub("", y))  # "30 days, not 14"
    if not y or _NOT_VALUES.match(y) or _FIRST_PERSON.search(y):
        return None
    plural = cop.lower().startswith(("are", "have", "were"))
    be = _be(plural)
    subject = _as_asked(_lower_first(x))
    if "moved" in cop.lower():
        return "qa", {"question": f"Where {be} {subject}?", "answer": y}
    first = y.split()[0]
    where = _WHERE.match(y)
    if where:
        return "qa", {"question": f"Where {be} {subject} {first.lower()}?", "answer": _value(where.group("rest"))}
    when = _WHEN.match(y)
    if when:
        return "qa", {"question": f"When {be} {subject} {when.group('adj').lower()}?",
                      "answer": _value(when.group("rest"))}
    # "is at every Kestrel store" / "is in January": where or when, the preposition kept.
    m = re.match(r"^(?P<prep>" + _PLACE_PREP + r")\s+(?P<rest>.+)$", y, _I)
    if m and not (m.group("prep").lower() in ("under", "at") and _AMOUNT.match(m.group("rest"))):
        wh = "When" if _TIME.match(m.group("rest")) else "Where"
        return "qa", {"question": f"{wh} {be} {subject}?", "answer": y}
    if first.lower() == "worth":
        return "qa", {"question": f"How much {be} {subject} worth?", "answer": _value(y[len(first):])}
    if y.lower() == "free":
        return "qa", {"question": f"How much {'do' if plural else 'does'} {subject} cost?", "answer": y}
    m = _PARTICIPLE.match(y)
    if m and first[0].islower():
        return _passive(subject, be, m.group("adj").lower(), _CUT_NOT.sub("", m.group("rest")))
    # "is closed on Sundays", "is shipped the same day": not a thing to ask "what is" about.
    if first[0].islower() and (first.lower().endswith("ed") and len(first) > 4 or first.lower() in
                               ("open", "closed", "free", "available", "unavailable", "possible", "required",
                                "allowed", "valid", "included", "excluded", "eligible", "limited", "broken",
                                "down", "offline", "missing", "stolen", "busy")):
        return None
    who = x.split()[-1].lower().strip("'") in _PERSON_ROLES
    return "qa", {"question": f"{'Who' if who else 'What'} {be} {subject}?", "answer": y}


def _passive(subject: str, be: str, adj: str, rest: str) -> Item | None:
    """'Refunds are processed within 5 days', 'is paid as a gift card', 'is available for $3.99':
    the preposition says what is asked."""
    prep, _, tail = rest.partition(" ")
    prep = prep.lower()
    if not tail:
        return None
    answer = _value(rest)
    if re.fullmatch(_PLACE_PREP, prep) and not _TIME.match(tail):
        return "qa", {"question": f"Where {be} {subject} {adj}?", "answer": answer}
    if re.fullmatch(_PLACE_PREP, prep) or re.fullmatch(_TIME_PREP, prep):
        return "qa", {"question": f"When {be} {subject} {adj}?", "answer": answer}
    if prep == "as":
        return "qa", {"question": f"How {be} {subject} {adj}?", "answer": answer}
    if prep == "for" and _DURATION.match(tail):
        return "qa", {"question": f"How long {be} {subject} {adj}?", "answer": answer}
    if prep == "for" and _MONEY.match(tail):
        return "qa", {"question": f"{be.capitalize()} {subject} {adj}?", "answer": f"yes, {answer}"}
    return None


def _verb_item(x: str, verb: str, y: str) -> Item | None:
    """'In-store repairs take 3 to 5 days' -> ('How long do in-store repairs take?', '3 to 5 days')."""
    x = _ADVERB_END.sub("", x.strip())
    y = _value(_CUT_NOT.sub("", y))
    if not (0 < _words(x) <= 8) or x.split()[0].lower() in _NOT_SUBJECTS or _personal(x):
        return None
    if not y or _NOT_VALUES.match(y) or _FIRST_PERSON.search(y):
        return None
    base, aux = _VERB_OF[verb.lower()]
    subject = _as_asked(_lower_first(x))
    counted = _COUNTED.match(y)
    if base in _VERB_ASKS_NOUN and counted:
        return "qa", {"question": f"What {counted.group('noun')} {aux} {subject} {base}?", "answer": y}
    purpose = _TO_DO.match(y) if base == "take" else None
    if purpose:  # "take up to 10 business days to process" -> How long do ... take to process?
        return "qa", {"question": f"How long {aux} {subject} take to {purpose.group('inf')}?",
                      "answer": purpose.group("value")}
    return "qa", {"question": _VERBS[base].format(aux=aux, x=subject), "answer": y}


def _yes_no_item(text: str) -> Item | None:
    """'We now ship to Mexico' -> ('Do you ship to Mexico?', 'yes'); 'You can't ...' -> 'no'."""
    rest, _, extra = text.partition(", ")
    m = _WE_DO.match(rest)
    if m:
        question, negative = f"Do you {_value(m.group('rest'))}?", bool(m.group("neg"))
    elif m := _YOU_CAN.match(rest):
        asked = " ".join(_SECOND_PERSON.get(w, w) for w in _value(m.group("rest")).split())
        question, negative = f"Can I {asked}?", m.group("can").lower() != "can"
    else:
        return None
    if _words(question) > 12 or _FIRST_PERSON.search(m.group("rest")):
        return None
    extra = _value(extra)
    answer = ("no" if negative else "yes") + (f", {extra}" if extra else "")
    return "qa", {"question": question, "answer": answer}


# "Student discounts don't apply to gift cards" -> Do student discounts apply to gift cards? no.
_NEGATED = re.compile(r"^(?P<x>[^,;:]+?)\s+(?P<aux>doesn't|don't|does not|do not|isn't|aren't|is not|are not)\s+"
                      r"(?P<rest>.+)$", _I)
_VERDICT = re.compile(r"^(?:true|valid|correct|accurate|right|the case|a thing|up to date|current)\b", _I)
_AUX = {"doesn't": "Does", "does not": "Does", "don't": "Do", "do not": "Do", "isn't": "Is", "is not": "Is",
        "aren't": "Are", "are not": "Are"}
# "Gift cards can be used in any Kestrel store", "Perks points can't be transferred"
_MODAL_PASSIVE = re.compile(r"^(?P<x>[^,;:]+?)\s+(?P<modal>can|can't|cannot|can not|may|will|won't)\s+(?:only\s+)?be\s+"
                            r"(?P<part>[a-z]+ed|paid|held|sold|made|sent|kept|given|shown|done|taken)(?:\s+(?P<rest>.+))?$",
                            _I)


def _thing(x: str) -> bool:
    """A phrase that names a thing of the shop's to ask about (not a pronoun, not the user's own)."""
    return 0 < _words(x) <= 8 and x.split()[0].lower() not in _NOT_SUBJECTS and not _personal(x) and x[0] not in "\"'("


def _negated(text: str) -> Item | None:
    m = _NEGATED.match(text)
    if not m or not _thing(m.group("x")) or _words(m.group("rest")) > 10 or _FIRST_PERSON.search(m.group("rest")):
        return None
    if _VERDICT.match(m.group("rest")):
        return None  # "The fax number is not valid": a verdict on the knowledge (a forget), not a policy
    rest = _value(m.group("rest"))
    subject = _as_asked(_lower_first(m.group("x").strip()))
    return "qa", {"question": f"{_AUX[m.group('aux').lower()]} {subject} {rest}?", "answer": "no"}


def _modal_passive(text: str) -> Item | None:
    m = _MODAL_PASSIVE.match(text)
    if not m or not _thing(m.group("x")):
        return None
    modal, part, rest = m.group("modal").lower(), m.group("part").lower(), _value(m.group("rest") or "")
    subject = _as_asked(_lower_first(m.group("x").strip()))
    asked = "Will" if modal in ("will", "won't") else "Can"
    if modal in ("can't", "cannot", "can not", "won't"):
        return "qa", {"question": f"{asked} {subject} be {part}{' ' + rest if rest else ''}?", "answer": "no"}
    placed = _passive(subject, modal, f"be {part}", rest) if rest else None
    return placed or ("qa", {"question": f"{asked} {subject} be {part}{' ' + rest if rest else ''}?", "answer": "yes"})


def _qualified(text: str, state: _State) -> Item | None:
    """'for a Glide 16 it's $350' re-asks the last question with the new qualifier."""
    m = _QUALIFIED.match(text)
    if not m or not state.question:
        return None
    prep, value = m.group("prep").lower(), _value(m.group("v"))
    base = state.question.rstrip("?").rstrip()
    cut = base.rfind(f" {prep} ")
    if cut > 0:
        base = base[:cut]
    if not value or _NOT_VALUES.match(value):
        return None
    return "qa", {"question": f"{base} {prep} {m.group('q').strip()}?", "answer": value}


def _clause(text: str, state: _State) -> Item | None:
    """One clause as a fact or a question/answer pair, or None."""
    text = _strip_lead(text.strip())
    text = _FULL_STOP.sub("", text).strip()
    if not text or text.endswith("?"):
        return None
    # "The express fee is $9.99 and it arrives in 2 to 3 days": the value ends before "and it".
    text = _AND_PRONOUN.split(text, maxsplit=1)[0]
    m = _ITS.match(text)
    if m:
        return _fact(state.subject, m.group("rel"), m.group("obj")) if state.subject else None
    item = _qualified(text, state)
    if item:
        return item
    m = _POSSESSIVE.match(text)
    if m and not _COMMON_OWNER.match(m.group("subj")):
        item = _fact(m.group("subj"), m.group("rel"), m.group("obj"))
        if item:
            return item
    m = _POSSESSIVE_LOWER.match(text)
    if m:
        item = _fact(m.group("subj"), m.group("rel"), m.group("obj"))
        if item:
            return item
    m = _OF.match(text)
    if m:
        item = _fact(m.group("subj"), m.group("rel"), m.group("obj"))
        if item:
            return item
    m = _POSSESSIVE_ALONE.match(text)
    if m and state.relation and not _COMMON_OWNER.match(m.group("subj")):
        item = _fact(m.group("subj"), state.relation, m.group("obj"))
        if item:
            return item
    m = _ALSO_OF.match(text)
    if m and state.subject and state.relation:
        return _fact(state.subject, m.group("rel"), m.group("obj"))
    m = _HAS_OF.match(text)
    if m and not _COMMON_OWNER.match(m.group("subj")):
        item = _fact(m.group("subj"), m.group("rel"), m.group("obj"))
        if item:
            return item
    item = _yes_no_item(text) or _negated(text) or _modal_passive(text)
    if item:
        return item
    m = _THERE_IS_NO.match(text)
    if m and 0 < _words(m.group("x")) <= 6:
        return "qa", {"question": f"What {_be((m.group('be') or '').lower() == 'are')} the {_value(m.group('x'))}?",
                      "answer": "none"}
    m = _PLAIN.match(text)
    if m:
        return _qa_about(m.group("x"), m.group("cop"), m.group("y"))
    m = _VERB_FORM.match(text)
    if m:
        return _verb_item(m.group("x"), m.group("verb"), m.group("y"))
    m = _ANY_VERB.match(text)
    if m and _VALUE_LIKE.search(m.group("y")) and not _NOT_VERB_WORDS.match(m.group("verb")):
        x, y = m.group("x"), _value(_CUT_NOT.sub("", m.group("y")))
        if _thing(x) and y and not _NOT_VALUES.match(y) and not _FIRST_PERSON.search(y):
            return "qa", {"question": f"What does {_as_asked(_lower_first(x))} {_base(m.group('verb'))}?", "answer": y}
    return None


# "Kestrel Toronto's phone number: +1 555 0160": a possessive before a colon names the fact.
_POSSESSIVE_COLON = re.compile(r"^(?P<head>[A-Z][\w&.+ -]{0,40}?'[sS]?\s+[\w -]{1,40}?):\s+(?P<rest>[^:]+)$")
_AND_PRONOUN = re.compile(r",?\s+(?:and|but)\s+(?=(?:it|they|you|we)\s)", _I)
# "A is B and its C is D": split only where both sides read as statements.
_AND = re.compile(r",?\s+and\s+(?:also\s+)?|;\s+|,\s+(?=(?:its|their|the|our)\s)", _I)


def _statement_items(sentence: str, state: _State) -> list[Item]:
    for m in _AND.finditer(sentence):
        left = _clause(sentence[: m.start()], state)
        if left is None:
            continue
        saved = (state.subject, state.question)
        state.note(left)
        rest = _statement_items(sentence[m.end():], state)
        if rest:
            return [left, *rest]
        state.subject, state.question = saved
    item = _clause(sentence, state)
    if item is None:
        return []
    state.note(item)
    return [item]


def _context_state(context: list[dict] | None) -> _State:
    """What the assistant's last claims established, for "its ..." and "for X it's Y"."""
    state = _State()
    if context and context[-1].get("role") == "assistant":
        for kind, fields in _assistant_claims(str(context[-1].get("text", ""))):
            if kind == "fact" and not state.subject:
                state.subject = fields["subject"]
            if kind == "qa" and not state.question:
                state.question = fields["question"]
    return state


def _teach_items(text: str, context: list[dict] | None = None) -> list[Item]:
    """Labels, forgets and statements, sentence by sentence (lead-ins and fillers stripped)."""
    state = _context_state(context)
    items: list[Item] = []
    task = ""  # "For ticket_topics:" above a list names the task of the labels below it
    sentences = _sentences(text)
    answered = -1  # the sentence that answered the question before it
    for n, sentence in enumerate(sentences):
        if n == answered:
            continue
        sentence = _strip_lead(sentence)
        # "How long do trade-in quotes last? 30 days.": a question and, next, its answer.
        pair = _pair_item(sentence, sentences[n + 1]) if n + 1 < len(sentences) else None
        if pair:
            answered = n + 1
            items.append(pair)
            continue
        found = _sentence_items(sentence, state)
        head = _HEADING.match(sentence)
        if not found and head and _words(head.group("head")) <= 6:
            found = _sentence_items(_strip_lead(head.group("rest")), state)
        if not found:
            task = _task_heading(sentence) or task
        if task:
            found = [("label", {**f, "task": task}) if k == "label" and "task" not in f else (k, f) for k, f in found]
        owned = _POSSESSIVE_COLON.match(sentence) if not found else None
        if owned:
            found = _statement_items(f"{owned.group('head')} is {owned.group('rest')}", state)
        items.extend(found)
    return items


def _sentence_items(sentence: str, state: _State) -> list[Item]:
    labels = _labels(sentence)
    if labels:
        return labels
    asked = _asked_items(sentence)  # "If someone asks X, tell them Y"
    if asked:
        return asked
    # "Forget the fax number. Kestrel's support phone number is ...": a forget inside a teach turn.
    if _FORGET.match(_REQUEST_END.sub("", sentence)):
        return [("forget", {"target": t}) for t in _forget_targets(sentence, "")]
    return _statement_items(sentence, state)


def _assistant_claims(text: str) -> list[Item]:
    """The statements `X is A` the assistant made, as items."""
    state = _State()
    claims: list[Item] = []
    for sentence in _sentences(_clean(text)):
        claims.extend(_statement_items(sentence, state))
    return claims


def _claim_subject(text: str) -> str:
    """What the assistant's first statement is about: "The spring sale starts on April 1" ->
    "The spring sale"; '' when it names nothing."""
    for sentence in _sentences(_clean(text)):
        clause = _FULL_STOP.sub("", _strip_lead(sentence)).strip()
        m = _PLAIN.match(clause) or _VERB_FORM.match(clause)
        if m:
            x = m.group("x").strip()
            ok = 0 < _words(x) <= 6 and x.split()[0].lower() not in _NOT_SUBJECTS and not _personal(x)
            return x if ok else ""
    return ""


def _assistant_claim(text: str) -> Item | None:
    claims = _assistant_claims(text)
    return claims[0] if claims else None
