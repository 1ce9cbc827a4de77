"""The session's accepted changes, on their way to patch files and dataset versions.

Accepted edits are *staged*: kept in the session, shown by `/patch`, and given to the
model as live knowledge right away. `/apply` turns them into one patch per task with the
same code as `lic apply --yes` (lic_cli.patches.run.apply_records): tasks without review
get a new dataset version at once; tasks with `review: required` get their patch file
written for review (`lic apply --approve PATCH`) and leave the session.

`/undo` takes back the newest change of the session: a staged edit is unstaged; when
nothing is staged, the last patch this session applied is reverted as a new version
(`lic revert`: history is never rewritten).

`--resume` rebuilds the stage from the transcript (`restore`): the accepted and edited
edits of its user turns, less those a later turn names as `unstaged` (what /undo took
back) and those already in a patch file of the project (applied, or written for review).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lic_cli.chat import taught
from lic_cli.errors import LicError
from lic_cli.jsonl import record_id
from lic_cli.patches import files
from lic_cli.patches.apply import complete_row, expected_id
from lic_cli.patches.build import build, undo_note
from lic_cli.patches.fileformat import Patch, utc_now
from lic_cli.patches.run import apply_records, revert_files
from lic_cli.tasks import Project

STAGED_DECISIONS = ("accepted", "edited")
STAGED_OPS = ("add", "update", "delete")

Notify = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class StagedEdit:
    conversation: str
    turn: int
    edit: dict[str, Any]  # a locate edit (add / update / delete), as the person accepted it
    text: str | None = None  # the user turn that taught it (kept beside the applied rows: chat/taught.py)

    @property
    def record(self) -> dict[str, Any]:
        return {"conversation": self.conversation, "turn": self.turn, "role": "user", "edits": [self.edit]}

    def note(self) -> dict[str, Any]:
        """How the transcript names this edit when /undo unstages it."""
        return undo_note(self.turn, self.edit)


def staged_edit(edit: dict[str, Any]) -> dict[str, Any]:
    """An accepted edit as the stage keeps it: without the evidence and the decision."""
    return {k: v for k, v in edit.items() if k not in ("candidates", "decision")}


def _same(note: dict[str, Any], staged: StagedEdit) -> bool:
    return json.dumps(note, sort_keys=True) == json.dumps(staged.note(), sort_keys=True)


@dataclass
class Stage:
    project: Project
    author: str
    notify: Notify = _quiet
    edits: list[StagedEdit] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # patch files this session applied, oldest first
    unstaged: list[dict[str, Any]] = field(default_factory=list)  # /undo notes not yet in the transcript

    def add(self, conversation: str, turn: int, edit: dict[str, Any], text: str | None = None) -> None:
        self.edits.append(StagedEdit(conversation, turn, edit, text))

    def staged(self) -> list[dict[str, Any]]:
        return [s.edit for s in self.edits]

    def patches(self) -> list[Patch]:
        """The patches /apply would write now (nothing is written)."""
        return build([s.record for s in self.edits], project=self.project, author=self.author,
                     time=utc_now()).patches

    def apply(self, message: str | None = None) -> list[dict[str, Any]]:
        """Write one patch per task; apply those of tasks without review. Returns apply's JSON lines."""
        if not self.edits:
            return []
        results = list(apply_records([s.record for s in self.edits], project=self.project, author=self.author,
                                     message=message, apply=True, dry_run=False, approve=False,
                                     notify=self.notify))
        self.applied.extend(r["patch"] for r in results if r["applied"] and r["patch"])
        texts = {record_id(s.record): s.text for s in self.edits if s.text}
        taught.keep_applied(self.project, results, texts)  # each taught row's own sentence
        self.edits.clear()  # applied, or written for review: either way out of the session
        return results

    def undo(self) -> str:
        """Unstage the newest staged edit, else revert the newest applied patch."""
        if self.edits:
            gone = self.edits.pop()
            self.unstaged.append(gone.note())
            e = gone.edit
            return f"unstaged {e['op']} of {e['task']} row {e.get('row') or '(new)'}"
        if self.applied:
            path = self.applied.pop()
            results = list(revert_files([path], project=self.project, author=self.author, message=None,
                                        approve=False, dry_run=False, notify=self.notify))
            versions = ", ".join(f"{r['task']} version {r['version']}" for r in results if r["applied"])
            return f"reverted {path}" + (f" as {versions}" if versions else "")
        return "nothing to undo"

    def restore(self, records: Iterable[dict[str, Any]]) -> int:
        """Stage again what a transcript's conversation left staged; returns how many edits."""
        for rec in records:
            if rec.get("role") != "user" and not rec.get("unstaged"):
                continue
            for note in rec.get("unstaged") or []:
                match = [i for i, s in enumerate(self.edits) if _same(note, s)]
                if match:
                    del self.edits[match[-1]]
            for edit in rec.get("edits") or []:
                if edit.get("decision") in STAGED_DECISIONS and edit.get("op") in STAGED_OPS:
                    self.add(str(rec["conversation"]), int(rec["turn"]), staged_edit(edit), rec.get("text"))
        written = self._written()
        self.edits = [s for s in self.edits if (s.edit["task"], self._row(s), record_id(s.record)) not in written]
        return len(self.edits)

    def _row(self, staged: StagedEdit) -> str | None:
        """The row id the edit's op gets in a patch (as lic_cli.patches.build gives it)."""
        e = staged.edit
        try:
            task = self.project.task(e["task"])
        except LicError:
            return None
        if e["op"] == "add":
            return expected_id(task, complete_row(task, e.get("after") or {}))
        return e.get("row") or expected_id(task, e.get("before") or {})

    def _written(self) -> set[tuple[str, str, str]]:
        """(task, row, source record) of every op in the project's patch files."""
        out = set()
        for task in {s.edit["task"] for s in self.edits} & set(self.project.tasks):
            folder = files.patch_dir(self.project, task)
            for path in sorted(folder.glob("*" + files.SUFFIX)) if folder.is_dir() else []:
                patch, _, _ = files.load(self.project, path, check_id=False)
                out.update((task, op.row, op.source) for op in patch.ops if op.source)
        return out
