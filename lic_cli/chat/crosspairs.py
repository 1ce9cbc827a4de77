"""The cross-encoder's training and calibration lists: each question with the rows a first
stage would hand the cross-encoder (chat/crossenc.py).

A chat turn re-scores the best few rows of the first stage (the row index's blend over the
packaged MiniLM, chat/rowindex.py), so training shows the cross-encoder exactly that: per
question, the `k` rows of its domain's task that the blend ranks highest. Those are the hard
negatives, the siblings a bi-encoder confuses ("When do your doors open Monday to Friday?"
against the Saturday hours row). The right row is kept among them even when the blend ranks
it lower (it replaces the last), so every paraphrase teaches something; general requests
(the corpus's train-split CLINC150 requests) are put against the best rows of a domain
drawn at random, with "no row" as their answer.

The questions and rows are chat/ranker.py's data (`ranker.setups`: per domain, its qa rows and
its fact rows, each with the paraphrases that ask for them), split by domain as the ranker's.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

NO_ROW = -1


@dataclass(frozen=True)
class Example:
    """One question and the rows the first stage hands over: their texts, the first stage's
    scores (the cross-encoder reads them as a feature) and the right one (NO_ROW: none)."""

    question: str
    rows: tuple[str, ...]
    prior: tuple[float, ...]
    gold: int
    setup: str


def candidates(scores: Sequence[float], gold: int, k: int) -> list[int]:
    """The `k` best rows by the first stage's `scores`, best first; the right row (`gold`,
    NO_ROW for none) replaces the last when it is not among them."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]
    if gold != NO_ROW and gold not in order and order:
        order[-1] = gold
    return order


def examples(setups: list[tuple[str, list[tuple[str, str, str]], list[tuple[str, int]]]],
             encode: Callable[[list[str]], Any], k: int, *, nulls: Sequence[str] = (),
             seed: int = 0, keep_gold: bool = True) -> list[Example]:
    """Every question of every setup (ranker.setups: (name, [(whole, key, value)], [(question,
    its row)])) with its first-stage candidates, then each of `nulls` against a setup drawn at
    random. `keep_gold` False hands over the first stage's best `k` as they are (calibration
    and measurement: a right row the first stage missed stays missed)."""
    from lic_cli.chat import rowindex

    out = []
    tables = []
    for name, rows, asks in setups:
        table = rowindex.Rows(rows, encode)
        tables.append((name, rows, table))
        q = encode([p for p, _ in asks]) if asks else []
        for n, (text, gold) in enumerate(asks):
            s = table.scores(q[n], text)
            pick = candidates(s, gold if keep_gold else NO_ROW, k)
            out.append(Example(text, tuple(rows[i][0] for i in pick), tuple(float(s[i]) for i in pick),
                               pick.index(gold) if gold in pick else NO_ROW, name))
    if nulls and tables:
        rng = random.Random(seed)
        q = encode(list(nulls))
        for n, text in enumerate(nulls):
            name, rows, table = rng.choice(tables)
            s = table.scores(q[n], text)
            pick = candidates(s, NO_ROW, k)
            out.append(Example(text, tuple(rows[i][0] for i in pick), tuple(float(s[i]) for i in pick), NO_ROW, name))
    return out
