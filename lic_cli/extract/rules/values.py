"""Bare values: what a reply that only gives a value ("No, it's 30 days now.") says, cut to the question;
and yes/no answers ("Not yet, US only." -> "no, US only")."""

from __future__ import annotations

import re

from lic_cli.extract.rules.text import (
    _CORRECTION,
    _FIRST_PERSON,
    _FULL_STOP,
    _HEADING,
    _I,
    _strip_lead,
    _value,
    _words,
)

# "it's 30 days", "they are ...", "the answer is ...", "you have to be 18": the value follows.
_PRONOUN_COPULA = re.compile(
    r"^(?:its(?=\s+[\d$+])|(?:it|that|this|they|those|these"
    r"|the (?:correct |right |real |actual |new )?(?:answer|one|number|value))"
    r"(?:'s|'re| is| are| was| were| has| have| should be| will be| ought to be)"
    r"|you (?:have to|must|need to|got to|gotta) be"
    r"|(?:they|we|kestrel) (?:changed|moved|updated|pushed|bumped|raised|lowered|cut|dropped|set) (?:it|that|this|them)"
    r"(?: to)?"
    r"|(?:you|they|customers|members) (?:get|have|receive)(?! to\b))"
    r"(?:\s+(?:actually|now|really|been|changed to|updated to|moved to|since changed to))*\s+", _I)
# "..., it's $129" / "Wrong address, it's 410 Congress Avenue": the value is in the last clause.
_LAST_CLAUSE = re.compile(r"(?:,\s*(?:but\s+)?|\s+[—–-]\s+|\s+but\s+)(?=(?:it's|it is|they're|they are|that's|that is)\s+\S)",
                          _I)
# "it opens at noon", "they ship with UPS", "it weighs 1.2 kg": a pronoun, a verb, the value.
_PRONOUN_VERB = re.compile(
    r"^(?:it|they|he|she)\s+(?:(?:only|also|now|still|actually|really|usually)\s+)*"
    r"(?!(?:is|are|was|were|has|have|had|do|does|did|can|could|will|would|should|may|might|must|never|not"
    r"|isn't|aren't|doesn't|don't|didn't|won't|can't)\b)(?P<verb>[a-z]+)\s+(?P<rest>.+)$", _I)
# "it's paid as a gift card": the participle restates the question's verb.
_PARTICIPLE_LEAD = re.compile(r"^(?:[a-z]+ed|paid|held|sold|made|sent|kept|given|shown|done|built|taken)\s+"
                              r"(?=(?:as|for|with|when|within|until|at|in|on|after|by|from)\b)", _I)
_ADJ_LEAD = re.compile(r"^(?P<adj>[a-z]+)\s+(?=(?:for|until|till|from|in|at|on|within)\b)", _I)
# Prepositions the question already holds ("What does it pay out as?" -> "a gift card").
_DROP_PREP = re.compile(r"^(?:as|with|for|of|to)\s+(?=\S)", _I)
_DROP_PREP_WHAT = re.compile(r"^(?:in|at|on|after|by)\s+(?=\S)", _I)
_PREPOSITIONS = {"as", "at", "in", "on", "from", "to", "with", "for", "by", "of", "under", "via", "through", "into"}
_TIME_PREP_START = re.compile(r"^(?:when|where)\s+\S", _I)
_WHAT_QUESTION = re.compile(r"^(?:what|what's|which|how long|how much|how many|who)\b", _I)
_NOT_BUT = re.compile(r"^not\s+(?P<old>.+?)(?:,\s*|\s+)(?:but|it's|it is|rather|they're|they are)\s+(?P<new>.+)$", _I)
# "Not 24 hours, 1 hour after checkout": the rejected value has a number, the new one follows.
_NOT_COMMA = re.compile(r"^not\s+(?P<old>[^,]*\d[^,]*),\s*(?P<new>.+)$", _I)
# "Only 5 units", "just 1 per order", "more like 3 to 5 days", "up to $1,000": hedges before the value.
_HEDGE = re.compile(r"^(?:only|just|more like|up to|about|around|roughly|approximately)\s+(?=\S*\d)", _I)
_BUT_NOT = re.compile(r"^(?P<new>.+?)(?:,\s*|\s+)(?:and\s+)?(?:not|rather than|instead of)\s+(?P<old>.+)$", _I)
_NOT_ANSWERS = re.compile(
    r"^(?:i|i'm|i've|i'd|you|you're|please|can|could|would|what|why|how|who|where|when|which|let|thanks|"
    r"thank|thanks|ok|okay|yes|yeah|yep|sure|hmm|hi|hello|hey|bye|goodbye|cheers|great|cool|nice|perfect|"
    r"awesome|got it|fine|alright|good|no|nope|sorry|that|this|it|we|they|my|too|not)\b", _I)
# "noon, it changed in October": a trailing clause about the change is not part of the value.
_WHY_CLAUSE = re.compile(r",\s+(?:it|that|this|they|which|we)\s+(?:[a-z]+ed|was|were|went|got|has been|have been)\b.*$", _I)
# "There isn't one", "There's no fee": the answer is none.
_NONE = re.compile(r"^(?:there(?:'s| is| are) (?:none|no\s+[\w-]+(?:\s+[\w-]+){0,3})|there (?:isn't|aren't) (?:one|any)"
                   r"|(?:we|it|they) (?:don't|doesn't|do not|does not) have (?:one|any)|none)(?:\s+at all)?$", _I)
# "That's a bit slow": a reaction, not a value.
_OPINION = re.compile(r"^(?:a bit|a little|quite|very|really|so|pretty|too|kind of|rather|way too)\s+[a-z]+$", _I)


def _trim_for(question: str, value: str) -> str:
    """The value without what the question already says ("for 7 days" -> "7 days"; "shipped
    from?" -> "the Reno warehouse")."""
    last = question.rstrip(" ?").rsplit(" ", 1)[-1].lower()
    first, _, rest = value.partition(" ")
    if rest and first.lower() == last and last in _PREPOSITIONS:
        return rest
    value = _DROP_PREP.sub("", value, count=1)
    if _WHAT_QUESTION.match(question):
        value = _DROP_PREP_WHAT.sub("", value, count=1)
    return value


def _bare_value(text: str, question: str = "") -> str:
    """The new value of a correction or an answer, or '' when the text is not just a value."""
    text = text.replace("\n", " ")
    text = _strip_lead(_strip_lead(text), _CORRECTION)
    text = _FULL_STOP.sub("", text).strip()
    head = _HEADING.match(text)
    if head and _words(head.group("head")) <= 6:
        text = head.group("rest")  # "That changed last month: 25 points per review"
    if _NONE.match(text):
        return "none"
    parts = _LAST_CLAUSE.split(text)
    if len(parts) > 1:
        text = parts[-1]
    m = _NOT_BUT.match(text) or _NOT_COMMA.match(text)
    if m:
        text = m.group("new")
    copula = _PRONOUN_COPULA.match(text)
    text = text[copula.end():] if copula else text
    m = _PRONOUN_VERB.match(text)
    trimmed = bool(m and not copula or copula and _PARTICIPLE_LEAD.match(text))
    if m and not copula:
        text = _trim_for(question, m.group("rest"))
    elif trimmed:
        text = _trim_for(question, _PARTICIPLE_LEAD.sub("", text, count=1))
    elif copula and (adj := _ADJ_LEAD.match(text)) and \
            adj.group("adj").lower() in re.findall(r"[a-z']+", question.lower()):
        text = _trim_for(question, text[adj.end():])  # "It's valid for 30 days" for "How long is it valid?"
    elif copula and _WHAT_QUESTION.match(question):
        text = _DROP_PREP_WHAT.sub("", text, count=1)  # "What's the address?" / "they're at 410 Congress Avenue"
    text = _WHY_CLAUSE.sub("", _HEDGE.sub("", text, count=1))
    m = _BUT_NOT.match(text)
    if m:
        text = m.group("new")
    text = _value(text)
    # A value cut out of "they're charged when they ship" may start with "when"; a whole turn may not.
    if not text or text.endswith("?") or _NOT_ANSWERS.match(text) and not (trimmed and _TIME_PREP_START.match(text)) \
            or _words(text) > 20 or _FIRST_PERSON.search(text) or _OPINION.match(text):
        return ""
    return text


# --- yes/no answers ---------------------------------------------------------------------

_YES_NO_QUESTION = re.compile(r"^(?:is|are|do|does|did|can|could|will|would|has|have|was|were)\b", _I)
# "It does, iOS 15 and up" / "We don't, sorry": a pronoun and its auxiliary alone say yes or no.
_SHORT_YES = r"|(?:we|it|they|you)\s+(?:do|does|can|will|are|is)(?=\s*(?:[,.!—–-]|$))"
_SHORT_NO = (r"|(?:we|it|they|you)\s+(?:don't|doesn't|can't|won't|aren't|isn't|do not|does not|cannot|are not|is not)"
             r"(?=\s*(?:[,.!—–-]|$))|(?:it's|they're|we're|you're)\s+not"
             r"(?=\s*(?:[,.!—–-]|$))")
_NO_OPENER = re.compile(r"^(?:no+|nope|nah|not anymore|not any more|no longer|not yet" + _SHORT_NO + r")\b\s*[,.!—–-]*\s*",
                        _I)
_YES_OPENER = re.compile(r"^(?:(?:yes|yeah|yep|yup|of course|sure|absolutely)(?:\s+(?:we|it|they|you)\s+"
                         r"(?:do|does|can|is|are|will))?" + _SHORT_YES + r")\b\s*[,.!—–-]*\s*", _I)
_NEGATION = re.compile(r"\b(?:no|not|never|don't|doesn't|isn't|aren't|can't|cannot|won't|only)\b|n't\b", _I)
_RESTATED = re.compile(r"^(?:yes|yeah|yep|we do|it does|they do|it is|they are|there is|there are|you can)$", _I)
_ANSWER_IS = re.compile(r"^(?:the\s+)?(?:(?:correct|right|real|short)\s+)?answer\s+is\s*:?\s+", _I)
_STOP = set("the a an is are do does can you your we our i my to of for in on at it".split())


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9$]+", text.lower()) if w not in _STOP and len(w) > 2}


def _yes_no(question: str, text: str, *, infer: bool = True) -> str:
    """The answer to a yes/no question: 'no, it closes at 8'. Without an opening yes or no, a
    correction (`infer`) is read as no when it is negated; other answers give ''."""
    text = _ANSWER_IS.sub("", _FULL_STOP.sub("", _strip_lead(text)).strip())
    opener = _NO_OPENER.match(text)
    yes = _YES_OPENER.match(text)
    if opener:
        negative, body = True, text[opener.end():]
    elif yes:
        negative, body = False, text[yes.end():]
    elif not infer:
        return ""
    else:
        body = _strip_lead(text, _CORRECTION)
        copula = _PRONOUN_COPULA.match(body)
        # "You have to be 18": a value, not a yes or no.
        if copula and _words(body[copula.end():]) <= 4:
            return ""
        first = body.split(", ")[0]
        negative = bool(_NEGATION.search(first))
    body = _value(body)
    cut = _BUT_NOT.match(body)
    if cut and not opener:
        body = _value(cut.group("new"))  # "Only splash-proof, not waterproof"
    first, _, extra = body.partition(", ")
    if extra and (_RESTATED.match(first) or len(_content(first) & _content(question)) >= 2):
        body = _value(extra)  # "We do ship to Alaska now, it takes 7 to 10 days": the news is the rest
    if _FIRST_PERSON.search(body) or _words(body) > 20:
        return ""
    return ("no" if negative else "yes") + (f", {body}" if body else "")
