"""Fine-tuning the learned retriever's encoder (chat/ranker.py): its settings, the (question,
rows) pairs of each domain, the steps, the training loop and the saved folder."""

from __future__ import annotations

import random
import shutil
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_cli.chat.rankdata import Item

BASE = "minilm"


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
    save(model, base, out)
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


def save(model, base: Path, out: Path) -> None:
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



def torch_encode(path: Path, max_len: int) -> Callable[[list[str]], Any]:
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

