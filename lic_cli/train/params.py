"""Hyper-parameters of training, read from a task's `train.params`: `ClassifyParams`
(classification) and `SFTParams` (causal-lm and extraction instruction tuning).

Unknown keys and wrong types are errors that name the task and field, so a typo in
tasks.yaml (`epoch: 3`) fails before any training starts instead of being ignored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from lic_cli.errors import TaskConfigError
from lic_cli.tasks import Task


class _Params:
    """from_task / from_dict / to_dict shared by the hyper-parameter dataclasses."""

    @classmethod
    def from_task(cls, task: Task) -> Any:
        raw = task.train.params if task.train else {}
        return cls.from_dict({**cls.defaults_for(task, raw), **raw}, task.name)

    @classmethod
    def defaults_for(cls, task: Task, raw: dict[str, Any]) -> dict[str, Any]:
        """Defaults that depend on the task's train type, under the task's own params."""
        return {}

    @classmethod
    def from_dict(cls, raw: dict[str, Any], task_name: str = "?") -> Any:
        fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values: dict[str, Any] = {}
        for key, value in raw.items():
            where = f"task '{task_name}': field 'train.params.{key}'"
            if key not in fields:
                raise TaskConfigError(f"{where}: unknown hyper-parameter (allowed: {', '.join(fields)})")
            values[key] = _coerce(value, type(fields[key].default), where)
        params = cls(**values)
        params._check(task_name)
        return params

    def _check(self, task_name: str) -> None:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]


def _fail(task_name: str, key: str, msg: str) -> TaskConfigError:
    return TaskConfigError(f"task '{task_name}': field 'train.params.{key}': {msg}")


@dataclass(frozen=True)
class ClassifyParams(_Params):
    """Fine-tuning an encoder with a classification head (transformers Trainer).

    The defaults train a few hundred rows in about a minute on 2 CPU cores.
    """

    epochs: float = 4.0  # passes over the train split
    # AdamW peak learning rate. Higher than the usual 5e-5 because the embeddings are frozen
    # and the runs are short: on the demo data 1e-4..2e-4 beats 5e-5 by 5-15 points of macro-F1.
    learning_rate: float = 1e-4
    batch_size: int = 16  # train batch size (per device)
    eval_batch_size: int = 64  # batch size for evaluation and prediction
    max_length: int = 64  # tokens per input (context + text pair); longer inputs are truncated
    weight_decay: float = 0.01  # AdamW weight decay
    warmup: float = 0.1  # warm-up: a fraction of all steps (< 1) or a number of steps (>= 1)
    # Freeze the word-embedding matrix (half of MiniLM's weights): about 2x faster steps on
    # CPU, and a few hundred rows cannot usefully move 30k token vectors anyway.
    freeze_embeddings: bool = True
    seed: int = 42  # seeds weights of the new head, dropout and shuffling: same data, same model
    # The `intent` task only: also train on the train split of lic's packaged teaching corpus
    # (lic_cli/data/teaching.jsonl, docs/detect.md), as the default detector does.
    corpus: bool = True

    def _check(self, task_name: str) -> None:
        def fail(key: str, msg: str) -> TaskConfigError:
            return _fail(task_name, key, msg)

        for key in ("epochs", "learning_rate"):
            if getattr(self, key) <= 0:
                raise fail(key, "must be > 0")
        for key in ("batch_size", "eval_batch_size"):
            if getattr(self, key) < 1:
                raise fail(key, "must be >= 1")
        if not 8 <= self.max_length <= 512:
            raise fail("max_length", "must be between 8 and 512")
        for key in ("weight_decay", "warmup"):
            if getattr(self, key) < 0:
                raise fail(key, "must be >= 0")


SFT_METHODS = ("full", "lora")
# A causal-lm (qa) task's defaults: what bench/bench_domains.py and bench_learning.py chose
# (docs/train.md, "Learning any domain"). A task's own train.params override each key; the
# dataclass defaults below stay those of extraction training, which shares SFTParams.
CAUSAL_LM_DEFAULTS: dict[str, Any] = {
    "lora_r": 32, "lora_alpha": 64, "lora_layers": 15, "learning_rate": 1.0e-3, "first_epochs": 1.0,
    "augment": 1, "augment_lm": 4, "replay": 1.0, "scope_threshold": 0.5, "kl_weight": 1.0,
    "scope_check": "judge",  # session 10: the check after generation chosen on the tuning domains
    "scope_answer": 0.7,  # session 11: a refused in-scope question one taught row clearly answers gets its value
    "scope_route": "check+rows",  # session 12: a question the gate keeps out also gets a row the decider is sure of
}
LORA_TARGETS = ("attention", "all")
SCOPE_CHECKS = ("off", "value", "row", "judge")  # lic_cli/models/scope.py CHECKS
SCOPE_ROUTES = ("check", "check+rows", "rows-first", "rows-only")  # lic_cli/models/scope.py ROUTES


@dataclass(frozen=True)
class SFTParams(_Params):
    """Instruction tuning of a causal LM (SmolLM2) on (chat prompt, completion) pairs.

    The loss covers the completion tokens only. See docs/train.md for how the defaults
    were chosen (bench/bench_learning.py).
    """

    # "lora": train low-rank adapters and merge them into the weights before saving (keeps
    # unrelated answers: locality); "full": update every weight.
    method: str = "lora"
    lora_r: int = 16  # adapter rank
    lora_alpha: int = 32  # adapter scale numerator (scale = alpha / r)
    lora_dropout: float = 0.0
    # Which linear layers get adapters: "attention" (q, k, v, o) or "all" (attention + MLP).
    lora_targets: str = "all"
    # Adapters on the top N decoder layers only (0: every layer). Backpropagation then
    # stops at the lowest adapted layer, so a step costs less.
    lora_layers: int = 0
    epochs: float = 3.0  # passes over the training rows (taught + replayed)
    # Passes when training from the base on every row (no previous model): 0 means `epochs`.
    # Lets a large first training stay short while incremental teaching gets its full passes.
    first_epochs: float = 0.0
    learning_rate: float = 5e-4  # AdamW peak learning rate (LoRA wants ~10x a full fine-tune's)
    batch_size: int = 8  # train batch size (per device)
    eval_batch_size: int = 16  # batch size of eval loss and generation
    max_length: int = 128  # tokens per example (prompt + completion); longer ones are cut
    max_steps: int = 0  # stop after this many optimizer steps (0: off; epochs decide)
    weight_decay: float = 0.0
    warmup: float = 0.0  # warm-up: a fraction of all steps (< 1) or a number of steps (>= 1)
    # Incremental training (a previous model exists): old rows replayed with the changed ones,
    # against forgetting. >= 1: that many old rows per changed row; < 1: that fraction of the
    # old train rows; 0: none.
    replay: float = 2.0
    # Self-distillation replay (distill.py): general questions from lic's pool, answered by
    # the base model once (cached), mixed in per taught row (0: none). Keeps the weights'
    # own answers outside what was taught (weights-alone locality).
    distill: float = 0.0
    # A KL term against the model before the teaching (LoRA only: the adapters switched off)
    # on a batch of the pool's base answers each step, weighted by this (0: off).
    kl_weight: float = 0.0
    # Template paraphrases of each changed question added at train time (0: none), so the
    # model learns the fact rather than one wording.
    augment: int = 0
    # Rewordings of each changed question written by the base chat model (lm_paraphrase.py;
    # 0: none): other words and question forms than the templates' fixed frames.
    augment_lm: int = 0
    # Session 13 (context_name.py): 1 adds each changed question without the name most of the task's train
    # questions share (the business's own: "... at Kingsferry?"), as people ask its assistant; 0: off.
    augment_context: int = 0
    # Session 14 (word_paraphrase.py): rewordings of each changed question the base model writes with
    # other content words for the things it names, kept when MiniLM still reads them as that question (0: none).
    augment_words: int = 0
    # NEFTune: uniform noise of this scale on the input embeddings while training (0: off);
    # reported to help instruction-tuned models generalize beyond the trained wordings.
    neftune: float = 0.0
    # bf16 autocast when the hardware computes bf16 natively (AMX / AVX512-BF16 CPUs, most
    # GPUs): about 1.45x faster steps on such CPUs. Ignored where it would only emulate.
    bf16: bool = True
    # Exact savings (sft.py, FrozenBottom / KLTerm): with adapters on the top `lora_layers` only
    # and no NEFTune noise, what the layers below output for an example never changes, so it is
    # computed once and reused from the second pass on; the KL term's "before" logits are
    # reused the same way. Same loss; false computes everything every step (the old path).
    reuse_frozen: bool = True
    # Scope gate (causal-lm; scope.py): questions whose nearest taught question is at least
    # this similar (MiniLM cosine) go to the trained weights, the others to the model from
    # before the teaching, so unrelated answers stay as they were. 0: off (the weights
    # answer everything).
    scope_threshold: float = 0.0
    # The learned scope judge (models/scope_judge.py; needs scope_threshold > 0): a question
    # the gate's similarity lets near a taught row goes to the trained weights only when the
    # judge's probability that it asks what that row answers is at least this. 0: off (the
    # row checks of scope.py decide). The judge trains once per machine, on first use.
    scope_judge: float = 0.0
    # The check after generation (scope.Gate.keeps; needs scope_threshold > 0): "off"; "value": an
    # in-scope answer stands only when it states a taught row's value; "row": and the question fits
    # that row; "judge": and the scope judge agrees. An answer that does not stand is the fallback's.
    scope_check: str = "off"
    # Answer from the row (scope.Gate.row_answers; needs scope_check): when the check refuses an in-scope
    # answer and one taught row clearly answers the question (it alone fits, the judge gives it at least
    # this), the reply is that row's value in a short templated sentence instead of the fallback's. 0: off.
    scope_answer: float = 0.0
    # How a question is answered through the gate (scope.ROUTES; needs scope_answer and the trained judge, else
    # "check"): "check" (gate -> weights -> check -> a row the judge is sure of -> fallback); "check+rows" (also
    # a question the gate keeps out gets a row the judge is sure of); "rows-first" (a question the judge is sure
    # of a row for gets that row's value, in the weights' words when they state it; the rest as "check");
    # "rows-only" (the same; the rest get the fallback).
    scope_route: str = "check"
    seed: int = 42  # seeds adapters, replay sampling and shuffling: same data, same model

    @classmethod
    def defaults_for(cls, task: Task, raw: dict[str, Any]) -> dict[str, Any]:
        if task.train is None or task.train.type != "causal-lm":
            return {}
        if raw.get("method", cls.method) != "lora":  # the KL term needs adapters to switch off
            return {k: v for k, v in CAUSAL_LM_DEFAULTS.items() if k != "kl_weight"}
        return dict(CAUSAL_LM_DEFAULTS)

    def _check(self, task_name: str) -> None:
        def fail(key: str, msg: str) -> TaskConfigError:
            return _fail(task_name, key, msg)

        if self.method not in SFT_METHODS:
            raise fail("method", f"expected one of {', '.join(SFT_METHODS)}, got {self.method!r}")
        if self.lora_targets not in LORA_TARGETS:
            raise fail("lora_targets", f"expected one of {', '.join(LORA_TARGETS)}, got {self.lora_targets!r}")
        for key in ("lora_r", "lora_alpha", "batch_size", "eval_batch_size"):
            if getattr(self, key) < 1:
                raise fail(key, "must be >= 1")
        for key in ("epochs", "learning_rate"):
            if getattr(self, key) <= 0:
                raise fail(key, "must be > 0")
        if not 16 <= self.max_length <= 4096:
            raise fail("max_length", "must be between 16 and 4096")
        if not 0 <= self.scope_threshold <= 1:
            raise fail("scope_threshold", "must be between 0 (off) and 1")
        if not 0 <= self.scope_judge < 1:
            raise fail("scope_judge", "must be >= 0 (off) and < 1")
        if self.scope_check not in SCOPE_CHECKS:
            raise fail("scope_check", f"expected one of {', '.join(SCOPE_CHECKS)}, got {self.scope_check!r}")
        if not 0 <= self.scope_answer < 1:
            raise fail("scope_answer", "must be >= 0 (off) and < 1")
        if self.scope_route not in SCOPE_ROUTES:
            raise fail("scope_route", f"expected one of {', '.join(SCOPE_ROUTES)}, got {self.scope_route!r}")
        if not 0 <= self.lora_dropout < 1:
            raise fail("lora_dropout", "must be >= 0 and < 1")
        if self.kl_weight > 0 and self.method != "lora":
            raise fail("kl_weight", "needs method: lora (the model before the teaching is the weights "
                       "with the adapters switched off)")
        for key in ("lora_layers", "max_steps", "weight_decay", "warmup", "replay", "augment", "augment_lm", "augment_context", "augment_words",
                    "neftune",
                    "first_epochs", "distill", "kl_weight"):
            if getattr(self, key) < 0:
                raise fail(key, "must be >= 0")


def _coerce(value: Any, kind: type, where: str) -> Any:
    # YAML gives ints for `epochs: 4` and may give strings for `5e-5` (YAML 1.1 needs a dot).
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise TaskConfigError(f"{where}: expected true or false, got {value!r}")
    if kind is str and value is False:
        return "off"  # YAML 1.1 reads a bare `scope_check: off` as false
    if isinstance(value, bool):  # a bool is an int to Python, never a count or a rate here
        expected = {int: "an integer", float: "a number"}.get(kind, "a word (quote it)")
        raise TaskConfigError(f"{where}: expected {expected}, got {value!r}")
    if kind is int:
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return int(value)
        raise TaskConfigError(f"{where}: expected an integer, got {value!r}")
    if kind is float:
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise TaskConfigError(f"{where}: expected a number, got {value!r}")
    if kind is str and not isinstance(value, str):
        raise TaskConfigError(f"{where}: expected a string, got {value!r}")
    return value
