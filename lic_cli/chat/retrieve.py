"""Live knowledge: the dataset rows that answer a question, given to the model and checked.

Every task whose rows answer questions (qa, fact, notes: lic_cli/chat/rowindex.py) is
searched by what its rows *say* (the similarity of question and row, lifted by the question's
similarity to the task's domain), so an answer uses what the datasets hold *now*, before
any retraining. A task's index is looked up again only when its dataset file changes
(size or mtime), so after `/apply` the new version is searched, and a quiet turn costs
one embedding and a dot product per task. Edits the person accepted but has not applied yet
lie on top: a staged update or delete hides its row, a staged add or update is searched
like a row and marked `staged`.

The similarity is the learned ranker's (lic_cli/chat/ranker.py: MiniLM fine-tuned on
question <-> row pairs of many domains, trained by `lic models --ranker`), or the packaged
MiniLM's when the ranker is off or not trained (LIC_RANKER=0; not trained unless asked).
When the cross-encoder re-ranker is trained (lic_cli/chat/crossenc.py, `lic models --cross`)
it takes the place of the ranker: the packaged MiniLM's blend picks each turn's best few rows
(crossenc.Settings.k, over every task and the staged rows) and the re-ranker scores them,
reading question and row together; its scores are logits, with its own calibrated threshold.
When both are trained (`lic models --ranker --cross`), they are combined (lic_cli/chat/combine.py,
since session 10; LIC_COMBINE=0 keeps the re-ranker alone): the base model's best few rows are
scored by the ranker and the re-ranker, a calibrated mix of their margins orders them (with the
day, age-group, month, period, size and count qualifiers of chat/qualifier.py) and decides whether the first answers; a hit's
score is that mix, with the combination's calibrated threshold. Since session 14 the packaged causal LM
reads the combination's near-tied best rows and may re-order them (lic_cli/chat/lmrank.py; opt-in, LIC_LMRANK=1) (a question that asks no known kind of
answer is held to its own calibrated threshold: its hits' scores are shifted by the difference).

Two thresholds on the blended score:

- `threshold` (`--retrieval-threshold`): rows at or above it are given to the model as notes
  (default: the ranker's calibrated threshold; THRESHOLD on the base model);
- `ground` (default: the same): the best row at or above it *answers* the question: the reply
  must state its value (lic_cli/chat/session.py checks it, and answers from the row if not).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

from lic_cli.chat import answertype, rowindex
from lic_cli.patches.apply import complete_row, expected_id
from lic_cli.store import versions
from lic_cli.tasks import Project, Task

THRESHOLD = 0.563  # base model: least score of a row given as a note (chosen on the dev domains, docs/chat.md)
TOP_K = 3


@dataclass(frozen=True)
class Hit:
    task: str
    row: str  # row id
    fields: dict[str, Any]
    score: float
    staged: bool = False
    version: int | None = None  # the dataset version the row is in (staged: the version it lies on)

    def text(self, task: Task) -> str:
        return rowindex.row_text(task, self.fields)

    def value(self, task: Task) -> str:
        return rowindex.row_value(task, self.fields)

    def question(self, task: Task) -> str | None:
        return rowindex.row_question(task, self.fields)

    def ref(self) -> dict[str, Any]:
        """How the transcript names the row: task, row id, dataset version."""
        out: dict[str, Any] = {"task": self.task, "row": self.row, "version": self.version}
        if self.staged:
            out["staged"] = True
        return out

    def to_dict(self) -> dict[str, Any]:
        return {**self.ref(), "score": round(self.score, 4)}


class Retriever:
    """`threshold` / `ground` None: the learned ranker's calibrated threshold (chat/ranker.py), or
    THRESHOLD on the base model. `ranker` None: the learned ranker when it is trained or may be
    trained now (LIC_RANKER, LIC_RANKER_TRAIN); False: the base model; True: train it if need be.
    `cross` the same for the cross-encoder re-ranker (LIC_CROSS, LIC_CROSS_TRAIN); when it is
    used, the first stage is the base model's blend, whatever `ranker` says. Either may also be
    a trained one itself (ranker.Ranker, crossenc.Cross: the benches measure a given folder)."""

    def __init__(self, project: Project, encoder, *, threshold: float | None = None, ground: float | None = None,
                 top_k: int = TOP_K, ranker: Any = None, cross: Any = None, reader: Any = None) -> None:
        self.project = project
        self.tasks = [t for t in project.tasks.values() if rowindex.answers_questions(t)]
        self.ranker = None
        self.cross = None
        self.combined = None  # (the ranker's own retriever, combine.Calibration): both stages combined
        if self.tasks:
            from lic_cli.chat import combine, crossenc
            from lic_cli.chat import ranker as ranking

            self.cross = cross if isinstance(cross, crossenc.Cross) else crossenc.for_chat(use=cross)
            both = ranker if isinstance(ranker, ranking.Ranker) else None
            if self.cross is not None and both is None and ranker is not False and combine.enabled():
                both = ranking.for_chat(use=ranker)
            if self.cross is None:
                self.ranker = ranker if isinstance(ranker, ranking.Ranker) else ranking.for_chat(use=ranker)
            elif both is not None:  # the re-ranker orders the first stage's best k, the combination decides
                inner = Retriever(project, encoder, threshold=-float("inf"), ranker=both, cross=False)
                self.combined = (inner, combine.ensure(both, self.cross))
        # The language model reads the combination's near-tied best rows (chat/lmrank.py, session 14).
        self.reader = None
        if self.combined is not None and reader is not False:
            from lic_cli.chat import lmrank

            self.reader = reader if reader is not None else lmrank.Reader() if lmrank.enabled() else None
        self.encoder = self.ranker.encoder() if self.ranker is not None else encoder
        self.head = self.ranker.head if self.ranker is not None else None
        default = (self.combined[1].threshold if self.combined is not None else
                   self.cross.threshold if self.cross is not None else
                   self.ranker.threshold if self.ranker is not None else THRESHOLD)
        self.threshold = default if threshold is None else threshold
        self.ground = max(self.threshold if ground is None else ground, self.threshold)
        self.top_k = top_k
        self._index: dict[str, tuple[tuple[int, int], Any, int]] = {}
        self._staged_emb: dict[tuple[str, str], Any] = {}  # (encoder, row text) -> embedding

    def index(self, task: Task) -> tuple[rowindex.RowIndex, int]:
        """The task's current index and dataset version, reloaded only when the dataset file changed."""
        st = os.stat(self.project.dataset_path(task))
        stamp = (st.st_size, st.st_mtime_ns)
        cached = self._index.get(task.name)
        if cached is None or cached[0] != stamp:
            version, _ = versions.current_version(self.project, task)
            cached = (stamp, rowindex.load(self.project, task, self.encoder), version)
            self._index[task.name] = cached
        return cached[1], cached[2]

    def search(self, text: str, staged: list[dict[str, Any]] = ()) -> list[Hit]:
        """Rows scoring at least `threshold` for `text`, best first, at most top_k."""
        if not self.tasks or not text.strip():
            return []
        queries: dict[str, Any] = {}  # encoder name -> the question's embedding

        def embed(enc):
            if enc.name not in queries:
                queries[enc.name] = enc.encode([text])[0]
            return queries[enc.name]

        hidden = {(e["task"], e["row"]) for e in staged if e.get("op") in ("update", "delete") and e.get("row")}
        if self.combined is not None:
            return self._combined(text, embed, staged, hidden)
        if self.cross is not None:
            return self._reranked(text, embed, staged, hidden)
        hits: list[Hit] = []
        for task in self.tasks:
            index, version = self.index(task)
            if not len(index):
                continue
            scores = index.scores(embed(index.encoder), text, self.head)
            for i in scores.argsort()[::-1][:self.top_k + len(hidden)]:
                if scores[i] >= self.threshold and (task.name, index.ids[i]) not in hidden:
                    hits.append(Hit(task.name, index.ids[i], index.fields[i], float(scores[i]), version=version))
        hits.extend(self._staged_hits(text, embed, staged))
        hits.sort(key=lambda h: -h.score)
        return hits[:self.top_k]

    def _reranked(self, text: str, embed, staged: list[dict[str, Any]], hidden: set) -> list[Hit]:
        """The first stage's best `k` rows of every task and the staged rows, re-scored by the
        cross-encoder; those at or above `threshold`, best first, at most top_k."""
        k = self.cross.k
        cands: list[Hit] = []
        for task in self.tasks:
            index, version = self.index(task)
            if not len(index):
                continue
            scores = index.scores(embed(index.encoder), text)
            for i in scores.argsort()[::-1][:k + len(hidden)]:
                if (task.name, index.ids[i]) not in hidden:
                    cands.append(Hit(task.name, index.ids[i], index.fields[i], float(scores[i]), version=version))
        cands.extend(self._staged_hits(text, embed, staged, -float("inf")))
        cands = sorted(cands, key=lambda h: -h.score)[:k]
        scores = self.cross.score(text, [h.text(self.project.task(h.task)) for h in cands], [h.score for h in cands])
        hits = [replace(h, score=float(s)) for h, s in zip(cands, scores, strict=True) if s >= self.threshold]
        hits.sort(key=lambda h: -h.score)
        return hits[:self.top_k]

    def _combined(self, text: str, embed, staged: list[dict[str, Any]], hidden: set) -> list[Hit]:
        """The first stage's best `k` rows (every task and the staged rows), scored by the ranker
        and the re-ranker, ordered and decided as chat/combine.py says; a hit's score is the
        deciding signal."""
        from lic_cli.chat import combine

        inner, cal = self.combined
        rk = inner.ranker
        k = self.cross.k
        cands: list[Hit] = []
        ranked: dict[tuple[str, str, bool], float] = {}
        for task in self.tasks:
            index, version = self.index(task)
            if not len(index):
                continue
            scores = index.scores(embed(index.encoder), text)
            rindex, _ = inner.index(task)
            rscores = rindex.scores(embed(rindex.encoder), text, inner.head)
            ranked.update(((task.name, rid, False), float(v)) for rid, v in zip(rindex.ids, rscores, strict=True))
            for i in scores.argsort()[::-1][:k + len(hidden)]:
                if (task.name, index.ids[i]) not in hidden:
                    cands.append(Hit(task.name, index.ids[i], index.fields[i], float(scores[i]), version=version))
        cands.extend(self._staged_hits(text, embed, staged, -float("inf")))
        ranked.update(((h.task, h.row, True), h.score) for h in inner._staged_hits(text, embed, staged, -float("inf")))
        cands = sorted(cands, key=lambda h: -h.score)[:k]
        if not cands:
            return []
        objs = [combine.Candidate(n, h.text(self.project.task(h.task)), h.score,
                                  ranked.get((h.task, h.row, h.staged), -float("inf"))) for n, h in enumerate(cands)]
        for c, s in zip(objs, self.cross.score(text, [c.text for c in objs], [c.base for c in objs]), strict=True):
            c.cross = float(s)
        out = combine.ordered(text, objs, combine.DEFAULT, rk.threshold, self.cross.threshold)
        # A question that asks no known kind is held to its own calibrated threshold (session 11): its
        # signal is shifted by the difference, so a hit's score compares with `threshold` as any other.
        shift = cal.threshold - cal.for_question(text)
        if self.reader is not None:
            out = self.reader.reorder(text, out, self.threshold - shift)
        return [replace(cands[c.ref], score=s + shift) for s, c in out if s + shift >= self.threshold][:self.top_k]

    def _staged_hits(self, text: str, embed, staged: list[dict[str, Any]], threshold: float | None = None) -> list[Hit]:
        threshold = self.threshold if threshold is None else threshold
        out = []
        names = {t.name for t in self.tasks}
        for e in staged:
            if e.get("op") not in ("add", "update") or e.get("task") not in names or not e.get("after"):
                continue
            task = self.project.task(e["task"])
            index, version = self.index(task)
            row = rowindex.row_text(task, e["after"])
            key = (index.encoder.name, row)
            if key not in self._staged_emb:  # the row's views, as the index embeds them
                self._staged_emb[key] = index.encoder.encode(rowindex.row_views(task, e["after"]))
            q = embed(index.encoder)
            if self.head is not None:  # the row scored as the index scores its own rows, beside its domain
                views = rowindex.row_views(task, e["after"])
                score = float(rowindex.score_views(
                    self._staged_emb[key], 1, q, text, [answertype.kinds(rowindex.row_value(task, e["after"]))],
                    rowindex.Keywords(views[:1]), domain=index.domain if len(index) else False, head=self.head,
                    key_keywords=rowindex.Keywords(views[1:]))[0])
            else:
                sims = (self._staged_emb[key] @ q)[:rowindex.active_views()]
                sim = max(0.0, float(sims.max()))
                kw = index.keywords.score_text(text, row) if rowindex.KEYWORD_BOOST else 0.0
                # The domain of a task with no rows yet is the staged row itself.
                domain = index.domain_sim(q) if len(index) else max(0.0, float(sims[0]))
                asked = answertype.asks(text)
                kinds = answertype.kinds(rowindex.row_value(task, e["after"])) if asked else set()
                score = rowindex.blend(sim, kw, domain, answertype.situated(text),
                                       float(bool(kinds) and not kinds & asked))
            if score >= threshold:
                rid = e.get("row") or expected_id(task, complete_row(task, e["after"]))  # the id /apply gives it
                out.append(Hit(task.name, rid, rowindex.row_fields(task, e["after"]), score, staged=True,
                               version=version))
        return out

    def answering(self, hits: list[Hit]) -> Hit | None:
        """The row that answers the question with high confidence (the best, at or above `ground`), if any."""
        return hits[0] if hits and hits[0].score >= self.ground else None

    def context(self, hits: list[Hit]) -> str:
        """The rows as notes for the system prompt, one a line."""
        return "\n".join(f"- {h.text(self.project.task(h.task))}" for h in hits)
