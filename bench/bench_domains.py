"""Learning benchmark across domains: teach one domain's 30 invented facts, retrain, measure.

The domains are bench/domains/*.jsonl (written for issues 18 and 21, before any tuning).
`library`, `gym`, `council`, `museum`, `festival`, `cricketclub`, `foodtruck`, `paintball`, `carhire`,
`snooker` and `upholstery` tune the causal-lm defaults (the last nine were held out until sessions 10-13
scored them); `skiphire` and `falconry` (session 14), `pharmacy` and `hotel` are held out whole (docs/train.md). Each run also scores every check
after generation (CHECKS: scope_check off / value / row / judge at 0.3, 0.5, 0.7) on the same answers. For each (domain, configuration):

Setup (not timed): a qa project whose v0 dataset holds the 85 fixed locality questions of
bench/domains/general.jsonl as its held-out split (short right answers the base model gives)
and the 20 `dev` general questions as its train rows (in the base's own words: the task's
old rows, which `replay` draws on). The base model is registered as the v0 model.
A patch adds the domain's 30 facts (with their written paraphrases, never trained on).

Timed: `lic train` (incremental: rewordings, training, and the learning evaluation it runs).

Measured after, through the scope gate (as lic serves the model) and from the weights
alone (plain from_pretrained on the folder, as any other tool serves it):

- reliability: the taught question gets the taught answer;
- generalization: the written paraphrases get it (judged against the taught question);
- locality: the 85 fixed general questions are still answered right (as `lic eval` judges);
- near-miss: the 60 near-miss probes (same subject, other relation; same relation, other
  subject) keep the base's answer (judged by content) and do not give the taught one.

    python bench/bench_domains.py --domain library --config today --config distill
    python bench/bench_domains.py --domain council --domain hotel --json out.json
    python bench/bench_domains.py --domain gym --keep KEPT && python bench/bench_domains.py --rescore KEPT/gym-support_qa

`--rescore` re-answers a kept project's cached answers through every check and row-answer
variant (session 11: answers from the row at judge floors 0.7 / 0.8 / 0.9) without training;
$BENCH_NEAR_MISS_JUDGE names a second judge folder to score beside the shipped one.
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(REPO / "bench"))

from bench_learning import _cpu, base_answers  # noqa: E402

from lic_cli import models  # noqa: E402
from lic_cli.store.rows import file_hash  # noqa: E402
from lic_cli.tasks import load_project  # noqa: E402
from lic_cli.train.distill import _whole_sentences  # noqa: E402

DOMAINS = REPO / "bench" / "domains"
# Session 14: snooker and upholstery were scored in session 13, so they tune now (session 14 checks on them);
# skiphire and falconry (written this session by a data-only helper, bench/domains/HELDOUT_S14.md) are held out
# whole, named here by file name only.
TUNING = ("library", "gym", "council", "museum", "festival", "cricketclub", "foodtruck", "paintball", "carhire",
          "snooker", "upholstery")
HELD_OUT = ("pharmacy", "hotel", "skiphire", "falconry")

# On top of support_qa's tasks.yaml params. "today": session 4's support_qa params, whole; the
# KL term is named off, since the causal-lm defaults (params.CAUSAL_LM_DEFAULTS) switch it on.
TODAY = {"kl_weight": 0.0, "reuse_frozen": False, "method": "lora", "lora_r": 32, "lora_alpha": 64, "lora_targets": "all", "lora_layers": 15,
         "learning_rate": 1.0e-3, "epochs": 3, "first_epochs": 1, "augment": 1, "augment_lm": 4, "replay": 1,
         "batch_size": 8, "max_length": 128, "scope_threshold": 0.5, "scope_check": "off", "scope_route": "check"}
CONFIGS: dict[str, dict] = {
    "today": TODAY,
    "distill": {**TODAY, "distill": 1.0},
    "kl": {**TODAY, "kl_weight": 1.0},
    "distill-kl": {**TODAY, "distill": 1.0, "kl_weight": 1.0},
    "kl-fast": {**TODAY, "kl_weight": 1.0, "lora_layers": 10, "augment_lm": 3},
    "kl-old": {**TODAY, "kl_weight": 1.0, "reuse_frozen": False},  # session 6's shipped default, old code path
    "kl-new": {**TODAY, "kl_weight": 1.0, "reuse_frozen": True},
    "lr5e-4": {**TODAY, "learning_rate": 5e-4},
    "layers8": {**TODAY, "lora_layers": 8},
}
# Session 10 (issue 21): on top of the shipped defaults (support_qa's params, KL on, reuse_frozen).
SHIPPED = {**TODAY, "kl_weight": 1.0, "reuse_frozen": True}
CONFIGS.update({
    "shipped-distill": {**SHIPPED, "distill": 1.0},  # + self-distilled general answers replayed as text
    "shipped-lm8-l8": {**SHIPPED, "augment_lm": 8, "lora_layers": 8},  # twice the rewordings, half the layers
    # Session 11 (issue 21): a heavier pull to the base on general questions.
    "shipped-kl3": {**SHIPPED, "kl_weight": 3.0},
})
# The checks after generation scored on each run's gated answers (scope.Gate.keeps; the judge at a grid).
CHECKS = (("off", None), ("value", None), ("row", None), ("judge", 0.3), ("judge", 0.5), ("judge", 0.7))
# Session 11: answers from the row (scope.Gate.row_answers) at these judge floors, after the `row` and
# `judge >= 0.7` checks, with the judge as shipped and the one trained also on lic_cli/data/near_miss/.
ROW_ANSWERS = (0.7, 0.8, 0.9)
ANSWER_CHECKS = (("row", None), ("judge", 0.7))
# Session 11 chose the judge trained also on lic_cli/data/near_miss/ (now the shipped one); "near_miss" is the
# judge folder $BENCH_NEAR_MISS_JUDGE names, scored beside it when set (session 11's tuning used session 9's).
JUDGES = ("shipped", "near_miss") if os.environ.get("BENCH_NEAR_MISS_JUDGE") else ("shipped",)
# Session 12: the routes through the gate (scope.ROUTES) with each decider of `--decider` (rescore only), the
# decider as scope.Decider's fields and the judge floor: "similarity floor:fits (1/0):floor:other[:candidates]".
DECIDERS: list[str] = ["0.5:1:0.7:0.5"]  # session 11's row answers


class CheckedGate:
    """A gate whose check after generation is one of CHECKS (and, with `answer`, whose refused questions
    a clearly matching row answers at that judge floor), whatever its scope file says."""

    def __init__(self, gate, check: str, floor: float | None, answer: float | None = None) -> None:
        self.gate, self.check, self.floor, self.answer, self.scope = gate, check, floor, answer, gate.scope

    def in_scope(self, questions):
        return self.gate.in_scope(questions)

    def keeps(self, questions, answers):
        return self.gate.keeps(questions, answers, check=self.check, floor=self.floor)

    def row_answers(self, questions):
        if self.answer is None:
            return [None] * len(questions)
        return self.gate.row_answers(questions, floor=self.answer)


def check_name(check: str, floor: float | None, answer: float | None = None, judge: str = "shipped") -> str:
    name = check if floor is None else f"{check}>={floor}"
    if answer is not None:
        name += f"+row>={answer}"
    return name if judge == "shipped" else f"{name}[{judge}]"


def near_miss_judge():
    """The scope judge trained also on lic_cli/data/near_miss/*.jsonl (joined to the retrieval rows by id)."""
    from lic_cli.models import scope_judge

    if os.environ.get("BENCH_NEAR_MISS_JUDGE"):  # a judge folder already trained on the same pairs
        return scope_judge.Judge(Path(os.environ["BENCH_NEAR_MISS_JUDGE"]))
    return scope_judge.load(data=near_miss_data(), note=lambda m: print(f"  {m}", file=sys.stderr))


def near_miss_data() -> list[Path]:
    """The packaged retrieval files with lic_cli/data/near_miss/'s questions joined in by id."""
    from lic_cli.models import scope_judge

    out = Path(os.environ["LIC_HOME"]) / "cache" / "bench" / "near_miss_join"
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for src in scope_judge.packaged_data():
        extra = {}
        for line in (src.parent.parent / "near_miss" / src.name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                extra[row["id"]] = row["near_miss"]
        rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines() if line.strip()]
        for row in rows:
            row["near_miss"] = [*row.get("near_miss", []), *extra.get(row.get("id"), [])]
        path = out / src.name
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def score_checks(gated, facts: list[dict], said: dict[str, str], judges: dict) -> dict:
    """Every check (CHECKS) and every row-answer variant on the same gated answers."""
    gate = gated.gate
    out = {}
    try:
        gate.check_judge = judges["shipped"]
        for check, floor in CHECKS:
            gated.gate = CheckedGate(gate, check, floor)
            out[check_name(check, floor)] = score(gated, facts, said)
        for judge_name, judge in judges.items():
            gate.check_judge = judge
            for check, floor in ANSWER_CHECKS:
                for answer in (None, *ROW_ANSWERS):
                    if judge_name != "shipped" and answer is None and check == "row":
                        continue  # the row check does not ask the judge
                    gated.gate = CheckedGate(gate, check, floor, answer)
                    s = score(gated, facts, said)
                    s["answered_from_row"] = _share([r == "row" for r in gated.routes])
                    out[check_name(check, floor, answer, judge_name)] = s
    finally:
        gated.gate = gate
        gate.check_judge = None
    return out


def read_domain(name: str) -> list[dict]:
    return [json.loads(line) for line in (DOMAINS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


def general(use: str) -> list[dict]:
    rows = [json.loads(line) for line in (DOMAINS / "general.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["use"] == use]


def setup(root: Path, params: dict, facts: list[dict]) -> dict[str, str]:
    """tasks.yaml, the v0 dataset, the base registered as its model; the base's answers."""
    from lic_cli.train import params_for, registry

    loc, old = general("locality"), general("dev")
    asked = ([r["question"] for r in loc + old] + [f["question"] for f in facts] +
             [p for f in facts for p in f["paraphrases"]] + [n for f in facts for n in f["near_miss"]])
    said_list, cached = base_answers(asked)
    said = dict(zip(asked, said_list, strict=True))
    lines = ([{"question": r["question"], "answer": r["answer"], "split": "test"} for r in loc] +
             [{"question": r["question"], "answer": _whole_sentences(said[r["question"]]), "split": "train"}
              for r in old])
    (root / "datasets").mkdir(parents=True)
    (root / "datasets/faq.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines))
    tasks = {"version": 1, "tasks": [{
        "name": "faq", "description": "Questions and answers.", "dataset": "datasets/faq.jsonl",
        "format": "qa", "key": ["question"],
        "train": {"type": "causal-lm", "base": "smollm2", "eval_split": "test", "tolerance": 0.05,
                  "params": params}}]}
    (root / "tasks.yaml").write_text(yaml.safe_dump(tasks, sort_keys=False))
    project = load_project(root)
    task = project.task("faq")
    h = file_hash(project.dataset_path(task))
    folder = registry.model_dir(project, "faq", 0, h)
    folder.parent.mkdir(parents=True)
    shutil.copytree(models.resolve("smollm2"), folder, ignore=shutil.ignore_patterns("lic_answers.json"))
    # What the v0 model's own evaluation would have left: its held-out answers.
    blob = json.loads(cached.read_text(encoding="utf-8"))
    held = {r["question"] for r in loc}
    blob["answers"] = {p: a for p, a in blob["answers"].items() if any(q in p for q in held)}
    (folder / cached.name).write_text(json.dumps(blob, ensure_ascii=False), encoding="utf-8")
    registry.add(project, {"task": "faq", "status": "trained", "path": folder.relative_to(root).as_posix(),
                           "dataset_version": 0, "dataset_hash": h, "base": "smollm2", "type": "causal-lm",
                           "labels": [], "params": params_for(task).to_dict(), "metrics": {}, "time": "",
                           "seconds": 0})
    return said


def teach(root: Path, facts: list[dict], domain: str) -> None:
    from lic_cli.patches import files
    from lic_cli.patches.apply import expected_id
    from lic_cli.patches.fileformat import Op, Patch, utc_now
    from lic_cli.patches.run import apply_files
    from lic_cli.store.versions import current_version

    project = load_project(root)
    task = project.task("faq")
    version, h = current_version(project, task)
    ops = []
    for f in facts:
        row = {"question": f["question"], "answer": f["answer"], "paraphrases": f["paraphrases"], "split": "train"}
        ops.append(Op("add", expected_id(task, row), None, row))
    patch = Patch(task="faq", dataset=task.dataset, base_version=version, base_hash=h, author="bench",
                  time=utc_now(), source=(), message=f"teach {len(facts)} {domain} facts", ops=tuple(ops))
    path = files.write_new(project, patch, f"teach-{domain}")
    list(apply_files([str(path)], project=project, author="bench", approve=False, dry_run=False,
                     notify=lambda _m: None))


def score(answer, facts: list[dict], said: dict[str, str]) -> dict:
    """The four measures of one answerer (a callable: questions -> answers)."""
    from lic_cli.train.judge import is_correct

    loc = general("locality")
    taught = [f["question"] for f in facts]
    paras = [(f, p) for f in facts for p in f["paraphrases"]]
    near = [(f, n) for f in facts for n in f["near_miss"]]
    asked = taught + [p for _, p in paras] + [r["question"] for r in loc] + [n for _, n in near]
    got = dict(zip(asked, answer(asked), strict=True))
    rel = [is_correct(f["answer"], got[f["question"]], f["question"]) for f in facts]
    gen = [is_correct(f["answer"], got[p], f["question"]) for f, p in paras]
    lo = [is_correct(r["answer"], got[r["question"]], r["question"]) for r in loc]
    nm = [not is_correct(f["answer"], got[n], f["question"]) and is_correct(said[n], got[n], n) for f, n in near]
    return {"reliability": _share(rel), "generalization": _share(gen), "locality": _share(lo),
            "near_miss": _share(nm), "locality_with_near_miss": _share(lo + nm),
            "wrong": [q for q, ok in zip(taught, rel, strict=True) if not ok],
            "wrong_paraphrases": [(p, got[p]) for (_, p), ok in zip(paras, gen, strict=True) if not ok],
            "wrong_locality": [(r["question"], got[r["question"]]) for r, ok in zip(loc, lo, strict=True) if not ok],
            "wrong_near_miss": [(n, got[n]) for (_, n), ok in zip(near, nm, strict=True) if not ok]}


def measure(domain: str, name: str, params: dict, keep: Path | None, n_facts: int = 0, checks: bool = True) -> dict:
    from lic_cli import train
    from lic_cli.train import evaluate, registry

    facts = read_domain(domain)[:n_facts or None]
    root = Path(tempfile.mkdtemp(prefix=f"lic-bench-{domain}-{name}-"))
    try:
        said = setup(root, params, facts)
        teach(root, facts, domain)
        project = load_project(root)
        start, cpu0 = time.perf_counter(), _cpu()
        [summary] = list(train.run(project, ["faq"], progress=False, note=lambda m: print(f"  {m}", file=sys.stderr)))
        wall, cpu = time.perf_counter() - start, _cpu() - cpu0
        folder = registry.model_path(project, registry.latest(project, "faq"))
        gated = evaluate.Answerer(folder)
        weights = evaluate.Answerer(folder, gate=False)
        out = {"domain": domain, "config": name, "facts": n_facts, "params": params, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
               "train_s": summary["metrics"].get("train_seconds"), "steps": summary["metrics"].get("steps"),
               "train_pairs": summary["metrics"].get("train_rows"), "lic_train_metrics": summary["metrics"],
               "gated": score(gated, facts, said), "weights": score(weights, facts, said)}
        if gated.gate is not None:
            out["misses"] = miss_table(gated, weights, facts)
            out["checks"] = score_checks(gated, facts, said, _judges()) if checks else {}
            out["routed_in"] = {
                "paraphrases": _share(gated.in_scope([p for f in facts for p in f["paraphrases"]])),
                "locality": _share(gated.in_scope([r["question"] for r in general("locality")])),
                "near_miss": _share(gated.in_scope([n for f in facts for n in f["near_miss"]]))}
        return out
    finally:
        if keep:
            shutil.copytree(root, keep / f"{domain}-{name}", dirs_exist_ok=True)
        shutil.rmtree(root, ignore_errors=True)


class MemoJudge:
    """A judge whose probabilities are computed once per (question, row) pair: the variants ask the same."""

    def __init__(self, judge) -> None:
        self.judge, self.seen = judge, {}

    def probability(self, questions, rows):
        import numpy as np

        todo = list(dict.fromkeys(p for p in zip(questions, rows, strict=True) if p not in self.seen))
        if todo:
            for pair, prob in zip(todo, self.judge.probability([q for q, _ in todo], [r for _, r in todo]), strict=True):
                self.seen[pair] = float(prob)
        return np.array([self.seen[p] for p in zip(questions, rows, strict=True)], dtype=np.float32)


_JUDGES: dict = {}


def _judges() -> dict:
    from lic_cli.models import scope_judge

    if not _JUDGES:
        _JUDGES["shipped"] = MemoJudge(scope_judge.shared())
        if "near_miss" in JUDGES:
            _JUDGES["near_miss"] = MemoJudge(near_miss_judge())
    return _JUDGES


def rescore(kept: Path) -> dict:
    """The checks and row-answer variants on a project `--keep` wrote (no training): its trained weights'
    cached answers, re-answered through each gate variant (refused questions: fallback or row)."""
    from lic_cli.train import evaluate, registry

    domain = kept.name.split("-")[0]
    project = load_project(kept)
    # the facts this project was taught (a `--facts N` run taught the first N)
    taught = {json.loads(line)["question"] for line in project.dataset_path(project.task("faq")).read_text(
        encoding="utf-8").splitlines() if line.strip()}
    facts = [f for f in read_domain(domain) if f["question"] in taught]
    folder = registry.model_path(project, registry.latest(project, "faq"))
    asked = ([r["question"] for r in general("locality") + general("dev")] + [f["question"] for f in facts] +
             [p for f in facts for p in f["paraphrases"]] + [n for f in facts for n in f["near_miss"]])
    said = dict(zip(asked, base_answers(asked)[0], strict=True))
    gated = evaluate.Answerer(folder)
    weights = evaluate.Answerer(folder, gate=False)
    # The fallback is the base (the v0 folder is a copy of smollm2): the bench's cached base answers, same settings.
    gated._fallback = evaluate.Answerer(base_answers([])[1].parent, gate=False)
    start = time.perf_counter()
    out = {"domain": domain, "config": kept.name.split("-", 1)[1], "kept": str(kept), "rescored": True,
           "gated": score(gated, facts, said), "weights": score(weights, facts, said),
           "checks": score_checks(gated, facts, said, _judges())}
    out["routes"] = score_routes(gated, facts, said)
    out["misses"] = miss_table(gated, weights, facts)
    out["rescore_s"] = round(time.perf_counter() - start, 1)
    return out


def score_routes(gated, facts: list[dict], said: dict[str, str]) -> dict:
    """Every route (scope.ROUTES) with every decider of DECIDERS on the same weights' answers: a gate of the same
    scope, the judge check at 0.7, that route and that decider."""
    import dataclasses

    from lic_cli.models import scope as scoping

    gate = gated.gate
    out = {}
    try:
        for spec in DECIDERS:
            sim, fits, floor, other, *k = spec.split(":")
            decider = scoping.Decider(floor=float(sim), fits=fits == "1", other=float(other),
                                      k=int(k[0]) if k else scoping.CANDIDATES)
            for route in scoping.ROUTES:
                g = scoping.Gate(dataclasses.replace(gate.scope, check="judge", answer=float(floor), route=route))
                g.check_judge, g.decider = _judges()["shipped"], decider
                gated.gate = g
                s = score(gated, facts, said)
                s["routes"] = {k: _share([r == k for r in gated.routes]) for k in ("taught", "row", "fallback")}
                out[f"{route} [{spec}]"] = s
    finally:
        gated.gate = gate
    return out


# Session 13: where each paraphrase went through the gate (scope.Gate, Answerer.routes), and whether the gated answer and
# the weights' own answer are right. A gated miss is the gate's when the weights alone were right (it kept the
# question out, refused a right answer or named another row), the weights' when they were wrong and the gate let
# their answer stand; a question the gate kept out or refused whose weights' answer was wrong is both's.
MISS_CLASSES = (
    ("kept out", "the gate kept it out (similarity, row checks), no row the decider is sure of: the fallback answers"),
    ("refused", "the gate let it in, the check refused the weights' answer, no sure row: the fallback answers"),
    ("row", "the decider named a row: that row's value"),
    ("weights", "the gate let it in and the check kept the weights' answer"),
)


def miss_table(gated, weights, facts: list[dict]) -> dict:
    """Each paraphrase's way through the gate, crossed with gated and weights-alone right (Session 13)."""
    from lic_cli.train.judge import is_correct

    paras = [(f, p) for f in facts for p in f["paraphrases"]]
    asked = [p for _, p in paras]
    got, alone = gated(asked), weights(asked)
    routes = list(gated.routes)
    let_in = gated.gate._in_scope(asked)  # the gate's own decision, before any row of the decider
    table = {name: {"n": 0, "gated_right": 0, "alone_right": 0, "miss_alone_right": 0, "miss_alone_wrong": 0}
             for name, _ in MISS_CLASSES}
    rows = []
    for (f, p), g, w, route, inside in zip(paras, got, alone, routes, let_in, strict=True):
        name = {"taught": "weights", "row": "row"}.get(route) or ("refused" if inside else "kept out")
        ok_g, ok_w = is_correct(f["answer"], g, f["question"]), is_correct(f["answer"], w, f["question"])
        t = table[name]
        t["n"] += 1
        t["gated_right"] += ok_g
        t["alone_right"] += ok_w
        if not ok_g:
            t["miss_alone_right" if ok_w else "miss_alone_wrong"] += 1
            rows.append({"class": name, "paraphrase": p, "taught": f["question"], "answer": f["answer"],
                         "gated": g, "alone": w, "alone_right": ok_w})
    return {"paraphrases": len(paras), "table": table, "missed": rows}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson interval of k right of n (the held-out sets are small: 60 paraphrases a domain)."""
    if n == 0:
        return (0.0, 1.0)
    p, d = k / n, 1 + z * z / n
    mid, half = (p + z * z / (2 * n)) / d, z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / d
    return (max(0.0, mid - half), min(1.0, mid + half))


def _items(r: dict) -> dict[str, dict[str, bool]]:
    """Each probe's right / wrong in one result, by kind and view (the JSON keeps only the wrong ones)."""
    facts = [json.loads(line) for line in (DOMAINS / f"{r['domain']}.jsonl").read_text().splitlines() if line.strip()]
    facts = facts[:r["facts"]] if r.get("facts") else facts
    general = [json.loads(line) for line in (DOMAINS / "general.jsonl").read_text().splitlines() if line.strip()]
    asked = {"reliability": [f["question"] for f in facts], "generalization": [p for f in facts for p in f["paraphrases"]],
             "locality": [g["question"] for g in general if g.get("use") == "locality"],
             "near_miss": [q for f in facts for q in f["near_miss"]]}
    wrong_key = {"reliability": "wrong", "generalization": "wrong_paraphrases", "locality": "wrong_locality",
                 "near_miss": "wrong_near_miss"}
    out = {}
    for view in ("gated", "weights"):
        for kind, qs in asked.items():
            bad = {w[0] if isinstance(w, list) else w for w in r[view][wrong_key[kind]]}
            out[f"{kind} {view}"] = {f"{r['domain']}: {q}": q not in bad for q in qs}
    return out


def pooled(results: list[dict]) -> dict[str, dict[str, bool]]:
    """Every probe of the results' domains, right or wrong, by kind and view."""
    out: dict[str, dict[str, bool]] = {}
    for r in results:
        for key, items in _items(r).items():
            out.setdefault(key, {}).update(items)
    return out


def _cell(oks: list[bool]) -> str:
    """'k/n p % [Wilson interval]'."""
    k, n = sum(oks), len(oks)
    lo, hi = wilson(k, n)
    return f"{k}/{n} {100 * k / n:5.1f} [{100 * lo:.1f}, {100 * hi:.1f}]"


def compare(before: list[dict], after: list[dict], draws: int = 2000) -> None:
    """Pooled figures of two runs on the same domains with Wilson intervals, and each difference with a
    paired bootstrap 95 % interval over the probes (both runs' answers to the same question drawn together)."""
    import random

    a, b = pooled(before), pooled(after)
    rng = random.Random(0)
    print(f"{'figure':<24} {'before':>22} {'after':>22} {'after - before (95 % paired bootstrap)':>40}")
    for key in a:
        keys = [k for k in a[key] if k in b.get(key, {})]
        if not keys:
            continue
        x, y = [a[key][k] for k in keys], [b[key][k] for k in keys]
        n = len(keys)
        diffs = sorted(sum(y[i] - x[i] for i in idx) / n
                       for idx in ([rng.randrange(n) for _ in range(n)] for _ in range(draws)))
        lo, hi = diffs[int(0.025 * draws)], diffs[int(0.975 * draws) - 1]
        print(f"{key:<24} {_cell(x):>22} {_cell(y):>22} {100 * (sum(y) - sum(x)) / n:+8.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]")
    for r0, r1 in zip(before, after, strict=False):
        print(f"{r0['domain']}: lic train {r0['wall_s']} -> {r1['wall_s']} s ({r1['wall_s'] / r0['wall_s']:.2f}x, "
              f"across runs: the load differs), steps {r0['steps']} -> {r1['steps']}, pairs {r0['train_pairs']} -> {r1['train_pairs']}")


def _share(oks: list[bool]) -> float | None:
    return round(sum(oks) / len(oks), 4) if oks else None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--domain", action="append", choices=TUNING + HELD_OUT, help="domain (repeatable)")
    ap.add_argument("--config", action="append", help=f"configuration (repeatable): support_qa, {', '.join(CONFIGS)}")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a train param")
    ap.add_argument("--facts", type=int, default=0, help="teach only the first N facts (dev runs; 0: all 30)")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--keep", help="copy each project here")
    ap.add_argument("--no-checks", action="store_true",
                    help="skip scoring every check variant (short exclusive timing holds; --rescore the kept project)")
    ap.add_argument("--rescore", action="append", default=[], metavar="KEPT",
                    help="score the checks and row answers on a project --keep wrote (no training; repeatable)")
    ap.add_argument("--decider", action="append", default=[], metavar="SIM:FITS:FLOOR:OTHER[:K]",
                    help="rescore: also score the routes with this decider (repeatable; session 11's is always in)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the wrong answers")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"),
                    help="pooled figures of two --json outputs with intervals (no model run)")
    args = ap.parse_args()
    if args.compare:
        before, after = (json.loads(Path(p).read_text()) for p in args.compare)
        compare(before, after)
        return
    DECIDERS.extend(d for d in args.decider if d not in DECIDERS)
    os.environ.setdefault("LIC_HOME", str(REPO / ".lic" / "home"))
    if args.rescore:
        results = []
        for kept in args.rescore:
            results.append(rescore(Path(kept)))
            _print([results[-1]], args.verbose)
            if args.json:
                Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
        return
    support = next(t for t in yaml.safe_load((REPO / "tasks.yaml").read_text())["tasks"] if t["name"] == "support_qa")
    default = support["train"]["params"]
    overrides = {k: yaml.safe_load(v) for k, v in (s.split("=", 1) for s in args.set)}
    names = args.config or ["support_qa"]
    results = []
    for domain in args.domain or ["library", "gym"]:
        for name in names:
            params = {**(default if name == "support_qa" else CONFIGS[name]), **overrides}
            print(f"== {domain} / {name}: {params}", file=sys.stderr)
            results.append(measure(domain, name, params, Path(args.keep) if args.keep else None, args.facts,
                                   checks=not args.no_checks))
            _print([results[-1]], args.verbose)
            if args.json:
                Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print("\n== all")
    _print(results, False)
    print(f"({os.cpu_count()} cores; load average at the end {os.getloadavg()[0]:.1f})")


def _print(results: list[dict], verbose: bool) -> None:
    pct = lambda v: "-" if v is None else f"{100 * v:.1f}%"  # noqa: E731
    print(f"{'domain':<9} {'config':<14} {'':<8} {'reliab.':>8} {'general.':>8} {'locality':>8} {'near-miss':>9} "
          f"{'wall s':>7} {'train s':>7} {'steps':>5}")
    for r in results:
        for view in ("gated", "weights"):
            s = r[view]
            tail = (f"{r['wall_s']:>7.0f} {r['train_s'] or 0:>7.0f} {r['steps']!s:>5}"
                    if view == "gated" and "wall_s" in r else "")
            print(f"{r['domain']:<9} {r['config']:<14} {view:<8} {pct(s['reliability']):>8} {pct(s['generalization']):>8} "
                  f"{pct(s['locality']):>8} {pct(s['near_miss']):>9} {tail}")
        for name, s in {**(r.get("checks") or {}), **(r.get("routes") or {})}.items():
            print(f"{r['domain']:<9} {r['config']:<14} {'+' + name:<8} {pct(s['reliability']):>8} "
                  f"{pct(s['generalization']):>8} {pct(s['locality']):>8} {pct(s['near_miss']):>9}"
                  + (f"  row answers {pct(s['answered_from_row'])}" if "answered_from_row" in s else ""))
        if r.get("rescored"):
            print(f"{'':<24} rescored in {r['rescore_s']} s")
        if "routed_in" in r:
            ri = r["routed_in"]
            print(f"{'':<24} gate let in {pct(ri['paraphrases'])} of paraphrases, {pct(ri['locality'])} of locality, "
                  f"{pct(ri['near_miss'])} of near-miss probes")
        if "misses" in r:
            m = r["misses"]
            cells = "; ".join(f"{k} {t['n']} (right {t['gated_right']}, misses with the weights alone right "
                              f"{t['miss_alone_right']} / wrong {t['miss_alone_wrong']})" for k, t in m["table"].items())
            print(f"{'':<24} paraphrases ({m['paraphrases']}) by way through the gate: {cells}")
        if verbose:
            for miss in (r.get("misses") or {}).get("missed", []):
                print(f"    miss [{miss['class']}; alone {'right' if miss['alone_right'] else 'wrong'}]: "
                      f"{miss['paraphrase']!r} -> {miss['gated']!r} (alone: {miss['alone']!r}; taught {miss['answer']!r})")
            for view in ("gated", "weights"):
                for key in ("wrong", "wrong_paraphrases", "wrong_locality", "wrong_near_miss"):
                    for w in r[view][key]:
                        print(f"    {view} {key}: {w}")


if __name__ == "__main__":
    main()
