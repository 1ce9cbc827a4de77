"""Guess a task for each dataset file in a folder, with the reason for every guess.

Each file (any format in store/formats) is read once (up to MAX_ROWS rows). Its format
is guessed from its column names (qa: question + answer, fact: subject + relation +
object, label: a text column + a label column with few distinct values; any other
format tasks.py knows: every one of its fields present as a column) and, for
unusual names, from the values (a column of questions ending in '?', a short column
with few distinct values). Then: the key columns (the format's key fields), the label
set (the label column's values, most frequent first), the split column (a column whose
values are train / test / dev ...), and a `train:` section for the formats lic trains.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lic_cli.store import formats
from lic_cli.tasks import FORMATS

MAX_ROWS = 200_000
MAX_LABELS = 50
MIN_STEPS = 60
SKIP_DIRS = {".lic", ".git", ".venv", "venv", "node_modules", "models", "patches", "versions", "__pycache__"}
SPLIT_NAMES = ("split", "set", "subset", "fold", "partition")
SPLIT_VALUES = {"train", "training", "test", "testing", "dev", "valid", "validation", "val", "eval", "holdout"}

# Column names each knowledge field answers to, best first (lowercased, '-' and ' ' as '_').
SYNONYMS: dict[str, tuple[str, ...]] = {
    "question": ("question", "q", "query", "questions", "prompt", "faq_question", "ask"),
    "answer": ("answer", "a", "answers", "response", "reply", "faq_answer", "completion"),
    "subject": ("subject", "entity", "head", "s", "name", "item", "thing"),
    "relation": ("relation", "predicate", "property", "attribute", "relationship", "r", "p", "field"),
    "object": ("object", "value", "tail", "o", "fact"),
    "text": ("text", "ticket", "message", "body", "content", "sentence", "utterance", "description",
             "subject_line", "title", "input", "email", "comment", "review", "document"),
    "label": ("label", "category", "topic", "class", "intent", "tag", "queue", "department", "type",
              "labels", "target", "team"),
}


@dataclass
class Guess:
    """A proposed task for one dataset, and why."""

    path: str  # project-relative
    name: str
    format: str | None  # None: no format fits (the file is listed, commented out)
    rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # knowledge field -> column
    key: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    split_column: str | None = None
    splits: dict[str, int] = field(default_factory=dict)
    eval_split: str | None = None
    train: dict[str, Any] | None = None
    train_enabled: bool = True
    reasons: list[str] = field(default_factory=list)


def find_datasets(root: Path) -> list[Path]:
    """Dataset files and save_to_disk folders under `root` (hidden and lic's own folders skipped)."""
    found: list[Path] = []

    def walk(d: Path) -> None:
        for p in sorted(d.iterdir()):
            if p.name.startswith(".") or p.name in SKIP_DIRS:
                continue
            if p.is_dir():
                if formats.get("hf").matches(p) and not (p / "dataset_dict.json").is_file():
                    found.append(p)
                else:
                    walk(p)
            elif p.is_file() and formats.known_suffix(p) and p.name != "tasks.yaml":
                found.append(p)

    walk(root)
    return found


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _task_name(path: Path, taken: set[str]) -> str:
    stem = path.name.split(".")[0] if path.is_file() else path.name
    name = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_") or "task"
    if not name[0].isalpha():
        name = "t_" + name
    name = name[:60]
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _by_name(cols: list[str], fld: str, used: set[str]) -> str | None:
    normed = {_norm(c): c for c in cols if c not in used}
    for syn in SYNONYMS.get(fld, (fld,)):
        if syn in normed:
            return normed[syn]
    return None


def _strings(rows: list[dict[str, Any]], col: str) -> list[str]:
    return [v for r in rows if isinstance(v := r.get(col), str) and v.strip()]


def _split(rows: list[dict[str, Any]], cols: list[str]) -> tuple[str | None, Counter[str]]:
    for c in sorted(cols, key=lambda c: (_norm(c) not in SPLIT_NAMES, cols.index(c))):
        values = Counter(str(r[c]).strip().lower() for r in rows if r.get(c) not in (None, ""))
        if values and set(values) <= SPLIT_VALUES:
            return c, values
    return None, Counter()


def _label_like(rows: list[dict[str, Any]], col: str) -> Counter[str] | None:
    values = _strings(rows, col)
    if len(values) < max(2, len(rows) // 2):
        return None
    counts = Counter(v.strip() for v in values)
    if not 2 <= len(counts) <= MAX_LABELS or len(counts) > max(2, len(values) // 2):
        return None
    if max(len(v) for v in counts) > 40:
        return None
    return counts


def _mean_len(rows: list[dict[str, Any]], col: str) -> float:
    values = _strings(rows, col)
    return sum(map(len, values)) / len(values) if values else 0.0


def guess(path: Path, root: Path, taken: set[str]) -> Guess:
    rel = path.relative_to(root).as_posix()
    g = Guess(path=rel, name=_task_name(path, taken), format=None)
    try:
        rows = []
        for _, row in formats.read_rows(path, rel):
            rows.append(row)
            if len(rows) >= MAX_ROWS:
                break
        cols = list(dict.fromkeys([*formats.columns(path), *(c for r in rows[:1000] for c in r)]))
    except Exception as exc:  # noqa: BLE001 (a file lic cannot read is listed with the reason)
        g.reasons.append(f"not read: {exc}")
        return g
    g.rows = len(rows)
    if not rows:
        g.reasons.append("no rows")
        return g
    if {"role", "text"} <= set(cols) and ({"conversation", "turn"} & set(cols)):
        g.reasons.append("a conversation transcript (role, text): input for 'lic detect', not a dataset")
        return g
    split_col, split_counts = _split(rows, cols)
    usable = [c for c in cols if c != split_col]
    fmt = _format(rows, usable, g)
    if fmt is None:
        g.reasons.append("no format fits the columns " + ", ".join(usable)
                         + f" (formats: {', '.join(FORMATS)}); write this task by hand (docs/tasks.md)")
        return g
    g.format = fmt
    spec = FORMATS[fmt]
    g.key = [g.columns.get(f, f) for f in spec["key"]]
    g.columns = {f: c for f, c in g.columns.items() if f != c}
    if split_col:
        g.split_column = split_col
        g.splits = dict(split_counts.most_common())
        g.reasons.append(f"split column '{split_col}': " + ", ".join(f"{k} {v}" for k, v in g.splits.items()))
        for want in ("test", "validation", "dev", "valid", "val", "eval", "testing", "holdout"):
            if want in split_counts:
                g.eval_split = want
                break
    else:
        g.split_column = ""
        g.reasons.append("no split column (values like train / test): every row is a train row, and rows "
                         "lic adds get no split column either (split_column: \"\")")
    _train(g)
    return g


def _format(rows: list[dict[str, Any]], cols: list[str], g: Guess) -> str | None:
    used: set[str] = set()

    def take(fld: str) -> str | None:
        col = _by_name(cols, fld, used)
        if col is not None:
            used.add(col)
        return col

    # Formats tasks.py knows beyond the four below (span, text ...): all fields by name.
    for fmt, spec in FORMATS.items():
        if fmt in ("qa", "fact", "label", "extraction"):
            continue
        fields = spec["key"] + spec["value"]
        if all(f in cols for f in fields) and len(fields) > 1:
            g.columns = {f: f for f in fields}
            g.reasons.append(f"format {fmt}: columns " + ", ".join(fields))
            return fmt
    if "knowledge" in cols and "text" in cols:
        g.columns = {"text": "text", "knowledge": "knowledge"}
        g.reasons.append("format extraction: columns text and knowledge")
        return "extraction"
    q, a = take("question"), take("answer")
    if q and a:
        g.columns = {"question": q, "answer": a}
        g.reasons.append(f"format qa: column '{q}' holds the questions, '{a}' the answers (by their names)")
        return "qa"
    used.clear()
    s, r, o = take("subject"), take("relation"), take("object")
    if s and r and o:
        g.columns = {"subject": s, "relation": r, "object": o}
        g.reasons.append(f"format fact: columns '{s}', '{r}', '{o}' are subject / relation / object (by their names)")
        return "fact"
    used.clear()
    lab = take("label")
    counts = _label_like(rows, lab) if lab else None
    if lab and counts is None:
        used.discard(lab)
        lab = None
    if lab is None:  # by the values: the shortest column with few distinct values
        cands = [(c, n) for c in cols if (n := _label_like(rows, c)) is not None]
        if cands:
            lab, counts = min(cands, key=lambda cn: len(cn[1]))
            used.add(lab)
    text = take("text")
    if text is None and lab is not None:
        others = [c for c in cols if c not in used and _strings(rows, c)]
        text = max(others, key=lambda c: _mean_len(rows, c), default=None)
    if lab and text and counts:
        g.columns = {"text": text, "label": lab}
        g.labels = [v for v, _ in counts.most_common()]
        g.reasons.append(f"format label: '{text}' is the text, '{lab}' the label "
                         f"({len(g.labels)} distinct values in {len(rows)} rows)")
        return "label"
    # Two text columns, the first mostly questions: qa by the values.
    texts = [c for c in cols if len(_strings(rows, c)) >= len(rows) // 2]
    for c in texts:
        vals = _strings(rows, c)
        if sum(v.rstrip().endswith("?") for v in vals) >= 0.6 * len(vals):
            others = [o for o in texts if o != c]
            if others:
                ans = max(others, key=lambda o: _mean_len(rows, o))
                g.columns = {"question": c, "answer": ans}
                g.reasons.append(f"format qa: most values of '{c}' end in '?'; '{ans}' is the longest other "
                                 "text column")
                return "qa"
    return None


def _train(g: Guess) -> None:
    from lic_cli.tasks import TRAIN_TYPES

    eval_split = g.eval_split or "test"
    if g.format == "label":
        n = sum(g.splits.get(s, 0) for s in ("train", "training")) if g.splits else g.rows
        # At least MIN_STEPS optimizer steps (a small dataset needs many passes), 4 to 30 epochs.
        epochs = min(30, max(4, math.ceil(MIN_STEPS / max(1, math.ceil(n / 16)))))
        g.train = {"type": "classification", "base": "minilm", "eval_split": eval_split,
                   "params": {"epochs": epochs, "learning_rate": 1.0e-4, "batch_size": 16, "max_length": 64}}
        g.reasons.append(f"train: a MiniLM classifier, {epochs} epochs for {n} train rows (at least {MIN_STEPS} "
                         "steps of 16 rows; about a minute on a laptop CPU per thousand rows and epoch)")
    elif g.format == "qa" and "causal-lm" in TRAIN_TYPES:
        g.train = {"type": "causal-lm", "base": "smollm2", "eval_split": eval_split,
                   "params": {"method": "lora", "epochs": 3, "first_epochs": 1}}
        g.train_enabled = False
        g.reasons.append("train: the chat model (SmolLM2 with LoRA) could learn these answers, but that "
                         "takes minutes per run on a CPU: uncomment the train: lines to turn it on")
    elif g.format == "span" and "token-classification" in TRAIN_TYPES:
        g.train = {"type": "token-classification", "base": "minilm", "eval_split": eval_split}
        g.reasons.append("train: a MiniLM token classifier for the spans")
    elif g.format == "extraction" and "extraction" in TRAIN_TYPES:
        g.train = {"type": "extraction", "base": "smollm2", "eval_split": eval_split}
        g.train_enabled = False
        g.reasons.append("train: lic's extraction model (minutes on a CPU): uncomment to turn it on")


def scan(root: Path) -> list[Guess]:
    taken: set[str] = set()
    return [guess(p, root, taken) for p in find_datasets(root)]
