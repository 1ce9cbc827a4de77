"""What a causal-lm (qa) task trains on: the first time everything, then only what changed.

Rows become chat pairs (system prompt shared with `lic chat`, the question, the answer).
With no usable previous model, the whole train split trains the base model. Otherwise
training starts from the previous model and teaches the rows the patches added or
updated since its dataset version, mixed with a seeded sample of old rows replayed
against forgetting (SFTParams.replay), and rewordings of the taught questions: template
ones (SFTParams.augment, paraphrase.py) and ones the base model writes (SFTParams.augment_lm,
lm_paraphrase.py). Metrics always come from the held-out eval split, never trained on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError, TaskConfigError
from lic_cli.store.formats import read_rows
from lic_cli.tasks import Project, Task
from lic_cli.train import context_name, paraphrase, registry
from lic_cli.train.changes import Change, changes_since
from lic_cli.train.data import FALLBACK_EVAL
from lic_cli.train.params import SFTParams
from lic_cli.train.sft import Pair

PARAPHRASES = "paraphrases"  # optional row column: held-out wordings, used by `lic eval` only
NEAR_MISS = "near_miss"  # optional row column: questions near this one but about something else (eval only)


@dataclass
class QARows:
    by_split: dict[str, list[dict[str, Any]]]
    question: str  # column names
    answer: str

    def split(self, name: str | None) -> list[dict[str, Any]]:
        return self.by_split.get(name, []) if name else []

    def all(self) -> list[dict[str, Any]]:
        return [r for rows in self.by_split.values() for r in rows]


@dataclass
class LMPlan:
    start: str  # what training starts from: the base alias or a previous model's path
    parent: dict[str, Any] | None  # the previous registry entry, when incremental
    train_pairs: list[Pair]
    eval_pairs: list[Pair]
    eval_split: str | None
    taught: list[Change] = field(default_factory=list)  # incremental: the rows taught
    replayed: int = 0
    notes: list[str] = field(default_factory=list)
    # The questions this training teaches (taught rows and their rewordings; from the base:
    # every train row): the scope of the gate, when the task has one (scope.py).
    scope: list[str] = field(default_factory=list)
    scope_answers: list[str] = field(default_factory=list)  # the taught answer of each scope question
    distilled: int = 0  # self-distillation pairs mixed in (distill.py)
    kl_pairs: list[Pair] = field(default_factory=list)  # prompts of the KL term, with the base's answers


def system_prompt() -> str:
    # The chat stage's prompt: the model is trained to answer the way `lic chat` asks.
    from lic_cli.models.prompts import DEFAULT_SYSTEM

    return DEFAULT_SYSTEM


def qa_pair(question: str, answer: str, system: str | None = None) -> Pair:
    return ([{"role": "system", "content": system if system is not None else system_prompt()},
             {"role": "user", "content": question}], answer)


def messages_for(question: str) -> list[dict[str, str]]:
    """The prompt a trained model is asked with (what `qa_pair` trains)."""
    return qa_pair(question, "")[0]


def read_qa(task: Task, path: Path) -> QARows:
    """Rows by split; question and answer must be non-empty strings, paraphrases a list of them."""
    if task.format != "qa":
        raise TaskConfigError(f"task '{task.name}': field 'train.type': causal-lm trains qa tasks "
                              f"(question -> answer); this task's format is '{task.format}'")
    q_col, a_col = task.column("question"), task.column("answer")
    source = str(path)
    by_split: dict[str, list[dict[str, Any]]] = {}
    for line, row in read_rows(path):
        for col in (q_col, a_col):
            value = row.get(col)
            if not isinstance(value, str) or not value.strip():
                raise InputError("missing or empty text", source=source, line=line, field=col)
        for col in (PARAPHRASES, NEAR_MISS):
            extra = row.get(col)
            if extra is not None and not (isinstance(extra, list) and all(isinstance(p, str) for p in extra)):
                raise InputError("expected a list of strings", source=source, line=line, field=col)
        split = row.get(task.split_column)
        split = task.default_split if split in (None, "") else str(split)
        by_split.setdefault(split, []).append(row)
    if not by_split.get(task.default_split):
        raise InputError(f"no rows in split '{task.default_split}' to train on", source=source,
                         field=task.split_column)
    return QARows(by_split=by_split, question=q_col, answer=a_col)


def eval_split_of(task: Task, rows: QARows) -> tuple[str | None, list[str]]:
    """The held-out split to measure on (train.eval_split, else dev), and notes."""
    assert task.train is not None
    wanted = task.train.eval_split
    if rows.split(wanted) and wanted != task.default_split:
        return wanted, []
    if rows.split(FALLBACK_EVAL):
        return FALLBACK_EVAL, [f"{task.name}: no rows in eval split '{wanted}'; evaluating on '{FALLBACK_EVAL}'"]
    return None, [f"{task.name}: no held-out rows (split '{wanted}' or '{FALLBACK_EVAL}'); training without evaluation"]


def plan(project: Project, task: Task, params: SFTParams, rows: QARows, *,
         note: Callable[[str], None]) -> LMPlan:
    """Decide where training starts and on which pairs (see the module docstring)."""
    assert task.train is not None
    eval_split, notes = eval_split_of(task, rows)
    eval_pairs = [qa_pair(r[rows.question], r[rows.answer]) for r in rows.split(eval_split)]
    train_rows = rows.split(task.default_split)
    parent = _usable_parent(project, task, params)
    changes = changes_since(project, task, parent["dataset_hash"], rows.all()) if parent else None
    if parent is not None and changes is None:
        notes.append(f"{task.name}: cannot tell which rows changed since {parent['path']} (a hand edit, or its "
                     "version is not in the log); training from the base model on every row")
    elif changes is not None and changes.deleted:
        notes.append(f"{task.name}: {changes.deleted} row(s) deleted since {parent['path'] if parent else ''}; "
                     "a model cannot unlearn them incrementally, so training from the base model on every row")
        changes = None
    if parent is None or changes is None:
        pairs = [qa_pair(r[rows.question], r[rows.answer]) for r in train_rows]
        return LMPlan(start=task.train.base, parent=None, train_pairs=pairs, eval_pairs=eval_pairs,
                      eval_split=eval_split, notes=notes, scope=[r[rows.question] for r in train_rows],
                      scope_answers=[r[rows.answer] for r in train_rows])

    taught = [c for c in changes.changes if _split(task, c.row) == task.default_split]
    keys = {id(c.row) for c in taught}
    old = [r for r in train_rows if id(r) not in keys]
    n_replay = round(params.replay * len(taught)) if params.replay >= 1 else round(params.replay * len(old))
    rng = random.Random(params.seed)
    replay = rng.sample(old, min(n_replay, len(old))) if taught else []
    written = _model_rewordings(task, [c.row[rows.question] for c in taught], params, note)
    other_words = _other_word_rewordings(task, [c.row[rows.question] for c in taught], params, note)
    pairs: list[Pair] = []
    scope: list[str] = []
    scope_answers: list[str] = []
    # the name the task's questions share (context_name.py), read from every train question, old and taught
    shared = context_name.shared_names([r[rows.question] for r in train_rows]) if params.augment_context else set()
    for change in taught:
        q, a = change.row[rows.question], change.row[rows.answer]
        plain = context_name.without(q, shared) if shared else None
        extra = [p for p in dict.fromkeys([*paraphrase.for_training(q, params.augment), *([plain] if plain else []),
                                           *written.get(q, []), *other_words.get(q, [])]) if p != q]
        pairs += [qa_pair(p, a) for p in [q, *extra]]
        scope += [q, *extra]
        scope_answers += [a] * (1 + len(extra))
    pairs += [qa_pair(r[rows.question], r[rows.answer]) for r in replay]
    distilled, kl_pairs = _self_distilled(task, params, len(taught), note) if taught else ([], [])
    pairs += distilled
    rng.shuffle(pairs)
    return LMPlan(start=parent["path"], parent=parent, train_pairs=pairs, eval_pairs=eval_pairs,
                  eval_split=eval_split, taught=taught, replayed=len(replay), notes=notes, scope=scope,
                  scope_answers=scope_answers, distilled=len(distilled), kl_pairs=kl_pairs)


def _self_distilled(task: Task, params: SFTParams, n_taught: int,
                    note: Callable[[str], None]) -> tuple[list[Pair], list[Pair]]:
    """Pool questions with the base's own answers: SFTParams.distill per taught row as training
    pairs, and (kl_weight > 0) the whole pool as the KL term's prompts (distill.py)."""
    if params.distill <= 0 and params.kl_weight <= 0:
        return [], []
    assert task.train is not None
    from lic_cli import models
    from lic_cli.train import distill

    said = distill.answers(models.resolve(task.train.base), system_prompt(), note=note)
    chosen = distill.sample(round(params.distill * n_taught), params.seed) if params.distill > 0 else []
    kl = [qa_pair(q, said[q]) for q in distill.POOL] if params.kl_weight > 0 else []
    return [qa_pair(q, said[q]) for q in chosen], kl


def _model_rewordings(task: Task, questions: list[str], params: SFTParams,
                      note: Callable[[str], None]) -> dict[str, list[str]]:
    """SFTParams.augment_lm rewordings per question, written by the task's base model."""
    from lic_cli.train import lm_paraphrase

    return _written(task, questions, params.augment_lm, params.seed, lm_paraphrase.generate, "rewordings", note)


def _other_word_rewordings(task: Task, questions: list[str], params: SFTParams,
                           note: Callable[[str], None]) -> dict[str, list[str]]:
    """SFTParams.augment_words rewordings per question in other content words (word_paraphrase.py)."""
    from lic_cli.train import word_paraphrase

    return _written(task, questions, params.augment_words, params.seed, word_paraphrase.generate,
                    "rewordings in other words", note)


def _written(task: Task, questions: list[str], n: int, seed: int, writer: Callable[..., dict[str, list[str]]],
             what: str, note: Callable[[str], None]) -> dict[str, list[str]]:
    """`n` rewordings per question written by `writer` with the task's base model (none when n is 0)."""
    if n <= 0 or not questions:
        return {}
    assert task.train is not None
    from lic_cli import models

    out = writer(models.resolve(task.train.base), questions, n, seed=seed)
    note(f"{task.name}: {task.train.base} wrote {sum(map(len, out.values()))} {what} of "
         f"{len(questions)} taught questions")
    return out


def _split(task: Task, row: dict[str, Any]) -> str:
    split = row.get(task.split_column)
    return task.default_split if split in (None, "") else str(split)


def _usable_parent(project: Project, task: Task, params: SFTParams) -> dict[str, Any] | None:
    """The active model, when training can continue from it (same base, type and method)."""
    assert task.train is not None
    from lic_cli import models

    entry = registry.latest(project, task.name)
    if entry is None or entry.get("type") != task.train.type or entry.get("base") != models.describe(task.train.base):
        return None
    if (entry.get("params") or {}).get("method") != params.method:
        return None
    return entry
