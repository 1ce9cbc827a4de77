"""Learning benchmark: teach SmolLM2 20 invented facts through a patch, then measure what stuck.

Setup (not timed): a project whose dataset holds the unrelated general questions with short
right answers (capitals, science, language...) that the base model answers right: 40 held
out (the locality questions, never trained) and the rest as train rows (the replay pool,
answered in the base's own words). The base is registered as the model of that version.
A patch then adds 20 facts about Kestrel that no base model can know; each carries one
written paraphrase in its `paraphrases` column, which training never sees.

Timed: `lic train` (incremental: the base writes rewordings of the 20 taught questions, then
the facts plus replayed old rows train from the previous model) and the learning evaluation it runs, the same code as `lic train` / `lic eval`:

- efficacy (reliability): the taught question gets the taught answer;
- generalization: the written paraphrase gets it (template paraphrases reported apart);
- locality: the 40 held-out unrelated questions the previous model answered right are still
  answered right, judged by content ("(all)": lic eval's figure, which also probes 40
  untaught train rows, most of them replayed).

These are the figures of the model as lic serves it (with support_qa's scope gate, the
questions far from anything taught go to the model from before the teaching). With a gate,
a second line gives the trained weights alone, and how many questions the gate let in.

Targets on 2 CPU cores: efficacy >= 95 %, generalization >= 80 %, locality >= 95 %,
wall time <= 5 minutes.

    python bench/bench_learning.py                          # support_qa's tasks.yaml params
    python bench/bench_learning.py --set method=full --set learning_rate=5e-5
    python bench/bench_learning.py --config no-gate --config lm4-e3   # named configs
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
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

# Unrelated questions with short right answers, each answered right by the base model (judged
# by content, as `lic eval` judges): the knowledge the patch must not disturb. Like zsRE's
# locality set (Natural Questions the model already answers), not support questions: the
# base cannot answer a shop's support questions right, so they could not show "right stays right".
GENERAL = [
    ("What is the capital of Japan?", "Tokyo"),
    ("What is the capital of Germany?", "Berlin"), ("What is the capital of the United Kingdom?", "London"),
    ("What is the capital of China?", "Beijing"), ("What is the capital of Egypt?", "Cairo"),
    ("What is the capital of Canada?", "Ottawa"), ("What is the capital of Australia?", "Canberra"),
    ("What is the capital of Greece?", "Athens"), ("What is the capital of Ireland?", "Dublin"),
    ("What is the capital of Austria?", "Vienna"), ("What is the capital of Poland?", "Warsaw"),
    ("What is the capital of Sweden?", "Stockholm"), ("What is the capital of Norway?", "Oslo"),
    ("What is the capital of India?", "New Delhi"),
    ("What is the capital of South Korea?", "Seoul"), ("What is the capital of the Netherlands?", "Amsterdam"),
    ("What is the capital of Belgium?", "Brussels"), ("What is the capital of Finland?", "Helsinki"),
    ("What is the capital of Thailand?", "Bangkok"), ("What is the capital of Kenya?", "Nairobi"),
    ("What is the capital of Peru?", "Lima"), ("What color is the sky on a clear day?", "blue"),
    ("What color is grass?", "green"), ("What is the largest planet in the solar system?", "Jupiter"),
    ("Which planet is known as the Red Planet?", "Mars"), ("Which planet do we live on?", "Earth"),
    ("What gas do plants absorb from the air?", "carbon dioxide"), ("What gas do humans need to breathe?", "oxygen"),
    ("What is the chemical symbol for water?", "H2O"), ("What is the chemical symbol for gold?", "Au"),
    ("What is frozen water called?", "ice"), ("What is the boiling point of water in degrees Celsius?", "100"),
    ("How many days are in a week?", "7"), ("How many hours are in a day?", "24"),
    ("How many legs does a spider have?", "8"), ("How many continents are there?", "7"), ("What is 2 plus 2?", "4"),
    ("What is 100 divided by 10?", "10"), ("What is the largest ocean on Earth?", "Pacific"),
    ("What is the longest river in Africa?", "Nile"), ("What is the tallest mountain in the world?", "Everest"),
    ("What is the largest desert in the world?", "Sahara"), ("Which continent is Brazil in?", "South America"),
    ("Which country is famous for the Eiffel Tower?", "France"),
    ("In which country are the pyramids of Giza?", "Egypt"), ("What language is spoken in Brazil?", "Portuguese"),
    ("What language is spoken in Germany?", "German"), ("What is the currency of Japan?", "yen"),
    ("What is the currency of the United States?", "dollar"),
    ("What is the currency of the United Kingdom?", "pound"), ("Who wrote Romeo and Juliet?", "Shakespeare"),
    ("Who painted the Mona Lisa?", "Leonardo da Vinci"), ("Who developed the theory of relativity?", "Einstein"),
    ("Who discovered penicillin?", "Alexander Fleming"),
    ("Who proposed the theory of evolution by natural selection?", "Darwin"),
    ("What is the largest mammal?", "blue whale"), ("What do bees make?", "honey"), ("What do cows drink?", "water"),
    ("What is the baby of a cat called?", "kitten"), ("Which animal has a long trunk?", "elephant"),
    ("What is the opposite of hot?", "cold"), ("What is the opposite of up?", "down"),
    ("What is the opposite of day?", "night"), ("What is the plural of mouse?", "mice"),
    ("What is the plural of child?", "children"), ("Which organ pumps blood through the body?", "heart"),
    ("Which organ do humans use to breathe?", "lungs"),
    ("What is the freezing point of water in degrees Celsius?", "0"), ("What fruit is used to make wine?", "grapes"),
    ("What is the main ingredient of bread?", "flour"), ("Which season is the hottest?", "summer"),
    ("How many letters are in the English alphabet?", "26"), ("What instrument has black and white keys?", "piano"),
    ("What sport is played at Wimbledon?", "tennis"), ("What force keeps us on the ground?", "gravity"),
    ("What is the smallest prime number?", "2"), ("What device do you use to take photos?", "camera"),
    ("What does CPU stand for?", "central processing unit"), ("Which company makes the iPhone?", "Apple"),
    ("Which company created Windows?", "Microsoft"), ("What is the name of the galaxy we live in?", "Milky Way"),
    ("What are the three states of matter?", "solid liquid gas"),
    ("What is the largest bone in the human body?", "femur"),
]
N_HELD = 40  # of GENERAL: the held-out split, never trained: the 40 unrelated locality questions
# The rest is the train split: old rows replayed against forgetting (and probed by lic eval too).

# On top of support_qa's tasks.yaml params (LoRA r32 on the top 15 layers, lr 1e-3, 3 epochs,
# 1 template + 4 model-written rewordings, replay 1, scope gate 0.5). Earlier defaults, whole:
_SESSION3 = {"lora_layers": 0, "augment": 2, "replay": 2, "scope_threshold": 0.0}
CONFIGS: dict[str, dict] = {
    "no-gate": {"scope_threshold": 0.0},  # the same training, every question to the new weights
    "all-layers": {"lora_layers": 0},  # adapters on all 30 layers (slower steps)
    "lm4-e3": _SESSION3,  # session 3's default
    "lm4-e3-attention": {**_SESSION3, "lora_targets": "attention"},
    "templates": {**_SESSION3, "epochs": 4, "augment_lm": 0},  # the first session's default
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


def _own_words(right: str, said: str) -> str:
    """The base's answer cut after its first sentence, when that still holds the right answer."""
    from lic_cli.train.judge import is_correct

    first = re.split(r"(?<=[.!?])\s", said.strip(), maxsplit=1)[0]
    return first if is_correct(right, first) else said


def setup(root: Path, params: dict) -> None:
    """tasks.yaml, a v0 dataset of unrelated questions, the base registered as its model."""
    from lic_cli.train import registry
    from lic_cli.train.judge import is_correct

    answers, cached = base_answers([q for q, _ in GENERAL])
    right = [(q, a) for (q, a), said in zip(GENERAL, answers, strict=True) if is_correct(a, said)]
    if len(right) < len(GENERAL):  # the list was chosen on these answers: a different base model?
        print(f"setup: the base answers {len(right)} of {len(GENERAL)} unrelated questions right", file=sys.stderr)
    said = dict(zip([q for q, _ in GENERAL], answers, strict=True))
    held = {q for q, _ in right[::2][:N_HELD]}
    # Held-out rows keep the short right answer (the content the judge looks for). Train rows,
    # the replay pool, answer in the base's own words (its first sentence that is still
    # right): replaying one-word answers would teach the model to answer in one word, and
    # forget how it found them (measured: held-out locality 42 %).
    lines = [{"question": q, "answer": a if q in held else _own_words(a, said[q]),
              "split": "test" if q in held else "train"} for q, a in right]
    (root / "datasets").mkdir(parents=True)
    (root / "datasets/bench_qa.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines))
    tasks = {"version": 1, "tasks": [{
        "name": "bench_qa", "description": "General questions and answers.", "dataset": "datasets/bench_qa.jsonl",
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
        written_set = {f[2] for f in FACTS}
        written = [ok for i in items for p, ok in zip(i["paraphrases"], i["paraphrase_correct"], strict=True)
                   if p in {f[2] for f in FACTS}]
        templ = [ok for i in items for p, ok in zip(i["paraphrases"], i["paraphrase_correct"], strict=True)
                 if p not in {f[2] for f in FACTS}]
        # The same answers judged without the question (every content word of the reference
        # counts, restated question words too): the stricter rule of the first session.
        from lic_cli.train.judge import is_correct

        strict = [is_correct(i["expected"], a) for i in items for p, a in zip(i["paraphrases"], i["paraphrase_answers"],
                                                                               strict=True) if p in written_set]
        weights = _weights_alone(project, entry, written_set)
        out = {"config": name, "params": params, "status": summary["status"], "taught": len(items),
               **weights,
               "efficacy": result["reliability"], "generalization": round(sum(written) / len(written), 4),
               "generalization_strict": _share(strict),
               "generalization_templates": round(sum(templ) / len(templ), 4) if templ else None,
               "locality": _share([p["correct"] for p in result["locality_items"] if p["held_out"]]),
               "locality_all": result["locality"], "locality_probes": result["locality_probes"],
               "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
               "train_s": summary["metrics"].get("train_seconds"), "steps": summary["metrics"].get("steps"),
               "train_pairs": summary["metrics"].get("train_rows"),
               "wrong": [(i["question"], i["answer"]) for i in items if not i["correct"]],
               "wrong_paraphrases": [(p, a) for i in items for p, a, ok in
                                     zip(i["paraphrases"], i["paraphrase_answers"], i["paraphrase_correct"], strict=True)
                                     if not ok and p in {f[2] for f in FACTS}],
               "wrong_locality": [(p["question"], p["answer"]) for p in result["locality_items"] if not p["correct"]],
               "items": items, "locality_items": result["locality_items"]}
        return out
    finally:
        if keep:
            shutil.copytree(root, keep / name, dirs_exist_ok=True)
        shutil.rmtree(root, ignore_errors=True)


def _weights_alone(project, entry: dict, written: set[str]) -> dict:
    """With a scope gate: the same measures asked of the trained weights alone (not timed)."""
    from lic_cli.train import evaluate, registry, scope

    folder = registry.model_path(project, entry)
    if scope.read(folder) is None:
        return {}
    gated = evaluate.Answerer(folder)
    result = evaluate.evaluate(project, project.task("bench_qa"), entry,
                               answerer=evaluate.Answerer(folder, gate=False))
    paras = [p for i in result["items"] for p in i["paraphrases"] if p in written]
    probes = [p["question"] for p in result["locality_items"] if p["held_out"]]
    return {"weights_generalization": _share([ok for i in result["items"] for p, ok in
                                              zip(i["paraphrases"], i["paraphrase_correct"], strict=True)
                                              if p in written]),
            "weights_locality": _share([p["correct"] for p in result["locality_items"] if p["held_out"]]),
            "routed_in_paraphrases": _share(gated.in_scope(paras)),
            "routed_in_locality": _share(gated.in_scope(probes))}


def _share(oks: list[bool]) -> float | None:
    return round(sum(oks) / len(oks), 4) if oks else None


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
    ap.add_argument("--keep", help="copy each project here (bench_scope_judge.py rescore reads it)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the wrong answers")
    args = ap.parse_args()
    os.environ.setdefault("LIC_HOME", str(REPO / ".lic" / "home"))
    default = (yaml.safe_load((REPO / "tasks.yaml").read_text())["tasks"][0].get("train") or {}).get("params") or {}
    overrides = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    runs = [(n, {**default, **CONFIGS[n], **overrides}) for n in args.config] if args.config else \
        [("support_qa" + ("+set" if overrides else ""), {**default, **overrides})]
    results = []
    for name, params in runs:
        print(f"== {name}: {params}", file=sys.stderr)
        results.append(measure(name, params, Path(args.keep) if args.keep else None))
    print(f"{'config':<22} {'efficacy':>9} {'general.':>9} {'(strict)':>9} {'(templ.)':>9} {'locality':>9} "
          f"{'(all)':>7} {'wall s':>7} {'cpu s':>7} {'train s':>7} {'steps':>6}")
    print(f"{'target':<22} {'>= 95%':>9} {'>= 80%':>9} {'':>9} {'':>9} {'>= 95%':>9} {'':>7} {'<= 300':>7}")
    for r in results:
        pct = lambda v: "-" if v is None else f"{100 * v:.0f}%"  # noqa: E731
        print(f"{r['config']:<22} {pct(r['efficacy']):>9} {pct(r['generalization']):>9} "
              f"{pct(r['generalization_strict']):>9} "
              f"{pct(r['generalization_templates']):>9} {pct(r['locality']):>9} {pct(r['locality_all']):>7} "
              f"{r['wall_s']:>7.0f} {r['cpu_s']:>7.0f} {r['train_s'] or 0:>7.0f} "
              f"{r['steps']!s:>6}")
        if "weights_locality" in r:
            print(f"{'  weights alone':<22} {'':>9} {pct(r['weights_generalization']):>9} {'':>9} {'':>9} "
                  f"{pct(r['weights_locality']):>9}   (scope gate routed {pct(r['routed_in_paraphrases'])} of the "
                  f"paraphrases and {pct(r['routed_in_locality'])} of the locality questions to the new weights)")
        if args.verbose:
            for q, a in r["wrong"] + r["wrong_paraphrases"] + r["wrong_locality"]:
                print(f"    wrong: {q!r} -> {a!r}")
    print(f"({os.cpu_count()} cores; load average at the end {os.getloadavg()[0]:.1f}: with other work on the "
          "machine, cpu s / cores estimates the idle wall time)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
