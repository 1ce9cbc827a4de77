"""Entity spans over a sentence, in the two shapes a `span` dataset may keep them.

- **spans**: `{"text": "Ajax beat Feyenoord 3-1.", "spans": [{"start": 10, "end": 19, "label": "ORG"}]}`
  (character offsets into text, end exclusive);
- **conll**: `{"tokens": ["Ajax", "beat", "Feyenoord", "3-1", "."], "tags": ["B-ORG", "O", "B-ORG", "O", "O"]}`
  (one BIO tag per token).

Pure functions, no model: used by tasks.py (row shape), locate (merging), train (token
classification) and `lic show`.
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"\w+(?:[-'.]\w+)*|[^\w\s]")


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Words and punctuation with their character offsets ("3-1" and "U.S" stay whole)."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def to_conll(text: str, spans: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(tokens, BIO tags); a span covers the tokens it overlaps."""
    toks = tokenize(text)
    tags = ["O"] * len(toks)
    for s in sorted(spans, key=lambda s: s["start"]):
        first = True
        for i, (_, a, b) in enumerate(toks):
            if b <= s["start"] or a >= s["end"]:
                continue
            tags[i] = f"{'B' if first else 'I'}-{s['label']}"
            first = False
    return [t for t, _, _ in toks], tags


def from_conll(tokens: list[str], tags: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """(text, spans) from tokens joined by single spaces (no space before . , ; : ! ? ))."""
    text = ""
    offsets = []
    for tok in tokens:
        if text and not re.fullmatch(r"[.,;:!?)\]'%]", tok) and not text.endswith(("(", "[")):
            text += " "
        offsets.append((len(text), len(text) + len(tok)))
        text += tok
    spans: list[dict[str, Any]] = []
    for (a, b), tag in zip(offsets, tags, strict=False):
        tag = str(tag)
        if tag == "O" or "-" not in tag:
            continue
        prefix, label = tag.split("-", 1)
        if prefix == "I" and spans and spans[-1]["label"] == label and spans[-1]["end"] in (a, a - 1):
            spans[-1]["end"] = b
        else:
            spans.append({"start": a, "end": b, "label": label})
    return text, spans


def merge(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`old` spans with `new` ones laid over them: a new span replaces the old spans it overlaps."""
    kept = [s for s in old if not any(s["start"] < n["end"] and n["start"] < s["end"] for n in new)]
    return sorted(kept + [dict(n) for n in new], key=lambda s: (s["start"], s["end"]))


def inline(text: str, spans: list[dict[str, Any]]) -> str:
    """'[Ajax](ORG) beat [Feyenoord](ORG) 3-1.': a sentence with its spans marked, for review."""
    out, at = [], 0
    for s in sorted(spans, key=lambda s: s["start"]):
        if s["start"] < at:
            continue
        out.append(text[at:s["start"]])
        out.append(f"[{text[s['start']:s['end']]}]({s['label']})")
        at = s["end"]
    out.append(text[at:])
    return "".join(out)


def row_fields(task: Any) -> tuple[str, ...]:
    """The knowledge fields a span task's rows hold: tokens + tags (CoNLL) or text + spans."""
    return ("tokens", "tags") if task.span_style == "conll" else ("text", "spans")


def value_problem(field: str, value: Any) -> str | None:
    """What is wrong with one column of a span row (patch checks), or None."""
    if field == "text":
        return None if isinstance(value, str) and value.strip() else "expected a non-empty string"
    if field in ("tokens", "tags"):
        ok = isinstance(value, list) and value and all(isinstance(x, str) and x for x in value)
        return None if ok else "expected a non-empty list of strings"
    ok = isinstance(value, list) and all(
        isinstance(s, dict) and isinstance(s.get("start"), int) and isinstance(s.get("end"), int)
        and isinstance(s.get("label"), str) and 0 <= s["start"] < s["end"] for s in value)
    return None if ok else "expected a list of {start, end, label} spans"


def is_key(value: Any) -> bool:
    """A key column value of a span task: a sentence, or its tokens."""
    return isinstance(value, str) or (isinstance(value, list) and bool(value) and all(isinstance(x, str) for x in value))
