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

The parts, by what they do (this module is the trained ranker itself, its cache and when it
trains; it re-exports the names the others had here):

- chat/rankdata.py: the data (items, the split by domain, general requests, probes);
- chat/ranktrain.py: fine-tuning the encoder (settings, pairs, steps, the loop, the folder);
- chat/rankcal.py: the head over the row index's features and the threshold's calibration.

Training data: chat/rankdata.py says what it is and where it comes from (docs/chat.md,
"Learned retriever"); the evaluation domains (evals/chat, the demo) are never read.

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
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from lic_cli import progress
from lic_cli.chat.rankcal import Setup, best_scores, calibrate, fit_head, setups
from lic_cli.chat.rankcal import memo as _memo
from lic_cli.chat.rankdata import (
    DATA,
    DEV_DOMAINS,
    NEVER,
    PROBES,
    RETRIEVAL,
    SEED,
    Item,
    all_items,
    data_files,
    null_questions,
    probe_questions,
    read_items,
    split_items,
    teaching_items,
)
from lic_cli.chat.ranktrain import BASE, Group, Settings, batches, groups, train
from lic_cli.chat.ranktrain import save as _save
from lic_cli.chat.ranktrain import torch_encode as _torch_encode
from lic_cli.data import TEACHING

__all__ = ["DATA", "DEV_DOMAINS", "NEVER", "PROBES", "RETRIEVAL", "SEED", "Group", "Item", "Ranker", "Settings",
           "Setup", "_memo", "_save", "_torch_encode", "all_items", "batches", "best_scores", "cached", "calibrate",
           "data_files", "describe", "enabled", "ensure", "fingerprint", "fit_head", "folder", "for_chat", "groups",
           "null_questions", "probe_questions", "read_items", "setups", "split_items", "teaching_items", "train",
           "train_on_first_use"]

CODE_VERSION = "1"  # bump when training or calibration changes what a trained folder holds
TRAIN_ENV = "LIC_RANKER_TRAIN"  # "1": train on chat's first use (default: only `lic models --ranker` trains it)
USE_ENV = "LIC_RANKER"  # "0": retrieval on the base model, trained or not
FIRST_USE_SECONDS = 160  # measured: 161.6 s on 2 cores under load 1.8 (docs/chat.md)
DEFAULT = Settings()


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
