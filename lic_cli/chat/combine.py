"""Chat's two learned retrieval stages, combined: the re-ranker re-scores the first stage's best
rows, and a calibrated mix of its score and the ranker's orders them and decides.

Session 9 measured the two apart (docs/chat.md): the cross-encoder re-ranker (chat/crossenc.py)
puts the right sibling first more often than the bi-encoder ranker (chat/ranker.py) on held-out
domains, but its own score is a poor judge of *whether* a row answers at all (general questions
it lifts set its threshold, and right rows fall below it); the ranker's score judges that better.
So here both are read together:

- **candidates**: the base model's blend picks the best `k` rows of every task (and the staged
  rows), as the re-ranker was trained to read them;
- **order**: the deciding signal itself (`order="mix"`, chosen), or the re-ranker's score
  (`"cross"`), plus `qualifier` times chat/qualifier.py's reading of the day or age group a question names
  and a row must share;
- **decide**: the first row answers when `signal` = weight x (ranker score - ranker threshold)
  + (1 - weight) x (re-ranker score - re-ranker threshold) is at or above the combination's own
  threshold. weight 1 is the ranker's score alone, 0 the re-ranker's.

The rule (order, weight, qualifier) was chosen on the dev domains only (makerspace and
ranker.DEV_DOMAINS, with vetclinic and campusit, scored once in session 9, as dev too:
bench/bench_retrieval.py --combined, docs/chat.md "Session 10"): of a grid of 200 rules, the most
paraphrases found (first and at or above the threshold) on those domains was the mix of 0.75 x the
ranker's margin and 0.25 x the re-ranker's, ordering by that same signal, with the day and
age-group qualifiers at weight 2 (dev 280 of 450 found, recall@1 72.0 %, against the ranker's 273
and 69.1 %; vetclinic + campusit 76 of 121 against 74). Ordering by the re-ranker's score alone
put more right rows first on vetclinic and campusit (88 against 81 of 121) but fewer on the
other dev domains (300 against 324 of 450). The threshold is calibrated by
the rule of every other retriever here: the least signal at which at most one of the 140 general
probes (lic_cli/data/retrieval_probes.jsonl) reaches a row of any DEV_DOMAINS setup. It depends
on the trained ranker and re-ranker, so it is computed on the machine that trained them, the
first time both are used (about a minute), and cached under $LIC_HOME/cache/combined/.

Since session 11 (Rule.by_kind) a question that asks for no known kind of answer (answertype.py:
not when, how much, who, where, how long, the phone ...) is held to a threshold of its own, the least
at which, with the others at the shared threshold, still at most one probe reaches any DEV_DOMAINS
setup: 112 of the 140 probes are such questions, enough to set it (the other kinds hold 1-9 probes
each, so they keep the shared one). On the dev domains it found 455 of 692 paraphrases against 439
(docs/chat.md "Session 11"); a margin-over-the-runner-up rule was measured too and lost.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lic_cli.chat import answertype
from lic_cli.chat import qualifier as qual

CODE_VERSION = "2"  # 2: a threshold of its own for questions that ask no known kind (session 11)
USE_ENV = "LIC_COMBINE"  # "0": with both trained, the re-ranker alone (session 9's path)


@dataclass(frozen=True)
class Rule:
    """How the two stages combine (chosen on the dev domains, docs/chat.md "Session 10")."""

    order: str = "mix"  # "cross": the re-ranker's score orders; "mix": the deciding signal orders
    weight: float = 0.75  # the ranker's share of the deciding signal (1: the ranker alone; 0: the re-ranker)
    qualifier: float = 2.0  # weight of the qualifier reading in the order (0: off)
    qualifier_how: str = "classes"  # chat/qualifier.py adjust: "classes", "words", "both"
    union: bool = False  # also re-score the ranker's best k (not only the base model's)
    let_in: int = 1  # probes one calibration setup may let in (of 140)
    by_kind: bool = True  # questions that ask no known kind of answer get a threshold of their own (session 11)


DEFAULT = Rule()


@dataclass
class Candidate:
    """One row a question is choosing between, with each stage's score of it."""

    ref: Any  # (task, row): what the caller knows the row by
    text: str  # the whole row, as the re-ranker reads it
    base: float  # the base model's blend (the re-ranker's prior)
    ranker: float  # the learned ranker's score
    cross: float = 0.0  # the re-ranker's score
    extra: dict[str, Any] = field(default_factory=dict)


def signal(c: Candidate, rule: Rule, ranker_threshold: float, cross_threshold: float) -> float:
    """The deciding signal: the weighted margins of the two scores over their own thresholds."""
    return rule.weight * (c.ranker - ranker_threshold) + (1.0 - rule.weight) * (c.cross - cross_threshold)


def ordered(question: str, cands: Sequence[Candidate], rule: Rule, ranker_threshold: float,
            cross_threshold: float) -> list[tuple[float, Candidate]]:
    """The candidates best first, each with its deciding signal."""
    sig = [signal(c, rule, ranker_threshold, cross_threshold) for c in cands]
    by = [c.cross - cross_threshold for c in cands] if rule.order == "cross" else list(sig)
    if rule.qualifier:
        adj = qual.adjust(question, [c.text for c in cands], rule.qualifier_how)
        by = [b + rule.qualifier * a for b, a in zip(by, adj, strict=True)]
    order = sorted(range(len(cands)), key=lambda i: (-by[i], -sig[i], i))
    for i, c in enumerate(cands):  # what ordered it, for a later reading of the best few (chat/lmrank.py)
        c.extra["order"] = by[i]
    return [(sig[i], cands[i]) for i in order]


def best(question: str, cands: Sequence[Candidate], rule: Rule, ranker_threshold: float,
         cross_threshold: float) -> tuple[float, Candidate | None]:
    """(the first row's deciding signal, the first row); (-inf, None) with no candidates."""
    out = ordered(question, cands, rule, ranker_threshold, cross_threshold)
    return out[0] if out else (float("-inf"), None)


def plain(question: str) -> bool:
    """Does the question ask for no known kind of answer (chat/answertype.py: not when, how much,
    who, where, how long, the phone ...)? Such questions have a threshold of their own."""
    return not answertype.asks(question)


def plain_threshold(probes: dict[str, Sequence[tuple[float, bool]]], threshold: float, let: int) -> float:
    """The least threshold for plain questions (their own class: 112 of the 140 probes) at which, with
    the other questions at `threshold`, at most `let` probes of any setup still reach a row; never
    above `threshold`. `probes`: per setup, each probe's (signal, plain)."""
    if not any(p for vs in probes.values() for _, p in vs):
        return threshold
    others = {k: sum(1 for v, p in vs if not p and v >= threshold) for k, vs in probes.items()}
    best = threshold
    for cand in sorted({round(v + 1e-4, 4) for vs in probes.values() for v, p in vs if p and v < threshold},
                       reverse=True) + [float("-inf")]:
        if all(others[k] + sum(1 for v, p in vs if p and v >= cand) <= let for k, vs in probes.items()):
            best = cand
        else:
            break
    return best if best > float("-inf") else min((v for vs in probes.values() for v, _ in vs), default=threshold)


def let_in_threshold(probe_signals: dict[str, Sequence[float]], let: int) -> float:
    """The least threshold at which at most `let` probes of any setup reach a row: just above the
    (let+1)-th highest probe signal of the setup where it is highest."""
    tops = []
    for values in probe_signals.values():
        s = sorted(values, reverse=True)
        tops.append(float(s[let]) if len(s) > let else float("-inf"))
    top = max(tops, default=float("-inf"))
    return round(top + 1e-4, 4) if top > float("-inf") else 0.0


# --- scoring candidates against rows held in memory (calibration, the benches) -----------------


def table_candidates(question: str, tables: Sequence[tuple[Any, list[str], Any, Any]], qb, qr, head, cross,
                     k: int, union: bool = False) -> list[Candidate]:
    """A question's candidates over several tasks' rows held in memory: per task (name, whole row
    texts, base-model table, ranker table: rowindex.Rows), the base model's best `k` over all of
    them (and with `union` the ranker's best `k`), each scored by both stages and the re-ranker."""
    import numpy as np

    per = []
    for name, texts, tb, tr in tables:
        sb = tb.scores(qb, question)
        sr = tr.scores(qr, question, head)
        per.append((name, texts, np.asarray(sb), np.asarray(sr)))
    flat = [(float(sb[j]), float(sr[j]), name, j, texts[j]) for name, texts, sb, sr in per for j in range(len(texts))]
    pick = sorted(range(len(flat)), key=lambda i: -flat[i][0])[:k]
    if union:
        pick += [i for i in sorted(range(len(flat)), key=lambda i: -flat[i][1])[:k] if i not in pick]
    out = [Candidate((flat[i][2], flat[i][3]), flat[i][4], flat[i][0], flat[i][1]) for i in pick]
    if out and cross is not None:
        scores = cross.score(question, [c.text for c in out], [c.base for c in out])
        for c, s in zip(out, scores, strict=True):
            c.cross = float(s)
    return out


@dataclass
class Calibration:
    threshold: float
    probe_top: dict[str, float]
    dev_found: int
    dev_questions: int
    plain: float | None = None  # the threshold of questions that ask no known kind (Rule.by_kind)

    def for_question(self, question: str) -> float:
        """The threshold this question's first row is held to."""
        return self.plain if self.plain is not None and plain(question) else self.threshold


def calibrate(rule: Rule, ranker_obj, cross_obj, base_encode: Callable, dev: list, probes: list[str],
              note: Callable[[str], None] = lambda s: None) -> Calibration:
    """The combination's threshold on the DEV_DOMAINS setups (ranker.setups(dev)): each probe's first
    row's signal, per setup; and what it finds there (dev questions whose own row is first at or
    above it)."""
    from lic_cli.chat import ranker as ranking
    from lic_cli.chat import rowindex

    bmemo = ranking._memo(base_encode)
    rmemo = ranking._memo(ranker_obj.encoder().encode)
    rt, ct = ranker_obj.threshold, cross_obj.threshold
    probe_sig: dict[str, list[float]] = {}
    firsts: list[tuple[float, str]] = []
    total = 0
    qb_p, qr_p = bmemo(probes), rmemo(probes)
    for name, rows, asks in ranking.setups(dev):
        note(name)
        texts = [r[0] for r in rows]
        tables = [(name, texts, rowindex.Rows(rows, bmemo), rowindex.Rows(rows, rmemo))]
        head = ranker_obj.head
        probe_sig[name] = [best(p, table_candidates(p, tables, qb_p[i], qr_p[i], head, cross_obj, cross_obj.k,
                                                    rule.union), rule, rt, ct)[0] for i, p in enumerate(probes)]
        qs = [p for p, _ in asks]
        qb, qr = bmemo(qs), rmemo(qs)
        for i, (p, gold) in enumerate(asks):
            s, c = best(p, table_candidates(p, tables, qb[i], qr[i], head, cross_obj, cross_obj.k, rule.union),
                        rule, rt, ct)
            if c is not None and c.ref == (name, gold):
                firsts.append((s, p))
        total += len(asks)
    threshold = let_in_threshold(probe_sig, rule.let_in)
    low = plain_threshold({k: [(v, plain(p)) for v, p in zip(vs, probes, strict=True)] for k, vs in probe_sig.items()},
                          threshold, rule.let_in) if rule.by_kind else None
    cal = Calibration(threshold, {k: round(sorted(v, reverse=True)[rule.let_in], 4) for k, v in probe_sig.items()},
                      0, total, low)
    cal.dev_found = sum(1 for s, p in firsts if s >= cal.for_question(p))
    return cal


def enabled() -> bool:
    import os

    return os.environ.get(USE_ENV, "1").strip().lower() not in ("0", "no", "off", "false")


# --- the cache ------------------------------------------------------------------------------


def cache_path(rule: Rule, ranker_obj, cross_obj) -> Path:
    from lic_cli.chat import rowindex
    from lic_cli.models import cache_dir

    # The views scoring reads (session 11: the question view on or off) change every score, so each
    # has its own calibration.
    views = f"|views{rowindex.active_views()}" if rowindex.active_views() != 2 else ""
    key = hashlib.sha256(f"{CODE_VERSION}|{sorted(asdict(rule).items())}|{ranker_obj.folder}|{cross_obj.folder}|"
                         f"{ranker_obj.threshold}|{cross_obj.threshold}{views}".encode()).hexdigest()[:16]
    return cache_dir("combined") / f"{key}.json"


def ensure(ranker_obj, cross_obj, rule: Rule | None = None, *, quiet: bool = False) -> Calibration:
    """The combination's calibration for this trained ranker and re-ranker: cached, or computed now."""
    from lic_cli import progress
    from lic_cli.chat import ranker as ranking
    from lic_cli.models import load_encoder
    from lic_cli.store.atomic import write_atomic

    rule = rule or DEFAULT
    path = cache_path(rule, ranker_obj, cross_obj)
    if path.is_file():
        try:
            return Calibration(**json.loads(path.read_text(encoding="utf-8"))["calibration"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    what = "chat: calibrating the ranker and re-ranker together (once, about a minute)"
    with progress.Progress(what, after=0, quiet=quiet) as bar:
        _, dev = ranking.split_items(ranking.all_items())
        cal = calibrate(rule, ranker_obj, cross_obj, load_encoder("minilm").encode, dev, ranking.probe_questions(),
                        note=lambda s: bar.update(f"{what}: {s}"))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"rule": asdict(rule), "ranker": str(ranker_obj.folder),
                                        "cross": str(cross_obj.folder), "calibration": asdict(cal)}, indent=1))
    return cal
