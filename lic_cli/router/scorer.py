"""Semantic scores of a knowledge item against a task: its description and its nearest rows."""

from __future__ import annotations

from lic_cli.locate import index as key_index
from lic_cli.locate.keys import item_key_fields, item_key_text, item_own_key
from lic_cli.locate.matcher import search
from lic_cli.tasks import Project, Task


class Scorer:
    def __init__(self, project: Project, encoder) -> None:
        self.project = project
        self.encoder = encoder
        self._desc = {}

    def _description(self, task: Task):
        if task.name not in self._desc:
            self._desc[task.name] = self.encoder.encode([task.description])[0]
        return self._desc[task.name]

    def score(self, task: Task, item: dict) -> tuple[float, float]:
        """(cosine to the task description, best blended score against the task's rows)."""
        statement = str(item.get("statement") or item_key_text(task, item))
        q = self.encoder.encode([statement])[0]
        desc = float(self._description(task) @ q)
        key = item_key_fields(task, item)
        index = key_index.load(self.project, task, self.encoder)
        cands = search(index, key, k=1)
        return round(desc, 4), (cands[0].score if cands else 0.0)

    def cross(self, task: Task, item: dict) -> tuple[str, float] | None:
        """(key, score) of the task's row nearest to the item's key read as one text, for an
        item of another kind (a qa question against fact keys, a fact against questions)."""
        index = key_index.load(self.project, task, self.encoder)
        cands = search(index, (item_own_key(item),), k=1)
        return (index.keys[cands[0].i], cands[0].score) if cands else None
