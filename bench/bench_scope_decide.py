"""Which taught row answers a question, or none: the scope decision studied apart (issue 21, session 12).

Through a gated model a question gets either the taught weights, a taught row's value, or the model
from before the teaching. Whether that is right depends first on one decision over (question, taught
rows): name the row the question asks for, or none. This bench measures deciders on that decision
alone, with no language model run:

- paraphrases (bench/domains/*.jsonl, written apart from the taught question): want their own row;
- near misses (same subject, other relation; same relation, other subject): want no row;
- general questions (general.jsonl and situated.jsonl, 225): want no row.

Each domain's rows are what `lic train` writes into its scope for the 30 facts: the taught questions,
the template rewording and the base model's 4 (bench_scope_judge.py's cache, or a kept model's
lic_scope.json given with --scope DOMAIN=FILE). Step one (`features`, on a CPU slot) reads every
question against the rows with each signal and writes them to a JSON file; step two (`grid`, no
model) scores every decider of the grid from that file and applies the rule docs/train.md
("Session 12") fixed before any run.

Signals: MiniLM similarity to the scope questions, scope.py's row checks (`fits`), the scope judge
(models/scope_judge.py), chat's answer-type agreement (chat/answertype.py), and chat's trained ranker
and re-ranker combined (chat/combine.py; `lic models --ranker --cross` trains them). The ranker and
re-ranker were trained on gym, library, hotel, pharmacy and council (retrieval_seed.jsonl): their
figures there are not clean, so the rule reads museum, festival, cricketclub and foodtruck.

    python bench/bench_scope_decide.py features --out /tmp/me/decide.json \\
        --scope festival=KEPT/festival-.../lic_scope.json ...
    python bench/bench_scope_decide.py grid /tmp/me/decide.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

CLEAN = ("museum", "festival", "cricketclub", "foodtruck")  # never read by the ranker or re-ranker
SEEN = ("gym", "library", "hotel", "pharmacy", "council")  # in lic_cli/data/retrieval_seed.jsonl
FLOOR = 0.3  # the lowest similarity floor of the grid: candidates are gathered at it
EXACT = 0.999
CANDIDATES = 5  # scope.CANDIDATES


def domain_facts(domain: str) -> list[dict]:
    from bench_scope_judge import facts

    return facts(domain)


def general_questions() -> list[str]:
    from bench_scope_judge import general

    return general()


def scope_rows(domain: str, scope_file: str | None) -> tuple[list[str], list[str]]:
    """(scope questions, their answers) as `lic train` writes them for the domain's facts."""
    if scope_file:
        raw = json.loads(Path(scope_file).read_text(encoding="utf-8"))
        return list(raw["questions"]), list(raw["answers"])
    from bench_scope_judge import scope_of

    s = scope_of(domain)
    return list(s.questions), list(s.answers)


def features(domain: str, scope_file: str | None, chat: dict | None, k: int = 0) -> dict:
    """Every question of the domain against its rows: the candidates of the judge family and chat's reading."""
    from lic_cli.chat import answertype
    from lic_cli.models.scope import Gate, Scope

    fs = domain_facts(domain)
    questions, answers = scope_rows(domain, scope_file)
    taught = {f["answer"] for f in fs}
    if set(answers) != taught:
        sys.exit(f"{domain}: the scope's answers are not the domain's ({len(set(answers) ^ taught)} differ)")
    gate = Gate(Scope(questions=tuple(questions), threshold=0.5, fallback="smollm2", answers=tuple(answers)))
    asked = {"paraphrases": [(p, f["answer"]) for f in fs for p in f["paraphrases"]],
             "near_misses": [(n, None) for f in fs for n in f.get("near_miss", [])],
             "general": [(g, None) for g in general_questions()],
             "taught": [(f["question"], f["answer"]) for f in fs]}
    from lic_cli.models import scope_judge

    judge = scope_judge.shared()
    out: dict = {"domain": domain, "rows": len(fs), "scope_questions": len(questions), "k": k or CANDIDATES}
    for kind, pairs in asked.items():
        qs = [q for q, _ in pairs]
        inside = gate.in_scope(qs)
        found = gate._candidates(qs, FLOOR, lambda: judge, k)
        sims = gate.similarity(qs)
        combined = chat_reading(fs, qs, chat) if chat else [None] * len(qs)
        items = []
        for (q, want), ins, cands, top, comb in zip(pairs, inside, found, sims, combined, strict=True):
            kinds = answertype.asks(q)
            items.append({"q": q, "want": want, "gate_in": bool(ins), "exact": top >= EXACT,
                          "cands": [{"a": a, "sim": round(s, 4), "fit": bool(fit), "p": round(p, 4),
                                     "agree": answertype.agreement(kinds, a)} for a, s, fit, p in cands],
                          "chat": comb})
        out[kind] = items
    return out


def chat_models() -> dict:
    from lic_cli.chat import combine, crossenc, ranker
    from lic_cli.chat.rankcal import memo
    from lic_cli.models import load_encoder

    r, c = ranker.cached(), crossenc.cached()
    if r is None or c is None:
        sys.exit("chat's ranker and re-ranker are not trained here: lic models --ranker --cross")
    cal = combine.ensure(r, c)
    return {"ranker": r, "cross": c, "cal": cal, "base": memo(load_encoder("minilm").encode),
            "rank": memo(r.encoder().encode)}


def chat_reading(fs: list[dict], qs: list[str], chat: dict) -> list[dict]:
    """Chat's combined retrieval over the domain's 30 qa rows (as a taught domain's rows): the first row, its
    signal over the threshold it is held to, and the ranker's own best row and margin."""
    from lic_cli.chat import combine, rowindex

    rows = [(f"{f['question']} {f['answer']}", f["question"], f["answer"]) for f in fs]
    rb, rr = rowindex.Rows(rows, chat["base"]), rowindex.Rows(rows, chat["rank"])
    texts = [r[0] for r in rows]
    tables = [("d", texts, rb, rr)]
    r, c, cal = chat["ranker"], chat["cross"], chat["cal"]
    qb, qr = chat["base"](qs), chat["rank"](qs)
    out = []
    for i, q in enumerate(qs):
        cands = combine.table_candidates(q, tables, qb[i], qr[i], r.head, c, c.k)
        sig, cand = combine.best(q, cands, combine.DEFAULT, r.threshold, c.threshold)
        rs = rr.scores(qr[i], q, r.head)
        j = int(rs.argmax())
        out.append({"a": None if cand is None else fs[cand.ref[1]]["answer"],
                    "margin": round(float(sig - cal.for_question(q)), 4),
                    "rank_a": fs[j]["answer"], "rank_margin": round(float(rs[j] - r.threshold), 4)})
    return out


# --- the deciders ----------------------------------------------------------------------------


def judge_pick(item: dict, floor: float, fitting: bool, t: float, other: float, agree: bool) -> str | None:
    """The judge family: the best candidate row (similarity >= floor; fitting, with `fitting`; not of another
    answer kind, with `agree`) when its probability is >= t and no other candidate gets `other` or more. A
    question that is a scope wording itself names its row."""
    cands = [c for c in item["cands"] if c["sim"] >= floor]
    exact = [c for c in cands if c["sim"] >= EXACT]
    if exact:  # as scope.Decider.pick: the exact row that fits, then the judge's best
        return max(exact, key=lambda c: (c["fit"], c["p"]))["a"]
    ok = [c for c in cands if (c["fit"] or not fitting) and (c["agree"] >= 0 or not agree)]
    best = max(ok, key=lambda c: c["p"], default=None)
    if best is None or best["p"] < t or any(c["p"] >= other for c in cands if c is not best):
        return None
    return best["a"]


def chat_pick(item: dict, d: float, which: str) -> str | None:
    ch = item["chat"]
    if ch is None:
        return None
    if which == "ranker":
        return ch["rank_a"] if ch["rank_margin"] >= d else None
    return ch["a"] if ch["margin"] >= d else None


JUDGE_GRID = [(floor, fitting, t, other, agree) for floor in (0.3, 0.4, 0.5) for fitting in (True, False)
              for t in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95) for other in (0.3, 0.5, 0.7, 0.8, 0.9, 1.01)
              for agree in (False, True)]
DELTAS = (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)


def deciders(with_chat: bool):
    """(name, rank for ties: simpler first, pick(item) -> row answer or None)."""
    out = [("gate (shipped in-scope, for reference)", -1, None)]
    for floor, fitting, t, other, agree in JUDGE_GRID:
        name = (f"judge sim>={floor}{' fits' if fitting else ''} p>={t} other<{other if other <= 1 else '-'}"
                f"{' agree' if agree else ''}")
        out.append((name, 0, lambda it, a=(floor, fitting, t, other, agree): judge_pick(it, *a)))
    if with_chat:
        for d in DELTAS:
            out.append((f"combined +{d}", 2, lambda it, d=d: chat_pick(it, d, "combined")))
            out.append((f"ranker +{d}", 2, lambda it, d=d: chat_pick(it, d, "ranker")))
        for floor, fitting, t, other, agree in JUDGE_GRID:
            if other < 1.01 or agree:
                continue
            for d in (-1.0, 0.0):
                def both(it, a=(floor, fitting, t, other, agree), d=d):
                    row = judge_pick(it, *a)
                    return row if row is not None and chat_pick(it, d, "combined") == row else None
                out.append((f"judge sim>={floor}{' fits' if fitting else ''} p>={t} + combined agrees (+{d})", 1, both))
    return out


def tally(result: dict, pick) -> dict:
    def share(kind: str, good) -> tuple[int, int]:
        items = result.get(kind) or []
        return sum(1 for it in items if good(it)), len(items)

    if pick is None:  # the shipped gate's decision: in scope at all
        return {"paraphrases": share("paraphrases", lambda it: it["gate_in"]),
                "near_misses": share("near_misses", lambda it: it["gate_in"]),
                "general": share("general", lambda it: it["gate_in"]),
                "taught": share("taught", lambda it: it["gate_in"])}
    return {"paraphrases": share("paraphrases", lambda it: pick(it) == it["want"]),
            "wrong_row": share("paraphrases", lambda it: pick(it) not in (None, it["want"])),
            "near_misses": share("near_misses", lambda it: pick(it) is not None),
            "general": share("general", lambda it: pick(it) is not None),
            "taught": share("taught", lambda it: pick(it) == it["want"])}


def pool(tallies: list[dict]) -> dict:
    out = {}
    for k in tallies[0]:
        n = sum(t[k][0] for t in tallies)
        d = sum(t[k][1] for t in tallies)
        out[k] = round(100 * n / d, 1) if d else None
    return out


def grid(results: list[dict], split: tuple[str, ...]) -> list[dict]:
    with_chat = all(it["chat"] is not None for r in results for it in r["paraphrases"][:1])
    rows = []
    chosen = [r for r in results if r["domain"] in split]
    for name, rank, pick in deciders(with_chat):
        per = {r["domain"]: tally(r, pick) for r in results}
        pooled = pool([per[r["domain"]] for r in chosen])
        score = None if pick is None else round(pooled["paraphrases"] + 100 - pooled["near_misses"], 1)
        rows.append({"decider": name, "rank": rank, "pooled": pooled, "score": score,
                     "per_domain": {d: pool([t]) for d, t in per.items()}})
    return rows


def choose(rows: list[dict]) -> tuple[dict | None, dict | None]:
    """The rule (docs/train.md, Session 12): the highest paraphrases-right + near-misses-kept-out, with general
    questions given a row <= 0.5 %; ties to the simpler. Beside it: the most paraphrases at near misses <= 1 %."""
    ok = [r for r in rows if r["score"] is not None and r["pooled"]["general"] <= 0.5]
    best = max(ok, key=lambda r: (r["score"], -r["rank"]), default=None)
    strict = [r for r in ok if r["pooled"]["near_misses"] <= 1.0]
    tight = max(strict, key=lambda r: (r["pooled"]["paraphrases"], -r["rank"]), default=None)
    return best, tight


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("features", "grid"))
    ap.add_argument("file", nargs="?", help="grid: the features file")
    ap.add_argument("--domain", action="append", help="features: domain (repeatable; default: tuning + kestrel)")
    ap.add_argument("--scope", action="append", default=[], metavar="DOMAIN=FILE",
                    help="features: a kept model's lic_scope.json for a domain without cached rewordings")
    ap.add_argument("--no-chat", action="store_true", help="features: skip chat's ranker and re-ranker")
    ap.add_argument("--out", help="features: write them here (JSON)")
    ap.add_argument("--k", type=int, default=0, help="features: similar scope questions whose rows are candidates "
                    "(0: scope.CANDIDATES, 5)")
    ap.add_argument("--split", default=",".join(CLEAN), help="grid: the domains the rule reads (comma-separated)")
    ap.add_argument("--top", type=int, default=25, help="grid: print this many deciders by score")
    ap.add_argument("--json", help="grid: also write the table here")
    args = ap.parse_args()
    os.environ.setdefault("LIC_HOME", str(REPO / ".lic" / "home"))
    if args.what == "features":
        scopes = dict(s.split("=", 1) for s in args.scope)
        domains = args.domain or [*SEEN, *CLEAN, "kestrel"]
        start = time.perf_counter()
        chat = None if args.no_chat else chat_models()
        results = []
        for d in domains:
            results.append(features(d, scopes.get(d), chat, args.k))
            print(f"{d}: done at {time.perf_counter() - start:.0f} s", file=sys.stderr)
            if args.out:
                Path(args.out).write_text(json.dumps(results, ensure_ascii=False))
        return
    results = json.loads(Path(args.file).read_text(encoding="utf-8"))
    split = tuple(args.split.split(","))
    rows = grid(results, split)
    best, tight = choose(rows)
    pct = lambda v: "-" if v is None else f"{v:5.1f}"  # noqa: E731
    doms = [r["domain"] for r in results]
    print(f"candidates: the rows of the {results[0].get('k', CANDIDATES)} most similar scope questions")
    print(f"pooled over {', '.join(d for d in doms if d in split)}: paraphrases right / wrong row / near misses given a "
          "row / general given a row / taught right; score = paraphrases right + near misses kept out")
    shown = sorted((r for r in rows if r["score"] is not None), key=lambda r: (-r["score"], r["rank"]))[:args.top]
    for r in [rows[0], *shown]:
        p = r["pooled"]
        print(f"{r['decider']:<62} {pct(p['paraphrases'])} {pct(p.get('wrong_row'))} {pct(p['near_misses'])} "
              f"{pct(p['general'])} {pct(p['taught'])}  score {r['score']}")
    for label, r in (("chosen by the rule", best), ("most paraphrases at near misses <= 1 %", tight)):
        if r is None:
            print(f"{label}: none")
            continue
        print(f"\n{label}: {r['decider']}  (score {r['score']})")
        for d in doms:
            p = r["per_domain"][d]
            print(f"  {d:<12}{'' if d in split else ' (not in the rule)':<19} {pct(p['paraphrases'])} "
                  f"{pct(p.get('wrong_row'))} {pct(p['near_misses'])} {pct(p['general'])} {pct(p['taught'])}")
    if args.json:
        Path(args.json).write_text(json.dumps({"split": split, "chosen": best, "strict": tight, "rows": rows},
                                              ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
