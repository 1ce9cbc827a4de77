"""One Trainer per train type, looked up by name through the `lic.train_types` entry point
group (lic_cli/plugins.py); lic's five built-ins are registered there the same way a
plugin registers its own, and `train.run` calls whatever `train.type` names. `retrieval`
(text tasks: a note memory, train/retrieval.py) indexes notes rather than fine-tuning.

A Trainer has a `name` and three methods:
- `params(task)`: the task's hyper-parameters, checked (errors name the task and field);
- `read(task, path)`: the dataset as `train` takes it (called under the dataset's lock);
- `train(job)`: train into `job.tmp` (a folder that becomes the model folder) and return
  the metrics dict, or `Carried(entry)` when an earlier model serves this content too.
Only rank 0 of a multi-process run writes anything outside `job.tmp` (train/sft.py's
`is_main_process`); `train.run` installs the folder and the registry entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from lic_cli.tasks import Project, Task


@dataclass
class Job:
    project: Project
    task: Task
    params: Any
    data: Any  # what `read` returned
    tmp: Path  # the model folder being written
    entry: dict[str, Any]  # the registry entry so far (task, path, dataset_version, dataset_hash, base, ...)
    previous: dict[str, Any] | None  # the task's active model before this run
    progress: bool
    note: Callable[[str], None]


@dataclass
class Carried:
    """No train row changed: the registry entry of the model that serves this content too."""

    parent: dict[str, Any]


class Trainer(Protocol):
    name: str

    def params(self, task: Task) -> Any: ...
    def read(self, task: Task, path: Path) -> Any: ...
    def train(self, job: Job) -> dict[str, Any] | Carried: ...


def _rows(task: Task, path: Path) -> Any:
    from lic_cli.store.formats import read_rows

    return (str(path), list(read_rows(path)))


class Classification:
    name = "classification"

    def params(self, task: Task) -> Any:
        from lic_cli.train.params import ClassifyParams

        return ClassifyParams.from_task(task)

    def read(self, task: Task, path: Path) -> Any:
        from lic_cli.train.data import read_splits

        return read_splits(task, path)

    def train(self, job: Job) -> dict[str, Any]:
        from lic_cli.train import _train_classifier

        return _train_classifier(job.task, job.params, job.data, job.tmp, progress=job.progress, note=job.note)


class TokenClassification(Classification):
    name = "token-classification"

    def read(self, task: Task, path: Path) -> Any:
        return _rows(task, path)

    def train(self, job: Job) -> dict[str, Any]:
        from lic_cli import models
        from lic_cli.train import token_classify

        assert job.task.train is not None
        return token_classify.train(job.task, token_classify.read_splits(job.task, *job.data),
                                    models.resolve(job.task.train.base), job.tmp, job.params,
                                    progress=job.progress, note=job.note)


class CausalLM:
    name = "causal-lm"

    def params(self, task: Task) -> Any:
        from lic_cli.train.params import SFTParams

        return SFTParams.from_task(task)

    def read(self, task: Task, path: Path) -> Any:
        from lic_cli.train.causal import read_qa

        return read_qa(task, path)

    def train(self, job: Job) -> dict[str, Any] | Carried:
        from lic_cli.train import _train_lm

        parent = _train_lm(job.project, job.task, job.params, job.data, job.tmp, job.entry, job.previous,
                           progress=job.progress, note=job.note)
        return Carried(parent) if parent is not None else job.entry.pop("metrics")


class Extraction(CausalLM):
    name = "extraction"

    def read(self, task: Task, path: Path) -> Any:
        return _rows(task, path)

    def train(self, job: Job) -> dict[str, Any]:
        from lic_cli.train import _train_extraction

        return _train_extraction(job.task, job.params, job.data, job.tmp, progress=job.progress, note=job.note)


class Retrieval:
    name = "retrieval"

    def params(self, task: Task) -> Any:
        from lic_cli.train.retrieval import RetrievalParams

        return RetrievalParams.from_task(task)

    def read(self, task: Task, path: Path) -> Any:
        from lic_cli.train import retrieval

        return retrieval.read(task, *_rows(task, path))

    def train(self, job: Job) -> dict[str, Any]:
        from lic_cli.train import retrieval

        return retrieval.train(job.task, job.data, job.tmp, note=job.note)


CLASSIFICATION = Classification()
TOKEN_CLASSIFICATION = TokenClassification()
CAUSAL_LM = CausalLM()
EXTRACTION = Extraction()
RETRIEVAL = Retrieval()


def trainer_for(task: Task) -> Trainer:
    from lic_cli import plugins

    assert task.train is not None
    return plugins.get("train-type", task.train.type)
