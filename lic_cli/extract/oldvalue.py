"""The old value a correction replaces, read from the answer it corrects (issue 15, session 14).

A correction answers the assistant's last turn ("I believe the spin class on Tuesdays is taught
by Jade." -> "Careful, it's taught by Marco."); the value it replaces is the part of that answer
the correction does not repeat. The learned engine, trained to copy spans, often gives no old
value, the whole answer ("I believe ... Dev Shah."), or a piece of it ("10" for "7:10"). Read
by alignment, naming no domain word:

1. a value of the new value's shape in the answer (digits as digits: "7:40" finds "7:10",
   "60 euros plus any fare difference" finds "50 euros plus any fare difference");
2. else the run of the answer's words after the first word it shares with the user's question
   or the correction (so a lead-in such as "As far as I know" is passed over) that neither of
   them says (a plural as its singular), function words at its ends trimmed ("the sauna is
   closed on Mondays" corrected to "women only" -> "closed"), the complement of a copula
   ("our course manager is Morven Penhale" -> "Morven Penhale"), a name whole ("Ysolde Kovach"
   when the correction names only "Ysolde").

Only a `correct` turn replaces a value (the corpus's gold has `replaces` in no other), and an
old value said in the correction itself ("not 15", `repair.said_old`) stands.
"""

from __future__ import annotations

import re
from typing import Any

# Measured and not adopted (docs/extract.md "Session 14"): it raised the corpus dev split and the
# tune sets but lowered the check set fresh10 by one turn; `auto` runs it only when switched on.
CONTEXT_OLD = False

_FUNCTION = frozenset("the a an of on in at for to with by about from is are was were be been it its "
                      "it's that this and or but so as than".split())
_WORD = re.compile(r"[\w'\u2019:.$\u00a3\u20ac%-]+")
_COPULA = frozenset("is are was were".split())
MAX_WORDS = 6


def _words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, the word in lower case without a final plural -s)."""
    return [(m.start(), m.end(), re.sub(r"(?<=[a-z]{3})s$", "", m.group().lower().strip(".:'\u2019")))
            for m in _WORD.finditer(text)]


def _shape(value: str) -> str:
    return re.sub(r"\d+", r"\\d+", re.escape(" ".join(value.split())))


def by_shape(answer: str, new: str) -> str | None:
    """A value in the answer shaped as the new value, with digits in it, and not the same."""
    if not re.search(r"\d", new):
        return None
    found = [m.group() for m in re.finditer(r"(?<![\w:.])" + _shape(new) + r"(?![\w:]|[.,]\d)", answer)]
    found = [f for f in found if f.lower() != new.lower()]
    return found[-1] if found else None


def by_alignment(answer: str, said: str) -> str | None:
    """The one run of the answer's words, after the first word it shares with `said`, that
    `said` does not hold (function words at its ends trimmed), or None."""
    known = {w for _, _, w in _words(said)}
    words = _words(answer)
    first = next((i for i, (_, _, w) in enumerate(words) if w in known and w not in _FUNCTION), None)
    if first is None:
        return None
    runs: list[list[int]] = [[]]
    for i in range(first + 1, len(words)):
        w = words[i][2]
        if w in _FUNCTION or w not in known:
            runs[-1].append(i)
        elif runs[-1]:
            runs.append([])
    runs = [r for r in runs if any(words[j][2] not in _FUNCTION for j in r)]
    if len(runs) != 1:
        return None
    run = runs[0]
    while words[run[0]][2] in _FUNCTION:
        run = run[1:]
    while words[run[-1]][2] in _FUNCTION:
        run = run[:-1]
    # A copular statement's value is its complement: "(our course) manager is Morven Penhale".
    cop = [k for k, j in enumerate(run) if words[j][2] in _COPULA]
    if cop and cop[-1] < len(run) - 1:
        run = run[cop[-1] + 1:]
    # A name is kept whole: capitalised words right before a capitalised run join it.
    start = run[0]
    while start > 0 and answer[words[start][0]].isupper() and answer[words[start - 1][0]].isupper() \
            and re.search(r"(?<![.!?]\s)(?<!^)\b" + re.escape(answer[words[start - 1][0]:words[start - 1][1]]) + r"\b",
                          said):  # the word before is a name the correction says mid-sentence too
        start -= 1
    run = list(range(start, run[-1] + 1))
    if len(run) > MAX_WORDS:
        return None
    return answer[words[run[0]][0]:words[run[-1]][1]].strip(" .,;:")


def _last(context: list[dict], role: str) -> str:
    return next((str(t.get("text", "")) for t in reversed(context or []) if t.get("role") == role), "")


def repair(items: list[dict[str, Any]], text: str, context: list[dict], label: str) -> list[dict[str, Any]]:
    if not CONTEXT_OLD or label != "correct":
        return items
    answer = _last(context, "assistant")
    if not answer:
        return items
    from lic_cli.extract.repair import said_old

    question = _last(context, "user")
    out = []
    for item in items:
        field = {"qa": "answer", "fact": "object"}.get(str(item.get("kind")))
        new = str(item.get(field) or "") if field else ""
        old = str(item.get("replaces") or "")
        if not new or old and (said_old(text, new) or old.lower() in text.lower()) \
                and old.lower() not in answer.lower():
            out.append(item)
            continue
        # An old value copied whole from the answer, or a piece of one, is read again.
        shaped = by_shape(answer, new)
        if not old or len(old.split()) > MAX_WORDS:
            found = shaped or by_alignment(answer, f"{question} {text}")
        else:  # a piece of the value of the new one's shape ("10" of "7:10")
            found = shaped if shaped and old.lower() in shaped.lower() else None
        if found:
            item = {**item, "replaces": found}
        out.append(item)
    return out
