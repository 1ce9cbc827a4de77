"""Semantic scores of a knowledge item against a task: its description and its nearest rows."""

from __future__ import annotations

from lic_cli.locate import cross, forgets
from lic_cli.locate import index as key_index
from lic_cli.locate.keys import forget_target, item_key_fields, item_key_text
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

    def cross(self, task: Task, item: dict) -> tuple[str, float, str] | None:
        """(key, score, why) of the row of `task` holding the knowledge of an item of the other
        kind (a qa question against fact keys, a fact against questions: locate/cross.py)."""
        index = key_index.load(self.project, task, self.encoder)
        found = cross.find(self.project, index, task, item, self.encoder)
        if found is None:
            return None
        c, why = found
        return index.keys[c.i], c.score, why

    def names_row(self, task: Task, item: dict) -> bool:
        return self.naming(task, item) is not None

    def naming(self, task: Task, item: dict) -> str | None:
        """The signal by which a forget target names one row of `task` (None: it names none)."""
        found = self._named(task, item)
        return found[1] if found else None

    def _named(self, task: Task, item: dict):
        """A forget target that names one row of `task` otherwise than by its key: a quoted
        example, the answer pointed at, a fact's relation, a question's words, or its meaning
        (locate/forgets.py)."""
        index = key_index.load(self.project, task, self.encoder)
        if forgets.TURN in item:  # the target names nothing: only meaning could say, and meaning does not route
            return None
        cands = search(index, item_key_fields(task, item), k=5)
        target = forget_target(item)
        # meaning alone routes a forget only when every view of it agrees on one row
        # (locate/forgets.agreed_row); otherwise its words, text or key must name the row
        quoted = target != str(item.get("target", ""))
        named = forgets.named_row(index, task, target, quoted, cands)
        if named is None and not quoted:
            named = forgets.agreed_row(index, task, target, cands)
        if named is None and not quoted and forgets.DISTINCT:
            named = forgets.distinct_row(index, task, target)
        return named
