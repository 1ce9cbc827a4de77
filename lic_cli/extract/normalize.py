"""Values normalized to the target: a label becomes one of a task's labels, or stays as
said (and the router proposes a task for it).

"network-type" -> `network`, "a billing ticket" -> `billing`, "Returns" -> `returns`,
"an organization" -> `ORG` (entity labels, with the usual long names of the short ones).
Dates, numbers and units are never touched: only label values are normalized.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from rapidfuzz import fuzz

_ARTICLE = re.compile(r"^(?:a|an|the|as|under|to|in)\s+", re.I)
# Words that say "this is a label" around the label itself.
_SUFFIX = re.compile(r"[\s_-]+(?:type|types|ticket|tickets|request|requests|query|queries|question|questions|issue|"
                     r"issues|related|case|cases|one|topic|category|label|intent|example|examples|message|entity)$",
                     re.I)
ENTITY_NAMES = {  # long names of the common short entity labels
    "PER": ("person", "people", "persons", "name of a person", "human"),
    "ORG": ("organization", "organisation", "company", "club", "team", "institution", "business", "band"),
    "LOC": ("location", "place", "city", "country", "town", "region", "river", "mountain", "venue"),
    "DATE": ("date", "day", "year", "time"),
    "WORK": ("work of art", "work", "book", "film", "movie", "song", "album", "painting", "title"),
    "MISC": ("miscellaneous", "other"),
    "PRODUCT": ("product", "device", "model"),
    "EVENT": ("event",),
    "GPE": ("geopolitical entity", "country", "city", "state"),
    "MONEY": ("money", "amount", "price"),
}


def _bare(value: str) -> str:
    v = " ".join(value.strip().strip(".,;:!?\"'").split())
    for _ in range(3):
        new = _SUFFIX.sub("", _ARTICLE.sub("", v)).strip()
        if new == v:
            break
        v = new
    return v


def _singular(w: str) -> str:
    w = w.lower()
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith("ss") and len(w) > 3:
        return w[:-1]
    return w


def label_for(value: str, labels: Sequence[str]) -> str | None:
    """The one label of `labels` that `value` names, or None."""
    if not value or not labels:
        return None
    if value in labels:
        return value
    low = {lab.lower(): lab for lab in labels}
    bare = _bare(value)
    for cand in (value.strip().lower(), bare.lower(), bare.lower().replace(" ", "_"), bare.lower().replace(" ", "-")):
        if cand in low:
            return low[cand]
    sing = {_singular(lab): lab for lab in labels}
    if _singular(bare) in sing:
        return sing[_singular(bare)]
    for short, names in ENTITY_NAMES.items():  # "an organization" -> ORG
        if short.lower() in low and (bare.lower() in names or _singular(bare) in names):
            return low[short.lower()]
    words = [w for w in re.split(r"[\s_/-]+", bare.lower()) if w]
    named = {lab for lab in labels if lab.lower() in words or _singular(lab) in {_singular(w) for w in words}}
    if len(named) == 1:
        return named.pop()
    best = max(labels, key=lambda lab: fuzz.ratio(lab.lower(), bare.lower()))
    return best if fuzz.ratio(best.lower(), bare.lower()) >= 88 else None


def entity_label(value: str, labels: Sequence[str] = ()) -> str:
    """An entity label: one of `labels` when it names one, else its usual short name, else as said."""
    found = label_for(value, labels) if labels else None
    if found:
        return found
    bare = _bare(value).lower()
    for short, names in ENTITY_NAMES.items():
        if bare == short.lower() or bare in names or _singular(bare) in names:
            return short
    # Typos ("preson", "lcoation"): the closest long name, when it is close.
    score, short = max((fuzz.ratio(bare, name), short) for short, names in ENTITY_NAMES.items() for name in names)
    return short if score >= 80 else value


def normalize_items(items: Iterable[dict[str, Any]], project: Any) -> list[dict[str, Any]]:
    """Label values (and span labels) moved onto the project's own label names where they name one."""
    label_tasks = [t for t in project.tasks.values() if t.format == "label" and t.labels] if project else []
    span_labels = [lab for t in project.tasks.values() if t.format == "span" for lab in t.labels] if project else []
    out = []
    for item in items:
        if item.get("kind") == "label" and label_tasks and isinstance(item.get("label"), str):
            tasks = [t for t in label_tasks if not item.get("task") or t.name == item["task"]] or label_tasks
            hits = {label_for(item["label"], t.labels) for t in tasks} - {None}
            if len(hits) == 1:
                item = {**item, "label": hits.pop()}
        elif item.get("kind") == "span" and isinstance(item.get("spans"), list):
            item = {**item, "spans": [{**s, "label": entity_label(str(s.get("label", "")), span_labels)}
                                      if isinstance(s, dict) else s for s in item["spans"]]}
        out.append(item)
    return out
