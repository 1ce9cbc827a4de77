"""locate: for each routed knowledge item, the edit to make in that task's dataset.

Ops: `add` (new; nearest rows as evidence), `update` (same key, different value:
before and after), `delete` (forget), `noop` (already known: same key, or a
paraphrase, with the same value) and `conflict` (a near match too weak to decide;
for a person to resolve). Adds `edits` to each record with routes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lic_cli.errors import RecordError
from lic_cli.extract.schema import validate_item
from lic_cli.locate import answered, factkey, forgets, numbers, spans, sweep
from lic_cli.locate import cross as cross_kind
from lic_cli.locate import index as key_index
from lic_cli.locate.keys import forget_target, item_key_fields, item_own_key, item_value_text
from lic_cli.locate.matcher import Candidate, same_value, search
from lic_cli.records import Context
from lic_cli.store.rows import iter_rows
from lic_cli.tasks import Project, Task

# Decision thresholds on the blended score (see docs/locate.md).
SAME_KEY = 0.86  # at or above: the same row
NEAR = 0.78  # between NEAR and SAME_KEY with a different value: conflict
NEWS = os.environ.get("LIC_NEWS_TARGETS", "1") != "0"  # off switch for answered.news_targets (measuring it alone)
TAUGHT = os.environ.get("LIC_TAUGHT_UPDATE", "1") != "0"  # off switch for taught_update (measuring it alone)
FORGET = 0.86  # a forget target must match this well to delete; NEAR..FORGET is a conflict
PARAPHRASE = 0.60  # a candidate this close carrying the very same value is the row (already known)
FIELD_SAME = 0.90  # multi-column keys (subject + relation): each column must match this well to be the same key
SAME_TEXT = 95  # label tasks: rapidfuzz ratio at or above which two texts are the same example
TOP_K = 5


def run(records: Iterable[dict], *, project: Project, encoder, top_k: int = TOP_K) -> Iterator[dict]:
    context = Context()  # every turn passes through: the assistant turn before a correction is here
    for rec in records:
        before = context.before(rec)
        context.add(rec)
        routes = rec.get("routes")
        if not routes:
            yield rec
            continue
        knowledge = rec.get("knowledge")
        if not isinstance(routes, list):
            raise RecordError("expected a list of routes", record=rec, field="routes")
        if not isinstance(knowledge, list):
            raise RecordError("routes without a knowledge list: run 'lic extract' first", record=rec,
                              field="knowledge")
        checked = [_check_route(rec, route, i, knowledge, project) for i, route in enumerate(routes)]
        yield {**rec, "edits": locate_record(project, rec, checked, knowledge, encoder, top_k,
                                             answered.prior(before))}


def locate_record(project: Project, rec: dict, routes: list[tuple[int, Task]], knowledge: list, encoder,
                  top_k: int, prev: answered.Prior | None = None) -> list[dict]:
    """The edits of one record: one per route, then the rows a correction's answer came from
    in tasks it was not routed to, then the stale-value sweep."""
    prev = prev or answered.Prior()
    edits: list[dict] = []
    facts: dict[int, Correction] = {}
    for item_no, task in routes:
        item = forgets.with_turn(knowledge[item_no], str(rec.get("text", "")))
        if item_no not in facts:
            facts[item_no] = correction(project, rec, item, prev, [t for n, t in routes if n == item_no])
        edits.append(locate_item(project, task, item, item_no, encoder, top_k, facts[item_no]))
    done = {(e["task"], str(e["row"])) for e in edits if e.get("row") is not None}
    for item_no, corr in facts.items():
        item = knowledge[item_no]
        for target in corr.targets:
            if (target.task.name, target.row_id) in done:
                continue
            edit = {"item": item_no, "task": target.task.name}
            _update_value(edit, target.task, item, corr, target.row_id, target.row, target.score, target.signal)
            edit["reason"] = f"the previous answer came from this row ({target.signal}); " + edit.get("reason", "")
            done.add((target.task.name, target.row_id))
            edits.append(edit)
    for e in edits:
        if str(e.get("signal", "")).startswith("taught_") and e.get("op") == "update" and not e.get("review"):
            # Taught, not said as a correction: held out (rounds 11-12, 60 turns), 3 of the 9 rows a taught
            # value met were the ones it replaces ("we now also run a Wednesday session" met Saturday's).
            # Proposed, never written silently: a person chooses update or add (lic resolve).
            e["review"] = "taught"
            e["reason"] = ("a taught value (not said as a correction) meets this stored row's: update it or add "
                           "beside it, for a person to decide; " + e.get("reason", ""))
    swept = sweep.sweep(project, sweep_changes(project, edits, knowledge, str(rec.get("text", ""))), done)
    for s in swept + sweep.forget_sweep(project, edits, done):
        s["item"] = next(e["item"] for e in edits if e["task"] == s["sweep"]["from"]["task"]
                         and str(e["row"]) == s["sweep"]["from"]["row"])
        edits.append(s)
    return edits


def sweep_changes(project: Project, edits: list[dict], knowledge: list, said: str = "") -> list[sweep.Change]:
    """The typed values the record's updates replaced: what the stale-value sweep looks for."""
    changes = []
    for e in edits:
        rw = e.get("rewrite")
        if e.get("op") == "update" and rw and (rw.get("kind") in spans.TYPES or rw.get("kind") == "count") \
                and e.get("review") in (None, "", "taught"):  # a taught update's sweep is proposed with it
            item = knowledge[e["item"]]
            old = spans.Span(rw["kind"], 0, len(rw["old"]), rw["old"], spans.unit(rw["old"]) if rw["kind"] == "quantity" else "")
            changes.append(sweep.Change(e["task"], str(e["row"]), old, rw["new"],
                                        **sweep.anchor(item, project.task(e["task"]), e["before"], rw["old"],
                                                       rw["new"], said)))
    return changes


def _check_route(rec: dict, route: Any, i: int, knowledge: list, project: Project) -> tuple[int, Task]:
    """Routes may have been edited by hand between stages: check them before trusting them."""
    field = f"routes[{i}]"
    if not isinstance(route, dict):
        raise RecordError("expected an object with 'item' and 'task'", record=rec, field=field)
    item_no = route.get("item")
    if not isinstance(item_no, int) or isinstance(item_no, bool) or not 0 <= item_no < len(knowledge):
        raise RecordError(f"no knowledge item {item_no!r} (the record has {len(knowledge)})",
                          record=rec, field=f"{field}.item")
    validate_item(knowledge[item_no], index=item_no, record=rec)
    name = route.get("task")
    if not isinstance(name, str) or name not in project.tasks:
        raise RecordError(f"unknown task {name!r} (tasks: {', '.join(project.tasks)})", record=rec,
                          field=f"{field}.task")
    return item_no, project.tasks[name]


def _evidence(index, cands: list[Candidate]) -> list[dict[str, Any]]:
    return [{"row": index.ids[c.i], "key": index.keys[c.i], "value": index.value(c.i),
             "fuzz": c.fuzz, "sim": c.sim, "score": c.score} for c in cands]


@dataclass
class Correction:
    """What a correction replaces, worked out once per knowledge item."""

    is_correction: bool = False
    new: str = ""  # the new value (qa answer, fact object)
    core: spans.Span | None = None  # its typed core
    old: spans.Span | None = None  # the value it replaces, when it can be told
    hint: str = ""  # words saying what the value is about (question, turn text)
    replaces: str = ""  # the replaced words as the correction gave them, when a fragment (spans.align)
    targets: list[answered.Target] = field(default_factory=list)  # rows the corrected answer came from


def correction(project: Project, rec: dict, item: dict, prev: answered.Prior, routed: list[Task]) -> Correction:
    kind = item.get("kind")
    if kind not in ("qa", "fact"):
        return Correction()
    said = str(rec.get("text", ""))
    new = str(item.get("answer" if kind == "qa" else "object", ""))
    key = str(item.get("question", "")) if kind == "qa" else f"{item.get('subject', '')} {item.get('relation', '')}"
    # What the value is about: the question, and the turn's words that state it (not those
    # about what stays: "Adults are $45 now. The junior price hasn't moved.").
    hint = f"{key} {spans.stating(said, new)}"
    label = (rec.get("intent") or {}).get("label") if isinstance(rec.get("intent"), dict) else None
    replaces = str(item.get("replaces") or "")
    moved = None if replaces else went_from_to(new, said)
    if moved is not None:  # "the family ticket went from $34 to $38": $38 replaces $34
        replaces, new = moved
    corr = Correction(is_correction=bool(replaces) or label == "correct", new=new, core=spans.core(new), hint=hint)
    if corr.is_correction:
        _read_new_value(corr, said, f"{replaces} {prev.answer}")
    fragment = bool(replaces) and not spans.is_sentence(replaces)
    if fragment:
        corr.replaces = replaces
    if corr.is_correction and (corr.core is None or corr.core.kind == "number"):
        retyped = bare_retyped(corr.new, replaces if fragment else "", said,
                               replaces if replaces and not fragment else prev.answer)
        if retyped is not None:
            corr.new, corr.core, corr.old = retyped
            return _targets(project, rec, item, prev, routed, corr, key, replaces, fragment)
    if corr.core is not None:
        corr.old = old_value(replaces, prev.answer, corr.core, hint, said)
    if not corr.is_correction:
        return taught_update(project, rec, kind, key, prev, routed, corr) if TAUGHT else corr
    return _targets(project, rec, item, prev, routed, corr, key, replaces, fragment)


def _targets(project: Project, rec: dict, item: dict, prev: answered.Prior, routed: list[Task], corr: Correction,
             key: str, replaces: str, fragment: bool) -> Correction:
    """The rows a correction's answer came from (answered.py's signals, in order)."""
    kind = item.get("kind")
    if prev.rows:
        corr.targets = answered.recorded_targets(project, prev)
    if not corr.targets:
        # The previous answer is the row's own words; a fragment of it only points into it.
        said = prev.answer if fragment and prev.answer else replaces or prev.answer
        signal = "replaces" if replaces and said == replaces else "previous_answer"
        for task in routed:
            if task.format in ("qa", "fact"):
                corr.targets += answered.value_targets(project, task, answer=said, old=corr.old,
                                                       question=prev.question or key, signal=signal)
    if not corr.targets and not prev.answer and corr.core is not None and NEWS:
        # said as news, with no answer before it: the row stating such a value that the turn names (session 12)
        old = corr.old if corr.old is not None and spans.compatible(corr.old, corr.core) else None
        if old is None and corr.core.kind == "money" and replaces and not spans.is_sentence(replaces):
            # "fifteen didn't cover it": the replaced price said as a bare number, in words or digits
            n = numbers.bare_number(replaces) if not replaces.strip().isdigit() else int(replaces.strip())
            money = numbers.money_like(n, [corr.core.text]) if n is not None else None
            old = spans.core(money) if money else None
        for task in routed:
            if task.format == kind:
                corr.targets += answered.news_targets(project, task, said=str(rec.get("text", "")), new=corr.core,
                                                      old=old, key=key)
    return corr


_NOT_NUMBER = re.compile(r"\b(?:not|instead of|rather than|from|was|were|used to be)\s+([a-z]+(?:-[a-z]+)?|\d+)\b", re.I)


def bare_retyped(new: str, replaces: str, said: str, answer: str) -> tuple[str, spans.Span, spans.Span] | None:
    """Session 14: a bare number replacing a bare number ("We shut at ten in summer now, not nine"):
    the one typed value of the corrected answer (a time, a price, a quantity) whose number is the
    replaced one, written with the new number ("9 pm" -> "10 pm"). (new value, its core, the old
    span), or None when the numbers are not bare or the answer has no such value or several."""
    def bare(text: str) -> int | None:
        t = text.strip()
        return int(t) if t.isdigit() else numbers.bare_number(t)

    n = bare(new)
    olds = [bare(replaces)] if replaces else [bare(m.group(1)) for m in _NOT_NUMBER.finditer(said)]
    olds = [o for o in olds if o is not None and o != n]
    if n is None or len(set(olds)) != 1 or not answer:
        return None
    hits: list[spans.Span] = []
    for kind in ("time", "money", "quantity"):  # "9 pm" reads as a quantity too: the first type wins
        hits += [sp for sp in spans.spans(answer, kind) if _leading_number(sp.text) == str(olds[0])
                 and not any(h.start < sp.end and sp.start < h.end for h in hits)]
    if len(hits) != 1:
        return None
    old = hits[0]
    m = re.search(r"\d+", old.text)
    text = old.text[:m.start()] + str(n) + old.text[m.end():]
    core = spans.core(text)
    return (text, core, old) if core is not None and spans.compatible(core, old) else None


def _read_new_value(corr: Correction, said: str, around: str) -> None:
    """A correction's new value as the rows would write it."""
    # A piece of a name the user gave whole ("Sam" of "Sam Rivera took over") is the whole name.
    corr.new = spans.widen_value(corr.new, said)
    corr.core = spans.core(corr.new)
    digits = spans.in_digits(corr.new) if corr.core is None else corr.new
    if digits != corr.new and spans.core(digits) is not None:
        # "fifteen dollars" replaces "$14" as "$15": rows write values with digits.
        corr.new, corr.core = digits, spans.core(digits)
    elif corr.core is None:
        corr.new, corr.core = _money_in_words(corr.new, around)


def taught_update(project: Project, rec: dict, kind: str, key: str, prev: answered.Prior, routed: list[Task],
                  corr: Correction) -> Correction:
    """Session 14: a taught (not corrected) value that meets a stored one is an update, whatever the
    detector called the turn (mem0's add/update decision, by the rows' values). The rows are found
    as a correction's are: the stored row the previous answer repeats, when there was one; else the
    one row whose clause and key the turn's sentence names, stating a value of the new value's type
    (answered.news_targets). Found, the item is read as a correction (span rewrite, sweep); none,
    it stays taught knowledge (add, or an update by key)."""
    if corr.core is None or corr.core.kind in STRONG_TYPES:
        # A place keeps many phone numbers, addresses and links (the fax, the after-hours line, the
        # workroom): a taught one is another, unless said to replace one (a correction).
        return corr
    said = str(rec.get("text", ""))
    if any(_states(project, task, corr.core) for task in routed if task.format == kind):
        # The value is stored already ("Adult tickets are still $16"): the key decides (a noop, or an
        # add); another row of its type ("child ticket price: $9") is not what it replaces.
        return corr
    old = corr.old if corr.old is not None and spans.compatible(corr.old, corr.core) else None
    targets: list[answered.Target] = []
    for task in routed:
        if prev.answer and task.format in ("qa", "fact"):
            targets += answered.value_targets(project, task, answer=prev.answer, old=old,
                                              question=prev.question or key, signal="previous_answer")
        elif not prev.answer and task.format == kind:
            targets += answered.news_targets(project, task, said=said, new=corr.core, old=old, key=key)
    if kind == "qa":
        # A question names what it asks about: every one of its words is in the row's question or in
        # the clause stating the value ("Do you wash motorbikes?" is not the exterior wash's row).
        asked = spans.content_words(key) - spans.content_words(corr.new)
        targets = [t for t in targets if asked and asked <= _row_words(t.task, t.row, corr.core)]
    if not targets:
        return corr
    for t in targets:
        t.signal = f"taught_{t.signal}"  # evidence: a taught value met this stored row
    corr.is_correction, corr.targets = True, targets
    core = corr.core
    _read_new_value(corr, said, prev.answer)
    if corr.core is not None and corr.core != core:
        corr.old = old_value("", prev.answer, corr.core, corr.hint, said)
    return corr


# Verbs that say a value changed, right before "from X to Y" (a range, "open from 10 am to 9 pm",
# has none): English grammar, no domain's words.
_CHANGED = re.compile(r"\b(?:went|gone|goes|go|rose|risen|rises|dropped|drops|fell|fallen|falls|increased|increases|"
                      r"decreased|decreases|reduced|raised|changed|changes|moved|moves|cut|put|jumped|climbed|"
                      r"slipped)(?:\s+(?:up|down|back))?\s+from\s+", re.I)


def went_from_to(value: str, said: str) -> tuple[str, str] | None:
    """A value read as "X to Y" (two values of one type) that the turn says went from X to Y:
    (X, Y), the replaced value and the new one; None otherwise."""
    m = re.fullmatch(r"\s*(?:from\s+)?(.+?)\s+to\s+(.+?)\s*", value, re.I)
    if not m:
        return None
    old, new = m.group(1), m.group(2)
    oc, nc = spans.core(old), spans.core(new)
    if oc is None or nc is None or not spans.compatible(oc, nc) or spans.same(oc, nc):
        return None
    for c in _CHANGED.finditer(said):
        if said[c.end():].lower().startswith(f"{old} to {new}".lower()):
            return old, new
    return None


def _states(project: Project, task: Task, value: spans.Span) -> bool:
    """Some row of `task` states this very value."""
    return any(any(spans.same(s, value) for s in spans.spans(str(row.get(_value_column(task), "")), value.kind))
               for _, _, row in iter_rows(task, project.dataset_path(task)))


def _row_words(task: Task, row: dict, new: spans.Span) -> set[str]:
    """The words of a row's key and of the clauses of its value stating a value of `new`'s type."""
    value = str(row.get(_value_column(task), ""))
    words = spans.content_words(" ".join(str(row.get(task.column(f), "")) for f in task.key_fields))
    for s in spans.spans(value, new.kind):
        words |= spans.content_words(spans.clause(value, s))
    return words


def _money_in_words(new: str, answer: str) -> tuple[str, spans.Span | None]:
    """Session 12: a correction whose value is one number in words and nothing else ("half days
    are *fourteen hundred* now") of an answer stating prices and no clock time: a price, written
    as the answer writes its prices ("$1,400" beside "$2,400"). Otherwise the value as it is."""
    n = numbers.bare_number(new)
    amounts = [x.text for x in spans.spans(answer, "money")]
    if n is None or not amounts or spans.spans(answer, "time"):
        return new, None
    money = numbers.money_like(n, amounts)
    core = spans.core(money) if money else None
    return (money, core) if money and core is not None else (new, None)


def old_value(replaces: str, previous: str, new: spans.Span, hint: str, said: str) -> spans.Span | None:
    """The typed value a correction replaces.

    `replaces` as a sentence (the answer corrected): its span of the new value's type that the
    hint is about. As a fragment: its typed core, when that is of the new value's type and the
    user named it, or there is no previous answer to read; otherwise the previous answer's span
    the hint points to wins (a fragment an extractor copied from the answer may be the wrong
    one of two prices), then the fragment. A fragment of another type ("24 hours" for "$50")
    says nothing about the replaced value. First of all, a value of the new one's type that the
    user names in the turn and the corrected answer states ("It's 11 pm now, not 10 pm") is it."""
    answer = replaces if spans.is_sentence(replaces) else previous
    # A value the turn says stays ("Juniors are still $5.50") is named, but is not the old one.
    keep = spans.said_to_stay(said, new)
    staying = spans.named_to_stay(said, new)
    named = [s for s in spans.spans(said, new.kind) if spans.compatible(s, new) and not spans.same(s, new)
             and answer and spans.contains(answer, s) and not any(spans.same_kept(s, k) for k in keep)]
    if len(named) == 1:
        return named[0]
    if not named and answer:
        # "we shut at 1 pm on Saturdays now, not 2": a bare number the user calls old is the one
        # value of the answer with that number.
        bare = set(_BARE_OLD.findall(said))
        hits = [s for s in spans.spans(answer, new.kind) if spans.compatible(s, new) and not spans.same(s, new)
                and _leading_number(s.text) in bare]
        if len(hits) == 1:
            return hits[0]
    if replaces and not spans.is_sentence(replaces):
        oc = spans.core(replaces)
        if oc is not None and spans.compatible(oc, new) and not spans.same(oc, new):
            if (spans.contains(said, oc) and not any(spans.same_kept(oc, k) for k in keep)) or not previous:
                return oc
            return spans.old_value(previous, new, hint, keep, staying, said) or oc
        return spans.old_value(previous, new, hint, keep, staying, said) if previous else None
    return spans.old_value(replaces or previous, new, hint, keep, staying, said)


_BARE_OLD = re.compile(r"\b(?:not|instead of|rather than|from|was|were|used to be)\s+(\d+(?::\d\d)?)(?![\w:%$]|[.,]\d)", re.I)


def _leading_number(text: str) -> str:
    m = re.search(r"\d+(?::\d\d)?", text)
    return m.group(0) if m else ""


def _value_column(task: Task) -> str:
    return task.column(task.value_fields[0])


def _update_value(edit: dict, task: Task, item: dict, corr: Correction, row_id: str, before: dict,
                  score: float, signal: str) -> None:
    """An update of `before`'s value in the dataset's own words, a noop when it already states
    the new value, or a rewrite for review when no span can be found."""
    col = _value_column(task)
    stored = str(before.get(col, ""))
    new = corr.new or str(item.get("answer" if item.get("kind") == "qa" else "object", ""))
    nc = corr.core or spans.core(new)
    edit.update(row=row_id, score=round(float(score), 4), before=before, signal=signal)
    # A correction's value is its typed core ("$450 per month since January" says $450); taught
    # knowledge that is not a correction is compared and written as it is.
    already = (corr.is_correction and nc is not None and spans.contains(stored, nc)
               and (corr.old is None or not spans.contains(stored, corr.old)))
    if already or same_value(stored, new):
        edit.update(op="noop", after=None, reason="the row already states the new value")
        return
    if not corr.is_correction and not (spans.is_sentence(stored) and not spans.is_sentence(new)):
        edit.update(op="update", after={**before, col: new})  # a whole value for a whole value
        oc, ncore = spans.core(stored), spans.core(new)
        if (oc is not None and ncore is not None and not spans.is_sentence(stored) and spans.compatible(oc, ncore)
                and not spans.same(oc, ncore)):
            # Session 11: taught, not said as a correction ("the express surcharge has been $20 since
            # ..."), but it replaces a stored value of its type: the stale-value sweep looks for it too
            edit["rewrite"] = {"old": oc.text, "new": ncore.text, "kind": oc.kind}
        return
    rw = spans.rewrite(stored, new, old=corr.old.text if corr.old else None, hint=corr.hint,
                       replaces=corr.replaces or None)
    if rw is not None and rw.kind == "whole" and item.get("kind") != task.format:
        rw = None  # another kind's row (a fact's object from a QA answer) takes a typed value only
    if rw is None:
        edit.update(op="update", after={**before, col: new}, review="rewrite",
                    reason=f"no span of the stored value {stored!r} matches {new!r}: a rewrite for a person to "
                           "review (not applied until resolved)")
        return
    edit.update(op="update", after={**before, col: rw.text},
                rewrite={"old": rw.old, "new": rw.new, "kind": rw.kind})
    unsaid = replaced_elsewhere(rw, corr.replaces or str(item.get("replaces") or ""))
    if unsaid:
        edit.update(review="rewrite", reason=f"{unsaid}: a rewrite for a person to review (not applied until resolved)")


def replaced_elsewhere(rw: spans.Rewrite, replaces: str) -> str:
    """Session 11: a count rewrite (a number said around other words, spans.count_rewrite) where
    the correction names what it replaces and the count found is another ("4" named, "24 lanes"
    found; or a typed value named, "$12"). Such a rewrite is not applied silently (a turn read as a
    correction that is not one, "we'll probably want five lanes", must not write "5 lanes"); ''
    when it agrees, or when the rewrite is not a count's."""
    if not replaces or spans.is_sentence(replaces) or rw.kind == "whole":
        return ""
    named = spans.core(replaces)
    if rw.kind == "count":
        number = spans.number_of(replaces.strip())
        if (named is not None and named.kind not in ("number", "count")) or (number and number != spans.number_of(rw.old)):
            return f"the count {rw.old!r} found is not {replaces!r}, the value the correction says it replaces"
        return ""
    # A fragment of another type says nothing about the replaced value ("less than 24 hours" beside
    # the "$40" late fee corrected; rounds 1-3 of the trial): only counts are checked.
    return ""


def locate_item(project: Project, task: Task, item: dict, item_no: int, encoder, top_k: int,
                corr: Correction | None = None) -> dict:
    if task.format in ("text", "span") and item.get("kind") != "forget":
        from lic_cli.locate import notes  # notes by meaning, spans by sentence

        return notes.locate(project, task, item, item_no, encoder, top_k)
    corr = corr or Correction()
    index = key_index.load(project, task, encoder)
    kind = item.get("kind")
    item, refit_why = factkey.refit(task, item, index)  # a fact's key in the task's own words
    cross = kind in ("qa", "fact") and task.format in ("qa", "fact") and kind != task.format
    query = (item_own_key(item),) if cross else item_key_fields(task, item)
    cands = search(index, query, k=top_k)
    best = cands[0] if cands else None
    edit: dict[str, Any] = {"item": item_no, "task": task.name}
    mine = [t for t in corr.targets if t.task.name == task.name]
    if kind == "forget":
        _forget(edit, index, item, cands, task)
    elif kind == "label":
        _label(edit, index, item, cands, task)
    elif mine:
        # A correction of an answer: the row it came from, whatever the user's wording.
        t = mine[0]
        _update_value(edit, task, item, corr, t.row_id, t.row, t.score, t.signal)
    elif cross:
        found = cross_kind.find(project, index, task, item, encoder)
        said = str(item.get("answer" if kind == "qa" else "object", ""))
        if found is not None and not corr.is_correction and (  # the answer states the fact's object, or the reverse
                cross_kind.states(said, index.value(found[0].i)) if kind == "qa"
                else cross_kind.states(index.value(found[0].i), said)):
            c, why = found  # taught knowledge the other kind's row already states: nothing to write
            edit.update(op="noop", row=index.ids[c.i], score=c.score, before=index.row(c.i), after=None, signal="key",
                        reason=f"{kind}→{task.format}: {why}; the row already states this value")
        elif found is not None:
            c, why = found
            _update_value(edit, task, item, corr, index.ids[c.i], index.row(c.i), c.score, "key")
            if edit["op"] == "update" and not edit.get("review") and (not corr.is_correction or (
                    not edit.get("rewrite") and spans.is_sentence(str(item.get("answer", "")))
                    and not spans.is_sentence(str((edit.get("before") or {}).get(_value_column(task), ""))))):
                # Taught (not corrected) knowledge that differs from another kind's row, or a whole
                # answer for a fact's object: a person decides (lic resolve).
                edit.update(review="rewrite")
            edit["reason"] = (f"{kind}→{task.format}: {why}; its value is rewritten in its own words"
                              + (f" ({edit['reason']})" if edit.get("reason") else ""))
        else:
            edit.update(op="noop", row=None, score=best.score if best else 0.0, before=None, after=None,
                        signal="key", reason=f"{kind}→{task.format}: no row of this task holds this knowledge")
    else:
        after_fields = task.to_row(item)
        value = item_value_text(task, item)
        # A qa answer or a fact object is specific, so a paraphrased key carrying the very same value is known.
        known = next((c for c in cands if c.score >= PARAPHRASE and same_value(index.value(c.i), value)), None)
        # "Kestrel / founded by" is not "Kestrel / founded in": close embeddings, different key.
        same_key = best is not None and best.score >= SAME_KEY and (len(task.key_fields) == 1 or best.fuzz >= FIELD_SAME)
        # An e-mail address is not a street "address": a fact whose value is of a type the
        # stored value has none of, while that holds a value of its own type, is another fact.
        apart = (best is not None and task.format == "fact" and known is None
                 and typed_apart(index.value(best.i), value))
        if apart:
            same_key = False
        if known is not None:
            edit.update(op="noop", row=index.ids[known.i], score=known.score, before=index.row(known.i), after=None,
                        signal="key", reason="already known" if known is best and same_key else
                        "a paraphrase with the same value is already known")
        elif same_key:
            _update_value(edit, task, item, corr, index.ids[best.i], index.row(best.i), best.score, "key")
        elif (best is not None and not apart and best.score >= NEAR
              and (len(task.key_fields) == 1 or best.fuzz >= FIELD_SAME)):
            edit.update(op="conflict", row=index.ids[best.i], score=best.score, before=index.row(best.i),
                        after=after_fields, signal="key", reason="close to an existing row with a different value")
        else:
            edit.update(op="add", row=None, score=best.score if best else 0.0, before=None,
                        after={**after_fields, task.split_column: task.default_split}, signal="key",
                        position={"at": "end", "split": task.default_split, "rows": len(index)})
            if apart:
                edit["reason"] = (f"a new fact: its value {value!r} is of a type the closest row's value "
                                  f"{index.value(best.i)!r} is not")
    edit["candidates"] = _evidence(index, cands)
    if refit_why:
        edit["reason"] = refit_why + (f"; {edit['reason']}" if edit.get("reason") else "")
    return edit


STRONG_TYPES = ("email", "url", "phone")  # types that say what a value is, whatever the relation's name


APART_TYPES = ("money", "time", "date", "name")  # session 11: a value of one of these is no value of another


def typed_apart(stored: str, new: str) -> bool:
    """`new` is an e-mail, URL or phone number and `stored` holds none of that type but a typed
    value of its own ("40 River Road"): not the same fact, whatever the key says. Likewise a
    time, a price, a date or a name for a stored value that is wholly another of these ("3 pm"
    for the shop manager "Carys Bevan")."""
    nc = spans.core(new)
    if nc is None or not stored.strip():
        return False
    if nc.kind in STRONG_TYPES:
        return not spans.spans(stored, nc.kind) and spans.core(stored) is not None
    sc = spans.core(stored)
    return (nc.kind in APART_TYPES and sc is not None and sc.kind in APART_TYPES and sc.kind != nc.kind
            and not spans.spans(stored, nc.kind) and not spans.is_sentence(stored))


def _forget(edit: dict, index, item: dict, cands: list[Candidate], task: Task) -> None:
    target = forget_target(item)
    best = cands[0] if cands else None
    if forgets.TURN in item:  # the target names nothing ("the", "that question"): the turn, by meaning only
        found = forgets.turn_row(index, task, item)
        if found is None:
            edit.update(op="noop", row=None, score=0.0, before=None, after=None, signal="meaning",
                        reason=f"the forget target {target!r} names no row, and the turn means no one row")
            return
        i, signal, why = found
        edit.update(op="conflict", row=index.ids[i], score=next((c.score for c in cands if c.i == i), 0.0),
                    before=index.row(i), after=None, signal=signal, reason=why + forgets.MEANING_HELD)
        return
    named = forgets.named_or_meant(index, task, target, target != str(item.get("target", "")), cands)
    if named is not None and named[1] == "meaning" and (best is None or best.score < FORGET):
        # by meaning alone a forget is a proposal for a person (lic resolve), never a delete
        i, signal, why = named
        edit.update(op="conflict", row=index.ids[i], score=next((c.score for c in cands if c.i == i), 0.0),
                    before=index.row(i), after=None, signal=signal, reason=why + forgets.MEANING_HELD)
    elif named is not None and (named[1] != "key" or best is None or best.score < FORGET):
        i, signal, why = named
        score = next((c.score for c in cands if c.i == i), 1.0 if signal == "text" else 0.0)
        edit.update(op="delete", row=index.ids[i], score=score, before=index.row(i), after=None,
                    signal=signal, reason=why)
    elif best is not None and best.score >= FORGET:
        edit.update(op="delete", row=index.ids[best.i], score=best.score, before=index.row(best.i), after=None,
                    signal="key")
    elif best is not None and best.score >= NEAR:
        edit.update(op="conflict", row=index.ids[best.i], score=best.score, before=index.row(best.i),
                    after=None, signal="key", reason="the closest row is not a sure match for the forget target")
    else:
        edit.update(op="noop", row=None, score=best.score if best else 0.0, before=None, after=None, signal="key",
                    reason="nothing in this task matches the forget target")
    kind = forgets.value_kind(target)
    if edit.get("op") in ("delete", "conflict") and kind and task.format in ("qa", "fact") \
            and edit.get("signal") not in ("text", "previous_answer") \
            and not forgets.states_kind(_row_value(task, edit.get("before")), kind):
        # "the print lab line" names a row holding a phone number, not the FAQ row about prints (session 12)
        edit.update(op="noop", row=None, before=None, after=None,
                    reason=f"the forget target {target!r} names a {kind} and the closest row "
                           f"({edit.get('signal')}) states none")


def _row_value(task: Task, row) -> str:
    return str(row.get(_value_column(task), "")) if isinstance(row, dict) else ""


def _exact(index, text: str) -> int | None:
    """The row whose key is this text (after normalization, or a near-verbatim copy)."""
    return forgets.exact_text(index, text)


def _label(edit: dict, index, item: dict, cands: list[Candidate], task: Task) -> None:
    """Label tasks: more examples are the point of a classifier's data. The same text with its
    label is known, the same text with a new label is an update, anything else an add."""
    exact = _exact(index, str(item.get("text", "")))
    label_col = task.column("label")
    if exact is not None:
        before = index.row(exact)
        if str(before.get(label_col)) == str(item.get("label")):
            edit.update(op="noop", row=index.ids[exact], score=1.0, before=before, after=None, signal="text",
                        reason="already known: the same text with the same label")
        else:
            edit.update(op="update", row=index.ids[exact], score=1.0, before=before,
                        after={**before, label_col: item.get("label")}, signal="text",
                        reason="the same text with a new label")
        return
    best = cands[0] if cands else None
    edit.update(op="add", row=None, score=best.score if best else 0.0, before=None,
                after={**task.to_row(item), task.split_column: task.default_split}, signal="text",
                position={"at": "end", "split": task.default_split, "rows": len(index)},
                reason="a new example" + (f" (nearest: {index.keys[best.i]!r}, {best.score:.2f})" if best else ""))
