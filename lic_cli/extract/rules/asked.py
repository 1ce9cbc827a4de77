"""Questions the teacher asks and answers in one turn: "How long do trade-in quotes last? 30 days.",
"If someone asks how long the pickup hold is, tell them 7 days.", "The answer to '...' is yes"."""

from __future__ import annotations

import re

from lic_cli.extract.rules.questions import _QUESTION_START, _RHETORICAL
from lic_cli.extract.rules.text import _FIRST_PERSON, _FULL_STOP, _I, Item, _as_asked, _words
from lic_cli.extract.rules.values import _YES_NO_QUESTION, _bare_value, _yes_no

_Q = r"(?:\"[^\"]+\"|(?<![\w'])'.+?'(?!\w))"
_ASKER = (r"(?:someone|anyone|somebody|anybody|a customer|customers|people|they|a user|users|folks|the customer"
          r"|a caller|callers)")
# "If someone asks X, Y" / "When asked X, Y" / "Customers keep asking if X: Y"
_IF_ASKED = re.compile(
    r"^(?:(?:if|when|whenever|in case)\s+(?:" + _ASKER + r"|(?:a|an|any|the)\s+[a-z-]+)\s+(?:asks?|wants? to know|wonders?)"
    r"(?:\s+(?:you|us|me))?"
    r"|(?:if|when)\s+(?:you're\s+|you are\s+|you\s+(?:get|are|ever\s+get)\s+)?asked"
    r"|" + _ASKER + r"\s+(?:(?:keep|often|always|sometimes|usually|regularly)\s+)?(?:ask|asks|asking)(?:\s+(?:me|us))?)"
    r"\s+(?P<q>" + _Q + r"|[^,:;—–]+?)\s*(?:,|:|;|—|–|\s-\s)\s*(?P<a>.+)$", _I)
# "The answer to '...' is yes" / "Answer '...' with: no" / "'How do I track my order?' → from the Orders page"
_ANSWER_TO = re.compile(r"^(?:the\s+)?(?:(?:right|correct|short|official)\s+)?answer\s+to\s+(?P<q>" + _Q
                        + r"|[^,]+?\?|(?:how|what|when|where|who|whether|if)\b[^,]+?)\s+is\s*:?\s+(?P<a>.+)$", _I)
_FOR_ANSWER = re.compile(r"^(?:for|to)\s+(?P<q>" + _Q + r"),?\s+(?:the\s+)?answer\s+is\s*:?\s+(?P<a>.+)$", _I)
_TELL_WHO_ASKS = re.compile(r"^(?:please\s+)?(?:tell|let)\s+(?:anyone|everyone|customers|people|whoever|anybody)\s+"
                            r"(?:who\s+asks?|asking)\s+(?P<q>(?:about|whether|if|how|what|when|where)\b.+?)\s+that\s+(?P<a>.+)$",
                            _I)
# Session 13: "Customers always ring up asking 'do I need to move the furniture?' - no, just ...",
# "New members always ask 'how early do we turn up?' and the answer's 30 minutes before the start"
_ASKING_QUOTED = re.compile(r"^.{0,60}?\b(?:ask|asks|asked|asking|wants?\s+to\s+know|wonders?)\s+"
                            r"(?P<q>\"[^\"]+\?\"|'(?:[^']|'(?=[a-z]))+\?')\s*(?:[-\u2013\u2014:,;]+\s*|\s+(?:and|so)\s+)?(?P<a>.+)$",
                            _I)
_ANSWER_WITH = re.compile(r"^(?:please\s+)?answer\s+(?P<q>" + _Q + r")\s+(?:with|by saying)\s*:?\s+(?P<a>.+)$", _I)
_ARROW = re.compile(r"^(?P<q>" + _Q + r")\s*(?:→|->|=>|:|\s[-–—]+)\s*(?P<a>.+)$")
# What introduces the answer: "tell them 7 days", "say yes", "A: 30 days".
_ANSWER_LEAD = re.compile(
    r"^(?:(?:just|then|you can|you should|please)\s+)?(?:(?:tell|let)\s+(?:them|him|her|the customer|customers|people)"
    r"(?:\s+know)?(?:\s+that)?|say(?:\s+that)?|answer(?:\s+with)?|reply(?:\s+with)?|respond(?:\s+with)?"
    r"|the answer is|the answer['\u2019]s|our answer is)\s*:?\s+|^(?:a|answer|ans)\s*[:.)-]\s*", _I)
# "Q: ...?", "Question: ...?", "FAQ update — ...?": markers before a question.
_QUESTION_MARK = re.compile(r"^(?:q|question|faq)\s*[:.)-]\s*", _I)
_DASH_HEAD = re.compile(r"^[^?]{1,30}?\s+[—–-]+\s+(?=[A-Z])")
# "Where can I recycle old electronics?": the generic customer, not the user's own case.
_GENERIC_I = re.compile(r"\b(?:can|could|do|should|may|would)\s+i\b", _I)
_MY = re.compile(r"\b(?:my|mine|me|myself)\b", _I)

_WH = re.compile(r"^(?P<wh>how (?:long|much|many|often|far|soon|big|fast|old)|what time|what|when|where|who|why"
                 r"|which|how)\s+(?P<rest>.+)$", _I)
_BE = {"is", "are", "was", "were"}
_MODALS = {"can", "could", "should", "will", "would", "must", "may", "might"}
_PREPS = {"on", "in", "at", "for", "with", "to", "from", "by", "after", "before", "per", "within", "under", "over",
          "during", "until", "into", "of", "out", "up", "back", "off"}
_DETERMINERS = {"the", "a", "an", "our", "your", "their", "its", "this", "that", "these", "those", "each", "every"}
# The one asking is "I" in the question; the shop is "you" (_as_asked).
_ASKER_NP = {"they", "customers", "people", "he", "she", "someone", "anyone", "users", "i"}
_ASKER_SWAP = {"they": "I", "their": "my", "them": "me", "themselves": "myself", "he": "I", "she": "I", "his": "my",
               "her": "my"}


def _base(verb: str) -> str:
    """'costs' -> 'cost', 'carries' -> 'carry', 'fixes' -> 'fix', 'has' -> 'have'."""
    low = verb.lower()
    if low in ("has", "does", "goes"):
        return {"has": "have", "does": "do", "goes": "go"}[low]
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z)es$", low):
        return low[:-2]
    return low[:-1]


def _verb_at(words: list[str]) -> int:
    """Where the verb of an embedded clause is: the first -s word after the subject that a
    preposition, an object or the end follows; -1 if none."""
    for i in range(1, len(words)):
        w = words[i].lower()
        if w in _BE or w in _MODALS:
            return i
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if (re.fullmatch(r"[a-z]+[^s']s", w) and words[i - 1].lower() not in _DETERMINERS
                and (not nxt or nxt in _PREPS or nxt in _DETERMINERS or re.match(r"[\d$]", nxt))):
            return i
    return -1


def _person(words: list[str]) -> list[str]:
    if words and words[0].lower() in _ASKER_NP:
        return [_ASKER_SWAP.get(w.lower(), w) if w.lower() != "i" else "I" for w in words]
    return words


def _inverted(lead: str, words: list[str]) -> str:
    """An embedded clause as a direct question: lead 'How long' + 'the pickup hold is' ->
    'How long is the pickup hold?'; lead '' + 'we price match Best Buy' -> 'Do you price match Best Buy?'."""
    if not words:
        return ""
    words = _person(words)
    first = words[0].lower()
    if first in ("i", "you", "we") and len(words) > 1:
        # "whether they can return a gift" -> "Can I return a gift?"; "if we ship to X" -> "Do you ship to X?"
        aux, rest = (words[1], words[2:]) if words[1].lower() in _MODALS | {"do"} else ("do", words[1:])
        subject = "you" if first == "we" else words[0]
        parts = [lead, aux, subject, *rest]
    else:
        i = _verb_at(words)
        if i < 0:
            if len(words) < 2 or words[-1].lower().endswith("s"):
                return ""
            parts = [lead, "do", *words]  # "if gift cards expire", "how long refunds take": plural, the verb last
        else:
            verb = words[i].lower()
            if verb in _BE or verb in _MODALS:
                parts = [lead, verb, *words[:i], *words[i + 1:]]
            else:
                parts = [lead, "does", *words[:i], _base(words[i]), *words[i + 1:]]
    text = " ".join(p for p in parts if p)
    text = _as_asked(text)
    return text[0].upper() + text[1:] + "?"


def _direct(question: str) -> str:
    """The question a clause asks, in direct form; '' when it is not one."""
    q = _FULL_STOP.sub("", question.strip()).strip()
    if q[:1] in "\"'" and q[-1:] == q[:1]:
        return q[1:-1].strip()
    if _FIRST_PERSON.search(q):
        return ""  # "if someone asks for me": not the shop's knowledge
    m = re.match(r"^(?:about|for|regarding)\s+(?P<x>.+)$", q, _I)
    if m:
        x = _as_asked(m.group("x"))
        plural = x.lower().endswith("s") and not x.lower().endswith("ss")
        return f"What {'are' if plural else 'is'} {x}?"
    m = re.match(r"^(?:whether|if)\s+(?P<rest>.+)$", q, _I)
    if m:
        return _inverted("", m.group("rest").split())
    m = _WH.match(q)
    if m:
        wh, words = m.group("wh"), m.group("rest").split()
        if wh.lower() in ("who", "which") or wh.lower() == "what" and _verb_at(["x", *words]) == 1:
            # "who runs support", "which carrier handles express": asked about the subject, no inversion
            return _as_asked(q[0].upper() + q[1:]) + "?"
        return _inverted(wh.capitalize(), words)
    return ""


def _answer_for(question: str, text: str) -> Item | None:
    """The item for a question and the text that answers it, or None."""
    question = question.strip()
    if not question or not _QUESTION_START.match(question) or _RHETORICAL.search(question) or _words(question) > 20:
        return None
    text = _ANSWER_LEAD.sub("", text.strip(), count=1)
    if not text or text.rstrip().endswith("?"):
        return None
    if _YES_NO_QUESTION.match(question):
        answer = _yes_no(question, text, infer=False)
    else:
        answer = _bare_value(text, question)
    return ("qa", {"question": question, "answer": answer}) if answer else None


def _asked_items(sentence: str) -> list[Item]:
    """One sentence that states a question and its answer."""
    text = sentence.strip()
    for form in (_ANSWER_TO, _FOR_ANSWER, _ANSWER_WITH, _ARROW, _TELL_WHO_ASKS, _IF_ASKED, _ASKING_QUOTED):
        m = form.match(text)
        if m:
            question = _direct(m.group("q"))
            if form is _ASKING_QUOTED:  # a question people ask, said as they ask it
                question = question[:1].upper() + question[1:]
            item = _answer_for(question, m.group("a"))
            return [item] if item else []
    return []


def _question_of(sentence: str) -> tuple[str, bool]:
    """A sentence that is a question the next sentence answers: (question, marked); marked
    questions ("Q: ...?") may be about the asker ("How do I track my order?")."""
    text = sentence.strip()
    marked = bool(_QUESTION_MARK.match(text))
    text = _DASH_HEAD.sub("", _QUESTION_MARK.sub("", text, count=1), count=1)
    if not text.endswith("?"):
        return "", False
    # "Where is my order? It's been 2 weeks." is a complaint; "Can I pay with Klarna? Not yet." a
    # customer's question, answered with an explicit yes or no.
    if not marked and (_MY.search(text) or _FIRST_PERSON.search(_GENERIC_I.sub("", text))
                       and not _YES_NO_QUESTION.match(text)):
        return "", False
    return text, marked


def _pair_item(question_sentence: str, answer_sentence: str) -> Item | None:
    """'How long do trade-in quotes last?' + '30 days.' -> one item, or None."""
    question, _ = _question_of(question_sentence)
    if not question or answer_sentence.strip().endswith("?"):
        return None
    return _answer_for(question, answer_sentence)  # "A: 30 days" loses its marker there
