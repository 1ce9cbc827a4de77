"""How the learned engine reads and writes knowledge: gold items <-> role spans + templates.

The learned engine (`learned.py`) is a JointBERT-style model: a token tagger over the turn
and its context (BIO over slot roles such as `qa.answer` or `fact.subject`) plus one
turn-level head per field that picks how the field is written. This module is the model-
free half: it turns a labelled row into character spans and template classes (`encode_row`)
and turns predicted spans and template classes back into items (`assemble`).

A field's gold value is, in this order:

1. a **span** of the turn (segment 0) or of its context (segment 1), found case-insensitively
   (`qa.answer` "30 days", `fact.subject` "Kestrel", `qa.replaces` "14 days" in the context);
2. a **template** with up to two slots, each slot a span of the turn or context: "What is
   the refund window?" from "The refund window is 30 days" is `What is {0}?` with slot 0 =
   "The refund window" (role `qa.question#0`); "The user works night shifts" from "I work
   night shifts" is `The user works {0}`; a value with no span in it ("yes", "ORG") is a
   template without slots. The slot is the longest run of words the value shares with the
   text that holds a content word.

Entity spans (kind `span`) put the entity label in the role (`span.ent=ORG`): each mention
tagged in the turn is then found in the item's sentence to give its offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from lic_cli.extract import repair

# The fields each kind is assembled from, in the order items are written; the first
# string fields are required (schema.REQUIRED), `replaces` is optional.
FIELDS: dict[str, tuple[str, ...]] = {
    "qa": ("question", "answer", "replaces"),
    "fact": ("subject", "relation", "object", "replaces"),
    "label": ("text", "label"),
    "forget": ("target",),
    "note": ("text", "replaces"),
    "span": ("text",),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "qa": ("question", "answer"), "fact": ("subject", "relation", "object"), "label": ("text", "label"),
    "forget": ("target",), "note": ("text",), "span": ("text",),
}
SPAN = "<span>"  # template class: the field is a span (or absent)
THIRD = "<3p>"  # template class: slot 0, a first-person span, told in the third person
SLOTS = ("{0}", "{1}")
_MARK = ("\x01", "\x02")  # slots while a template is built (no word matches them)
_STRIP = " \t\n.,;:!?\"'"
_WORD = re.compile(r"\w+(?:['\u2019.,:/+-]\w+)*|[$€£%+#@&]")
STOPWORDS = frozenset("""a an the of to in on at for by with from and or but is are was were be been being it its it's
this that these those there their they them he she his her we our you your i my me as do does did not no yes
what which who whom whose when where why how can could will would should may might must has have had if then than
so just also about into over under up out now""".split())


@dataclass
class Spans:
    """Character spans of one turn: (segment, start, end, role); segment 0 = turn, 1 = context."""

    spans: list[tuple[int, int, int, str]] = field(default_factory=list)
    templates: dict[str, str] = field(default_factory=dict)  # role -> template (roles not spans)


def context_text(context: list[dict], turns: int = 2, chars: int = 300) -> str:
    """The last exchange as one string (the second segment the model reads)."""
    parts = []
    for t in (context or [])[-turns:]:
        said = " ".join(str(t.get("text", "")).split())[:chars]
        if said:
            parts.append(said)
    return " | ".join(parts)


def _clean(value: str) -> str:
    return value.strip(_STRIP)


def _words(s: str) -> list[tuple[str, int, int]]:
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(s)]


def _find(hay: str, needle: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first case-insensitive, word-bounded occurrence of needle not overlapping `taken`."""
    if not needle:
        return None
    low, n = hay.lower(), needle.lower()
    start = 0
    while True:
        i = low.find(n, start)
        if i < 0:
            return None
        j = i + len(n)
        bounded = (i == 0 or not (low[i - 1].isalnum() and n[0].isalnum())) and \
                  (j == len(low) or not (low[j].isalnum() and n[-1].isalnum()))
        if bounded and not any(a < j and i < b for a, b in taken):
            return i, j
        start = i + 1


def _shared_run(value: str, hay: str, taken: list[tuple[int, int]]) -> tuple[int, int, int, int] | None:
    """The longest run of words value and hay share (with a content word, outside `taken`):
    (value start, value end, hay start, hay end) in characters."""
    vw, hw = _words(value), _words(hay)
    free = [not any(a < e and s < b for a, b in taken) for _, s, e in hw]
    best = None
    sm = SequenceMatcher(None, [w for w, _, _ in vw], [w if f else "\x00" for (w, _, _), f in zip(hw, free, strict=True)],
                         autojunk=False)
    for blk in sm.get_matching_blocks():
        if blk.size == 0:
            continue
        # Trim stopwords at both ends of the run: "is the refund window" -> "the refund window".
        a, b, size = blk.a, blk.b, blk.size
        words = [vw[a + k][0] for k in range(size)]
        if not any(w not in STOPWORDS and w.isalnum() for w in words):
            continue
        while size and words[-1] in STOPWORDS:
            size -= 1
            words.pop()
        while size and words[0] in STOPWORDS and words[0] not in ("the", "a", "an"):
            a, b, size = a + 1, b + 1, size - 1
            words.pop(0)
        if not size:
            continue
        cand = (vw[a][1], vw[a + size - 1][2], hw[b][1], hw[b + size - 1][2])
        if best is None or cand[1] - cand[0] > best[1] - best[0]:
            best = cand
    return best


def encode_row(text: str, context: str, items: list[dict[str, Any]]) -> Spans:
    """Gold items -> spans to tag and templates to classify (see the module docstring)."""
    out = Spans()
    taken: dict[int, list[tuple[int, int]]] = {0: [], 1: []}
    segs = (text, context)

    def place(value: str, role: str) -> bool:
        for seg in (0, 1):
            hit = _find(segs[seg], value, taken[seg])
            if hit:
                taken[seg].append(hit)
                out.spans.append((seg, hit[0], hit[1], role))
                return True
        return False

    for item in items:
        kind = item.get("kind")
        if kind not in FIELDS:
            continue
        for name in FIELDS[kind]:
            value = item.get(name)
            if not isinstance(value, str) or not _clean(value):
                continue
            value = _clean(value)
            role = f"{kind}.{name}"
            if place(value, role):
                continue
            if role in out.templates:
                # One template per role and turn (the first item's); a later item written the
                # same way ("opening time on {0}") gets its own slots tagged.
                _same_template(out.templates[role], item[name].strip(), role, place)
                continue
            third = _third_person_span(text, value, taken[0])
            if third:
                taken[0].append(third)
                out.spans.append((0, third[0], third[1], f"{role}#0"))
                out.templates[role] = THIRD
                continue
            whole = item[name].strip()  # templates keep the value's own end punctuation ("?")
            template, slots = whole.replace("{", "(").replace("}", ")"), []
            for k in range(len(SLOTS)):
                found = None
                for seg in (0, 1):
                    run = _shared_run(template, segs[seg], taken[seg])
                    if run and (found is None or run[1] - run[0] > found[1][1] - found[1][0]):
                        found = (seg, run)
                if found is None:
                    break
                seg, (vs, ve, hs, he) = found
                template = template[:vs] + _MARK[k] + template[ve:]
                taken[seg].append((hs, he))
                slots.append((seg, hs, he, f"{role}#{k}"))
            out.spans.extend(slots)
            for k, mark in enumerate(_MARK):
                template = template.replace(mark, SLOTS[k])
            out.templates[role] = template
        if kind == "span":
            for ent in item.get("spans") or []:
                sent = item.get("text", "")
                try:
                    mention = sent[ent["start"]:ent["end"]]
                except (TypeError, KeyError):
                    continue
                # The mention as the turn names it outside the sentence, else inside it.
                place(mention, f"span.ent={str(ent.get('label', '')).upper()}")
    return out


def _same_template(template: str, value: str, role: str, place) -> None:
    if template in (SPAN, THIRD) or not any(s in template for s in SLOTS):
        return
    pattern = re.escape(template)
    for k, name in enumerate(SLOTS):
        pattern = pattern.replace(re.escape(name), f"(?P<s{k}>.+?)")
    m = re.fullmatch(pattern, value, re.I) or re.fullmatch(pattern, value.strip(_STRIP), re.I)
    if m:
        for k in range(len(SLOTS)):
            if m.groupdict().get(f"s{k}"):
                place(m.group(f"s{k}").strip(), f"{role}#{k}")


SURE_TEMPLATE = 0.9  # a head this sure of a note template or a constant relation is not overruled (dev)
SUBJECT_NP = True  # a fact subject tagged as a piece of its noun phrase is the whole phrase (subject_phrase)
_VERB = re.compile(r"(?:is|are|was|were|isn't|aren't|can|can't|could|must|will|won't|should|may|might|has|have|had|"
                   r"does|do|doesn't|don't|now|costs?|opens?|closes?|leaves?|departs?|arrives?|starts?|begins?|ends?|"
                   r"runs?|takes?|lasts?|needs?|requires?|holds?|seats?|comes?|serves?|includes?|covers?|gets?|"
                   r"rolls?|meets?|stays?|goes?|charges?|pays?|offers?|accepts?|ships?|sells?|lives?|sits?|lies|"
                   r"belongs?|works?|fits?|weighs?|expires?|renews?|reopens?|moved|changed)$", re.I)
_OPENING = re.compile(r"(?:[:;,.!?(]|\s[-\u2013\u2014]+\s|\b(?:that|also|and|plus|but|btw|fyi|oh|so)\b)\s*", re.I)
_PRONOUNS = frozenset("we you they i he she it who which".split())
_DETERMINER = re.compile(r"\b(?:the|a|an|our|this|these|those|every|each)\b", re.I)


def subject_phrase(text: str, a: int, b: int, stops: list[tuple[int, int]] = ()) -> tuple[int, int]:
    """A subject span that is a piece of the noun phrase before its clause's verb ("Reykjavik"
    in "Heads up: the flight to Reykjavik leaves from gate D14") becomes the whole phrase ("the
    flight to Reykjavik"): from its determiner (or the clause's start) to the verb. Left as it
    is when no verb follows within 6 words or the phrase would be longer than 7 words; never
    over a span tagged as the relation or the object (`stops`: "the pharmacy" + "phone number";
    "pets under 8 kg can travel") or past a
    possessive ("the pharmacy's phone number" keeps "the pharmacy")."""
    words = list(re.finditer(r"[\w'\u2019-]+", text[b:]))[:6]
    verb = next((m for m in words if _VERB.fullmatch(m.group()) or m.group().lower() in _PRONOUNS), None)
    if verb is None or re.search(r"[.!?;:,]", text[b:b + verb.start()]):
        return a, b
    end = b + verb.start()
    ahead = [x for x, _ in stops if b <= x < end]
    if ahead or re.match(r"['\u2019]s?\b", text[b:]) or text[a:b].endswith(("'s", "\u2019s")):
        end = b  # the relation (or what the subject owns) follows: the subject ends here
    while end > b and text[end - 1].isspace():
        end -= 1
    starts = sorted([m.end() for m in _OPENING.finditer(text, 0, a)] + [y for _, y in stops if y <= a])
    start = starts[-1] if starts else 0
    dets = [m for m in _DETERMINER.finditer(text, start, b) if m.start() <= a]
    if dets:
        start = dets[0].start()
    elif not starts or not re.fullmatch(r"[\w'\u2019 -]*", text[start:a]):
        start = a  # no determiner and no clause opening to start from: not widened to the left
    if len(text[start:end].split()) > 7 or start > a:
        return a, b
    return start, max(end, b)


PAIR_SUBJECT = True  # one fact: the subject said before its object, in its sentence (_subject_of)


def _subject_of(text: str, subjects: list[tuple[float, int, str]], obj: tuple[float, int, str]) -> tuple[float, int, str]:
    """Of several subject spans, the one for a turn's single fact: the last one before its most
    confident object in the same sentence ("the cabin bag allowance is 8 kg; changing a flight
    costs 60 euros" pairs "changing a flight" with "60 euros"), else the most confident."""
    at = obj[1]
    if at >= 100000:  # the object is in the context: no sentence of the turn to look in
        return max(subjects, key=lambda s: s[0])
    before = [s for s in subjects if s[1] < at and s[1] < 100000 and not re.search(r"[.!?;](?:\s|$)", text[s[1]:at])]
    return max(before, key=lambda s: s[1]) if before else max(subjects, key=lambda s: s[0])


MULTI_NAMES = True  # several facts in a turn: each relation named from its own predicate (assemble)
NAME_RELATIONS = True  # a relation the head chose as a constant is named from the predicate (relations.py)


def _named_relation(text: str, item: dict[str, Any]) -> str | None:
    """The relation the words between the fact's subject and object name (`relations.name`)."""
    from lic_cli.extract import relations

    subj = _find(text, str(item.get("subject", "")), [])
    obj = _find(text, str(item.get("object", "")), [])
    if subj is None or obj is None or subj[1] > obj[0]:
        return None
    return relations.name(text[subj[1]:obj[0]], text[obj[1]:clause_end(text, obj[1])], item["object"])


def _per_relation(text: str, item: dict[str, Any]) -> str:
    """A price said per a period keeps it ("costs 35 euros a month" -> `monthly price`), whichever
    way the relation was chosen (`relations.per`)."""
    from lic_cli.extract import relations

    obj = _find(text, str(item["object"]), [])
    return relations.per(item["relation"], text[obj[1]:]) if obj else item["relation"]


_POSSESSIVE = re.compile(r"(?<=\w)['\u2019]s?$")

# Values ("30 days", "6 am") never end in words that say when the turn's claim holds.
VALUE_ROLES = frozenset({"qa.answer", "qa.replaces", "fact.object", "fact.replaces"})
_WHEN = re.compile(r"(?:[\s,]+(?:now|nowadays|these days|this days|currently|anymore|any more|from now on|today|"
                   r"these|this|then|again|from now|from|as of|as from|starting))+$", re.I)


def trim_value(value: str) -> str:
    """'6 am these days' -> '6 am'; '12 euros these' -> '12 euros' (a value never ends in 'now')."""
    cut = _WHEN.sub("", value)
    return cut if cut.strip() else value


def _asked(text: str, value: str) -> bool:
    """The value is in the turn's last sentence and that sentence is a question."""
    said = text.rstrip()
    if not said.endswith("?"):
        return False
    last = re.split(r"(?<=[.!?])\s+", said)[-1]
    return value.lower() in last.lower()


_ARTICLE = re.compile(r"\b(?:the|a|an)\s+$", re.I)


def _with_article(text: str, a: int) -> int:
    """A subject keeps the article before it ("the monthly membership"), as the corpus's
    subjects do (711 of the 735 written after an article)."""
    m = _ARTICLE.search(text, max(0, a - 5), a)
    return m.start() if m else a


def whole_words(text: str, a: int, b: int) -> tuple[int, int]:
    """A span widened to whole words, hyphenated and apostrophe words included ("check-" -> "check-in")."""
    def inner(i: int) -> bool:  # text[i] joins two word characters
        return 0 < i < len(text) - 1 and text[i] in "-'\u2019" and text[i - 1].isalnum() and text[i + 1].isalnum()


    a, b = max(0, min(a, len(text))), max(0, min(b, len(text)))
    while 0 < a < len(text) and (text[a - 1].isalnum() or inner(a - 1)) and (text[a].isalnum() or inner(a)):
        a -= 1
    while 0 < b < len(text) and (text[b].isalnum() or inner(b)) and (text[b - 1].isalnum() or inner(b - 1)):
        b += 1
    if 0 < a < len(text) and text[a - 1] in "+$\u20ac\u00a3#" and text[a].isdigit():
        a -= 1  # a number keeps its sign or currency: "+1 555 0190", "$1,299.99"
    return a, b


def fill(template: str, slots: list[str]) -> str | None:
    if template == THIRD:
        return third_person(slots[0]) if slots and slots[0] else None
    out = template
    for k, name in enumerate(SLOTS):
        if name in out:
            if k >= len(slots) or not slots[k]:
                return None
            out = out.replace(name, slots[k])
    return out


# Session 10 repairs (extract/repair.py), each measured alone on the dev domains (docs/extract.md).
WHOLE_VALUES = True  # values cut to their clause, without a linking preposition; function words grow to a phrase
NOTE_GRAMMAR = True  # a note's second verb agrees ("and prefers"), and a note never ends in "now"
OWNER_RELATION = True  # "the director of the museum" / "the pharmacy's phone number": subject and relation
OBJECT_FROM_VERB = True  # a fact with a subject and no object tagged: the object after the subject's verb
RANGES = True  # a time, day or month runs on over its range or list ("8 am" -> "8 am to 10 pm")
SAID_OLD = True  # a correction's old value said in a frame ("- 35 euros was a mistake", "no longer midnight")
DAY_RELATION = True  # a value that is a day of the week tells the day ("day", "closing day")
CLOCK_RELATION = True  # session 11: a clock value's relation from its clause's verb, with the days the clause names
NAME_FIRST = True  # "the ferry to Mallorca" -> "the Mallorca ferry", as the train domains' subjects are written
TYPOS = True  # two swapped letters written right in the fields a person words (not values or quotes)
TYPO_FIELDS = {"qa": ("question",), "fact": ("subject", "relation"), "note": ("text",), "forget": ("target",)}


def assemble(text: str, context: str, spans: list[tuple[int, int, int, str]],
             templates: dict[str, str], counts: dict[str, int] | None = None,
             scores: list[float] | None = None, fallback: dict[str, str] | None = None,
             confidence: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """Predicted spans + template choices -> item fields (`[{"kind": ..., ...}]`).

    Several spans of one role make several items of the kind, the i-th span going to the
    i-th item; a role with one span (or a constant template) is shared by all of them.
    `counts` (the model's number of items per kind) drops kinds predicted absent and keeps,
    per role, that many spans: the most confident ones (`scores`, one per span).
    `fallback` (role -> a constant value, the head's most likely one without slots) fills a
    required field the tags left empty in an item the count head says is there ("price"
    for a relation no word of the turn names), rather than losing the item's other fields.
    Notes are whole clauses (`note_clauses`). `confidence` (role -> the head's probability of
    its choice; None: sure) keeps a note template or a constant relation the head is sure of
    (`SURE_TEMPLATE`) instead of rewriting it from the turn's words.
    """
    sure = {role: confidence is None or confidence.get(role, 0.0) >= SURE_TEMPLATE for role in templates}
    segs = (text, context)
    spans = [(seg, *whole_words(segs[seg], a, b), role) for seg, a, b, role in spans]
    spans = [(seg, _with_article(segs[seg], a), b, role) if role == "fact.subject" else (seg, a, b, role)
             for seg, a, b, role in spans]
    if OBJECT_FROM_VERB and counts is not None and counts.get("fact", 0) >= 1 \
            and not any(role.startswith("fact.object") for _, _, _, role in spans):
        found = repair.object_after_verb(text, [(a, b, sc) for (seg, a, b, role), sc in
                                                zip(spans, scores or [1.0] * len(spans), strict=True)
                                                if seg == 0 and role == "fact.subject"])
        if found:
            spans = [*spans, (0, found[0], found[1], "fact.object")]
            scores = [*scores, 0.5] if scores is not None else None
    told = set()  # roles whose values are clauses to tell from their pronoun
    if NOTE_CLAUSE:
        if templates.get("forget.target") == THIRD:  # forgetting a note: the whole clause too
            spans, templates, scores = note_clauses(text, spans, templates, scores, counts, role="forget.target")
            told.add("forget.target")
        spans, templates, scores = note_clauses(text, spans, templates, scores, counts,
                                                keep_template=sure.get("note.text", True))
    by_role: dict[str, list[tuple[int, str]]] = {}
    scored: dict[str, list[tuple[float, int, str]]] = {}
    for n, (seg, a, b, role) in enumerate(spans):
        if role == "fact.subject" and seg == 0 and SUBJECT_NP:
            a, b = subject_phrase(text, a, b,
                                  [(x, y) for g, x, y, r in spans
                                   if g == 0 and r.startswith(("fact.relation", "fact.object"))])
        value = _clean(segs[seg][a:b])
        if role in VALUE_ROLES:
            value = trim_value(repair.fix_typos(value) if TYPOS else value)  # "118 thsee days" -> "118"
            if WHOLE_VALUES:
                value = repair.bound_value(segs[seg], repair.grow_number(segs[seg], value, a))
                if RANGES:
                    value = repair.grow_range(segs[seg], value, a)
                if repair.VALUE_TAIL and role == "fact.object":
                    value = repair.grow_tail(segs[seg], value, a)
        if role == "fact.subject":  # "the pharmacy's phone number": the subject is the pharmacy
            value = _POSSESSIVE.sub("", value)
        if value:
            scored.setdefault(role, []).append((scores[n] if scores else 1.0, seg * 100000 + a, value))
    for role, found in scored.items():
        kind = role.split(".")[0]
        keep = counts.get(kind) if counts is not None and not role.startswith("span.ent=") else None
        if keep is not None and len(found) > max(keep, 1):
            if PAIR_SUBJECT and role == "fact.subject" and max(keep, 1) == 1 and scored.get("fact.object"):
                found = [_subject_of(text, found, max(scored["fact.object"], key=lambda x: x[0]))]
            else:
                found = sorted(found, key=lambda x: -x[0])[:max(keep, 1)]
        by_role[role] = [(pos, v) for _, pos, v in sorted(found, key=lambda x: x[1])]
    items: list[tuple[int, dict[str, Any]]] = []
    for kind, names in FIELDS.items():
        own = [r for r in by_role if r.split(".")[0] == kind]
        if not own or (counts is not None and counts.get(kind, 1) == 0):
            continue
        values: dict[str, list[str]] = {}
        first = min(by_role[r][0][0] for r in own)
        for name in names:
            role = f"{kind}.{name}"
            if role in by_role and templates.get(role, SPAN) == SPAN:
                values[name] = [v for _, v in by_role[role]]
            elif templates.get(role, SPAN) != SPAN:
                slot_vals = [[v for _, v in by_role.get(f"{role}#{k}", [])] for k in range(len(SLOTS))]
                n = max([len(s) for s in slot_vals] + [1])
                filled = []
                for i in range(n):
                    got = [s[i] if i < len(s) else (s[0] if len(s) == 1 else "") for s in slot_vals]
                    value = fill(templates[role], got)
                    if value:
                        filled.append(value)
                if filled:
                    values[name] = filled
                elif role in by_role and not sure.get(role, True):  # an unsure template with no slot found
                    values[name] = [v for _, v in by_role[role]]
        if kind == "span":
            items.extend(_span_items(text, values.get("text", []), by_role, first))
            continue
        n = max((len(v) for v in values.values()), default=0)
        for i in range(n):
            item: dict[str, Any] = {"kind": kind}
            for name in names:
                vals = values.get(name, [])
                v = vals[i] if i < len(vals) else (vals[0] if len(vals) == 1 else None)
                if v:
                    item[name] = v
            if kind == "forget" and "forget.target" in told and item.get("target"):
                item["target"] = _told(text, item["target"])
            if kind == "forget" and item.get("target") and FORGET_TRIM:
                item["target"] = trim_forget(item["target"])
            if kind == "forget" and NOTE_GRAMMAR and str(item.get("target", "")).lower().startswith("the user "):
                item["target"] = repair.timeless_note(repair.and_verbs(so_and(item["target"])))  # a note's own words
            if kind == "note" and item.get("text") and NOTE_REPAIR:
                when = leading_time(text, item["text"])
                item["text"] = _told(text, item["text"])
                if NOTE_SO:
                    item["text"] = so_and(item["text"])
                if when and item["text"].lower().startswith("the user") and when.lower() not in item["text"].lower():
                    item["text"] = f"{item['text'].rstrip('.')} {when.lower()}"
                if not item["text"].lower().startswith("the user"):
                    item.pop("text")  # a note is about the user: no first-person anchor, no note
            if kind == "note" and item.get("text") and NOTE_GRAMMAR:
                item["text"] = repair.timeless_note(repair.and_verbs(item["text"]))
            if kind == "note" and item.get("text") and item["text"][-1] not in ".!?":
                item["text"] += "."
            if fallback and counts is not None and counts.get(kind, 0) > 0:
                for r in REQUIRED[kind]:
                    if not item.get(r) and fallback.get(f"{kind}.{r}"):
                        item[r] = fallback[f"{kind}.{r}"]
            relation = templates.get("fact.relation", SPAN)
            # One constant chosen for the whole turn cannot name two different facts: with several
            # items each is named from its own predicate where it names one, however sure the head.
            chosen_constant = relation != SPAN and sure.get("fact.relation", True) and not (MULTI_NAMES and n > 1)
            if kind == "fact" and NAME_RELATIONS and item.get("relation") and not any(s in relation for s in SLOTS) \
                    and not (relation == SPAN and "fact.relation" in by_role) and not chosen_constant:
                item["relation"] = _named_relation(text, item) or item["relation"]
            if kind == "fact" and item.get("relation") and item.get("object") and not any(s in relation for s in SLOTS):
                item["relation"] = _per_relation(text, item)
            if kind == "fact" and item.get("object") and _asked(text, item["object"]):
                continue  # "Just checking: the sauna is closed on Mondays, right?" asks, it does not tell
            if kind == "fact" and OWNER_RELATION and item.get("subject") and item.get("object"):
                owned = repair.owner_relation(item["subject"])
                if owned and owned[1].lower() != str(item.get("relation", "")).lower():
                    item["subject"], item["relation"] = owned
            new = item.get("answer") or item.get("object")
            if kind in ("qa", "fact") and SAID_OLD and new and not item.get("replaces"):
                old = repair.said_old(text, str(new))
                if old:
                    item["replaces"] = old
            if kind == "fact" and DAY_RELATION and item.get("relation") and item.get("object"):
                subj, obj = _find(text, str(item.get("subject", "")), []), _find(text, str(item["object"]), [])
                predicate = text[subj[1]:obj[0]] if subj and obj and subj[1] <= obj[0] else ""
                item["relation"] = repair.hours_relation(repair.day_relation(item["relation"], item["object"], predicate),
                                                         item["object"])
            if kind == "fact" and CLOCK_RELATION and item.get("object") and not repair.names_days(item.get("relation", "")):
                item = repair.clock_relation(text, item)
            if kind == "fact" and NAME_FIRST and item.get("subject"):
                item["subject"] = repair.name_first(item["subject"])
            if TYPOS:
                for name in TYPO_FIELDS.get(kind, ()):
                    if isinstance(item.get(name), str):
                        item[name] = repair.fix_typos(item[name])
            if all(item.get(r) for r in REQUIRED[kind]):
                items.append((first + i, item))
    items.sort(key=lambda x: x[0])
    out: list[dict[str, Any]] = []
    for _, item in items:
        if item not in out:
            out.append(item)
    return out


def _span_items(text: str, sentences: list[str], by_role: dict[str, list[tuple[int, str]]],
                first: int) -> list[tuple[int, dict[str, Any]]]:
    sentence = sentences[0] if sentences else ""
    if not sentence:
        return []
    # The sentence as the turn wrote it (with its end punctuation), for offsets.
    hit = _find(text, sentence, [])
    if hit:
        end = hit[1]
        while end < len(text) and text[end] in ".!?":
            end += 1
        sentence = text[hit[0]:end]
    marks = []
    for role, vals in by_role.items():
        if not role.startswith("span.ent="):
            continue
        label = role.split("=", 1)[1]
        for _, mention in vals:
            where = sentence.find(mention)
            if where < 0:
                loc = _find(sentence, mention, [])
                if loc is None:
                    continue
                where = loc[0]
            mark = {"start": where, "end": where + len(mention), "label": label}
            if mark not in marks:
                marks.append(mark)
    if not marks:
        return []
    marks.sort(key=lambda m: m["start"])
    return [(first, {"kind": "span", "text": sentence, "spans": marks})]


# --- notes: whole clauses, told in the third person -------------------------------------

NOTE_CLAUSE = True  # a note's span runs to the end of its clause (note_clauses)
_CLAUSE_END = re.compile(r"[.!?;](?=\s|$)|[,;(]|\s[-\u2013\u2014]+\s|\s[:;]-?[)(DP]|\sso\s|$")


def clause_end(text: str, end: int) -> int:
    """Where the clause that runs through `end` stops: sentence punctuation, a comma, a dash
    between spaces, an emoticon, "so" or the end of the text."""
    m = _CLAUSE_END.search(text, end)
    stop = m.start() if m else len(text)
    while stop > end and text[stop - 1].isspace():
        stop -= 1
    return max(stop, end)


def note_clauses(text: str, spans: list[tuple[int, int, int, str]], templates: dict[str, str],
                 scores: list[float] | None, counts: dict[str, int] | None = None, keep_template: bool = False,
                 role: str = "note.text") -> tuple[list, dict[str, str], list[float] | None]:
    """A note is a whole clause of the turn told in the third person. The tagger's note spans
    (a span, the first-person slot of `<3p>`, or the slots of a template learned in other
    domains such as "The user works {0} and uses {1}.") become one span per note: spans of one
    sentence are one note when the count head says the turn holds one ("I always need an
    aisle seat because" + "my back"), and each runs on to the end of its clause ("I take
    levothyroxine" -> "... every morning"). `assemble` tells it from its first-person
    pronoun (`_told`)."""
    template = templates.get(role, SPAN)
    if template not in (SPAN, THIRD) and (keep_template or not any(s in template for s in SLOTS)):
        return spans, templates, scores  # a constant note, or a template the head is sure of
    kind = role.split(".")[0]
    one = counts is None or counts.get(kind, 1) <= 1
    notes: list[tuple[int, int, float]] = []
    out, out_scores = [], []
    for n, (seg, a, b, span_role) in enumerate(spans):
        score = scores[n] if scores else 1.0
        if seg == 0 and span_role.startswith(role):
            notes.append((a, b, score))
        else:
            out.append((seg, a, b, span_role))
            out_scores.append(score)
    groups: list[list] = []
    for a, b, score in sorted(notes):
        gap = text[groups[-1][1]:a] if groups else ""
        if groups and not re.search(r"[.!?](?:\s|$)", gap) and (one or not gap.strip(" ,")):
            groups[-1][1], groups[-1][2] = max(groups[-1][1], b), min(groups[-1][2], score)
        else:
            groups.append([a, b, score])
    for a, b, score in groups:
        if kind == "note" and NOTE_FROM_I:
            a = _clause_subject(text, a)
        # A note is a clause; a forget target only when it is one ("that I use a CPAP machine at
        # night"), not a topic ("my knee injury from my profile").
        clause = kind == "note" or _SUBJECT.match(text, a) is not None
        end = clause_end(text, b) if clause else b
        # (a forgotten note too, session 10: "forget that I work from home, so I need ...")
        so = _SO_I.match(text, end) if (kind == "note" or (clause and NOTE_GRAMMAR)) and one and NOTE_SO else None
        if so:  # "I use a rollator, so I need step-free routes": one note, both clauses
            end = clause_end(text, so.end())
        out.append((0, a, end, role))
        out_scores.append(score)
    return out, {**templates, role: SPAN}, out_scores if scores else None


NOTE_FROM_I = True  # a note span opens at the first-person subject of its clause (_clause_subject)


def _clause_subject(text: str, a: int) -> int:
    """A note tagged from inside its clause ("my dad, who has dementia" in "I look after my dad,
    ...") starts at the clause's own first-person subject ("I look after my dad, ...")."""
    start = max(text.rfind(c, 0, a) for c in ".!?;:,") + 1
    dash = text.rfind(" - ", 0, a)
    start = max(start, dash + 3 if dash >= 0 else 0)
    hits = [m for m in re.finditer(r"\b(?:i|i'm|i\u2019m|im|i've|i'd)\b", text[start:a], re.I)]
    return start + hits[0].start() if hits else a


# --- first person -> third person (notes about the user) ------------------------------

_SUBJECT = re.compile(r"(?:i|i'm|i\u2019m|im|i've|i'd)\b", re.I)
_FIRST = re.compile(r"\b(?:i|i'm|i\u2019m|im|i've|i'd|my|our)\b", re.I)
_ADVERBS = frozenset("always only usually often also never still mostly sometimes really just now".split())
_MODALS = {"can": "can", "can't": "cannot", "cannot": "cannot", "will": "will", "won't": "will not",
           "should": "should", "must": "must", "may": "may", "might": "might", "could": "could",
           "would": "would", "don't": "does not", "do": "does", "am": "is", "have": "has", "was": "was",
           "had": "had", "did": "did", "didn't": "did not", "wasn't": "was not", "haven't": "has not"}
_PAST = frozenset("""ran tore grew had got went made took gave fought was did came left lost won bought sold broke
wrote met saw began found felt kept spent sent built paid told thought became fell drove flew swam rode ate drank
sang hurt put set cut quit read let""".split())
_START = {"i'm": "The user is", "i\u2019m": "The user is", "im": "The user is", "i've": "The user has",
          "i'd": "The user would",
          "my": "The user's", "our": "The user's"}


NOTE_REPAIR = True  # a note span that is not yet in the third person is told from its pronoun (_told)
NOTE_SO = True  # "X, so I Y" is one note, "The user X and Y" (as the corpus's train notes are written)
_SO_I = re.compile(r"\s*,?\s*so\s+(?=(?:i|i'm|i\u2019m|i've)\b)", re.I)
_SO_THEY = re.compile(r",?\s+so\s+they(?: are)?\s+((?:(?:always|also|usually|often|really|just)\s+)*)(\w+)", re.I)


def so_and(note: str) -> str:
    """'The user works from home, so they need stable internet' -> '... and needs stable internet'."""
    def verb(m: re.Match) -> str:
        if re.match(r",?\s+so\s+they are\b", m.group(0), re.I):
            return f" and is {m.group(1)}{m.group(2)}"
        return f" and {m.group(1)}{_third_verb(m.group(2))}"
    return _SO_THEY.sub(verb, note, count=1)



_TIME_WORDS = (r"yesterday|today|tonight|last (?:week|month|year|night|weekend|summer|winter|spring|autumn)|"
               r"this (?:morning|week|month|year|weekend)|(?:on )?(?:mon|tues|wednes|thurs|fri|satur|sun)day|"
               r"in (?:january|february|march|april|may|june|july|august|september|october|november|december)")
_LEADING_TIME = re.compile(rf"\s*({_TIME_WORDS})\s*,?\s*", re.I)


def leading_time(text: str, value: str) -> str | None:
    """When a note's clause opens with its time ("Yesterday I finished my first marathon"),
    the time, so the note can keep it at its end ("... their first marathon yesterday")."""
    hit = _find(text, value, [])
    if hit is None:
        return None
    before = text[:hit[0]]
    cut = max(before.rfind(c) for c in ".!?;:") + 1
    marks = [m for m in _FIRST.finditer(before) if m.start() >= cut]
    start = marks[-1].start() if marks and not _FIRST.match(value) else hit[0]
    m = _LEADING_TIME.fullmatch(text[cut:start])
    return m.group(1) if m else None


FORGET_TRIM = True
# What a forget target names ends before where it was kept ("my dad from your notes") and
# before why it goes ("..., he's in a care home now", "..., they are fine with any seat").
_FORGET_WHERE = re.compile(r"\s+(?:from|in|out of)\s+(?:your|my|the|our|their)\s+(?:notes|profile|memory|records?"
                           r"|files?|list|account|data|database|knowledge)\b.*$", re.I)
_FORGET_WHY = re.compile(r"\s*[,;]\s+(?:(?:he|she|they|it|i|we|that|this|there)(?:'s|'re|'ve|'m)?|as|since|because"
                         r"|which|now)\b.*$", re.I)


def trim_forget(target: str) -> str:
    """A forget target without where it was kept or why it goes; a target that quotes an
    example keeps its quote whole."""
    if "'" in target and re.search(r"'[^']+'", target):
        return target
    cut = _FORGET_WHY.sub("", _FORGET_WHERE.sub("", target)).strip()
    return cut or target


def _told(text: str, value: str) -> str:
    """A note the tagger cut as a bare span ("have a bad left knee") told in the third person
    from the first-person pronoun before it in the same clause ("The user has a bad left knee")."""
    if value.lower().startswith("the user"):
        return value
    if _FIRST.match(value):  # the span starts at the pronoun: "I take ..." / "my son is ..."
        told = third_person(value)
        return told if told.lower().startswith("the user") else value
    hit = _find(text, value, [])
    if hit is None:
        return value
    before = text[:hit[0]]
    cut = max(before.rfind(c) for c in ".!?;:")
    marks = [m for m in _FIRST.finditer(before) if m.start() > cut]
    if not marks:
        return value
    told = third_person(text[marks[-1].start():hit[1]])
    return told if told.lower().startswith("the user") else value


def _third_verb(verb: str) -> str:
    low = verb.lower()
    if low in _MODALS:
        return _MODALS[low]
    if low in _PAST or (low.endswith("ed") and len(low) > 3 and not low.endswith("eed") and low not in ("shed", "wed")):
        return verb
    if low.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if low.endswith("y") and len(low) > 1 and low[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def third_person(span: str) -> str:
    """'I eat fish again' -> 'The user eats fish again'; 'my partner is Sam' -> "The user's partner is Sam";
    later 'my' / 'me' / 'I' become their / them / they."""
    words = span.strip().split()
    if not words:
        return ""
    first = words[0].lower()
    if first in _START:
        out = [_START[first]]
        rest = words[1:]
        if first in ("i've", "i\u2019ve") and rest and rest[0].lower() == "got":
            rest = rest[1:]  # "I've got asthma" -> "The user has asthma"
    elif first == "i":
        out = ["The user"]
        rest = words[1:]
        i = 0
        while i < len(rest) and (rest[i].lower() in _ADVERBS or (rest[i].lower().endswith("ly") and len(rest[i]) > 4)):
            out.append(rest[i])
            i += 1
        if i < len(rest):
            out.append(_third_verb(rest[i]))
            i += 1
        rest = rest[i:]
    else:
        return span.strip()
    swap = {"my": "their", "me": "them", "i": "they", "i'm": "they are", "i'd": "they would", "i've": "they have",
            "i'll": "they will", "myself": "themselves", "mine": "theirs",
            "our": "their", "us": "them"}
    out += [swap.get(w.lower(), w) for w in rest]
    return " ".join(out)


def _third_person_span(text: str, value: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The span of `text` whose third-person telling is `value` (case and end punctuation aside)."""
    want = " ".join(value.lower().split()).strip(_STRIP)
    if not (want.startswith("the user") or want.startswith("the user's")):
        return None
    ends = [m.end() for m in _WORD.finditer(text)]
    for m in _FIRST.finditer(text):
        a = m.start()
        if any(x < len(text) and s <= a < e for s, e in taken for x in (a,)):
            continue
        for b in ends:
            if b <= a:
                continue
            got = " ".join(third_person(text[a:b]).lower().split()).strip(_STRIP)
            if got == want:
                return a, b
    return None
