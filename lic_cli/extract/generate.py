"""Batched greedy chat completion with a local Hugging Face causal LM (CPU or GPU).

Shared by the model and llm engines and by bench/bench_extract.py, which compares it
with a plain `model.generate` call on the same prompts. Prompts are sorted by length
before batching (less padding), left-padded (a decoder continues from the right end),
and answers come back in the caller's order.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from lic_cli.errors import ModelLoadError

Messages = list[dict[str, str]]


@dataclass
class Completion:
    text: str
    new_tokens: int  # generated tokens, up to and including the end-of-turn token


class ChatGenerator:
    """Greedy completions for chat messages; `load` takes an alias or a model folder."""

    def __init__(self, model: Any, tokenizer: Any, *, name: str, max_new_tokens: int = 160,
                 batch_size: int = 16) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.name = name
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token

    @classmethod
    def load(cls, spec: str | os.PathLike[str], **kwargs: Any) -> ChatGenerator:
        import torch

        from lic_cli import models
        from lic_cli.models.runtime import cpu_threads

        torch.set_num_threads(cpu_threads())
        model, tok = models.open_causal_lm(spec)
        if getattr(tok, "chat_template", None) is None:
            raise ModelLoadError(f"model '{spec}': its tokenizer has no chat template (a chat model is needed)")
        if torch.cuda.is_available():
            model = model.to("cuda")
        return cls(model, tok, name=models.describe(spec), **kwargs)

    def prompts(self, conversations: list[Messages]) -> list[str]:
        return [self.tokenizer.apply_chat_template(m, add_generation_prompt=True, tokenize=False)
                for m in conversations]

    def complete(self, conversations: list[Messages]) -> list[Completion]:
        texts = self.prompts(conversations)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[Completion | None] = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            for i, done in zip(idx, self._batch([texts[i] for i in idx]), strict=True):
                out[i] = done
        return [c for c in out if c is not None]

    def _batch(self, texts: list[str]) -> list[Completion]:
        import torch

        tok = self.tokenizer
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.model.device)
        with torch.inference_mode():
            gen = self.model.generate(**enc, max_new_tokens=self.max_new_tokens, do_sample=False,
                                      pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id)
        new = gen[:, enc["input_ids"].shape[1]:]
        out = []
        for row in new.tolist():
            n = len(row)
            if tok.eos_token_id in row:
                n = row.index(tok.eos_token_id) + 1
            out.append(Completion(tok.decode(row[:n], skip_special_tokens=True).strip(), n))
        return out
