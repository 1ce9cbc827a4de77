"""Is a generated answer right? Judged by content, not by the exact string.

The rule (docs/train.md, "How answers are judged"):

1. Both texts are normalized (NFKC, case-folded) and split into tokens; a token is a
   run of letters/digits, possibly joined by `. @ : / ' -` (so `2.5`, `help@kestrel.shop`
   and `24/7` stay whole).
2. **Key facts**: every reference token that holds a digit or an `@` (amounts, days,
   times, phone numbers, e-mail addresses) must appear in the answer (also as a part of
   an answer token joined by `-` or `/`: `8:00-16:00` holds `16:00`).
3. **Content words**: the reference's other words (stop words and words under 3 letters
   left out, each cut to its first 5 letters after a final `s`, so `refunds` ~ `refund`
   and `ships` ~ `ship`). Given the question, only the words the reference adds to it
   count (what the answer says, not the restated question: for "Who is the CEO of
   Kestrel?", "Kestrel's CEO is Marta Okonkwo." looks for `marta`, `okonk`), unless it
   adds none. Of the key facts and these words together, at least half must appear in
   the answer (the key facts all do, by 2).
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
between both but by can could did do does doing down during each every few for from further had has have
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
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
        tok = tok[:-1]  # "ships" ~ "ship", "costs" ~ "cost": 5 letters alone would keep them apart
    return tok[:STEM]


def _polarity(toks: list[str]) -> str | None:
    return toks[0] if toks and toks[0] in ("yes", "no") else None


def _keys_and_words(reference: str, question: str | None) -> tuple[set[str], set[str]]:
    ref = tokens(reference)
    keys = {t for t in ref if _is_key(t)}
    words = {_stem(t) for t in ref if not _is_key(t) and len(t) >= 3 and t not in STOP_WORDS}
    if question:
        # What the answer adds to the question is its content; restating the question is not.
        new = words - {_stem(t) for t in tokens(question)}
        words = new or words
    return keys, words


def _have(answer: list[str]) -> tuple[set[str], set[str]]:
    # A key may sit inside a range or pair the answer writes as one token ("8:00-16:00").
    whole = set(answer) | {part for t in answer for part in re.split(r"[-/]", t) if part}
    return whole, {_stem(t) for t in answer}


def content_score(reference: str, answer: str, question: str | None = None) -> float:
    """Share of the reference's key facts and content words found in the answer (0..1)."""
    keys, words = _keys_and_words(reference, question)
    have_tokens, have_stems = _have(tokens(answer))
    found = len(keys & have_tokens) + len(words & have_stems)
    total = len(keys) + len(words)
    return found / total if total else 1.0


def is_correct(reference: str, answer: str, question: str | None = None) -> bool:
    """The answer gives the reference's facts (rule in the module docstring); with the
    question, the content words looked for are the ones the reference adds to it."""
    ref, ans = tokens(reference), tokens(answer)
    if not ans:
        return False
    pol_ref, pol_ans = _polarity(ref), _polarity(ans)
    if pol_ref and pol_ans and pol_ref != pol_ans:
        return False
    keys, words = _keys_and_words(reference, question)
    have_tokens, have_stems = _have(ans)
    if not keys <= have_tokens:
        return False
    if not words:
        return True
    # The key facts (all there) count with the words: "Business clients ring 0800 555 0199."
    # gives the number even without the reference's "call".
    return (len(keys) + len(words & have_stems)) / (len(keys) + len(words)) >= CONTENT_RECALL
