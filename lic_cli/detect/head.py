"""The fast intent classifier: a small MLP on frozen MiniLM embeddings.

Features are [u, a, u*a, p, u*p, has_context, has_user, words(u), words(a), words(p),
pair(u, a), mid(u)] for the user turn u, the previous assistant turn a and the user turn p
that a answered (zeros when there is none), each embedded on its own. mid(u) is the mean of
earlier layers' token states (models.embed.MID_LAYERS), from the same encoder pass: the
sentence embedding is tuned for topic similarity and blurs how a turn is said (a statement,
a question, a request), which the earlier layers still carry (dev macro-F1 0.873 -> 0.939,
session 7). Embedding single turns (not
the joined context) means a transcript's turns are each embedded once, so detect costs
about what embedding the transcript costs. The embeddings carry meaning, the hashed word
and bigram features carry the cue phrases that mean-pooled embeddings blur ("what if", "just so you know", "forget it"), and the pair features (word
overlap, numbers on either side, whether a asked a question) let the head learn that "No,
it's 30 days" after an answer is a correction and after a question an answer; words(p)
carries what the person asked for before ("remove ...", "is wrong"). ENSEMBLE nets trained
from different seeds, with class weights, are averaged (in logits, so the cached head is one
MLP with their hidden layers side by side). It trains in seconds, is calibrated on dev rows (calibration.py: temperature, none bias, threshold), and is
cached per training-data hash under $LIC_HOME/cache/detect/.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from lic_cli import progress
from lic_cli.detect import calibration
from lic_cli.detect.calibration import Calibration
from lic_cli.detect.features import Example, read_examples
from lic_cli.errors import TaskConfigError
from lic_cli.models import cache_dir, load_encoder
from lic_cli.models.embed import MID_LAYERS
from lic_cli.models.mlp import MLP
from lic_cli.records import CONTEXT_SEP
from lic_cli.store.rows import file_hash
from lic_cli.tasks import Project, Task

if TYPE_CHECKING:
    import numpy as np

ENCODER = "minilm"
HIDDEN = 256
# 12 epochs on the smaller hashed blocks below train in ~4 s instead of ~25 s, at the same dev
# macro-F1 (0.872 vs 0.872, session 6): first use is bounded by embedding the corpus. With the
# earlier layers' means (session 7, dev): 3 nets x 12 epochs 0.939, 2 x 10 0.939, 2 x 12 0.938,
# 3 x 12 with 128 hidden units 0.939: the cheapest is kept (first use <= 60 s).
EPOCHS = 10
BATCH_ROWS = 256
# A project's own intent rows count this many times a packaged row: they are few, reviewed and
# about the project's own phrasing, and a phrasing taught through the loop must win.
PROJECT_WEIGHT = 4.0
LR = 2e-3
TEXT_BUCKETS = 2048
CONTEXT_BUCKETS = 512
# Dev macro-F1 (session 6, 3 runs each): one net 0.872, three averaged 0.878, with class
# weights (inverse label frequency, mean 1) 0.882. Embedding the turn's first and last four
# words on their own as well (the opener and closer) gave 0.879: not kept. Session 7: 2 nets
# (see EPOCHS).
ENSEMBLE = 2
CLASS_WEIGHTS = True
ENCODE_BATCH = 128  # texts per encoder run (2 cores, short turns: ~20 % faster than 64)
CHUNK = 1024  # corpus texts per progress step on first use
_TOKEN = re.compile(r"[a-z0-9']+|[?!]")
_DIGIT = re.compile(r"\d")
DROPOUT = 0.3
WEIGHT_DECAY = 0.1
SEED = 0
CACHE_VERSION = "v12"  # bump when features, training or the cached layout change


def _features(encoder, texts: list[str], contexts: list[str]) -> np.ndarray:
    import numpy as np

    # One encoder call for the distinct single turns: the user turns, the assistant turns
    # before them and the earlier user turns. In a transcript each turn is then embedded
    # once (the earlier user turn is an earlier turn's text), so detect does no more
    # encoder work than embedding the transcript; the encoder sorts the call by length.
    users, assistants = _split(contexts)
    uniq = list(dict.fromkeys([*texts, *(x for x in assistants if x), *(q for q in users if q)]))
    table = dict(zip(uniq, _both(encoder, uniq), strict=True))
    dim = len(next(iter(table.values()))) if table else 0
    zero = np.zeros(dim, dtype=np.float32)

    def embed(xs: list[str]) -> np.ndarray:
        return np.stack([table.get(x, zero) for x in xs]) if xs else np.zeros((0, dim), dtype=np.float32)

    d = dim // (1 + len(MID_LAYERS))  # each vector is [sentence embedding | MID_LAYERS' means]
    whole = embed(texts)
    u, u_mid, a, p = whole[:, :d], whole[:, d:], embed(assistants)[:, :d], embed(users)[:, :d]
    has = np.array([[bool(x), bool(q)] for x, q in zip(contexts, users, strict=True)],
                   dtype=np.float32).reshape(len(u), 2)
    return np.concatenate([u, a, u * a, p, u * p, has, _words(texts, TEXT_BUCKETS),
                           _words(assistants, CONTEXT_BUCKETS), _words(users, CONTEXT_BUCKETS),
                           _pair(texts, assistants), u_mid], axis=1)


def _both(encoder, texts: list[str]) -> np.ndarray:
    """(n, (1 + len(MID_LAYERS)) * dim): each text's sentence embedding and its MID_LAYERS means, side by side."""
    import numpy as np

    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(encoder.encode_layers(texts, batch_size=ENCODE_BATCH), axis=1)


def _split(contexts: list[str]) -> tuple[list[str], list[str]]:
    """(earlier user turns, assistant turns) of joined contexts (records.join_context)."""
    parts = [x.rpartition(CONTEXT_SEP) for x in contexts]
    return [p for p, _, _ in parts], [a for _, _, a in parts]


def _pair(texts: list[str], contexts: list[str]) -> np.ndarray:
    """How the turn relates to its context: a correction repeats the context's words and
    swaps a value; an answer follows a question."""
    import numpy as np

    out = np.zeros((len(texts), 6), dtype=np.float32)
    for i, (text, ctx) in enumerate(zip(texts, contexts, strict=True)):
        ut, ct = set(_TOKEN.findall(text.lower())), set(_TOKEN.findall(ctx.lower()))
        out[i] = (len(ut & ct) / max(1, len(ut)), bool(_DIGIT.search(text)), bool(_DIGIT.search(ctx)),
                  ctx.rstrip().endswith("?"), "?" in text, min(len(ut), 40) / 40)
    return out


def _words(texts: list[str], buckets: int) -> np.ndarray:
    """L2-normalized hashed bag of words, bigrams and the opening words (crc32: stable across runs)."""
    import numpy as np

    out = np.zeros((len(texts), buckets), dtype=np.float32)
    for i, text in enumerate(texts):
        toks = _TOKEN.findall(text.lower())
        grams = toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)] + [f"^{' '.join(toks[:n])}" for n in (1, 2)]
        for g in grams:
            out[i, zlib.crc32(g.encode()) % buckets] = 1.0
        norm = float(np.linalg.norm(out[i]))
        if norm:
            out[i] /= norm
    return out


class Remembered:
    """An encoder that remembers embeddings it was given: the packaged corpus is embedded
    once per machine (cached under $LIC_HOME keyed by corpus and encoder), so a head that
    a project's intent rows extend only embeds those rows."""

    def __init__(self, encoder, table: dict[str, np.ndarray]) -> None:
        self.encoder = encoder
        self.table = table

    def encode_layers(self, texts: list[str], batch_size: int = 64) -> tuple[np.ndarray, np.ndarray]:
        import numpy as np

        miss = [t for t in dict.fromkeys(texts) if t not in self.table]
        if miss:
            self.table.update(zip(miss, np.concatenate(self.encoder.encode_layers(miss, batch_size=batch_size),
                                                       axis=1), strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32), np.zeros((0, 0), dtype=np.float32)
        both = np.stack([self.table[t] for t in texts])
        d = both.shape[1] // (1 + len(MID_LAYERS))
        return both[:, :d], both[:, d:]


def corpus_texts(examples: list[Example]) -> list[str]:
    """The distinct texts training and calibration embed: the train and dev rows' turns,
    assistant turns and earlier user turns (test rows are embedded when scored)."""
    used = [e for e in examples if e.split in ("train", "dev")]
    users, assistants = _split([e.context for e in used])
    return [t for t in dict.fromkeys([*(e.text for e in used), *assistants, *users]) if t]


def corpus_embeddings(examples: list[Example], digest: str, *, note=None) -> dict[str, np.ndarray]:
    """Embeddings of every text the packaged corpus's examples feed the encoder, cached."""
    import numpy as np

    key = hashlib.sha256(f"{digest}|{ENCODER}|{MID_LAYERS}|{CACHE_VERSION}".encode()).hexdigest()[:16]
    path = cache_dir("detect") / f"corpus-emb-{key}.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as data:
                return dict(zip(data["texts"].tolist(), data["vectors"].astype(np.float32), strict=True))
        except (OSError, ValueError, KeyError):
            pass
    # Longest first and in chunks, so the progress line moves and padding stays small.
    uniq = sorted(corpus_texts(examples), key=len, reverse=True)
    encoder = load_encoder(ENCODER)
    parts = []
    for start in range(0, len(uniq), CHUNK):
        if note:
            note(f"embedding corpus texts, {start:,} of {len(uniq):,}")
        parts.append(_both(encoder, uniq[start:start + CHUNK]))
    vectors = np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        np.savez(fh, texts=np.array(uniq), vectors=vectors.astype(np.float16))
    os.replace(tmp, path)
    # The same rounding as a later read, so a first run and a cached run train the same head.
    return dict(zip(uniq, vectors.astype(np.float16).astype(np.float32), strict=True))


class Head:
    def __init__(self, net, labels: tuple[str, ...], name: str, cal: Calibration) -> None:
        self.net = net
        self.labels = labels
        self.name = name
        self.calibration = cal
        self.threshold = cal.threshold
        self.encoder = load_encoder(ENCODER)
        self.memory: dict[tuple[str, str], int] = {}

    def raw_proba(self, texts: list[str], contexts: list[str]) -> np.ndarray:
        """Uncalibrated probabilities (what the temperature is fitted on); numpy only, no torch."""
        if not texts:
            import numpy as np

            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return self.net.proba(_features(self.encoder, texts, contexts))

    def predict_proba(self, texts: list[str], contexts: list[str]) -> np.ndarray:
        """Calibrated probabilities, columns in `self.labels` order. A turn the project's
        intent dataset holds verbatim (a train row, case and spacing aside, in the same
        context) gets that row's label: a phrasing taught through the loop always wins."""
        proba = calibration.apply(self.raw_proba(texts, contexts), self.calibration, self.labels)
        if self.memory:
            for i, key in enumerate(map(_key, texts, contexts)):
                k = self.memory.get(key)
                if k is not None:
                    proba[i] = (1 - MEMORY_SCORE) / (len(self.labels) - 1)
                    proba[i, k] = MEMORY_SCORE
        return proba


MEMORY_SCORE = 0.99
_SPACE = re.compile(r"\s+")


def _key(text: str, context: str) -> tuple[str, str]:
    return _SPACE.sub(" ", text).strip().rstrip(".!").casefold(), _SPACE.sub(" ", context).strip().casefold()


def memory_of(own: list[Example], labels: tuple[str, ...]) -> dict[tuple[str, str], int]:
    """The project's train rows by (text, context); a key two rows label differently is left out."""
    out: dict[tuple[str, str], int] = {}
    clash = set()
    for e in own:
        if e.split != "train":
            continue
        key, k = _key(e.text, e.context), labels.index(e.label)
        if out.get(key, k) != k:
            clash.add(key)
        out[key] = k
    return {key: k for key, k in out.items() if key not in clash}


def _net(dim: int, n_labels: int):
    import torch

    return torch.nn.Sequential(torch.nn.Linear(dim, HIDDEN), torch.nn.ReLU(), torch.nn.Dropout(DROPOUT),
                               torch.nn.Linear(HIDDEN, n_labels))


def train_head(examples: list[Example], labels: tuple[str, ...], *, progress=None, encoder=None,
               weights=None) -> MLP:
    """Mini-batch AdamW on the train rows' features (all rows when none is marked train):
    ENSEMBLE nets from different seeds, merged into one MLP that averages their logits."""
    import torch

    train = [e for e in examples if e.split == "train"] or examples
    x = torch.from_numpy(_features(encoder or load_encoder(ENCODER), [e.text for e in train],
                                   [e.context for e in train]))
    y = torch.tensor([labels.index(e.label) for e in train])
    w = torch.ones(len(y)) if weights is None else torch.tensor(
        [weights(e) for e in train], dtype=torch.float32)
    if CLASS_WEIGHTS:  # every label weighs the same in total: inverse frequency, mean 1 over the labels
        count = torch.bincount(y, minlength=len(labels)).float()
        inverse = len(y) / count.clamp(min=1)
        w = w * (inverse / inverse[count > 0].mean())[y]
    nets = []
    for member in range(ENSEMBLE):
        torch.manual_seed(SEED + member)
        net = _net(x.shape[1], len(labels))
        opt = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
        gen = torch.Generator().manual_seed(SEED + member)
        net.train()
        for epoch in range(EPOCHS):
            for idx in torch.randperm(len(y), generator=gen).split(BATCH_ROWS):
                opt.zero_grad()
                loss = (torch.nn.functional.cross_entropy(net(x[idx]), y[idx], reduction="none") * w[idx]).sum() \
                    / w[idx].sum()
                loss.backward()
                opt.step()
            if progress:
                progress(member * EPOCHS + epoch + 1, ENSEMBLE * EPOCHS)
        net.eval()
        nets.append(MLP.from_state(net.state_dict()))
    return merge(nets)


def merge(nets: list[MLP]) -> MLP:
    """One MLP whose logits are the mean of `nets`' logits (one hidden layer each): their
    hidden units side by side, the output weights divided by their number."""
    import numpy as np

    n = len(nets)
    w0 = np.concatenate([m.weights[0] for m in nets], axis=1)  # (in, n * hidden)
    b0 = np.concatenate([m.biases[0] for m in nets])
    w1 = np.concatenate([m.weights[1] for m in nets], axis=0) / n  # (n * hidden, out)
    b1 = sum(m.biases[1] for m in nets) / n
    return MLP([w0.T, w1.T], [b0, b1])


def cache_path(digest: str, labels: tuple[str, ...]) -> Path:
    # Keyed by the training data (packaged corpus, lic version, the project's intent
    # dataset) and the label order the head's outputs follow.
    key = hashlib.sha256(f"{digest}|{'|'.join(labels)}|{ENCODER}|{HIDDEN}|{EPOCHS}|{BATCH_ROWS}|{LR}|{WEIGHT_DECAY}|"
                         f"{DROPOUT}|{TEXT_BUCKETS}|{CONTEXT_BUCKETS}|{ENSEMBLE}|{CLASS_WEIGHTS}|{MID_LAYERS}|{CACHE_VERSION}".encode()).hexdigest()
    return cache_dir("detect") / f"head-{key[:16]}.npz"


def training_data(project: Project | None, task: Task | None) -> tuple[str, list[Example], list[Example],
                                                                      tuple[str, ...]]:
    """(data digest, packaged examples, the project's intent examples, labels). The project's
    train rows train beside the packaged ones; dev rows of both calibrate."""
    from lic_cli import __version__
    from lic_cli.detect.corpus import LABELS, corpus_hash, read_corpus

    labels, own = LABELS, []
    digest = f"corpus:{corpus_hash()}|lic:{__version__}"
    if project is not None and task is not None:
        if set(task.labels) != set(LABELS):
            raise TaskConfigError(f"task '{task.name}': labels must be {', '.join(LABELS)} to extend the default "
                                  f"detector (got {', '.join(task.labels)})")
        labels = tuple(task.labels)
        own = read_examples(project, task)
        digest += f"|project:{file_hash(project.dataset_path(task))}|weight:{PROJECT_WEIGHT}"
    return hashlib.sha256(digest.encode()).hexdigest(), read_corpus(), own, labels


def load_head(project: Project | None, task: Task | None) -> Head:
    """The cached head (numpy weights: scoring never imports torch), else trained once and cached.

    Without an intent task the head is lic's default detector, trained on the packaged
    corpus alone; a project's intent task adds its rows, weighted PROJECT_WEIGHT times
    (docs/detect.md).
    """
    from lic_cli.detect.corpus import corpus_hash

    digest, packaged, own, labels = training_data(project, task)
    path = cache_path(digest, labels)
    name = f"head:{ENCODER}@{'default' if task is None else 'project'}-{digest[:12]}"
    if path.is_file():
        try:
            net, extra = MLP.load(path)
            head = Head(net, labels, name, Calibration.from_dict(json.loads(str(extra["calibration"]))))
            head.memory = memory_of(own, labels)
            return head
        except (OSError, ValueError, KeyError):  # a damaged cache file: train again
            pass
    examples = packaged + own
    n_train = sum(e.split == "train" for e in examples)
    what = f"detect: training the intent detector on {n_train:,} turns (first use; cached in {path.parent})"
    with progress.Progress(what, after=0) as bar:
        table = corpus_embeddings(packaged, corpus_hash(), note=lambda x: bar.update(f"{what}: {x}"))
        encoder = Remembered(load_encoder(ENCODER), table)
        mine = {id(e) for e in own}
        net = train_head(examples, labels, encoder=encoder, weights=lambda e: PROJECT_WEIGHT if id(e) in mine else 1.0,
                         progress=lambda i, n: bar.update(f"{what}: epoch {i} of {n}"))
        bar.update(f"{what}: calibrating")
        head = Head(net, labels, name, Calibration())
        head.encoder = encoder
        dev = [e for e in examples if e.split == "dev"]
        from lic_cli.detect.corpus import ORDINARY

        cal = calibration.calibrate(head.raw_proba([e.text for e in dev], [e.context for e in dev]),
                                    [labels.index(e.label) for e in dev], labels,
                                    ordinary=[e.form in ORDINARY for e in dev])
        head.encoder = encoder.encoder
        bar.update(what)
    head.calibration, head.threshold = cal, cal.threshold
    head.memory = memory_of(own, labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    import numpy as np

    net.save(path, calibration=np.array(json.dumps(cal.to_dict())))
    return head
