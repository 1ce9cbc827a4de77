"""locate at scale: a 1,000,000-row QA dataset, the index build, and per-query latency and
precision@1 of locate against rapidfuzz brute force (extractOne, ratio) on paraphrased queries.

    python bench/bench_locate.py [--rows 1000000] [--queries 200]

Deterministic (fixed seeds). Writes into a temporary folder; LIC_HOME there too unless set
(the distilled static model is then built once, ~15-80 s, and counted apart).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Question = opener + action + object + qualifier; each slot has a paraphrase in the query.
OPENERS = [("How do I", "What is the way to"), ("Can I", "Am I able to"), ("Is it possible to", "Could I"),
           ("Where can I", "In which place can I"), ("When can I", "At what time can I")]
ACTIONS = [("return", "send back"), ("cancel", "call off"), ("track", "follow"), ("repair", "fix"),
           ("exchange", "swap"), ("register", "sign up"), ("pay for", "settle the bill for"),
           ("pick up", "collect"), ("insure", "get cover for"), ("reset", "restart"), ("upgrade", "improve"),
           ("recycle", "dispose of")]
NOUNS = ["headphones", "laptop", "tablet", "smartwatch", "camera", "speaker", "router", "drone", "monitor",
         "keyboard", "phone", "charger", "printer", "console", "projector", "e-reader"]
BRANDS = ["Aero", "Glide", "Pulse", "Nest", "Link", "Orbit", "Vega", "Nova", "Zephyr", "Quill", "Ember",
          "Drift", "Halo", "Summit", "Tundra", "Lumen", "Cobalt", "Sable", "Rook", "Fable"]
QUALS = [("bought in {city}", "purchased at the {city} store"), ("ordered online", "that I ordered on the website"),
         ("after {n} days", "once {n} days have passed"), ("with a gift card", "using a gift card"),
         ("for my company", "for my business"), ("outside the warranty", "no longer under warranty")]
CITIES = ["Toronto", "Denver", "Austin", "Chicago", "Seattle", "Portland", "Boston", "Miami", "Dallas", "Phoenix"]


def question(rng: random.Random, para: bool, slots: tuple) -> str:
    o, a, brand, model, noun, qual, city, n = slots
    k = 1 if para else 0
    return (f"{OPENERS[o][k]} {ACTIONS[a][k]} my {BRANDS[brand]} {model} {NOUNS[noun]} "
            f"{QUALS[qual][k].format(city=CITIES[city], n=n)}?")


def make_dataset(path: Path, rows: int, queries: int) -> list[tuple[int, str]]:
    rng = random.Random(5)
    seen: set[tuple] = set()
    picks = set(random.Random(7).sample(range(rows), queries))
    out = []
    with open(path, "w", encoding="utf-8") as fh:
        i = 0
        while i < rows:
            slots = (rng.randrange(len(OPENERS)), rng.randrange(len(ACTIONS)), rng.randrange(len(BRANDS)),
                     rng.randrange(1, 400), rng.randrange(len(NOUNS)), rng.randrange(len(QUALS)),
                     rng.randrange(len(CITIES)), rng.choice([7, 14, 30, 60, 90]))
            if slots in seen:
                continue
            seen.add(slots)
            q = question(rng, False, slots)
            fh.write(json.dumps({"question": q, "answer": f"Answer {i}.", "split": "train"}) + "\n")
            if i in picks:
                out.append((i, question(rng, True, slots)))
            i += 1
    return out


def build_child(project: str) -> None:
    """Runs in a fresh process so its peak RSS is the build's."""
    from lic_cli.locate import index as key_index
    from lic_cli.locate.static import distilled_path
    from lic_cli.tasks import load_project

    if project == "distill":  # once per machine; timed apart from the build, in its own process
        t = time.perf_counter()
        distilled_path()
        print(json.dumps({"distill_s": round(time.perf_counter() - t, 1)}))
        return
    proj = load_project(project)
    task = proj.task("big_qa")
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    idx = key_index.load(proj, task, _NoMiniLM())
    print(json.dumps({"build_s": round(time.perf_counter() - t, 1),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "rss_before_mb": round(rss0 / 1024), "manifest": idx.manifest}))


class _NoMiniLM:
    """Stands for the MiniLM encoder: above MINILM_MAX_ROWS the index never calls it."""

    name = "minilm"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--child", default=None)
    args = ap.parse_args()
    if args.child:
        build_child(args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="bench_locate."))
    os.environ.setdefault("LIC_HOME", str(work / "home"))
    (work / "datasets").mkdir()
    (work / "tasks.yaml").write_text("version: 1\ntasks:\n  - name: big_qa\n    description: synthetic support QA\n"
                                     "    dataset: datasets/big_qa.jsonl\n    format: qa\n    key: [question]\n")
    t = time.perf_counter()
    queries = make_dataset(work / "datasets" / "big_qa.jsonl", args.rows, args.queries)
    gen_s = time.perf_counter() - t
    def child(arg: str) -> dict:
        out = subprocess.run([sys.executable, __file__, "--child", arg], check=True, capture_output=True,
                             text=True, env=os.environ).stdout
        return json.loads(out.strip().splitlines()[-1])

    build = {**child("distill"), **child(str(work))}
    from rapidfuzz import fuzz, process, utils

    from lic_cli.locate import index as key_index
    from lic_cli.locate.matcher import search
    from lic_cli.tasks import load_project

    proj = load_project(work)
    task = proj.task("big_qa")
    t = time.perf_counter()
    idx = key_index.load(proj, task, _NoMiniLM())
    open_s = time.perf_counter() - t
    search(idx, ("warm up",), k=5)
    hits, lat = 0, []
    for row, q in queries:
        t = time.perf_counter()
        cands = search(idx, (q,), k=5)
        lat.append(time.perf_counter() - t)
        hits += bool(cands) and cands[0].i == row
    bf_hits, bf_lat = 0, []
    for row, q in queries:
        t = time.perf_counter()
        best = process.extractOne(q, idx.keys, scorer=fuzz.ratio, processor=utils.default_process)
        bf_lat.append(time.perf_counter() - t)
        bf_hits += best[2] == row
    med = sorted(lat)[len(lat) // 2] * 1000
    bf_med = sorted(bf_lat)[len(bf_lat) // 2] * 1000
    n = len(queries)
    print(f"rows {args.rows:,}  queries {n} (paraphrased)  generate {gen_s:.0f} s")
    print(f"static model: distilled in {build['distill_s']} s (once per machine)")
    print(f"index build {build['build_s']} s, peak RSS {build['peak_rss_mb']} MB "
          f"(process before build {build['rss_before_mb']} MB), lists {build['manifest']['lists']}; reopen {open_s:.1f} s")
    print("| method | median ms/query | mean ms/query | precision@1 |")
    print("|---|---|---|---|")
    print(f"| locate (static IVF + rapidfuzz/cosine re-rank of {50}) | {med:.2f} | {sum(lat) / n * 1000:.2f} | {hits / n:.3f} |")
    print(f"| rapidfuzz extractOne (ratio), brute force | {bf_med:.1f} | {sum(bf_lat) / n * 1000:.1f} | {bf_hits / n:.3f} |")
    print(f"speed-up (median): {bf_med / med:.0f}x")


if __name__ == "__main__":
    main()
