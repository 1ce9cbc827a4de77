"""The stale-value sweep: after an update replaces a value, find every row, in every task that
stores knowledge, that still states the replaced value about the same subject, and propose
its update in the same record (and so the same patch set), marked for review.

A row is proposed when (1) its value states the old value as a span of the same type (the
price "$110", the quantity "21 days", the name "Linda Park"; see spans.py), and (2) it is
about the same subject, judged on the words around that span, not on the whole row:

* a QA row: its question, or the clause of its answer that holds the span (widened to the
  neighbouring clauses when the span stands alone there, as in "…the IT manager, Priya
  Nair."), shares a word with the corrected knowledge's key (its question or relation, and
  the corrected row's key); or that clause shares a word with the qualifier after the
  corrected span ("within 14 days *of delivery*"), or two words with the corrected clause
  ("Ana Silva, our *head mechanic*, fixes…" ~ "Our *head mechanic* is Ana Silva.");
* a fact row: its relation is named by the corrected knowledge: every word of it is among
  the corrected key and the corrected value's clause, or two of them are ("price match window" is not the
  "refund window"; "checked bag weight limit" is the checked bag's).

Words that say nothing about the subject never count: stop words, the values themselves
(old and new, "per night" included), the name most facts share (a facts task's subject
column) and, in datasets of 12 rows or more, words in half of the task's keys. The rewrite
replaces just the span, so each row keeps its own words. Swept edits carry
`review: "sweep"`: `lic apply` holds them until `--sweep` or `lic resolve` accepts them
(docs/locate.md).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lic_cli.locate import spans
from lic_cli.locate.keys import row_key_text, row_value_text
from lic_cli.store.rows import iter_rows
from lic_cli.tasks import Project, Task

SWEPT = ("qa", "fact")  # label tasks hold examples, not statements of knowledge
COMMON_KEY_WORD = 0.5  # a word in at least this share of a task's keys (or fact subjects) says nothing about the subject
COMMON_MIN_ROWS = 12  # ...counted over keys only in datasets this large (a small dataset's topic is in half its keys;
# session 14: 20 -> 12, "class" in 11 of a cookery school's 18 questions named every class as the corrected one)
FACT_SHARED = 2  # a fact relation sharing this many words with the corrected knowledge names it
QUALIFIER_WORDS = 3  # the qualifier after a corrected span: at most this many words right after it
CLAUSE_SHARED = 2  # a QA clause sharing this many words with the corrected clause is about the same thing


@dataclass(frozen=True)
class Change:
    """A value replaced by an update: what the sweep looks for, and the words it is about."""

    task: str
    row: str
    old: spans.Span
    new: str  # the replacement text of the typed core
    key: frozenset[str]  # content words of the corrected knowledge's key (question / relation, the row's key)
    context: frozenset[str] = frozenset()  # the qualifier after the old span in the corrected value's clause
    clause: frozenset[str] = frozenset()  # the whole clause of the corrected value around the old span
    value: frozenset[str] = frozenset()  # words of the values themselves ("per night"): never evidence
    said: frozenset[str] = frozenset()  # the correcting turn's own words ("her *rate* went up to $60/hour")
    kept: frozenset[str] = frozenset()  # what the turn says stays ("e-bike tune-ups stay at $60": e, bike)
    verbs: frozenset[str] = frozenset()  # the verbs the corrected knowledge's questions ask with ("sell")

    @property
    def about(self) -> frozenset[str]:
        return self.key | self.context

    @property
    def needle(self) -> str:
        """A substring every value stating the old value contains (its digits, or its text)."""
        digits = re.findall(r"\d+", self.old.text.replace(",", ""))
        return max(digits, key=len) if digits else self.old.text.lower()


def anchor(item: dict[str, Any], task: Task, row: dict[str, Any], old: str = "", new: str = "",
           said: str = "") -> dict[str, frozenset[str]]:
    """What the corrected knowledge is about: `key` (the item's question or relation, the
    corrected row's own key: a fact row's relation only, its subject is shared by every row),
    `context` (the qualifier after the replaced span in its clause: "…within 14 days of
    delivery", not the verb before it, "can weigh up to"), `clause` (that whole clause: "A
    *monthly* membership is $45" names the fact "monthly membership price") and `value` (words of the old and new values)."""
    key: set[str] = set()
    if item.get("kind") == "fact":
        key |= spans.content_words(str(item.get("relation", "")))
    else:
        key |= spans.content_words(str(item.get("question", "")))
    if task.format == "fact":
        key |= spans.content_words(str(row.get(task.column("relation"), "")))
    else:
        key |= spans.content_words(row_key_text(task, row))
    value = spans.content_words(old) | spans.content_words(new)
    answer = str(item.get("answer" if item.get("kind") == "qa" else "object", ""))
    if old and spans.core(old) is None and spans.number_of(old):
        # a count ("six" of "up to six berths"): what it counts ("eight liveaboard *berths*") is the
        # subject a fact names ("liveaboard berths"), not a word of the value
        answer = spans.number_of(answer) and " ".join(w for w in answer.split() if spans.number_of(w))
    value |= spans.content_words(answer)
    text = row_value_text(task, row)
    at = text.find(old) if old else -1
    oc = spans.core(old) if old else None
    if at >= 0 and oc is not None and oc.kind == "money":
        # a price's rate is part of the value ("$140 *per metre*", "$9.50 *a bag*"), not its subject:
        # "$140 for masts up to 15 metres" is not about the mooring's "$140 per metre"
        rate = _RATE.match(text[at + len(old):])
        value |= spans.content_words(rate.group(0)) if rate else set()
    context, clause = set(), set()
    if at >= 0:  # the qualifier after the span, in its clause: "…14 days *of delivery*", "48 hours *before pickup*"
        around = spans.clause(text, spans.Span("", at, at + len(old), old))
        tail = around[around.find(old) + len(old):] if old in around else ""
        # the qualifier is what comes right after the value ("14 days *of delivery*", "48 hours
        # *before the performance*"), not a place named later in the clause ("3 pm at the
        # Coastal Zone *pool*" is not about the ray pool's "3 pm"): session 11
        tail = " ".join(tail.split()[:QUALIFIER_WORDS])
        context = spans.content_words(tail) - value
        clause = spans.content_words(around) - value
        clause |= local_words(text, spans.Span(spans.core(old).kind if spans.core(old) else "", at, at + len(old), old),
                              value)
    nc = spans.core(new) if new else None
    kept = spans.kept_words(said, nc) if said and nc is not None else frozenset()
    return {"key": frozenset(key), "context": frozenset(context - key), "clause": frozenset(clause),
            "value": frozenset(value), "said": frozenset(spans.content_words(said) - value),
            "kept": frozenset(kept - key),
            "verbs": _question_verbs(str(item.get("question", ""))) | (
                _question_verbs(row_key_text(task, row)) if task.format == "qa" else frozenset())}


_RATE = re.compile(r"\s*(?:per|a|an|each|every)\s+[a-z]+", re.I)


# An apposition beside a value: "Call Hannah Moss, *the site manager*, on ..."; "*Our in-house
# designer*, Nadia Osei, does ...". A short clause (at most APPOSITION words) that starts with
# a determiner and touches the span across a comma.
APPOSITION = 5
_DETERMINER = re.compile(r"^(?:the|our|your|their|his|her|its|a|an|my)\s", re.I)


def _apposition(text: str, *, bare: bool = False) -> str:
    """`bare`: after a name, a role needs no determiner ("Adaeze Okafor, head of customer
    service, at ..."); before one it does (a clause's start is no role)."""
    text = text.strip(" ,;:()")
    return text if (bare or _DETERMINER.match(text)) and len(text.split()) <= APPOSITION else ""


def local_words(text: str, span: spans.Span, value: set[str] | frozenset[str]) -> set[str]:
    """Content words of the clause holding `span`; when the span stands alone in its clause
    (an apposition: "Dr. Maya Chen, our head surgeon, ..."), of the clauses either side too. A
    colon ends the clause when both sides have words ("Puppy introductions are $35 for dogs under
    six months: a short bath, ...": the bath is what the introduction holds, not its subject)."""
    own = _colon_side(spans.clause(text, span), text, span)
    words = spans.content_words(own) - value - spans.content_words(span.text)
    words |= subject_before(text, own, span) - value - spans.content_words(span.text)
    if span.kind == "name":  # a person's role beside the name
        before = text[:span.start]
        after = text[span.end:]
        if before.rstrip().endswith(","):
            prev = before.rstrip()[:-1]
            words |= spans.content_words(_apposition(prev[max(prev.rfind(","), prev.rfind(". ")) + 1:]))
        if after.lstrip().startswith(","):
            # "Adaeze Okafor, head of customer service, at ...": up to the next comma; at the
            # sentence's end a role needs its determiner ("taught by Anya Volkova, our principal.",
            # session 13), so the rest of a clause ("..., who retired.") is not read as one
            nxt = re.split(r"(,|;|[.!?](?:\s|$))", after.lstrip()[1:], maxsplit=1)
            words |= spans.content_words(_apposition(nxt[0], bare=len(nxt) > 1 and nxt[1] == ","))
        words -= value | spans.content_words(span.text)
    if words:
        return words
    before = text[:span.start].rstrip(" ,;:(")
    after = text[span.end:].lstrip(" ,;:)")
    if before:
        words |= spans.content_words(spans.clause(before, spans.Span("", len(before), len(before), "")))
    if after:
        words |= spans.content_words(spans.clause(after, spans.Span("", 0, 0, "")))
    return words - value - spans.content_words(span.text)


_ASKS = re.compile(r"^\s*(?:do|does|did|can|could|will|would|are|is)\s+(?:you|i|we|they|it|he|she)\s+([a-z]+)", re.I)


def _question_verbs(question: str) -> frozenset[str]:
    """The verb right after a yes/no question's opening ("Do you *sell* ...", "Can I *book*
    ..."), as content_words writes it."""
    m = _ASKS.match(question)
    return frozenset(spans.content_words(m.group(1))) if m else frozenset()


def _colon_side(own: str, text: str, span: spans.Span) -> str:
    """Session 12: the side of a colon inside `own` that holds the span, when the other side
    has words of its own."""
    if ":" not in own:
        return own
    start = text.find(own, max(0, span.end - len(own)))
    if start < 0:
        return own
    cut = start + own.index(":")
    if text[cut - 1:cut].isdigit() and text[cut + 1:cut + 2].isdigit():
        return own  # a clock time ("11:30")
    side = own[:cut - start] if span.end <= cut else own[cut - start + 1:]
    other = own[cut - start + 1:] if span.end <= cut else own[:cut - start]
    return side if spans.content_words(side) and spans.content_words(other) else own


# A clause that starts with its verb after "and" ("our express service takes two days *and costs
# an extra $15*"): the verb, then a determiner, a number or a price.
_SUBJECTLESS = re.compile(r"^\s*[a-z]+s\s+(?:a|an|the|up|at|from|only|just|about|around|extra|another|\$|£|€|\d)",
                          re.I)
_AND_BEFORE = re.compile(r"(?:,\s*)?\band\s*$", re.I)


def subject_before(text: str, own: str, span: spans.Span) -> set[str]:
    """Session 11: the words of the clause before a subjectless one joined by "and" (its subject
    is that clause's: "our express service takes two days and costs an extra $15")."""
    start = text.find(own, max(0, span.end - len(own)))
    if start <= 0 or not _SUBJECTLESS.match(own) or not _AND_BEFORE.search(text[:start]):
        return set()
    before = _AND_BEFORE.sub("", text[:start]).rstrip(" ,")
    return spans.content_words(spans.clause(before, spans.Span("", len(before), len(before), "")))


DERIVED = ("ment", "ments", "al", "ation", "ations")  # a noun from its verb: "payment" of "pay", "rental" of "rent"


def _derives(word: str, base: str) -> bool:
    return word == base or (len(base) >= 3 and word.startswith(base) and word[len(base):] in DERIVED)


def same_subject(task: Task, row: dict[str, Any], value: str, ch: Change, common: set[str],
                 alone: bool = False) -> set[str]:
    """The words that make `row` about the corrected subject (empty: it is not). `alone`: no
    other row of its (facts) task states the replaced value."""
    ignore = common | ch.value | spans.content_words(ch.old.text)
    key, context = ch.key - ignore, ch.context - ignore
    if task.format == "fact":
        relation = spans.content_words(str(row.get(task.column("relation"), ""))) - ignore
        # a relation word that only names the value's type ("walk *length*: 60 minutes", "varifocals
        # *turnaround*: ten days", "sleepover *price*") need not be named (session 11)
        relation = (relation - IMPLIED.get(_type_of(ch.old), frozenset())) or relation
        if relation & ch.kept:  # a sibling the turn says stays ("e-bike tune-ups stay at $60")
            return set()
        shared = relation & (key | ((ch.clause | ch.said) - ignore))
        if relation and (shared == relation or len(shared) >= FACT_SHARED):
            return shared
        # One word of the relation named, and the object is the old value with the very qualifier
        # the corrected clause puts after it ("refund deadline: 48 hours before the performance" ~
        # "refunded up to 48 hours before the performance"): the same statement.
        qualifier = spans.content_words(value) - ignore
        if shared and qualifier and qualifier <= ((ch.context | (ch.clause & ch.key)) - ignore):
            return shared | qualifier
        # Session 13: the one fact of its task stating the old value, as its whole object, with a
        # relation word the corrected knowledge names or derives from ("payment terms: 7 days" ~
        # "How long have I got to *pay* ...? ... within 7 days"): where the facts keep that value.
        if alone and not qualifier:
            named = (key | ch.clause) - ignore
            return {r for r in relation if any(_derives(r, w) for w in named)}
        return set()
    own_key = spans.content_words(row_key_text(task, row)) - ignore
    found: set[str] = set()
    for s in spans.spans(value, ch.old.kind):
        if not spans.same(s, ch.old):
            continue
        local = local_words(value, s, ignore)
        if local & ch.kept:  # the clause is about what the turn says stays (session 12)
            continue
        # The verb a yes/no question asks with ("Do you *sell* padlocks?" ~ "Do you sell key
        # safes?") says what is asked, not about what: it is no evidence (session 12) when the
        # corrected question asks with it too; named by a corrected fact's relation ("Can I *hire*
        # the studio?" ~ "studio hire rate") it is the subject (session 13).
        verbs = ch.verbs
        found |= ((own_key | local) & key - verbs) | (local & context)
        named = local & ((ch.clause | ch.said) - ignore)
        if len(named) >= CLAUSE_SHARED:  # "Ana Silva, our head mechanic, ..." ~ "Our head mechanic is Ana Silva."
            found |= named
        told = (own_key | local) & (ch.said - ignore)
        if len(told) >= CLAUSE_SHARED:  # "Is the site open all year?" ~ "the site now stays open until 15 November"
            found |= told
    return found


# Relation words a value's type implies, as content_words writes them.
IMPLIED = {kind: frozenset(spans.content_words(words)) for kind, words in {
    "money": "price prices cost costs fee fees charge rate surcharge fare fares",
    "duration": "length duration time turnaround wait",
    "time": "time",
    "count": "number minimum maximum capacity",
    "phone": "phone number line",
    "email": "email address",
}.items()}


def _agents(words: set[str] | frozenset[str]) -> set[str]:
    """Words with an agent noun's -or / -er taken off ("director" is "direct"), for comparing a
    question's verb with a relation's noun."""
    return {w[:-2] if len(w) > 5 and w.endswith(("or", "er")) else w for w in words}


def _type_of(old: spans.Span) -> str:
    if old.kind == "quantity" and old.unit in spans.DURATIONS:
        return "duration"
    return old.kind


def _common(task: Task, keys: Counter, subjects: Counter, n: int) -> set[str]:
    out = {w for w, c in subjects.items() if n >= 2 and c / n >= COMMON_KEY_WORD}
    if n >= COMMON_MIN_ROWS:
        out |= {w for w, c in keys.items() if c / n >= COMMON_KEY_WORD}
    return out


def sweep(project: Project, changes: list[Change], done: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """Edits (op update, signal "sweep", review "sweep") for rows still stating a replaced value.

    `done`: (task, row) pairs already edited by this record; they are not touched again."""
    if not changes:
        return []
    out = []
    entity: Counter = Counter()  # words of the facts' subject column, across fact tasks
    for task in project.tasks.values():
        if task.format == "fact":
            n = 0
            seen: Counter = Counter()
            for _, _, row in iter_rows(task, project.dataset_path(task)):
                n += 1
                seen.update(spans.content_words(str(row.get(task.column("subject"), ""))))
            entity.update({w for w, c in seen.items() if n >= 2 and c / n >= COMMON_KEY_WORD})
    for task in project.tasks.values():
        if task.format not in SWEPT:
            continue
        hits, df, subj, n = [], Counter(), Counter(), 0
        for rid, _, row in iter_rows(task, project.dataset_path(task)):
            n += 1
            df.update(spans.content_words(row_key_text(task, row)))
            if task.format == "fact":
                subj.update(spans.content_words(str(row.get(task.column("subject"), ""))))
            if (task.name, rid) in done:
                continue
            value = row_value_text(task, row)
            plain = value.lower().replace(",", "")
            for ch in changes:
                if ch.needle in plain and spans.contains(value, ch.old):  # a substring test first: cheap
                    hits.append((rid, row, value, ch))
                    break
        common = _common(task, df, subj, n) | set(entity)
        stating = Counter(id(ch) for _, _, _, ch in hits)
        for rid, row, value, ch in hits:
            shared = same_subject(task, row, value, ch, common, alone=stating[id(ch)] == 1)
            if not shared:
                continue
            hint = " ".join(sorted(ch.about))
            rw = spans.rewrite(value, ch.new, old=ch.old.text, hint=hint)
            if rw is None or rw.text == value:
                continue
            col = task.column(task.value_fields[0])
            after = {**row, col: rw.text}
            done.add((task.name, rid))
            out.append({"task": task.name, "op": "update", "row": rid, "score": 1.0, "before": row, "after": after,
                        "signal": "sweep", "review": "sweep",
                        "sweep": {"from": {"task": ch.task, "row": ch.row}, "old": rw.old, "new": rw.new,
                                  "about": sorted(shared)},
                        "reason": f"still states {rw.old!r}, replaced by {rw.new!r} in {ch.task} row {ch.row} "
                                  f"(same subject: {', '.join(sorted(shared))}); a proposal for review"})
    return out


def forget_sweep(project: Project, edits: list[dict[str, Any]], done: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """Session 11: one thing stored in two tasks is forgotten in both. After a forget deletes a
    QA row, a fact that states a value of that answer (its object is a typed span of it: a name,
    a price, a time ...) under a relation the question and answer name (every word of it, or two;
    words the value's type implies need not be named) is proposed for deletion, marked for review
    like the stale-value sweep: "forget who's directing the spring show" deletes the question
    "Who is directing the spring production?" and proposes the fact `spring production director:
    Malcolm Reid`. Facts are atomic; a QA answer may say more than one fact, so a deleted fact
    proposes nothing in QA tasks."""
    out: list[dict[str, Any]] = []
    facts = [t for t in project.tasks.values() if t.format == "fact"]
    if not facts:
        return out
    for e in edits:
        if e.get("op") != "delete" or e.get("review") or e.get("signal") == "sweep":
            continue
        task = project.task(str(e.get("task")))
        if task.format != "qa" or not isinstance(e.get("before"), dict):
            continue
        answer = row_value_text(task, e["before"])
        asked = _agents(spans.content_words(row_key_text(task, e["before"])))
        words = spans.content_words(f"{row_key_text(task, e['before'])} {answer}")
        for ft in facts:
            found = []
            subjects: Counter = Counter()
            rows = list(iter_rows(ft, project.dataset_path(ft)))
            for _, _, frow in rows:
                subjects.update(spans.content_words(str(frow.get(ft.column("subject"), ""))))
            shared_subject = {w for w, c in subjects.items() if len(rows) >= 2 and c / len(rows) >= COMMON_KEY_WORD}
            for rid, _, frow in rows:
                if (ft.name, rid) in done:
                    continue
                obj = row_value_text(ft, frow)
                core = spans.core(obj)
                if core is None or spans.is_sentence(obj) or not spans.contains(answer, core):
                    continue
                relation = spans.content_words(str(frow.get(ft.column("relation"), ""))) - shared_subject
                relation = (relation - IMPLIED.get(_type_of(core), frozenset())) or relation
                named = relation & words
                if not relation or not (named == relation or len(named) >= FACT_SHARED):
                    continue
                found.append((len(_agents(relation) & asked), rid, frow, core, named))
            # the fact the deleted row's question asks for: the one sharing most of its words ("Who is
            # directing the spring production?": `spring production director`, not `spring production`,
            # whose title the answer names too); a tie proposes nothing
            best = max((f[0] for f in found), default=0)
            top = [f for f in found if f[0] == best]
            if len(top) != 1 or best == 0:
                continue
            for _, rid, frow, core, named in top:
                done.add((ft.name, rid))
                out.append({"task": ft.name, "op": "delete", "row": rid, "score": 1.0, "before": frow, "after": None,
                            "signal": "sweep", "review": "sweep",
                            "sweep": {"from": {"task": task.name, "row": str(e.get("row"))}, "old": core.text,
                                      "new": None, "about": sorted(named)},
                            "reason": f"states {core.text!r} of the {task.name} row {e.get('row')} this forget deletes "
                                      f"(same subject: {', '.join(sorted(named))}); a proposal for review"})
    return out
