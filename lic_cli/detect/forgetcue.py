"""A request to remove a stored record as evidence that a turn forgets.

The packaged detector reads a forget said around another statement as what the statement is
("The cafe has closed for good, so forget the answer about the cafe." -> teach; "Not anymore,
we stopped teaching online. Please delete that." -> correct): the statement outweighs the
request. A removal verb aimed at a record is not ambiguous, so a turn holding one is read as
`forget` whatever the model's label, and the intent says why (`"cue": {"forget": "..."}`):

* a removal verb (forget, delete, remove, drop, scrap, bin, wipe, pull, get rid of ...) before a
  pronoun ("delete that", "scrap it"), a record noun within three words ("the answer about the
  cafe", "the fax number"), a quoted example, or what a record says ("forget who's directing");
* "take that answer out", "take its address off" (a record noun after "the");
* a record noun that "can go", "has to go", "can come out", "should be deleted".

Not a request: a question ("Did you delete the payroll email?"), a statement about someone
("I always forget where the entrance is", "you never remove anything"), a negation ("don't
forget that my partner is Sam"), a dismissal ("forget it, never mind"). Measured on the
teaching corpus (train and dev domains; the cue was not written from them): 1 of 4,768 train
and 0 of 1,371 dev turns of other intents match; 329 of 816 and 96 of 196 forgets do.
"""

from __future__ import annotations

import re

_RECORD = (r"(?:answer|answers|question|questions|entry|fact|facts|number|address|example|message|line|info"
           r"|information|detail|details|bit|one|row|record|reply|email|faq)")
_VERB = r"(?:forget|delete|remove|drop|scrap|erase|get rid of|bin|wipe|pull|strike|ditch|lose)"
_REQUEST = re.compile(
    rf"(?<!\bdon't\s)(?<!\bnot\s)(?<!\bnever\s)(?<!\bto\s)\b{_VERB}\s+"
    rf"(?:(?:that|this|them|those)\b(?!\s+(?:is|was|'s|price|time))|it\b(?!,?\s+(?:never|i'll|i will|then))"
    rf"|(?:the|that|this|its|your)\s+(?:[\w'-]+\s+){{0,3}}?{_RECORD}\b|(?:who|what|where|when|how)\b|['\"‘“])"
    rf"|\btake\s+(?:(?:that|this|it|its)(?:\s+[\w'-]+){{0,3}}?|the\s+(?:[\w'-]+\s+){{0,3}}?{_RECORD})\s+(?:out|off)\b"
    rf"|\b{_RECORD}\b[^.?!]{{0,40}}?\s(?:can|has to|should|must|needs to)\s+"
    rf"(?:go|come out|be (?:deleted|removed|dropped|forgotten))\b",
    re.I)
_ASKS = re.compile(r"^\s*(?:did|have|has|do|does|was|were|is|are)\s+(?:you|we|it|they)\b", re.I)
# "I always forget ...", "customers never remove ...": a statement about someone, not a request,
# unless it is one put politely ("Can you delete ...").
_SUBJECT = re.compile(r"\b(?:i|we|you|they|he|she|people|customers)\s+(?:\w+\s+)?$", re.I)
_POLITE = re.compile(r"\b(?:can|could|would|will)\s+you\s+(?:please\s+|just\s+)?$", re.I)


def cue(text: str) -> str | None:
    """The words of a request to remove a stored record, or None."""
    if _ASKS.match(text):
        return None
    for m in _REQUEST.finditer(text):
        before = text[:m.start()]
        if _SUBJECT.search(before) and not _POLITE.search(before):
            continue
        return m.group(0)
    return None
