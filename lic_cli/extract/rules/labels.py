"""Label forms: a quoted example and the label (and task) the teacher gives it."""

from __future__ import annotations

import re

from lic_cli.extract.rules.text import _FULL_STOP, _I, Item

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
