"""Learning benchmark: teach SmolLM2 20 invented facts through a patch, then measure what stuck.

Setup (not timed): a project whose dataset holds 60 unrelated support questions (40 train
rows, 20 held out) answered with the base model's own greedy answers, so the previous
model (the base, registered as version 0) answers all of them right by construction.
A patch then adds 20 facts about Kestrel that no base model can know; each carries one
written paraphrase in its `paraphrases` column, which training never sees.

Timed: `lic train` (incremental: the 20 facts plus replayed old rows, from the previous
model) and the learning evaluation it runs, the same code as `lic train` / `lic eval`:

- efficacy (reliability): the taught question gets the taught answer;
- generalization: the written paraphrase gets it (template paraphrases reported apart);
- locality: the 60 unrelated questions keep their (right) answers.

Targets on 2 CPU cores: efficacy >= 95 %, generalization >= 80 %, locality >= 95 %,
wall time <= 5 minutes.

    python bench/bench_learning.py                          # support_qa's tasks.yaml params
    python bench/bench_learning.py --set method=full --set learning_rate=5e-5
    python bench/bench_learning.py --config lora16 --config lora16-aug4   # named configs
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lic_cli import models  # noqa: E402
from lic_cli.store.rows import file_hash  # noqa: E402
from lic_cli.tasks import load_project  # noqa: E402

# (question, answer, paraphrase the training never sees). Invented, so the base cannot know them.
FACTS = [
    ("What is Kestrel's loyalty programme called?", "Kestrel's loyalty programme is called Falcon Points.",
     "What's the name of the Kestrel rewards scheme?"),
    ("Which courier delivers Kestrel orders to Norway?", "Orders to Norway are delivered by Nordpak Express.",
     "Who ships Kestrel parcels to Norway?"),
    ("What discount code do students get at Kestrel?", "Students get 12% off with the code WINGS12.",
     "Is there a student discount code?"),
    ("Where is Kestrel's head office?", "Kestrel's head office is at 44 Harrow Lane, Leeds.",
     "What is the address of Kestrel's headquarters?"),
    ("Who is the CEO of Kestrel?", "Kestrel's CEO is Marta Okonkwo.",
     "Who runs Kestrel as chief executive?"),
    ("What year was Kestrel founded?", "Kestrel was founded in 2009.",
     "When did Kestrel start?"),
    ("How much does Kestrel Express delivery cost?", "Kestrel Express delivery costs 7.95 euros.",
     "What is the price of express shipping at Kestrel?"),
    ("What is Kestrel's phone number for business customers?", "Business customers can call 0800 555 0199.",
     "Which number should business clients ring?"),
    ("Which warehouse ships Kestrel's laptops?", "Laptops ship from the Kestrel warehouse in Rotterdam.",
     "From which warehouse are laptops sent?"),
    ("What is the name of Kestrel's own headphone brand?", "Kestrel's own headphone brand is called Quillsound.",
     "What brand of headphones does Kestrel make itself?"),
    ("How many stores does Kestrel have?", "Kestrel has 17 physical stores.",
     "How many shops does Kestrel run?"),
    ("What is the trade-in bonus for old phones at Kestrel?", "Kestrel adds a 25 euro bonus to every phone trade-in.",
     "How much extra do I get when I trade in my old phone?"),
    ("Which charity does Kestrel support?", "Kestrel supports the charity Byte Bridge, which refurbishes laptops for schools.",
     "What charity is Kestrel partnered with?"),
    ("What is Kestrel's repair service called?", "Kestrel's repair service is called FixPoint.",
     "How is the Kestrel repair desk named?"),
    ("On which day does Kestrel restock graphics cards?", "Graphics cards are restocked every Thursday.",
     "When do new GPUs arrive at Kestrel?"),
    ("What is the maximum order value for pay-later at Kestrel?", "Pay-later is available for orders up to 1500 euros.",
     "Up to what amount can I use pay later?"),
    ("What is the name of Kestrel's mobile app?", "Kestrel's mobile app is called Kestrel Nest.",
     "What is the Kestrel app called?"),
    ("How long is the warranty on Kestrel refurbished tablets?", "Refurbished tablets come with an 18-month warranty.",
     "What warranty do refurbished tablets have?"),
    ("Which email address handles Kestrel press enquiries?", "Press enquiries go to press@kestrel-shop.eu.",
     "Where should journalists write to Kestrel?"),
    ("What time does the Kestrel live chat close on Sundays?", "On Sundays the live chat closes at 16:00.",
     "Until when is live chat open on Sunday?"),
]

N_TRAIN, N_HELD = 40, 20  # unrelated support questions: replay pool, never trained

CONFIGS: dict[str, dict] = {
    "full": {"method": "full", "learning_rate": 5e-5, "augment": 0},
    "lora16": {"method": "lora", "lora_r": 16, "lora_alpha": 32, "lora_targets": "attention", "augment": 0},
    "lora16-all": {"method": "lora", "lora_r": 16, "lora_alpha": 32, "lora_targets": "all", "augment": 0},
    "lora16-all-aug4": {"method": "lora", "lora_r": 16, "lora_alpha": 32, "lora_targets": "all", "augment": 4},
}


def base_answers(questions: list[str]) -> tuple[list[str], Path]:
    """The base model's greedy answers, and the Answerer cache file holding them (kept
    between runs: they only depend on the base model and the questions)."""
    from lic_cli.train.evaluate import ANSWERS_FILE, Answerer

    folder = models.cache_dir("bench") / "base"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
                 "tokenizer_config.json", "chat_template.jinja"):
        source = models.resolve("smollm2").resolve() / name
        if source.exists():
            with contextlib.suppress(FileExistsError):  # another bench run made it meanwhile
                os.symlink(source, folder / name)
    answerer = Answerer(folder)  # caches its answers in folder / ANSWERS_FILE
    print(f"setup: base answers for {len(questions)} questions (cached in {folder})", file=sys.stderr)
    return answerer(questions), folder / ANSWERS_FILE


def setup(root: Path, params: dict) -> None:
    """tasks.yaml, a v0 dataset of unrelated questions, the base registered as its model."""
    from lic_cli.train import registry

    rows = [json.loads(line) for line in (REPO / "datasets/support_qa.jsonl").read_text().splitlines()]
    pool = [r for r in rows if r.get("split") == "train"][::5][:N_TRAIN] + \
        [r for r in rows if r.get("split") == "test"][:N_HELD]
    answers, cached = base_answers([r["question"] for r in pool])
    (root / "datasets").mkdir(parents=True)
    lines = [{"question": r["question"], "answer": a, "split": "train" if i < N_TRAIN else "test"}
             for i, (r, a) in enumerate(zip(pool, answers, strict=True)) if a.strip()]
    (root / "datasets/bench_qa.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines))
    tasks = {"version": 1, "tasks": [{
        "name": "bench_qa", "description": "Support questions and answers.", "dataset": "datasets/bench_qa.jsonl",
        "format": "qa", "key": ["question"],
        "train": {"type": "causal-lm", "base": "smollm2", "eval_split": "test", "params": params}}]}
    (root / "tasks.yaml").write_text(yaml.safe_dump(tasks, sort_keys=False))
    project = load_project(root)
    task = project.task("bench_qa")
    h = file_hash(project.dataset_path(task))
    folder = registry.model_dir(project, "bench_qa", 0, h)
    folder.parent.mkdir(parents=True)
    shutil.copytree(models.resolve("smollm2"), folder, ignore=shutil.ignore_patterns("lic_answers.json"))
    # What the previous model's own evaluation would have left: its held-out answers. The
    # train rows probed for locality are generated in the timed run, as in a real one.
    held = [r["question"] for r in lines if r["split"] == "test"]
    blob = json.loads(cached.read_text(encoding="utf-8"))
    blob["answers"] = {p: a for p, a in blob["answers"].items() if any(q in p for q in held)}
    (folder / cached.name).write_text(json.dumps(blob, ensure_ascii=False), encoding="utf-8")
    from lic_cli.train import params_for

    registry.add(project, {"task": "bench_qa", "status": "trained", "path": folder.relative_to(root).as_posix(),
                           "dataset_version": 0, "dataset_hash": h, "base": "smollm2", "type": "causal-lm",
                           "labels": [], "params": params_for(task).to_dict(), "metrics": {}, "time": "", "seconds": 0})


def teach(root: Path) -> None:
    """One patch adding the 20 facts (with their held-out paraphrases), applied as version 1."""
    from lic_cli.patches import files
    from lic_cli.patches.apply import expected_id
    from lic_cli.patches.fileformat import Op, Patch, utc_now
    from lic_cli.patches.run import apply_files
    from lic_cli.store.versions import current_version

    project = load_project(root)
    task = project.task("bench_qa")
    version, h = current_version(project, task)
    ops = []
    for q, a, para in FACTS:
        row = {"question": q, "answer": a, "paraphrases": [para], "split": "train"}
        ops.append(Op("add", expected_id(task, row), None, row))
    patch = Patch(task="bench_qa", dataset=task.dataset, base_version=version, base_hash=h, author="bench",
                  time=utc_now(), source=(), message="teach 20 facts", ops=tuple(ops))
    path = files.write_new(project, patch, "teach-facts")
    list(apply_files([str(path)], project=project, author="bench", approve=False, dry_run=False,
                     notify=lambda _m: None))


def measure(name: str, params: dict, keep: Path | None) -> dict:
    from lic_cli import train
    from lic_cli.train import evaluate, registry

    root = Path(tempfile.mkdtemp(prefix=f"lic-bench-{name}-"))
    try:
        setup(root, params)
        teach(root)
        project = load_project(root)
        start, cpu0 = time.perf_counter(), _cpu()
        [summary] = list(train.run(project, ["bench_qa"], progress=False,
                                   note=lambda m: print(f"  {m}", file=sys.stderr)))
        wall, cpu = time.perf_counter() - start, _cpu() - cpu0
        entry = registry.latest(project, "bench_qa")
        # Answers are cached in the model folder by the evaluation `lic train` ran: no regeneration.
        result = evaluate.evaluate(project, project.task("bench_qa"), entry)
        items = result["items"]
        written = [ok for i in items for p, ok in zip(i["paraphrases"], i["paraphrase_correct"], strict=True)
                   if p in {f[2] for f in FACTS}]
        templ = [ok for i in items for p, ok in zip(i["paraphrases"], i["paraphrase_correct"], strict=True)
                 if p not in {f[2] for f in FACTS}]
        out = {"config": name, "params": params, "status": summary["status"], "taught": len(items),
               "efficacy": result["reliability"], "generalization": round(sum(written) / len(written), 4),
               "generalization_templates": round(sum(templ) / len(templ), 4) if templ else None,
               "locality": result["locality"], "locality_probes": result["locality_probes"],
               "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
               "steps": summary["metrics"].get("steps"), "train_pairs": summary["metrics"].get("train_rows"),
               "wrong": [(i["question"], i["answer"]) for i in items if not i["correct"]],
               "wrong_paraphrases": [(p, a) for i in items for p, a, ok in
                                     zip(i["paraphrases"], i["paraphrase_answers"], i["paraphrase_correct"], strict=True)
                                     if not ok and p in {f[2] for f in FACTS}]}
        return out
    finally:
        if keep:
            shutil.copytree(root, keep / name, dirs_exist_ok=True)
        shutil.rmtree(root, ignore_errors=True)


def _cpu() -> float:
    """CPU seconds of this process: on a shared, busy machine, cpu_s / cores estimates idle wall time."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", action="append", choices=sorted(CONFIGS), help="named configuration (repeatable)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a train param")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the wrong answers")
    args = ap.parse_args()
    os.environ.setdefault("LIC_HOME", str(REPO / ".lic" / "home"))
    default = (yaml.safe_load((REPO / "tasks.yaml").read_text())["tasks"][0].get("train") or {}).get("params") or {}
    overrides = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    runs = [(n, {**CONFIGS[n], **overrides}) for n in args.config] if args.config else \
        [("support_qa" + ("+set" if overrides else ""), {**default, **overrides})]
    results = []
    for name, params in runs:
        print(f"== {name}: {params}", file=sys.stderr)
        results.append(measure(name, params, None))
    print(f"{'config':<22} {'efficacy':>9} {'general.':>9} {'(templ.)':>9} {'locality':>9} {'wall s':>7} "
          f"{'cpu s':>7} {'steps':>6}")
    print(f"{'target':<22} {'>= 95%':>9} {'>= 80%':>9} {'':>9} {'>= 95%':>9} {'<= 300':>7}")
    for r in results:
        pct = lambda v: "-" if v is None else f"{100 * v:.0f}%"  # noqa: E731
        print(f"{r['config']:<22} {pct(r['efficacy']):>9} {pct(r['generalization']):>9} "
              f"{pct(r['generalization_templates']):>9} {pct(r['locality']):>9} {r['wall_s']:>7.0f} {r['cpu_s']:>7.0f} "
              f"{r['steps']!s:>6}")
        if args.verbose:
            for q, a in r["wrong"] + r["wrong_paraphrases"]:
                print(f"    wrong: {q!r} -> {a!r}")
    print(f"({os.cpu_count()} cores; load average at the end {os.getloadavg()[0]:.1f}: with other work on the "
          "machine, cpu s / cores estimates the idle wall time)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
