"""The scope gate's decisions alone: which questions go to the taught weights (issue 21).

A question the gate keeps out gets the model from before the teaching, so its answer is
unchanged by construction; a question it lets in gets the taught weights. So most of the
gated figures follow from the gate's decisions, measured here without training a model:

- paraphrases let in (want: all): the written paraphrases of bench/domains/*.jsonl;
- near misses let in (want: none): the domain's near-miss probes (same subject, other
  relation; same relation, other subject);
- general questions let in (want: none): general.jsonl's 85 locality, 80 pool and 20 dev
  questions and situated.jsonl's 40.

Each domain's scope is what `lic train` writes for its 30 facts (support_qa's params): each
taught question, its template rewording and the 4 the base model writes (seed 42; written
once, `rewordings`, under the CPU lock, and cached in $LIC_HOME/cache/bench). Gates:

- `rows`: the shipped row checks (similarity >= 0.5, then anchors, answer type, contrasts);
- `judge`: the learned scope judge (lic_cli/models/scope_judge.py) over the rows of the 5
  most similar scope questions, at a grid of thresholds (the trade-off curve), with and
  without the row checks.

Domains: tuning (gym, library, hotel, pharmacy: the threshold is chosen on these), held
out (council, museum: measured once at the end), Kestrel (bench_learning.py: the demo; it
has no near-miss probes).

    python bench/bench_scope_judge.py rewordings                 # SmolLM2: under the CPU lock
    python bench/bench_scope_judge.py gate --split tuning --json out.json
    python bench/bench_scope_judge.py gate --split held_out --split kestrel
    python bench/bench_scope_judge.py rescore --split held_out --keep KEPT --judge 0.5   # end to end
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from lic_cli import models  # noqa: E402

DOMAINS = REPO / "bench" / "domains"
SPLITS = {"tuning": ("gym", "library", "hotel", "pharmacy"), "held_out": ("council", "museum"), "kestrel": ("kestrel",),
          "council": ("council",), "museum": ("museum",)}
SEED = 42  # SFTParams.seed
TEMPLATE_REWORDINGS = 1  # support_qa's augment
MODEL_REWORDINGS = 4  # support_qa's augment_lm
THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def facts(domain: str) -> list[dict]:
    if domain == "kestrel":
        from bench_learning import FACTS

        return [{"question": q, "answer": a, "paraphrases": [p], "near_miss": []} for q, a, p in FACTS]
    return [json.loads(line) for line in (DOMAINS / f"{domain}.jsonl").read_text(encoding="utf-8").splitlines()]


def general() -> list[str]:
    rows = [json.loads(line) for name in ("general.jsonl", "situated.jsonl")
            for line in (DOMAINS / name).read_text(encoding="utf-8").splitlines()]
    return [r["question"] for r in rows]


def _cache(domain: str, questions: list[str]) -> Path:
    h = hashlib.sha256(json.dumps([questions, SEED, MODEL_REWORDINGS]).encode()).hexdigest()[:12]
    return models.cache_dir("bench") / f"rewordings-{domain}-{h}.json"


def rewordings(domain: str, write: bool = False) -> dict[str, list[str]]:
    """The base model's rewordings of the domain's taught questions, as `lic train` writes them."""
    questions = [f["question"] for f in facts(domain)]
    path = _cache(domain, questions)
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    if not write:
        sys.exit(f"{path}: no cached rewordings for {domain}; run `bench_scope_judge.py rewordings` (CPU lock)")
    from lic_cli.store.atomic import write_atomic
    from lic_cli.train import lm_paraphrase

    start = time.perf_counter()
    out = lm_paraphrase.generate(models.resolve("smollm2"), questions, MODEL_REWORDINGS, seed=SEED)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(out, ensure_ascii=False, indent=1))
    print(f"{domain}: {sum(map(len, out.values()))} rewordings in {time.perf_counter() - start:.0f} s -> {path}",
          file=sys.stderr)
    return out


def scope_of(domain: str, threshold: float = 0.5, judge: float | None = None):
    """The scope `lic train` writes for the domain's facts taught from the base."""
    from lic_cli.models.scope import Scope
    from lic_cli.train import paraphrase

    written = rewordings(domain)
    questions, answers = [], []
    for f in facts(domain):
        q = f["question"]
        extra = [p for p in dict.fromkeys([*paraphrase.for_training(q, TEMPLATE_REWORDINGS), *written.get(q, [])])
                 if p != q]
        for p in [q, *extra]:
            if p not in questions:
                questions.append(p)
                answers.append(f["answer"])
    return Scope(questions=tuple(questions), threshold=threshold, fallback="smollm2", answers=tuple(answers),
                 judge=judge)


def _share(oks: list[bool]) -> float | None:
    return round(sum(oks) / len(oks), 4) if oks else None


FLOORS = (0.3, 0.4, 0.5)


def measure(domain: str) -> dict:
    from lic_cli.models.scope import Gate

    fs = facts(domain)
    asked = {"paraphrases": [p for f in fs for p in f["paraphrases"]],
             "near_misses": [n for f in fs for n in f.get("near_miss", [])], "general": general()}
    old = Gate(scope_of(domain))
    out: dict = {"domain": domain, **{k: len(v) for k, v in asked.items()},
                 "rows": {f"{k}_in": _share(old.in_scope(v)) for k, v in asked.items()}}
    gate = Gate(scope_of(domain, threshold=min(FLOORS)))
    found = {k: gate.judge_candidates(v, min(FLOORS)) for k, v in asked.items()}
    out["candidates"] = found
    for floor in FLOORS:
        for fitting in (False, True):
            scores = {k: [max((p for sim, fit, p in c if sim >= floor and (fit or not fitting)), default=0.0)
                          for c in v] for k, v in found.items()}
            out[variant(floor, fitting)] = {
                str(t): {f"{k}_in": _share([s >= t for s in v]) for k, v in scores.items()} for t in THRESHOLDS}
    return out


def variant(floor: float, fitting: bool) -> str:
    return f"judge{'+rows' if fitting else ''} sim>={floor}"


def rescore(keep: Path, domain: str, judge: float, floor: float) -> dict:
    """The end-to-end figures of a project that bench_domains.py / bench_learning.py trained and
    kept (`--keep`), through its shipped gate and through the judge gate: the same trained
    weights, answers from the real Answerer (cached in the model folder where already generated)."""
    import dataclasses

    from lic_cli.models.scope import Gate
    from lic_cli.tasks import load_project
    from lic_cli.train import evaluate, registry

    root = keep / ("support_qa" if domain == "kestrel" else f"{domain}-support_qa")
    project = load_project(root)
    task = "bench_qa" if domain == "kestrel" else "faq"
    entry = registry.latest(project, task)
    folder = registry.model_path(project, entry)
    out: dict = {"domain": domain, "model": str(folder)}
    for name in ("rows", "judge"):
        answerer = evaluate.Answerer(folder)
        if name == "judge":
            answerer.gate = Gate(dataclasses.replace(answerer.gate.scope, judge=judge, threshold=floor))
        start = time.perf_counter()
        if domain == "kestrel":
            from bench_learning import FACTS

            written = {p for _, _, p in FACTS}
            result = evaluate.evaluate(project, project.task(task), entry, answerer=answerer)
            paras = [p for i in result["items"] for p in i["paraphrases"] if p in written]
            probes = [p["question"] for p in result["locality_items"] if p["held_out"]]
            out[name] = {"reliability": result["reliability"],
                         "generalization": _share([ok for i in result["items"] for p, ok in
                                                   zip(i["paraphrases"], i["paraphrase_correct"], strict=True)
                                                   if p in written]),
                         "locality": _share([p["correct"] for p in result["locality_items"] if p["held_out"]]),
                         "paraphrases_in": _share(answerer.in_scope(paras)),
                         "locality_in": _share(answerer.in_scope(probes))}
        else:
            from bench_domains import general as bench_general
            from bench_domains import read_domain, score
            from bench_learning import base_answers

            fs = read_domain(domain)
            asked = [n for f in fs for n in f["near_miss"]]
            said = dict(zip(asked, base_answers(asked)[0], strict=True))
            scored = score(answerer, fs, said)
            out[name] = {k: scored[k] for k in ("reliability", "generalization", "locality", "near_miss",
                                                 "locality_with_near_miss")}
            out[name]["wrong_near_miss"] = scored["wrong_near_miss"]
            out[name].update({
                "paraphrases_in": _share(answerer.in_scope([p for f in fs for p in f["paraphrases"]])),
                "near_misses_in": _share(answerer.in_scope(asked)),
                "locality_in": _share(answerer.in_scope([r["question"] for r in bench_general("locality")]))})
        out[name]["seconds"] = round(time.perf_counter() - start, 1)
    return out


def pooled(results: list[dict], gate: str, t: str | None = None) -> dict:
    out = {}
    for k, n in (("paraphrases_in", "paraphrases"), ("near_misses_in", "near_misses"), ("general_in", "general")):
        num = sum((r[gate][t] if t else r[gate])[k] * r[n] for r in results if (r[gate][t] if t else r[gate])[k] is not None)
        den = sum(r[n] for r in results if (r[gate][t] if t else r[gate])[k] is not None)
        out[k] = round(num / den, 4) if den else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("rewordings", "gate", "rescore"))
    ap.add_argument("--keep", help="rescore: the folder bench_domains.py / bench_learning.py --keep wrote")
    ap.add_argument("--judge", type=float, help="rescore: the judge threshold")
    ap.add_argument("--floor", type=float, default=0.5, help="rescore: the similarity a candidate row needs")
    ap.add_argument("--split", action="append", choices=tuple(SPLITS), help="domains (repeatable; default tuning)")
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()
    os.environ.setdefault("LIC_HOME", str(REPO / ".lic" / "home"))
    domains = [d for s in (args.split or ["tuning"]) for d in SPLITS[s]]
    if args.what == "rewordings":
        for d in domains:
            rewordings(d, write=True)
        return
    if args.what == "rescore":
        found = [rescore(Path(args.keep), d, args.judge, args.floor) for d in domains]
        for r in found:
            print(json.dumps({k: v for k, v in r.items()}, ensure_ascii=False))
        if args.json:
            Path(args.json).write_text(json.dumps(found, ensure_ascii=False, indent=1))
        return
    from lic_cli.models import scope_judge

    start = time.perf_counter()
    judge = scope_judge.shared(note=lambda m: print(m, file=sys.stderr))
    print(f"judge: {judge.folder} ({json.dumps(judge.meta)}); ready in {time.perf_counter() - start:.0f} s",
          file=sys.stderr)
    results = [measure(d) for d in domains]
    pct = lambda v: "-" if v is None else f"{100 * v:5.1f}"  # noqa: E731
    print("share let in (paraphrases / near misses / general)")
    print(f"{'gate':<28}" + "".join(f"{r['domain']:>20}" for r in results) + f"{'pooled':>20}")

    def line(name, get, pool):
        cells = [get(r) for r in results]
        print(f"{name:<28}" + "".join(f"{pct(c['paraphrases_in'])}/{pct(c['near_misses_in'])}/{pct(c['general_in'])}"
                                      .rjust(20) for c in [*cells, pool]))

    line("rows (shipped)", lambda r: r["rows"], pooled(results, "rows"))
    for gate in (variant(f, w) for f in FLOORS for w in (False, True)):
        for t in THRESHOLDS:
            line(f"{gate} >= {t}", lambda r, g=gate, t=t: r[g][str(t)], pooled(results, gate, str(t)))
    if args.json:
        Path(args.json).write_text(json.dumps({"judge": judge.meta, "results": results},
                                              ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
