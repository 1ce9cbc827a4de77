"""Chat backends: a local Hugging Face causal LM (the packaged SmolLM2 by default)."""

from __future__ import annotations

import os

from lic_cli.models import describe, load_causal_lm

DEFAULT_SYSTEM = "You are a helpful, concise customer-support assistant."


class LocalLM:
    """Greedy generation with the model's own chat template."""

    def __init__(self, spec: str = "smollm2", *, max_new_tokens: int = 128) -> None:
        import torch

        torch.set_num_threads(max(1, os.cpu_count() or 1))
        self.model, self.tokenizer = load_causal_lm(spec)
        self.name = describe(spec)
        self.max_new_tokens = max_new_tokens

    def reply(self, messages: list[dict[str, str]]) -> str:
        import torch

        enc = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                 return_dict=True)
        with torch.inference_mode():
            out = self.model.generate(**enc, max_new_tokens=self.max_new_tokens, do_sample=False,
                                      repetition_penalty=1.1, pad_token_id=self.tokenizer.eos_token_id)
        return self.tokenizer.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).strip()
