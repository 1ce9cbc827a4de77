"""The scope gate of a trained chat model: which questions its taught weights answer.

Fine-tuning on a few taught facts moves weights that unrelated answers also use, so a
question far from anything taught can come out wrong afterwards ("The capital of
Australia is Sydney."), even with replay. Memory-based model editing (SERAC, Mitchell et
al. 2022; GRACE; WISE) keeps such answers by routing: a question inside the scope of what
was taught goes to the edited model, any other question to the model as it was before the
teaching. Here the scope is the questions the model was taught (with their training
rewordings), compared by sentence embedding: a question whose nearest scope question has
a cosine similarity of at least `SFTParams.scope_threshold` is in scope.

A gated model folder holds `lic_scope.json`: the scope questions, the threshold, the
encoder and the fallback (the model before the teaching: a folder relative to this one,
or a packaged alias). Each incremental training adds its taught questions to its parent's
scope and keeps the parent's fallback, so the fallback is always the model from before
any gated teaching, and it never has a scope of its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lic_cli.errors import ModelLoadError

SCOPE_FILE = "lic_scope.json"
ENCODER = "minilm"


@dataclass(frozen=True)
class Scope:
    questions: tuple[str, ...]
    threshold: float
    fallback: str  # a folder relative to the model's own folder, or a packaged alias
    encoder: str = ENCODER

    def fallback_spec(self, folder: Path) -> str:
        """The fallback as `models.resolve` takes it (a path made absolute, or the alias)."""
        from lic_cli import models

        if self.fallback in models.ALIASES:
            return self.fallback
        return str((folder / self.fallback).resolve())

    def fallback_path(self, folder: Path) -> Path:
        """The fallback's model folder; one clear error when it is gone."""
        from lic_cli import models

        try:
            return models.resolve(self.fallback_spec(folder))
        except ModelLoadError as exc:
            raise ModelLoadError(f"{folder}: the fallback of its scope gate is unusable ({exc}); "
                                 "retrain the task with --force") from None


def read(folder: Path) -> Scope | None:
    """The folder's scope, or None for an ungated model; a damaged file is a clear error."""
    path = folder / SCOPE_FILE
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        scope = Scope(questions=tuple(raw["questions"]), threshold=float(raw["threshold"]),
                      fallback=str(raw["fallback"]), encoder=str(raw.get("encoder", ENCODER)))
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelLoadError(f"{path}: not a valid scope file ({exc})") from None
    if not all(isinstance(q, str) for q in scope.questions):
        raise ModelLoadError(f"{path}: field 'questions': expected a list of strings")
    return scope


def write(folder: Path, scope: Scope) -> None:
    from lic_cli.store.atomic import write_atomic

    blob = {"threshold": scope.threshold, "encoder": scope.encoder, "fallback": scope.fallback,
            "questions": list(scope.questions)}
    write_atomic(folder / SCOPE_FILE, json.dumps(blob, ensure_ascii=False, indent=1) + "\n")


def for_training(new_folder: Path, questions: Sequence[str], threshold: float, *,
                 parent_folder: Path | None, base: str) -> Scope:
    """The scope of a model being trained into `new_folder`.

    From the base (no parent): the base is the fallback. From a parent with a scope: its
    questions plus these, and its fallback. From an ungated parent: the parent is the
    fallback (the model before this teaching). `new_folder` must sit in the directory the
    model is installed in (lic trains into a temporary sibling), so that a relative
    fallback ("../v0-ab12cd34") stays right when the project folder moves.
    """
    from lic_cli import models

    old: tuple[str, ...] = ()
    if parent_folder is None:
        target = base
    else:
        parent = read(parent_folder)
        target = parent.fallback_spec(parent_folder) if parent is not None else str(parent_folder)
        old = parent.questions if parent is not None else ()
    if target not in models.ALIASES:
        target = os.path.relpath(Path(target).resolve(), new_folder.resolve()).replace(os.sep, "/")
    return Scope(questions=tuple(dict.fromkeys([*old, *questions])), threshold=threshold, fallback=target)


class Gate:
    """Routes questions: in scope (True) to the taught model, the others to the fallback."""

    def __init__(self, scope: Scope) -> None:
        from lic_cli import models

        self.scope = scope
        self._encoder = models.load_encoder(scope.encoder)
        self._anchors = self._encoder.encode(list(scope.questions))

    def similarity(self, questions: Sequence[str]) -> list[float]:
        """Cosine similarity of each question to its nearest scope question (-1: empty scope)."""
        if not questions:
            return []
        if not len(self._anchors):
            return [-1.0] * len(questions)
        sims = self._encoder.encode(list(questions)) @ self._anchors.T
        return [float(s) for s in sims.max(axis=1)]

    def in_scope(self, questions: Sequence[str]) -> list[bool]:
        return [s >= self.scope.threshold for s in self.similarity(questions)]


def last_user_text(messages: Sequence[dict[str, Any]]) -> str:
    """What a chat turn asks: the newest user message (the gate routes on it)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return ""
