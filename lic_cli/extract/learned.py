"""The learned engine: a JointBERT-style tagger on MiniLM, trained on many domains.

One encoder pass over `turn [SEP] context` gives (a) a BIO tag per token over slot roles
(`qa.answer`, `fact.subject`, `qa.question#0`, `span.ent=ORG`, ...) and (b) per field, from
the first token, how the field is written: a span, or one of the templates seen in
training ("What is {0}?", "The user works {0}."). `tagging.assemble` builds the items.

Weights are never shipped: the model is trained on first use from the packaged teaching
corpus (`lic_cli/data/teaching.jsonl`, its train domains only, plus
`lic_cli/data/extract_extra.jsonl`) and cached under `$LIC_HOME/cache/extract/`, keyed by
the corpus content and the settings below (`lic extract --engine learned`, or `auto` the
first time a turn needs it, says so on stderr while it trains, with progress lines; about
two minutes on 2 cores).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lic_cli.extract import tagging
from lic_cli.extract.engine import Outcome, Turn
from lic_cli.extract.snap import snap_items

ENCODER = "minilm"
MAX_LENGTH = 128
# What first use trains, chosen on the dev domains by dev field F1 against training seconds
# (bench/bench_extract_firstuse.py; docs/extract.md, "First use"): 2 epochs over the upper 4
# of MiniLM's 6 layers at a higher rate, on the teaching turns and 35 % of the non-teaching
# ones, about 110 s on 2 cores (dev auto 0.729) instead of 4 epochs of the whole encoder on
# every turn, about 320 s (0.742).
EPOCHS = 2
# Layers below FROZEN_LAYERS are not trained: their output is computed once per training turn
# and cached, and only the layers above it and the heads learn (0: the whole encoder learns).
FROZEN_LAYERS = 2
# The fraction of the corpus's non-teaching turns trained on (a fixed, seeded subsample).
NONE_FRACTION = 0.35
BATCH = 32
LR = 3e-4
HEAD_LR = 5e-3
FIRST_USE_SECONDS = 110  # measured: the settings above, 2 cores (docs/extract.md, "First use")
MAX_ITEMS = 3  # per kind and turn, for the count heads
MIN_TEMPLATE = 2  # a template seen fewer times in training is not a class
SEED = 0
CACHE_VERSION = "v2"  # bump when the tagging scheme, model or training change
DATA = Path(__file__).resolve().parent.parent / "data"
CORPUS = ("teaching.jsonl", "extract_extra.jsonl")

Note = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@dataclass
class Vocab:
    tags: list[str]  # "O", then "B-role", "I-role" per role
    heads: dict[str, list[str]]  # role -> classes (tagging.SPAN first, then templates)

    def to_dict(self) -> dict[str, Any]:
        return {"tags": self.tags, "heads": self.heads}


def build_vocab(encoded: Sequence[tagging.Spans]) -> Vocab:
    roles = sorted({s[3] for e in encoded for s in e.spans})
    tags = ["O"] + [f"{p}-{r}" for r in roles for p in "BI"]
    counts: dict[str, Counter] = {}
    for e in encoded:
        for role, template in e.templates.items():
            counts.setdefault(role, Counter())[template] += 1
    heads = {}
    for role in sorted({r.split("#")[0] for r in roles if not r.startswith("span.ent=")} | set(counts)):
        kept = sorted(t for t, n in counts.get(role, Counter()).items() if n >= MIN_TEMPLATE)
        heads[role] = [tagging.SPAN, *kept]
    for kind in tagging.FIELDS:  # how many items of each kind the turn holds (0..MAX_ITEMS)
        heads[f"count.{kind}"] = [str(n) for n in range(MAX_ITEMS + 1)]
    return Vocab(tags, heads)


def item_counts(items: list[dict[str, Any]]) -> dict[str, int]:
    kinds = Counter(str(i.get("kind")) for i in items)
    return {kind: min(MAX_ITEMS, kinds.get(kind, 0)) for kind in tagging.FIELDS}


def _net(encoder_path: str | Path, vocab: Vocab):
    import torch
    from transformers import AutoModel

    class Tagger(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(encoder_path))
            hidden = self.encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.tags = torch.nn.Linear(hidden, len(vocab.tags))
            self.heads = torch.nn.ModuleDict({_key(r): torch.nn.Linear(hidden, len(c)) for r, c in vocab.heads.items()})

        def forward(self, input_ids, attention_mask, token_type_ids=None):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state
            h = self.dropout(h)
            return self.tags(h), {r: head(h[:, 0]) for r, head in self.heads.items()}

    return Tagger()


def _key(role: str) -> str:
    return role.replace(".", "__")  # ModuleDict keys cannot hold dots


def _features(tokenizer, texts: list[str], contexts: list[str]) -> Any:
    pairs = [(t, c) if c else (t,) for t, c in zip(texts, contexts, strict=True)]
    firsts = [p[0] for p in pairs]
    seconds = [p[1] if len(p) > 1 else None for p in pairs]
    out = []
    for i, (a, b) in enumerate(zip(firsts, seconds, strict=True)):
        enc = tokenizer(a, b, truncation="only_second" if b else True, max_length=MAX_LENGTH,
                        return_offsets_mapping=True)
        seq = enc.sequence_ids()
        out.append({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"],
                    "token_type_ids": enc.get("token_type_ids", [0] * len(enc["input_ids"])),
                    "offsets": enc["offset_mapping"], "seq": seq, "i": i})
    return out


def _tag_ids(feat: dict, spans: list[tuple[int, int, int, str]], vocab: Vocab) -> list[int]:
    index = {t: i for i, t in enumerate(vocab.tags)}
    ids = [-100 if s is None else 0 for s in feat["seq"]]
    for seg, a, b, role in spans:
        first = True
        for k, ((s, e), sq) in enumerate(zip(feat["offsets"], feat["seq"], strict=True)):
            if sq != seg or e <= a or s >= b or s == e:
                continue
            ids[k] = index.get(f"{'B' if first else 'I'}-{role}", 0)
            first = False
    return ids


def _decode(feat: dict, tag_row: Sequence[int], vocab: Vocab,
            prob_row: Sequence[float] | None = None) -> list[tuple[int, int, int, str, float]]:
    """Spans (segment, start, end, role, confidence: the mean probability of their tags)."""
    spans: list[tuple[int, int, int, str, float]] = []
    cur: list | None = None
    probs: list[float] = []

    def close() -> None:
        if cur:
            spans.append((cur[0], cur[1], cur[2], cur[3], sum(probs) / len(probs)))

    for k, (t, sq) in enumerate(zip(tag_row, feat["seq"], strict=True)):
        s, e = feat["offsets"][k]
        tag = vocab.tags[t] if sq is not None else "O"
        p = prob_row[k] if prob_row is not None else 1.0
        if tag == "O" or s == e:
            close()
            cur, probs = None, []
            continue
        prefix, role = tag.split("-", 1)
        if cur and prefix == "I" and cur[3] == role and cur[0] == sq:
            cur[2] = e
            probs.append(p)
            continue
        close()
        cur, probs = [sq, s, e, role], [p]
    close()
    return spans


def _merge(segs: tuple[str, str], spans: list[tuple[int, int, int, str, float]]) -> list[tuple[int, int, int, str, float]]:
    """Spans of one role split by a stray B tag with only spaces between them are one span."""
    out: list[tuple[int, int, int, str, float]] = []
    for sq, a, b, role, p in spans:
        if out and out[-1][0] == sq and out[-1][3] == role and not segs[sq][out[-1][2]:a].strip():
            out[-1] = (sq, out[-1][1], b, role, min(out[-1][4], p))
        else:
            out.append((sq, a, b, role, p))
    return out


def _widen(text: str, a: int, b: int) -> tuple[int, int]:
    while a > 0 and text[a - 1].isalnum() and text[a].isalnum():
        a -= 1
    while b < len(text) and text[b].isalnum() and text[b - 1].isalnum():
        b += 1
    return a, b


def _pad(batch: list[dict], key: str, value: int):
    import torch

    n = max(len(f[key]) for f in batch)
    return torch.tensor([f[key] + [value] * (n - len(f[key])) for f in batch])


class LearnedEngine:
    name = "learned"

    def __init__(self, net, tokenizer, vocab: Vocab, model: str, threads: int | None = None) -> None:
        self.net = net
        self.tokenizer = tokenizer
        self.vocab = vocab
        self.model = model

    @classmethod
    def load(cls, *, note: Note | None = None, rows: list[dict] | None = None) -> LearnedEngine:
        """The cached model for the packaged corpus, trained first when there is none."""
        note = note or _stderr
        rows = rows if rows is not None else corpus_rows()
        path = cache_path(rows)
        if not (path / "vocab.json").is_file():
            note(f"extract: training the learned engine on {sum(r.get('split') == 'train' for r in rows)} "
                 f"train-domain turns (once; cached in {path.parent})")
            train(rows, path, note=note)
        return cls.from_folder(path)

    @classmethod
    def from_folder(cls, path: Path) -> LearnedEngine:
        from lic_cli import models

        models.offline()
        import torch
        from transformers import AutoTokenizer

        models.quiet_loading()
        from lic_cli.models.runtime import cpu_threads

        torch.set_num_threads(cpu_threads())
        vocab = Vocab(**json.loads((path / "vocab.json").read_text(encoding="utf-8")))
        net = _net(path / "encoder", vocab)
        state = torch.load(path / "heads.pt", weights_only=True)
        net.tags.load_state_dict(state["tags"])
        for role, head in net.heads.items():
            head.load_state_dict(state["heads"][role])
        net.eval()
        tokenizer = AutoTokenizer.from_pretrained(str(path / "encoder"))
        return cls(net, tokenizer, vocab, f"learned:{ENCODER}@{path.name[:12]}")

    def raw(self, texts: list[str], contexts: list[str], batch_size: int = 64,
            full: bool = False) -> list[dict[str, Any]]:
        """Per turn, what the network says before assembly: `spans` (segment, start, end, role,
        confidence) and, per head, class probabilities (`heads`: role -> {class: p}): the most
        probable class and the most probable constant (a template without slots), or with
        `full` every class with p >= 0.01 as well."""
        import torch

        feats = _features(self.tokenizer, texts, contexts)
        out: list[dict[str, Any]] = [{} for _ in texts]
        order = sorted(range(len(feats)), key=lambda i: len(feats[i]["input_ids"]))
        consts = {role: [k for k, c in enumerate(classes) if _constant(c)] for role, classes in self.vocab.heads.items()
                  if not role.startswith("count.")}
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                batch = [feats[i] for i in order[start:start + batch_size]]
                tag_logits, head_logits = self.net(_pad(batch, "input_ids", 0), _pad(batch, "attention_mask", 0),
                                                   _pad(batch, "token_type_ids", 0))
                best = torch.softmax(tag_logits, -1).max(-1)
                tags, probs = best.indices.tolist(), best.values.tolist()
                heads: dict[str, list[dict[str, float]]] = {}
                for role, classes in self.vocab.heads.items():
                    p = torch.softmax(head_logits[_key(role)], -1)
                    top = p.max(-1)
                    rows = [{classes[k]: v} for k, v in zip(top.indices.tolist(), top.values.tolist(), strict=True)]
                    if consts.get(role):
                        idx = torch.tensor(consts[role])
                        c = p[:, idx].max(-1)
                        for row, k, v in zip(rows, c.indices.tolist(), c.values.tolist(), strict=True):
                            row[classes[consts[role][k]]] = v
                    if full:
                        for row, values in zip(rows, p.tolist(), strict=True):
                            row.update({classes[k]: round(v, 4) for k, v in enumerate(values) if v >= 0.01})
                    heads[role] = rows
                for j, feat in enumerate(batch):
                    i = feat["i"]
                    segs = (texts[i], contexts[i])
                    # Word pieces: each span widened to whole words of its segment.
                    n = len(feat["seq"])
                    spans = _merge(segs, [(sq, *_widen(segs[sq], a, b), role, p) for sq, a, b, role, p
                                          in _decode(feat, tags[j][:n], self.vocab, probs[j][:n])])
                    out[i] = {"spans": spans, "heads": {role: rows[j] for role, rows in heads.items()}}
        return out

    def predict(self, texts: list[str], contexts: list[str], batch_size: int = 64) -> list[list[dict[str, Any]]]:
        return [assemble_raw(t, c, r) for t, c, r in zip(texts, contexts, self.raw(texts, contexts, batch_size),
                                                         strict=True)]

    def extract(self, turns: list[Turn]) -> list[Outcome]:
        items = self.predict([t.text for t in turns], [tagging.context_text(t.context) for t in turns])
        return [Outcome(items=finish(found, t)) for found, t in zip(items, turns, strict=True)]


FORGET_TOPIC = True  # a forget turn that names nothing forgets what the last question asked about (repair.py)
READ_CLAUSE = True  # session 11: a teaching turn where nothing was found is read as subject / verb / object (repair.read_clause)


def finish(items: list[dict[str, Any]], turn: Turn) -> list[dict[str, Any]]:
    """Assembled items in the dataset's words (`snap.snap_items`), a bare forget's target from
    the last question (`repair.forget_topic`), a contact value's relation named by its type
    (`relations.value_type`), a correction's old value from the answer it corrects (`oldvalue`,
    off unless switched on), and only well-formed values (`wellformed`)."""
    from lic_cli.extract import explicit, oldvalue, passing, relations, repair, wellformed

    items = snap_items(items, turn.text, turn.context)
    if READ_CLAUSE and not items and turn.label in ("teach", "correct"):
        found = repair.read_clause(turn.text) or passing.topic_clause(turn.text)
        items = [found] if found else items
    items = passing.repair(items, turn.text, turn.label)
    items = explicit.repair(items, turn.text, turn.context, turn.label)
    items = repair.forget_topic(items, turn.text, turn.context, turn.label) if FORGET_TOPIC else items
    items = oldvalue.repair(relations.value_type(items), turn.text, turn.context, turn.label)
    return wellformed.repair(items, turn.context)


FALLBACK = True  # fill a required field the tags left empty with the head's most likely constant
# Facts only: attribute names ("price", "location") recur across domains, and a constant
# subject, though rarely right, keeps the item's object (measured on the dev domains); a
# constant question or note learned in one domain is wrong in any other.
FALLBACK_ROLES = ("fact.subject", "fact.relation")


def _constant(cls: str) -> bool:
    return cls not in (tagging.SPAN, tagging.THIRD) and not any(s in cls for s in tagging.SLOTS)


def assemble_raw(text: str, context: str, raw: dict[str, Any]) -> list[dict[str, Any]]:
    """Items from one turn's `LearnedEngine.raw` output: each head's most probable class."""
    chosen = {role: max(probs, key=probs.get) for role, probs in raw["heads"].items()}
    counts = {r.split(".", 1)[1]: int(v) for r, v in chosen.items() if r.startswith("count.")}
    fallback = {role: max((c for c in probs if _constant(c)), key=probs.get)
                for role, probs in raw["heads"].items()
                if role in FALLBACK_ROLES and any(_constant(c) for c in probs)} if FALLBACK else None
    confidence = {role: raw["heads"][role][cls] for role, cls in chosen.items()}
    spans = raw["spans"]
    return tagging.assemble(text, context, [tuple(s[:4]) for s in spans], chosen, counts, [s[4] for s in spans],
                            fallback, confidence)


# --- training -------------------------------------------------------------------------

def corpus_rows(files: Sequence[str] = CORPUS) -> list[dict]:
    rows = []
    for name in files:
        path = DATA / name
        if path.is_file():
            with open(path, encoding="utf-8") as fh:
                rows.extend(json.loads(line) for line in fh if line.strip())
    return rows


def trained_path() -> Path | None:
    """The cached model for the packaged corpus, or None when it was never trained here."""
    path = cache_path(corpus_rows())
    return path if (path / "vocab.json").is_file() else None


def cache_path(rows: list[dict]) -> Path:
    from lic_cli.models import cache_dir

    h = hashlib.sha256()
    for r in rows:
        if r.get("split") == "train":
            h.update(json.dumps([r.get("text"), r.get("context"), r.get("knowledge")], sort_keys=True).encode())
    h.update(f"{ENCODER}|{MAX_LENGTH}|{EPOCHS}|{BATCH}|{LR}|{HEAD_LR}|{MIN_TEMPLATE}|{SEED}|{CACHE_VERSION}".encode())
    if (FROZEN_LAYERS, NONE_FRACTION) != (0, 1.0):
        h.update(f"|{FROZEN_LAYERS}|{NONE_FRACTION}".encode())
    return cache_dir("extract") / f"learned-{h.hexdigest()[:16]}"


def _subsample(rows: list[dict], none_fraction: float) -> list[dict]:
    """The train rows, with a seeded `none_fraction` of the non-teaching ones."""
    import random

    if none_fraction >= 1.0:
        return rows
    rng = random.Random(SEED)
    return [r for r in rows if r.get("label") != "none" or rng.random() < none_fraction]


def _mask4d(mask):
    """An additive attention mask [batch, 1, 1, tokens] for calling encoder layers directly."""
    import torch

    return (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min


def _lower_states(net, feats: list[dict], frozen: int, batch_size: int = 64) -> None:
    """Each feature's hidden states after the embeddings and the first `frozen` layers
    (feat["h"], float16, unpadded): computed once, since those layers do not train."""
    import torch

    enc = net.encoder
    enc.eval()
    order = sorted(range(len(feats)), key=lambda i: len(feats[i]["input_ids"]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = [feats[i] for i in order[start:start + batch_size]]
            ids, mask = _pad(batch, "input_ids", 0), _pad(batch, "attention_mask", 0)
            h = enc.embeddings(input_ids=ids, token_type_ids=_pad(batch, "token_type_ids", 0))
            m = _mask4d(mask)
            for layer in enc.encoder.layer[:frozen]:
                h = layer(h, m)
                h = h[0] if isinstance(h, tuple) else h
            for j, f in enumerate(batch):
                f["h"] = h[j, :len(f["input_ids"])].to(torch.float16).clone()


def _upper(net, batch: list[dict], frozen: int):
    """The network's outputs from cached lower states: the layers above `frozen`, then the heads."""
    import torch

    n = max(len(f["input_ids"]) for f in batch)
    h = torch.zeros(len(batch), n, batch[0]["h"].shape[-1])
    for j, f in enumerate(batch):
        h[j, :len(f["input_ids"])] = f["h"].float()
    m = _mask4d(_pad(batch, "attention_mask", 0))
    for layer in net.encoder.encoder.layer[frozen:]:
        h = layer(h, m)
        h = h[0] if isinstance(h, tuple) else h
    h = net.dropout(h)
    return net.tags(h), {r: head(h[:, 0]) for r, head in net.heads.items()}


def train(rows: list[dict], path: Path, *, epochs: int = EPOCHS, note: Note | None = None,
          limit_seconds: float | None = None, frozen_layers: int = FROZEN_LAYERS,
          none_fraction: float = NONE_FRACTION, lr: float = LR, head_lr: float = HEAD_LR) -> dict[str, Any]:
    """Train on the rows of split `train` and save to `path` (atomically)."""
    from lic_cli import models

    note = note or _stderr
    models.offline()
    import torch
    from transformers import AutoTokenizer

    models.quiet_loading()
    torch.manual_seed(SEED)
    from lic_cli.models.runtime import cpu_threads

    torch.set_num_threads(cpu_threads())
    base = models.resolve(ENCODER)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    train_rows = _subsample([r for r in rows if r.get("split") == "train"], none_fraction)
    texts = [r["text"] for r in train_rows]
    contexts = [tagging.context_text(r.get("context") or []) for r in train_rows]
    encoded = [tagging.encode_row(t, c, r.get("knowledge") or []) for t, c, r in zip(texts, contexts, train_rows,
                                                                                         strict=True)]
    vocab = build_vocab(encoded)
    feats = _features(tokenizer, texts, contexts)
    for feat, enc, row in zip(feats, encoded, train_rows, strict=True):
        row_items = row.get("knowledge") or []
        feat["tags"] = _tag_ids(feat, enc.spans, vocab)
        feat["heads"] = {r: (c.index(enc.templates[r]) if enc.templates.get(r) in c else
                             (0 if r not in enc.templates else -100)) for r, c in vocab.heads.items()
                         if not r.startswith("count.")}
        feat["heads"].update({f"count.{k}": n for k, n in item_counts(row_items).items()})
    net = _net(base, vocab)
    # Frozen word embeddings: half of MiniLM's weights, about 2x faster steps on CPU (as
    # train/classify.py), and the corpus cannot usefully move 30k token vectors anyway.
    net.encoder.get_input_embeddings().weight.requires_grad_(False)
    start = time.perf_counter()
    if frozen_layers:
        for p in [*net.encoder.embeddings.parameters(), *net.encoder.encoder.layer[:frozen_layers].parameters()]:
            p.requires_grad_(False)
        note(f"extract: learned engine: reading {len(feats)} training turns once ({frozen_layers} frozen layers)")
        _lower_states(net, feats, frozen_layers)
    # The new heads start from random: they learn at a higher rate than the encoder.
    head_params = [p for n, p in net.named_parameters() if not n.startswith("encoder.")]
    opt = torch.optim.AdamW([{"params": [p for p in net.encoder.parameters() if p.requires_grad], "lr": lr},
                             {"params": head_params, "lr": head_lr}], weight_decay=0.01)
    steps = epochs * ((len(feats) + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / max(1, steps // 10)) *
                                              max(0.0, (steps - s) / steps))
    gen = torch.Generator().manual_seed(SEED)
    step = 0
    net.train()
    for epoch in range(epochs):
        # Batches of similar length (shuffled within buckets): less padding per step.
        perm = torch.randperm(len(feats), generator=gen).tolist()
        chunks = [sorted(perm[i:i + BATCH * 8], key=lambda k: len(feats[k]["input_ids"]))
                  for i in range(0, len(perm), BATCH * 8)]
        batches = [c[i:i + BATCH] for c in chunks for i in range(0, len(c), BATCH)]
        order = torch.randperm(len(batches), generator=gen).tolist()
        total = 0.0
        for n_batch, bi in enumerate(order, 1):
            batch = [feats[k] for k in batches[bi]]
            if frozen_layers:
                tag_logits, head_logits = _upper(net, batch, frozen_layers)
            else:
                tag_logits, head_logits = net(_pad(batch, "input_ids", 0), _pad(batch, "attention_mask", 0),
                                              _pad(batch, "token_type_ids", 0))
            gold = _pad(batch, "tags", -100)
            loss = torch.nn.functional.cross_entropy(tag_logits.reshape(-1, tag_logits.shape[-1]), gold.reshape(-1),
                                                     ignore_index=-100)
            for role in vocab.heads:
                y = torch.tensor([f["heads"][role] for f in batch])
                if (y >= 0).any():
                    loss = loss + 0.5 * torch.nn.functional.cross_entropy(head_logits[_key(role)], y,
                                                                          ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            total += float(loss.detach())
            if n_batch % 50 == 0:
                note(f"extract: learned engine epoch {epoch + 1}/{epochs}: {n_batch}/{len(order)} batches, "
                     f"loss {total / n_batch:.4f} ({time.perf_counter() - start:.0f} s)")
            if limit_seconds and time.perf_counter() - start > limit_seconds:
                break
        note(f"extract: learned engine epoch {epoch + 1}/{epochs}: loss {total / max(1, len(order)):.4f} "
             f"({time.perf_counter() - start:.0f} s)")
    net.eval()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=path.name + ".", dir=path.parent))
    try:
        net.encoder.save_pretrained(tmp / "encoder", safe_serialization=True)
        tokenizer.save_pretrained(tmp / "encoder")
        torch.save({"tags": net.tags.state_dict(), "heads": {r: h.state_dict() for r, h in net.heads.items()}},
                   tmp / "heads.pt")
        info = {"train_rows": len(train_rows), "epochs": epochs, "steps": step, "frozen_layers": frozen_layers,
                "none_fraction": none_fraction, "lr": lr, "head_lr": head_lr,
                "seconds": round(time.perf_counter() - start, 1), "tags": len(vocab.tags),
                "templates": sum(len(c) - 1 for c in vocab.heads.values())}
        (tmp / "info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
        (tmp / "vocab.json").write_text(json.dumps(vocab.to_dict()), encoding="utf-8")
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return info
