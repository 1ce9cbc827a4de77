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
and campusit (scored once, at the end); `demo` is Kestrel's 20 facts (bench_learning.py).
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", nargs="+", default=["dev"], choices=["dev", "heldout", "demo"])
    ap.add_argument("--set", nargs="*", default=[], help="ranker settings, name=value (chat/ranker.py Settings)")
    ap.add_argument("--no-base", action="store_true", help="skip the base model")
    ap.add_argument("--no-ranker", action="store_true", help="skip the learned ranker")
    ap.add_argument("--no-cross", action="store_true", help="skip the cross-encoder re-ranker")
    ap.add_argument("--cross-set", nargs="*", default=[], help="re-ranker settings, name=value (chat/crossenc.py)")
    ap.add_argument("--cross-folder", help="measure this trained re-ranker folder (its cross.json) instead of training")
    ap.add_argument("--folder", help="measure this trained ranker folder (its ranker.json) instead of training")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()

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
