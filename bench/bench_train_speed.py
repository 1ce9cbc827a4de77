"""Training wall time of the causal-lm step, old path against the exact savings, in one run.

Trains the base model (SmolLM2) on one domain's taught facts (each question, one template
rewording, and one replayed general row per fact) with the shipped support_qa params, four
ways on the same pairs: KL term off / on, each with `reuse_frozen` off (every step computes
everything: the old path) and on (FrozenBottom and the KL term's kept "before" states,
sft.py). Reports train seconds, steps and train loss of each (the loss must match: the
savings are exact), and the ratios against KL off on the old path (issue 21's "today").

    python bench/bench_train_speed.py --domain library --facts 30
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lic_cli import models  # noqa: E402
from lic_cli.train import paraphrase  # noqa: E402
from lic_cli.train.causal import qa_pair, system_prompt  # noqa: E402
from lic_cli.train.params import SFTParams  # noqa: E402

SUPPORT_QA = {"method": "lora", "lora_r": 32, "lora_alpha": 64, "lora_targets": "all", "lora_layers": 15,
              "learning_rate": 1.0e-3, "epochs": 3, "batch_size": 8, "max_length": 128}


def pairs_for(domain: str, n: int) -> list:
    rows = [json.loads(line) for line in (REPO / "bench/domains" / f"{domain}.jsonl").read_text().splitlines()][:n]
    general = [json.loads(line) for line in (REPO / "bench/domains/general.jsonl").read_text().splitlines()]
    out = []
    for r in rows:
        out += [qa_pair(q, r["answer"]) for q in [r["question"], *paraphrase.for_training(r["question"], 1)]]
    out += [qa_pair(g["question"], g["answer"]) for g in general if g["use"] == "locality"][:n]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--domain", default="library")
    ap.add_argument("--facts", type=int, default=30)
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--only", action="append", help="run only these configurations (repeatable)")
    ap.add_argument("--json")
    args = ap.parse_args()
    os.environ.setdefault("LIC_HOME", str(REPO / ".lic" / "home"))
    from lic_cli.train import distill
    from lic_cli.train.sft import train_causal_lm

    base = models.resolve("smollm2")
    said = distill.answers(base, system_prompt())
    kl_pairs = [qa_pair(q, said[q]) for q in distill.POOL]
    pairs = pairs_for(args.domain, args.facts)
    configs = {"kl-off old": (0.0, False), "kl-off new": (0.0, True), "kl-on old": (1.0, False),
               "kl-on new": (1.0, True)}
    results = {}
    for name, (kl, reuse) in configs.items():
        if args.only and name not in args.only:
            continue
        params = SFTParams.from_dict({**SUPPORT_QA, "epochs": args.epochs, "kl_weight": kl, "reuse_frozen": reuse})
        with tempfile.TemporaryDirectory() as out:
            t0 = time.perf_counter()
            m = train_causal_lm(pairs, None, base, Path(out) / "m", params, progress=False, note=print,
                                kl_pairs=kl_pairs)
            wall = time.perf_counter() - t0
        results[name] = {"wall_s": round(wall, 1), "train_s": m["train_seconds"], "steps": m["steps"],
                         "train_loss": m["train_loss"], "reuse_frozen": m["reuse_frozen"]}
        print(name, results[name], flush=True)
    ref = results.get("kl-off old", {}).get("train_s")
    print(f"\n{len(pairs)} pairs ({args.facts} {args.domain} facts), {args.epochs:g} epochs; "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, r in results.items():
        ratio = f"{r['train_s'] / ref:.2f}x" if ref else "-"
        print(f"{name:<11} train {r['train_s']:>6.1f} s  wall {r['wall_s']:>6.1f} s  steps {r['steps']:>3}  "
              f"loss {r['train_loss']:.4f}  vs kl-off old {ratio}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
