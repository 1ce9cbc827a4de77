"""Live knowledge: the dataset rows nearest to a question, given to the model as context.

The rows come from each qa / fact task's locate index (lic_cli/locate/index.py), so an
answer uses what the datasets hold *now*, before any retraining. The index of a task is
looked up again only when its dataset file changes (size or mtime), so after `/apply`
the new version is searched, and a quiet turn costs one embedding and a dot product.
Edits the person accepted but has not applied yet lie on top: a staged update or delete
hides its row, a staged add or update is searched like a row and marked `staged`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from lic_cli.locate import index as key_index
from lic_cli.locate.keys import row_key_text, row_value_text
from lic_cli.locate.matcher import first_stage
from lic_cli.tasks import Project, Task

FORMATS = ("qa", "fact")  # tasks whose rows answer questions; label rows do not
THRESHOLD = 0.55  # cosine of question and row key; small talk scores ~0.3 on the demo rows
TOP_K = 3


@dataclass(frozen=True)
class Hit:
    task: str
    row: str  # row id
    fields: dict[str, Any]
    score: float
    staged: bool = False

    def text(self, task: Task) -> str:
        key, value = row_key_text(task, self.fields), row_value_text(task, self.fields)
        return f"{key}: {value}" if task.format == "fact" else f"{key} {value}"

    def to_dict(self) -> dict[str, Any]:
        out = {"task": self.task, "row": self.row, "score": round(self.score, 4)}
        if self.staged:
            out["staged"] = True
        return out


class Retriever:
    def __init__(self, project: Project, encoder, *, threshold: float = THRESHOLD, top_k: int = TOP_K) -> None:
        self.project = project
        self.encoder = encoder
        self.threshold = threshold
        self.top_k = top_k
        self.tasks = [t for t in project.tasks.values() if t.format in FORMATS]
        self._index: dict[str, tuple[tuple[int, int], Any]] = {}
        self._staged_emb: dict[str, Any] = {}  # key text -> embedding

    def index(self, task: Task):
        """The task's current index, reloaded only when the dataset file changed."""
        st = os.stat(self.project.dataset_path(task))
        stamp = (st.st_size, st.st_mtime_ns)
        cached = self._index.get(task.name)
        if cached is None or cached[0] != stamp:
            cached = (stamp, key_index.load(self.project, task, self.encoder))
            self._index[task.name] = cached
        return cached[1]

    def search(self, text: str, staged: list[dict[str, Any]] = ()) -> list[Hit]:
        """Rows whose key is at least `threshold` close to `text`, best first, at most top_k."""
        if not self.tasks or not text.strip():
            return []
        q = self.encoder.encode([text])[0]
        hidden = {(e["task"], e["row"]) for e in staged if e.get("op") in ("update", "delete") and e.get("row")}
        hits: list[Hit] = []
        for task in self.tasks:
            index = self.index(task)
            if not len(index):
                continue
            rows, sims = first_stage(index, q, min(self.top_k + len(hidden), len(index)))
            for i, sim in zip(rows, sims, strict=True):
                if sim >= self.threshold and (task.name, index.ids[i]) not in hidden:
                    hits.append(Hit(task.name, index.ids[i], index.row(i), float(sim)))
        hits.extend(self._staged_hits(q, staged))
        hits.sort(key=lambda h: -h.score)
        return hits[:self.top_k]

    def _staged_hits(self, q, staged: list[dict[str, Any]]) -> list[Hit]:
        out = []
        names = {t.name for t in self.tasks}
        for e in staged:
            if e.get("op") not in ("add", "update") or e.get("task") not in names or not e.get("after"):
                continue
            task = self.project.task(e["task"])
            key = row_key_text(task, e["after"])
            if key not in self._staged_emb:
                self._staged_emb[key] = self.encoder.encode([key])[0]
            sim = float(self._staged_emb[key] @ q)
            if sim >= self.threshold:
                out.append(Hit(task.name, e.get("row") or "new", e["after"], sim, staged=True))
        return out

    def context(self, hits: list[Hit]) -> str:
        """The rows as notes for the system prompt, one a line."""
        return "\n".join(f"- {h.text(self.project.task(h.task))}" for h in hits)
