"""What rows mean, searchable: every answering task's rows as whole sentences.

Live knowledge compares a question with what a row *says*, not with its key alone: a
qa row is its question and its answer, a fact is its subject, relation and object, a
note (a `text` task) is its text. "How long can I borrow a webcam?" shares nothing with
the key "What does the AV loan desk lend?" but much with the whole row "What does the AV
loan desk lend? Webcams for up to 7 days".

With the learned retriever (chat/ranker.py) the embeddings are its fine-tuned encoder's and a
row's score is its learned head's (chat/rerank.py), which reads the terms below as features.
Without it (LIC_RANKER=0), a row's score for a question (`blend`) is

- **meaning**: the MiniLM cosine of the question and the row, taking the better of two
  views of the row (`row_views`): the whole row, and its key alone;
- plus DOMAIN_WEIGHT (0.15) times the cosine of the question and the task's **domain**
  (the normalized mean of its rows' embeddings): a question that matches one row only
  through its kind ("What day comes after Friday?" against "Which day is the welding bay
  closed? Mondays") is far from what the task is about as a whole, an in-domain paraphrase
  is not, so the same threshold lets fewer general questions in;
- plus SITUATED_LIFT (0.1) when the question speaks of the asker or to the assistant, minus
  KIND_PENALTY (0.1) for a row whose value is not the kind of answer the question asks for
  (lic_cli/chat/answertype.py; chosen on the dev domains with bench/domains/situated.jsonl's
  requests as hard negatives, docs/chat.md);
- plus KEYWORD_BOOST times the **keyword** share: the question's content words the row
  holds, weighted by rarity among the task's rows (idf) and matched with rapidfuzz
  (`webcam` ~ `webcams`). Its weight is 0: on the dev domains (evals/chat/makerspace,
  bench/domains gym and library, docs/chat.md) any weight from 0.03 up found fewer taught
  rows at the same count of general questions let in (a shared rare word lifts a general
  question too: "What is yoga?" against the gym's yoga row). A third view, the value
  alone, did the same ("Mondays" is close to every question about a day), so it is not
  indexed.

A row taught in chat is read with the sentence it was taught with (chat/taught.py, session 12): its
whole view is the row followed by that sentence, so a qualifier extraction dropped is still searched.

The index of a task is built once per dataset version and cached under
$LIC_HOME/cache/rows/<task>-<tag>/ (tag: the config and the content hash), as locate's
key index is: a new version embeds only the row texts and keys the newest cached version
of the task did not have (an apply of one row embeds its text and its key). Rows are read back from the
cache, so a search never reads the dataset. Datasets above locate's MiniLM limit embed
with its static model (lic_cli/locate/index.py `choose_encoder`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lic_cli import progress
from lic_cli.chat import answertype, taught
from lic_cli.locate.index import choose_encoder, key_hashes, previous_build
from lic_cli.models import cache_dir
from lic_cli.models.judge import STOP_WORDS, tokens
from lic_cli.store.formats import read_rows
from lic_cli.store.rows import RowIds, file_hash
from lic_cli.tasks import Project, Task

if TYPE_CHECKING:
    import numpy as np

FORMAT = 2
VIEWS = 3  # a row is embedded up to three ways: whole, key alone, the questions it answers (row_views)
# The third view (chat/queries.py, session 11) is opt-in: measured on dev it did not raise the combined
# retriever (docs/chat.md "Session 11"). "base": the blend reads it (not the learned head); "1": both.
QUESTION_ENV = "LIC_QUESTION_VIEW"
NOT_ANSWERS = ("label", "extraction", "span")  # formats whose rows do not answer questions
DOMAIN_WEIGHT = 0.15  # weight of the question's cosine with the task's domain (chosen on the dev domains, docs/chat.md)
KEYWORD_BOOST = 0.0  # weight of the keyword share: 0, measured on the dev domains (module docstring)
SITUATED_LIFT = 0.1  # added for a question that speaks of the asker or to the assistant (chosen on dev, docs/chat.md)
KIND_PENALTY = 0.1  # taken off a row whose value is not of the kind the question asks for (chosen on dev)
WORD_MATCH = 85  # rapidfuzz ratio at or above which two words are the same word
_PUNCT = re.compile(r"\s+")


def question_view() -> str:
    """Where the third view (the questions a row answers, chat/queries.py) is read: "on" (the blend
    and the learned head's features), "base" (the blend only), "off"."""
    v = os.environ.get(QUESTION_ENV, "0").strip().lower()
    return "off" if v in ("", "0", "no", "off", "false") else "base" if v == "base" else "on"


def indexed_views() -> int:
    """How many views of each row are embedded (the question view only when it is read)."""
    return VIEWS if question_view() != "off" else 2


def active_views() -> int:
    """How many of a row's VIEWS the blend reads (the better of them is a row's meaning)."""
    return VIEWS if question_view() != "off" else 2


def head_views() -> int:
    """How many of a row's VIEWS the learned head's features read (chat/rerank.py)."""
    return VIEWS if question_view() == "on" else 2


def answers_questions(task: Task) -> bool:
    return task.format not in NOT_ANSWERS


def _text(value: Any) -> str:
    return _PUNCT.sub(" ", str(value)).strip() if value not in (None, "") else ""


def row_fields(task: Task, row: dict[str, Any]) -> dict[str, Any]:
    """The row's key and value columns (what a hit carries and the transcript's reader needs)."""
    cols = [task.column(f) for f in task.key_fields + task.value_fields]
    return {c: row.get(c) for c in cols if c in row}


def row_text(task: Task, row: dict[str, Any]) -> str:
    """The row as one sentence: question and answer, subject relation object, or the note; a row
    taught in chat is followed by the sentence it was taught with (chat/taught.py, LIC_TAUGHT)."""
    parts = [_text(row.get(task.column(f))) for f in task.key_fields + task.value_fields]
    said = taught.sentence(row)
    if said:
        parts.append(f"({_text(said)})")
    return " ".join(p for p in parts if p)


def row_value(task: Task, row: dict[str, Any]) -> str:
    """What the row answers with: its value columns (a note without them: its text)."""
    value = " ".join(p for p in (_text(row.get(task.column(f))) for f in task.value_fields) if p)
    return value or row_text(task, row)


def row_key(task: Task, row: dict[str, Any]) -> str:
    """What the row is about (its key columns); a note's text."""
    return " ".join(p for p in (_text(row.get(task.column(f))) for f in task.key_fields) if p) or row_text(task, row)


def row_question(task: Task, row: dict[str, Any]) -> str | None:
    """What the row is about (its key), when it has a separate value; restating it is not answering."""
    if not any(_text(row.get(task.column(f))) for f in task.value_fields):
        return None
    return " ".join(p for p in (_text(row.get(task.column(f))) for f in task.key_fields) if p) or None


# --- keywords -------------------------------------------------------------------------------


def stem(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word[:6]


def content_words(text: str) -> list[str]:
    """The words that carry meaning: not stop words, at least 3 letters or holding a digit."""
    out = []
    for t in tokens(text):
        t = t.strip("'")
        if t and t not in STOP_WORDS and (len(t) >= 3 or any(c.isdigit() for c in t)):
            out.append(t)
    return out


class Keywords:
    """Rows by content word, with idf weights; words match by stem or by rapidfuzz ratio."""

    def __init__(self, texts: list[str]) -> None:
        self.n = len(texts)
        postings: dict[str, set[int]] = defaultdict(set)
        for i, text in enumerate(texts):
            for w in content_words(text):
                postings[w].add(i)
        self.postings = dict(postings)
        self.vocab = list(self.postings)
        self.by_stem: dict[str, list[str]] = defaultdict(list)
        for w in self.vocab:
            self.by_stem[stem(w)].append(w)

    def idf(self, df: int) -> float:
        return math.log((self.n + 1) / (df + 0.5)) + 1.0

    def matches(self, word: str) -> list[str]:
        """Vocabulary words that are this word (same stem, or a close spelling)."""
        from rapidfuzz import fuzz, process

        found = set(self.by_stem.get(stem(word), ()))
        if len(word) >= 4 and not any(c.isdigit() for c in word):
            found.update(w for w, _, _ in process.extract(word, self.vocab, scorer=fuzz.ratio,
                                                          score_cutoff=WORD_MATCH, limit=None))
        return list(found)

    def query(self, text: str) -> tuple[list[tuple[float, set[int], set[str]]], float]:
        """Per content word of `text`: (weight, the rows holding it, the words it matched); and the total weight."""
        parts, total = [], 0.0
        for word in dict.fromkeys(content_words(text)):
            words = self.matches(word)
            rows: set[int] = set().union(*(self.postings[w] for w in words)) if words else set()
            weight = self.idf(len(rows))
            parts.append((weight, rows, {stem(w) for w in words} | {stem(word)}))
            total += weight
        return parts, total

    def scores(self, text: str) -> dict[int, float]:
        """Row -> share of the question's weighted content words it holds (rows holding none left out)."""
        parts, total = self.query(text)
        out: dict[int, float] = defaultdict(float)
        for weight, rows, _ in parts:
            for i in rows:
                out[i] += weight / total
        return dict(out)

    def score_text(self, text: str, row: str) -> float:
        """The same share for a text outside the index (a staged row), with the index's weights."""
        parts, total = self.query(text)
        if not total:
            return 0.0
        have = {stem(w) for w in content_words(row)}
        return sum(weight for weight, _, stems in parts if stems & have) / total


# --- the index ------------------------------------------------------------------------------


@dataclass
class RowIndex:
    task: Task
    digest: str
    ids: list[str]
    texts: list[str]
    fields: list[dict[str, Any]]
    emb: np.ndarray  # (views * rows, dim): the row texts, then the keys (then the questions they answer)
    encoder: Any
    keywords: Keywords
    manifest: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @functools.cached_property
    def domain(self) -> np.ndarray | None:
        """What the task is about as a whole: the normalized mean of its rows' embeddings (None: no rows)."""
        return domain_of(self.emb, len(self))

    def scores(self, q, text: str, head: Any = None) -> np.ndarray:
        """The score of every row for a question (its embedding `q` and its text): the blend, or
        the learned head's (chat/rerank.py) when one is given."""
        return score_views(self.emb, len(self), q, text, self.value_kinds, self.keywords, domain=self.domain,
                           head=head, key_keywords=self.key_keywords if head is not None else None)

    @functools.cached_property
    def key_keywords(self) -> Keywords:
        """The keyword index of the rows' keys (the learned head reads both)."""
        keys = [row_key(self.task, f) for f in self.fields] if self.task is not None else self.texts
        return Keywords(keys)

    @functools.cached_property
    def value_kinds(self) -> list[set[str]]:
        """What kind each row's value is (a price, a time, a person: lic_cli/chat/answertype.py)."""
        if self.task is None:
            return [set() for _ in self.ids]
        return [answertype.kinds(row_value(self.task, f)) for f in self.fields]

    def domain_sim(self, q) -> float:
        """The question's cosine with the task's domain (0 with no rows)."""
        return max(0.0, float(self.domain @ q)) if self.domain is not None else 0.0


def domain_of(emb: np.ndarray, n: int) -> np.ndarray | None:
    """What a task is about as a whole: the normalized mean of its rows' (whole) embeddings."""
    import numpy as np

    if not n:
        return None
    mean = emb[:n].mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm > 0 else None


def score_views(emb: np.ndarray, n: int, q, text: str, value_kinds: list[set[str]],
                keywords: Keywords | None = None, *, domain: np.ndarray | None | bool = False,
                head: Any = None, key_keywords: Keywords | None = None) -> np.ndarray:
    """The score of each of `n` rows (their VIEWS embedded in `emb`, view by view) for a
    question: the blend, or with `head` the learned head's (chat/rerank.py; it reads the
    keyword shares of `keywords` (whole rows) and `key_keywords`). The row index's scoring,
    also used to calibrate the learned ranker (chat/ranker.py)."""
    import numpy as np

    if domain is False:
        domain = domain_of(emb, n)
    if head is not None:
        from lic_cli.chat import rerank

        kw_whole = rerank.keyword_shares(keywords, text, n) if keywords is not None else np.zeros(n, np.float32)
        kw_key = rerank.keyword_shares(key_keywords, text, n) if key_keywords is not None else np.zeros(n, np.float32)
        return head.score(rerank.features(emb, n, q, text, value_kinds, kw_whole, kw_key, domain))
    views = np.asarray(emb @ q, dtype=np.float32).reshape(-1, n)[:active_views()]
    sims = views.max(axis=0)  # the better view: the whole row, its key alone, the questions it answers
    kw = np.zeros(n, dtype=np.float32)
    if KEYWORD_BOOST and keywords is not None:
        for i, s in keywords.scores(text).items():
            kw[i] = s
    asked = answertype.asks(text)
    mismatch = np.zeros(n, dtype=np.float32)
    if asked and KIND_PENALTY:
        for i, kinds in enumerate(value_kinds):
            mismatch[i] = bool(kinds) and not kinds & asked
    dom = max(0.0, float(domain @ q)) if domain is not None else 0.0
    return blend(np.clip(sims, 0.0, 1.0), kw, dom, answertype.situated(text), mismatch)


def blend(sim, kw, domain: float, situated: bool = False, mismatch=0.0):
    """The score: the row's meaning, lifted by how close the question is to the task's domain and
    when it speaks of the asker; lowered when the row's value is not the kind of answer asked for."""
    return sim + DOMAIN_WEIGHT * domain + KEYWORD_BOOST * kw + SITUATED_LIFT * situated - KIND_PENALTY * mismatch


def _config(task: Task, model: str) -> str:
    views = f"|views{indexed_views()}" if indexed_views() != 2 else ""  # session 10's caches hold 2
    return f"{FORMAT}|{model}|{task.format}|{sorted(task.columns.items())}|{task.key}|{task.id_column}{views}"


def row_views(task: Task, row: dict[str, Any]) -> list[str]:
    """What a row is embedded as, in VIEWS order: the whole row, its key alone, the questions it
    answers (chat/queries.py; a note without a separate value: its text again)."""
    from lic_cli.chat import queries

    question = row_question(task, row)
    asked = queries.view(question, row_value(task, row)) if question else ""
    return [row_text(task, row), row_key(task, row), asked or row_text(task, row)][:indexed_views()]


def _scan(project: Project, task: Task) -> tuple[list[str], list[str], list[str], list[dict[str, Any]]]:
    """Row ids, row texts, every view of every row (view by view), row fields."""
    ids, fields = [], []
    views: list[list[str]] = [[] for _ in range(indexed_views())]
    assign = RowIds(task)
    said = taught.load(project, task.name) if taught.mode() != "off" else {}
    for _, row in read_rows(project.dataset_path(task), task.dataset):
        ids.append(assign(row))
        got = row_fields(task, row)
        if ids[-1] in said:  # the row's own words: its whole view reads them (chat/taught.py)
            got[taught.FIELD] = said[ids[-1]]
        for v, text in zip(views, row_views(task, got), strict=True):
            v.append(text)
        fields.append(got)
    return ids, views[0], [t for v in views for t in v], fields


def _embed(texts: list[str], hashes, enc, prev: Path | None, dim: int):
    """Embeddings of every text (row texts and keys); those the previous version had are copied."""
    import numpy as np

    out = np.zeros((len(texts), dim), dtype=np.float32)
    todo = list(range(len(texts)))
    if prev is not None:
        try:
            old_h = np.load(prev / "hash.npy")
            old_emb = np.load(prev / "emb.npy", mmap_mode="r")
        except (OSError, ValueError):
            old_h = None
        if old_h is not None and old_emb.shape[1] == dim:
            where = {int(h): i for i, h in enumerate(old_h)}
            todo = []
            for i, h in enumerate(hashes):
                j = where.get(int(h))
                if j is None:
                    todo.append(i)
                else:
                    out[i] = old_emb[j]
    if todo:
        out[todo] = enc.encode([texts[i] for i in todo])
    return out, len(todo)


def build(project: Project, task: Task, encoder, digest: str) -> RowIndex:
    import numpy as np

    tag = hashlib.sha256(f"{_config(task, encoder.name)}|{digest}".encode()).hexdigest()[:16]
    cache = cache_dir("rows") / f"{task.name}-{tag}"
    if not (cache / "manifest.json").is_file():
        ids, texts, views, fields = _scan(project, task)
        enc = choose_encoder(len(texts), encoder)
        config = _config(task, enc.name)
        hashes = key_hashes(views)
        emb, embedded = _embed(views, hashes, enc, previous_build(task, config, cache, kind="rows"), enc.dim)
        tmp = cache.with_name(f"{cache.name}.tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        np.save(tmp / "emb.npy", emb)
        np.save(tmp / "hash.npy", hashes)
        (tmp / "meta.json").write_text(json.dumps({"ids": ids, "texts": texts, "fields": fields},
                                                  ensure_ascii=False), encoding="utf-8")
        manifest = {"format": FORMAT, "dataset": task.dataset, "hash": digest, "config": config, "model": enc.name,
                    "rows": len(ids), "embedded": embedded, "reused": len(views) - embedded}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")  # written last
        try:
            os.replace(tmp, cache)
        except OSError:  # another process won the race; its copy is identical
            shutil.rmtree(tmp, ignore_errors=True)
    manifest = json.loads((cache / "manifest.json").read_text(encoding="utf-8"))
    meta = json.loads((cache / "meta.json").read_text(encoding="utf-8"))
    return RowIndex(task, digest, meta["ids"], meta["texts"], meta["fields"], np.load(cache / "emb.npy"),
                    choose_encoder(manifest["rows"], encoder), Keywords(meta["texts"]), manifest)


_MEMO: dict[tuple[str, str, str, str], RowIndex] = {}


def load(project: Project, task: Task, encoder) -> RowIndex:
    """The row index of a task's current dataset version (memoized per process)."""
    digest = file_hash(project.dataset_path(task))
    said = taught.digest(project, task.name)
    if said:  # the taught sentences are part of what is indexed
        digest = f"{digest}|taught{said}"
    key = (str(project.root), task.name, digest, encoder.name)
    if key not in _MEMO:
        with progress.Progress(f"indexing {task.name} for chat retrieval"):
            _MEMO[key] = build(project, task, encoder, digest)
    return _MEMO[key]


class Rows:
    """Rows held in memory, (whole, key, value) each, scored as a task's index scores them: what
    the learned ranker trains and calibrates on (chat/ranker.py) and the benches measure."""

    def __init__(self, rows: list[tuple[str, str, str]], encode) -> None:
        from lic_cli.chat import queries

        self.n = len(rows)
        asked = [queries.view(r[1], r[2]) or r[0] for r in rows] if indexed_views() > 2 else []
        self.emb = encode([r[0] for r in rows] + [r[1] for r in rows] + asked)
        self.domain = domain_of(self.emb, self.n)
        self.kinds = [answertype.kinds(r[2]) for r in rows]
        self.keywords = Keywords([r[0] for r in rows])
        self.key_keywords = Keywords([r[1] for r in rows])

    def scores(self, q, text: str, head: Any = None) -> np.ndarray:
        return score_views(self.emb, self.n, q, text, self.kinds, self.keywords, domain=self.domain, head=head,
                           key_keywords=self.key_keywords)

    def features(self, q, text: str) -> np.ndarray:
        from lic_cli.chat import rerank

        return rerank.features(self.emb, self.n, q, text, self.kinds,
                               rerank.keyword_shares(self.keywords, text, self.n),
                               rerank.keyword_shares(self.key_keywords, text, self.n), self.domain)
