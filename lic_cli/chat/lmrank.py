"""The language model reads the best few rows: query likelihood.

Siblings (a junior and an adult price, a winter and a summer opening time) share the question's
topic, so the two retrieval stages often score them alike and put the wrong one first
(docs/chat.md, session 13: the largest loss on every domain). The causal LM reads each row and
says how likely the user's very question is after it: log P(question | row) - log P(question),
the row's pointwise mutual information with the question (query likelihood, as in unsupervised
passage re-ranking with a language model). A row that names what the question names (junior,
winter) makes the question's words likelier; the unconditioned term keeps common wordings from
winning and puts every question's scores on one scale. No training and no domain's words: the
packaged model's own reading.

All rows of a question and the bare question are scored in one batched forward pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# The frame the row is read in; the question follows after a space. The same frame without a row
# gives log P(question) (a constant per question: it only puts questions on one scale).
FRAME = "{row}\nQuestion:"
BARE = "Question:"


def passage(text: str) -> str:
    """What the model reads of a row: its whole text, as the re-ranker reads it."""
    return text.strip()


def pmi(model: Any, tokenizer: Any, question: str, rows: Sequence[str], *, per_token: bool = True) -> list[float]:
    """For each row, log P(question | row) - log P(question) under the causal LM, summed over the
    question's tokens (per_token: divided by their number, so questions compare on one scale)."""
    import torch

    if not rows:
        return []
    q_ids = tokenizer(" " + question.strip(), add_special_tokens=False)["input_ids"]
    prefixes = [FRAME.format(row=passage(r)) for r in rows] + [BARE]
    seqs = [tokenizer(p, add_special_tokens=False)["input_ids"] + q_ids for p in prefixes]
    width = max(len(s) for s in seqs)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else (tokenizer.eos_token_id or 0)
    ids = torch.full((len(seqs), width), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):  # right padding: every sequence's positions start at 0
        ids[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    n = len(q_ids)
    # Each question token is predicted from the position before it: only those positions are read out
    # through the vocabulary (a sixth of the model's work at this size when done for every position).
    rows_at = torch.tensor([i for i, s in enumerate(seqs) for _ in range(n)])
    cols_at = torch.tensor([len(s) - n - 1 + j for s in seqs for j in range(n)])
    with torch.inference_mode():
        hidden = model.get_decoder()(input_ids=ids, attention_mask=mask).last_hidden_state
        logits = model.get_output_embeddings()(hidden[rows_at, cols_at]).float()
    logp = torch.log_softmax(logits, dim=-1).gather(1, torch.tensor(q_ids * len(seqs))[:, None])
    out = [float(v) for v in logp.view(len(seqs), n).sum(dim=1)]
    bare = out.pop()
    return [(v - bare) / (n if per_token else 1) for v in out]


USE_ENV = "LIC_LMRANK"  # "1": read; unset or "0": the combination's order stands
# Opt-in since the lead's review (session 14): held out, it found 1-2 more of 270 paraphrases (inside the
# interval) for 0.4-0.7 s more on every question it reads (12-28 % of them), which puts the first token
# of those past the 1 s target on one core.
# Chosen on the tune part of the dev domains (nine, 1,130 paraphrases) and kept because the check part
# (fencingclub, auctionhouse) gained too (docs/chat.md, session 14). A wider margin or a larger weight
# found fewer on the tune part: the reading alone puts fewer right rows first than the combination.
K = 3  # how many of the combination's best rows are read
WEIGHT = 1.5  # the reading's share beside the combination's order key (chat/combine.py ordered)
MARGIN = 0.5  # only rows within this of the first's key are re-ordered: the reading breaks near ties


def enabled() -> bool:
    import os

    return os.environ.get(USE_ENV, "0").strip().lower() in ("1", "yes", "on", "true")


class Reader:
    """Re-orders the combination's best few rows by the causal LM's reading (pmi) beside its own
    order key. The model is the packaged SmolLM2, loaded on first use (chat's local backend loads
    the same object: models.load_causal_lm keeps it for the process). `score(question, texts)`
    replaces the model's reading (tests)."""

    def __init__(self, spec: str = "smollm2", *, k: int = K, weight: float = WEIGHT, margin: float = MARGIN,
                 score: Callable[[str, list[str]], list[float]] | None = None) -> None:
        self.spec, self.k, self.weight, self.margin = spec, k, weight, margin
        self._score = score
        self.last_s = 0.0  # seconds the latest reading took (0 when nothing was read)

    def score(self, question: str, texts: list[str]) -> list[float]:
        if self._score is not None:
            return self._score(question, texts)
        from lic_cli.models import load_causal_lm

        model, tokenizer = load_causal_lm(self.spec)
        return pmi(model, tokenizer, question, texts)

    def reorder(self, question: str, out: list, threshold: float) -> list:
        """`out`: (signal, combine.Candidate) best first, each candidate's order key in extra["order"].
        The rows of the best K within MARGIN of the first's key are put in the order of key + WEIGHT x
        pmi; nothing is read when one row leads alone or none of them reaches `threshold` (then no
        row answers, whatever the order)."""
        import time

        self.last_s = 0.0
        lead = out[0][1].extra["order"] if out else 0.0
        pool = [x for x in out[:self.k] if x[1].extra["order"] >= lead - self.margin]
        if len(pool) < 2 or max(s for s, _ in pool) < threshold:
            return out
        t0 = time.perf_counter()
        read = self.score(question, [c.text for _, c in pool])
        self.last_s = time.perf_counter() - t0
        keyed = sorted(range(len(pool)), key=lambda i: (-(pool[i][1].extra["order"] + self.weight * read[i]), i))
        return [pool[i] for i in keyed] + out[len(pool):]
