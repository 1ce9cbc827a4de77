"""The train stage: retrain the tasks whose datasets changed, and record what each model saw.

A model is identified by the content hash of the dataset it was trained on. `run`
trains a task only when no model exists for its current dataset hash; when one does
(a reverted patch brings back earlier content), that model is re-activated at once
instead of retrained. See docs/train.md.
"""

from __future__ import annotations

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
from lic_cli.tasks import Project, Task
from lic_cli.train import registry
from lic_cli.train.data import Splits
from lic_cli.train.params import ClassifyParams

# Train types with an implementation; the others in tasks.TRAIN_TYPES are skipped for now.
IMPLEMENTED = ("classification",)
NOTHING_TO_TRAIN = "nothing to train: every task's model matches its dataset"

Note = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(project: Project, tasks: Sequence[str] | None = None, *, all_: bool = False, force: bool = False,
        progress: bool = True, note: Note | None = None) -> Iterator[dict[str, Any]]:
    """Train what changed; yield one summary per task handled.

    - no `tasks`: every task with a `train:` section whose dataset has no model yet
      (up-to-date tasks are silent; unimplemented train types are a note);
    - `tasks`: those tasks, each summarised (`reused` when a same-hash model exists);
    - `all_`: every task with a `train:` section, each summarised.
    `force` retrains even when a model for the dataset hash exists.
    Summaries: {"task", "status": trained|reused|skipped, "model", "dataset_version",
    "dataset_hash", "metrics", "seconds"} (+ "reason" when skipped).
    """
    note = note or _stderr
    explicit = bool(tasks)
    selected = _select(project, tasks, all_)
    # Check every hyper-parameter before training anything: a typo should not surface
    # after the first task already spent a minute training.
    params = {t.name: ClassifyParams.from_task(t) for t in selected if t.train and t.train.type in IMPLEMENTED}
    produced = 0
    for task in selected:
        assert task.train is not None
        if task.train.type not in IMPLEMENTED:
            reason = f"train type '{task.train.type}' is not implemented yet"
            note(f"{task.name}: skipped: {reason}")
            if explicit or all_:
                produced += 1
                yield _summary(task, "skipped", reason=reason)
            continue
        summary = _one(project, task, params[task.name], force=force, report_current=explicit or all_,
                       progress=progress, note=note)
        if summary is not None:
            produced += 1
            yield summary
    if not produced:
        note(NOTHING_TO_TRAIN)


def _select(project: Project, names: Sequence[str] | None, all_: bool) -> list[Task]:
    if names:
        chosen = [project.task(n) for n in dict.fromkeys(names)]
        for task in chosen:
            if task.train is None:
                raise TaskConfigError(f"task '{task.name}': field 'train': no train: section in tasks.yaml, "
                                      "so there is nothing to train")
        return chosen
    return [t for t in project.tasks.values() if t.train is not None]


def _one(project: Project, task: Task, params: ClassifyParams, *, force: bool, report_current: bool,
         progress: bool, note: Note) -> dict[str, Any] | None:
    from lic_cli.store.lock import task_lock
    from lic_cli.store.versions import current_version
    from lic_cli.train.data import read_splits

    start = time.perf_counter()
    with _train_lock(project, task.name):  # two `lic train` runs never train the same task at once
        # Under the dataset's lock, an apply cannot swap the file between hashing and reading it.
        with task_lock(project, task):
            version, dataset_hash = current_version(project, task)
            done = None if force else registry.for_hash(project, task.name, dataset_hash)
            if done is None:
                splits = read_splits(task, project.dataset_path(task))
        if done is not None:
            if not _reuse(project, task, done, params, report_current, note):
                return None
            return _summary(task, "reused", entry=done, version=version, dataset_hash=dataset_hash,
                            seconds=time.perf_counter() - start)
        entry = _train(project, task, params, splits, version, dataset_hash, progress=progress, note=note)
    return _summary(task, "trained", entry=entry, version=version, dataset_hash=dataset_hash,
                    seconds=time.perf_counter() - start)


def _reuse(project: Project, task: Task, done: dict[str, Any], params: ClassifyParams,
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
    registry.add(project, {**done, "status": "reused", "time": _now()})
    note(f"{task.name}: dataset matches v{done.get('dataset_version')}; reusing {done['path']}")
    return True


def _train(project: Project, task: Task, params: ClassifyParams, splits: Splits, version: int,
           dataset_hash: str, *, progress: bool, note: Note) -> dict[str, Any]:
    from lic_cli import models
    from lic_cli.train import classify

    assert task.train is not None
    for msg in splits.notes:
        note(msg)
    base = models.resolve(task.train.base)
    target = registry.model_dir(project, task.name, version, dataset_hash)
    target.parent.mkdir(parents=True, exist_ok=True)
    evaluated = f"{splits.eval_split}: {len(splits.eval)} rows" if splits.eval_split else "no eval split"
    note(f"{task.name}: training {task.train.base} on {len(splits.train)} rows ({evaluated}), "
         f"{params.epochs:g} epochs, {classify.cpu_threads()} threads")
    start = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        metrics = classify.train(splits, task.labels, base, tmp, params, progress=progress, note=note)
        _install(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    seconds = round(time.perf_counter() - start, 2)
    entry = {
        "task": task.name,
        "status": "trained",
        "path": target.relative_to(project.root).as_posix(),
        "dataset_version": version,
        "dataset_hash": dataset_hash,
        "base": _base_name(task),
        "type": task.train.type,
        "labels": list(task.labels),
        "params": params.to_dict(),
        "metrics": metrics,
        "time": _now(),
        "seconds": seconds,
    }
    registry.add(project, entry)
    shown = ", ".join(f"{k} {metrics[k]}" for k in ("accuracy", "macro_f1") if k in metrics)
    note(f"{task.name}: trained in {seconds:.1f} s{': ' + shown if shown else ''} -> {entry['path']}")
    return entry


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


def _train_lock(project: Project, task: str):
    # Separate from the dataset's lock: applies need not wait a minute for a training run.
    from lic_cli.store.lock import file_lock

    return file_lock(project.state_dir / "locks" / f"train-{task}.lock")
