"""The generative engine: SmolLM2 fine-tuned on the packaged teaching corpus to write the items.

The learned engine (learned.py) can only copy spans of the turn or pick templates seen in
training; most fact relations ("closes at 9 pm" -> relation `closing time`) and many
subjects and notes are words the turn never says. This engine writes them: the packaged
SmolLM2-135M-Instruct, its top `TOP_LAYERS` decoder layers fine-tuned (the rest frozen, so
backpropagation stops there) for one pass over the corpus's train-domain turns that hold a
fact or a note, plus a seeded sample of the other turns (other kinds, and turns that teach
nothing) so that it also learns when a turn holds no fact.

Prompt and answer are short on purpose (no chat template, no JSON: every token costs time
on a CPU), e.g.

    assistant: The gym opens at 6 am.
    correct: No, it opens at 7 now.
    =>
and the answer, one item a line, fields in `tagging.FIELDS` order, then end-of-turn:

     fact | the gym | opening time | 7 am | 6 am

`none` when the turn holds nothing. Span items are never written (the rules read them).

Weights are never shipped: training runs once per machine (`ensure`, about FIRST_USE_SECONDS
on 2 cores) and only the trained layers are cached under `$LIC_HOME/cache/extract/`, keyed
by the training rows and the settings below. Training is opt-in (longer than the learned
engine's first use): `lic extract --engine generative` or LIC_EXTRACT_GENERATIVE=1 trains it;
`auto` uses it once it is trained (docs/extract.md, "Generative engine").
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from lic_cli.extract.engine import Outcome, Turn

BASE = "smollm2"
KINDS = ("qa", "fact", "label", "forget", "note")  # what it writes (span: the rules)
FOCUS = ("fact", "note")  # train turns holding one of these are all trained on
CONTEXT_TURNS = 2
CONTEXT_CHARS = 200
SEP = " | "
NONE = "none"
CACHE_VERSION = "g1"  # bump when the prompt, answer format or training change
FIRST_USE_SECONDS = 390  # measured on 2 cores with the default settings: 386 s of training (docs/extract.md)
TRAIN_ENV = "LIC_EXTRACT_GENERATIVE"

Note = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    # Measured on the dev domains (docs/extract.md, "Generative engine"): 8 layers, 1 epoch at
    # 3e-4 (145 s) gave dev fact / note 0.311 / 0.492; these 0.564 / 0.485 (386 s).
    top_layers: int = 12  # decoder layers trained (of 30); those below are frozen
    epochs: float = 2.0
    batch: int = 16
    lr: float = 5e-4
    other_fraction: float = 0.15  # seeded share of the train turns without a fact or note
    max_rows: int = 0  # cap on the training turns after sampling (0: none)
    bf16: bool = True  # bf16 autocast in training, where the CPU computes it natively (1.8x faster steps)
    seed: int = 0
    max_new_tokens: int = 64


DEFAULT = Settings()


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- prompt and answer ----------------------------------------------------------------

def _flat(text: Any) -> str:
    return " ".join(str(text or "").split())


def prompt(text: str, context: list[dict], label: str | None) -> str:
    """The prompt for one turn: the last exchange, then the intent and the turn."""
    lines = []
    for t in (context or [])[-CONTEXT_TURNS:]:
        said = _flat(t.get("text"))
        if said:
            lines.append(f"{t.get('role', 'user')}: {said[:CONTEXT_CHARS]}")
    lines.append(f"{label or 'teach'}: {_flat(text)}")
    return "\n".join(lines) + "\n=>"


def _field(value: Any) -> str:
    return _flat(value).replace("|", "/")


def answer(items: list[dict[str, Any]]) -> str | None:
    """The completion for `items` (None when one of them is of a kind this engine never writes)."""
    from lic_cli.extract.tagging import FIELDS

    lines = []
    for item in items:
        kind = item.get("kind")
        if kind not in KINDS:
            return None
        values = [_field(item.get(f)) for f in FIELDS[kind]]
        while values and not values[-1]:
            values.pop()
        lines.append(SEP.join([kind, *values]))
    return " " + ("\n".join(lines) if lines else NONE)


def parse(completion: str) -> tuple[list[dict[str, str]], list[str]]:
    """A completion -> (items, problems): lines that are not a valid item are dropped and said."""
    from lic_cli.extract.tagging import FIELDS, REQUIRED

    items: list[dict[str, str]] = []
    problems = []
    for n, line in enumerate(completion.strip().splitlines(), 1):
        line = line.strip()
        if not line or line == NONE:
            continue
        parts = [p.strip() for p in line.split("|")]
        kind, values = parts[0], parts[1:]
        if kind not in KINDS:
            problems.append(f"line {n}: unknown kind {kind!r}")
            continue
        need = len(REQUIRED[kind])
        if len(values) < need or len(values) > len(FIELDS[kind]) or not all(values[:need]):
            problems.append(f"line {n}: a {kind} item needs {need} to {len(FIELDS[kind])} fields, got {len(values)}")
            continue
        item = {"kind": kind, **{f: v for f, v in zip(FIELDS[kind], values, strict=False) if v}}
        if item not in items:
            items.append(item)
    return items, problems


def training_pairs(rows: Sequence[dict], settings: Settings = DEFAULT) -> list[tuple[str, str]]:
    """(prompt, answer) for the train-split rows: every turn with a fact or note, and a seeded
    `other_fraction` of the rest (span turns never)."""
    rng = random.Random(settings.seed)
    pairs = []
    for r in rows:
        if r.get("split") != "train":
            continue
        items = r.get("knowledge") or []
        focus = any(i.get("kind") in FOCUS for i in items)
        if not focus and rng.random() >= settings.other_fraction:
            continue
        target = answer(items)
        if target is None:
            continue
        pairs.append((prompt(r["text"], r.get("context") or [], r.get("label")), target))
    if settings.max_rows and len(pairs) > settings.max_rows:
        pairs = rng.sample(pairs, settings.max_rows)
    return pairs


# --- cache ----------------------------------------------------------------------------

def cache_path(rows: Sequence[dict], settings: Settings = DEFAULT) -> Path:
    from lic_cli.models import cache_dir

    h = hashlib.sha256()
    for p, a in training_pairs(rows, settings):
        h.update(json.dumps([p, a]).encode())
    h.update(json.dumps({**asdict(settings), "max_new_tokens": 0, "base": BASE, "v": CACHE_VERSION},
                        sort_keys=True).encode())
    return cache_dir("extract") / f"generative-{h.hexdigest()[:16]}"


def trained_path(rows: Sequence[dict] | None = None, settings: Settings = DEFAULT) -> Path | None:
    """The cached engine for the packaged corpus (or `rows`), or None when never trained here."""
    from lic_cli.extract.learned import corpus_rows

    path = cache_path(corpus_rows() if rows is None else rows, settings)
    return path if (path / "info.json").is_file() else None


def train_requested() -> bool:
    return os.environ.get(TRAIN_ENV, "").strip().lower() in ("1", "yes", "on", "true")


def enabled() -> bool:
    """False when LIC_EXTRACT_GENERATIVE=0: auto never uses the engine, trained or not."""
    return os.environ.get(TRAIN_ENV, "").strip().lower() not in ("0", "no", "off", "false")


# --- model ----------------------------------------------------------------------------

def _base(settings: Settings):
    from lic_cli import models

    models.offline()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from lic_cli.models.runtime import cpu_threads

    models.quiet_loading()
    torch.set_num_threads(cpu_threads())
    path = models.resolve(BASE)
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    model.eval()
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return model, tok


def native_bf16() -> bool:
    import torch

    checks = [getattr(torch.cpu, n, None) for n in ("_is_amx_tile_supported", "_is_avx512_bf16_supported")]
    return any(check() for check in checks if check is not None)


def _encode(tok: Any, prompt_text: str, answer_text: str | None = None) -> dict[str, list[int]]:
    p = tok(prompt_text, add_special_tokens=False)["input_ids"]
    if answer_text is None:
        return {"input_ids": p}
    a = tok(answer_text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    return {"input_ids": p + a, "labels": [-100] * len(p) + a}


def _top_state(model: Any, top_layers: int) -> dict[str, Any]:
    first = len(model.model.layers) - top_layers
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()
            if k.startswith("model.layers.") and int(k.split(".")[2]) >= first}


def train(rows: Sequence[dict], path: Path, settings: Settings = DEFAULT, *, note: Note | None = None,
          limit_seconds: float | None = None) -> dict[str, Any]:
    """Fine-tune the top layers on the training pairs and install them as `path`: atomically
    and once per machine (store.lock.build_once, as the chat ranker and the scope judge are
    built); its info.json."""
    from lic_cli.store.lock import build_once

    build_once(path, lambda tmp: _fit_into(tmp, rows, settings, note or _stderr, limit_seconds),
               done=lambda p: (p / "info.json").is_file())
    return json.loads((path / "info.json").read_text(encoding="utf-8"))


def _fit_into(tmp: Path, rows: Sequence[dict], settings: Settings, note: Note,
              limit_seconds: float | None) -> None:
    import torch

    torch.manual_seed(settings.seed)
    start = time.perf_counter()
    model, tok = _base(settings)
    pairs = training_pairs(rows, settings)
    feats = [_encode(tok, p, a) for p, a in pairs]
    layers = model.model.layers
    first = len(layers) - settings.top_layers
    for p in model.parameters():
        p.requires_grad_(False)
    params = [p for layer in layers[first:] for p in layer.parameters()]
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(params, lr=settings.lr, weight_decay=0.0)
    rng = random.Random(settings.seed)
    order: list[int] = []
    whole = int(settings.epochs)
    for _ in range(whole):
        perm = list(range(len(feats)))
        rng.shuffle(perm)
        order += perm
    part = settings.epochs - whole
    if part > 0:
        order += rng.sample(range(len(feats)), int(round(part * len(feats))))
    # Batches of similar length (sorted within chunks of 8 batches, then shuffled): less padding.
    b = settings.batch
    chunks = [sorted(order[i:i + b * 8], key=lambda k: len(feats[k]["input_ids"])) for i in range(0, len(order), b * 8)]
    batches = [c[i:i + b] for c in chunks for i in range(0, len(c), b)]
    rng.shuffle(batches)
    steps = len(batches)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) *
                                              max(0.0, (steps - s) / steps))
    pad = tok.pad_token_id
    bf16 = settings.bf16 and native_bf16()
    total, done = 0.0, 0
    note(f"extract: generative engine: {len(feats)} training turns, {steps} steps, top {settings.top_layers} layers "
         f"({time.perf_counter() - start:.0f} s)")
    for n, batch in enumerate(batches, 1):
        fs = [feats[k] for k in batch]
        width = max(len(f["input_ids"]) for f in fs)
        ids = torch.tensor([f["input_ids"] + [pad] * (width - len(f["input_ids"])) for f in fs])
        mask = torch.tensor([[1] * len(f["input_ids"]) + [0] * (width - len(f["input_ids"])) for f in fs])
        labels = torch.tensor([f["labels"] + [-100] * (width - len(f["labels"])) for f in fs])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            h = model.model(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
            keep = labels[:, 1:] != -100  # position t predicts token t + 1
            logits = model.lm_head(h[:, :-1][keep])
        loss = torch.nn.functional.cross_entropy(logits.float(), labels[:, 1:][keep])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        total += float(loss.detach())
        done = n
        if n % 20 == 0:
            note(f"extract: generative engine: step {n}/{steps}, loss {total / n:.4f} "
                 f"({time.perf_counter() - start:.0f} s)")
        if limit_seconds and time.perf_counter() - start > limit_seconds:
            note(f"extract: generative engine: stopped at step {n}/{steps} (time limit {limit_seconds:.0f} s)")
            break
    info = {"train_rows": len(feats), "steps": done, "planned_steps": steps, "loss": round(total / max(1, done), 4),
            "seconds": round(time.perf_counter() - start, 1), "settings": asdict(settings), "base": BASE,
            "tokens": sum(len(f["input_ids"]) for f in feats)}
    from safetensors.torch import save_file

    save_file(_top_state(model, settings.top_layers), str(tmp / "top.safetensors"))
    (tmp / "info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")


class GenerativeEngine:
    name = "generative"

    def __init__(self, model: Any, tokenizer: Any, settings: Settings, label: str, batch_size: int = 16) -> None:
        self.net = model
        self.tokenizer = tokenizer
        self.settings = settings
        self.model = label
        self.batch_size = batch_size
        self.bf16 = False  # bf16 autocast while generating (bench_extract_generative.py --infer-bf16)
        tokenizer.padding_side = "left"

    @classmethod
    def load(cls, *, rows: Sequence[dict] | None = None, settings: Settings = DEFAULT, note: Note | None = None,
             batch_size: int = 16) -> GenerativeEngine:
        """The cached engine for the packaged corpus (or `rows`), trained first when there is none."""
        from lic_cli.extract.learned import corpus_rows

        note = note or _stderr
        rows = corpus_rows() if rows is None else rows
        path = cache_path(rows, settings)
        if not (path / "info.json").is_file():
            note(f"extract: training the generative engine (once; about {FIRST_USE_SECONDS} s on 2 cores; cached in "
                 f"{path.parent})")
            train(rows, path, settings, note=note)
        return cls.from_folder(path, batch_size=batch_size)

    @classmethod
    def from_folder(cls, path: Path, *, batch_size: int = 16, max_new_tokens: int | None = None) -> GenerativeEngine:
        from safetensors.torch import load_file

        info = json.loads((path / "info.json").read_text(encoding="utf-8"))
        settings = Settings(**info["settings"])
        if max_new_tokens:
            settings = replace(settings, max_new_tokens=max_new_tokens)
        model, tok = _base(settings)
        state = load_file(str(path / "top.safetensors"))
        missing = set(state) - set(model.state_dict())
        if missing:
            from lic_cli.errors import ModelLoadError

            raise ModelLoadError(f"{path / 'top.safetensors'}: {len(missing)} weights the base model does not have "
                                 f"(e.g. {sorted(missing)[0]}); delete the folder to retrain")
        model.load_state_dict(state, strict=False)
        model.eval()
        return cls(model, tok, settings, f"generative:{BASE}@{path.name[11:23]}", batch_size)

    def prompts(self, turns: Sequence[Turn]) -> list[str]:
        return [prompt(t.text, t.context, t.label) for t in turns]

    def complete(self, prompts: list[str]) -> list[str]:
        """Greedy completions, batched by length (left-padded), in the caller's order."""
        enc = [_encode(self.tokenizer, p)["input_ids"] for p in prompts]
        order = sorted(range(len(enc)), key=lambda i: len(enc[i]))
        out = [""] * len(enc)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            for i, text in zip(idx, self._batch([enc[i] for i in idx]), strict=True):
                out[i] = text
        return out

    def _batch(self, ids: list[list[int]]) -> list[str]:
        import torch

        tok = self.tokenizer
        width = max(len(x) for x in ids)
        pad = tok.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(x)) + x for x in ids])
        mask = torch.tensor([[0] * (width - len(x)) + [1] * len(x) for x in ids])
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            gen = self.net.generate(input_ids=input_ids, attention_mask=mask, do_sample=False,
                                    max_new_tokens=self.settings.max_new_tokens, pad_token_id=pad,
                                    eos_token_id=tok.eos_token_id)
        texts = []
        for row in gen[:, width:].tolist():
            if tok.eos_token_id in row:
                row = row[:row.index(tok.eos_token_id)]
            texts.append(tok.decode(row, skip_special_tokens=True))
        return texts

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        from lic_cli.extract.snap import snap_items

        out = []
        for t, text in zip(turns, self.complete(self.prompts(turns)), strict=True):
            items, problems = parse(text)
            out.append(Outcome(items=snap_items(items, t.text, t.context), output=text,
                               error=None if items or not problems else "; ".join(problems)))
        return out


def ensure(*, note: Note | None = None) -> Path:
    """Train the engine for the packaged corpus now if it is not cached; its folder."""
    from lic_cli.extract.learned import corpus_rows

    rows = corpus_rows()
    path = cache_path(rows)
    if not (path / "info.json").is_file():
        train(rows, path, note=note)
    return path
