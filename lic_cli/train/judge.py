"""Is a generated answer right? Judged by content, not by the exact string.

The rule (docs/train.md, "How answers are judged"):

1. Both texts are normalized (NFKC, case-folded) and split into tokens; a token is a
   run of letters/digits, possibly joined by `. @ : / ' -` (so `2.5`, `help@kestrel.shop`
   and `24/7` stay whole).
2. **Key facts**: every reference token that holds a digit or an `@` (amounts, days,
   times, phone numbers, e-mail addresses) must appear in the answer.
3. **Content words**: of the reference's other words (stop words and words under 3
   letters left out, each cut to its first 5 letters so `refunds` ~ `refund`), at least
   half must appear in the answer.
4. **Polarity**: a reference that starts with "yes" or "no" needs an answer that does
   not start with the opposite.

An answer passes when 2, 3 and 4 hold. A reference with neither key facts nor content
words passes any non-empty answer that meets 4.
"""

from __future__ import annotations

import re
import unicodedata

CONTENT_RECALL = 0.5  # share of the reference's content words the answer must contain
STEM = 5  # letters kept per word: a crude stemmer, enough for plural and tense

_TOKEN = re.compile(r"[^\W_]+(?:[.@:/'\-][^\W_]+)*")
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor not
now of off on once only or other our ours out over own same she should so some such than that the
their theirs them then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yes please also get got
can't don't won't it's you're we're we'll you'll i'm let's
""".split())


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def _is_key(tok: str) -> bool:
    return any(c.isdigit() for c in tok) or "@" in tok


def _stem(tok: str) -> str:
    return tok[:STEM]


def _polarity(toks: list[str]) -> str | None:
    return toks[0] if toks and toks[0] in ("yes", "no") else None


def content_score(reference: str, answer: str) -> float:
    """Share of the reference's key facts and content words found in the answer (0..1)."""
    ref, ans = tokens(reference), tokens(answer)
    keys = {t for t in ref if _is_key(t)}
    words = {_stem(t) for t in ref if not _is_key(t) and len(t) >= 3 and t not in STOP_WORDS}
    have_tokens, have_stems = set(ans), {_stem(t) for t in ans}
    found = len(keys & have_tokens) + len(words & have_stems)
    total = len(keys) + len(words)
    return found / total if total else 1.0


def is_correct(reference: str, answer: str) -> bool:
    """The answer gives the reference's facts (rule in the module docstring)."""
    ref, ans = tokens(reference), tokens(answer)
    if not ans:
        return False
    pol_ref, pol_ans = _polarity(ref), _polarity(ans)
    if pol_ref and pol_ans and pol_ref != pol_ans:
        return False
    have_tokens, have_stems = set(ans), {_stem(t) for t in ans}
    keys = {t for t in ref if _is_key(t)}
    if not keys <= have_tokens:
        return False
    words = {_stem(t) for t in ref if not _is_key(t) and len(t) >= 3 and t not in STOP_WORDS}
    if not words:
        return True
    return len(words & have_stems) / len(words) >= CONTENT_RECALL
