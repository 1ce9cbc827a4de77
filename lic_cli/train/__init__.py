"""The train stage: retrain the tasks whose datasets changed, and record what each model saw.

A model is identified by the content hash of the dataset it was trained on. `run`
trains a task only when no model exists for its current dataset hash; when one does
(a reverted patch brings back earlier content), that model is re-activated at once
instead of retrained. Types: classification (classify.py), causal-lm (causal.py plans
what to teach, sft.py trains, evaluate.py measures what was learned) and extraction
(sft.py on lic_cli.extract.prompt's pairs). `ci` adds the metric gate (gate.py).
See docs/train.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lic_cli.errors import TaskConfigError
from lic_cli.tasks import TRAIN_TYPES, Project, Task
from lic_cli.train import gate, registry
from lic_cli.train.params import ClassifyParams, SFTParams
from lic_cli.train.sft import is_main_process
from lic_cli.train.trainers import Carried, Job, trainer_for

# Train types with an implementation (all of tasks.TRAIN_TYPES).
IMPLEMENTED = ("classification", "causal-lm", "extraction", "token-classification", "retrieval")
NOTHING_TO_TRAIN = "nothing to train: every task's model matches its dataset"
Params = ClassifyParams | SFTParams

Note = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def params_for(task: Task) -> Params:
    """The task's hyper-parameters, checked (errors name the task and field)."""
    return trainer_for(task).params(task)


def unavailable(task: Task) -> str | None:
    """Why the task's train type cannot run here, or None."""
    assert task.train is not None
    kind = task.train.type
    if kind in TRAIN_TYPES:  # a built-in (tests narrow IMPLEMENTED to exercise this skip path)
        return None if kind in IMPLEMENTED else f"train type '{kind}' is not implemented yet"
    from lic_cli import plugins

    return None if kind in plugins.names("train-type") else f"train type '{kind}': no trainer installed"


def run(project: Project, tasks: Sequence[str] | None = None, *, all_: bool = False, force: bool = False,
        ci: bool = False, progress: bool = True, note: Note | None = None) -> Iterator[dict[str, Any]]:
    """Train what changed; yield one summary per task handled.

    - no `tasks`: every task with a `train:` section whose dataset has no model yet
      (up-to-date tasks are silent; unimplemented train types are a note);
    - `tasks`: those tasks, each summarised (`reused` when a same-hash model exists);
    - `all_`: every task with a `train:` section, each summarised.
    `force` retrains even when a model for the dataset hash exists.
    `ci` compares each trained model with the one it replaces (gate.py) and adds
    "gate": {"passed", "against", "tolerance", "drops"} to its summary.
    Summaries: {"task", "status": trained|reused|skipped, "model", "dataset_version",
    "dataset_hash", "metrics", "seconds"} (+ "reason" when skipped).
    Under torchrun / accelerate launch every rank trains; only rank 0 writes models,
    the registry and summaries.
    """
    note = note or _stderr
    explicit = bool(tasks)
    selected = _select(project, tasks, all_)
    # Check every hyper-parameter before training anything: a typo should not surface
    # after the first task already spent a minute training.
    params = {t.name: params_for(t) for t in selected if t.train and unavailable(t) is None}
    produced = 0
    main = is_main_process()
    for task in selected:
        assert task.train is not None
        reason = unavailable(task)
        if reason is not None:
            note(f"{task.name}: skipped: {reason}")
            if explicit or all_:
                produced += 1
                yield _summary(task, "skipped", reason=reason)
            continue
        summary = _one(project, task, params[task.name], force=force, report_current=explicit or all_,
                       ci=ci, progress=progress and main, note=note)
        _sync()
        if summary is not None and main:
            produced += 1
            yield summary
    if not produced and main:
        note(NOTHING_TO_TRAIN)


def _sync() -> None:
    # Ranks of a multi-process run wait for rank 0 (saving, evaluating) before the next task.
    if "torch" in sys.modules:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.barrier()


def _select(project: Project, names: Sequence[str] | None, all_: bool) -> list[Task]:
    if names:
        chosen = [project.task(n) for n in dict.fromkeys(names)]
        for task in chosen:
            if task.train is None:
                raise TaskConfigError(f"task '{task.name}': field 'train': no train: section in tasks.yaml, "
                                      "so there is nothing to train")
        return chosen
    return [t for t in project.tasks.values() if t.train is not None]


def _one(project: Project, task: Task, params: Params, *, force: bool, report_current: bool, ci: bool,
         progress: bool, note: Note) -> dict[str, Any] | None:
    from lic_cli.store.lock import task_lock
    from lic_cli.store.versions import current_version

    start = time.perf_counter()
    with _train_lock(project, task.name):  # two `lic train` runs never train the same task at once
        # Under the dataset's lock, an apply cannot swap the file between hashing and reading it.
        with task_lock(project, task):
            version, dataset_hash = current_version(project, task)
            done = None if force else registry.for_hash(project, task.name, dataset_hash)
            if done is None:
                data = _read(task, project.dataset_path(task))
        if done is not None:
            if not _reuse(project, task, done, params, report_current, note):
                return None
            return _summary(task, "reused", entry=done, version=version, dataset_hash=dataset_hash,
                            seconds=time.perf_counter() - start)
        before = registry.latest(project, task.name)
        entry = _train(project, task, params, data, version, dataset_hash, previous=before,
                       progress=progress, note=note)
    status = entry.pop("_status", "trained")
    summary = _summary(task, status, entry=entry, version=version, dataset_hash=dataset_hash,
                       seconds=time.perf_counter() - start)
    if ci and status == "trained":
        assert task.train is not None
        tolerance = task.train.tolerance
        found = gate.drops(before, entry, tolerance)
        for line in gate.describe(task.name, before["path"] if before else "", found, tolerance):
            note(line)
        summary["gate"] = {"passed": not found, "against": before["path"] if before else None,
                           "tolerance": tolerance, "drops": found}
    return summary


def _read(task: Task, path: Path) -> Any:
    """The dataset as the task's trainer takes it (read under the dataset lock)."""
    return trainer_for(task).read(task, path)


def _reuse(project: Project, task: Task, done: dict[str, Any], params: Params,
           report_current: bool, note: Note) -> bool:
    """Make `done` the active model; False when it already was and need not be reported."""
    if done.get("params") != params.to_dict() or done.get("base") != _base_name(task):
        note(f"{task.name}: hyper-parameters or base model changed since {done['path']} was trained; "
             "use --force to retrain")
    # The newest line, not `latest`: that one also waits for the version log to know the hash.
    newest = registry.newest(project, task.name)
    if newest is not None and newest["path"] == done["path"] and newest["dataset_hash"] == done["dataset_hash"]:
        return report_current  # already the active model: nothing changed
    # The dataset is back to content an earlier model saw: make that model active again.
    if is_main_process():
        registry.add(project, {**done, "status": "reused", "time": _now()})
    note(f"{task.name}: dataset matches v{done.get('dataset_version')}; reusing {done['path']}")
    return True


def _train(project: Project, task: Task, params: Params, data: Any, version: int, dataset_hash: str, *,
           previous: dict[str, Any] | None, progress: bool, note: Note) -> dict[str, Any]:
    assert task.train is not None
    target = registry.model_dir(project, task.name, version, dataset_hash)
    target.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    entry: dict[str, Any] = {
        "task": task.name,
        "status": "trained",
        "path": target.relative_to(project.root).as_posix(),
        "dataset_version": version,
        "dataset_hash": dataset_hash,
        "base": _base_name(task),
        "type": task.train.type,
        "labels": list(task.labels),
        "params": params.to_dict(),
    }
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        result = trainer_for(task).train(Job(project, task, params, data, tmp, entry, previous, progress, note))
        if isinstance(result, Carried):  # nothing to teach: the previous model serves this content too
            shutil.rmtree(tmp, ignore_errors=True)
            return _carry(project, task, result.parent, entry, note)
        metrics = result
        if is_main_process():
            _install(tmp, target)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = round(time.perf_counter() - start, 2)
    if previous is not None:
        entry["previous"] = {k: previous.get(k) for k in ("path", "dataset_version", "dataset_hash")}
    entry.update(metrics=metrics, time=_now(), seconds=seconds)
    if is_main_process() and task.train.type == "causal-lm":
        _write_card(target, entry)
    if is_main_process():
        registry.add(project, entry)
    keys = ("accuracy", "macro_f1", "entity_f1", "answer_accuracy", "reliability", "generalization", "locality",
            "weights_locality", "near_miss_locality", "eval_loss")
    shown = ", ".join(f"{k} {metrics[k]}" for k in keys if metrics.get(k) is not None)
    note(f"{task.name}: trained in {seconds:.1f} s{': ' + shown if shown else ''} -> {entry['path']}")
    return entry


def _train_classifier(task: Task, params: ClassifyParams, splits: Any, tmp: Path, *, progress: bool,
                      note: Note) -> dict[str, Any]:
    from lic_cli import models
    from lic_cli.train import classify, runtime

    assert task.train is not None
    for msg in splits.notes:
        note(msg)
    base = models.resolve(task.train.base)
    evaluated = f"{splits.eval_split}: {len(splits.eval)} rows" if splits.eval_split else "no eval split"
    note(f"{task.name}: training {task.train.base} on {len(splits.train)} rows ({evaluated}), "
         f"{params.epochs:g} epochs, {runtime.cpu_threads()} threads")
    return classify.train(splits, task.labels, base, tmp, params, progress=progress, note=note)


def _train_lm(project: Project, task: Task, params: SFTParams, rows: Any, tmp: Path, entry: dict[str, Any],
              previous: dict[str, Any] | None, *, progress: bool, note: Note) -> dict[str, Any] | None:
    """Train a qa task's chat model into tmp and evaluate it; sets entry["metrics"].

    Returns the parent entry instead when no train row changed (nothing to teach).
    """
    from lic_cli import models
    from lic_cli.train import causal, evaluate, sft

    plan = causal.plan(project, task, params, rows, note=note)
    for msg in plan.notes:
        note(msg)
    if plan.parent is not None and not plan.taught:
        return plan.parent
    start = models.resolve(plan.start) if plan.parent is None else registry.model_path(project, plan.parent)
    if plan.parent is None and params.first_epochs > 0:
        params = dataclasses.replace(params, epochs=params.first_epochs)
    what = (f"{len(plan.taught)} changed rows + {plan.replayed} replayed ({len(plan.train_pairs)} pairs with "
            f"paraphrases), from {plan.start}" if plan.parent else f"{len(plan.train_pairs)} rows, from {plan.start}")
    held = f"{plan.eval_split}: {len(plan.eval_pairs)} rows" if plan.eval_split else "no eval split"
    note(f"{task.name}: training ({params.method}) on {what} ({held}), {params.epochs:g} epochs")
    metrics = sft.train_causal_lm(plan.train_pairs, plan.eval_pairs, start, tmp, params, progress=progress,
                                  note=note, kl_pairs=plan.kl_pairs)
    metrics["start"] = plan.start
    metrics["taught"] = len(plan.taught)
    metrics["replayed"] = plan.replayed
    metrics["distilled"] = plan.distilled
    if params.scope_threshold > 0 and is_main_process():
        from lic_cli.train import scope

        parent = registry.model_path(project, plan.parent) if plan.parent else None
        gate = scope.for_training(tmp, plan.scope, params.scope_threshold, parent_folder=parent,
                                  base=task.train.base, answers=plan.scope_answers,
                                  judge=params.scope_judge or None,
                                  check=None if params.scope_check == "off" else params.scope_check,
                                  answer=params.scope_answer or None,
                                  route=None if params.scope_route == "check" else params.scope_route)
        scope.write(tmp, gate)
        metrics["scope_questions"] = len(gate.questions)
        note(f"{task.name}: scope gate: {len(gate.questions)} taught questions answer with the new weights, "
             f"the rest with {gate.fallback} (similarity >= {params.scope_threshold:g})")
        if params.scope_check == "judge" and not scope.judge_ready() and os.environ.get("LIC_SCOPE_JUDGE", "1") != "0":
            note(f"{task.name}: the scope judge is not trained on this machine, so the check after generation is "
                 "`row` until 'lic models --scope-judge' trains it (about 160 s on 2 cores, once)")
    if is_main_process():
        note(f"{task.name}: evaluating what was learned (greedy answers, judged by content)")
        probe = {**entry, "previous": ({k: previous.get(k) for k in ("path", "dataset_version", "dataset_hash")}
                                       if previous else None)}
        result = evaluate.evaluate(project, task, probe, rows=rows, answerer=evaluate.Answerer(tmp),
                                   seed=params.seed, note=note)
        metrics.update(evaluate.summary_metrics(result))
    entry["metrics"] = metrics
    return None


def _write_card(folder: Path, entry: dict[str, Any]) -> None:
    """README.md in the model folder: what it was trained on, its figures, how to serve it (card.py)."""
    from lic_cli.train import card, scope

    gate = scope.read(folder)
    card.write(folder, entry, gated=gate is not None, taught=(entry.get("metrics") or {}).get("patches") or [],
               fallback=gate.fallback if gate else None)


def _carry(project: Project, task: Task, parent: dict[str, Any], entry: dict[str, Any],
           note: Note) -> dict[str, Any]:
    """Register the parent's model for this dataset content (no train row changed)."""
    carried = {**parent, "status": "reused", "dataset_version": entry["dataset_version"],
               "dataset_hash": entry["dataset_hash"], "time": _now()}
    if is_main_process():
        registry.add(project, carried)
    note(f"{task.name}: no train rows changed since {parent['path']}; it serves this version too")
    return {**carried, "_status": "reused"}


def _train_extraction(task: Task, params: SFTParams, data: tuple[str, list[tuple[int, dict[str, Any]]]], tmp: Path,
                      *, progress: bool, note: Note) -> dict[str, Any]:
    from lic_cli import models
    from lic_cli.errors import InputError
    from lic_cli.models.extraction import training_pairs
    from lic_cli.train import sft

    assert task.train is not None
    source, rows = data
    by_split: dict[str, list[sft.Pair]] = {}
    for line, row in rows:
        split = row.get(task.split_column)
        try:
            [pair] = training_pairs([row])
        except InputError as exc:  # name the dataset line, not just the row
            raise InputError(exc.reason, source=source, line=line, field=exc.field) from None
        by_split.setdefault(task.default_split if split in (None, "") else str(split), []).append(pair)
    train_pairs = by_split.get(task.default_split, [])
    if not train_pairs:
        raise InputError(f"no rows in split '{task.default_split}' to train on", source=source,
                         field=task.split_column)
    wanted = task.train.eval_split
    eval_pairs = [] if wanted == task.default_split else (by_split.get(wanted) or by_split.get("dev") or [])
    note(f"{task.name}: training ({params.method}) {task.train.base} on {len(train_pairs)} extraction "
         f"examples ({len(eval_pairs)} held out), {params.epochs:g} epochs")
    return sft.train_causal_lm(train_pairs, eval_pairs, models.resolve(task.train.base), tmp, params,
                               progress=progress, note=note)


def _install(tmp: Path, target: Path) -> None:
    """Move a finished model folder into place; an older folder there (--force) goes away."""
    if not target.exists():
        os.replace(tmp, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    os.replace(target, old / "model")
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)


def _base_name(task: Task) -> str:
    from lic_cli import models

    assert task.train is not None
    return models.describe(task.train.base)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _summary(task: Task, status: str, *, entry: dict[str, Any] | None = None, version: int | None = None,
             dataset_hash: str | None = None, seconds: float = 0.0, reason: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "task": task.name,
        "status": status,
        "model": entry["path"] if entry else None,
        "dataset_version": version,
        "dataset_hash": dataset_hash,
        "metrics": entry.get("metrics", {}) if entry else {},
        "seconds": round(seconds, 2),
    }
    if reason:
        out["reason"] = reason
    return out


def _train_lock(project: Project, task: str) -> Any:
    # Separate from the dataset's lock: applies need not wait a minute for a training run.
    # Only rank 0 of a multi-process run takes it: the other ranks train with it, and
    # would wait forever for the lock rank 0 holds.
    from lic_cli.store.lock import file_lock

    if not is_main_process():
        return contextlib.nullcontext()
    from lic_cli.store.guard import check_state

    check_state(project)  # a .lic or models/ link out of the project is refused, not written through
    return file_lock(project.state_dir / "locks" / f"train-{task}.lock")
