"""Route re-reads a turn when what extraction held does not fit its detected intent (one concept:
the turn read again, by the rules, and why, in the record's `reread` / a route's reason).

* `correction_from_turn`: a correction whose extraction holds nothing: its one new value of a
  type the previous answer states;
* `retyped_correction`: a correction whose extracted value is of no type the replaced value
  states: the turn's one new value of such a type;
* `forget_from_turn`: a forget whose extraction holds no forget item, or only the statement said
  around it: the target read around that statement;
* `reread_forget`: a forget item whose target routes nowhere: a quoted piece of the turn (session
  13), then the rules' other targets;
* `forget_only` (session 12): a forget whose extraction also holds facts or QA pairs said with it
  ("..., so take it off your list. The main number still works"): the forget alone, the rest set
  aside.

Moved here from router/__init__.py in session 12, behaviour unchanged (forget_only is new).
"""

from __future__ import annotations

from lic_cli.knowledge import statement
from lic_cli.locate import forgets, spans
from lic_cli.locate.keys import QUOTED
from lic_cli.router.scorer import Scorer
from lic_cli.tasks import Project

CONVERTS = {"qa": "fact", "fact": "qa"}
QUOTED_WORDS = 3  # a quoted piece of a forget turn this long may name the example holding it


def correction_from_turn(rec: dict, before: list[dict]) -> dict | None:
    """A turn detected as a correction whose extraction holds nothing ("Large units went up to
    $195."): the rules' reading of it as a correction of the previous answer (extract/rules/
    corrections.answer_correction: its one new value of a type the answer states, answering the
    question the answer was given to, replacing that answer). None when there is no such value;
    the record then stays as it was."""
    from lic_cli.extract.rules.corrections import answer_correction
    from lic_cli.jsonl import record_id
    from lic_cli.knowledge import make_item

    fields = answer_correction(str(rec.get("text", "")), before)
    if fields is None:
        return None
    item = make_item("qa", fields, source=record_id(rec) or "", engine="rules")
    return _without_empty_error({**rec, "knowledge": [item], "reread": (
        "the turn is a correction (intent) and its extraction held nothing: the rules read its new value "
        "against the previous answer")})


def retyped_correction(rec: dict, before: list[dict]) -> dict | None:
    """A turn detected as a correction whose one extracted qa/fact value is a word of no type
    the replaced value or the previous answer states ("spring" of "We put big dogs up to $80 in
    the spring"): the item with the turn's one new value of such a type instead ("$80"; extract/
    rules/corrections.retyped_value), its key kept, its engine "rules" and why in `reread`. None
    when the value stands or the turn holds no such value, or more than one."""
    from lic_cli.extract.rules.corrections import retyped_value

    knowledge = rec["knowledge"]
    values = [i for i, k in enumerate(knowledge) if isinstance(k, dict) and k.get("kind") in CONVERTS]
    if len(values) != 1:
        return None
    i = values[0]
    item = knowledge[i]
    key = "answer" if item["kind"] == "qa" else "object"
    value = item.get(key)
    if not isinstance(value, str):
        return None
    # the turn's values in digits, as rows write them ("ten in the morning" is "10 am": session 13)
    read = retyped_value(value, str(item.get("replaces") or ""), spans.in_digits(str(rec.get("text", ""))), before)
    if read is None:
        return None
    new, replaces = read
    alt = {**item, key: new, "replaces": replaces, "engine": "rules"}
    alt["statement"] = statement(alt)
    return {**rec, "knowledge": [*knowledge[:i], alt, *knowledge[i + 1:]], "reread": (
        f"the turn is a correction (intent) and its extracted value {value!r} is of no type the replaced value "
        f"or the previous answer states: the rules read its one new value of such a type, {new!r}")}


def _without_empty_error(rec: dict) -> dict:
    """The record without extract's "no knowledge found" error, now that route found knowledge
    in the turn (records with errors are left out of patches)."""
    errors = [e for e in rec.get("errors") or [] if not (isinstance(e, dict) and e.get("stage") == "extract"
                                                          and str(e.get("reason", "")).startswith("no knowledge found"))]
    out = {**rec, "errors": errors}
    if not errors:
        out.pop("errors")
    return out


def forget_from_turn(project: Project, scorer: Scorer, rec: dict, before: list[dict]) -> dict | None:
    """A turn detected as a forget whose extraction holds no forget item (nothing, or only the
    statement said around the request: "The Westfield kiosk closed at the end of the summer -
    take its address off" read as a fact about the kiosk): the rules' forget target read from the
    turn (extract/rules/forget.py, "said around another statement") when it routes. The record
    then carries that forget alone; the other items, the statement the request is said around,
    are kept under `set_aside`. None when no target of the turn routes: the record is left as it
    is."""
    from lic_cli.extract.rules.forget import around_reading
    from lic_cli.jsonl import record_id
    from lic_cli.knowledge import make_item

    text = str(rec.get("text", ""))
    knowledge = rec.get("knowledge") or []
    held = any(isinstance(k, dict) and k.get("kind") == "forget" for k in knowledge)
    around = around_reading(text, before)
    if held and not around:
        return None  # the extracted forget stands (and is re-read if it routes nowhere: run)
    empty = make_item("forget", {"target": ""}, source=record_id(rec) or "", engine="rules")
    found = None
    for target in around:
        item = make_item("forget", {"target": target}, source=record_id(rec) or "", engine="rules")
        routes = _route_item(project, scorer, forgets.with_turn(item, text), 0)
        if routes:
            found = item, routes
            break
    if found is None and held:
        return None
    found = found or reread_forget(project, scorer, empty, 0, text, before)
    if found is None:
        return None
    item, routes = found
    why = ("the turn is a forget (intent); the rules read its target around the statement it is said with"
           if around and item.get("target") in around else
           "the turn is a forget (intent) and its extraction held no forget item")
    out = {**rec, "knowledge": [item], "routes": [{**r, "reason": f"{r['reason']}; {why}"} for r in routes]}
    if rec.get("knowledge"):
        out["set_aside"] = rec["knowledge"]
    return _without_empty_error(out)


def reread_forget(project: Project, scorer: Scorer, item: dict, i: int, text: str,
                  before: list[dict]) -> tuple[dict, list[dict]] | None:
    """A forget whose target routes nowhere ("the" for "Can you delete the wifi question?", "the
    lockout message" without "with the Mill Road address"), re-read from its turn by the rules
    (extract/rules/forget.py: "wifi", "lockout message with the Mill Road address in it", the
    answer "Take that answer out" points at): the first of their targets that routes, as the
    item locate then reads, its engine "rules" and its reason in `reread`."""
    from lic_cli.extract.rules.forget import _forget

    # A quoted piece of the turn first ("... the little girl giving her name and school? The one
    # starting 'Hi it's Ellie Brook'"): the one example holding it names itself (session 13).
    quoted = [f'"{m.group(1).strip()}"' for m in QUOTED.finditer(text) if len(m.group(1).split()) >= QUOTED_WORDS]
    for target in [*quoted, *(fields.get("target", "") for _, fields in _forget(text, before))]:
        if not target or target == item.get("target"):
            continue
        alt = {**item, "target": target, "statement": statement({**item, "target": target}), "engine": "rules"}
        found = _route_item(project, scorer, forgets.with_turn(alt, text), i)
        if found:
            why = f"the extracted target {item.get('target', '')!r} routes nowhere; the rules read {target!r} in the turn"
            return alt, [{**r, "reason": f"{r['reason']}; {why}"} for r in found]
    return None


def forget_only(rec: dict) -> dict:
    """Session 12: a turn detected as a forget whose extraction holds a forget item and also
    facts or QA pairs (the reason, or a statement said beside the request: "Nobody's answered the
    print lab line since May, so take it off your list. The main number still works"): the
    forget items alone, the others kept under `set_aside`. A forget's turn teaches nothing new
    in the trial rounds' gold (every forget turn there holds forget items only); a statement that
    does would be its own teaching turn."""
    knowledge = rec.get("knowledge")
    if not isinstance(knowledge, list):
        return rec
    kept = [k for k in knowledge if isinstance(k, dict) and k.get("kind") == "forget"]
    other = [k for k in knowledge if not (isinstance(k, dict) and k.get("kind") == "forget")]
    if not kept or not other:
        return rec
    return {**rec, "knowledge": kept, "set_aside": other,
            "reread": "the turn is a forget (intent): its other items are what the request is said with, set aside"}


def _route_item(project: Project, scorer: Scorer, item: dict, i: int) -> list[dict]:
    from lic_cli.router import route_item

    return route_item(project, scorer, item, i)
