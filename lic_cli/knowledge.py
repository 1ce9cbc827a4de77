"""Knowledge items: the fields each kind carries, their one-sentence statement, validation.

Every extract engine (rules today; a trained model or an LLM later) builds items with
`make_item`, so all of them share one shape and one way of writing `statement`:

| kind   | statement                                            |
|--------|------------------------------------------------------|
| qa     | `How long is the refund window? — 30 days.`          |
| fact   | `Kestrel's support phone number is +1 555 0199.`     |
| label  | `'where is my parcel' is labelled shipping.` (+ ` in <task>` when named) |
| forget | `Forget: Kestrel's fax number.`                      |
| note   | `The user is vegetarian.` (the note's own text)       |
| span   | `In 'Ajax beat Feyenoord 3-1.': Feyenoord = ORG.`     |

`span` items carry `spans`, a list of `{"start", "end", "label"}` character offsets into
`text` (end exclusive), instead of a string field.

Later stages (and people editing records between stages) can call `validate_item` on
knowledge they read.
"""

from __future__ import annotations

from typing import Any

from lic_cli.errors import RecordError

# Required string fields per kind (besides `statement` and `source`), then optional ones.
REQUIRED: dict[str, tuple[str, ...]] = {
    "qa": ("question", "answer"),
    "fact": ("subject", "relation", "object"),
    "label": ("text", "label"),
    "forget": ("target",),
    "note": ("text",),
    "span": ("text", "spans"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "qa": ("replaces",),
    "fact": ("replaces",),
    "label": ("task",),
    "forget": (),
    "note": ("replaces",),
    "span": ("task",),
}
LIST_FIELDS = {"spans"}  # fields that hold a list, not a string
KINDS = tuple(REQUIRED)
COMMON = ("statement", "source")


def statement(item: dict[str, Any]) -> str:
    """The item as one plain sentence (see the module docstring)."""
    kind = item["kind"]
    if kind == "qa":
        return _sentence(f"{item['question']} — {item['answer']}")
    if kind == "fact":
        return _sentence(f"{_possessive(item['subject'])} {item['relation']} is {item['object']}")
    if kind == "label":
        where = f" in {item['task']}" if item.get("task") else ""
        return f"'{item['text']}' is labelled {item['label']}{where}."
    if kind == "forget":
        return _sentence(f"Forget: {item['target']}")
    if kind == "note":
        return _sentence(item["text"])
    if kind == "span":
        text = item["text"]
        marks = ", ".join(f"{text[s['start']:s['end']]} = {s['label']}" for s in item["spans"])
        return f"In '{text}': {marks}."
    raise ValueError(f"unknown knowledge kind {kind!r}")


def make_item(kind: str, fields: dict[str, str], *, source: str, engine: str) -> dict[str, Any]:
    """An item with its fields in a fixed order, then statement, source and engine."""
    item: dict[str, Any] = {"kind": kind}
    for name in REQUIRED[kind] + OPTIONAL[kind]:
        if fields.get(name):
            item[name] = fields[name]
    for name in REQUIRED[kind]:
        item.setdefault(name, fields.get(name, ""))
    complete = all(not _field_problem(n, item[n], item) for n in REQUIRED[kind])
    item["statement"] = statement(item) if complete else ""
    item["source"] = source
    item["engine"] = engine
    return item


def item_problems(item: Any) -> list[str]:
    """What is wrong with an item, as short phrases; empty when it is valid."""
    if not isinstance(item, dict):
        return [f"expected an object, got {type(item).__name__}"]
    kind = item.get("kind")
    if kind not in REQUIRED:
        return [f"unknown kind {kind!r} (expected {', '.join(KINDS)})"]
    problems = []
    for name in REQUIRED[kind] + COMMON:
        problem = _field_problem(name, item.get(name), item)
        if problem:
            problems.append(problem)
    for name in OPTIONAL[kind]:
        if name in item and (not isinstance(item[name], str) or not item[name].strip()):
            problems.append(f"'{name}' must be a non-empty string when present")
    return problems


def validate_item(item: Any, *, index: int, record: dict | None = None) -> None:
    """Raise RecordError naming `knowledge[index]` when an item is invalid."""
    problems = item_problems(item)
    if problems:
        raise RecordError(f"invalid knowledge item: {'; '.join(problems)}", record=record,
                          field=f"knowledge[{index}]")


def _field_problem(name: str, value: Any, item: dict[str, Any]) -> str | None:
    if name not in LIST_FIELDS:
        return None if isinstance(value, str) and value.strip() else f"'{name}' must be a non-empty string"
    text = item.get("text") if isinstance(item.get("text"), str) else ""
    if not isinstance(value, list) or not value:
        return f"'{name}' must be a non-empty list of {{start, end, label}}"
    for i, s in enumerate(value):
        ok = (isinstance(s, dict) and isinstance(s.get("start"), int) and isinstance(s.get("end"), int)
              and isinstance(s.get("label"), str) and s["label"].strip() and 0 <= s["start"] < s["end"] <= len(text))
        if not ok:
            return f"'{name}[{i}]' must be {{start, end, label}} with 0 <= start < end <= len(text)"
    return None


def _possessive(name: str) -> str:
    return name + ("'" if name.endswith("s") else "'s")


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."
