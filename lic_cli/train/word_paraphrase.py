"""Rewordings of taught questions with other content words (training augmentation, session 14).

The base model's rewordings (lm_paraphrase.py) must keep the question's names and share its words,
so they mostly change the frame ("What are ...'s hours" for "When does ... open"). The paraphrases
a retrained model fails on change the *content* words: "a little runaround" for "a small car", "the
basic package" for "the Standard package", and leave the business's name out (docs/train.md,
session 13's miss table). Here the base model is asked, few-shot, to say the things a question
names in other words, and a candidate is kept when:

- it is one question (lm_paraphrase.one_question), keeps the question's numbers and adds none,
  and names nothing the question does not (it may drop a name: people leave the business out);
- at least one content word of the question is gone and a new one came (else it is a frame
  rewording, which augment_lm already writes);
- MiniLM still reads it as this question: at least MIN_SIM similar to it, and no other taught
  question of the same training more than MARGIN closer (a rewording that drifted to a sibling
  row, "per week" for "per day", would teach the wrong answer).

No word list of any domain: the examples are generic and the filters are about English and the
taught questions themselves. torch is imported inside lm_paraphrase.generate only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from lic_cli.train import lm_paraphrase

INSTRUCTION = ("Ask the same question the way a customer might, using other words for the things it "
               "mentions. Reply with the new question only.")
# Generic rewrites that swap the content words (and may drop the place's name), from no dataset.
EXAMPLES = (
    ("When does the post office on Mill Street open on Saturdays?",
     "What time do the mail counters start serving on a Saturday?"),
    ("Who is the head chef at the Olive Tree restaurant?", "Who runs the kitchen there?"),
    ("How much is a return train ticket to the city?", "What does a there-and-back rail fare into town cost?"),
    ("Is there parking near the theatre?", "Can I leave my car somewhere close to the playhouse?"),
)
MIN_SIM = 0.6  # MiniLM cosine to its own question
MARGIN = 0.0  # no other taught question closer
# Chosen on 47 candidates for 12 paintball questions (a tuning domain): the 135M model writes many
# off-meaning ones ("What's a blowtorch in a home?"), and below 0.6, or nearer a sibling question, most
# were. Human paraphrases sit lower (93 of the 121 of paintball and carhire reach 0.4 with a 0.05
# margin), so the filter keeps the model's close rewordings only: precision over recall.
SAMPLES_PER_KEPT = 1  # candidates sampled per rewording wanted (2n are sampled, the filters keep <= n)

_NAME = re.compile(r"^[A-Z][a-z]+")
_DIGITS = re.compile(r"\d+")


def messages(question: str) -> list[dict[str, str]]:
    """The few-shot chat that asks for `question` in other words."""
    return lm_paraphrase.messages(question, INSTRUCTION, EXAMPLES)


def _names(text: str) -> set[str]:
    """Stems of the capitalised words after the first ("Kingsferry's" -> "kings")."""
    return {m.group(0).casefold()[:5] for w in text.split()[1:] if (m := _NAME.match(w))}


def accept(question: str, candidate: str, kept: Sequence[str] = ()) -> str | None:
    """The candidate as one question that asks `question` with other content words, or None
    (the text filters; the meaning filter is `same_meaning`)."""
    text = lm_paraphrase.one_question(question, candidate, kept)
    if text is None:
        return None
    if sorted(_DIGITS.findall(text)) != sorted(_DIGITS.findall(question)):
        return None  # a number changed: another fact
    if _names(text) - _names(question):
        return None  # a name the question does not give: another subject
    have, asked = lm_paraphrase.content_stems(text), lm_paraphrase.content_stems(question)
    if not (asked - have and have - asked):
        return None  # the same content words: a frame rewording
    if (have & _EXAMPLE_WORDS) - asked:
        return None  # copied from the examples
    return text


def same_meaning(questions: Sequence[str], written: dict[str, list[str]], encoder) -> dict[str, list[str]]:
    """Each question's rewordings that MiniLM (`encoder`) still reads as that question (see the module)."""
    import numpy as np

    order = list(dict.fromkeys(questions))
    cands = [(i, r) for i, q in enumerate(order) for r in written.get(q, [])]
    out: dict[str, list[str]] = {q: [] for q in order}
    if not cands:
        return out
    sims = encoder.encode([r for _, r in cands]) @ encoder.encode(order).T
    for row, (i, text) in zip(sims, cands, strict=True):
        own = float(row[i])
        other = float(np.delete(row, i).max()) if len(order) > 1 else -1.0
        if own >= MIN_SIM and own >= other - MARGIN:
            out[order[i]].append(text)
    return out


def generate(model_dir: Path, questions: Sequence[str], n: int, *, seed: int, encoder=None) -> dict[str, list[str]]:
    """Up to `n` rewordings per question in other content words, written by the model in `model_dir`
    and kept by `accept` and `same_meaning` (the packaged MiniLM unless `encoder` is given). Seeded."""
    if n <= 0 or not questions:
        return {q: [] for q in questions}
    written = lm_paraphrase.generate(model_dir, questions, 2 * n, seed=seed, prompt=messages, keep=accept,
                                     samples_per_kept=SAMPLES_PER_KEPT)
    if encoder is None:
        from lic_cli import models

        encoder = models.load_encoder("minilm")
    return {q: rs[:n] for q, rs in same_meaning(questions, written, encoder).items()}


# The examples' own subjects: in a candidate for a question that does not name them, copied from
# the examples (their common words, "cost", "open", "car", are any question's).
_EXAMPLE_WORDS = frozenset(lm_paraphrase.content_stems("post mail Mill chef Olive restaurant rail theatre playhouse"))
