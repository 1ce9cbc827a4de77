"""The one place that says how a teaching turn becomes a chat prompt, and knowledge a JSON answer.

Used by the trained extraction model (training pairs and inference prompts must match
exactly) and as the base of the LLM engine's prompt. Kept compact on purpose: every
prompt token costs time on a CPU.

- `messages(text, context, label)`: system + user chat messages for one turn;
- `target(items)`: the completion the model learns to write, compact canonical JSON
  with each item's kind fields (no statement/source: `schema.make_item` rebuilds those);
- `training_pairs(rows)`: (messages, target) for rows of the `extract` dataset;
- `parse(completion)`: the completion back into `[{"kind": ..., <fields>}]`, or an
  InputError saying exactly what is wrong (the LLM engine shows it to the model to repair).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from lic_cli.errors import InputError
from lic_cli.knowledge import KINDS, LIST_FIELDS, OPTIONAL, REQUIRED, _field_problem

# Short on purpose: a fine-tuned model learns the format from its training pairs, and every
# system token is paid again on each turn. The LLM engine (`llm.py`) adds the kinds' schema
# and examples for models that were not trained on the format.
SYSTEM = "Extract the knowledge this turn teaches as a JSON list of qa, fact, label or forget items; [] if none."
CONTEXT_TURNS = 2  # the last exchange: what the user asked and what the assistant answered
MAX_CONTEXT_CHARS = 300  # per context turn; long assistant answers are cut, the start matters most
_IGNORED = {"statement", "source", "engine"}  # item keys a model may echo; rebuilt by make_item


def messages(text: str, context: list[dict], label: str | None = None) -> list[dict[str, str]]:
    """System + user chat messages for one turn. `context`: earlier turns, oldest first,
    as records with `role` and `text`; `label`: the turn's intent (teach, correct, forget)."""
    lines = []
    for turn in context[-CONTEXT_TURNS:]:
        said = " ".join(str(turn.get("text", "")).split())
        if len(said) > MAX_CONTEXT_CHARS:
            said = said[:MAX_CONTEXT_CHARS] + "..."
        lines.append(f"{turn.get('role', 'user')}: {said}")
    user = ("Context:\n" + "\n".join(lines) + "\n" if lines else "")
    if label:
        user += f"Intent: {label}\n"
    user += f"Turn: {text.strip()}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def fields_of(item: dict[str, Any]) -> dict[str, str]:
    """An item's kind and kind fields in canonical order (no statement, source or engine)."""
    kind = item["kind"]
    out = {"kind": kind}
    for name in REQUIRED[kind] + OPTIONAL[kind]:
        if item.get(name):
            out[name] = item[name]
    return out


def target(items: list[dict[str, Any]]) -> str:
    """The JSON completion for `items`: one line, no spaces after separators."""
    return json.dumps([fields_of(i) for i in items], ensure_ascii=False, separators=(",", ":"))


def training_pairs(rows: Iterable[dict[str, Any]]) -> list[tuple[list[dict[str, str]], str]]:
    """(messages, target) for each row of the extract dataset
    ({"id", "text", "context": [{"role", "text"}], "label", "knowledge": [items]})."""
    pairs = []
    for n, row in enumerate(rows, 1):
        rid = str(row.get("id") or f"row {n}")
        text = row.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError("expected a non-empty string", field="text", record_id=rid)
        context = row.get("context") or []
        if not isinstance(context, list) or not all(isinstance(t, dict) for t in context):
            raise InputError("expected a list of {role, text} turns", field="context", record_id=rid)
        knowledge = row.get("knowledge")
        if not isinstance(knowledge, list):
            raise InputError("expected a list of knowledge items", field="knowledge", record_id=rid)
        try:
            items = _checked(knowledge)
        except InputError as exc:
            raise InputError(exc.reason, field=exc.field, record_id=rid) from None
        label = row.get("label")
        pairs.append((messages(text, context, label if isinstance(label, str) else None), target(items)))
    return pairs


def parse(completion: str) -> list[dict[str, str]]:
    """A model's completion -> `[{"kind": ..., <fields>}]`. Tolerates code fences and text
    around the JSON list; raises InputError (field `completion`) on anything else."""
    text = completion.strip()
    start = text.find("[")
    brace = text.find("{")
    if start < 0 and brace < 0:
        raise InputError(f"no JSON list in the answer: {_short(text)!r}", field="completion")
    if start < 0 or 0 <= brace < start:
        start = brace  # a single object instead of a list
    try:
        value, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({exc.msg} at column {exc.colno}): {_short(text)!r}",
                         field="completion") from None
    if isinstance(value, dict):
        value = [value]
    return _checked(value)


def _checked(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise InputError(f"expected a JSON list of items, got {type(value).__name__}", field="completion")
    items = []
    for i, raw in enumerate(value):
        where = f"completion[{i}]"
        if not isinstance(raw, dict):
            raise InputError(f"expected an object, got {type(raw).__name__}", field=where)
        kind = raw.get("kind")
        if kind not in REQUIRED:
            raise InputError(f"unknown kind {kind!r} (expected {', '.join(KINDS)})", field=where)
        allowed = set(REQUIRED[kind] + OPTIONAL[kind]) | _IGNORED | {"kind"}
        extra = sorted(set(raw) - allowed)
        if extra:
            raise InputError(f"unexpected key {extra[0]!r} for a {kind} item "
                             f"(keys: {', '.join(REQUIRED[kind] + OPTIONAL[kind])})", field=where)
        for name in REQUIRED[kind] + OPTIONAL[kind]:
            v = raw.get(name)
            if name in OPTIONAL[kind] and (v is None or v == ""):
                continue  # an absent optional field, however the model wrote it
            if name in LIST_FIELDS:
                problem = _field_problem(name, v, raw)
                if problem:
                    raise InputError(problem, field=f"{where}.{name}")
            elif not isinstance(v, str) or not v.strip():
                raise InputError(f"'{name}' must be a non-empty string", field=f"{where}.{name}")
        items.append(fields_of({k: (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}))
    return items


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n] + "..."
