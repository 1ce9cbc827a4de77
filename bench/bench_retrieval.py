"""Chat's retriever alone: recall@1 / recall@5 of the row a paraphrase asks about, base model
against the learned ranker (lic_cli/chat/ranker.py) and the cross-encoder re-ranker over the
base model's best k (lic_cli/chat/crossenc.py), in the same run.

    python bench/bench_retrieval.py [--split dev|heldout|demo ...] [--set lr=5e-5 epochs=2 ...]
                                    [--cross-set k=5 ...] [--no-ranker] [--no-cross]

Per domain, each fact's row is put in a project beside the demo's rows (datasets/support_qa
and facts, 532 rows: "the project's other rows"), as one task per kind, and every paraphrase
is scored as chat's row index scores it (lic_cli/chat/rowindex.py `score_views`: the better of
row and key, the domain, situated, the kind of value). A paraphrase counts at k when its own
row is among the k best rows of all tasks; `found` when it is first and at or above the
retriever's threshold (what chat answers from). Setups: `qa` (the fact as a qa row, as
`direct` in bench_grounding.py) and, for domains whose facts have triples, `facts` (the fact
as a subject / relation / object row, the shape a fact taught through chat often takes).

Probes: the general questions of lic_cli/data/retrieval_probes.jsonl (general.jsonl pool/dev,
situated.jsonl): how many reach any row of a setup at the threshold (unrelated questions
must stay untouched). evals/chat/unrelated.jsonl is never read here.

Splits: `dev` is makerspace (evals/chat) and the ranker's DEV_DOMAINS; `heldout` is vetclinic
and campusit (held out until session 9), `heldout2` trampoline and barber (until session 10), both
dev since; `heldout3` farmshop and boathire (session 11's held out, scored once; dev since session 12); `heldout4`
glamping and archery (session 12's held out); `demo` is
Kestrel's 20 facts (bench_learning.py).

Session 11: `--combined DUMP --views off on base head` scores every retriever with the question view
(chat/queries.py) off, read by the blend and the head, by the blend only, or with the ranker's head
fitted again with it (`--refit-head DIR`), in one run (the re-ranker's pair readings shared,
`--pair-cache FILE` keeps them between runs); `--from-dump DUMP --accept` scores the margin-over-the-
runner-up rules; the combination is reported with one threshold and with plain questions' own.
`--set` trains (or reuses) a ranker with other settings, `--cross-set` a re-ranker, for
tuning on dev.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVALS = ROOT / "evals" / "chat"
K = 5


def kestrel_items():
    from lic_cli.chat.ranker import Item

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_learning import FACTS

    return [Item("kestrel", f"kestrel-{n:02d}", q, a, (p,)) for n, (q, a, p) in enumerate(FACTS, 1)]


def domain_items(split: str) -> dict[str, list]:
    from lic_cli.chat import ranker

    if split == "dev":
        out = {"makerspace": ranker.read_items(EVALS / "makerspace.jsonl")}
        dev = ranker.split_items(ranker.all_items())[1]
        for d in ranker.DEV_DOMAINS:
            out[d] = [i for i in dev if i.domain == d]
        return out
    if split == "heldout":
        return {d: ranker.read_items(EVALS / f"{d}.jsonl") for d in ("vetclinic", "campusit")}
    if split == "heldout2":  # session 10's held-out domains (evals/chat/README.md), dev since session 11
        return {d: ranker.read_items(EVALS / f"{d}.jsonl") for d in ("trampoline", "barber")}
    if split == "heldout3":  # session 11's held-out domains (evals/chat/README.md), dev since session 12
        return {d: ranker.read_items(EVALS / f"{d}.jsonl") for d in ("farmshop", "boathire")}
    if split == "heldout4":  # session 12's new held-out domains (evals/chat/README.md)
        return {d: ranker.read_items(EVALS / f"{d}.jsonl") for d in ("glamping", "archery")}
    return {"kestrel": kestrel_items()}


def demo_rows() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The demo's answering tasks as (format, [(whole, key, value)])."""
    from lic_cli.chat import rowindex
    from lic_cli.store.formats import read_rows
    from lic_cli.tasks import load_project

    project = load_project(ROOT)
    out = []
    for task in project.tasks.values():
        if not rowindex.answers_questions(task):
            continue
        rows = [r for _, r in read_rows(project.dataset_path(task), task.dataset)]
        out.append((task.name, [(rowindex.row_text(task, r), rowindex.row_key(task, r), rowindex.row_value(task, r))
                                for r in rows]))
    return out


class Scorer:
    """One encoder's embeddings of every text, cached; a project's tasks scored as the row index
    scores them (the blend, or the learned head's scores when `head` is given)."""

    def __init__(self, encode, head=None, cross=None) -> None:
        self.encode = encode
        self.head = head
        self.cross = cross
        self.memo: dict[str, object] = {}
        self.tables: dict[int, object] = {}
        self.pair_memo: dict[tuple[str, str, float], float] = {}

    def emb(self, texts: list[str]):
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            for t, e in zip(todo, self.encode(todo), strict=True):
                self.memo[t] = e
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)

    def table(self, rows):
        from lic_cli.chat import rowindex

        if id(rows) not in self.tables:
            self.tables[id(rows)] = (rows, rowindex.Rows(rows, self.emb))
        return self.tables[id(rows)][1]

    def ranked(self, tasks: list[tuple[str, list[tuple[str, str, str]]]], questions: list[str]):
        """Per question, [(score, task, row)] best first (the best K of all tasks)."""
        tables = [(name, self.table(rows)) for name, rows in tasks]
        q = self.emb(questions)
        out = []
        for i, text in enumerate(questions):
            cands = []
            depth = self.cross.k if self.cross is not None else K
            for name, table in tables:
                s = table.scores(q[i], text, self.head)
                for j in s.argsort()[::-1][:depth]:
                    cands.append((float(s[j]), name, int(j)))
            cands.sort(reverse=True)
            if self.cross is not None:  # the first stage's best k, re-scored as chat's retrieval does
                cands = self.rescore(text, cands[:depth], dict(tasks))
            out.append(cands[:K])
        return out

    def rescore(self, text: str, cands, rows_of: dict):
        """The cross-encoder's scores of the candidates, best first (a pair scored once per run)."""
        keys = [(text, rows_of[name][j][0], round(prior, 6)) for prior, name, j in cands]
        todo = [k for k in dict.fromkeys(keys) if k not in self.pair_memo]
        if todo:
            for k, s in zip(todo, self.cross.score(text, [k[1] for k in todo], [k[2] for k in todo]), strict=True):
                self.pair_memo[k] = float(s)
        return sorted(((self.pair_memo[k], name, j) for k, (_, name, j) in zip(keys, cands, strict=True)),
                      reverse=True)


def setups_of(items) -> list[tuple[str, list[tuple[str, str, str]], list[tuple[str, int]]]]:
    """(setup, the domain task's rows, [(paraphrase, gold row)])."""
    qa = [(f"{i.question} {i.answer}", i.question, i.answer) for i in items]
    out = [("qa", qa, [(p, n) for n, i in enumerate(items) for p in i.paraphrases])]
    with_fact = [i for i in items if i.fact]
    if with_fact:
        rows = [(" ".join(i.fact), f"{i.fact[0]} {i.fact[1]}", i.fact[2]) for i in with_fact]
        out.append(("facts", rows, [(p, n) for n, i in enumerate(with_fact) for p in i.paraphrases]))
    return out


def measure(scorer: Scorer, threshold: float, domains: dict, demo, probes: list[str]) -> dict:
    """Per domain and setup: recall@1 / @5 with the demo's rows beside the domain's; `found` and the
    probes with the domain's rows alone, as a taught project holds them (bench_grounding.py)."""
    res = {}
    for d, items in domains.items():
        for setup, rows, asks in setups_of(items):
            questions = [p for p, _ in asks]
            ranked = scorer.ranked([("domain", rows)] + demo, questions)
            alone = scorer.ranked([("domain", rows)], questions)
            at = [next((k for k, (_, t, j) in enumerate(top) if t == "domain" and j == gold), None)
                  for (_, gold), top in zip(asks, ranked, strict=True)]
            first = [top[0][0] if top and top[0][2] == gold else None
                     for (_, gold), top in zip(asks, alone, strict=True)]
            probe_top = sorted((top[0][0] for top in scorer.ranked([("domain", rows)], probes) if top), reverse=True)
            res[f"{d}/{setup}"] = {
                "n": len(asks), "r1": sum(a == 0 for a in at), "r5": sum(a is not None for a in at),
                "found": sum(1 for f in first if f is not None and f >= threshold),
                "probes_in": sum(1 for s in probe_top if s >= threshold) if probes else None,
                "probe_second": probe_top[1] if len(probe_top) > 1 else None, "first_scores": first}
    return res


def matched(res: dict) -> tuple[float, int]:
    """The least threshold letting at most 1 probe into any setup, and how many paraphrases are then found."""
    threshold = max(v["probe_second"] for v in res.values()) + 1e-4
    return threshold, sum(1 for v in res.values() for s in v["first_scores"] if s is not None and s >= threshold)



# --- session 10: the stages combined (lic_cli/chat/combine.py) ------------------------------------


class PairMemo:
    """The re-ranker with each (question, row) pair read once per run: its score is linear in the
    prior (crossenc.py: pair reading + segments' cosine + prior weight x prior + bias), so a pair's
    reading is kept at prior 0 and the prior added, whatever first stage (view on or off) asked."""

    def __init__(self, cross) -> None:
        self.cross = cross
        self.k = cross.k
        self.memo: dict[tuple[str, str], float] = {}
        self.weight = float(cross._net[1].prior.detach())

    def score(self, question: str, rows: list[str], prior):
        import numpy as np

        todo = [r for r in dict.fromkeys(rows) if (question, r) not in self.memo]
        if todo:
            for r, v in zip(todo, self.cross.score(question, todo, np.zeros(len(todo), np.float32)), strict=True):
                self.memo[(question, r)] = float(v)
        return np.array([self.memo[(question, r)] + self.weight * float(p) for r, p in zip(rows, prior, strict=True)],
                        dtype=np.float32)


def combined_dump(base_encode, rk, cross, domains: dict, demo, probes: list[str], k: int, *, bmemo=None,
                  rmemo=None, tables=None) -> list[dict]:
    """Every question of every setup with its candidates (the base model's best k over the tasks,
    and the ranker's best k), each scored by the base model, the ranker and the re-ranker (the
    base model's best k: the union's others only by the ranker): in the demo's company (recall@1)
    and alone (found), and each probe alone (calibration). Scored with the rows' views that
    rowindex.active_views() reads now (session 11: the question view on or off)."""
    from lic_cli.chat import combine, ranker, rowindex

    bmemo = bmemo or ranker._memo(base_encode)
    rmemo = rmemo or ranker._memo(rk.encoder().encode)
    tables = {} if tables is None else tables

    def table(name, rows):  # keyed by the list's id: the list is kept, so the id is never reused
        if id(rows) not in tables:
            tables[id(rows)] = (rows, (name, [r[0] for r in rows], rowindex.Rows(rows, bmemo),
                                       rowindex.Rows(rows, rmemo)))
        return tables[id(rows)][1]

    out = []

    def add(setup, ctx, tasks, asks):
        ts = [table(name, rows) for name, rows in tasks]
        qs = [p for p, _ in asks]
        qb, qr = bmemo(qs), rmemo(qs)
        for i, (text, gold) in enumerate(asks):
            cands = combine.table_candidates(text, ts, qb[i], qr[i], rk.head, None, k, union=True)
            first = cands[:k]
            if first:
                for c, v in zip(first, cross.score(text, [c.text for c in first], [c.base for c in first]),
                                strict=True):
                    c.cross = float(v)
            out.append({"setup": setup, "ctx": ctx, "q": text, "gold": None if gold is None else ["domain", gold],
                        "cands": [[c.ref[0], c.ref[1], round(c.base, 5), round(c.ranker, 5), round(c.cross, 5),
                                   n < k, c.text] for n, c in enumerate(cands)]})

    for d, items in domains.items():
        for setup, rows, asks in setups_of(items):
            name = f"{d}/{setup}"
            add(name, "demo", [("domain", rows)] + demo, asks)
            add(name, "alone", [("domain", rows)], asks)
            if probes:
                add(name, "probe", [("domain", rows)], [(p, None) for p in probes])
    return out


RETRIEVERS = ("base", "ranker", "cross")


def first_of(rec: dict, who, thresholds: dict):
    """(the first candidate, its deciding score) for a retriever name or a combine.Rule."""
    from lic_cli.chat import combine

    cands = rec["cands"]
    if who == "base":
        c = max(cands, key=lambda c: c[2])
        return c, c[2]
    if who == "ranker":
        c = max(cands, key=lambda c: c[3])
        return c, c[3]
    if who == "cross":
        c = max((c for c in cands if c[5]), key=lambda c: c[4])
        return c, c[4]
    pool = [c for c in cands if c[5] or who.union]
    objs = [combine.Candidate((c[0], c[1]), c[6], c[2], c[3], c[4]) for c in pool]
    s, best = combine.best(rec["q"], objs, who, thresholds["ranker"], thresholds["cross"])
    return next(c for c in pool if (c[0], c[1]) == best.ref), s


def evaluate(dump: list[dict], who, thresholds: dict, dev_setups: tuple[str, ...], own: float | None = None) -> dict:
    """recall@1 (demo's company), found at the retriever's own threshold (`own`, or calibrated here on
    the dev setups' probes for a rule), found at the matched threshold (<= 1 probe into any setup)."""
    from lic_cli.chat import combine

    probe = [r for r in dump if r["ctx"] == "probe"]
    per_setup: dict[str, list[float]] = {}
    per_kind: dict[str, list[tuple[float, bool]]] = {}
    for r in probe:
        per_setup.setdefault(r["setup"], []).append(first_of(r, who, thresholds)[1])
        per_kind.setdefault(r["setup"], []).append((per_setup[r["setup"]][-1], combine.plain(r["q"])))
    if own is None:
        own = combine.let_in_threshold({s: v for s, v in per_setup.items() if s.split("/")[0] in dev_setups}, 1)
    # Session 11: a rule with by_kind holds questions that ask no known kind to their own threshold
    # (`own` a pair (threshold, plain) when given; calibrated here on the dev setups' probes when not).
    if isinstance(own, tuple):
        own, low = own
    elif getattr(who, "by_kind", False) and per_kind:
        low = combine.plain_threshold({s: v for s, v in per_kind.items() if s.split("/")[0] in dev_setups}, own, 1)
    else:
        low = None
    matched = combine.let_in_threshold(per_setup, 1) if per_setup else None
    res: dict = {"threshold": own, "plain_threshold": low, "matched_threshold": matched, "setups": {}}
    for r in dump:
        if r["ctx"] == "probe":
            continue
        c, s = first_of(r, who, thresholds)
        right = [c[0], c[1]] == r["gold"]
        v = res["setups"].setdefault(r["setup"], {"n": 0, "r1": 0, "found": 0, "found_matched": 0})
        if r["ctx"] == "demo":
            v["n"] += 1
            v["r1"] += right
        else:
            v["found"] += right and s >= (low if low is not None and combine.plain(r["q"]) else own)
            v["found_matched"] += bool(right and matched is not None and s >= matched)
    res["n"] = sum(v["n"] for v in res["setups"].values())
    for key in ("r1", "found", "found_matched"):
        res[key] = sum(v[key] for v in res["setups"].values())
    res["probes_in"] = {s: sum(1 for x, p in v if x >= (low if low is not None and p else own))
                        for s, v in per_kind.items()}
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", nargs="+", default=["dev"], choices=["dev", "heldout", "heldout2", "heldout3", "heldout4",
                                                                    "demo"])
    ap.add_argument("--set", nargs="*", default=[], help="ranker settings, name=value (chat/ranker.py Settings)")
    ap.add_argument("--no-base", action="store_true", help="skip the base model")
    ap.add_argument("--no-ranker", action="store_true", help="skip the learned ranker")
    ap.add_argument("--no-cross", action="store_true", help="skip the cross-encoder re-ranker")
    ap.add_argument("--cross-set", nargs="*", default=[], help="re-ranker settings, name=value (chat/crossenc.py)")
    ap.add_argument("--cross-folder", help="measure this trained re-ranker folder (its cross.json) instead of training")
    ap.add_argument("--folder", help="measure this trained ranker folder (its ranker.json) instead of training")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--combined", metavar="DUMP", help="session 10: score every question's candidates by all three "
                    "stages, write them to DUMP (JSON) and report base / ranker / cross / combined (chat/combine.py)")
    ap.add_argument("--from-dump", nargs="+", metavar="DUMP", help="report from dumps written by --combined (no models)")
    ap.add_argument("--grid", action="store_true", help="with --combined/--from-dump: every rule of the dev grid")
    ap.add_argument("--views", nargs="+", choices=["off", "on", "base", "head"], help="with --combined: score with "
                    "the question view off, on, in the base blend only, or on with the ranker's head fitted again "
                    "with it (`head`, --refit-head) (session 11, chat/queries.py), every retriever in the same run "
                    "(default: as LIC_QUESTION_VIEW says)")
    ap.add_argument("--refit-head", metavar="DIR", help="session 11: copy the ranker's folder to DIR, fit its head "
                    "and calibrate it again with the question view on (the encoder as it is); used by --views head")
    ap.add_argument("--qualifier11", action="store_true", help="session 12: the combination reads session 11's "
                    "qualifier classes only (chat/qualifier.py EXTRA empty), to measure the new ones against")
    ap.add_argument("--pair-cache", metavar="FILE", help="keep the re-ranker's pair readings here between runs")
    ap.add_argument("--accept", action="store_true", help="with --from-dump: the first-but-below-threshold rules "
                    "(session 11): a margin over the runner-up lets a row in below the threshold")
    args = ap.parse_args()
    if args.qualifier11:
        from lic_cli.chat import qualifier

        qualifier.EXTRA = set()
    if args.from_dump:
        dumps = [d for p in args.from_dump for d in json.loads(Path(p).read_text(encoding="utf-8"))]
        for view in dict.fromkeys(d.get("view", "on") for d in dumps):
            print(f"== question view {view}")
            group = [d for d in dumps if d.get("view", "on") == view]
            report_dumps(group, args.grid)
            if args.accept:
                report_accept(group)
        return

    from lic_cli.chat import crossenc, ranker, retrieve
    from lic_cli.jsonl import read_jsonl_file
    from lic_cli.models import load_encoder, offline

    offline()
    os.environ.setdefault("LIC_HOME", str(ROOT / ".lic" / "home"))
    types = {f.name: f.type for f in fields(ranker.Settings)}
    settings = replace(ranker.Settings(), **parse_settings(args.set, types))
    cross_types = {f.name: f.type for f in fields(crossenc.Settings)}
    cross_settings = replace(crossenc.Settings(), **parse_settings(args.cross_set, cross_types))
    print(f"load average {os.getloadavg()[0]:.1f}; cores {os.cpu_count()}; settings {settings}; "
          f"re-ranker {cross_settings}", flush=True)
    base_encode = load_encoder("minilm").encode
    encoders = [] if args.no_base else [("base", base_encode, retrieve.THRESHOLD, None, None)]
    results: dict = {"splits": {}}
    if not args.no_ranker:
        t0 = time.perf_counter()
        r = ranker.cached(path=Path(args.folder)) if args.folder else ranker.ensure(settings)
        if r is None:
            raise SystemExit(f"{args.folder}: no ranker.json")
        meta = r.meta
        print(f"ranker {r.folder.name}: trained in {meta['train_seconds']} s ({meta['pairs']} pairs, {meta['steps']} "
              f"steps, {meta['domains']} domains), threshold {r.threshold} (dev found {meta['calibration']['dev_found']}/"
              f"{meta['calibration']['dev_questions']}); ready in {time.perf_counter() - t0:.1f} s", flush=True)
        encoders.append(("ranker", r.encoder().encode, r.threshold, r.head, None))
        results.update(folder=str(r.folder), settings={k: getattr(settings, k) for k in types}, meta=meta)
    if not args.no_cross:
        t0 = time.perf_counter()
        c = crossenc.cached(path=Path(args.cross_folder)) if args.cross_folder else crossenc.ensure(cross_settings)
        if c is None:
            raise SystemExit(f"{args.cross_folder}: no cross.json")
        cal = c.meta["calibration"]
        print(f"re-ranker {c.folder.name}: trained in {c.meta['train_seconds']} s ({c.meta['examples']} questions, "
              f"{c.meta['steps']} steps), threshold {c.threshold} (dev found {cal['dev_found']}/{cal['dev_questions']}, "
              f"first {cal.get('dev_first')} against {cal.get('dev_first_before')} before re-ranking); "
              f"ready in {time.perf_counter() - t0:.1f} s", flush=True)
        encoders.append(("cross", base_encode, c.threshold, None, c))
        results.update(cross_folder=str(c.folder), cross_meta=c.meta)
    probes = [str(p["question"]) for _, p in read_jsonl_file(ranker.PROBES)]
    demo = demo_rows()
    if args.combined:
        if args.no_ranker or args.no_cross:
            raise SystemExit("--combined needs the ranker and the re-ranker")
        from lic_cli.chat import rowindex

        dumps = []
        pairs = PairMemo(c)
        if args.pair_cache and Path(args.pair_cache).is_file():
            pairs.memo.update({tuple(k): v for k, v in json.loads(Path(args.pair_cache).read_text())})
        r2 = refit_head(r, Path(args.refit_head)) if args.refit_head else None
        shared = {"bmemo": ranker._memo(base_encode), "rmemo": ranker._memo(r.encoder().encode)}
        tables: dict[str, dict] = {}  # per view: a row table embeds the views indexed when it is built
        items = {split: domain_items(split) for split in args.split}
        views = args.views or [rowindex.question_view()]
        for view in views:
            os.environ[rowindex.QUESTION_ENV] = {"on": "1", "off": "0", "base": "base", "head": "1"}[view]
            for split in args.split:
                t1 = time.perf_counter()
                rv = r2 if view == "head" else r
                dump = {"split": split, "view": view, "thresholds": {"base": retrieve.THRESHOLD,
                                                                     "ranker": rv.threshold, "cross": c.threshold},
                        "ranker": str(r.folder), "cross": str(c.folder), "load": os.getloadavg()[0],
                        "records": combined_dump(base_encode, rv, pairs, items[split], demo,
                                                 probes if split == "dev" else [], c.k, **shared,
                                                 tables=tables.setdefault(view, {}))}
                dump["seconds"] = round(time.perf_counter() - t1, 1)
                dumps.append(dump)
                print(f"{split} (view {view}): {len(dump['records'])} questions scored in {dump['seconds']} s",
                      flush=True)
                Path(args.combined).write_text(json.dumps(dumps), encoding="utf-8")
                if args.pair_cache:
                    Path(args.pair_cache).write_text(json.dumps([[list(k), v] for k, v in pairs.memo.items()]))
        for view in views:
            group = [d for d in dumps if d["view"] == view]
            print(f"== question view {view}")
            if "dev" in args.split:
                report_dumps(group, args.grid)
            else:
                print("(the combination is calibrated on the dev dump: report with --from-dump DEV_DUMP THIS_DUMP)")
        return
    for split in args.split:
        domains = domain_items(split)
        for name, encode, threshold, head, cross in encoders:
            t1 = time.perf_counter()
            res = measure(Scorer(encode, head, cross), threshold, domains, demo, probes if split == "dev" else [])
            results["splits"].setdefault(split, {})[name] = res
            tot = {k: sum(v[k] for v in res.values()) for k in ("n", "r1", "r5", "found")}
            print(f"{split:<8} {name:<7} threshold {threshold:.3f}: recall@1 {tot['r1']}/{tot['n']} = "
                  f"{tot['r1'] / tot['n']:.1%}, recall@5 {tot['r5'] / tot['n']:.1%}, found {tot['found'] / tot['n']:.1%}"
                  + (f", probes in {sum(v['probes_in'] for v in res.values())}/{len(probes) * len(res)}; "
                     "at the threshold letting at most 1 probe into any setup ({:.3f}): found {}/{}".format(
                         *matched(res), tot["n"]) if split == "dev" else ""), flush=True)
            for k, v in res.items():
                print(f"    {k:<20} n {v['n']:>3}  r@1 {v['r1'] / v['n']:6.1%}  r@5 {v['r5'] / v['n']:6.1%}  "
                      f"found {v['found'] / v['n']:6.1%}" + (f"  probes in {v['probes_in']}" if v["probes_in"] is not None
                                                             else ""), flush=True)
            print(f"    ({time.perf_counter() - t1:.1f} s)", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")


def grid():
    """The dev grid of combination rules (chat/combine.py Rule)."""
    from lic_cli.chat.combine import Rule

    out = []
    for union in (False, True):
        for order in ("cross", "mix"):
            for weight in (0.0, 0.25, 0.5, 0.75, 1.0):
                out.append(Rule(order=order, weight=weight, union=union))
                for how in ("classes", "words", "both"):
                    for q in (0.5, 1.0, 2.0):
                        out.append(Rule(order=order, weight=weight, union=union, qualifier=q, qualifier_how=how))
    return out


def report_dumps(dumps: list[dict], full_grid: bool) -> None:
    """base / ranker / cross / the default combination (and with `full_grid` every rule of the grid)
    per split; the threshold of a rule is calibrated on the dev dump's DEV_DOMAINS probes."""
    from lic_cli.chat import combine, ranker

    dev = next((d for d in dumps if d["split"] == "dev"), None)
    th = dumps[0]["thresholds"]
    from dataclasses import replace as _replace

    # Session 10's rule (one threshold) beside the default (plain questions' own threshold, session 11).
    rules = grid() if full_grid else [_replace(combine.DEFAULT, by_kind=False), combine.DEFAULT]
    cal = {}
    if dev is not None:
        for rule in rules:
            got = evaluate(dev["records"], rule, th, ranker.DEV_DOMAINS)
            cal[rule] = (got["threshold"], got["plain_threshold"])
    elif any(rule not in cal for rule in rules):
        raise SystemExit("a dev dump is needed to calibrate the combination's threshold")

    def line(name, res):
        return (f"  {name:<58} r@1 {res['r1']:>3}/{res['n']} = {res['r1'] / max(1, res['n']):6.1%}  "
                f"found {res['found']:>3} ({res['found'] / max(1, res['n']):6.1%})  "
                f"matched {res['found_matched']:>3}  thr {res['threshold']:.3f}"
                + (f" (plain {res['plain_threshold']:.3f})" if res.get("plain_threshold") is not None else ""))

    # Each retriever's threshold again by the one rule (<= 1 probe into any DEV_DOMAINS setup), on this
    # dump's rows: a view changes every score, so a threshold calibrated without it is not its own.
    recal = {who: evaluate(dev["records"], who, th, ranker.DEV_DOMAINS)["threshold"] for who in RETRIEVERS} \
        if dev is not None else {}
    for d in dumps:
        recs = d["records"]
        print(f"{d['split']} (load {d.get('load', 0):.1f}, {d.get('seconds')} s):")
        for who in RETRIEVERS:
            res = evaluate(recs, who, th, ranker.DEV_DOMAINS, own=th[who])
            print(line(who, res))
            if who in recal:
                again = evaluate(recs, who, th, ranker.DEV_DOMAINS, own=recal[who])
                print(f"  {who + ' (threshold calibrated on this run)':<58} found {again['found']:>3}  "
                      f"thr {recal[who]:.3f}")
            for k, v in res["setups"].items():
                print(f"      {k:<24} r@1 {v['r1']:>3}/{v['n']}  found {v['found']:>3}")
        scored = []
        for rule in rules:
            res = evaluate(recs, rule, th, ranker.DEV_DOMAINS, own=cal[rule])
            scored.append((rule, res))
        if full_grid:
            scored.sort(key=lambda x: (-x[1]["found"], -x[1]["r1"]))
        for rule, res in scored[:25]:
            name = (f"combined {rule.order} w{rule.weight} q{rule.qualifier}{rule.qualifier_how[0]}"
                    f"{' union' if rule.union else ''}{' by kind' if rule.by_kind else ''}")
            print(line(name, res))
        if not full_grid:
            for k, v in scored[-1][1]["setups"].items():
                print(f"      {k:<24} r@1 {v['r1']:>3}/{v['n']}  found {v['found']:>3}")


def refit_head(rk, out: Path):
    """The ranker with its head fitted again and its threshold calibrated again with the question
    view on (session 11): a copy of its folder in `out`, the fine-tuned encoder as it is."""
    import shutil

    from lic_cli.chat import ranker, rowindex

    if not (out / "ranker.json").is_file():
        t0 = time.perf_counter()
        old = os.environ.get(rowindex.QUESTION_ENV)
        os.environ[rowindex.QUESTION_ENV] = "1"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(rk.folder, out)
        settings = ranker.Settings(**rk.meta["settings"])
        train_items, dev = ranker.split_items(ranker.all_items())
        train_items = train_items + ranker.teaching_items()
        encode = ranker._memo(rk.encoder().encode)
        head = ranker.fit_head(encode, train_items, ranker.null_questions(), settings)
        head.save(out / "head.npz")
        cal = ranker.calibrate(encode, dev, ranker.probe_questions(), settings.let_in, head)
        meta = {**rk.meta, "calibration": cal, "question_view": True,
                "refit_seconds": round(time.perf_counter() - t0, 1)}
        (out / "ranker.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if old is None:
            os.environ.pop(rowindex.QUESTION_ENV, None)
        else:
            os.environ[rowindex.QUESTION_ENV] = old
    r2 = ranker.cached(path=out)
    print(f"ranker head fitted again with the question view: threshold {r2.threshold} (dev found "
          f"{r2.meta['calibration']['dev_found']}/{r2.meta['calibration']['dev_questions']}), "
          f"{r2.meta.get('refit_seconds')} s", flush=True)
    return r2


def accept_value(rec: dict, rule, thresholds: dict, lam: float, cap: float) -> tuple[bool, float]:
    """(is the first row right, the deciding value): the first row's signal plus `lam` x its lead over
    the runner-up's signal (at most `cap`), as the combination orders the candidates."""
    from lic_cli.chat import combine

    pool = [c for c in rec["cands"] if c[5] or rule.union]
    objs = [combine.Candidate((c[0], c[1]), c[6], c[2], c[3], c[4]) for c in pool]
    out = combine.ordered(rec["q"], objs, rule, thresholds["ranker"], thresholds["cross"])
    if not out:
        return False, float("-inf")
    s, best = out[0]
    lead = s - max((x for x, _ in out[1:]), default=s - cap)
    return [best.ref[0], best.ref[1]] == rec["gold"], s + lam * max(0.0, min(lead, cap))


def report_accept(dumps: list[dict]) -> None:
    """Session 11: rows first but below the threshold. The combination decides on its signal plus
    lam x the first row's lead over the runner-up (capped), the threshold calibrated again by the
    one rule (<= 1 of the 140 probes into any DEV_DOMAINS setup); found per split beside lam 0."""
    from lic_cli.chat import combine, ranker

    dev = next(d for d in dumps if d["split"] == "dev")
    th = dev["thresholds"]
    rule = combine.DEFAULT
    rows = []
    for lam in (0.0, 0.1, 0.25, 0.5, 1.0, 2.0):
        for cap in ((1.0,) if lam == 0 else (0.5, 1.0, 2.0, 4.0)):
            per: dict[str, list[float]] = {}
            for r in dev["records"]:
                if r["ctx"] == "probe" and r["setup"].split("/")[0] in ranker.DEV_DOMAINS:
                    per.setdefault(r["setup"], []).append(accept_value(r, rule, th, lam, cap)[1])
            thr = combine.let_in_threshold(per, rule.let_in)
            found = {}
            for d in dumps:
                alone = [accept_value(r, rule, th, lam, cap) for r in d["records"] if r["ctx"] == "alone"]
                found[d["split"]] = (sum(1 for ok, v in alone if ok and v >= thr), len(alone))
            rows.append((lam, cap, thr, found))
    for lam, cap, thr, found in rows:
        print(f"  accept: signal + {lam} x lead (cap {cap}) >= {thr:.3f}: "
              + ", ".join(f"{k} {a}/{n}" for k, (a, n) in found.items()))


def parse_settings(pairs: list[str], types: dict) -> dict:
    out = {}
    for kv in pairs:
        k, _, v = kv.partition("=")
        t = types[k]
        out[k] = (v.lower() in ("1", "true", "yes")) if t in (bool, "bool") else \
            int(v) if t in (int, "int") else float(v)
    return out


if __name__ == "__main__":
    main()
