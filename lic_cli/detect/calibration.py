"""Calibrating an intent model on the dev split: a temperature, and the abstention threshold.

Temperature scaling (Guo et al., 2017) divides the logits by one number T fitted to
minimise the negative log-likelihood of held-out rows, so a score of 0.9 means right
about nine times in ten. It never changes which label wins. Models that only expose
probabilities are scaled through log-probabilities: softmax(log p / T) equals
softmax(logits / T), because the two differ by a constant per row.

The threshold is the lowest top score, on a 0.01 grid from `FLOOR`, at which the
teaching labels the model still answers (teach / correct / forget, top score >= the
threshold) are right at least `PRECISION` of the time on dev. Turns below it are
marked `uncertain`, so a pipeline routes them to a person instead of guessing.

The none bias (when dev rows say which turns are ordinary questions and requests) is a
number b added to the log-score of `none` after scaling: the smallest b on a 0.1 grid
whose dev macro-F1 is highest among those that read at most `ORDINARY_FP` of the dev
domains' ordinary questions as teaching. A question read as teaching is junk that would
reach a dataset; a teaching turn read as none is a missed lesson the person can repeat.
See docs/detect.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

TEACHING = ("teach", "correct", "forget")
PRECISION = 0.95  # wanted precision of the teaching labels the model does not abstain on
FLOOR = 0.40  # below this a 4-way top score is never trusted: the lowest threshold we pick
ORDINARY_FP = 0.015  # wanted share of dev ordinary questions read as teaching (issue 14 target: 2 % on test)
FILE = "calibration.json"
VERSION = 1


@dataclass(frozen=True)
class Calibration:
    temperature: float = 1.0
    threshold: float = FLOOR
    dev_rows: int = 0
    dev_teaching_precision: float | None = None  # at the threshold, on the calibrated dev scores
    dev_abstain: float | None = None  # share of dev rows marked uncertain at the threshold
    none_bias: float = 0.0  # added to log p(none) after scaling
    version: int = VERSION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Calibration:
        return cls(**{k: raw[k] for k in cls.__dataclass_fields__ if k in raw})


def scale(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities after temperature scaling (rows still sum to 1; the argmax is unchanged)."""
    import numpy as np

    if temperature == 1.0 or not len(proba):
        return proba
    logp = np.log(np.clip(proba.astype(np.float64), 1e-12, 1.0)) / temperature
    logp -= logp.max(axis=1, keepdims=True)
    out = np.exp(logp)
    return (out / out.sum(axis=1, keepdims=True)).astype(np.float32)


def shift_none(proba: np.ndarray, bias: float, labels: Sequence[str]) -> np.ndarray:
    """Probabilities with `bias` added to the log-score of `none` (renormalized)."""
    import numpy as np

    if not bias or "none" not in labels or not len(proba):
        return proba
    out = proba.astype(np.float64, copy=True)
    out[:, list(labels).index("none")] *= float(np.exp(bias))
    return (out / out.sum(axis=1, keepdims=True)).astype(np.float32)


def macro_f1(pred: np.ndarray, gold: np.ndarray, n_labels: int) -> float:
    f1s = []
    for k in range(n_labels):
        tp, n_gold, n_pred = int(((pred == k) & (gold == k)).sum()), int((gold == k).sum()), int((pred == k).sum())
        if n_gold or n_pred:
            f1s.append(2 * tp / (n_gold + n_pred))
    return sum(f1s) / len(f1s) if f1s else 0.0


def choose_none_bias(proba: np.ndarray, gold: Sequence[int], labels: Sequence[str], ordinary: Sequence[bool],
                     target: float = ORDINARY_FP) -> float:
    """The none bias (module docstring) on calibrated dev scores; 0 without ordinary rows."""
    import numpy as np

    mask = np.asarray(ordinary, dtype=bool)
    if not mask.any() or "none" not in labels:
        return 0.0
    teaching = np.array([lab in TEACHING for lab in labels])
    gold_arr = np.asarray(gold)
    best: tuple[float, float] | None = None  # (macro-F1, bias) among biases meeting the target
    lowest: tuple[float, float] = (2.0, 0.0)  # (false-positive rate, bias), when none meets it
    for step in range(0, 31):
        bias = step / 10
        pred = shift_none(proba, bias, labels).argmax(axis=1)
        fp = float(teaching[pred[mask]].mean())
        if fp <= target:
            f1 = macro_f1(pred, gold_arr, len(labels))
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, bias)
        elif fp < lowest[0]:
            lowest = (fp, bias)
    return best[1] if best is not None else lowest[1]


def fit_temperature(proba: np.ndarray, gold: Sequence[int]) -> float:
    """The T in [0.05, 20] (log grid) minimising the NLL of `gold` under scale(proba, T)."""
    import numpy as np

    if not len(gold):
        return 1.0
    logp = np.log(np.clip(proba.astype(np.float64), 1e-12, 1.0))
    idx = np.arange(len(gold)), np.asarray(gold)
    best_t, best_nll = 1.0, float("inf")
    for t in np.exp(np.linspace(np.log(0.05), np.log(20.0), 301)):
        z = logp / t
        z -= z.max(axis=1, keepdims=True)
        nll = float(-(z[idx] - np.log(np.exp(z).sum(axis=1))).mean())
        if nll < best_nll - 1e-12:
            best_t, best_nll = float(t), nll
    return round(best_t, 4)


def choose_threshold(proba: np.ndarray, gold: Sequence[int], labels: Sequence[str],
                     precision: float = PRECISION) -> tuple[float, float | None, float]:
    """(threshold, teaching precision at it, abstention rate at it) on calibrated scores."""
    import numpy as np

    teaching = np.array([lab in TEACHING for lab in labels])
    pred = proba.argmax(axis=1)
    top = proba.max(axis=1)
    gold_arr = np.asarray(gold)
    last: tuple[float, float | None, float] = (FLOOR, None, 0.0)
    for step in range(int(round(FLOOR * 100)), 100):
        t = step / 100
        kept = top >= t
        answered = kept & teaching[pred]
        prec = float((pred[answered] == gold_arr[answered]).mean()) if answered.any() else None
        last = (t, None if prec is None else round(prec, 4), round(float((~kept).mean()), 4))
        if prec is None or prec >= precision:
            return last
    return last


def calibrate(proba: np.ndarray, gold: Sequence[int], labels: Sequence[str],
              ordinary: Sequence[bool] | None = None) -> Calibration:
    """Fit the temperature on raw dev probabilities, then the none bias (when `ordinary`
    marks the dev rows that are ordinary questions) and the threshold on the scaled ones."""
    if not len(gold):
        return Calibration()
    t = fit_temperature(proba, gold)
    scaled = scale(proba, t)
    bias = choose_none_bias(scaled, gold, labels, ordinary) if ordinary is not None else 0.0
    threshold, prec, abstain = choose_threshold(shift_none(scaled, bias, labels), gold, labels)
    return Calibration(temperature=t, threshold=threshold, dev_rows=len(gold),
                       dev_teaching_precision=prec, dev_abstain=abstain, none_bias=bias)


def apply(proba: np.ndarray, cal: Calibration, labels: Sequence[str]) -> np.ndarray:
    """Raw probabilities -> calibrated ones: temperature, then the none bias."""
    return shift_none(scale(proba, cal.temperature), cal.none_bias, labels)


def read(path: Path) -> Calibration | None:
    """A calibration.json written by `write`, or None when missing, unreadable or outdated."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(raw, dict) or raw.get("version") != VERSION:
        return None
    try:
        return Calibration.from_dict(raw)
    except TypeError:
        return None


def write(path: Path, cal: Calibration) -> None:
    """Write beside, then rename: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_text(json.dumps(cal.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
