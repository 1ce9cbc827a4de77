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
  assistant just asked (or handed back: "could you tell me?").
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
_THE = re.compile(r"^(?:the|teh)\s+", re.IGNORECASE)
_THAT = re.compile(r"^that\s+", re.IGNORECASE)
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_DETERMINER = re.compile(r"^(?:the|teh|a|an|our|your)\s+", re.IGNORECASE)


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
    r"^(?:(?:please\s+)?(?:re?me?m*b+er|note|keep in mind|bear in mind)(?:\s+that)?"
    r"|good to know(?:\s+for (?:later|the future))?|(?:ok|okay|so|and|plus)(?:\s+so)?(?=\s+(?:the|our|its|kestrel)\b)"
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
    r"^(?:(?:no+|nope|nah)\s+(?=(?:it|it's|its|that|that's|they|they're|the|we|you|not)\b)"
    r"|(?:no+|nope|nah|wrong|incorrect|false|not quite|not really|sorry|correction|careful|hmm"
    r"|not (?:this|that|any) (?:year|time|season|month|more)|not anymore|not any more)"
    r"\s*[,:;.!—–-]+\s*"
    r"|(?:actually|in fact|in reality|to be clear|to clarify)\b[\s,:;.!—–-]*"
    r"|(?:that|this|it)(?:'s| is| was) (?:wrong|incorrect|not right|not correct|not true|false|outdated"
    r"|out of date|old|not accurate|inaccurate|a mistake|no longer (?:true|right|correct|valid))"
    r"(?: information| info| now| anymore)?\b[\s,:;.!—–-]*"
    r"|(?:you're|you are) (?:wrong|mistaken|incorrect|out of date)\b[\s,:;.!—–-]*)",
    _I)
_TRAILING = re.compile(
    r"(?:[\s,]+(?:now|these days|nowadays|currently|from now on|going forward|anymore|any more|instead"
    r"|as of (?:today|now|this (?:week|month|year))|this (?:year|season|month|week)|for now|actually|though|btw"
    r"|by the way|please|thanks))+[.!]*$",
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
    # "Refurbished laptops" is capitalized only because it starts the sentence; "Kestrel Care+" is a name.
    if rest and first[:1].isupper() and first[1:].islower() and rest[:1].islower():
        return first.lower() + " " + rest
    return text


def _relation(text: str) -> str:
    """Relation names are lowercase without an article; acronyms (CEO, VAT) keep their case."""
    text = _DETERMINER.sub("", text.strip())
    return " ".join(w if len(w) > 1 and w.isupper() else _spelled(w.lower()) for w in text.split())


def _subject(text: str) -> str:
    return _THE.sub("", text.strip())


# Customers ask "your"; the teacher says "our".
_PERSON_SWAP = {"our": "your", "we": "you", "us": "you", "ours": "yours", "Our": "Your", "We": "You"}


# Common misspellings of the shop's words, fixed in the questions and relations the rules write
# (never in answers, labelled texts or forget targets, which stay as typed).
_TYPOS = {"teh": "the", "hte": "the", "windwo": "window", "widnow": "window", "lable": "label", "labal": "label",
          "batery": "battery", "battey": "battery", "adress": "address", "addres": "address",
          "recieve": "receive", "reciept": "receipt", "recipt": "receipt", "shiping": "shipping",
          "shippng": "shipping", "delivary": "delivery", "delievery": "delivery", "warrenty": "warranty",
          "waranty": "warranty", "guarentee": "guarantee", "paymnet": "payment", "pirce": "price",
          "prcie": "price", "retrun": "return", "reutrn": "return", "refnud": "refund", "refudn": "refund",
          "numbr": "number", "nubmer": "number", "nuber": "number", "phnoe": "phone", "stroe": "store",
          "sotre": "store", "discout": "discount", "acount": "account", "exchnage": "exchange",
          "polcy": "policy", "poilcy": "policy", "subscripton": "subscription", "shpping": "shipping"}


def _spelled(word: str) -> str:
    fixed = _TYPOS.get(word.lower())
    if fixed is None:
        return word
    return fixed.capitalize() if word[:1].isupper() else fixed


def _as_asked(text: str) -> str:
    return " ".join(_PERSON_SWAP.get(w, _spelled(w)) for w in text.split())


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


# "Could you tell me?", "What is it?": the assistant hands the user's question back.
_ASK_BACK = re.compile(r"^(?:.*,\s*)?(?:(?:could|can|would) you (?:tell me|let me know|check)|do you know)"
                       r"(?:\s+(?:it|that|this))?\??$", _I)
_IT = re.compile(r"\b(?:it|that)\?$", _I)
# "I don't know the express fee. What is it?": the thing "it" stands for.
_NAMED_THING = re.compile(r"\b(?:the|your|our)\s+(?P<np>[a-z][\w+-]*(?:\s+[a-z][\w+-]*){0,3}?)\s*(?:[.,;!]|$)", _I)


def _assistant_question(context: list[dict]) -> str:
    """The question the assistant asked in the turn right before this one, if a real one."""
    if not context or context[-1].get("role") != "assistant":
        return ""
    text = _clean(str(context[-1].get("text", "")))
    q = _question_in(text)
    if not q or _RHETORICAL.search(q):
        return ""
    if _ASK_BACK.match(q):
        return ""
    if _IT.search(q):
        before = text[: text.rfind(q)] if q in text else ""
        named = list(_NAMED_THING.finditer(before))
        if named:
            return _IT.sub(f"the {named[-1].group('np')}?", q)
        if _words(q) <= 3:
            return ""  # "What is it?" with nothing named: the user's own question is meant
    return q


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
    re.compile(r"^" + _Q + r"\s+(?:is|are|(?:should|shoud|shuold|shold|would|must) be|counts as|=|->)\s+(?:"
               + _CLASSIFIED
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
    # Put '...' under shipping / Move '...' into returns
    re.compile(r"^(?:please\s+)?(?:put|move|place|add|sort)\s+" + _Q + r"\s+(?:under|in|into|to|with)\s+(?:the\s+)?"
               + _TAIL, _I),
    # That one is a returns ticket: '...' / Example for billing: '...'
    re.compile(r"^(?:(?:this|that|it|that one|this one|here's|here is)\s+(?:is\s+)?)?(?:an?\s+)?"
               r"(?P<label>[A-Za-z][\w-]*)\s+(?:ticket|example|one|message)" + _TASK + r"\s*[:—–-]+\s*" + _Q + r"[.!]?$",
               _I),
    re.compile(r"^(?:an?\s+|another\s+)?example\s+(?:for|of)\s+(?:the\s+)?(?P<label>[A-Za-z][\w-]*)(?:\s+(?:label|topic"
               r"|tickets?|class))?" + _TASK + r"\s*[:—–-]+\s*" + _Q + r"[.!]?$", _I),
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


# "For ticket_topics, '...' is shipping": the task named before the example.
_TASK_FIRST = re.compile(r"^(?:for|in|under)\s+(?:the\s+)?(?P<task>[a-z][a-z0-9_-]*)(?:\s+(?:task|dataset|labels?))?\s*[,:]\s*"
                         r"(?=[\"'])", _I)
# "'...' is billing, and '...' is returns": one label per quoted example.
_LABEL_SPLIT = re.compile(r"(?:,\s*|\s+)and\s+(?=[\"'])|[,;]\s+(?=[\"'])", _I)


def _labels(sentence: str) -> list[Item]:
    """The labels of a sentence: one, or one per example joined by `and`/`;`."""
    parts = [p for p in _LABEL_SPLIT.split(sentence) if p.strip()]
    if len(parts) > 1:
        items = [_label(p) for p in parts]
        if all(items):
            return items  # type: ignore[return-value]
    item = _label(sentence)
    return [item] if item else []


def _label(sentence: str) -> Item | None:
    text = _FULL_STOP.sub("", sentence.strip())
    m = _TASK_FIRST.match(text)
    named_task = m.group("task") if m and m.group("task").lower() not in _NOT_TASKS else None
    if m:
        text = text[m.end():]
    # "'...' is billing, not shipping" -> drop the rejected label.
    text = _REJECTED_LABEL.sub("", text)
    for form in _LABEL_FORMS:
        m = form.match(text)
        if not m:
            continue
        groups = m.groupdict()
        quoted = groups.get("dq") or groups.get("sq") or groups.get("raw") or ""
        label = m.group("label").lower()
        # "'...' is correct" is a verdict, unless a task is named whose labels include it.
        if not quoted.strip() or label in _NOT_LABELS and not named_task:
            continue
        fields = {"text": quoted.strip(), "label": label}
        task = groups.get("task") or named_task
        if task and task.lower() not in _NOT_TASKS:
            fields["task"] = task
        return "label", fields
    return None


# --- statements: facts and question/answer pairs --------------------------------------

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
          "come with": "What {aux} {x} come with?"}
_SINGULAR = {"have": "has", "fix": "fixes", "come with": "comes with"}
_VERB_OF = {**{_SINGULAR.get(v, v + "s"): (v, "does") for v in _VERBS}, **{v: (v, "do") for v in _VERBS}}
_VERB_FORM = re.compile(r"^(?P<x>[^,;:]+?)\s+(?P<verb>" + "|".join(sorted(_VERB_OF, key=len, reverse=True))
                        + r")\s+(?P<y>.+)$", _I)
# "Open-box items have a 1-year warranty" asks what warranty: the noun after a number names it.
_COUNTED = re.compile(r"^(?:an?\s+)(?:\S*\d\S*)\s+(?P<noun>[a-z][a-z -]*)$")
_VERB_ASKS_NOUN = {"have", "get", "come with"}
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
    r"great|good|bad|fine|ok|okay|done|it|that|this|why|how|what|when|where|who|which|because|too)\b", _I)
# The user's own details and opinions ("my address is ...", "the best laptop I've owned") are not
# the shop's knowledge.
_FIRST_PERSON = re.compile(r"\b(?:i|i've|i'm|i'd|i'll|me|my|mine|myself)\b", _I)
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
    r"^(?P<adj>[a-z]+ed|paid|held|sold|made|sent|kept|given|shown|done|built|taken|written|open|closed|available"
    r"|valid|eligible|free|possible|due|ready|offered)\s+(?P<rest>.+)$", _I)
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

    def note(self, item: Item) -> None:
        kind, fields = item
        if kind == "fact":
            self.subject = fields["subject"]
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
    y = _value(y)
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
                                "allowed", "valid", "included", "excluded", "eligible", "limited")):
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
    item = _yes_no_item(text)
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
    return None


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


# "Correction for the FAQ: the warranty period is 2 years": a short heading before the knowledge.
_HEADING = re.compile(r"^(?P<head>[^:'\"]{1,60}?):\s+(?P<rest>.+)$")


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
    for sentence in _sentences(text):
        sentence = _strip_lead(sentence)
        found = _sentence_items(sentence, state)
        head = _HEADING.match(sentence)
        if not found and head and _words(head.group("head")) <= 6:
            found = _sentence_items(_strip_lead(head.group("rest")), state)
        items.extend(found)
    return items


def _sentence_items(sentence: str, state: _State) -> list[Item]:
    labels = _labels(sentence)
    if labels:
        return labels
    # "Forget the fax number. Kestrel's support phone number is ...": a forget inside a teach turn.
    if _FORGET.match(_REQUEST_END.sub("", sentence)):
        return [("forget", {"target": t}) for t in _forget_targets(sentence, "")]
    return _statement_items(sentence, state)



# --- corrections ----------------------------------------------------------------------

# "it's 30 days", "they are ...", "the answer is ...", "you have to be 18": the value follows.
_PRONOUN_COPULA = re.compile(
    r"^(?:its(?=\s+[\d$+])|(?:it|that|this|they|those|these"
    r"|the (?:correct |right |real |actual |new )?(?:answer|one|number|value))"
    r"(?:'s|'re| is| are| was| were| has| have| should be| will be| ought to be)"
    r"|you (?:have to|must|need to|got to|gotta) be"
    r"|(?:they|we|kestrel) (?:changed|moved|updated|pushed|bumped|raised|lowered|cut|dropped|set) (?:it|that|this|them)"
    r"(?: to)?)"
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
_HEDGE = re.compile(r"^(?:only|just|more like|up to)\s+(?=\S*\d)", _I)
_BUT_NOT = re.compile(r"^(?P<new>.+?)(?:,\s*|\s+)(?:and\s+)?(?:not|rather than|instead of)\s+(?P<old>.+)$", _I)
_NOT_ANSWERS = re.compile(
    r"^(?:i|i'm|i've|i'd|you|you're|please|can|could|would|what|why|how|who|where|when|which|let|thanks|"
    r"thank|thanks|ok|okay|yes|yeah|yep|sure|hmm|hi|hello|hey|bye|goodbye|cheers|great|cool|nice|perfect|"
    r"awesome|got it|fine|alright|good|no|nope|sorry|that|this|it|we|they|my|too|not)\b", _I)
# "That's a bit slow": a reaction, not a value.
_OPINION = re.compile(r"^(?:a bit|a little|quite|very|really|so|pretty|too|kind of|rather|way too)\s+[a-z]+$", _I)
# "Right, 14 days." confirms the answer instead of correcting it.
_CONFIRM = re.compile(r"^(?:right|yes|yeah|yep|yup|exactly|correct|true|that's right|that's correct)\b\s*[,.!—–-]",
                      _I)
_YES_NO_QUESTION = re.compile(r"^(?:is|are|do|does|did|can|could|will|would|has|have|was|were)\b", _I)
_NO_OPENER = re.compile(r"^(?:no+|nope|nah|not anymore|not any more|no longer)\b\s*[,.!—–-]*\s*", _I)
_YES_OPENER = re.compile(r"^(?:yes|yeah|yep|yup|of course|sure)(?:\s+(?:we|it|they|you)\s+(?:do|does|can|is|are|will))?"
                         r"\b\s*[,.!—–-]*\s*", _I)
_NEGATION = re.compile(r"\b(?:no|not|never|don't|doesn't|isn't|aren't|can't|cannot|won't|only)\b|n't\b", _I)
_RESTATED = re.compile(r"^(?:yes|yeah|yep|we do|it does|they do|it is|they are|there is|there are|you can)$", _I)
_STOP = set("the a an is are do does can you your we our i my to of for in on at it".split())
# "Also Amex and Discover." adds to the list the assistant gave.
_ALSO = re.compile(r"^(?:also|plus|and also)\s+(?P<new>.+)$|^(?P<new2>.+?)\s+(?:too|as well)$", _I)
_LIST_END = re.compile(r"(?P<list>(?:[A-Z][\w+&-]*,\s+)*[A-Z][\w+&-]*\s+and\s+[A-Z][\w+&-]*)$")
# "'My invoice shows the wrong VAT number' — what topic is that?": the answer is a label.
_LABEL_QUESTION = re.compile(r"\b(?:topic|label|labell?ed|category|class|classify|intent|kind of ticket|type of ticket"
                             r"|(?:an?|\w+) ticket)\b", _I)
_LABEL_VALUE = re.compile(r"^(?:an?\s+)?(?P<label>[a-z][\w-]*)(?:\s+(?:ticket|one|topic|example|question))?$", _I)


# "Where can I get a gift receipt?" / "You can choose one at checkout online": the place.
_WHERE_QUESTION = re.compile(r"^where\b", _I)
_WHERE_ANSWER = re.compile(r"^(?:you|it|they|we)\b(?!.*\b(?:not|n't|never)\b).*?\s(?P<pp>(?:at|in|on|from|via|through)\s.+)$",
                           _I)


def _content(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9$]+", text.lower()) if w not in _STOP and len(w) > 2}


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
    text = _HEDGE.sub("", text, count=1)
    m = _BUT_NOT.match(text)
    if m:
        text = m.group("new")
    text = _value(text)
    # A value cut out of "they're charged when they ship" may start with "when"; a whole turn may not.
    if not text or text.endswith("?") or _NOT_ANSWERS.match(text) and not (trimmed and _TIME_PREP_START.match(text)) \
            or _words(text) > 20 or _FIRST_PERSON.search(text) or _OPINION.match(text):
        return ""
    return text


def _assistant_claims(text: str) -> list[Item]:
    """The statements `X is A` the assistant made, as items."""
    state = _State()
    claims: list[Item] = []
    for sentence in _sentences(_clean(text)):
        claims.extend(_statement_items(sentence, state))
    return claims


def _assistant_claim(text: str) -> Item | None:
    claims = _assistant_claims(text)
    return claims[0] if claims else None


def _yes_no(question: str, text: str, old: str) -> str:
    """The answer to a yes/no question from a correction: 'no, it closes at 8'."""
    text = _FULL_STOP.sub("", _strip_lead(text)).strip()
    opener = _NO_OPENER.match(text)
    yes = _YES_OPENER.match(text)
    if opener:
        negative, body = True, text[opener.end():]
    elif yes:
        negative, body = False, text[yes.end():]
    else:
        body = _strip_lead(text, _CORRECTION)
        copula = _PRONOUN_COPULA.match(body)
        # "You have to be 18": a value, not a yes or no.
        if copula and _words(body[copula.end():]) <= 4:
            return ""
        first = body.split(", ")[0]
        negative = bool(_NEGATION.search(first))
    body = _value(body)
    first, _, extra = body.partition(", ")
    if extra and (_RESTATED.match(first) or len(_content(first) & _content(question)) >= 2):
        body = _value(extra)  # "We do ship to Alaska now, it takes 7 to 10 days": the news is the rest
    if _FIRST_PERSON.search(body) or _words(body) > 20:
        return ""
    return ("no" if negative else "yes") + (f", {body}" if body else "")


def _label_answer(question: str, body: str) -> Item | None:
    """A label given for the example quoted in a "what topic is ...?" question, or in the
    assistant's "I'd label '...' as account"."""
    quoted = _QUOTED_SPAN.search(question)
    if not quoted or not _LABEL_QUESTION.search(question):
        return None
    m = _LABEL_VALUE.match(_bare_value(body))
    if not m or m.group("label").lower() in _NOT_LABELS:
        return None
    text = _value(quoted.group(0)[1:-1])
    return ("label", {"text": text, "label": m.group("label").lower()}) if text else None


def _subject_answer(question: str, body: str) -> str:
    """"Which warehouse handles returns?" / "The Reno warehouse handles returns": the subject."""
    words = question.rstrip(" ?").split()
    if not words or words[0].lower() not in ("which", "who", "what"):
        return ""
    said = _normal(_FULL_STOP.sub("", body))
    # "who" is followed by the verb; "which"/"what" by a noun first ("which warehouse handles ...")
    for k in (1,) if words[0].lower() == "who" else (2, 3):
        pred = _normal(" ".join(words[k:]))
        if _words(pred) >= 2 and said.endswith(" " + pred):
            value = _value(_FULL_STOP.sub("", body)[: len(said) - len(pred)])
            return value if value and not _NOT_ANSWERS.match(value) and _words(value) <= 6 else ""
    return ""


def _merged_list(body: str, old: str) -> str:
    """'Also Amex and Discover' after 'We accept Visa and Mastercard' -> the whole list."""
    m = _ALSO.match(_FULL_STOP.sub("", body))
    listed = _LIST_END.search(_FULL_STOP.sub("", old))
    if not m or not listed:
        return ""
    split = re.compile(r",\s+|\s+and\s+")
    items = split.split(listed.group("list")) + split.split(_value(m.group("new") or m.group("new2")))
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else ""


def _correct(text: str, context: list[dict]) -> list[Item]:
    prev_user, prev_assistant = previous_exchange(context)
    question = _question_in(prev_user)
    old = _clean(prev_assistant)
    confirm = _CONFIRM.match(_strip_lead(text))
    if confirm:
        rest = _value(_strip_lead(text)[confirm.end():])
        if not rest or _normal(rest) in _normal(old):
            return []  # "Right, 14 days." after "14 days"; "Yes, it's $4.99" after "No, ..." is news
    body = _strip_lead(_strip_lead(text), _CORRECTION)
    asked = _assistant_question(context)
    replaces = {"replaces": old} if old else {}
    label = _label_answer(question, body) if question and not asked else None
    if label is None and old and not asked:
        label = _label_answer(old, body)  # "I'd label '...' as account." / "It should be technical."
    if label:
        return [label]
    if question and not asked:
        if _YES_NO_QUESTION.match(question):
            answer = _yes_no(question, text, old)
            if answer:
                return [("qa", {"question": question, "answer": answer, **replaces})]
        who = _subject_answer(question, body)
        if who:
            return [("qa", {"question": question, "answer": who, **replaces})]
        place = _WHERE_ANSWER.match(_FULL_STOP.sub("", body)) if _WHERE_QUESTION.match(question) else None
        if place:
            return [("qa", {"question": question, "answer": _value(place.group("pp")), **replaces})]
        merged = _merged_list(body, old)
        if merged:
            return [("qa", {"question": question, "answer": merged, **replaces})]

    # A full statement first: "No, Kestrel's CEO is Dana Whitfield." / "'...' is billing, not shipping."
    stated = _teach_items(body, context)
    if stated:
        claims = _assistant_claims(old) if old else []
        return [_replacing(kind, fields, question if len(stated) == 1 else "", old, claims)
                for kind, fields in stated]
    # Then a bare value set against the question just answered: "No, it's 30 days now."
    value = _bare_value(body, asked or question)
    if not value:
        return []
    if asked:
        # The assistant asked rather than answered: the "correction" is the answer to its question.
        return [("qa", {"question": asked, "answer": value})]
    if question:
        return [("qa", {"question": question, "answer": value, **replaces})]
    # No question: correct the assistant's own claim "X is A".
    claim = _assistant_claim(old) if old else None
    if claim is None:
        return []
    kind, fields = claim
    key = "answer" if kind == "qa" else "object"
    if _normal(fields[key]) == _normal(value):
        return []
    return [(kind, {**fields, key: value, "replaces": fields[key]})]


def _replacing(kind: str, fields: Fields, question: str, old: str, claims: list[Item]) -> Item:
    """A stated correction, with the question asked and the answer it replaces when known."""
    if kind not in ("qa", "fact"):
        return kind, fields
    key = "answer" if kind == "qa" else "object"
    fields = {**fields, key: _cut_not(fields[key])}
    if kind == "qa" and _qualifies(fields["question"], claims):
        return kind, fields  # "For Canada it's 5 to 8 days": a new case beside the old answer, not a fix
    if kind == "qa" and question:
        # It answers the question just asked, so it replaces the answer just given.
        fields["question"] = question
        fields["answer"] = _trim_for(question, fields["answer"])
        if old:
            fields["replaces"] = old
        return kind, fields
    # Replace the old value only when the assistant said "<the same thing> is <old value>".
    for claim_kind, claim in claims:
        if claim_kind == kind and _same_topic(claim, fields):
            if kind == "qa":
                fields["question"] = claim["question"]
            fields["replaces"] = claim[key]
            break
    return kind, fields


def _qualifies(question: str, claims: list[Item]) -> bool:
    """The question is one of the claims' questions with a qualifier added."""
    q = question.rstrip("?")
    return any(q.startswith(f["question"].rstrip("?") + " ") for k, f in claims if k == "qa")


def _cut_not(value: str) -> str:
    m = _BUT_NOT.match(value)
    return _value(m.group("new")) if m else value


def _same_topic(a: Fields, b: Fields) -> bool:
    """Same question or same subject and relation; "the fee" also names "the express shipping fee"."""
    if "question" in a:
        qa, qb = _normal(a["question"]), _normal(b.get("question", ""))
        if qa == qb:
            return True
        wa, wb = qa.split(), qb.split()
        # "what is the fee" vs "what is the express shipping fee": same opening, same head noun.
        return len(wb) >= 3 and wa[:2] == wb[:2] and wa[-1] == wb[-1] and set(wb) <= set(wa)
    return _normal(a["subject"]) == _normal(b.get("subject", "")) and \
        _normal(a["relation"]) == _normal(b.get("relation", ""))


def _normal(text: str) -> str:
    return _WS.sub(" ", text.casefold()).strip(" .!?")



# --- forget ---------------------------------------------------------------------------

_FORGET_VERB = (r"(?:forget(?:\s+about)?|delete|remove|drop|erase|unlearn|purge|discard|scrap|get rid of"
                r"|stop (?:saying|mentioning|talking about|bringing up|telling (?:people|customers|users|them|everyone"
                r"|anyone)(?:\s+about)?)"
                r"|(?:don'?t|do not|never|no longer) (?:say|mention|tell (?:people|customers|users|anyone|them)))")
_FORGET = re.compile(
    r"^(?:(?:please|can you|could you|would you|kindly|you should|you can|you need to|i want you to|also|and"
    r"|just|now)\s+)*" + _FORGET_VERB + r"\s+(?P<rest>.+)$", _I)
_NO_LONGER_TRUE = re.compile(
    r"^(?P<target>.+?)\s+(?:is|are)\s+(?:no longer|not)\s+(?:true|valid|correct|accurate|right|the case"
    r"|a thing|offered|available)(?:\s+(?:anymore|any more))?$", _I)
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
    r"^(?P<target>.+?)(?:(?:\s+is|\s+was|'s)\s+\w+\s+and)?\s+(?:should|must|needs to|has to|can)\s+be\s+"
    r"(?:forgotten|deleted|removed|dropped|erased)$", _I)
_HAVE_VERBS = {"have", "offer", "sell", "stock", "provide", "support", "carry", "accept", "use", "run", "ship", "do"}
_ABOUT = re.compile(
    r"^(?:(?:the|that|this|any|all)\s+)?(?:fact|facts|entry|entries|row|rows|record|records|line|answer|answers|"
    r"info|information|item|note|bit|part|thing|statement|claim|rule|knowledge|stuff|data|detail|details)"
    r"\s+(?:about|saying|that says|which says|stating|that|on|for|regarding|of)\s+"
    r"|^(?:what|everything|anything|all)\s+(?:(?:you know|you learned|you have learned|i told you|you were told|"
    r"you have|we said|you said|you've been told|i said|i mentioned|i wrote)\s+)?(?:about|regarding|on)\s+"
    r"|^about\s+", _I)
_JUSTIFY = re.compile(
    r"(?:\s*[,;]|\s+[—–-])\s+(?:we|it|they|that|this|there|as|since|because|which|he|she|i|you|our|its|it's|"
    r"that's|there's|we're|we've|they're|please|thanks|thank|now|not|no|so|but|the)\b.*$"
    r"|\s+(?:because|since|as (?:we|it|they|that|this|there)|seeing as)\b.*$", _I)
_TARGET_TAIL = re.compile(
    r"\s+(?:anymore|any more|please|from now on|for good|completely|entirely|too|as well|also|either"
    r"|from (?:the |your |our )?(?:dataset|datasets|memory|database|data|records|knowledge base|list|answers))$", _I)
# "the Kestrel spokesperson fact": the kind of record is not part of what to match.
_RECORD_NOUN = re.compile(r"\s+(?:fact|facts|entry|entries|info|information|record|detail|details)$", _I)
_TARGET_ARTICLE = re.compile(r"^(?:the|a|an|teh)\s+", _I)
_PRONOUN_TARGET = re.compile(
    r"^(?:it|that|this|those|these|them|that one|this one|that fact|this fact|that answer|this answer|"
    r"what you (?:just )?said|your (?:last )?answer)$", _I)
# Conversation itself is not knowledge: "forget the last question", "forget my last message".
_META_TARGET = re.compile(r"(?:^|\s)(?:question|questions|message|messages|conversation|chat)$"
                          r"|^(?:things|stuff|everything|anything)\b", _I)
_SPLIT_FORGET = re.compile(
    r",?\s+and\s+(?:also\s+)?(?=" + _FORGET_VERB + r"\b)"
    r"|,\s+(?=(?:please\s+|and\s+)?" + _FORGET_VERB + r"\b)"
    r"|(?:(?<=\bit)|(?<=\bthat)|(?<=\bthis)|(?<=\bone))\s*,\s+"
    r"|,\s+(?=(?:what|what's|where|where's|when|how|who|which|why|can you|do you)\b)", _I)
# "the Volt 100W charger price and the Link cable price": two targets.
_SPLIT_TARGET = re.compile(r"\s+and\s+(?=(?:the|teh)\s)|,\s+(?=(?:the|teh)\s)", _I)


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
    if m := _NO_LONGER_TRUE.match(plain) or _BE_FORGOTTEN.match(plain):
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
    pointed = False  # "Forget that, we stopped gift wrapping": what follows only says why
    for part in _SPLIT_FORGET.split(_strip_lead(sentence)):
        explicit = bool(_FORGET.match(part.strip()))
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
    return [t for t in targets if not _META_TARGET.search(t) and not _FIRST_PERSON.search(_QUOTED_SPAN.sub("", t))]


def _forget(text: str, context: list[dict]) -> list[Item]:
    _, prev_assistant = previous_exchange(context)
    if context and context[-1].get("role") == "assistant":
        prev_assistant = str(context[-1].get("text", ""))
    targets: list[str] = []
    for sentence in _sentences(text):
        for target in _forget_targets(sentence, prev_assistant):
            if target not in targets:
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
        items = _teach_items(_strip_lead(text), context)
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
