"""Which row a forget target names, when its words are not the row's key.

A forget target is often not a key ("Remove the ticket 'hello world'" is, "the answer about
the cafe", "the example with my card number (4471 0923)" and "Take that answer out" are
not). One function, `named_row`, is read by route (does this task hold the target?) and by
locate (which row goes), so a forget always deletes the row its route was found for:

* **text**: a label task's example that is the quoted text (ratio >= SAME_TEXT), else the one
  example that holds the quoted text as whole words ("4471 0923");
* **value**: a row whose stored value is the target itself (the target is the assistant's
  answer the user points at with "that": "Please delete that.");
* **fact**: the one fact whose relation (and subject's own words) the target names
  ("the fax number": locate/cross.named_fact);
* **question**: the one QA row whose question holds every content word of the target
  ("the answer about second-hand bikes", "the wifi question").

Each is taken only when exactly one row qualifies; otherwise the key search decides.
Last, when the key search is not sure either:

* **meaning**: the row whose key and value together mean what the target describes ("who's
  directing the spring show" for "Who is directing the spring production?", "where to leave
  the car" for "Is there parking?"): MiniLM cosine of the target against each row's key and
  value, at least MEANING_MIN and MEANING_MARGIN above every other row's; a target as close to
  two rows (near-duplicates: weekday and weekend opening times) names neither, and is held for
  a person as a conflict, never deleted. MEANING_MIN and MEANING_MARGIN were chosen on the dev
  domains of evals/forget_meaning.
"""

from __future__ import annotations

import os
import re

from rapidfuzz import fuzz, process, utils

from lic_cli.locate import cross
from lic_cli.locate.matcher import Candidate
from lic_cli.locate.spans import STOP, content_words, stem
from lic_cli.tasks import Task

SAME_TEXT = 95  # label tasks: ratio at or above which two texts are the same example
DESCRIBED = 3  # label tasks: content words that name one example without a name or a number
SAME_VALUE = 90  # a target this close (ratio) to a row's whole value is that value
MEANING_MIN = 0.35  # meaning: cosine of the target to the row's key and value, at least
MEANING_MARGIN = 0.05  # meaning: and this much above the runner-up row's
# Measured on phrasings it was not tuned on (tests/test_forget_meaning.py, a zoo), meaning alone
# deleted the wrong row ("the lion feeding question" -> "Are dogs allowed?"): it proposes, a
# person decides (a `conflict` for lic resolve), and route does not use it.
MEANING_HELD = "; held for a person to confirm (lic resolve): meaning alone never deletes"
MEANING_SURE = 0.0  # meaning: below this cosine the row must also share a content word with the target
# Meaning that may delete (session 10): the key and value together, the key alone and (QA rows)
# the value alone each put the same row first, at least AGREED_MIN (together) and each
# AGREED_MARGIN above its runner-up. Chosen on the dev domains of evals/forget_meaning (0 wrong
# deletions from a margin of 0.06 on; 0.08 keeps a step from that edge); a target close to two
# rows in any one view (near-duplicates) stays a proposal.
AGREED_MIN = 0.35
AGREED_MARGIN = 0.08
DISTINCT_MIN = 0.35  # distinct_row: the meaning view's cosine at least (as AGREED_MIN)
DISTINCT_MARGIN = 0.0  # ...and this much above the runner-up (first is enough: the word decides)
DISTINCT = os.environ.get("LIC_DISTINCT_ROW", "1") != "0"  # off switch, for measuring it alone
MEANING_ALL_ROWS = 500  # up to this many rows every row is compared; above, the key search's candidates
# Words that say which kind of record is meant, not what it is about.
_RECORD = {"answer", "question", "entry", "row", "record", "fact", "info", "information", "detail", "faq", "bit",
           "line", "reply", "one", "thing", "stuff", "knowledge", "example", "ticket", "message", "you", "have"}
_RECORD_STEMS = frozenset(stem(w) for w in _RECORD)  # as content_words writes them


def exact_text(index, text: str) -> int | None:
    """The row whose key is this text (after normalization, or a near-verbatim copy)."""
    want = utils.default_process(text)
    if not want:
        return None
    hit = process.extractOne(want, index.keys, scorer=fuzz.ratio, processor=utils.default_process,
                             score_cutoff=SAME_TEXT)
    return hit[2] if hit else None


def _one(hits: list[int]) -> int | None:
    return hits[0] if len(hits) == 1 else None


def holding_text(index, text: str) -> int | None:
    """The one row whose key holds `text` as whole words (case and punctuation aside)."""
    want = utils.default_process(text)
    if len(want) < 4:
        return None
    pat = re.compile(rf"(?:^|\s){re.escape(want)}(?:\s|$)")
    return _one([i for i in range(len(index)) if pat.search(utils.default_process(index.keys[i]))])


_TOKEN = re.compile(r"[A-Za-z0-9]+")


# Words that say how a target points at an example ("the request that mentions ..."), not what it holds.
_POINTING = frozenset(stem(w) for w in ("request", "mention", "mentions", "mentioned", "email", "mail", "enquiry",
                                         "inquiry", "query", "note", "text", "say", "says", "said", "talk", "talks",
                                         "wipe", "delete", "remove", "forget", "drop", "item", "entry"))


def _words_of(text: str) -> set[str]:
    return {stem(w.lower()) for w in _TOKEN.findall(text)
            if w.lower() not in STOP and stem(w.lower()) not in _RECORD_STEMS | _POINTING}


def holding_words(index, target: str) -> int | None:
    """The one example holding every word of a target that names it by what it mentions, in
    any order ("the request that mentions room 214 at the Alpenhof" for "... at the Alpenhof
    Hotel, room 214, ..."): at least two words, one of them a number or a name (capitalized
    past the target's first word), or at least DESCRIBED words ("the message about the seal pup
    on the beach"), so a mere topic ("the refund request") names no one row."""
    words = _words_of(target)
    toks = _TOKEN.findall(target)
    specific = any(t.isdigit() or (t[:1].isupper() and k > 0) for k, t in enumerate(toks)
                   if t.lower() not in STOP)
    # Session 11: three content words describe one example as well as a name or a number does
    # ("the message about the seal pup on the beach"); two ("the refund request about a card")
    # may describe a topic several examples share.
    if len(words) < 2 or not (specific or len(words) >= DESCRIBED):
        return None
    return _one([i for i in range(len(index)) if words <= _words_of(index.keys[i])])


def holding_names(index, target: str) -> int | None:
    """The one example holding every name and number of a target that names it by them, the
    rest being a description ("the lockout message with the Mill Road address" for "I've locked
    myself out of my flat at 14 Mill Road ..."): at least two such words (a name of two words,
    or a name and a number), so one shared name ("the Reptile House one") is not enough."""
    toks = _TOKEN.findall(target)
    names = {stem(t.lower()) for k, t in enumerate(toks)
             if t.lower() not in STOP and (t.isdigit() or (t[:1].isupper() and k > 0))}
    if len(names) < 2:
        return None
    return _one([i for i in range(len(index)) if names <= {stem(w.lower()) for w in _TOKEN.findall(index.keys[i])}])


def stated_value(index, target: str) -> int | None:
    """The one row whose stored value is the target (the answer the user points at)."""
    want = utils.default_process(target)
    if len(want.split()) < 3:
        return None
    return _one([i for i in range(len(index))
                 if fuzz.ratio(want, utils.default_process(index.value(i))) >= SAME_VALUE])


_STRONG = ("email", "url", "phone")  # types whose value says which record it is, whatever the words around it


def typed_value(index, target: str) -> int | None:
    """The one row whose whole value is the e-mail address, URL or phone number the target
    gives ("the texting number, 555-0391" for the fact `reminder text number: 555-0391`); a
    value a longer answer only mentions is not the row's value (session 11)."""
    from lic_cli.locate import spans as typed

    given = [sp.text for kind in _STRONG for sp in typed.spans(target, kind)]
    if len(given) != 1:
        return None
    want = re.sub(r"\W", "", given[0].lower())
    return _one([i for i in range(len(index)) if re.sub(r"\W", "", index.value(i).lower()) == want])


def named_question(index, target: str) -> int | None:
    """The one row whose question holds every content word of the target (record words such
    as "answer" or "question" aside)."""
    words = {w for w in content_words(target) if w not in _RECORD_STEMS}
    if not words:
        return None
    # a compound is one word: "the check-in and check-out times" is not "What time is check-out?"
    compounds = set(_COMPOUND.findall(target.lower()))
    return _one([i for i in range(len(index)) if words <= content_words(index.keys[i]) | _joined(index.keys[i])
                 and compounds <= set(_COMPOUND.findall(index.keys[i].lower()))])


def _joined(text: str) -> set[str]:
    """Two words written as one ("sleep over" for "sleepovers", "pick up" for "pickup"), stemmed."""
    toks = _TOKEN.findall(text.lower())
    return {stem(a + b) for a, b in zip(toks, toks[1:], strict=False)}


_COMPOUND = re.compile(r"[a-z]+(?:-[a-z]+)+")


def named_row(index, task: Task, target: str, quoted: bool, cands: list[Candidate]) -> tuple[int, str, str] | None:
    """(row position, signal, why) of the row the forget target names, or None."""
    if task.format == "label":
        i = exact_text(index, target)
        if i is not None:
            return i, "text", "the row with exactly this text"
        i = holding_text(index, target) if quoted or any(ch.isdigit() for ch in target) else None
        if i is not None:
            return i, "text", "the one example holding the quoted text"
        i = holding_words(index, target)
        if i is not None:
            return i, "text", ("the one example holding every word the target names it by (a number or a name among "
                               "them, or three words)")
        i = holding_names(index, target)
        if i is not None:
            return i, "text", "the one example holding every name and number the target names it by"
        return None
    if task.format not in ("qa", "fact"):
        return None
    i = stated_value(index, target)
    if i is not None:
        return i, "previous_answer", "the row whose value is the answer the forget points at"
    if quoted:
        return None
    i = typed_value(index, target)
    if i is not None:
        return i, "value", "the one row whose value is the phone number, e-mail or URL the forget target gives"
    if task.format == "fact":
        named = cross.named_fact(index, task, target, cands)
        return (named[0].i, "key", named[1]) if named else None
    i = named_question(index, target)
    if i is not None:
        return i, "key", "the one question that holds every word of the forget target"
    return None


def named_or_meant(index, task: Task, target: str, quoted: bool, cands: list[Candidate]) -> tuple[int, str, str] | None:
    """`named_row`, else the row every view of meaning agrees on (`agreed_row`: signal
    "meaning_agreed", which may delete), else the row the target means (`meaning_row`: signal
    "meaning", a proposal); not for label tasks nor a quoted target, which names its text."""
    named = named_row(index, task, target, quoted, cands)
    if named is not None or quoted or task.format not in ("qa", "fact"):
        return named
    agreed = agreed_row(index, task, target, cands)
    if agreed is not None:
        return agreed
    distinct = distinct_row(index, task, target) if DISTINCT else None
    if distinct is not None:
        return distinct
    i = meaning_row(index, target, cands)
    if i is None:
        return None
    return i, "meaning", (f"the one row whose question or fact and value mean what the forget target says "
                          f"(cosine >= {MEANING_MIN}, {MEANING_MARGIN} above any other row)")


_KV_MEMO: dict[tuple[str, str, int], object] = {}


def _record_words_out(target: str) -> str:
    """The target without the words that say which kind of record is meant ("the towel hire
    question" -> "the towel hire")."""
    kept = [w for w in target.split() if stem(re.sub(r"[^\w]", "", w.lower())) not in _RECORD_STEMS]
    return " ".join(kept) or target


def by_meaning(index, target: str, cands: list[Candidate]) -> tuple[int, float, float] | None:
    """(row position, cosine, margin over the runner-up) of the row whose key and value mean
    most nearly what the target describes, or None (no rows, no target)."""
    import numpy as np

    text = _record_words_out(target).strip()
    if not text or len(index) == 0:
        return None
    rows = list(range(len(index))) if len(index) <= MEANING_ALL_ROWS else sorted({c.i for c in cands})
    if not rows:
        return None
    memo = (str(index.path), index.digest, id(index.encoder))
    emb = _KV_MEMO.get(memo)
    if emb is None or len(rows) != len(index):
        texts = [f"{index.keys[i]} {index.value(i)}" for i in rows]
        emb = np.asarray(index.encoder.encode(texts), dtype=np.float32)
        if len(rows) == len(index):
            _KV_MEMO[memo] = emb
    q = np.asarray(index.encoder.encode([text])[0], dtype=np.float32)
    sims = emb @ q
    order = np.argsort(-sims, kind="stable")
    best = float(sims[order[0]])
    second = float(sims[order[1]]) if len(order) > 1 else -1.0
    return rows[int(order[0])], best, best - second


def meaning_row(index, target: str, cands: list[Candidate]) -> int | None:
    """The row the target describes by meaning, when it is sure (MEANING_MIN, MEANING_MARGIN;
    below MEANING_SURE it must also share a content word with the target)."""
    found = by_meaning(index, target, cands)
    if found is None:
        return None
    i, sim, margin = found
    if sim < MEANING_MIN or margin < MEANING_MARGIN:
        return None
    if sim < MEANING_SURE and not _words_of(target) & _words_of(f"{index.keys[i]} {index.value(i)}"):
        return None
    return i


def _ranked(emb, q) -> tuple[int, float, float]:
    import numpy as np

    sims = emb @ q
    order = np.argsort(-sims, kind="stable")
    best = float(sims[order[0]])
    return int(order[0]), best, best - (float(sims[order[1]]) if len(order) > 1 else -1.0)


_VIEW_MEMO: dict[tuple[str, str, int, str], object] = {}


def agreed_row(index, task: Task, target: str, cands: list[Candidate]) -> tuple[int, str, str] | None:
    """(row, "meaning_agreed", why) when every view of meaning names the same row clearly: the
    row's key and value together (at least AGREED_MIN), its key alone and, for a QA task, its
    answer alone, each with the row AGREED_MARGIN above its runner-up ("who's the chief
    lifeguard" for the fact `head lifeguard`, "bringing a pet" for "Do you allow dogs?"). A
    target two rows fit in any view ("the opening time" beside weekday and weekend opening
    times), or one the views place on different rows, gives None: it stays a proposal."""
    import numpy as np

    text = _record_words_out(target).strip()
    if not text or len(index) < 2 or len(index) > MEANING_ALL_ROWS or task.format not in ("qa", "fact"):
        return None
    views = {"key and value": [f"{index.keys[i]} {index.value(i)}" for i in range(len(index))],
             "key": list(index.keys)}
    if task.format == "qa":
        views["value"] = [index.value(i) for i in range(len(index))]
    q = np.asarray(index.encoder.encode([text])[0], dtype=np.float32)
    picks = []
    for name, texts in views.items():
        memo = (str(index.path), index.digest, id(index.encoder), name)
        emb = _VIEW_MEMO.get(memo)
        if emb is None:
            emb = _VIEW_MEMO[memo] = np.asarray(index.encoder.encode(texts), dtype=np.float32)
        picks.append(_ranked(emb, q))
    rows = {p[0] for p in picks}
    if len(rows) != 1 or picks[0][1] < AGREED_MIN or min(p[2] for p in picks) < AGREED_MARGIN:
        return None
    i = picks[0][0]
    return i, "meaning_agreed", (f"every view of meaning names this row ({', '.join(views)}: cosine "
                                 f"{picks[0][1]:.2f} >= {AGREED_MIN}, each at least {AGREED_MARGIN} above the "
                                 f"runner-up: min {min(p[2] for p in picks):.2f})")


def distinct_row(index, task: Task, target: str) -> tuple[int, str, str] | None:
    """Session 12: (row, "meaning_word", why) when the target's words that only one row holds
    (in its key or value: "grooming dogs at *home*" ~ "Our mobile van visits *homes*") all name
    the same row, and meaning, over each row's key and value, ranks that row first. Neither view
    alone is enough: a word of one row may be said of another thing ("cooking your *own* food"),
    and meaning alone ranks near rows close together."""
    import numpy as np

    if task.format not in ("qa", "fact") or len(index) < 3 or len(index) > MEANING_ALL_ROWS:
        return None
    text = _record_words_out(target).strip()
    words = {w for w in content_words(text) if w not in _RECORD_STEMS}
    if not words:
        return None
    texts = [f"{index.keys[i]} {index.value(i)}" for i in range(len(index))]
    held = [content_words(t) | _joined(t) for t in texts]
    unique = {w: rows[0] for w in words if len(rows := [i for i, h in enumerate(held) if w in h]) == 1}
    named = set(unique.values())
    if len(named) != 1:
        return None
    i = named.pop()
    memo = (str(index.path), index.digest, id(index.encoder), "key and value")
    emb = _VIEW_MEMO.get(memo)
    if emb is None:
        emb = _VIEW_MEMO[memo] = np.asarray(index.encoder.encode(texts), dtype=np.float32)
    q = np.asarray(index.encoder.encode([text])[0], dtype=np.float32)
    best, sim, margin = _ranked(emb, q)
    if best != i or sim < DISTINCT_MIN or margin < DISTINCT_MARGIN:
        return None
    return i, "meaning_word", (f"the only row holding {', '.join(sorted(unique))!r} of the target, and the row its "
                               f"meaning ranks first (key and value: cosine {sim:.2f}, {margin:.2f} above the runner-up)")


# Session 12: a target whose last word names the kind of value its row holds ("the print lab
# *line*", "the booking *email*", "the old *website*"; "the *number* for the parts desk") names
# only a row stating such a value: "the print lab line" is not the FAQ row about prints.
_KIND_WORDS = {
    "phone": ("line", "phone", "mobile", "fax", "hotline", "helpline", "landline", "phone number", "mobile number",
              "fax number", "whatsapp"),
    "number": ("number",),  # a phone, a room or an account number: a value holding digits
    "email": ("email", "e-mail", "email address", "e-mail address", "inbox"),
    "url": ("website", "web address", "web page", "webpage", "url", "link"),
}
_KIND_OF = {w: kind for kind, words in _KIND_WORDS.items() for w in words}
_KIND_WORD = "|".join(sorted((re.escape(w) for w in _KIND_OF), key=len, reverse=True))
_LAST_KIND = re.compile(rf"(?:^|\s)({_KIND_WORD})\s*[.!?]?$", re.I)
_FIRST_KIND = re.compile(rf"^(?:(?:the|our|your|that|this|its|their|old)\s+)+({_KIND_WORD})\s+(?:for|to|at|of the)\s", re.I)


def value_kind(target: str) -> str | None:
    """The kind of value the target's head word names ("phone", "number", "email", "url"),
    or None: "the print lab line" -> phone; "the line about parking" -> None (a record word);
    "the number of pitches" -> None (a count, not the row's kind)."""
    t = " ".join(target.split())
    m = _LAST_KIND.search(t) or _FIRST_KIND.match(t)
    return _KIND_OF[m.group(1).lower()] if m else None


def states_kind(value: str, kind: str) -> bool:
    """Does a row's value state a value of this kind?"""
    from lic_cli.locate import spans as typed

    if kind == "number":
        return any(ch.isdigit() for ch in value)
    return bool(typed.spans(value, kind))


TURN = "_turn"  # set on a forget item's matching copy (never written out): the turn it came from


def names_nothing(target: str) -> bool:
    """A target of record and function words only ("that question", "the", "who's", "question
    from the FAQ"): it does not say which row it means; the turn around it does."""
    return not _words_of(target)


def with_turn(item: dict, text: str) -> dict:
    """A copy of a forget item to match on, carrying its turn when its target names nothing."""
    if item.get("kind") != "forget" or not text or not names_nothing(str(item.get("target", ""))):
        return item
    return {**item, TURN: text}


def turn_row(index, task: Task, item: dict) -> tuple[int, str, str] | None:
    """For a forget whose target names nothing: the row the turn means (`meaning_row` over the
    turn's text; QA and fact tasks). Only this signal decides such a forget: a turn is no key."""
    text = str(item.get(TURN) or "")
    if not text or task.format not in ("qa", "fact"):
        return None
    i = meaning_row(index, text, [])
    if i is None:
        return None
    return i, "meaning", (f"the forget target {item.get('target', '')!r} names no row; the turn means this one "
                          f"(cosine >= {MEANING_MIN}, {MEANING_MARGIN} above any other row)")
