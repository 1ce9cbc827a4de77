"""Chat's cross-encoder re-ranker: the packaged MiniLM fine-tuned to read a question and a row
together and say whether the row answers it, re-scoring the first stage's best few rows.

A bi-encoder embeds the question and the row apart, so siblings that share a topic ("When do
your doors open Monday to Friday?" against the weekday and the Saturday hours rows, "Price for
seeing the vet about my cat?" against the consultation and the spay price) land close together
and the wrong one is often first. A cross-encoder reads both at once and can weigh the word
that tells them apart. It only re-scores the `k` rows the row index ranks best
(chat/rowindex.py's blend over the packaged MiniLM), so a chat turn costs one forward pass
over `k` short (question, row) pairs.

Its score for a pair is `w . pooled(question [SEP] row) + a * prior + b`, where `prior` is the
first stage's score of the row: at the start (w = 0, a = PRIOR_SCALE, b = -a * THRESHOLD) it
orders rows exactly as the blend and says "answers it" exactly where the blend's threshold
does; training moves the joint reading away from that where it helps. It is trained listwise:
per question, a softmax over its candidate rows and a fixed "no row" logit of 0, the right row
the target (general requests: "no row"). Training data, pairing and the split by domain:
chat/crosspairs.py and chat/ranker.py (the ranker's 39 training domains; ranker.DEV_DOMAINS
held out whole for the threshold; the evaluation domains never read).

**Threshold**: calibrated when trained, by the rule of the base model and the ranker: the
least score at which at most Settings.let_in of the 140 general probes
(lic_cli/data/retrieval_probes.jsonl) reach a row of any DEV_DOMAINS setup.

**When it trains**: by `lic models --cross` (or on chat's first retrieval with
LIC_CROSS_TRAIN=1); cached under $LIC_HOME/cache/cross/, keyed by the data, this code's version
and the settings. LIC_CROSS=0 turns it off even when trained (tests/conftest.py sets it).
It is opt-in and not recommended: on the dev domains one epoch that fits a first use on 2 cores
gained 1.2 points of recall@1 over the base model and found fewer paraphrases at its threshold
than the bi-encoder ranker (docs/chat.md, "The cross-encoder re-ranker"). With the ranker trained
too, chat combines the two (chat/combine.py, session 10): the better retriever on dev and held out.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lic_cli import progress
from lic_cli.chat import crosspairs, ranker

CODE_VERSION = "2"  # bump when training or calibration changes what a trained folder holds
TRAIN_ENV = "LIC_CROSS_TRAIN"  # "1": train on chat's first retrieval (default: only `lic models --cross`)
USE_ENV = "LIC_CROSS"  # "0": no re-ranking, trained or not
BASE = "minilm"
FIRST_USE_SECONDS = 235  # measured: 232.9 s on 2 cores under load 1.8-2.0 (docs/chat.md)


@dataclass(frozen=True)
class Settings:
    """How the cross-encoder is trained and calibrated (chosen on DEV_DOMAINS, docs/chat.md)."""

    k: int = 8  # rows re-scored per question (the first stage's best)
    epochs: int = 1
    batch: int = 8  # questions per step (each with its k rows)
    lr: float = 1e-4  # the encoder's
    head_lr: float = 1e-2  # the pair weights', the segments' and the prior's weight and the bias'
    warmup: float = 0.1
    max_len: int = 64  # tokens of a (question, row) pair
    freeze: int = 3  # the embeddings and this many bottom layers (of 6) stay as they are: 1.50 -> 0.97 s a step
    easy_keep: float = 0.35  # share kept of the questions the first stage already ranks right (the rest: all kept)
    prior_scale: float = 10.0  # the first stage's score's weight at the start
    null_share: float = 0.25  # general requests ("no row") per training question
    teaching: bool = True  # add the corpus's question <-> fact-row pairs (ranker.teaching_items)
    max_steps: int = 0  # stop after this many steps (0: every step; tests train a few)
    seed: int = 0
    let_in: int = 1  # probes one calibration setup may let in (of 140: the base model's rule)


DEFAULT = Settings()


# --- the model ------------------------------------------------------------------------------


def _model_class():
    import torch

    class CrossModel(torch.nn.Module):
        """MiniLM over the pair, mean-pooled, a linear reading of it, plus the first stage's score."""

        def __init__(self, encoder, prior_scale: float, offset: float) -> None:
            super().__init__()
            self.encoder = encoder
            self.pair = torch.nn.Linear(encoder.config.hidden_size, 1)
            torch.nn.init.zeros_(self.pair.weight)
            torch.nn.init.zeros_(self.pair.bias)
            self.segment = torch.nn.Parameter(torch.tensor(0.0))
            self.prior = torch.nn.Parameter(torch.tensor(float(prior_scale)))
            self.bias = torch.nn.Parameter(torch.tensor(-float(prior_scale) * float(offset)))

        def forward(self, batch: dict, prior):
            hidden = self.encoder(**batch).last_hidden_state
            att = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * att).sum(1) / att.sum(1).clamp(min=1e-9)
            # The question's and the row's tokens, each read beside the other: their mean states'
            # cosine (a similarity that attends across the pair; 0 weight at the start).
            row = batch["token_type_ids"].unsqueeze(-1).to(hidden.dtype) * att
            ask = att - row
            a = torch.nn.functional.normalize((hidden * ask).sum(1) / ask.sum(1).clamp(min=1e-9), dim=-1)
            b = torch.nn.functional.normalize((hidden * row).sum(1) / row.sum(1).clamp(min=1e-9), dim=-1)
            return self.pair(pooled).squeeze(-1) + self.segment * (a * b).sum(-1) + self.prior * prior + self.bias

    return CrossModel


def _pairs(tok, questions: list[str], rows: list[str], max_len: int) -> dict:
    return dict(tok(questions, rows, padding=True, truncation="longest_first", max_length=max_len,
                    return_tensors="pt"))


def train(examples: list[crosspairs.Example], settings: Settings, out: Path, *,
          note: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """Fine-tune the packaged MiniLM as a pair scorer on `examples` into the folder `out`."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    from lic_cli.chat.retrieve import THRESHOLD
    from lic_cli.models import offline, packaged_path, quiet_loading

    offline()
    quiet_loading()
    torch.manual_seed(settings.seed)
    from lic_cli.models.runtime import cpu_threads

    torch.set_num_threads(cpu_threads())
    base = packaged_path(BASE)
    tok = AutoTokenizer.from_pretrained(base)
    model = _model_class()(AutoModel.from_pretrained(base), settings.prior_scale, THRESHOLD)
    model.train()
    if settings.freeze:
        for part in [model.encoder.embeddings, *model.encoder.encoder.layer[:settings.freeze]]:
            for w in part.parameters():
                w.requires_grad_(False)
    rng = random.Random(settings.seed)
    plan = []
    for _ in range(settings.epochs):
        order = list(range(len(examples)))
        rng.shuffle(order)
        plan += [order[i:i + settings.batch] for i in range(0, len(order), settings.batch)]
    if settings.max_steps:
        plan = plan[:settings.max_steps]
    head = [model.pair.weight, model.pair.bias, model.segment, model.prior, model.bias]
    enc = [w for w in model.encoder.parameters() if w.requires_grad]
    opt = torch.optim.AdamW([{"params": enc, "lr": settings.lr},
                             {"params": head, "lr": settings.head_lr, "weight_decay": 0.0}], weight_decay=0.01)
    warm = max(1, int(len(plan) * settings.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (len(plan) - s) / max(1, len(plan) - warm)))
    t0 = time.perf_counter()
    losses = []
    for step, idx in enumerate(plan, 1):
        batch = [examples[i] for i in idx]
        width = max(len(e.rows) for e in batch)
        qs = [e.question for e in batch for _ in e.rows]
        rows = [r for e in batch for r in e.rows]
        prior = torch.tensor([p for e in batch for p in e.prior], dtype=torch.float32)
        flat = model(_pairs(tok, qs, rows, settings.max_len), prior)
        logits = torch.full((len(batch), width + 1), -1e4)
        at = 0
        for r, e in enumerate(batch):
            logits[r, :len(e.rows)] = flat[at:at + len(e.rows)]
            at += len(e.rows)
        logits[:, width] = 0.0  # "no row"
        target = torch.tensor([e.gold if e.gold != crosspairs.NO_ROW else width for e in batch])
        loss = torch.nn.functional.cross_entropy(logits, target)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(float(loss.detach()))
        if step % 10 == 0 or step == len(plan):
            note(f"step {step} of {len(plan)}, loss {sum(losses[-10:]) / len(losses[-10:]):.3f}")
    seconds = time.perf_counter() - t0
    model.eval()
    ranker._save(model.encoder, base, out)
    _save_head(model, out / "cross_head.json")
    return {"steps": len(plan), "examples": len(examples), "train_seconds": round(seconds, 1),
            "seconds_per_step": round(seconds / max(1, len(plan)), 3),
            "loss_first": round(losses[0], 4) if losses else None,
            "loss_last": round(sum(losses[-10:]) / max(1, len(losses[-10:])), 4),
            "prior_weight": round(float(model.prior.detach()), 4),
            "segment_weight": round(float(model.segment.detach()), 4)}


def _save_head(model, path: Path) -> None:
    head = {"weight": [float(x) for x in model.pair.weight.detach()[0]], "pair_bias": float(model.pair.bias.detach()[0]),
            "segment": float(model.segment.detach()), "prior": float(model.prior.detach()),
            "bias": float(model.bias.detach())}
    path.write_text(json.dumps(head), encoding="utf-8")


# --- the trained re-ranker ------------------------------------------------------------------


@dataclass
class Cross:
    folder: Path
    meta: dict[str, Any]

    @property
    def threshold(self) -> float:
        return float(self.meta["calibration"]["threshold"])

    @property
    def k(self) -> int:
        return int(self.meta["settings"]["k"])

    @property
    def name(self) -> str:
        return f"cross:{BASE}-{self.folder.name.rsplit('-', 1)[-1]}"

    @functools.cached_property
    def _net(self):
        import torch
        from transformers import AutoModel, AutoTokenizer

        from lic_cli.models import offline, quiet_loading

        offline()
        quiet_loading()
        tok = AutoTokenizer.from_pretrained(self.folder)
        model = _model_class()(AutoModel.from_pretrained(self.folder), 0.0, 0.0)
        head = json.loads((self.folder / "cross_head.json").read_text(encoding="utf-8"))
        with torch.no_grad():
            model.pair.weight.copy_(torch.tensor([head["weight"]]))
            model.pair.bias.fill_(head["pair_bias"])
            model.segment.fill_(head["segment"])
            model.prior.fill_(head["prior"])
            model.bias.fill_(head["bias"])
        return tok, model.eval()

    def score(self, question: str, rows: list[str], prior) -> Any:
        """The score of each row for the question (a logit: above 0 it beats "no row")."""
        import numpy as np
        import torch

        if not rows:
            return np.zeros(0, dtype=np.float32)
        tok, model = self._net
        with torch.inference_mode():
            out = model(_pairs(tok, [question] * len(rows), rows, int(self.meta["settings"]["max_len"])),
                        torch.tensor(np.asarray(prior, dtype=np.float32)))
        return out.numpy().astype(np.float32)

    def best(self, example: crosspairs.Example) -> tuple[float, int]:
        """(the best score, its row's place among the example's rows)."""
        s = self.score(example.question, list(example.rows), example.prior)
        i = int(s.argmax())
        return float(s[i]), i


def let_in_score(scores: list[float], let: int) -> float:
    """The score above which at most `let` of `scores` lie: the (let+1)-th highest (-1e9 when
    there are no more than `let`); the threshold is just above the highest of these over setups."""
    tops = sorted(scores, reverse=True)
    return float(tops[let]) if len(tops) > let else -1e9


def calibrate(cross: Cross, encode: Callable[[list[str]], Any], dev: list[ranker.Item], probes: list[str],
              let: int) -> dict[str, Any]:
    """The least threshold at which at most `let` of the probes reach any dev setup's rows (through
    the first stage's best `k`), and what it finds there (dev questions whose own row is first at or
    above it)."""
    per = {}
    highest = -1e9
    firsts: list[float] = []
    total = before = 0
    for setup in ranker.setups(dev):
        name, rows, asks = setup
        neg = crosspairs.examples([(name, rows, [(p, crosspairs.NO_ROW) for p in probes])], encode, cross.k,
                                  keep_gold=False)
        top = let_in_score([cross.best(e)[0] for e in neg], let)
        per[name] = round(top, 4)
        highest = max(highest, top)
        for e in crosspairs.examples([setup], encode, cross.k, keep_gold=False):
            before += e.gold == 0
            s, i = cross.best(e)
            if i == e.gold:
                firsts.append(s)
        total += len(asks)
    threshold = round(highest + 1e-4, 4) if per else 0.0
    return {"threshold": threshold, "probes": len(probes), "let_in_per_setup": let, "probe_top": per,
            "dev_found": sum(1 for s in firsts if s >= threshold), "dev_first": len(firsts),
            "dev_first_before": before, "dev_questions": total}


# --- caching --------------------------------------------------------------------------------


def fingerprint(settings: Settings) -> str:
    """What a trained folder depends on: the data, this code's version (and the pairing's), the
    settings, the first stage's scoring, the base model."""
    from lic_cli.chat import retrieve, rowindex
    from lic_cli.data import TEACHING
    from lic_cli.models import packaged_path
    from lic_cli.store.rows import cached_file_hash

    first = (retrieve.THRESHOLD, rowindex.DOMAIN_WEIGHT, rowindex.SITUATED_LIFT, rowindex.KIND_PENALTY,
             rowindex.KEYWORD_BOOST)
    h = hashlib.sha256(f"{CODE_VERSION}|{sorted(asdict(settings).items())}|{ranker.DEV_DOMAINS}|{first}".encode())
    for p in ranker.data_files() + [TEACHING, ranker.PROBES]:
        if p.is_file():
            h.update(p.name.encode())
            h.update(bytes.fromhex(cached_file_hash(p).removeprefix("sha256:")))
    base = packaged_path(BASE) / "model.safetensors"
    h.update(f"{base.stat().st_size}".encode())
    return h.hexdigest()


def folder(settings: Settings) -> Path:
    from lic_cli.models import cache_dir

    return cache_dir("cross") / f"{BASE}-{fingerprint(settings)[:16]}"


def cached(settings: Settings | None = None, path: Path | None = None) -> Cross | None:
    """The trained re-ranker for the current data and code (or in `path`), if it has been trained."""
    path = path or folder(settings or DEFAULT)
    meta = path / "cross.json"
    if not meta.is_file():
        return None
    try:
        return Cross(path, json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def training_examples(settings: Settings, encode: Callable[[list[str]], Any]) -> list[crosspairs.Example]:
    """The training domains' questions with their first-stage rows, and general requests ("no row")."""
    train_items, _ = ranker.split_items(ranker.all_items())
    if settings.teaching:
        train_items = train_items + ranker.teaching_items()
    sets = ranker.setups(train_items)
    asks = sum(len(a) for _, _, a in sets)
    nulls = ranker.null_questions()
    rng = random.Random(settings.seed)
    nulls = rng.sample(nulls, min(len(nulls), int(asks * settings.null_share)))
    out = crosspairs.examples(sets, encode, settings.k, nulls=nulls, seed=settings.seed)
    # The questions the first stage already puts right teach little: a share of them is kept.
    return [e for e in out if e.gold != 0 or rng.random() < settings.easy_keep]


def ensure(settings: Settings | None = None, *, quiet: bool = False) -> Cross:
    """The trained re-ranker: from the cache, or trained now (once per machine, under a lock) and cached."""
    from lic_cli.models import load_encoder
    from lic_cli.store.lock import build_once

    settings = settings or DEFAULT
    have = cached(settings)
    if have is not None:
        return have
    target = folder(settings)
    what = f"chat: training the re-ranker (first use, about {FIRST_USE_SECONDS} s; cached in {target.parent})"

    def build(tmp: Path) -> None:
        with progress.Progress(what, after=0, quiet=quiet) as bar:
            t0 = time.perf_counter()
            encode = ranker._memo(load_encoder(BASE).encode)
            data = training_examples(settings, encode)
            prep = time.perf_counter() - t0
            stats = train(data, settings, tmp, note=lambda s: bar.update(f"{what}: {s}"))
            bar.update(f"{what}: calibrating")
            t1 = time.perf_counter()
            _, dev = ranker.split_items(ranker.all_items())
            cal = calibrate(Cross(tmp, {"settings": asdict(settings)}), encode, dev, ranker.probe_questions(),
                            settings.let_in)
            meta = {"code_version": CODE_VERSION, "settings": asdict(settings), "dev_domains": list(ranker.DEV_DOMAINS),
                    **stats, "prepare_seconds": round(prep, 1),
                    "calibrate_seconds": round(time.perf_counter() - t1, 1), "calibration": cal}
            (tmp / "cross.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")  # written last

    build_once(target, build, done=lambda p: (p / "cross.json").is_file())
    cross = cached(path=target)
    if cross is None:  # pragma: no cover - build_once installs it or raises
        raise RuntimeError(f"{target}: the trained re-ranker was not written")
    return cross


def train_on_first_use() -> bool:
    return os.environ.get(TRAIN_ENV, "0").strip().lower() in ("1", "yes", "on", "true")


def enabled() -> bool:
    return os.environ.get(USE_ENV, "1").strip().lower() not in ("0", "no", "off", "false")


def for_chat(*, use: bool | None = None) -> Cross | None:
    """The re-ranker chat's retrieval uses: None when turned off (LIC_CROSS=0, use=False) or not
    trained yet (unless LIC_CROSS_TRAIN=1 or use=True: then trained now)."""
    if use is False or (use is None and not enabled()):
        return None
    have = cached()
    if have is not None or (use is None and not train_on_first_use()):
        return have
    if use is None:
        print(f"chat: the re-ranker trains once on this machine (about {FIRST_USE_SECONDS} s on 2 cores; "
              f"{TRAIN_ENV}=1 asked for it)", file=sys.stderr, flush=True)
    return ensure()


def describe(cross: Cross) -> str:
    """One JSON line: where the re-ranker is, its threshold, how it was trained, what calibration found."""
    m = cross.meta
    return json.dumps({"cross": cross.name, "folder": str(cross.folder), "threshold": cross.threshold, "k": cross.k,
                       "train_seconds": m.get("train_seconds"), "examples": m.get("examples"), "steps": m.get("steps"),
                       "dev_found": f"{m['calibration']['dev_found']}/{m['calibration']['dev_questions']}",
                       "settings": m.get("settings")}, ensure_ascii=False)
