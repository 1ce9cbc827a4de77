"""The second scoring convention for fact and note items: same words, any order.

Field F1 (`evaluate.py`) compares values as normalized strings. The corpus's fact subjects
and relations and its note texts were written freely, so a value that says the same thing
in the turn's own word order fails there: "the spin class on Tuesdays" against gold "the
Tuesday spin class", "The user has a nut allergy, a severe one." against "The user has a
severe nut allergy.". `align` rewrites such a predicted value to the gold value it matches
under the rules below, so `evaluate.score` can then be run unchanged; both figures are
reported side by side (docs/extract.md, "Evaluation"). The rules are strict on wrong items:
a different subject, value, number, holder or a negation never matches
(tests/test_extract_convention.py).

- fact `subject` and `relation`: the same content words, as a multiset, in any order;
  articles, prepositions, possessive pronouns and a possessive 's are not content words,
  and a plural or third-person `-s` is dropped ("the lounge at Terminal 2" = "the Terminal 2
  lounge"; "the shop" != "the high street shop"; "price" != "monthly price"). Objects and
  `replaces` stay exact: values are kept whole.
- note `text` and `replaces`: every content word of the gold note is in the predicted one,
  at most a third of the predicted note's content words are extra (never more than 2), the
  numbers are the same, both or neither are negated, and both are about the same holder
  ("The user" vs "The user's husband"). Word forms are the same up to a final `-s`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,:/-][a-z0-9]+)*(?:'[a-z]+)?")
_FACT_FUNCTION = frozenset("a an the of to in on at for by with from into my our your their its his her".split())
_NOTE_FUNCTION = _FACT_FUNCTION | frozenset("""i me we us they them he she it you is are was were be been being am
has have had do does did and or but that this these those who which there as""".split())
_NEGATION = frozenset("not no never without".split())
FIELDS = {"fact": ("subject", "relation"), "note": ("text", "replaces")}


def _tokens(value: str) -> list[str]:
    text = unicodedata.normalize("NFKC", value).translate(_QUOTES).lower()
    text = text.replace("won't", "will not").replace("can't", "can not").replace("cannot", "can not")
    text = text.replace("n't", " not")
    return _TOKEN.findall(text)


def _stem(word: str) -> str:
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and not word[-2].isdigit():
        word = word[:-1]
    return word


def fact_words(value: str) -> Counter:
    """The content words of a subject or relation, as a multiset."""
    return Counter(_stem(w) for w in _tokens(value) if w not in _FACT_FUNCTION and _stem(w) not in _FACT_FUNCTION)


def same_fact_field(gold: str, pred: str) -> bool:
    g = fact_words(gold)
    return bool(g) and g == fact_words(pred)


def _holder(tokens: list[str]) -> tuple[str, ...]:
    """Whom the note is about: 'the user' or 'the user's <noun>' (else the first content word)."""
    words = [w for w in tokens if w not in ("the", "a", "an")]
    if not words:
        return ()
    if words[0] == "user's" and len(words) > 1:
        return ("user's", _stem(words[1]))
    return (_stem(words[0]),)


def same_note(gold: str, pred: str) -> bool:
    gt, pt = _tokens(gold), _tokens(pred)
    if not gt or _holder(gt) != _holder(pt):
        return False
    if {w for w in gt if w in _NEGATION} != {w for w in pt if w in _NEGATION}:
        return False
    if {w for w in gt if any(c.isdigit() for c in w)} != {w for w in pt if any(c.isdigit() for c in w)}:
        return False
    g = {_stem(w) for w in gt if w not in _NOTE_FUNCTION and w not in _NEGATION}
    p = {_stem(w) for w in pt if w not in _NOTE_FUNCTION and w not in _NEGATION}
    extra = p - g
    return bool(g) and g <= p and len(extra) <= min(2, len(p) // 3)


def same(kind: str, field: str, gold: str, pred: str) -> bool:
    if kind == "fact" and field in ("subject", "relation"):
        return same_fact_field(gold, pred)
    if kind == "note" and field in ("text", "replaces"):
        return same_note(gold, pred)
    return False


def align(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`pred` with each fact subject / relation and note text / replaces that matches a gold
    value of the same kind and field under this convention (and is not already equal to one)
    rewritten to that gold value; each gold value is used once. Other fields are untouched."""
    from lic_cli.extract.evaluate import normalize

    out = [dict(p) for p in pred]
    for kind, fields in FIELDS.items():
        for name in fields:
            golds = [normalize(g[name]) for g in gold if g.get("kind") == kind and isinstance(g.get(name), str)]
            raw = {normalize(g[name]): g[name] for g in gold if g.get("kind") == kind and isinstance(g.get(name), str)}
            free = Counter(golds)
            mine = [p for p in out if p.get("kind") == kind and isinstance(p.get(name), str)]
            for p in mine:  # exact matches first: they keep their gold value
                v = normalize(p[name])
                if free[v] > 0:
                    free[v] -= 1
                    p["_exact_" + name] = True
            for p in mine:
                if p.pop("_exact_" + name, False):
                    continue
                for g in golds:
                    if free[g] > 0 and same(kind, name, g, p[name]):
                        free[g] -= 1
                        p[name] = raw[g]
                        break
    return out
