"""The session's accepted changes, on their way to patch files and dataset versions.

Accepted edits are *staged*: kept in the session, shown by `/patch`, and given to the
model as live knowledge right away. `/apply` turns them into one patch per task with the
same code as `lic apply --yes` (lic_cli.patches.run.apply_records): tasks without review
get a new dataset version at once; tasks with `review: required` get their patch file
written for review (`lic apply --approve PATCH`) and leave the session.

`/undo` takes back the newest change of the session: a staged edit is unstaged; when
nothing is staged, the last patch this session applied is reverted as a new version
(`lic revert`: history is never rewritten).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lic_cli.patches.build import build
from lic_cli.patches.fileformat import Patch, utc_now
from lic_cli.patches.run import apply_records, revert_files
from lic_cli.tasks import Project

Notify = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class StagedEdit:
    conversation: str
    turn: int
    edit: dict[str, Any]  # a locate edit (add / update / delete), as the person accepted it

    @property
    def record(self) -> dict[str, Any]:
        return {"conversation": self.conversation, "turn": self.turn, "role": "user", "edits": [self.edit]}


@dataclass
class Stage:
    project: Project
    author: str
    notify: Notify = _quiet
    edits: list[StagedEdit] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # patch files this session applied, oldest first

    def add(self, conversation: str, turn: int, edit: dict[str, Any]) -> None:
        self.edits.append(StagedEdit(conversation, turn, edit))

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
        self.edits.clear()  # applied, or written for review: either way out of the session
        return results

    def undo(self) -> str:
        """Unstage the newest staged edit, else revert the newest applied patch."""
        if self.edits:
            gone = self.edits.pop()
            e = gone.edit
            return f"unstaged {e['op']} of {e['task']} row {e.get('row') or '(new)'}"
        if self.applied:
            path = self.applied.pop()
            results = list(revert_files([path], project=self.project, author=self.author, message=None,
                                        approve=False, dry_run=False, notify=self.notify))
            versions = ", ".join(f"{r['task']} version {r['version']}" for r in results if r["applied"])
            return f"reverted {path}" + (f" as {versions}" if versions else "")
        return "nothing to undo"
