"""The questions a row answers, written at index time: a third view of each row (doc2query-style).

A row is indexed as what it says (its question and answer, or its fact as a sentence) and its
key alone (chat/rowindex.py). A paraphrase that asks in other words ("Who do I ring if my dog ate
chocolate?") shares little with either. Here each row gets a view written as the questions it
answers: the row's topic (the content words of its key: a qa row's question, a fact's subject and
relation) put into question forms chosen by the *kind* of its value (chat/answertype.py: a price
is asked "how much ... cost", a phone number "what number do I call", a time "when"), in the
asker's words (I, my) as people ask them. The value itself is never written into this view (a
value alone lets general questions in: "Mondays" is close to any question about a day).

Templates, not a model: the view is computed in microseconds per row (the cost of a taught row
is the one extra embedding), deterministic, and in any domain; the forms are a short closed list
of how questions ask for each kind of value, not the words of any domain.
"""

from __future__ import annotations

import re

from lic_cli.chat import answertype

# Question forms per kind of value; {t} is the row's topic. Two or three a kind, in the asker's words.
FORMS: dict[str, tuple[str, ...]] = {
    "money": ("How much does {t} cost?", "What do I pay for {t}?", "What is the price of {t}?"),
    "percent": ("How much is {t}?", "What rate do I get for {t}?"),
    "phone": ("What number do I call for {t}?", "How can I phone about {t}?"),
    "email": ("What email address do I write to about {t}?", "How do I contact you about {t}?"),
    "url": ("Which website do I use for {t}?", "Where online can I find {t}?"),
    "time": ("When is {t}?", "What time is {t}?"),
    "day": ("Which day is {t}?", "When can I come for {t}?"),
    "date": ("What date is {t}?", "When is {t}?"),
    "year": ("What year was {t}?", "Since when is {t}?"),
    "duration": ("How long is {t}?", "How much time do I have for {t}?"),
    "count": ("How many are there for {t}?", "What is the limit on {t}?"),
    "size": ("How big is {t}?", "What size is {t}?"),
    "place": ("Where is {t}?", "How do I find {t}?"),
    "person": ("Who is {t}?", "Who do I ask about {t}?"),
}
# Kinds in the order they are preferred when a value is of several (a phone number also holds digits).
ORDER = ("email", "url", "phone", "money", "percent", "time", "date", "day", "year", "duration", "size", "place",
         "person", "count")
OTHER = ("What about {t}?", "Can you tell me about {t}?")  # a value of no known kind
MOST = 3  # questions per row
# The words that only make a key a question (the asking word, its auxiliary), dropped from the topic.
_ASKING = re.compile(r"^\s*(what|which|who|whom|whose|when|where|why|how)( (much|many|long|late|early|often|far|"
                     r"big|old|soon))?( time)?\b|\b(is|are|was|were|do|does|did|can|could|will|would|should|may|"
                     r"must|has|have)( (there|it|i|we|you))?\b", re.IGNORECASE)
_END = re.compile(r"[?.!:;,\s]+$")
_SPACE = re.compile(r"\s+")


def topic(key: str) -> str:
    """What a row is about, from its key: a question without its asking words ("How much is a full
    membership?" -> "a full membership"; "What time does the shop open on Sundays?" -> "the shop
    open on Sundays"), or a fact's subject and relation as they are."""
    text = _SPACE.sub(" ", _ASKING.sub(" ", _END.sub("", key.strip()))).strip()
    return text or key.strip()


def questions(key: str, value: str) -> list[str]:
    """Up to MOST questions the row answers: its topic in the question forms of its value's kind."""
    t = topic(key)
    if not t:
        return []
    kinds = answertype.kinds(value)
    forms: list[str] = []
    if kinds - {"count"}:  # a count is asked as its other kind (a price, a time) when it has one
        kinds.discard("count")
    for kind in ORDER:
        if kind in kinds:
            forms += [f for f in FORMS[kind] if f not in forms]
    if not forms:
        forms = list(OTHER)
    return [f.format(t=t) for f in forms[:MOST]]


def view(key: str, value: str) -> str:
    """The row's question view: its questions as one text (what is embedded)."""
    return " ".join(questions(key, value))
