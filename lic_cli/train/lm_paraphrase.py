"""Rewordings of taught questions written by the base chat model (training augmentation).

Template rewordings (paraphrase.py) change the frame around a question but keep its
words, and a model taught from those alone answers the words, not the question: people
ask with other words and in other forms. The base model knows many such words. Shown a
few generic rewrites (from no dataset) and sampled, it writes candidate rewordings; a
candidate is kept (`accept`) when it is one question, differs from the question and from
the ones kept before, and keeps the question's anchors (numbers and capitalised names),
so that a rewrite cannot drift to another subject. Training on diverse rewordings of each
fact is what makes its recall generalize to unseen phrasings (Allen-Zhu & Li, "Physics of
Language Models 3.1": knowledge augmentation). Seeded: the same questions, model and seed
give the same rewordings.

torch and transformers are imported inside functions: importing this module is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lic_cli.train.judge import STOP_WORDS, tokens

INSTRUCTION = "Ask the same question with different words. Reply with the new question only."
# Generic rewrites that change the words, the question form and the word order.
EXAMPLES = (
    ("When does the museum open on Mondays?", "What are the museum's opening hours on a Monday?"),
    ("Who wrote this book?", "Who is the author of this book?"),
    ("How much is a ticket to the concert?", "What does a concert ticket cost?"),
)
SAMPLES_PER_KEPT = 2  # candidates sampled per rewording wanted: about half pass `accept`
MAX_NEW_TOKENS = 28  # a question of 20 words or so
TEMPERATURE = 1.0
TOP_P = 0.95
MAX_WORDS = 30

_NAME = re.compile(r"^[A-Z][a-z]+")  # "Kestrel's", "Norway": not "I", not "CEO"
_DIGITS = re.compile(r"\d+")


def messages(question: str, instruction: str = INSTRUCTION,
             examples: Sequence[tuple[str, str]] = EXAMPLES) -> list[dict[str, str]]:
    """The few-shot chat that asks for one rewording of `question` (word_paraphrase.py passes its
    own instruction and examples)."""
    out = [{"role": "system", "content": instruction}]
    for q, r in examples:
        out += [{"role": "user", "content": q}, {"role": "assistant", "content": r}]
    return [*out, {"role": "user", "content": question}]


def _stems(text: str) -> set[str]:
    return {t[:5] for t in tokens(text)} | set(_DIGITS.findall(text))


def anchors(question: str) -> set[str]:
    """What a rewording must keep: numbers, and the stems of capitalised names after the first word."""
    out = set(_DIGITS.findall(question))
    for w in question.split()[1:]:
        m = _NAME.match(w)
        if m:
            out.add(m.group(0).casefold()[:5])
    return out


def one_question(question: str, candidate: str, kept: Sequence[str] = ()) -> str | None:
    """The candidate's first line cut to one clean question of 3-MAX_WORDS words that is neither
    `question` nor one of `kept`, or None."""
    text = candidate.strip().splitlines()[0].strip() if candidate.strip() else ""
    text = re.sub(r"^(?:question|q|rewording|new question)\s*:\s*", "", text, flags=re.IGNORECASE)
    text = text.strip(" \"'“”‘’*")
    end = text.find("?")
    if end < 0:
        return None
    text = text[:end + 1].strip(" \"'“”‘’*")
    if not 3 <= len(text.split()) <= MAX_WORDS:
        return None
    if _norm(text) in [_norm(question), *(_norm(k) for k in kept)]:
        return None
    return text


def accept(question: str, candidate: str, kept: Sequence[str] = ()) -> str | None:
    """The candidate as a clean one-question rewording of `question`, or None."""
    text = one_question(question, candidate, kept)
    if text is None:
        return None
    have = _stems(text)
    need = anchors(question)
    if need and not need <= have:
        return None
    content = content_stems(question)
    if not need and content and not content & have:
        return None  # nothing of the question left: another question, not a rewording
    if (content_stems(text) & _EXAMPLE_WORDS) - content:
        return None  # copied from the examples ("concert"), not a rewording of this question
    return text


def content_stems(text: str) -> set[str]:
    """The 5-letter stems of the words of `text` that carry content (3+ letters, not stop words)."""
    return {t[:5] for t in tokens(text) if len(t) >= 3 and t not in STOP_WORDS}


def _norm(text: str) -> str:
    return " ".join(tokens(text))


def generate(model_dir: Path, questions: Sequence[str], n: int, *, seed: int, batch_size: int = 24,
             prompt: Callable[[str], list[dict[str, str]]] = messages,
             keep: Callable[[str, str, Sequence[str]], str | None] = accept,
             samples_per_kept: int = SAMPLES_PER_KEPT) -> dict[str, list[str]]:
    """Up to `n` rewordings per question that `keep` accepts, sampled from the model in `model_dir`
    on the chat `prompt` gives (this module's few-shot rewrite and `accept` unless told).

    `batch_size` questions (each sampled n * samples_per_kept times) per generate call: for
    20 questions one call of 24 took 0.84x the time of three of 8 on 2 cores."""
    if n <= 0 or not questions:
        return {q: [] for q in questions}
    from lic_cli import models
    from lic_cli.train.runtime import cpu_threads, torch_env

    torch_env()
    import torch

    torch.set_num_threads(cpu_threads())
    model, tokenizer = models.open_causal_lm(model_dir)
    tokenizer.padding_side = "left"
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    per = n * samples_per_kept
    out: dict[str, list[str]] = {}
    unique = list(dict.fromkeys(questions))
    for start in range(0, len(unique), batch_size):
        batch = unique[start:start + batch_size]
        prompts = [tokenizer.apply_chat_template(prompt(q), add_generation_prompt=True, tokenize=False)
                   for q in batch]
        enc = tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        torch.manual_seed(seed + start)  # per batch: the same questions and seed give the same rewordings
        with torch.inference_mode():
            gen = _sample(model, enc, per, pad)
        texts = tokenizer.batch_decode(gen[:, enc["input_ids"].shape[1]:], skip_special_tokens=True)
        for i, q in enumerate(batch):
            kept: list[str] = []
            for cand in texts[i * per:(i + 1) * per]:
                good = keep(q, cand, kept)
                if good is not None:
                    kept.append(good)
                if len(kept) == n:
                    break
            out[q] = kept
    return out


def _sample(model: Any, enc: Any, per: int, pad: int) -> Any:
    """`per` sampled continuations of each prompt. The shared few-shot prompt is run once per
    question and its cache copied `per` times (generate's num_return_sequences would run it
    `per` times: most of the cost on a CPU)."""
    ids, mask = enc["input_ids"], enc["attention_mask"]
    # Positions as generate counts them on left-padded rows (from the first real token).
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    out = model(input_ids=ids[:, :-1], attention_mask=mask[:, :-1], position_ids=positions[:, :-1], use_cache=True)
    name = "cache" if "cache" in out.keys() else "past_key_values"  # transformers >= 5.x renamed it
    cache = out[name]
    cache.batch_repeat_interleave(per)
    return model.generate(input_ids=ids.repeat_interleave(per, 0), attention_mask=mask.repeat_interleave(per, 0),
                          max_new_tokens=MAX_NEW_TOKENS, do_sample=True, temperature=TEMPERATURE, top_p=TOP_P,
                          pad_token_id=pad, **{name: cache})


# The examples' subjects (the words each example keeps): in a candidate for another question
# they were copied from the examples.
_EXAMPLE_WORDS = frozenset(w for q, r in EXAMPLES for w in content_stems(q) & content_stems(r))
