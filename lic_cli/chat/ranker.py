"""Chat's learned retriever: the packaged MiniLM fine-tuned to put a question next to the row
that answers it, trained on the user's machine from data shipped in the package.

The packaged MiniLM reads what a sentence is about, so "My dog ate chocolate, who do I call
right now?" is far from "What is the emergency line number? 555-0142": they share no words
and little topic. Fine-tuned as a bi-encoder on (question paraphrase <-> row) pairs from many
domains, with every other row of the same domain as a negative, it learns what kinds of
questions a kind of row answers ("who do I call" <-> a number, "how early can I drop off"
<-> an opening time), in any domain. Chat's row index (lic_cli/chat/rowindex.py) then embeds
rows and questions with it instead of the base model; the blend around the cosine (domain,
situated, kind of value) is unchanged.

Training data (docs/chat.md, "Learned retriever"):

- lic_cli/data/retrieval/<domain>.jsonl: invented domains written for this, each fact a
  question, its answer, 2-3 paraphrases written apart from it and (some) a fact triple;
  DEV_DOMAINS among them are held out whole (tuning and the threshold's calibration);
- lic_cli/data/retrieval_seed.jsonl: the five domains of bench/domains, in the same schema;
- lic_cli/data/teaching.jsonl, train split: a domain's qa question paired with its fact row
  of the same value (the question <-> "subject relation object" gap that rows taught
  through chat have).

The evaluation domains (evals/chat makerspace, vetclinic, campusit; the demo, Kestrel) are
never read here.

**When it trains.** By `lic models --ranker` (or on chat's first use with LIC_RANKER_TRAIN=1);
2-3 minutes on 2 cores (161.6 s measured under load 1.8), with progress lines on stderr. Once
trained, chat uses it. The folder is cached under $LIC_HOME/cache/ranker/, keyed by the data,
this code's version and the settings, so a new lic version or new data trains again (and chat
keeps the base model until it is trained again). LIC_RANKER=0 keeps retrieval on the base model
always (tests/conftest.py sets it).

Training also shows it general requests (the corpus's train-split CLINC150 requests) whose
right answer is "no row", against a learned cosine every row must beat: the model learns
where a domain ends, not only how to order its rows.

**Its threshold** is calibrated when it is trained: the least score at which at most
Settings.let_in of the general questions never trained on (lic_cli/data/retrieval_probes.jsonl,
the 140 probes the base model's threshold was chosen with) reach a row of any DEV_DOMAINS
setup (its qa rows; its fact rows). The base model keeps retrieve.THRESHOLD.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import shutil
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lic_cli import progress
from lic_cli.data import TEACHING, teaching_rows
from lic_cli.errors import InputError

CODE_VERSION = "1"  # bump when training or calibration changes what a trained folder holds
TRAIN_ENV = "LIC_RANKER_TRAIN"  # "1": train on chat's first use (default: only `lic models --ranker` trains it)
USE_ENV = "LIC_RANKER"  # "0": retrieval on the base model, trained or not
BASE = "minilm"
DATA = TEACHING.parent
RETRIEVAL = DATA / "retrieval"
SEED = DATA / "retrieval_seed.jsonl"
PROBES = DATA / "retrieval_probes.jsonl"
# Held out whole from training: the threshold is calibrated and the settings tuned on them.
# Chosen before any measurement, by the hash of the name (sha1 % 4 == 0: six domains of the
# first fourteen; the four smallest hashes kept).
DEV_DOMAINS = ("solar", "bikerental", "escaperoom", "plumbing")
# Evaluation domains: never trained on, whatever files hold them.
NEVER = frozenset({"makerspace", "vetclinic", "campusit", "kestrel"})
FIRST_USE_SECONDS = 160  # measured: 161.6 s on 2 cores under load 1.8 (docs/chat.md)


@dataclass(frozen=True)
class Settings:
    """How the ranker is trained and calibrated (chosen on DEV_DOMAINS and makerspace, docs/chat.md)."""

    epochs: int = 1
    batch: int = 32  # questions per step; the step's candidates are every row of the domain
    lr: float = 1e-4
    warmup: float = 0.1  # share of the steps with a rising learning rate
    scale: float = 20.0  # cosine -> logit
    max_len: int = 64
    seed: int = 0
    max_steps: int = 0  # stop after this many steps (0: every step of every epoch; tests train a few)
    freeze: int = 0  # the embeddings and this many bottom layers stay as they are (0: all train)
    max_docs: int = 64  # candidate rows per step (a domain's positives first, then others at random)
    key_pairs: bool = True  # also pair each paraphrase with the row's key alone (its question)
    teaching: bool = True  # add the corpus's question <-> fact-row pairs
    nulls: int = 8  # general requests added to each step, whose right answer is "no row" (0: none)
    null_init: float = 0.5  # the learned "no row" cosine each question's rows compete with, at the start
    head: bool = True  # score with the learned head over the row index's features (chat/rerank.py)
    head_hidden: int = 16
    head_steps: int = 300
    let_in: int = 1  # probes one calibration setup may let in (of 140: session 7's rule for the base model)


DEFAULT = Settings()


@dataclass(frozen=True)
class Item:
    """One fact of a domain: its rows (qa, and fact when given) and the questions that ask for it."""

    domain: str
    id: str
    question: str
    answer: str
    paraphrases: tuple[str, ...]
    fact: tuple[str, str, str] | None = None

    def rows(self) -> list[str]:
        """The item's rows as chat's row index reads them whole: the qa row, the fact row."""
        out = [f"{self.question} {self.answer}"]
        if self.fact:
            out.append(" ".join(self.fact))
        return out

    def keys(self) -> list[str]:
        """The rows' keys (chat's second view of a row): the question, subject and relation."""
        out = [self.question]
        if self.fact:
            out.append(f"{self.fact[0]} {self.fact[1]}")
        return out


def _str(row: dict, name: str, source: str, line: int) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError("expected a non-empty string", source=source, line=line, field=name)
    return value.strip()


def read_items(path: Path) -> list[Item]:
    """A retrieval data file: id, question, answer, paraphrases, optional domain and fact."""
    from lic_cli.jsonl import read_jsonl_file

    out = []
    for line, row in read_jsonl_file(path):
        source = os.fspath(path)
        paras = row.get("paraphrases")
        if not isinstance(paras, list) or not paras or not all(isinstance(p, str) and p.strip() for p in paras):
            raise InputError("expected a list of non-empty strings", source=source, line=line, field="paraphrases")
        fact = row.get("fact")
        triple = None
        if fact is not None:
            if not isinstance(fact, dict):
                raise InputError("expected {subject, relation, object}", source=source, line=line, field="fact")
            triple = tuple(_str(fact, k, source, line) for k in ("subject", "relation", "object"))
        domain = row.get("domain") or path.stem
        out.append(Item(str(domain), _str(row, "id", source, line), _str(row, "question", source, line),
                        _str(row, "answer", source, line), tuple(p.strip() for p in paras), triple))  # type: ignore[arg-type]
    return out


def data_files() -> list[Path]:
    return sorted(RETRIEVAL.glob("*.jsonl")) + [SEED]


def all_items() -> list[Item]:
    """Every item of the packaged retrieval data (evaluation domains left out)."""
    return [i for p in data_files() if p.is_file() for i in read_items(p) if i.domain not in NEVER]


def split_items(items: list[Item]) -> tuple[list[Item], list[Item]]:
    """(train, dev): DEV_DOMAINS are held out whole."""
    return [i for i in items if i.domain not in DEV_DOMAINS], [i for i in items if i.domain in DEV_DOMAINS]


def teaching_items() -> list[Item]:
    """The corpus's train domains: a qa question and the fact row with the same value, as an item."""
    qa: dict[tuple[str, str], set[str]] = defaultdict(set)
    facts: dict[tuple[str, str], set[tuple[str, str, str]]] = defaultdict(set)
    for _, row in teaching_rows():
        if row.get("split") != "train" or row.get("domain") in NEVER:
            continue
        for k in row.get("knowledge") or ():
            if k.get("kind") == "qa" and k.get("question") and k.get("answer"):
                qa[(row["domain"], str(k["answer"]).lower())].add(str(k["question"]))
            elif k.get("kind") == "fact" and all(k.get(f) for f in ("subject", "relation", "object")):
                facts[(row["domain"], str(k["object"]).lower())].add(
                    (str(k["subject"]), str(k["relation"]), str(k["object"])))
    out = []
    for (domain, value), questions in sorted(qa.items()):
        for n, triple in enumerate(sorted(facts.get((domain, value), ()))):
            q = sorted(questions)[0]
            out.append(Item(f"teaching:{domain}", f"{domain}:{value}:{n}", q, triple[2], (q,), triple))
    return out


def _requests(split: str) -> list[str]:
    """The corpus's general requests (CLINC150's train split, its intents divided between the corpus's splits)."""
    return [str(r["text"]) for _, r in teaching_rows() if r.get("split") == split and r.get("form") == "neg_clinc"]


def null_questions() -> list[str]:
    """Training's general requests, whose right answer is no row: the corpus's train split."""
    return _requests("train")


def probe_questions() -> list[str]:
    """General questions that no domain's rows answer, never trained on: the calibration's
    negatives (retrieval_probes.jsonl: the probes session 7 chose the base model's threshold with)."""
    from lic_cli.jsonl import read_jsonl_file

    return [str(r["question"]) for _, r in read_jsonl_file(PROBES)]


# --- pairs and batches ----------------------------------------------------------------------


@dataclass
class Group:
    """One domain's candidates (every row text) and its (question, positive rows) pairs."""

    docs: list[str] = field(default_factory=list)
    pairs: list[tuple[str, frozenset[int]]] = field(default_factory=list)


def groups(items: list[Item], settings: Settings) -> dict[str, Group]:
    """Per domain: every row (and key, with key_pairs) is a candidate; each paraphrase's positives
    are its item's rows (and key); the item's own question is paired with its fact row."""
    out: dict[str, Group] = defaultdict(Group)
    for it in items:
        g = out[it.domain]
        texts = it.rows() + (it.keys() if settings.key_pairs else [])
        idx = []
        for t in texts:
            if t not in g.docs:
                g.docs.append(t)
            idx.append(g.docs.index(t))
        pos = frozenset(idx)
        for p in it.paraphrases:
            if p != it.question:
                g.pairs.append((p, pos))
        if it.fact:  # the question itself <-> the fact row (the gap a taught fact row has)
            g.pairs.append((it.question, frozenset([g.docs.index(it.rows()[1])])))
    return dict(out)


def batches(gs: dict[str, Group], settings: Settings, rng: random.Random) -> list[tuple[str, list[int]]]:
    """(domain, pair indexes) per step: questions of one domain at a time, shuffled."""
    out = []
    for name in sorted(gs):
        order = list(range(len(gs[name].pairs)))
        rng.shuffle(order)
        out += [(name, order[i:i + settings.batch]) for i in range(0, len(order), settings.batch)]
    rng.shuffle(out)
    return out


# --- training -------------------------------------------------------------------------------


def fingerprint(settings: Settings) -> str:
    """What a trained folder depends on: the data, this code's version, the settings, the base model."""
    from lic_cli.models import packaged_path
    from lic_cli.store.rows import cached_file_hash

    h = hashlib.sha256(f"{CODE_VERSION}|{sorted(asdict(settings).items())}|{DEV_DOMAINS}".encode())
    for p in data_files() + [TEACHING, PROBES]:
        if p.is_file():
            h.update(p.name.encode())
            h.update(bytes.fromhex(cached_file_hash(p).removeprefix("sha256:")))  # read once per process
    base = packaged_path(BASE) / "model.safetensors"
    h.update(f"{base.stat().st_size}".encode())
    return h.hexdigest()


def folder(settings: Settings) -> Path:
    from lic_cli.models import cache_dir

    return cache_dir("ranker") / f"{BASE}-{fingerprint(settings)[:16]}"


def _mean_pool(model, tok, texts: list[str], max_len: int):
    import torch

    batch = tok(texts, padding=True, truncation=True, max_length=max_len, return_tensors="pt")
    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)


def train(items: list[Item], settings: Settings, out: Path, *, nulls: list[str] = (),
          note: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """Fine-tune the base model on `items` into the folder `out` (a sentence-transformers folder).

    Each step holds one domain's questions against every row of that domain (the rows a
    question is about are right, the others wrong) and `settings.nulls` general requests
    (`nulls`) whose right answer is no row: a learned "no row" cosine competes with the rows
    of every question, so the model learns to keep general questions below the rows a
    paraphrase asks about, not only to order a domain's rows."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from lic_cli.models import offline, packaged_path, quiet_loading

    offline()
    quiet_loading()
    torch.manual_seed(settings.seed)
    from lic_cli.models.runtime import cpu_threads

    torch.set_num_threads(cpu_threads())
    base = packaged_path(BASE)
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base)
    model.train()
    if settings.freeze:
        for part in [model.embeddings, *model.encoder.layer[:settings.freeze]]:
            for w in part.parameters():
                w.requires_grad_(False)
    gs = groups(items, settings)
    rng = random.Random(settings.seed)
    plan = [b for _ in range(settings.epochs) for b in batches(gs, settings, rng)]
    if settings.max_steps:
        plan = plan[:settings.max_steps]
    none = torch.nn.Parameter(torch.tensor(float(settings.null_init)))
    opt = torch.optim.AdamW([{"params": [w for w in model.parameters() if w.requires_grad]},
                             {"params": [none], "weight_decay": 0.0, "lr": settings.lr * 100}],
                            lr=settings.lr, weight_decay=0.01)
    pool = list(nulls) if settings.nulls else []
    warm = max(1, int(len(plan) * settings.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (len(plan) - s) / max(1, len(plan) - warm)))
    t0 = time.perf_counter()
    losses = []
    for step, (name, idx) in enumerate(plan, 1):
        g = gs[name]
        general = rng.sample(pool, min(settings.nulls, len(pool))) if pool else []
        queries = [g.pairs[i][0] for i in idx] + general
        q = _mean_pool(model, tok, queries, settings.max_len)
        docs = _candidates(g, idx, settings.max_docs, rng)
        keep = {j: n for n, j in enumerate(docs)}
        d = _mean_pool(model, tok, [g.docs[j] for j in docs], settings.max_len)
        # The last column is "no row": right for the general requests, wrong for the paraphrases.
        logits = settings.scale * torch.cat([q @ d.T, none.expand(len(queries), 1)], dim=1)
        # Any of the item's rows (and its key) is a right answer: the loss is the log of the
        # softmax mass on them, against every other row of the domain.
        positive = torch.zeros_like(logits, dtype=torch.bool)
        for r, i in enumerate(idx):
            positive[r, [keep[j] for j in g.pairs[i][1]]] = True
        positive[len(idx):, -1] = True
        loss = (torch.logsumexp(logits, dim=1)
                - torch.logsumexp(logits.masked_fill(~positive, float("-inf")), dim=1)).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(float(loss.detach()))
        if step % 5 == 0 or step == len(plan):
            note(f"step {step} of {len(plan)}, loss {sum(losses[-5:]) / len(losses[-5:]):.3f}")
    seconds = time.perf_counter() - t0
    model.eval()
    _save(model, base, out)
    return {"steps": len(plan), "pairs": sum(len(g.pairs) for g in gs.values()), "domains": len(gs),
            "nulls": len(pool), "no_row_cosine": round(float(none.detach()), 4),
            "train_seconds": round(seconds, 1), "loss_first": round(losses[0], 4) if losses else None,
            "loss_last": round(sum(losses[-5:]) / max(1, len(losses[-5:])), 4)}


def _candidates(g: Group, idx: list[int], most: int, rng: random.Random) -> list[int]:
    """The step's candidate rows: every positive of its questions, then other rows of the domain
    at random up to `most` (all of them in a domain of ~30 facts)."""
    need = sorted({j for i in idx for j in g.pairs[i][1]})
    rest = [j for j in range(len(g.docs)) if j not in set(need)]
    rng.shuffle(rest)
    return need + rest[:max(0, most - len(need))]


def _save(model, base: Path, out: Path) -> None:
    """A sentence-transformers folder: the base's files (tokenizer, pooling) and the new weights."""
    out.mkdir(parents=True, exist_ok=True)
    for p in base.iterdir():
        if p.name in ("model.safetensors", "pytorch_model.bin", "config.json", "README.md") or p.name.endswith(".onnx"):
            continue
        if p.is_dir():
            shutil.copytree(p, out / p.name, dirs_exist_ok=True)
        else:
            shutil.copy2(p, out / p.name)
    model.save_pretrained(out, safe_serialization=True)


# --- the head and the calibration ----------------------------------------------------------


Setup = tuple[str, list[tuple[str, str, str]], list[tuple[str, int]]]


def setups(items: list[Item]) -> list[Setup]:
    """Per domain, the tasks a taught domain has, (name, [(whole, key, value)], [(question, its row)]):
    its qa rows; its fact rows (the items with a triple)."""
    by: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by[it.domain].append(it)
    out: list[Setup] = []
    for d, its in sorted(by.items()):
        out.append((f"{d}/qa", [(f"{i.question} {i.answer}", i.question, i.answer) for i in its],
                    [(p, n) for n, i in enumerate(its) for p in i.paraphrases]))
        facts = [i for i in its if i.fact]
        if facts:
            out.append((f"{d}/facts", [(" ".join(i.fact), f"{i.fact[0]} {i.fact[1]}", i.fact[2]) for i in facts],
                        [(p, n) for n, i in enumerate(facts) for p in (*i.paraphrases, i.question)]))
    return out


def fit_head(encode: Callable[[list[str]], Any], items: list[Item], nulls: list[str], settings: Settings):
    """The learned head (chat/rerank.py) over the features of every training question against its
    setup's rows (the right row its target), and of the general requests against a setup drawn at
    random (no row their target)."""
    from lic_cli.chat import rerank, rowindex

    samples = []
    built = []
    for _, rows, asks in setups(items):
        table = rowindex.Rows(rows, encode)
        built.append(table)
        q = encode([p for p, _ in asks])
        samples += [(table.features(q[k], p), gold) for k, (p, gold) in enumerate(asks)]
    rng = random.Random(settings.seed)
    general = encode(nulls)
    samples += [(rng.choice(built).features(general[k], p), -1) for k, p in enumerate(nulls)]
    return rerank.train_head(samples, hidden=settings.head_hidden, steps=settings.head_steps, seed=settings.seed)


def best_scores(encode: Callable[[list[str]], Any], rows: list[tuple[str, str, str]], questions: list[str],
                head: Any = None):
    """(best score, best row) of each question against one task's rows, scored as chat's row index scores."""
    import numpy as np

    from lic_cli.chat import rowindex

    table = rowindex.Rows(rows, encode)
    q = encode(questions)
    out = np.zeros(len(questions), dtype=np.float32)
    arg = np.zeros(len(questions), dtype=np.int64)
    for i, text in enumerate(questions):
        s = table.scores(q[i], text, head)
        arg[i] = int(s.argmax())
        out[i] = float(s[arg[i]])
    return out, arg


def calibrate(encode: Callable[[list[str]], Any], dev: list[Item], probes: list[str],
              let: int, head: Any = None) -> dict[str, Any]:
    """The least threshold at which at most `let` of the probes reach any dev setup's rows,
    and what it finds there (dev paraphrases whose own row ranks first at or above it)."""
    import numpy as np

    encode = _memo(encode)
    per = {}
    highest = -1e9
    found = total = 0
    firsts = []
    for name, rows, asks in setups(dev):
        scores, _ = best_scores(encode, rows, probes, head)
        top = float(np.sort(scores)[::-1][let]) if len(scores) > let else 0.0
        per[name] = round(top, 4)
        highest = max(highest, top)
        scores, arg = best_scores(encode, rows, [p for p, _ in asks], head)
        firsts += [float(s) for s, a, (_, g) in zip(scores, arg, asks, strict=True) if a == g]
        total += len(asks)
    threshold = round(highest + 1e-4, 4)
    found = sum(1 for s in firsts if s >= threshold)
    return {"threshold": threshold, "probes": len(probes), "let_in_per_setup": let, "probe_top": per,
            "dev_found": found, "dev_questions": total}


def _memo(encode: Callable[[list[str]], Any]) -> Callable[[list[str]], Any]:
    """`encode`, each text embedded once."""
    import numpy as np

    seen: dict[str, Any] = {}

    def cached_encode(texts: list[str]):
        todo = [t for t in dict.fromkeys(texts) if t not in seen]
        if todo:
            seen.update(zip(todo, encode(todo), strict=True))
        return np.stack([seen[t] for t in texts]) if texts else encode([])

    return cached_encode


# --- the trained ranker ---------------------------------------------------------------------


@dataclass
class Ranker:
    folder: Path
    meta: dict[str, Any]

    @property
    def threshold(self) -> float:
        return float(self.meta["calibration"]["threshold"])

    @property
    def name(self) -> str:
        return f"ranker:{BASE}-{self.folder.name.rsplit('-', 1)[-1]}"

    def encoder(self):
        from lic_cli.models import load_encoder

        return load_encoder(str(self.folder))

    @functools.cached_property
    def head(self):
        """The learned head (chat/rerank.py), or None: the blend scores the fine-tuned cosines."""
        from lic_cli.chat.rerank import Head

        path = self.folder / "head.npz"
        return Head.load(path) if path.is_file() else None


def cached(settings: Settings | None = None, path: Path | None = None) -> Ranker | None:
    """The trained ranker for the current data and code (or in `path`), if it has been trained."""
    path = path or folder(settings or DEFAULT)
    meta = path / "ranker.json"
    if not meta.is_file():
        return None
    try:
        return Ranker(path, json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def train_on_first_use() -> bool:
    # Opt-in: on held-out domains the ranker has not yet paid for its 2-3 minutes of first-use
    # training (docs/chat.md, session 8), so chat trains it only when asked.
    return os.environ.get(TRAIN_ENV, "0").strip().lower() in ("1", "yes", "on", "true")


def enabled() -> bool:
    return os.environ.get(USE_ENV, "1").strip().lower() not in ("0", "no", "off", "false")


def ensure(settings: Settings | None = None, *, quiet: bool = False) -> Ranker:
    """The trained ranker: from the cache, or trained now (once per machine, under a lock) and cached."""
    from lic_cli.store.lock import build_once

    settings = settings or DEFAULT
    have = cached(settings)
    if have is not None:
        return have
    target = folder(settings)
    train_items, dev = split_items(all_items())
    if settings.teaching:
        train_items = train_items + teaching_items()
    what = (f"chat: training the retriever on {len({i.domain for i in train_items})} domains "
            f"(first use, about {FIRST_USE_SECONDS} s; cached in {target.parent})")

    def build(tmp: Path) -> None:
        with progress.Progress(what, after=0, quiet=quiet) as bar:
            stats = train(train_items, settings, tmp, nulls=null_questions(),
                          note=lambda s: bar.update(f"{what}: {s}"))
            encode = _memo(_torch_encode(tmp, settings.max_len))
            head = None
            if settings.head:
                bar.update(f"{what}: the head")
                head = fit_head(encode, train_items, null_questions(), settings)
                head.save(tmp / "head.npz")
            bar.update(f"{what}: calibrating")
            cal = calibrate(encode, dev, probe_questions(), settings.let_in, head)
            meta = {"code_version": CODE_VERSION, "settings": asdict(settings), "dev_domains": list(DEV_DOMAINS),
                    "train_domains": sorted({i.domain for i in train_items}), **stats, "calibration": cal}
            (tmp / "ranker.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")  # written last

    build_once(target, build, done=lambda p: (p / "ranker.json").is_file())
    ranker = cached(path=target)
    if ranker is None:  # pragma: no cover - build_once installs it or raises
        raise RuntimeError(f"{target}: the trained ranker was not written")
    return ranker


def _torch_encode(path: Path, max_len: int) -> Callable[[list[str]], Any]:
    """Embeddings from a just-trained folder, in this process (the ONNX export waits for chat)."""
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).eval()

    def encode(texts: list[str]) -> np.ndarray:
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), 64):
                out.append(_mean_pool(model, tok, texts[i:i + 64], max_len).numpy())
        return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)

    return encode


def describe(ranker: Ranker) -> str:
    """One JSON line: where the ranker is, its threshold, how it was trained and what calibration found."""
    m = ranker.meta
    return json.dumps({"ranker": ranker.name, "folder": str(ranker.folder), "threshold": ranker.threshold,
                       "train_seconds": m.get("train_seconds"), "pairs": m.get("pairs"), "steps": m.get("steps"),
                       "train_domains": len(m.get("train_domains") or ()), "dev_domains": m.get("dev_domains"),
                       "dev_found": f"{m['calibration']['dev_found']}/{m['calibration']['dev_questions']}",
                       "settings": m.get("settings")}, ensure_ascii=False)


def for_chat(*, use: bool | None = None) -> Ranker | None:
    """The ranker chat's retrieval uses: None when turned off (LIC_RANKER=0, use=False) or not
    trained yet (unless LIC_RANKER_TRAIN=1 or use=True: then trained now)."""
    if use is False or (use is None and not enabled()):
        return None
    have = cached()
    if have is not None or (use is None and not train_on_first_use()):
        return have
    if use is None:
        print(f"chat: the retriever trains once on this machine (about {FIRST_USE_SECONDS} s on 2 cores; "
              f"{TRAIN_ENV}=1 asked for it)", file=sys.stderr, flush=True)
    return ensure()
