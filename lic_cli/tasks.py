"""tasks.yaml: the registry of tasks the system can learn into, validated on load.

Every error names the task and the field. See docs/tasks.md for the schema.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lic_cli.errors import ProjectError, TaskConfigError
from lic_cli.safeload import YamlLimitError, load_yaml

TASKS_FILE = "tasks.yaml"

# The knowledge kinds a dataset can store, the fields each kind has, and which of
# them identify "the same row" (the key) versus carry the value.
FORMATS: dict[str, dict[str, tuple[str, ...]]] = {
    "qa": {"key": ("question",), "value": ("answer",)},
    "fact": {"key": ("subject", "relation"), "value": ("object",)},
    "label": {"key": ("text",), "value": ("label",)},
    # Training data of lic's own extractor (turn + context -> knowledge list); knowledge is
    # never routed into it (router/rules.py), only edited by hand and trained with `lic train`.
    "extraction": {"key": ("text",), "value": ("knowledge",)},
    # Notes (free text, e.g. "The user is vegetarian."): the text is both what is matched
    # (by meaning, locate/notes.py) and what is stored.
    "text": {"key": ("text",), "value": ()},
    # Entity labels over a sentence: text + character spans, or CoNLL tokens + tags when
    # `columns` names `tokens` and `tags` (lic_cli/spans.py).
    "span": {"key": ("text",), "value": ("spans",)},
}
SPAN_CONLL = ("tokens", "tags")  # extra column fields of a span task kept CoNLL-style
KIND_FORMAT = {"note": "text"}  # a knowledge kind -> the format that stores it (else the same name)
TRAIN_TYPES = ("classification", "causal-lm", "extraction", "token-classification", "retrieval")
REVIEW = ("none", "required")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

_TASK_KEYS = {"name", "description", "dataset", "format", "columns", "key", "labels", "review",
              "id_column", "split_column", "default_split", "train"}
_TRAIN_KEYS = {"type", "base", "params", "eval_split", "context_column", "tolerance"}


@dataclass(frozen=True)
class TrainConfig:
    type: str
    base: str
    params: dict[str, Any] = field(default_factory=dict)
    eval_split: str = "test"
    # Columns that hold the turns before the text, oldest first (intent: the user turn
    # the previous assistant turn answered, then that assistant turn).
    context_columns: tuple[str, ...] = ()
    tolerance: float = 0.02

    @property
    def context_column(self) -> str | None:
        """The column of the turn right before the text (the last context column)."""
        return self.context_columns[-1] if self.context_columns else None


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    dataset: str  # relative to the project root
    format: str
    columns: dict[str, str]  # knowledge field -> dataset column
    key: tuple[str, ...]  # dataset columns that identify a row
    labels: tuple[str, ...] = ()
    review: str = "none"
    id_column: str | None = None
    split_column: str = "split"
    default_split: str = "train"
    train: TrainConfig | None = None

    @property
    def key_fields(self) -> tuple[str, ...]:
        return FORMATS[self.format]["key"]

    @property
    def value_fields(self) -> tuple[str, ...]:
        return FORMATS[self.format]["value"]

    def column(self, knowledge_field: str) -> str:
        return self.columns.get(knowledge_field, knowledge_field)

    def to_row(self, item: dict[str, Any]) -> dict[str, Any]:
        """A knowledge item in this task's row format (its columns, in a stable order)."""
        if self.format == "span":
            from lic_cli.spans import to_conll

            if self.span_style == "conll":
                tokens, tags = to_conll(item["text"], item["spans"])
                return {self.column("tokens"): tokens, self.column("tags"): tags}
        fields = self.key_fields + self.value_fields
        return {self.column(f): item[f] for f in fields if f in item}

    @property
    def span_style(self) -> str:
        """`conll` (tokens + tags columns) or `spans` (text + character spans); span tasks only."""
        return "conll" if self.format == "span" and "tokens" in self.columns else "spans"

    def key_of(self, row: dict[str, Any]) -> tuple[str, ...]:
        return tuple(str(row.get(c, "")) for c in self.key)


@dataclass(frozen=True)
class Project:
    root: Path
    tasks: dict[str, Task]
    version: int = 1

    def task(self, name: str) -> Task:
        try:
            return self.tasks[name]
        except KeyError:
            known = ", ".join(sorted(self.tasks)) or "none"
            raise TaskConfigError(f"unknown task '{name}' (tasks in {self.root / TASKS_FILE}: {known})") from None

    def path(self, rel: str | os.PathLike[str]) -> Path:
        """Resolve a project-relative path, refusing anything that escapes the project."""
        return inside(self.root, rel)

    def dataset_path(self, task: Task) -> Path:
        return self.path(task.dataset)

    @property
    def state_dir(self) -> Path:
        """Generated per-project state: caches and locks (git-ignored)."""
        return self.root / ".lic"


def inside(root: Path, rel: str | os.PathLike[str]) -> Path:
    root = root.resolve()
    p = Path(rel)
    full = (p if p.is_absolute() else root / p).resolve()
    if full != root and root not in full.parents:
        raise ProjectError(f"path '{rel}' is outside the project {root}")
    return full


def find_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The nearest directory at or above `start` (or $LIC_PROJECT, or cwd) holding tasks.yaml."""
    if start is None:
        start = os.environ.get("LIC_PROJECT") or os.getcwd()
    here = Path(start).resolve()
    if here.is_file():
        here = here.parent
    for d in (here, *here.parents):
        if (d / TASKS_FILE).is_file():
            return d
    raise ProjectError(f"no {TASKS_FILE} found in {here} or any parent; run lic inside a project "
                       "or pass --project DIR")


def load_project(root: str | os.PathLike[str] | None = None) -> Project:
    root_path = find_root(root)
    return Project(root=root_path, **parse(root_path / TASKS_FILE, root_path))


def parse(path: Path, root: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TaskConfigError(f"{path}: not valid UTF-8") from None
    except OSError as exc:
        raise TaskConfigError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        doc = load_yaml(text)  # aliases bounded, duplicate keys refused (lic_cli/safeload.py)
    except YamlLimitError as exc:
        where = f" line {exc.line}" if exc.line else ""
        raise TaskConfigError(f"{path}{where}: {exc.reason}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise TaskConfigError(f"{path}{where}: invalid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(doc, dict):
        raise TaskConfigError(f"{path}: expected a mapping with 'version' and 'tasks'")
    unknown = set(doc) - {"version", "tasks"}
    if unknown:
        raise TaskConfigError(f"{path}: unknown top-level key '{sorted(unknown)[0]}' (expected version, tasks)")
    version = doc.get("version", 1)
    if version != 1 or not isinstance(version, int) or isinstance(version, bool):
        raise TaskConfigError(f"{path}: field 'version': unsupported version {version!r} (expected 1)")
    raw_tasks = doc.get("tasks")
    if not isinstance(raw_tasks, list) or not raw_tasks:
        raise TaskConfigError(f"{path}: field 'tasks': expected a non-empty list of tasks")
    tasks: dict[str, Task] = {}
    for i, raw in enumerate(raw_tasks):
        task = _task(raw, i, path, root)
        if task.name in tasks:
            raise TaskConfigError(f"{path}: task '{task.name}': duplicate task name")
        tasks[task.name] = task
    return {"tasks": tasks, "version": version}


def _task(raw: Any, index: int, path: Path, root: Path) -> Task:
    if not isinstance(raw, dict):
        raise TaskConfigError(f"{path}: tasks[{index}]: expected a mapping")
    name = raw.get("name")
    label = f"task '{name}'" if isinstance(name, str) else f"tasks[{index}]"

    def fail(fld: str, msg: str) -> TaskConfigError:
        return TaskConfigError(f"{path}: {label}: field '{fld}': {msg}")

    unknown = set(raw) - _TASK_KEYS
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown field (allowed: {', '.join(sorted(_TASK_KEYS))})")
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail("name", "required; lowercase letters, digits and _ (starting with a letter)")
    for req in ("description", "dataset", "format"):
        if not isinstance(raw.get(req), str) or not raw[req].strip():
            raise fail(req, "required, a non-empty string")
    fmt = raw["format"]
    if fmt not in FORMATS:
        raise fail("format", f"unknown format '{fmt}' (expected one of {', '.join(FORMATS)})")
    try:
        dataset = inside(root, raw["dataset"])
    except ProjectError:
        raise fail("dataset", f"'{raw['dataset']}' is outside the project") from None
    if not dataset.is_file() and not dataset.is_dir():  # a folder: a Hugging Face save_to_disk dataset
        raise fail("dataset", f"file not found: {raw['dataset']}")
    fields = FORMATS[fmt]["key"] + FORMATS[fmt]["value"] + (SPAN_CONLL if fmt == "span" else ())
    columns = raw.get("columns", {}) or {}
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise fail("columns", "expected a mapping of knowledge field -> column name")
    for k in columns:
        if k not in fields:
            raise fail("columns", f"'{k}' is not a field of format {fmt} (fields: {', '.join(fields)})")
    if fmt == "span" and ("tokens" in columns) != ("tags" in columns):
        raise fail("columns", "a CoNLL-style span task maps both 'tokens' and 'tags'")
    key = raw.get("key")
    if key is None:
        conll = fmt == "span" and "tokens" in columns
        key = [columns["tokens"]] if conll else [columns.get(f, f) for f in FORMATS[fmt]["key"]]
    if isinstance(key, str):
        key = [key]
    if not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
        raise fail("key", "expected a column name or a list of column names")
    labels = raw.get("labels", [])
    if fmt == "span" and labels:
        if not isinstance(labels, list) or not all(isinstance(x, str) and x.strip() for x in labels):
            raise fail("labels", "a span task's labels are a list of entity label names")
        if len(set(labels)) != len(labels):
            raise fail("labels", "duplicate label")
    elif fmt == "label":
        if not isinstance(labels, list) or len(labels) < 2 or not all(isinstance(x, str) for x in labels):
            raise fail("labels", "a label task needs a list of at least two label names")
        if len(set(labels)) != len(labels):
            raise fail("labels", "duplicate label")
    elif labels:
        raise fail("labels", f"only label tasks have labels (this task's format is {fmt})")
    review = raw.get("review", "none")
    if review not in REVIEW:
        raise fail("review", f"expected one of {', '.join(REVIEW)}")
    for opt in ("id_column", "split_column", "default_split"):
        if opt in raw and not isinstance(raw[opt], str):
            raise fail(opt, "expected a string")
    train = _train(raw.get("train"), fail) if raw.get("train") is not None else None
    if train and train.type == "classification" and fmt != "label":
        raise fail("train.type", "classification needs a label task")
    if train and train.type == "token-classification" and (fmt != "span" or not labels):
        raise fail("train.type", "token-classification needs a span task with labels")
    if train and train.type == "retrieval" and fmt != "text":
        raise fail("train.type", "retrieval (a note memory) needs a text task")
    return Task(name=name, description=raw["description"].strip(), dataset=raw["dataset"], format=fmt,
                columns=dict(columns), key=tuple(key), labels=tuple(labels), review=review,
                id_column=raw.get("id_column"), split_column=raw.get("split_column", "split"),
                default_split=raw.get("default_split", "train"), train=train)


def _train(raw: Any, fail: Any) -> TrainConfig:
    if not isinstance(raw, dict):
        raise fail("train", "expected a mapping")
    unknown = set(raw) - _TRAIN_KEYS
    if unknown:
        raise fail(f"train.{sorted(unknown)[0]}", f"unknown field (allowed: {', '.join(sorted(_TRAIN_KEYS))})")
    if raw.get("type") not in TRAIN_TYPES:
        from lic_cli import plugins  # a train type a plugin adds (lic.train_types)

        known = plugins.names("train-type")
        if raw.get("type") not in known:
            raise fail("train.type", f"expected one of {', '.join(known)}")
    if not isinstance(raw.get("base"), str):
        raise fail("train.base", "required: a model alias (minilm, smollm2) or a local model folder")
    params = raw.get("params", {}) or {}
    if not isinstance(params, dict):
        raise fail("train.params", "expected a mapping")
    tol = raw.get("tolerance", 0.02)
    if not isinstance(tol, (int, float)) or isinstance(tol, bool) or tol < 0:
        raise fail("train.tolerance", "expected a non-negative number")
    ctx = raw.get("context_column")
    if isinstance(ctx, str):
        ctx = [ctx]
    if ctx is not None and not (isinstance(ctx, list) and ctx and all(isinstance(c, str) for c in ctx)):
        raise fail("train.context_column", "expected a column name or a list of them, oldest turn first")
    return TrainConfig(type=raw["type"], base=raw["base"], params=dict(params),
                       eval_split=str(raw.get("eval_split", "test")), context_columns=tuple(ctx or ()), tolerance=float(tol))
