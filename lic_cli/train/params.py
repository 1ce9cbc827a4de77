"""Hyper-parameters of classification training, read from a task's `train.params`.

Unknown keys and wrong types are errors that name the task and field, so a typo in
tasks.yaml (`epoch: 3`) fails before any training starts instead of being ignored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from lic_cli.errors import TaskConfigError
from lic_cli.tasks import Task


@dataclass(frozen=True)
class ClassifyParams:
    """Fine-tuning an encoder with a classification head (transformers Trainer).

    The defaults train a few hundred rows in about a minute on 2 CPU cores.
    """

    epochs: float = 4.0  # passes over the train split
    # AdamW peak learning rate. Higher than the usual 5e-5 because the embeddings are frozen
    # and the runs are short: on the demo data 1e-4..2e-4 beats 5e-5 by 5-15 points of macro-F1.
    learning_rate: float = 1e-4
    batch_size: int = 16  # train batch size (per device)
    eval_batch_size: int = 64  # batch size for evaluation and prediction
    max_length: int = 64  # tokens per input (context + text pair); longer inputs are truncated
    weight_decay: float = 0.01  # AdamW weight decay
    warmup: float = 0.1  # warm-up: a fraction of all steps (< 1) or a number of steps (>= 1)
    # Freeze the word-embedding matrix (half of MiniLM's weights): about 2x faster steps on
    # CPU, and a few hundred rows cannot usefully move 30k token vectors anyway.
    freeze_embeddings: bool = True
    seed: int = 42  # seeds weights of the new head, dropout and shuffling: same data, same model

    @classmethod
    def from_task(cls, task: Task) -> ClassifyParams:
        raw = task.train.params if task.train else {}
        return cls.from_dict(raw, task.name)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], task_name: str = "?") -> ClassifyParams:
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            where = f"task '{task_name}': field 'train.params.{key}'"
            if key not in fields:
                raise TaskConfigError(f"{where}: unknown hyper-parameter (allowed: {', '.join(fields)})")
            values[key] = _coerce(value, type(fields[key].default), where)
        params = cls(**values)
        params._check(task_name)
        return params

    def _check(self, task_name: str) -> None:
        def fail(key: str, msg: str) -> TaskConfigError:
            return TaskConfigError(f"task '{task_name}': field 'train.params.{key}': {msg}")

        for key in ("epochs", "learning_rate"):
            if getattr(self, key) <= 0:
                raise fail(key, "must be > 0")
        for key in ("batch_size", "eval_batch_size"):
            if getattr(self, key) < 1:
                raise fail(key, "must be >= 1")
        if not 8 <= self.max_length <= 512:
            raise fail("max_length", "must be between 8 and 512")
        for key in ("weight_decay", "warmup"):
            if getattr(self, key) < 0:
                raise fail(key, "must be >= 0")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(value: Any, kind: type, where: str) -> Any:
    # YAML gives ints for `epochs: 4` and may give strings for `5e-5` (YAML 1.1 needs a dot).
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise TaskConfigError(f"{where}: expected true or false, got {value!r}")
    if isinstance(value, bool):  # a bool is an int to Python, never a count or a rate here
        raise TaskConfigError(f"{where}: expected {'an integer' if kind is int else 'a number'}, got {value!r}")
    if kind is int:
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return int(value)
        raise TaskConfigError(f"{where}: expected an integer, got {value!r}")
    if kind is float:
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise TaskConfigError(f"{where}: expected a number, got {value!r}")
    return value
