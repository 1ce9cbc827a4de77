"""Instruction tuning of a causal LM on (chat prompt, completion) pairs.

Each pair is rendered with the model's own chat template: the prompt messages plus
the generation prompt, then the completion and the template's end-of-turn tokens.
The loss covers the completion only, so the model learns to answer, not to ask.
`method: lora` trains adapters and merges them into the base weights before saving,
so every consumer loads the folder with plain `AutoModelForCausalLM`.

Runs unchanged under `accelerate launch` / `torchrun` (Trainer does the data-parallel
part); only the main process writes the model folder.

torch, transformers and peft are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lic_cli.errors import ModelLoadError
from lic_cli.train.params import SFTParams

Messages = list[dict[str, str]]
Pair = tuple[Messages, str]

# The linear layers of Llama-style blocks (SmolLM2) that get LoRA adapters.
_ATTENTION = ["q_proj", "k_proj", "v_proj", "o_proj"]
_MLP = ["gate_proj", "up_proj", "down_proj"]


def is_main_process() -> bool:
    """False on the non-zero ranks of a torchrun / accelerate launch run (they write nothing)."""
    return os.environ.get("RANK", "0") in ("", "0")


def encode_pair(tokenizer: Any, messages: Messages, completion: str, max_length: int) -> dict[str, list[int]] | None:
    """input_ids / attention_mask / labels for one pair; labels are -100 on the prompt.

    Too long: the completion's tail is cut (its start is what matters); None when the
    prompt alone fills `max_length`, so no completion token would be learned.
    """
    prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    full = tokenizer.apply_chat_template([*messages, {"role": "assistant", "content": completion}],
                                         tokenize=False)
    # The completion as the template writes it (content + end-of-turn); a template that
    # renders the history differently once an answer follows gets the plain completion + EOS.
    tail = full[len(prompt):] if full.startswith(prompt) else completion + (tokenizer.eos_token or "")
    p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    c_ids = tokenizer(tail, add_special_tokens=False)["input_ids"]
    if len(p_ids) >= max_length:
        return None
    c_ids = c_ids[:max_length - len(p_ids)]
    ids = p_ids + c_ids
    return {"input_ids": ids, "attention_mask": [1] * len(ids), "labels": [-100] * len(p_ids) + c_ids}


def encode_pairs(tokenizer: Any, pairs: Sequence[Pair], max_length: int) -> tuple[list[dict[str, list[int]]], int]:
    """Encoded pairs, and how many were dropped because their prompt was too long."""
    out = []
    for messages, completion in pairs:
        feat = encode_pair(tokenizer, messages, completion, max_length)
        if feat is not None:
            out.append(feat)
    return out, len(pairs) - len(out)


def use_bf16(params: SFTParams) -> bool:
    """bf16 autocast only where the hardware computes it natively (else it is slower)."""
    if not params.bf16:
        return False
    import torch

    if torch.cuda.is_available():
        return bool(torch.cuda.is_bf16_supported())
    cpu = torch.cpu
    checks = [getattr(cpu, name, None) for name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported")]
    return any(check() for check in checks if check is not None)


def train_causal_lm(train_pairs: Sequence[Pair], eval_pairs: Sequence[Pair] | None, base: Path, out_dir: Path,
                    params: SFTParams, *, progress: bool, note: Callable[[str], None],
                    kl_pairs: Sequence[Pair] | None = None) -> dict[str, Any]:
    """Fine-tune `base` on the pairs, save safetensors + tokenizer to out_dir, return metrics.

    Metrics: train_rows, train_loss, steps, method, bf16, and (with eval pairs) eval_rows
    and eval_loss (mean completion-token loss), rounded to 4 decimals.
    """
    from lic_cli import models
    from lic_cli.train.runtime import cpu_threads, progress_bars, torch_env

    models.offline()
    torch_env()
    import torch
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(cpu_threads())
    with progress_bars(hf_logging, progress), warnings.catch_warnings():
        # peft asks transformers a deprecated question on every step; nothing for the user to do.
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        return _train(train_pairs, eval_pairs, base, out_dir, params, progress=progress, note=note,
                      kl_pairs=kl_pairs or [])


def _train(train_pairs: Sequence[Pair], eval_pairs: Sequence[Pair] | None, base: Path, out_dir: Path,
           params: SFTParams, *, progress: bool, note: Callable[[str], None],
           kl_pairs: Sequence[Pair]) -> dict[str, Any]:
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        DataCollatorForSeq2Seq,
        Trainer,
        set_seed,
    )

    from lic_cli.train.runtime import ListDataset, trainer_args

    set_seed(params.seed)  # before the adapters are initialised
    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForCausalLM.from_pretrained(base)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{base}: cannot load as a causal LM to fine-tune ({exc})") from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    train_feats, dropped = encode_pairs(tokenizer, train_pairs, params.max_length)
    if dropped:
        note(f"{dropped} training pairs skipped: their prompt alone is over max_length {params.max_length} tokens")
    if not train_feats:
        raise ModelLoadError(f"nothing to train on: every prompt is over max_length {params.max_length} tokens")
    eval_feats, _ = encode_pairs(tokenizer, eval_pairs or [], params.max_length)

    if params.method == "lora":
        model = _with_lora(model, params)
    bf16 = use_bf16(params)
    import torch

    # Trainer refuses bf16 without a GPU unless told the CPU is meant (its autocast works there).
    on_cpu = not torch.cuda.is_available()

    bottom = FrozenBottom.of(model, params, tokenizer)
    if bottom is not None and (params.epochs > 1 or params.max_steps > 0):
        # The key each example's frozen-layer output is kept under (one pass: nothing to reuse).
        train_feats = [{**f, KEY: i} for i, f in enumerate(train_feats)]

    with tempfile.TemporaryDirectory(prefix="lic-sft-") as scratch:
        args = trainer_args(scratch, params, progress=progress, lr_scheduler_type="linear", bf16=bf16,
                            use_cpu=on_cpu, remove_unused_columns=False,
                            neftune_noise_alpha=params.neftune if params.neftune > 0 else None,
                            max_steps=params.max_steps if params.max_steps > 0 else -1)
        collator = DataCollatorForSeq2Seq(tokenizer, padding=True, label_pad_token_id=-100)
        kl_feats = encode_pairs(tokenizer, kl_pairs, params.max_length)[0] if params.kl_weight > 0 else []
        trainer = _answer_logits_trainer(Trainer)(model=model, args=args, train_dataset=ListDataset(train_feats),
                          eval_dataset=ListDataset(eval_feats) if eval_feats else None, data_collator=collator)
        trainer.bottom = bottom
        if kl_feats:
            # Half a training batch of pool prompts a step: the term's extra cost stays under that of
            # the step itself.
            trainer.kl = KLTerm(kl_feats, collator, params.kl_weight, max(1, params.batch_size // 2), params.seed,
                                bottom=bottom, reuse=params.reuse_frozen, autocast=trainer.accelerator.autocast)
        # Trainer writes its summaries with print()/tqdm.write(): keep stdout for records.
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(sys.stderr if progress else devnull):
            result = trainer.train()
            evaluated = trainer.evaluate() if eval_feats else {}

    metrics: dict[str, Any] = {
        "train_rows": len(train_feats),
        "reuse_frozen": bottom is not None,
        "train_loss": round(float(result.training_loss), 4),
        "steps": int(result.global_step),
        "train_seconds": round(float(result.metrics.get("train_runtime", 0.0)), 1),
        "method": params.method,
        "bf16": bf16,
    }
    if eval_feats:
        metrics["eval_rows"] = len(eval_feats)
        metrics["eval_loss"] = round(float(evaluated["eval_loss"]), 4)

    if is_main_process():
        model = trainer.accelerator.unwrap_model(trainer.model) if hasattr(trainer, "accelerator") else trainer.model
        if params.method == "lora":
            model = model.merge_and_unload()  # plain weights: loads without peft
        model = model.float()
        model.eval()
        model.config.use_cache = True
        out_dir.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(out_dir, safe_serialization=True)
        tokenizer.save_pretrained(out_dir)
    return metrics


def answer_logits_only(inputs: dict[str, Any]) -> dict[str, Any]:
    """The batch, asking the model for logits only from the batch's first answer position on.

    The loss covers the answer tokens only, but a plain forward pass projects every
    position onto the vocabulary; with SmolLM2's 49k-word vocabulary that projection (and
    its backward pass) is a sizeable share of a step, and the prompt is most of each
    sequence. The model's `logits_to_keep` keeps the last positions and the labels are cut
    to match, so the loss is the same number (measured: 5-10 % faster steps on 2 cores).
    """
    labels = inputs.get("labels")
    if labels is None or labels.dim() != 2:
        return inputs
    answer = (labels != -100).any(dim=0).nonzero()
    # Position t predicts label t + 1: keep from the position before the first answer token.
    start = max(int(answer[0]) - 1, 0) if len(answer) else 0
    if start == 0:
        return inputs
    return {**inputs, "labels": labels[:, start:], "logits_to_keep": labels.shape[1] - start}


class KLTerm:
    """KL(before || now) on the answer tokens of a batch of prompts, added to each training step.

    "Before" is the model the training started from: the same weights with the LoRA adapters
    switched off. The prompts are the self-distillation pool with the base's own answers
    (distill.py), so the term pulls the whole next-token distribution on general questions
    back to what it was, where replaying the answers as text only pulls the argmax. Batches
    cycle through the pool in a seeded order.

    The "before" model never changes during a run, so (`reuse`) each prompt's last hidden
    states at its answer positions (what the output layer reads) are kept the first time it
    is seen; from then on its "before" logits are only the output layer applied to them, under
    the step's own autocast: the same numbers without the forward pass. With a FrozenBottom,
    the "now" pass starts above the frozen layers too.
    """

    def __init__(self, feats: list[dict[str, list[int]]], collator: Any, weight: float, batch_size: int,
                 seed: int, *, bottom: FrozenBottom | None = None, reuse: bool = False,
                 autocast: Callable[[], Any] | None = None) -> None:
        import random

        self.feats, self.collator, self.weight, self.batch_size = feats, collator, weight, batch_size
        self.bottom, self.reuse = bottom, reuse
        self.autocast = autocast or contextlib.nullcontext
        self._rng = random.Random(seed)
        self._order: list[int] = []
        self._before: dict[int, Any] = {}  # pool index -> last hidden states at its answer positions

    def batch(self) -> tuple[list[int], dict[str, Any]]:
        picked: list[int] = []
        while len(picked) < self.batch_size:
            if not self._order:
                self._order = list(range(len(self.feats)))
                self._rng.shuffle(self._order)
            picked.append(self._order.pop())
        return picked, answer_logits_only(self.collator([self.feats[i] for i in picked]))

    def loss(self, model: Any) -> Any:
        import torch.nn.functional as F

        picked, inputs = self.batch()
        labels = inputs.pop("labels")
        inputs = {k: v.to(model.device) if hasattr(v, "to") else v for k, v in inputs.items()}
        # Position t predicts label t + 1: the positions whose next token is an answer token.
        mask = (labels[:, 1:] != -100).to(model.device)
        keys = [("kl", i) for i in picked]
        if self.bottom is not None:
            now = self.bottom.run(keys, inputs, lambda x: model(**x).logits)
        else:
            now = model(**inputs).logits
        before = self._before_logits(model, picked, keys, inputs, mask)
        now = now[:, :-1][mask]
        kl = F.kl_div(F.log_softmax(now.float(), -1), F.log_softmax(before.float(), -1), log_target=True,
                      reduction="batchmean")
        return self.weight * kl

    def _before_logits(self, model: Any, picked: list[int], keys: list[Any], inputs: dict[str, Any],
                       mask: Any) -> Any:
        """The model before the teaching: logits at the masked positions, [n, vocab]."""
        import torch

        head = model.get_output_embeddings()
        if self.reuse and all(i in self._before for i in picked):
            with torch.no_grad(), self.autocast():
                return head(torch.cat([self._before[i] for i in picked]))
        seen: list[Any] = []
        hook = head.register_forward_pre_hook(lambda _m, args: seen.append(args[0].detach())) if self.reuse else None
        try:
            with torch.no_grad(), model.disable_adapter():
                if self.bottom is not None:
                    before = self.bottom.run(keys, inputs, lambda x: model(**x).logits)
                else:
                    before = model(**inputs).logits
        finally:
            if hook is not None:
                hook.remove()
        if seen:
            hidden = seen[-1][:, :-1]
            for row, i in enumerate(picked):
                self._before[i] = hidden[row][mask[row]].clone()
        return before[:, :-1][mask]


KEY = "lic_key"  # a training example's index in its batch: the key of its kept frozen-layer output


class FrozenBottom:
    """The output of the layers below the lowest adapted one, kept per example.

    With LoRA adapters on the top `lora_layers` decoder layers only, no dropout there that
    matters below, and no NEFTune noise on the embeddings, the bottom layers are the base
    weights for the whole run, and (right padding, causal attention) what they output at an
    example's own positions does not depend on the batch it is in. So each example's output
    is kept the first time it goes through (a hook on the last frozen layer), and later
    passes feed it to the adapted layers as `inputs_embeds`, with the decoder's layer list
    cut to those layers for the call: the same loss, without half the forward pass from the
    second epoch on. Memory: hidden size x tokens x 4 bytes per example (a few MB per 100),
    at most LIMIT floats; a one-epoch run keeps no training example (nothing to reuse).
    """

    LIMIT = 128 * 2**20  # floats kept at most (512 MB); examples beyond it run in full every time

    def __init__(self, decoder: Any, first: int) -> None:
        self.decoder, self.first = decoder, first
        self.kept: dict[Any, Any] = {}
        self.size = 0

    @classmethod
    def of(cls, model: Any, params: SFTParams, tokenizer: Any) -> FrozenBottom | None:
        """The cache for this run, or None where it would not be exact (or nothing is frozen)."""
        if not params.reuse_frozen or params.method != "lora" or params.neftune > 0 or not params.lora_layers:
            return None
        if getattr(tokenizer, "padding_side", "right") != "right":
            return None
        try:
            decoder = model.get_base_model().get_decoder()
            layers = decoder.layers
        except AttributeError:
            return None
        first = len(layers) - params.lora_layers
        return cls(decoder, first) if first > 0 else None

    def run(self, keys: list[Any], inputs: dict[str, Any], forward: Callable[[dict[str, Any]], Any]) -> Any:
        """forward(inputs), from the kept bottom outputs when every example has them, else
        in full while keeping them."""
        import torch

        mask = inputs["attention_mask"]
        if all(k in self.kept for k in keys):
            width = mask.shape[1]
            rows = []
            for k in keys:
                h = self.kept[k]
                rows.append(torch.nn.functional.pad(h, (0, 0, 0, width - h.shape[0])))
            embeds = torch.stack(rows)
            short = {k: v for k, v in inputs.items() if k != "input_ids"}
            full = self.decoder.layers
            self.decoder.layers = torch.nn.ModuleList(list(full)[self.first:])
            try:
                return forward({**short, "inputs_embeds": embeds})
            finally:
                self.decoder.layers = full
        lengths = [int(n) for n in mask.sum(dim=1)]

        def keep(_module: Any, _args: Any, out: Any) -> None:
            h = out[0] if isinstance(out, tuple) else out
            for row, (k, n) in enumerate(zip(keys, lengths, strict=True)):
                if k not in self.kept and self.size + n * h.shape[-1] <= self.LIMIT:
                    self.kept[k] = h[row, :n].detach().clone()
                    self.size += n * h.shape[-1]

        hook = self.decoder.layers[self.first - 1].register_forward_hook(keep)
        try:
            return forward(inputs)
        finally:
            hook.remove()


def _answer_logits_trainer(trainer_cls: Any) -> Any:
    class AnswerLogitsTrainer(trainer_cls):
        kl: KLTerm | None = None
        bottom: FrozenBottom | None = None

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            keys = inputs.pop(KEY, None)
            inputs = answer_logits_only(inputs)

            def loss_of(batch: dict[str, Any]) -> Any:
                return super(AnswerLogitsTrainer, self).compute_loss(
                    model, batch, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch)

            if self.bottom is not None and keys is not None and model.training:
                out = self.bottom.run([("train", int(k)) for k in keys], inputs, loss_of)
            else:
                out = loss_of(inputs)
            if self.kl is None or not model.training:
                return out
            extra = self.kl.loss(self.accelerator.unwrap_model(model))
            return (out[0] + extra, *out[1:]) if return_outputs else out + extra

    return AnswerLogitsTrainer


def _with_lora(model: Any, params: SFTParams) -> Any:
    from peft import LoraConfig, get_peft_model

    targets = _ATTENTION + (_MLP if params.lora_targets == "all" else [])
    n_layers = int(model.config.num_hidden_layers)
    layers = list(range(max(0, n_layers - params.lora_layers), n_layers)) if params.lora_layers else None
    config = LoraConfig(r=params.lora_r, lora_alpha=params.lora_alpha, lora_dropout=params.lora_dropout,
                        target_modules=targets, layers_to_transform=layers, bias="none", task_type="CAUSAL_LM")
    return get_peft_model(model, config)
