"""Entity labels over a quoted sentence: the `span` kind.

Forms read (the sentence quoted, or after "in:"):

- "In 'S', X is a person (and Y is a date)."
- "Tag X as an organization in: S" / "Tag X as a place in 'S'"
- "Entities in 'S': X (person), Y (location)." / "Annotate 'S' with X (person), ..." /
  "Entity note for 'S': X = location."
- "X in the sentence 'S' refers to a person."
- "'S' - here X is a date." (session 7)
- a request to mark entities, the sentence (quoted, or after a colon) and then a list of
  entities with their types: "NER for this please: 'S' X PER, Y LOC", "tag the entities in
  'S' - X's a person, Y's a place and Z is a date", "label this sentence for the NER set: S.
  (X - PER, Y - ORG)", "Sentence: S. X is PER, Y and Z are LOC" (session 13, `free_list`)

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


FREE_LIST = True  # session 13: the entity list after the sentence in a request to mark entities
_ASKS_MARKS = re.compile(r"\b(?:entit(?:y|ies)|ner|tag|tags|label|annotate|mark(?:\s+up)?)\b", re.I)
_QUOTED = re.compile(r"\"(?P<s>[^\"]+)\"|\u201c(?P<s2>[^\u201d]+)\u201d|(?<!\w)['\u2018](?P<s3>.+?)['\u2019](?![a-z])")
_UNQUOTED = re.compile(r"(?i:sentence|set|this|these|one)\s*[:\-\u2013]\s*(?P<s>[A-Z][^()]*?[.!])(?=\s|$)")
_TYPE_CODE = frozenset("PER PERSON ORG LOC GPE DATE TIME MISC WORK PRODUCT EVENT MONEY NORP FAC".split())
_LINK = re.compile(r"^(?P<es>.+?)(?:\s+(?:is|are|as)\s+|['\u2019]s\s+|\s*[-\u2013=:]\s*|\s+)(?:an?\s+)?(?P<l>[\w]+(?:\s+of\s+art)?)$",
                   re.I)


def _type(word: str) -> str | None:
    if word in _TYPE_CODE:
        return entity_label(word) if entity_label(word).isupper() else word
    label = entity_label(word)
    return label if label.isupper() and label != word else None


def _pair(part: str) -> list[tuple[str, str]]:
    e = _LINK.match(part.strip(" ."))
    label = _type(e.group("l")) if e else None
    return [(ent, label) for ent in re.split(r"\s+and\s+|\s*&\s*", e.group("es"))] if label else []


def free_list(text: str) -> list[Item]:
    """The sentence, then each entity with its type, in any of the usual separators; every
    entity must occur in the sentence and every listed entry must read as one."""
    if not FREE_LIST or not _ASKS_MARKS.search(text):
        return []
    q = _QUOTED.search(text)
    m = q or _UNQUOTED.search(text)
    if not m:
        return []
    sentence = _sentence(next(g for g in (m.groupdict().get(k) for k in ("s", "s2", "s3")) if g))
    rest = re.sub(r"^\s*(?:for\s+me|please|pls|plz|thanks)?\s*[:\-\u2013\u2014]?\s*", "", text[m.end():], flags=re.I)
    rest = rest.strip().strip("()-\u2013\u2014:;,. ").replace("(", ",").replace(")", ",")
    pairs = []
    for part in re.split(r"\s*[,;]\s*|\.\s+", rest):
        part = part.strip(" .")
        if not part:
            continue
        pieces = [_pair(p) for p in re.split(r"\s+and\s+", part)]
        if len(pieces) > 1 and all(pieces):  # "Worthing's a place and 8 June is a date"
            pairs += [pc for piece in pieces for pc in piece]
            continue
        whole = _pair(part)  # "Cambridge and Leeds are LOC"
        if not whole:
            return []
        pairs += whole
    return _spans(sentence, pairs) if pairs else []


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
    return free_list(t)
