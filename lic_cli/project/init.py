"""`lic init`: the proposed tasks.yaml as commented text, checked, and written once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lic_cli.errors import ProjectError, TaskConfigError
from lic_cli.project.scan import Guess, scan
from lic_cli.tasks import TASKS_FILE, parse

HEADER = """\
# The tasks this project can learn into, proposed by `lic init` from the dataset files
# found here. Every guess is explained in the comments above it: check them, fix what is
# wrong, and see docs/tasks.md for every field. lic reads and patches each dataset in its
# own format (JSONL, CSV/TSV, Parquet, Hugging Face save_to_disk folders).
version: 1
tasks:
"""

_DESCRIPTIONS = {
    "qa": "Questions and answers from {path}.",
    "fact": "Facts as subject / relation / object from {path}.",
    "label": "Texts from {path}, each with one of the labels below.",
    "extraction": "Turns and the knowledge they hold, from {path}.",
}


def _q(value: Any) -> str:
    """A YAML scalar (JSON strings are valid YAML, and never mistaken for another type)."""
    return json.dumps(value, ensure_ascii=False)


def _flow(values: list[Any]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def render_task(g: Guess) -> str:
    lines = [f"  # {g.path}: {g.rows} rows."]
    lines += [f"  # - {r}" for r in g.reasons]
    if g.format is None:
        lines.append(f"  # (no task proposed for {g.path})")
        return "\n".join(lines) + "\n"
    desc = _DESCRIPTIONS.get(g.format, "Rows of {path}.").format(path=g.path)
    lines += [f"  - name: {g.name}",
              f"    description: {_q(desc + ' (Written by lic init: describe the task in a sentence.)')}",
              f"    dataset: {_q(g.path)}",
              f"    format: {g.format}"]
    if g.columns:
        lines.append("    columns: {" + ", ".join(f"{k}: {_q(v)}" for k, v in g.columns.items()) + "}")
    lines.append(f"    key: {_flow(g.key)}  # rows with the same key are the same row")
    if g.labels:
        lines.append(f"    labels: {_flow(g.labels)}  # most frequent first")
    if g.split_column != "split":
        lines.append(f"    split_column: {_q(g.split_column)}")
    if g.train:
        pre = "    " if g.train_enabled else "    # "
        t = g.train
        lines += [f"{pre}train:",
                  f"{pre}  type: {t['type']}",
                  f"{pre}  base: {t['base']}",
                  f"{pre}  eval_split: {_q(t['eval_split'])}"]
        if t.get("params"):
            lines.append(f"{pre}  params: {{" + ", ".join(f"{k}: {_q(v)}" for k, v in t["params"].items()) + "}")
    return "\n".join(lines) + "\n"


def propose(root: Path) -> tuple[str, list[Guess]]:
    """The tasks.yaml text for the datasets under `root`, checked by the real parser."""
    guesses = scan(root)
    tasks = [g for g in guesses if g.format]
    if not tasks:
        found = ", ".join(g.path for g in guesses) or "none"
        raise ProjectError(f"{root}: no dataset lic can use (files found: {found}); datasets are JSONL, CSV, "
                           "TSV or Parquet files, or save_to_disk folders, with columns like question/answer, "
                           "subject/relation/object or text/label")
    text = HEADER + "\n".join(render_task(g) for g in guesses)
    check = root / ".lic" / "init-check.yaml"
    try:
        check.parent.mkdir(parents=True, exist_ok=True)
        check.write_text(text, encoding="utf-8")
        parse(check, root)
    except TaskConfigError as exc:  # a bug in a guess: say so rather than write a broken file
        raise ProjectError(f"lic init proposed a tasks.yaml that does not load ({exc}); please report it") from None
    finally:
        check.unlink(missing_ok=True)
    return text, guesses


def init(root: Path, *, dry_run: bool) -> tuple[str, list[Guess], Path | None]:
    """Propose tasks.yaml for `root`; write it unless `dry_run` (never over an existing one)."""
    from lic_cli.store.atomic import create_exclusive

    target = root / TASKS_FILE
    if target.exists() and not dry_run:
        raise ProjectError(f"{target} already exists; lic init never overwrites it "
                           "(see the proposal with 'lic init --dry-run')")
    text, guesses = propose(root)
    if dry_run:
        return text, guesses, None
    if not create_exclusive(target, text):
        raise ProjectError(f"{target} already exists; lic init never overwrites it")
    return text, guesses, target
