"""A learned scope judge: does a question ask what a taught row answers?

The scope gate (scope.py) finds the taught rows nearest to a question by MiniLM similarity.
Similarity cannot tell a rewording of a taught question from a question near it that asks
something else ("How many DVDs can a member borrow ...?" against "How many books ..."): on
the bench domains the near misses sit closer to their taught question than the written
paraphrases do. The judge reads the question and the row together (a cross-encoder: the
packaged MiniLM with its token states mean-pooled into one logit) and says whether the
question asks what the row answers.

It is trained, once per machine, on the packaged retrieval domains
(lic_cli/data/retrieval/*.jsonl: invented businesses, each fact with hand-written
paraphrases and, where written, near-miss questions), never on a project's own rows:

- positives: (a fact's question, its row) and (each paraphrase, its row);
- negatives: (each near-miss question, its row: the rows' own `near_miss` and, joined by id, the
  hand-written ones of lic_cli/data/near_miss/<domain>.jsonl, session 11); the other facts of the same domain, the
  ones nearest by content words (same subject, other relation: "weekend opening time" for
  "weekday opening time"), as questions and as paraphrases; and one question of another
  domain.

The row is shown as its taught question and answer ("What time ... weekdays? Answer: 9:00").
The weights are cached under $LIC_HOME/cache/scope_judge/<key>, keyed by the training data,
this module's source and the settings, so a change to any of them trains a new judge and
an old one is never used by mistake. Training takes a few minutes on 2 CPU cores
(docs/train.md gives the measured first-use cost); later processes only load it.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lic_cli import progress
from lic_cli.errors import ModelLoadError
from lic_cli.models.judge import STOP_WORDS, tokens

if TYPE_CHECKING:
    import numpy as np

CACHE_KIND = "scope_judge"
DONE_FILE = "judge.json"


@dataclass(frozen=True)
class Settings:
    """How the judge is trained (part of its cache key)."""

    encoder: str = "minilm"
    epochs: int = 2
    learning_rate: float = 5e-5
    batch_size: int = 32
    max_length: int = 64
    near_rows: int = 3  # other facts of the domain, nearest first, whose questions are negatives
    near_paraphrases: int = 2  # paraphrases of other facts, nearest first, that are negatives
    other_domain: int = 1  # questions of other domains that are negatives, per fact
    swaps: int = 3  # the question with one word swapped for another fact's word, per fact (negatives)
    seed: int = 13
    # Join the hand-written near misses of lic_cli/data/near_miss/<name> (beside the retrieval folder) to
    # the rows by id (session 11: chosen on the tuning domains as the check after generation's judge).
    near_miss_files: bool = True


DEFAULT = Settings()  # what the shipped judge is trained with


@dataclass(frozen=True)
class Pair:
    question: str
    row: str  # row_text(taught question, answer)
    label: int  # 1: asks what the row answers
    kind: str  # "question", "paraphrase", "near_miss", "other_row", "other_paraphrase", "other_domain", "swap"


def row_text(question: str, answer: str) -> str:
    """How a taught row is shown to the judge."""
    return f"{question.strip()} Answer: {answer.strip()}"


def _words(text: str) -> set[str]:
    return {t[:5] for t in tokens(text) if t not in STOP_WORDS and len(t) > 2}


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def near_miss_file(path: Path) -> Path | None:
    """The hand-written near misses of a retrieval file: ../near_miss/<its name>, when there is one."""
    found = path.parent.parent / "near_miss" / path.name
    return found if found.is_file() else None


def _near_misses(path: Path) -> dict[str, list[str]]:
    """{fact id: near-miss questions} of a near-miss file; one clear error naming file, line and field."""
    out: dict[str, list[str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise ModelLoadError(f"{path}:{n}: not JSON ({exc})") from None
        if not isinstance(row.get("id"), str):
            raise ModelLoadError(f"{path}:{n}: field 'id': expected a string")
        if not isinstance(row.get("near_miss"), list) or not all(isinstance(x, str) for x in row["near_miss"]):
            raise ModelLoadError(f"{path}:{n}: field 'near_miss': expected a list of strings")
        out[row["id"]] = row["near_miss"]
    return out


def domains_from(paths: Sequence[Path], near_miss_files: bool = False) -> dict[str, list[dict[str, Any]]]:
    """{domain: rows} from JSONL files of {question, answer, paraphrases[, near_miss]}, with each file's
    near_miss_file joined in by id when asked; one clear error naming file, line and field otherwise."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        joined = _near_misses(found) if near_miss_files and (found := near_miss_file(path)) else {}
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise ModelLoadError(f"{path}:{n}: not JSON ({exc})") from None
            for key in ("question", "answer"):
                if not isinstance(row.get(key), str) or not row[key].strip():
                    raise ModelLoadError(f"{path}:{n}: field '{key}': expected a non-empty string")
            for key in ("paraphrases", "near_miss"):
                if not isinstance(row.get(key, []), list) or not all(isinstance(x, str) for x in row.get(key, [])):
                    raise ModelLoadError(f"{path}:{n}: field '{key}': expected a list of strings")
            if joined.get(row.get("id")):
                row = {**row, "near_miss": [*row.get("near_miss", []), *joined[row["id"]]]}
            rows.append(row)
        out[str(rows[0].get("domain") or path.stem) if rows else path.stem] = rows
    return out


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|\d+(?:[.:,]\d+)?")


def _swappable(question: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the question's content words and numbers after its first two
    words (the frame: "How much", "What time", "Who handles"): what a swap may replace."""
    words = question.split()
    frame = len(" ".join(words[:2])) if len(words) > 2 else len(question)
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(question) if m.start() >= frame and
            (m.group()[0].isdigit() or (len(m.group()) > 3 and m.group().casefold() not in STOP_WORDS))]


def swaps(question: str, donors: Sequence[str], n: int, rng: random.Random) -> list[str]:
    """Up to n near misses made from the question: one content word (or number) replaced by a
    word of a donor question (another fact's) that the question does not use; a number by
    another number. Same frame, other subject or relation: the kind of question a gate must
    keep out."""
    spots = _swappable(question)
    mine = {w.casefold() for _, _, w in spots}
    pool = sorted({w for d in donors for _, _, w in _swappable(d) if w.casefold() not in mine and not w[0].isdigit()})
    out: list[str] = []
    for start, end, word in rng.sample(spots, len(spots)):
        if word[0].isdigit():
            new = str(int(re.sub(r"\D.*", "", word) or 0) + rng.randint(2, 9))
        elif pool:
            new = rng.choice(pool)
            new = new[0].upper() + new[1:] if word[0].isupper() else (new.lower() if not new.isupper() else new)
        else:
            continue
        made = question[:start] + new + question[end:]
        if made != question and made not in out:
            out.append(made)
        if len(out) == n:
            break
    return out


def training_pairs(domains: dict[str, list[dict[str, Any]]], settings: Settings | None = None) -> list[Pair]:
    """The judge's training pairs (see the module docstring), in a seeded order."""
    settings = settings or DEFAULT
    rng = random.Random(settings.seed)
    pairs: list[Pair] = []
    names = sorted(domains)
    for name in names:
        rows = domains[name]
        words = [_words(r["question"]) for r in rows]
        others = [q for other in names if other != name for q in (r["question"] for r in domains[other])]
        for i, row in enumerate(rows):
            shown = row_text(row["question"], row["answer"])
            pairs.append(Pair(row["question"], shown, 1, "question"))
            pairs += [Pair(p, shown, 1, "paraphrase") for p in row.get("paraphrases", [])]
            pairs += [Pair(n, shown, 0, "near_miss") for n in row.get("near_miss", [])]
            nearest = sorted((j for j in range(len(rows)) if j != i and rows[j]["answer"] != row["answer"]),
                             key=lambda j: (-_overlap(words[i], words[j]), j))
            pairs += [Pair(rows[j]["question"], shown, 0, "other_row") for j in nearest[:settings.near_rows]]
            paras = [(p, j) for j in nearest for p in rows[j].get("paraphrases", [])]
            paras.sort(key=lambda pj: (-_overlap(words[i], _words(pj[0])), pj[1]))
            pairs += [Pair(p, shown, 0, "other_paraphrase") for p, _ in paras[:settings.near_paraphrases]]
            donors = [rows[j]["question"] for j in nearest]
            pairs += [Pair(q, shown, 0, "swap") for q in swaps(row["question"], donors, settings.swaps, rng)]
            if others:
                pairs += [Pair(q, shown, 0, "other_domain") for q in rng.sample(others, min(settings.other_domain,
                                                                                              len(others)))]
    rng.shuffle(pairs)
    return pairs


def packaged_data() -> list[Path]:
    from lic_cli.data import TEACHING

    return sorted((TEACHING.parent / "retrieval").glob("*.jsonl"))


def cache_key(data: Sequence[Path], settings: Settings) -> str:
    """Hash of the training data, this module's source and the settings."""
    from lic_cli import models

    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(json.dumps(asdict(settings), sort_keys=True).encode())
    encoder = models.resolve(settings.encoder)
    h.update(models.describe(settings.encoder).encode())
    weights = next((encoder / n for n in ("model.safetensors", "pytorch_model.bin") if (encoder / n).is_file()), None)
    h.update(str(weights.stat().st_size if weights else 0).encode())
    for path in data:
        h.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
        found = near_miss_file(path) if settings.near_miss_files else None
        if found is not None:
            h.update(b"near_miss\0" + hashlib.sha256(found.read_bytes()).digest())
    return h.hexdigest()[:16]


def folder_for(data: Sequence[Path] | None = None, settings: Settings | None = None) -> Path:
    from lic_cli import models

    return models.cache_dir(CACHE_KIND) / cache_key(packaged_data() if data is None else data, settings or DEFAULT)


def load(data: Sequence[Path] | None = None, settings: Settings | None = None,
         note: Callable[[str], None] | None = None) -> Judge:
    """The judge trained on `data` (default: the packaged retrieval domains) with `settings`
    (default: DEFAULT): from the cache, else trained once now (a few minutes) and cached."""
    from lic_cli.store.lock import build_once

    settings = settings or DEFAULT
    files = packaged_data() if data is None else list(data)
    target = folder_for(files, settings)
    if not (target / DONE_FILE).is_file():
        if note:
            note(f"training the scope judge once into {target} (a few minutes on 2 cores)")
        with progress.Progress(f"training the scope judge once into {target}"):
            build_once(target, lambda tmp: _train_into(tmp, files, settings),
                       done=lambda p: (p / DONE_FILE).is_file())
    return Judge(target)


class _CrossEncoder:
    """MiniLM over "question [SEP] row", token states mean-pooled, one linear logit."""

    def __init__(self, encoder: Any, head: Any) -> None:
        self.encoder, self.head = encoder, head

    def logits(self, batch: dict[str, Any]) -> Any:
        states = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return self.head(pooled).squeeze(-1)


def _torch_setup() -> Any:
    from lic_cli import models
    from lic_cli.models.runtime import cpu_threads, torch_env

    models.offline()
    torch_env()
    import torch

    torch.set_num_threads(cpu_threads())
    models.quiet_loading()
    return torch


def _batches(pairs: list[Pair], size: int, rng: random.Random) -> list[list[Pair]]:
    """Shuffled batches of pairs of similar length (less padding), in a shuffled order."""
    order = list(range(len(pairs)))
    rng.shuffle(order)
    span = size * 8
    out = []
    for g in range(0, len(order), span):
        group = sorted(order[g:g + span], key=lambda i: len(pairs[i].question) + len(pairs[i].row))
        out += [[pairs[i] for i in group[b:b + size]] for b in range(0, len(group), size)]
    rng.shuffle(out)
    return out


def _train_into(tmp: Path, files: Sequence[Path], settings: Settings) -> None:
    import time

    from lic_cli import models

    torch = _torch_setup()
    from safetensors.torch import save_file
    from transformers import AutoModel, AutoTokenizer

    start = time.perf_counter()
    torch.manual_seed(settings.seed)
    pairs = training_pairs(domains_from(files, settings.near_miss_files), settings)
    path = models.resolve(settings.encoder)
    tok = AutoTokenizer.from_pretrained(path)
    encoder = AutoModel.from_pretrained(path)
    model = _CrossEncoder(encoder, torch.nn.Linear(encoder.config.hidden_size, 1))
    for p in model.encoder.embeddings.parameters():  # word pieces stay as MiniLM learned them
        p.requires_grad_(False)
    params = [p for p in [*model.encoder.parameters(), *model.head.parameters()] if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=0.01)
    rng = random.Random(settings.seed)
    epochs = [_batches(pairs, settings.batch_size, rng) for _ in range(settings.epochs)]
    steps = sum(map(len, epochs))
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    positives = sum(p.label for p in pairs)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(pairs) - positives) / max(1, positives)))
    model.encoder.train()
    losses = []
    for batches in epochs:
        for chunk in batches:
            batch = tok([p.question for p in chunk], [p.row for p in chunk], padding=True, truncation=True,
                        max_length=settings.max_length, return_tensors="pt")
            loss = loss_fn(model.logits(dict(batch)), torch.tensor([float(p.label) for p in chunk]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            losses.append(float(loss.detach()))
    model.encoder.save_pretrained(tmp / "encoder", safe_serialization=True)
    tok.save_pretrained(tmp / "encoder")
    save_file({k: v.contiguous() for k, v in model.head.state_dict().items()}, str(tmp / "head.safetensors"))
    meta = {"settings": asdict(settings), "data": [p.name for p in files], "pairs": len(pairs),
            "positives": positives, "steps": steps, "seconds": round(time.perf_counter() - start, 1),
            "final_loss": round(sum(losses[-20:]) / max(1, len(losses[-20:])), 4)}
    (tmp / DONE_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


class Judge:
    """A trained judge: `probability(questions, rows)` of each question asking what its row answers."""

    def __init__(self, folder: Path) -> None:
        torch = _torch_setup()
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        self.folder = folder
        try:
            self.meta = json.loads((folder / DONE_FILE).read_text(encoding="utf-8"))
            self.max_length = int(self.meta["settings"]["max_length"])
            self.tok = AutoTokenizer.from_pretrained(folder / "encoder")
            encoder = AutoModel.from_pretrained(folder / "encoder")
            head = torch.nn.Linear(encoder.config.hidden_size, 1)
            head.load_state_dict(load_file(str(folder / "head.safetensors")))
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelLoadError(f"{folder}: not a usable scope judge ({exc}); delete the folder to train it again") \
                from None
        encoder.eval()
        self.model = _CrossEncoder(encoder, head)
        self._torch = torch

    def probability(self, questions: Sequence[str], rows: Sequence[str], batch_size: int = 64) -> np.ndarray:
        import numpy as np

        torch = self._torch
        out = np.zeros(len(questions), dtype=np.float32)
        order = sorted(range(len(questions)), key=lambda i: len(questions[i]) + len(rows[i]))
        with torch.inference_mode():
            for b in range(0, len(order), batch_size):
                idx = order[b:b + batch_size]
                batch = self.tok([questions[i] for i in idx], [rows[i] for i in idx], padding=True, truncation=True,
                                 max_length=self.max_length, return_tensors="pt")
                out[idx] = torch.sigmoid(self.model.logits(dict(batch)).float()).numpy()
        return out


_LOADED: dict[str, Judge] = {}


def shared(note: Callable[[str], None] | None = None) -> Judge:
    """The packaged judge, loaded once per process."""
    key = str(folder_for())
    if key not in _LOADED:
        _LOADED[key] = load(note=note)
    return _LOADED[key]

