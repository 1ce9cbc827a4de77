"""The rules engine: deterministic regexes that turn a teaching turn into knowledge fields.

No model, no randomness: the same turn and context always give the same items. The
rules are deliberately conservative; a teaching turn they cannot read yields nothing
(and `run` records why) rather than a guess. Forms handled, per intent:

- teach: labels (`'...' is a billing ticket`, `Label '...' as shipping`, `Tag this as
  technical: '...'`, `For intent, '...' is correct`, several per sentence), facts
  (`Kestrel's CEO is Dana Whitfield`, `The battery life of the Kestrel Aero 2 is 30 hours`,
  `its CFO is ...` after the assistant's claim), plain statements as questions (`The refund
  window is 30 days` -> `What is the refund window?`), passives and adjectives asked by their
  preposition (`are processed within 5 days` -> `When ...?`), verb statements (`In-store
  repairs take 3 to 5 days`), yes/no policies (`We don't ship to PO boxes`), qualifiers
  (`and for a Glide 16 it's $350`), forgets inside the turn, and answers to the question the
  assistant just asked (or handed back: "could you tell me?", or named: "I don't know when ...").
  Questions answered in the turn (`How long ...? 7 days.`, `If someone asks X, tell them Y`,
  `The answer to '...' is yes`: `asked`), labels in free frames and lists (`billing: '...'`,
  `'...' and '...' are both returns`), labels given as answers (`Billing.` after `Which topic is
  '...'?`), negated policies (`... don't apply to gift cards` -> `Do ...?` / `no`).
- correct: the same, plus bare new values (`No, it's 30 days now.`, `Not 14 days but 30
  days.`, `it opens at noon`) cut to what the previous user question asks, yes/no answers
  (`no, it closes at 8`), labels for a quoted example, additions to a list (`Also Amex`);
  without a question, each stated item is matched to the assistant's claim on the same thing
  (`X is A`); the old answer goes in `replaces`.
- forget: `Forget ...`, `Delete the fact about ...`, `Stop mentioning ...`, `X is no longer
  true`, `We no longer offer X`, `We stopped offering X, forget it`; `Forget that` is the
  assistant's last statement; trailing justifications (`, we don't have one anymore`) are cut.

Not knowledge, whatever the intent: the user's own details and opinions (`my address is`,
`the best laptop I've owned`), hearsay (`our manager says`), confirmations (`Right, 14
days.`), reactions (`That's too expensive.`) and the conversation itself (`forget my last
message`).

Each returned item is a `(kind, fields)` pair; `lic_cli.extract` adds statement, source
and engine and validates it.
"""

from __future__ import annotations

import re

from lic_cli.extract.rules.asked import _base, _direct
from lic_cli.extract.rules.corrections import _correct, succession
from lic_cli.extract.rules.forget import _forget
from lic_cli.extract.rules.labels import _label_answer, listed_label, quoted_relabel, unquoted_label
from lic_cli.extract.rules.notes import notes
from lic_cli.extract.rules.questions import _assistant_question, _question_in
from lic_cli.extract.rules.spans import spans
from lic_cli.extract.rules.statements import _claim_subject, _teach_items
from lic_cli.extract.rules.text import _FULL_STOP, Fields, Item, _clean, _strip_lead
from lic_cli.extract.rules.values import _YES_NO_QUESTION, _bare_value, _yes_no
from lic_cli.records import previous_exchange

__all__ = ["Fields", "Item", "extract"]


def extract(text: str, intent: str, context: list[dict]) -> list[Item]:
    """Knowledge in one teaching turn. `context`: earlier turns of the conversation, oldest first."""
    text = _clean(text)
    if not text:
        return []
    if intent != "forget":
        # entity labels (span kind), cued notes about the user, unquoted examples in a whole-turn frame
        labelled = spans(text) or notes(text) or unquoted_label(text) or listed_label(text)
        if labelled:
            return labelled
    if intent != "forget" and (handed := succession(text, context)):
        items = handed
    elif intent == "forget":
        items = _forget(text, context)
    elif intent == "correct":
        items = _correct(text, context)
    else:
        items = _teach_items(_strip_lead(text), context)
        if not items:
            items = _answer(text, context)
    if intent != "forget" and not any(kind == "label" for kind, _ in items):
        # a relabel in a free frame around one quoted example ("Move '...' from repairs to hire")
        items = quoted_relabel(text) or items
    unique: list[Item] = []
    for item in items:
        if item not in unique:
            unique.append(item)
    return unique


# "It ends on April 14": a pronoun subject and a verb (not "it's", "it does").
_PRONOUN_VERB = re.compile(r"^(?:it|they)\s+(?:(?:also|now|only|still)\s+)?(?P<verb>[a-z]+)\s+(?P<rest>.+)$", re.I)
_NOT_VERBS = {"is", "are", "was", "were", "has", "have", "had", "do", "does", "did", "can", "could", "will", "would",
              "should", "may", "might", "must", "isn't", "aren't", "doesn't", "don't", "won't", "can't"}


_DONT_KNOW = re.compile(r"\b(?:i\s+)?(?:don't|do not|didn't|did not)\s+know|\b(?:i'm|i am)\s+(?:not sure|unsure)"
                        r"(?:\s+(?:about|of))?|\bi\s+(?:can't|cannot|couldn't)\s+(?:tell|find out|say)", re.I)


def _unknown_question(text: str) -> str:
    """The question an assistant says it cannot answer: "I don't know when X opens" -> "When does X open?"."""
    m = _DONT_KNOW.search(_clean(text))
    return _direct(_clean(text)[m.end():].strip(" ,.")) if m else ""


def _answer(text: str, context: list[dict]) -> list[Item]:
    """A bare answer to the question just asked: by the assistant, else by the user before it."""
    prev_user, prev_assistant = previous_exchange(context)
    last = context[-1] if context else {}
    if last.get("role") == "assistant":
        # "Which topic is '...'?" / "Billing.": the answer is a label for the quoted example.
        label = _label_answer(_bare_value(text) or text, _clean(prev_user), _clean(prev_assistant))
        if label:
            return [label]
    question = _assistant_question(context)
    if not question and last.get("role") == "assistant":
        # The assistant just failed to answer: "It's 30 days." answers the user's own question,
        # or the one the assistant named ("I don't know when the Toronto store opens on Saturdays").
        question = _question_in(prev_user) or _unknown_question(prev_assistant)
    if not question:
        return []
    # "It ends on April 14." after "When does the spring sale start?" / "The spring sale starts
    # on April 1.": a new verb tells something else about the assistant's subject.
    m = _PRONOUN_VERB.match(_FULL_STOP.sub("", text))
    if m and m.group("verb").lower() not in _NOT_VERBS and _base(m.group("verb")) not in re.findall(r"[\w+'-]+", question.lower()):
        subject = _claim_subject(prev_assistant)
        stated = _teach_items(f"{subject} {m.group('verb')} {m.group('rest')}") if subject else []
        if stated:
            return stated
    if _YES_NO_QUESTION.match(question):
        # "It does, iOS 15 and up." after "Does the Pulse watch work with iPhone?"
        answer = _yes_no(question, text, infer=False)
        if answer:
            return [("qa", {"question": question, "answer": answer})]
    value = _bare_value(text)
    return [("qa", {"question": question, "answer": value})] if value else []
