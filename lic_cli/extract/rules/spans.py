"""Entity labels over a quoted sentence: the `span` kind.

Forms read (the sentence quoted, or after "in:"):

- "In 'S', X is a person (and Y is a date)."
- "Tag X as an organization in: S" / "Tag X as a place in 'S'"
- "Entities in 'S': X (person), Y (location)." / "Annotate 'S' with X (person), ..." /
  "Entity note for 'S': X = location."
- "X in the sentence 'S' refers to a person."
- "'S' - here X is a date." (session 7)

Each entity must occur in the sentence; its label is normalized (`normalize.entity_label`:
"an organisation" -> ORG, typos within a small edit distance). A question ("Is X a person
in 'S'?") is not a label.
"""

from __future__ import annotations

import re

from lic_cli.extract.normalize import entity_label
from lic_cli.extract.rules.text import Item

_Q = r"['\"\u2018\u201c](?P<s>[^'\"\u2019\u201d]+(?:'[a-z][^'\"\u2019\u201d]*)*)['\"\u2019\u201d]"
_IN = re.compile(rf"^(?:tag these:\s*)?in (?:the sentence )?{_Q},?\s+(?P<pairs>.+?)\.?$", re.I)
_TAG = re.compile(r"^(?:please\s+)?tag (?P<e>.+?) as (?:an? )?(?P<l>[\w -]+?) in(?::\s*|\s+)(?P<s>.+?)$", re.I)
_LIST = re.compile(rf"^(?:(?:please|pelase|plaese|pls|plz)\s+)?(?:entities in|annotate|entity note for) {_Q}:?\s*(?:with\s+)?(?P<list>.+?)\.?$",
                   re.I)
# "'S' - here X is a person (and Y a place)." / "'S': in it, X is a date."
_HERE = re.compile(rf"^{_Q}\s*(?:[-\u2013\u2014:,]+\s*)?(?:here|there|in it|in this one|in this sentence),?\s+"
                   r"(?P<pairs>.+?)\.?$", re.I)
_REFERS = re.compile(rf"^(?P<e>.+?) in the sentence {_Q} refers to (?:an? )?(?P<l>[\w -]+?)\.?$", re.I)
_PAIR = re.compile(r"(?P<e>[^,]+?) is (?:an? )?(?P<l>[\w -]+?)(?:,|$|\s+and\s+)", re.I)
_ENTRY = re.compile(r"(?P<e>[^,()=]+?)\s*(?:\((?P<l1>[\w -]+)\)|=\s*(?P<l2>[\w -]+))", re.I)


def _spans(sentence: str, pairs: list[tuple[str, str]]) -> list[Item]:
    marks = []
    for ent, lab in pairs:
        ent = ent.strip(" ,.;:'\"")
        ent = re.sub(r"^(?:and|also)\s+", "", ent, flags=re.I)
        at = sentence.find(ent)
        if at < 0 or not ent:
            return []  # an entity the sentence does not hold: not sure, so nothing
        label = entity_label(lab.strip())
        if not label.isupper():
            return []
        mark = {"start": at, "end": at + len(ent), "label": label}
        if mark not in marks:
            marks.append(mark)
    if not marks:
        return []
    return [("span", {"text": sentence, "spans": sorted(marks, key=lambda m: m["start"])})]


def _sentence(raw: str) -> str:
    return raw.strip().strip("'\"\u2018\u2019\u201c\u201d").strip()


def spans(text: str) -> list[Item]:
    """Entity-label items in the turn, or [] when it is not one of the forms above."""
    t = text.strip()
    if not t or t.endswith("?"):
        return []
    m = _REFERS.match(t)
    if m:
        return _spans(_sentence(m.group("s")), [(m.group("e"), m.group("l"))])
    m = _LIST.match(t)
    if m:
        pairs = [(e.group("e"), e.group("l1") or e.group("l2")) for e in _ENTRY.finditer(m.group("list"))]
        return _spans(_sentence(m.group("s")), pairs)
    m = _IN.match(t)
    if m:
        pairs = [(p.group("e"), p.group("l")) for p in _PAIR.finditer(m.group("pairs").rstrip(".") + ",")]
        return _spans(_sentence(m.group("s")), pairs)
    m = _TAG.match(t)
    if m:
        return _spans(_sentence(m.group("s")), [(m.group("e"), m.group("l"))])
    m = _HERE.match(t)
    if m:
        pairs = [(p.group("e"), p.group("l")) for p in _PAIR.finditer(m.group("pairs").rstrip(".") + ",")]
        return _spans(_sentence(m.group("s")), pairs)
    return []
