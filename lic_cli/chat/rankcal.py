"""The learned retriever's head and threshold (chat/ranker.py): the setups a taught domain has,
the head fitted over the row index's features, and the calibration by the probes."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from lic_cli.chat.rankdata import Item
from lic_cli.chat.ranktrain import Settings

Setup = tuple[str, list[tuple[str, str, str]], list[tuple[str, int]]]


def setups(items: list[Item]) -> list[Setup]:
    """Per domain, the tasks a taught domain has, (name, [(whole, key, value)], [(question, its row)]):
    its qa rows; its fact rows (the items with a triple)."""
    by: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by[it.domain].append(it)
    out: list[Setup] = []
    for d, its in sorted(by.items()):
        out.append((f"{d}/qa", [(f"{i.question} {i.answer}", i.question, i.answer) for i in its],
                    [(p, n) for n, i in enumerate(its) for p in i.paraphrases]))
        facts = [i for i in its if i.fact]
        if facts:
            out.append((f"{d}/facts", [(" ".join(i.fact), f"{i.fact[0]} {i.fact[1]}", i.fact[2]) for i in facts],
                        [(p, n) for n, i in enumerate(facts) for p in (*i.paraphrases, i.question)]))
    return out


def fit_head(encode: Callable[[list[str]], Any], items: list[Item], nulls: list[str], settings: Settings):
    """The learned head (chat/rerank.py) over the features of every training question against its
    setup's rows (the right row its target), and of the general requests against a setup drawn at
    random (no row their target)."""
    from lic_cli.chat import rerank, rowindex

    samples = []
    built = []
    for _, rows, asks in setups(items):
        table = rowindex.Rows(rows, encode)
        built.append(table)
        q = encode([p for p, _ in asks])
        samples += [(table.features(q[k], p), gold) for k, (p, gold) in enumerate(asks)]
    rng = random.Random(settings.seed)
    general = encode(nulls)
    samples += [(rng.choice(built).features(general[k], p), -1) for k, p in enumerate(nulls)]
    return rerank.train_head(samples, hidden=settings.head_hidden, steps=settings.head_steps, seed=settings.seed)


def best_scores(encode: Callable[[list[str]], Any], rows: list[tuple[str, str, str]], questions: list[str],
                head: Any = None):
    """(best score, best row) of each question against one task's rows, scored as chat's row index scores."""
    import numpy as np

    from lic_cli.chat import rowindex

    table = rowindex.Rows(rows, encode)
    q = encode(questions)
    out = np.zeros(len(questions), dtype=np.float32)
    arg = np.zeros(len(questions), dtype=np.int64)
    for i, text in enumerate(questions):
        s = table.scores(q[i], text, head)
        arg[i] = int(s.argmax())
        out[i] = float(s[arg[i]])
    return out, arg


def calibrate(encode: Callable[[list[str]], Any], dev: list[Item], probes: list[str],
              let: int, head: Any = None) -> dict[str, Any]:
    """The least threshold at which at most `let` of the probes reach any dev setup's rows,
    and what it finds there (dev paraphrases whose own row ranks first at or above it)."""
    import numpy as np

    encode = memo(encode)
    per = {}
    highest = -1e9
    found = total = 0
    firsts = []
    for name, rows, asks in setups(dev):
        scores, _ = best_scores(encode, rows, probes, head)
        top = float(np.sort(scores)[::-1][let]) if len(scores) > let else 0.0
        per[name] = round(top, 4)
        highest = max(highest, top)
        scores, arg = best_scores(encode, rows, [p for p, _ in asks], head)
        firsts += [float(s) for s, a, (_, g) in zip(scores, arg, asks, strict=True) if a == g]
        total += len(asks)
    threshold = round(highest + 1e-4, 4)
    found = sum(1 for s in firsts if s >= threshold)
    return {"threshold": threshold, "probes": len(probes), "let_in_per_setup": let, "probe_top": per,
            "dev_found": found, "dev_questions": total}


def memo(encode: Callable[[list[str]], Any]) -> Callable[[list[str]], Any]:
    """`encode`, each text embedded once."""
    import numpy as np

    seen: dict[str, Any] = {}

    def cached_encode(texts: list[str]):
        todo = [t for t in dict.fromkeys(texts) if t not in seen]
        if todo:
            seen.update(zip(todo, encode(todo), strict=True))
        return np.stack([seen[t] for t in texts]) if texts else encode([])

    return cached_encode

