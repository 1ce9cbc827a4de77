"""Forget targets: what a turn asks to drop, with "it"/"that" resolved against the assistant."""

from __future__ import annotations

import re

from lic_cli.extract.rules.text import (
    _FIRST_PERSON,
    _FULL_STOP,
    _I,
    _QUOTED_SPAN,
    _REQUEST_END,
    _THAT,
    Item,
    _clean,
    _sentences,
    _strip_lead,
    _value,
    _words,
)
from lic_cli.records import previous_exchange

_FORGET_VERB = (r"(?:forget(?:\s+about)?|delete|remove|drop|erase|unlearn|purge|discard|scrap|get rid of|take (?:out|off)"
                r"|wipe|clear(?:\s+out)?|throw (?:out|away)|ignore|disregard|scratch|strike|cross out|bin"
                r"|stop (?:saying|mentioning|talking about|bringing up|telling (?:people|customers|users|them|everyone"
                r"|anyone)(?:\s+about)?)"
                r"|(?:don'?t|do not|never|no longer) (?:say|mention|tell (?:people|customers|users|anyone|them)))")
_FORGET = re.compile(
    r"^(?:(?:please|can you|could you|would you|kindly|you should|you can|you need to|i want you to|also|and"
    r"|just|now)\s+)*" + _FORGET_VERB + r"\s+(?P<rest>.+)$", _I)
_NO_LONGER_TRUE = re.compile(
    r"^(?P<target>.+?)\s+(?:is|are)\s+(?:no longer|not)\s+(?:true|valid|correct|accurate|right|the case"
    r"|a thing|offered|available)(?:\s+(?:anymore|any more))?$"
    r"|^(?P<target2>.+?)\s+(?:is|are)\s+(?:outdated|out of date|obsolete|stale|wrong|incorrect)$", _I)
_NO_LONGER = re.compile(
    r"^(?P<who>we|kestrel|they)\s+(?:no longer|(?:don't|do not|doesn't|does not)(?=.*\b(?:anymore|any more)$))"
    r"\s+(?P<verb>[\w-]+)\s+(?P<rest>.+?)(?:\s+(?:anymore|any more))?$", _I)
# "We stopped offering the rewards card": the thing that went away.
_STOPPED = re.compile(
    r"^(?:we|kestrel|they)\s+(?:have\s+|has\s+)?(?:stopped|quit|discontinued|dropped|ended|retired)\s+"
    r"(?:(?:offering|selling|doing|stocking|carrying|providing|supporting|accepting|running|using)\s+)?"
    r"(?P<rest>.+)$", _I)
# "That's wrong and should be forgotten" / "The Perks card should be deleted".
_BE_FORGOTTEN = re.compile(
    r"^(?P<target>.+?)(?:(?:\s+is|\s+was|'s)\s+\w+\s+and)?\s+(?:should|must|needs to|has to|have to|can)\s+(?:be\s+"
    r"(?:forgotten|deleted|removed|dropped|erased|binned|scrapped|taken (?:out|off))|go|come (?:out|off))$", _I)
# "Take that answer out": a verb around its object.
_TAKE_OUT = re.compile(
    r"^(?:(?:please|can you|could you|would you|kindly|just|now)\s+)*(?:take|leave|cut)\s+(?P<rest>.+?)\s+out"
    r"(?:\s+(?:of\s+(?:the|your)\s+\w+|please))*$", _I)
_HAVE_VERBS = {"have", "offer", "sell", "stock", "provide", "support", "carry", "accept", "use", "run", "ship", "do"}
_ABOUT = re.compile(
    r"^(?:(?:the|that|this|any|all)\s+)?(?:fact|facts|entry|entries|row|rows|record|records|line|answer|answers|"
    r"message|messages|question|questions|example|examples|ticket|tickets|email|emails|"
    r"info|information|item|note|bit|part|thing|statement|claim|rule|knowledge|stuff|data|detail|details)"
    r"\s+(?:about|saying|that says|which says|stating|that|on|for|regarding|of)\s+"
    r"|^(?:what|everything|anything|all)\s+(?:(?:you know|you learned|you have learned|i told you|you were told|"
    r"you have|we said|you said|you've been told|i said|i mentioned|i wrote|you've got|you have got|you've|we've got"
    r"|we have got|you hold|you keep)\s+)?(?:about|regarding|on)\s+"
    r"|^about\s+", _I)
_JUSTIFY = re.compile(
    r"(?:\s*[,;]|\s+[—–-])\s+(?:we|it|they|that|this|there|as|since|because|which|he|she|i|you|our|its|it's|"
    r"that's|there's|we're|we've|they're|please|thanks|thank|now|not|no|so|but|the)\b.*$"
    r"|\s+(?:because|since|as (?:we|it|they|that|this|there)|seeing as)\b.*$", _I)
_TARGET_TAIL = re.compile(
    r"\s+(?:anymore|any more|please|from now on|for good|completely|entirely|too|as well|also|either"
    r"|from (?:the |your |our )?(?:dataset|datasets|memory|database|data|records|knowledge base|list|answers))$", _I)
# "the Kestrel spokesperson fact": the kind of record is not part of what to match.
_RECORD_NOUN = re.compile(r"\s+(?:fact|facts|entry|entries|info|information|record|detail|details|question"
                          r"|questions|answer|answers)$", _I)
_TARGET_ARTICLE = re.compile(r"^(?:the|a|an|teh)\s+", _I)
_PRONOUN_TARGET = re.compile(
    r"^(?:it|that|this|those|these|them|(?:that|this) (?:one|fact|answer|entry|record|row|line|info|information"
    r"|detail|bit)|what you (?:just )?(?:said|told me)|your (?:last )?answer)$", _I)
# Conversation itself is not knowledge: "forget the last question", "forget my last message".
_META_TARGET = re.compile(r"^(?:(?:the|my|your|our|that|this|these|those|last|previous|first|earlier|above|latest"
                          r"|recent|whole|entire)\s+)*(?:question|questions|message|messages|conversation|chat)$"
                          r"|^(?:things|stuff|everything|anything)\b", _I)
_SPLIT_FORGET = re.compile(
    r",?\s+and\s+(?:also\s+)?(?=" + _FORGET_VERB + r"\b)"
    r"|,\s+(?=(?:please\s+|and\s+)?" + _FORGET_VERB + r"\b)"
    r"|(?:(?<=\bit)|(?<=\bthat)|(?<=\bthis)|(?<=\bone))\s*,\s+"
    r"|\s*[,;]\s+so\s+(?:please\s+)?|\s+so\s+(?:please\s+)?(?=" + _FORGET_VERB + r"\b)"
    r"|,\s+(?=(?:what|what's|where|where's|when|how|who|which|why|can you|do you)\b)", _I)
# "the Volt 100W charger price and the Link cable price": two targets.
_SPLIT_TARGET = re.compile(r"\s+and\s+(?=(?:the|teh)\s)|,\s+(?=(?:the|teh)\s)", _I)


# A labelled example to drop: "Forget the billing example 'I was charged twice'", "Drop the
# example 'x' from billing", "Remove 'x' from the billing examples", "Delete the ticket 'x'".
# The target is written "the <label> example '<text>'" (or "the example '<text>'" when the
# turn names no label); locate matches the quoted text (locate.keys.forget_target).
_EXAMPLE_NOUN = r"(?:examples?|samples?|tickets?|messages?|rows?|phrases?|utterances?|sentences?|entry|entries)"
_NOT_LABEL = {"the", "a", "an", "this", "that", "training", "following", "labelled", "labeled", "test", "bad", "wrong",
              "old", "last", "one", "it"}
_QUOTE = r"(?:'(?P<q1>.+?)'(?!\w)|\"(?P<q2>[^\"]+)\"|\u2018(?P<q3>[^\u2019]+)\u2019|\u201c(?P<q4>[^\u201d]+)\u201d)"
_LEAD = (r"^(?:(?:please|can you|could you|would you|kindly|i want you to|you should|also|and|just|now|ok|okay)"
         r"[\s,]+)*")
_LABEL_EXAMPLE = re.compile(
    _LEAD + r"(?:" + _FORGET_VERB + r"|take)\s+(?:the\s+)?(?:(?P<label1>[\w-]+)\s+)?" + _EXAMPLE_NOUN + r"\s+"
    + _QUOTE + r"(?:\s+(?:from|out of)\s+(?:(?P<art>the|my|our)\s+)?(?P<label2>[\w-]+)(?P<noun2>\s+"
    + _EXAMPLE_NOUN + r")?)?(?:\s+please)?\s*[.!]?$"
    r"|" + _LEAD + r"(?:" + _FORGET_VERB + r"|take)\s+" + _QUOTE.replace("q1", "r1").replace("q2", "r2")
    .replace("q3", "r3").replace("q4", "r4") + r"\s+(?:from|out of)\s+(?:the|my|our)\s+(?:(?P<label3>[\w-]+)\s+)?"
    + _EXAMPLE_NOUN + r"(?:\s+please)?\s*[.!]?$", _I)


def label_example_target(sentence: str) -> str | None:
    """The forget target of a turn that drops one labelled example, or None."""
    m = _LABEL_EXAMPLE.match(sentence.strip()) or _LABEL_EXAMPLE.match(_JUSTIFY.sub("", sentence.strip()))
    if not m:
        return None
    g = m.groupdict()
    text = next(g[k] for k in ("q1", "q2", "q3", "q4", "r1", "r2", "r3", "r4") if g.get(k))
    label = g.get("label1") or g.get("label3")
    if not label and g.get("label2") and (g.get("noun2") or not g.get("art")):
        label = g["label2"]  # "from billing", "from the billing examples"; not "from the inbox"
    if label and label.lower() in _NOT_LABEL:
        label = None
    return f"the {label} example '{text.strip()}'" if label else f"the example '{text.strip()}'"


# Any forget sentence that quotes one text and speaks of an example, a ticket, a job, a message
# or the like around the quote drops that example: "Get rid of the 'aaa test message' ticket",
# "remove 'x' from the requests", "the example that just says 'x'", "the example with my card
# number in it (4471 0923)".
_ITEM_NOUN = re.compile(r"\b(?:examples?|samples?|tickets?|jobs?|messages?|requests?|enquir(?:y|ies)|inquir(?:y|ies)"
                        r"|quer(?:y|ies)|texts?|phrases?|utterances?|entry|entries|submissions?|notes?)\b", _I)
_ANY_QUOTE = re.compile(_QUOTE + r"|\((?P<q5>[^()]*\d[^()]*)\)")
_FORGET_ANYWHERE = re.compile(r"\b(?:" + _FORGET_VERB + r"|take)\b", _I)


def quoted_example_target(sentence: str) -> str | None:
    """`the example '<text>'` for a forget sentence quoting one example, or None."""
    quotes = list(_ANY_QUOTE.finditer(sentence))
    if len(quotes) != 1:
        return None
    m = quotes[0]
    outside = sentence[:m.start()] + " " + sentence[m.end():]
    verb = _FORGET_ANYWHERE.search(outside)
    if not verb or verb.start() > m.start() or not _ITEM_NOUN.search(outside):
        return None
    text = next(v for k, v in m.groupdict().items() if v)
    return f"the example '{text.strip()}'"


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
    if _PRONOUN_TARGET.match(rest):
        return rest  # resolved by the caller against what the assistant said
    if _words(rest) > 1:
        rest = _THAT.sub("", rest)
    if _META_TARGET.match(rest):
        return rest  # "the last question": the conversation, dropped by the caller
    rest = _TARGET_ARTICLE.sub("", rest)
    if _words(rest) > 1:
        rest = _RECORD_NOUN.sub("", rest)
    return _value(rest)


def _part_targets(part: str) -> list[str]:
    """The targets one clause names ("it"/"that" included, for the caller to resolve)."""
    part = _REQUEST_END.sub("", part.strip()).strip()
    m = _FORGET.match(part)
    if m:
        return [_target(t) for t in _SPLIT_TARGET.split(m.group("rest"))]
    plain = _JUSTIFY.sub("", part)
    if m := _TAKE_OUT.match(plain):
        return [_target(m.group("rest"))]
    if m := _NO_LONGER_TRUE.match(plain):
        return [_target(m.group("target") or m.group("target2"))]
    if m := _BE_FORGOTTEN.match(plain):
        return [_target(m.group("target"))]
    if m := _STOPPED.match(plain):
        return [_target(m.group("rest"))]
    if m := _NO_LONGER.match(plain):
        verb = m.group("verb").lower()
        who = "we" if m.group("who").lower() == "we" else m.group("who")
        have = verb in _HAVE_VERBS or verb.endswith("s") and verb[:-1] in _HAVE_VERBS or verb in ("has", "does")
        return [_target(m.group("rest")) if have else _value(f"{who} {m.group('verb')} {m.group('rest')}")]
    return []


def _forget_targets(sentence: str, prev_assistant: str) -> list[str]:
    """Forget targets of one sentence. "it"/"that" means what the assistant just said, unless
    another clause of the sentence names the thing ("We don't do engraving anymore, forget it")."""
    targets: list[str] = []
    named: list[str] = []  # targets a forget verb names ("..., so forget the answer about the cafe")
    pointed = False  # "Forget that, we stopped gift wrapping": what follows only says why
    for part in _SPLIT_FORGET.split(_strip_lead(sentence)):
        part = part or ""
        explicit = bool(_FORGET.match(part.strip()) or _TAKE_OUT.match(part.strip()) or _BE_FORGOTTEN.match(part.strip()))
        for t in _part_targets(part) if part else []:
            if not t:
                continue
            if _PRONOUN_TARGET.match(t):
                if not targets:  # "We don't do engraving anymore, forget it": "it" is the thing named
                    said = _value(_clean(prev_assistant))
                    targets += [said] if said else []
                    pointed = True
            elif explicit or not pointed:
                targets.append(t)
                if explicit:
                    named.append(t)
    keep = [t for t in targets if not _META_TARGET.search(t) and not _FIRST_PERSON.search(_QUOTED_SPAN.sub("", t))]
    # A clause that only says why ("We've stopped selling refurbished bikes, so please drop the
    # answer about second-hand bikes") does not add a target beside the one the verb names.
    return [t for t in keep if t in named] if any(t in named for t in keep) else keep


def _forget(text: str, context: list[dict]) -> list[Item]:
    _, prev_assistant = previous_exchange(context)
    if context and context[-1].get("role") == "assistant":
        prev_assistant = str(context[-1].get("text", ""))
    targets: list[str] = []
    whole = label_example_target(text) or next(filter(None, map(quoted_example_target, _sentences(text))), None)
    if whole:
        return [("forget", {"target": whole})]
    for sentence in _sentences(text):
        for target in _forget_targets(sentence, prev_assistant):
            if target not in targets:
                targets.append(target)
    if not targets or all(_vague(t) for t in targets):
        targets = around_targets(text) or targets  # said around another statement (session 11)
    return [("forget", {"target": t}) for t in targets]


def around_reading(text: str, context: list[dict]) -> list[str]:
    """The targets `_forget` reads around another statement ("that fax number we've got listed -
    bin it"), or [] when the turn's own request names its target or points at an answer."""
    if label_example_target(text) or any(map(quoted_example_target, _sentences(text))):
        return []
    _, prev_assistant = previous_exchange(context)
    if context and context[-1].get("role") == "assistant":
        prev_assistant = str(context[-1].get("text", ""))
    plain = [t for s in _sentences(text) for t in _forget_targets(s, prev_assistant)]
    return around_targets(text) if not plain or all(_vague(t) for t in plain) else []


_POINTING_WORD = re.compile(r"\b(?:them|it|they|those|these)\b", _I)


def _vague(target: str) -> bool:
    """A target that names no row: record and function words only ("question from the FAQ"), or
    one holding a pointer ("what you've got on them ...")."""
    from lic_cli.locate.forgets import names_nothing

    return names_nothing(target) or bool(_POINTING_WORD.search(target))


# A forget said around another statement, whose object is a pointer ("it", "them", "that
# answer", "its address") at a thing the turn names elsewhere (session 11):
#
# * dislocated: the thing right before the request, in the same sentence ("that fax number we've
#   got listed - bin it", "the texting number, 555-0391, is no use to anyone - take it off");
# * said in another clause of the turn: a record said to be wrong ("That hosepipe ban answer will
#   be wrong ... Pull it"), or a thing said to have stopped, closed or gone ("We've stopped the
#   blacklight disco nights ... That answer can come out", "sleepovers are off. Get rid of what
#   you've got on them", "we can't offer overnight storage any more. Please remove that
#   question", "The Westfield kiosk closed ... take its address off").
#
# Read only when the turn's own request names nothing and no assistant answer is there to point
# at (`_forget` tries the plain reading first), so a bare "Forget that." after an answer is
# still a forget of that answer.
_POINTER_WORDS = r"(?:it|that|them|this|those|these)"
_RECORD_WORDS = (r"(?:answer|answers|question|questions|entry|fact|facts|info|information|detail|details|bit|one"
                 r"|row|record|reply|line|message|number|address)")
_POINTER_OBJ = (rf"(?:{_POINTER_WORDS}\b(?!\s+(?:is|was|'s)\b)(?:\s+{_RECORD_WORDS}\b)?"
                rf"|(?:its|their)\s+(?P<own>[\w'-]+(?:\s+(?!off\b|out\b)[\w'-]+)?)"
                r"|what (?:you(?:'ve| have)?|we(?:'ve| have)?) (?:got|have|hold|know|keep) (?:on|about) "
                rf"{_POINTER_WORDS}\b)")
_POINTER_REQUEST = re.compile(
    rf"(?:\b(?:{_FORGET_VERB}|pull|lose(?=\s+(?:{_POINTER_WORDS}|its|their)\b)"
    rf"|take(?=\s+(?:{_POINTER_WORDS}|its|their|out|off)\b)(?:\s+(?:out|off))?)\s+"
    rf"(?:out\s+|off\s+)?{_POINTER_OBJ})"
    rf"|\b(?P<pointer>(?:that|this|the)\s+{_RECORD_WORDS})\b[^.?!]{{0,30}}?\s(?:can|has to|should|must|needs to)\s+"
    rf"(?:go|come out|be (?:deleted|removed|dropped|forgotten|taken out))\b", _I)
# Where a clause ends, looking back from the request: the thing is said after this.
_CLAUSE_BREAK = re.compile(r"(?:^|[.;!?]\s+|,?\s+(?:so|and|but|because|since|as)\s+|^(?:oh|ok|okay|right|also|and)\b,?\s*"
                           r"|,\s+(?=(?:the|that|this|our|those|these)\b))", _I)
_PREDICATE = re.compile(r"\s+(?:is|are|was|were|isn't|aren't|wasn't|has|have|had|will|won't|can|can't|cannot"
                        r"|should|must|does|doesn't|do|don't|got|went|closed|shut|ended|stopped)\b.*$", _I)
_RELATIVE = re.compile(r"\s+(?:that\s+|which\s+)?(?:we|you|i|they)(?:'ve|'re|'d|'ll)?(?:\s+.*)?$", _I)
_NOT_THING = re.compile(r"^(?:we|i|you|they|he|she|it|there|this|that|those|these|everything|everyone|anyone"
                        r"|someone|nobody|nothing|[A-Z][a-z]+(?:'s)?)$")
_DISLOCATED_END = re.compile(r"\w[\w'\s,&-]*?\s*[-–—:,]\s*(?:please\s+|just\s+|so\s+)?$", _I)
_DASH_TAIL = re.compile(r"\s*(?:[-–—:,]\s*)+$")
# What another clause of the turn says has gone: its thing.
_GONE = [
    re.compile(r"^(?:we|they)(?:'ve|'re|\s+have|\s+has|\s+are)?\s+(?:stopped|dropped|discontinued|scrapped|axed|cancell?ed"
               r"|ended|retired|switched off|turned off|shut down|closed|binned|pulled|given up|got rid of)\s+"
               r"(?:(?:doing|running|offering|selling|having)\s+)?(?P<np>.+?)(?:\s+(?:for good|any more|anymore))?$", _I),
    re.compile(r"^(?:we|they)\s+(?:can't|cannot|can no longer|no longer|won't|don't|do not)\s+(?:offer|do|run|provide|sell"
               r"|have|stock|hold|take|accept|host)\s+(?P<np>.+?)(?:\s+(?:any more|anymore|for now|now))?$", _I),
    re.compile(r"^(?P<np>(?:the|our|that|those|these|this)?\s*[\w'-]+(?:\s+[\w'&-]+){0,4}?)\s+(?:is|are|has been|have been"
               r"|were|was)\s+(?:off|gone|over|cancell?ed|finished|closed|shut|scrapped|axed|discontinued|no more"
               r"|no use\b.*|(?:going to be |be )?wrong\b.*|out of date|outdated|stale)$", _I),
    re.compile(r"^(?P<np>(?:the|our|that|this)\s+[\w'-]+(?:\s+[\w'&-]+){0,4}?)\s+(?:has\s+|have\s+)?(?:closed|shut"
               r"(?:\s+down)?|gone|moved out|ended|stopped|finished)\b.*$", _I),
    re.compile(r"^(?P<np>(?:that|the|this)\s+(?:[\w'-]+\s+){0,4}?" + _RECORD_WORDS
               + r"(?:\s+(?:about|on|for|saying)\s+[^,;]+?)?)\s+(?:is|will be|was|'s)\s+"
               r"(?:going to be\s+)?(?:wrong|out of date|outdated|stale|incorrect|no use)\b.*$", _I),
]
_LEAD_WORDS = re.compile(r"^(?:(?:and|but|oh|also|so|plus|our|your|their|its|the old|old)\s+)+", _I)


_SUBJECT_VERB = re.compile(r"^(?:she|he|they|we|you|i)(?:'s|'re|'m|’s|’re|\s+(?:is|are|am|was|were|has|have|had))?"
                           r"\s+[a-z]+(?:ing|ed)\s+(?:(?:off|out|down|up|away)\s+)?(?=(?:the|our|that|this|those|these|its)\s)",
                           _I)


_PRONOUN_CLAUSE = re.compile(r"^(?:we|i|you|they|he|she|it)(?:'[a-z]+|’[a-z]+)?\s+\w", _I)


def _thing(np: str) -> str:
    """A noun phrase before a request or in a clause, cut to the thing: no predicate, no relative
    clause, no trailing dash; '' when it is a pronoun, a person or nothing."""
    np = _DASH_TAIL.sub("", np.strip())
    np = _SUBJECT_VERB.sub("", np)  # "she's leaving off the text-only number": its object (session 12)
    np = _PREDICATE.sub("", np)
    np = _RELATIVE.sub("", np)
    np = _LEAD_WORDS.sub("", _DASH_TAIL.sub("", np).strip(" ,"))
    if not np or _NOT_THING.match(np) or _FIRST_PERSON.search(np) or len(np.split()) > 8:
        return ""
    if _PRONOUN_CLAUSE.match(np):  # "we brought printing in-house in May": a clause, not a thing (session 12)
        return ""
    return np


def _clauses(text: str) -> list[str]:
    return [c.strip(" ,") for c in _CLAUSE_BREAK.split(text) if c and c.strip(" ,")]


def _gone_thing(clause: str) -> str:
    clause = _FULL_STOP.sub("", _strip_lead(clause.strip())).strip()
    for pat in _GONE:
        m = pat.match(clause)
        if m:
            np = re.sub(r"[,;].*$", "", m.group("np")).strip()
            return _thing(np) if _words(np) <= 8 else ""
    return ""


def _owned(thing: str, own: str | None) -> str:
    """"its address" of the Westfield kiosk: "Westfield kiosk address"."""
    return f"{thing} {own}" if own and own.lower() not in thing.lower() else thing


def around_targets(text: str) -> list[str]:
    """Forget targets read from the turn around a pointer request (see above), or []."""
    text = _clean(text)
    m = _POINTER_REQUEST.search(text)
    if not m:
        return []
    before = text[:m.start()]
    # dislocated: the last clause before the request, when the request follows it in the sentence
    if _DISLOCATED_END.search(before) and not m.group("pointer"):
        last = _clauses(before)
        np = _thing(last[-1]) if last else ""
        if np and not _GONE[0].match(last[-1]) and not _GONE[1].match(last[-1]):
            return [_owned(_target(np), m.group("own"))]
    # said in another clause, nearest first (before the request, then after it)
    after = text[m.end():]
    for clause in [*reversed(_clauses(before)), *_clauses(after)]:
        thing = _gone_thing(clause)
        if thing:
            return [_owned(_target(thing), m.group("own"))]
    return []
