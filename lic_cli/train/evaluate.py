"""Learning evaluation of a causal-lm (qa) model, in knowledge-editing terms.

For the rows the patches added or updated since the model's previous version:

- **reliability** (efficacy): the taught question gets the taught answer;
- **generalization**: paraphrases of it do too (the row's `paraphrases` column, which
  training never uses, plus template paraphrases no training template produces);
- **locality**: unrelated questions (the held-out split and a seeded sample of
  untaught train rows) that the previous model answered right are still answered right.

A gated model is also asked with its **weights alone** (as any tool that loads the folder
with plain from_pretrained serves it): `weights_locality` and `weights_generalization`
beside the gated figures. **Near-miss probes** (the taught rows' optional `near_miss`
column: questions close to the taught one but about something else) are counted apart:
a probe stays when its answer does not give the taught answer and keeps the previous
model's answer (judged by content): `near_miss_locality`, `weights_near_miss_locality`.

Plus **answer_accuracy**: the held-out split answered right, comparable across versions
(what the CI gate watches). Answers are judged by content (judge.py), from batched greedy
generation. Reported per patch and overall. A model with a scope gate (scope.py) is asked
as lic serves it: out-of-scope questions get its fallback's answers.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from lic_cli.errors import ModelLoadError, ProjectError, TaskConfigError
from lic_cli.tasks import Project, Task
from lic_cli.train import paraphrase, registry
from lic_cli.train.causal import NEAR_MISS, PARAPHRASES, QARows, eval_split_of, messages_for, read_qa
from lic_cli.train.changes import changes_since
from lic_cli.train.judge import is_correct

MAX_NEW_TOKENS = 32  # answers are a sentence or two; the key facts come first
BATCH_SIZE = 64  # batched greedy answers: on 2 cores 64 rows ran 1.2x the rows/s of 32, and 32 1.4x those of 16
LOCALITY_TRAIN_ROWS = 40  # untaught train rows probed for locality, besides the held-out split
EVAL_TEMPLATE_PARAPHRASES = 2
ANSWERS_FILE = "lic_answers.json"  # per model folder: greedy answers already generated

Note = Callable[[str], None]


class Answerer:
    """Batched greedy answers of one model folder, cached in the folder (deterministic).

    A gated folder (scope.py) answers in-scope questions with its own weights and the
    others with its fallback model, as chat does; `gate=False` asks its weights alone.
    """

    def __init__(self, folder: Path, *, batch_size: int = BATCH_SIZE, max_new_tokens: int = MAX_NEW_TOKENS,
                 cache: bool = True, gate: bool = True) -> None:
        from lic_cli import models
        from lic_cli.train.runtime import cpu_threads, torch_env

        torch_env()
        import torch

        torch.set_num_threads(cpu_threads())
        self.model, self.tokenizer = models.open_causal_lm(folder)
        self.tokenizer.padding_side = "left"  # generation continues every row from its end
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.folder = folder
        self.batch_size = batch_size
        self.max_new_tokens = max_new_tokens
        self._cache_path = folder / ANSWERS_FILE if cache else None
        self._cache = self._load_cache()
        from lic_cli.train import scope

        found = scope.read(folder) if gate else None
        self.gate = scope.Gate(found) if found is not None else None
        self._fallback: Answerer | None = None
        self.routes: list[str] = []  # the latest call's route of each question: taught, row or fallback

    def in_scope(self, questions: Sequence[str]) -> list[bool]:
        """Which questions this model's own weights answer (all of them when ungated)."""
        return self.gate.in_scope(questions) if self.gate is not None else [True] * len(questions)

    def fallback(self) -> Answerer:
        """The model the out-of-scope questions go to, loaded when first needed."""
        from lic_cli import models

        assert self.gate is not None
        if self._fallback is None:
            spec = self.gate.scope.fallback_spec(self.folder)
            path = self.gate.scope.fallback_path(self.folder)
            self._fallback = Answerer(path, batch_size=self.batch_size, max_new_tokens=self.max_new_tokens,
                                      cache=spec not in models.ALIASES, gate=False)
        return self._fallback

    def _load_cache(self) -> dict[str, str]:
        if self._cache_path is None or not self._cache_path.is_file():
            return {}
        try:
            data = json.loads(self._cache_path.read_text(encoding="utf-8"))
        except ValueError:
            return {}  # a damaged cache is only lost time: regenerate
        if not isinstance(data, dict) or data.get("max_new_tokens") != self.max_new_tokens:
            return {}
        answers = data.get("answers")
        return answers if isinstance(answers, dict) else {}

    def _save_cache(self) -> None:
        from lic_cli.store.atomic import write_atomic
        from lic_cli.train.sft import is_main_process

        if self._cache_path is None or not is_main_process():
            return
        blob = {"max_new_tokens": self.max_new_tokens, "answers": dict(sorted(self._cache.items()))}
        try:
            write_atomic(self._cache_path, json.dumps(blob, ensure_ascii=False, indent=0))
        except OSError:
            pass  # a read-only model folder: answers are just not cached

    def prompt(self, question: str) -> str:
        return self.tokenizer.apply_chat_template(messages_for(question), add_generation_prompt=True,
                                                  tokenize=False)

    def __call__(self, questions: Sequence[str]) -> list[str]:
        if self.gate is None:
            return self.own(questions)
        inside = self.in_scope(questions)
        asked = [q for q, i in zip(questions, inside, strict=True) if i]
        said = self.own(asked)
        # The check after generation (scope.Gate.keeps): an in-scope answer that does not stand goes
        # to the fallback too.
        stands = iter(self.gate.keeps(asked, said))
        mine = iter(said)
        routed = [i and next(stands) for i in inside]
        # A refused in-scope answer whose question one taught row clearly answers gets that row's
        # value (scope.Gate.row_answers; the scope's `answer` floor), the rest the fallback's.
        refused = [q for q, i, r in zip(questions, inside, routed, strict=True) if i and not r]
        rows = iter(self.gate.row_answers(refused) if refused else [])
        by_row = {}
        for q in refused:
            said_row = next(rows)
            if said_row is not None:
                by_row[q] = said_row
        outside = [q for q, r in zip(questions, routed, strict=True) if not r and q not in by_row]
        theirs = iter(self.fallback()(outside) if outside else [])
        out = []
        self.routes = []
        for q, i, r in zip(questions, inside, routed, strict=True):
            own = next(mine) if i else ""
            if r:
                out.append(own)
            elif q in by_row:
                out.append(by_row[q])
            else:
                out.append(next(theirs))
            self.routes.append("taught" if r else "row" if q in by_row else "fallback")
        return out

    def own(self, questions: Sequence[str]) -> list[str]:
        """Answers of this folder's own weights (no gate)."""
        prompts = [self.prompt(q) for q in questions]
        todo = sorted({p for p in prompts if p not in self._cache}, key=len)
        if todo:
            for start in range(0, len(todo), self.batch_size):
                batch = todo[start:start + self.batch_size]
                for p, answer in zip(batch, self._generate(batch), strict=True):
                    self._cache[p] = answer
            self._save_cache()
        return [self._cache[p] for p in prompts]

    def _generate(self, prompts: list[str]) -> list[str]:
        import torch

        enc = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            out = self.model.generate(**enc, max_new_tokens=self.max_new_tokens, do_sample=False,
                                      pad_token_id=self.tokenizer.pad_token_id)
        new = out[:, enc["input_ids"].shape[1]:]
        return [t.strip() for t in self.tokenizer.batch_decode(new, skip_special_tokens=True)]


def previous_of(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The model version before `entry` (recorded at training time), if any."""
    prev = entry.get("previous")
    return prev if isinstance(prev, dict) and isinstance(prev.get("path"), str) else None


def evaluate(project: Project, task: Task, entry: dict[str, Any], *, rows: QARows | None = None,
             answerer: Answerer | None = None, previous: Answerer | None = None, seed: int = 42,
             note: Note | None = None) -> dict[str, Any]:
    """Learning metrics of the model of `entry` (see the module docstring).

    {"task", "model", "previous", "dataset_version", "scope", "answer_accuracy", "held_out",
     "reliability", "generalization", "locality", "taught", "paraphrases", "locality_probes",
     "patches": [{"patch", "version", "rows", "reliability", "generalization"}], "items": [...],
     "locality_items": [{"question", "expected", "held_out", "answer", "correct"}]}
    Metrics that have nothing to measure (no previous model, no taught rows) are None.
    """
    note = note or (lambda _msg: None)
    rows = rows or read_qa(task, project.dataset_path(task))
    model = answerer or Answerer(registry.model_path(project, entry))
    eval_split, _ = eval_split_of(task, rows)
    held = rows.split(eval_split)
    out: dict[str, Any] = {"task": task.name, "model": entry["path"], "previous": None,
                           "dataset_version": entry.get("dataset_version"), "eval_split": eval_split,
                           "scope": None if model.gate is None else
                           {"questions": len(model.gate.scope.questions), "threshold": model.gate.scope.threshold,
                            "fallback": model.gate.scope.fallback, "judge": model.gate.scope.judge,
                            "check": model.gate.scope.check, "check_applied": model.gate.applied_check(),
                            "row_answer": model.gate.scope.answer, "route": model.gate.scope.route or "check",
                            "route_applied": model.gate.route()}}
    held_answers = model([r[rows.question] for r in held])
    held_right = [is_correct(r[rows.answer], a, r[rows.question]) for r, a in zip(held, held_answers, strict=True)]
    out["held_out"] = len(held)
    out["answer_accuracy"] = _ratio(sum(held_right), len(held))
    out.update(reliability=None, generalization=None, locality=None, weights_generalization=None,
               weights_locality=None, near_miss_locality=None, weights_near_miss_locality=None, taught=0,
               paraphrases=0, locality_probes=0, near_miss_probes=0, patches=[], items=[], locality_items=[],
               near_miss_items=[])

    prev = previous_of(entry)
    if prev is None:
        note(f"{task.name}: {entry['path']} has no previous version: only answer_accuracy is measured")
        return out
    out["previous"] = prev["path"]
    changes = changes_since(project, task, prev["dataset_hash"], rows.all(), until_hash=entry["dataset_hash"])
    if changes is None:
        note(f"{task.name}: cannot tell which rows changed since {prev['path']}: learning metrics skipped")
        return out
    taught = [c for c in changes.changes if c.row.get(task.split_column) in (None, "", task.default_split)]

    # Taught questions and their paraphrases, generated in one batched pass.
    items: list[dict[str, Any]] = []
    for c in taught:
        q, a = c.row[rows.question], c.row[rows.answer]
        paras = list(dict.fromkeys([*(c.row.get(PARAPHRASES) or []), *paraphrase.for_eval(q, EVAL_TEMPLATE_PARAPHRASES)]))
        items.append({"patch": c.patch, "version": c.version, "op": c.op, "question": q, "expected": a,
                      "paraphrases": paras})
    questions = [i["question"] for i in items] + [p for i in items for p in i["paraphrases"]]
    answers = dict(zip(questions, model(questions), strict=True))
    scoped = dict(zip(questions, model.in_scope(questions), strict=True))
    for i in items:
        i["answer"] = answers[i["question"]]
        i["in_scope"] = scoped[i["question"]]
        i["paraphrase_in_scope"] = [scoped[p] for p in i["paraphrases"]]
        i["correct"] = is_correct(i["expected"], i["answer"], i["question"])
        i["paraphrase_answers"] = [answers[p] for p in i["paraphrases"]]
        # Judged against the taught question: the paraphrase's own words are not the answer's.
        i["paraphrase_correct"] = [is_correct(i["expected"], x, i["question"]) for x in i["paraphrase_answers"]]

    # Locality: unrelated questions the previous model got right.
    taught_q = {i["question"] for i in items}
    untaught = [r for r in rows.split(task.default_split) if r[rows.question] not in taught_q]
    sample = random.Random(seed).sample(untaught, min(LOCALITY_TRAIN_ROWS, len(untaught)))
    held_probes = [r for r in held if r[rows.question] not in taught_q]
    probes = held_probes + sample
    before = previous or _same_as_fallback(model, project, prev) or _previous_answerer(project, prev, note)
    probe_q = [r[rows.question] for r in probes]
    right_before = [is_correct(r[rows.answer], a, r[rows.question])
                    for r, a in zip(probes, before(probe_q), strict=True)]
    kept = [(i < len(held_probes), r) for i, (r, ok) in enumerate(zip(probes, right_before, strict=True)) if ok]
    kept_q = [r[rows.question] for _, r in kept]
    after = model(kept_q)
    probe_items = [{"question": r[rows.question], "expected": r[rows.answer], "held_out": h, "answer": a,
                    "correct": is_correct(r[rows.answer], a, r[rows.question]), "in_scope": inside}
                   for (h, r), a, inside in zip(kept, after, model.in_scope(kept_q), strict=True)]
    stayed = sum(i["correct"] for i in probe_items)

    # The weights alone (a gated model without its gate): the same probes.
    alone = model.own(kept_q) if model.gate is not None else after
    for i, a in zip(probe_items, alone, strict=True):
        i["weights_answer"] = a
        i["weights_correct"] = is_correct(i["expected"], a, i["question"])
    paras = [p for i in items for p in i["paraphrases"]]
    alone_para = dict(zip(paras, model.own(paras), strict=True)) if model.gate is not None else answers
    weights_para_right = sum(is_correct(i["expected"], alone_para[p], i["question"])
                             for i in items for p in i["paraphrases"])
    near = _near_misses(taught, rows, model, before)

    out["taught"] = len(items)
    out["paraphrases"] = sum(len(i["paraphrases"]) for i in items)
    out["weights_generalization"] = _ratio(weights_para_right, out["paraphrases"])
    out["weights_locality"] = _ratio(sum(i["weights_correct"] for i in probe_items), len(kept))
    out["near_miss_probes"] = len(near)
    out["near_miss_locality"] = _ratio(sum(n["kept"] for n in near), len(near))
    out["weights_near_miss_locality"] = _ratio(sum(n["weights_kept"] for n in near), len(near))
    out["near_miss_items"] = near
    out["reliability"] = _ratio(sum(i["correct"] for i in items), len(items))
    out["generalization"] = _ratio(sum(sum(i["paraphrase_correct"]) for i in items), out["paraphrases"])
    out["locality"] = _ratio(stayed, len(kept))
    out["locality_probes"] = len(kept)
    out["patches"] = _per_patch(items)
    out["items"] = items
    out["locality_items"] = probe_items
    return out


def _near_misses(taught: list[Any], rows: QARows, model: Answerer, before: Answerer) -> list[dict[str, Any]]:
    """Each taught row's near-miss probes: kept when the answer does not give the taught answer
    and keeps the previous model's answer (judged by content, against the probe)."""
    probes = [(c.row[rows.question], c.row[rows.answer], n) for c in taught for n in (c.row.get(NEAR_MISS) or [])]
    if not probes:
        return []
    asked = [n for _, _, n in probes]
    was, now = before(asked), model(asked)
    alone = model.own(asked) if model.gate is not None else now
    inside = model.in_scope(asked)

    def kept(q: str, a: str, n: str, old: str, new: str) -> bool:
        return not is_correct(a, new, q) and is_correct(old, new, n)

    return [{"question": n, "taught_question": q, "before": old, "answer": new, "weights_answer": own,
             "in_scope": ins, "kept": kept(q, a, n, old, new), "weights_kept": kept(q, a, n, old, own)}
            for (q, a, n), old, new, own, ins in zip(probes, was, now, alone, inside, strict=True)]


def _same_as_fallback(model: Answerer, project: Project, prev: dict[str, Any]) -> Answerer | None:
    """The gated model's fallback when it is the previous model: one load, one set of answers."""
    if model.gate is None:
        return None
    try:
        folder = registry.model_path(project, prev).resolve()
    except ProjectError:
        return None
    fallback = model.fallback()
    return fallback if fallback.folder.resolve() == folder else None


def _previous_answerer(project: Project, prev: dict[str, Any], note: Note) -> Answerer:
    from lic_cli import models

    path = prev["path"]
    try:
        folder: Path | None = registry.model_path(project, prev)
    except ProjectError:
        folder = None
    if folder is None or not (folder / "config.json").is_file():
        if path in models.ALIASES:
            return Answerer(models.resolve(path), cache=False)
        raise ModelLoadError(f"previous model {path} is gone: locality needs it (retrain, or "
                             "evaluate a newer model)")
    return Answerer(folder)


def _per_patch(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in items:
        p = out.setdefault(i["patch"], {"patch": i["patch"], "version": i["version"], "rows": 0, "right": 0,
                                        "paraphrases": 0, "para_right": 0})
        p["rows"] += 1
        p["right"] += i["correct"]
        p["paraphrases"] += len(i["paraphrases"])
        p["para_right"] += sum(i["paraphrase_correct"])
    return [{"patch": p["patch"], "version": p["version"], "rows": p["rows"],
             "reliability": _ratio(p["right"], p["rows"]),
             "generalization": _ratio(p["para_right"], p["paraphrases"])} for p in out.values()]


def _ratio(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def summary_metrics(result: dict[str, Any]) -> dict[str, Any]:
    """What goes into the registry entry (the CI gate compares these): no per-row details."""
    keys = ("answer_accuracy", "reliability", "generalization", "locality", "weights_generalization",
            "weights_locality", "near_miss_locality", "weights_near_miss_locality", "held_out", "taught",
            "paraphrases", "locality_probes", "near_miss_probes", "patches")
    return {k: result[k] for k in keys}


def run(project: Project, tasks: Sequence[str] | None = None, *, note: Note | None = None) -> Iterator[dict[str, Any]]:
    """Evaluate the active model of each named causal-lm task (default: every one with a model)."""
    note = note or (lambda _msg: None)
    if tasks:
        chosen = [project.task(n) for n in dict.fromkeys(tasks)]
        for task in chosen:
            if task.train is None or task.train.type != "causal-lm":
                raise TaskConfigError(f"task '{task.name}': field 'train.type': lic eval measures causal-lm "
                                      "(qa) tasks")
    else:
        chosen = [t for t in project.tasks.values() if t.train is not None and t.train.type == "causal-lm"]
    for task in chosen:
        entry = registry.latest(project, task.name)
        if entry is None:
            if tasks:
                raise ModelLoadError(f"task '{task.name}' has no trained model yet: run 'lic train {task.name}'")
            note(f"{task.name}: no trained model yet")
            continue
        note(f"{task.name}: evaluating {entry['path']}")
        yield evaluate(project, task, entry, note=note)
