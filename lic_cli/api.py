"""The Python API: each stage is one call on records (docs/python-api.md).

    import lic_cli

    records = lic_cli.read("examples/teach.jsonl")
    located = lic_cli.locate(lic_cli.route(lic_cli.extract(lic_cli.detect(records))))
    written = lic_cli.apply(located)              # one reviewable patch per task

Every stage takes an iterable of record dicts (or a path to a JSONL file) and returns a
list of records with the stage's key added, exactly as the command of the same name
writes them. `project` is a folder holding tasks.yaml, a `Project`, or None for the
current folder. Models load once per process and are kept (the ONNX encoder, detect's
head), so calling a stage again is cheap. Errors are lic's own (lic_cli.errors.LicError
and its subclasses), never a traceback from deep inside.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lic_cli.tasks import Project

Records = Iterable[dict[str, Any]] | str | os.PathLike[str]

__all__ = ["read", "load_project", "detect", "extract", "route", "locate", "apply", "train", "pipeline"]


def read(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The records of a JSONL file (errors name the file and line)."""
    from lic_cli.jsonl import read_jsonl_file

    return [rec for _, rec in read_jsonl_file(path)]


def load_project(where: str | os.PathLike[str] | Project | None = None) -> Project:
    """The project (tasks.yaml) in `where`, a `Project` as it is, or the current folder's."""
    from lic_cli.tasks import Project
    from lic_cli.tasks import load_project as load

    if isinstance(where, Project):
        return where
    return load(None if where is None else os.fspath(where))


def _records(records: Records) -> Iterable[dict[str, Any]]:
    return read(records) if isinstance(records, str | os.PathLike) else records


def detect(records: Records, *, project: str | os.PathLike[str] | Project | None = None, model: str = "auto",
           threshold: float | None = None) -> list[dict[str, Any]]:
    """Add `intent` (teach / correct / forget / none, calibrated scores) to every user turn.

    `model`: "auto" (the trained intent model for the current dataset, else the fast head),
    "head" or "trained"."""
    from lic_cli import detect as stage

    proj = _project(project)
    return list(stage.run(_records(records), model=_intent_model(proj, model), threshold=threshold))


def extract(records: Records, *, project: str | os.PathLike[str] | Project | None = None,
            engine: str = "auto", **options: Any) -> list[dict[str, Any]]:
    """Add `knowledge` to every teaching turn. `engine`: auto, rules, model, llm or a plugin's;
    `options` go to the engine's factory (llm=, endpoint=, api_key=, timeout=, batch_size=)."""
    from lic_cli import extract as stage

    proj = _project(project, required=engine == "model")
    eng = stage.load_engine(engine, proj, **options)
    return list(stage.run(_records(records), engine=eng, project=proj))


def route(records: Records, *, project: str | os.PathLike[str] | Project | None = None) -> list[dict[str, Any]]:
    """Add `routes` (task, score, reason) to every record with `knowledge`."""
    from lic_cli import router
    from lic_cli.models import load_encoder

    return list(router.run(_records(records), project=_project(project), encoder=load_encoder("minilm")))


def locate(records: Records, *, project: str | os.PathLike[str] | Project | None = None,
           top_k: int = 5) -> list[dict[str, Any]]:
    """Add `edits` (op, row, before/after, evidence) to every routed record."""
    from lic_cli import locate as stage
    from lic_cli.models import load_encoder

    return list(stage.run(_records(records), project=_project(project), encoder=load_encoder("minilm"), top_k=top_k))


def apply(records: Records, *, project: str | os.PathLike[str] | Project | None = None, yes: bool = False,
          dry_run: bool = False, author: str | None = None, message: str | None = None,
          approve: bool = False, sweep: bool = False) -> list[dict[str, Any]]:
    """Write one reviewable patch per task from located records (and apply them with `yes`;
    `sweep`: with the stale-value sweep's proposals, held for review by default).
    Returns one record per patch: task, patch path, and what applying did."""
    from lic_cli.patches.run import apply_records, default_author

    return list(apply_records(_records(records), project=_project(project), author=author or default_author(),
                              message=message, apply=yes, dry_run=dry_run, approve=approve,
                              notify=lambda _msg: None, sweep=sweep))


def train(tasks: Iterable[str] | None = None, *, project: str | os.PathLike[str] | Project | None = None,
          force: bool = False, progress: bool = False) -> list[dict[str, Any]]:
    """Retrain the tasks whose datasets changed (or `tasks`); one summary per task handled."""
    from lic_cli import train as stage

    names = list(tasks) if tasks is not None else None
    return list(stage.run(_project(project), names, force=force, progress=progress, note=lambda _msg: None))


def pipeline(records: Records, *, project: str | os.PathLike[str] | Project | None = None, engine: str = "auto",
             yes: bool = False, author: str | None = None) -> list[dict[str, Any]]:
    """detect -> extract -> route -> locate -> apply, as `lic detect | ... | lic apply` does."""
    proj = _project(project)
    located = locate(route(extract(detect(records, project=proj), project=proj, engine=engine), project=proj),
                     project=proj)
    return apply(located, project=proj, yes=yes, author=author)


def _project(where: Any, *, required: bool = True) -> Project | None:
    from lic_cli.errors import ProjectError

    try:
        return load_project(where)
    except ProjectError:
        if required or where is not None:
            raise
        return None


_MODELS: dict[tuple[Path, str, str], Any] = {}


def _intent_model(proj: Project, choice: str) -> Any:
    """detect's model, kept per project and dataset version."""
    from lic_cli import detect as stage
    from lic_cli.store.rows import file_hash

    task = stage.intent_task(proj)  # None: lic's default detector (the packaged corpus)
    key = (proj.root, choice, file_hash(proj.dataset_path(task)) if task is not None else "default")
    if key not in _MODELS:
        _MODELS[key] = stage.load_model(proj, choice=choice)
    return _MODELS[key]
