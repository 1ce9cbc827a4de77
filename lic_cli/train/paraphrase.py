"""Template paraphrases of a question: surface rewordings that keep its content.

Two disjoint families: `for_training` (augmentation: the model learns the fact, not
one wording) and `for_eval` (generalization probes). Keeping them apart means the
evaluation never sees a wording the training used. Deterministic: the same question
always gets the same paraphrases.
"""

from __future__ import annotations

import hashlib

TRAIN_TEMPLATES = (
    "{keywords}?",  # content words only: the answer hangs on what is asked, not on the phrasing
    "Quick question: {q}",
    "{lc_bare}?",
    "Hi, {lc}",
    "{q} Thanks!",
    "I'd like to know: {q}",
    "Hello! {q}",
    "Sorry to bother you, {lc}",
    "{q} Please answer briefly.",
)

EVAL_TEMPLATES = (
    "Hey there, {lc}",
    "Can you help me with this? {q}",
    "{q} I need to know.",
    "Excuse me, {lc}",
)


def _fill(template: str, question: str) -> str:
    from lic_cli.train.judge import STOP_WORDS

    q = question.strip()
    lc = q[:1].lower() + q[1:] if q[1:2].islower() or len(q) < 2 else q  # keep acronyms ("VAT ...")
    words = [w for w in lc.rstrip("?.! ").split() if w.casefold().strip(",.;:!?") not in STOP_WORDS]
    return template.format(q=q, lc=lc, lc_bare=lc.rstrip("?.! "), keywords=" ".join(words) or lc.rstrip("?.! "))


def _pick(templates: tuple[str, ...], question: str, n: int) -> list[str]:
    # Start at a question-dependent offset so n < len(templates) still uses every template.
    offset = int(hashlib.sha256(question.encode("utf-8")).hexdigest()[:8], 16) % len(templates)
    out: list[str] = []
    for i in range(len(templates)):
        text = _fill(templates[(offset + i) % len(templates)], question)
        if text != question and text not in out:
            out.append(text)
        if len(out) == n:
            break
    return out


def for_training(question: str, n: int) -> list[str]:
    """Up to `n` rewordings used as extra training questions."""
    return _pick(TRAIN_TEMPLATES, question, n) if n > 0 else []


def for_eval(question: str, n: int = 2) -> list[str]:
    """Up to `n` rewordings that no training template produces."""
    return _pick(EVAL_TEMPLATES, question, n) if n > 0 else []
