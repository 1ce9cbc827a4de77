"""Hybrid candidate search: rapidfuzz on the key texts plus MiniLM cosine similarity.

Candidates are the union of the top-k by each score, ranked by a blend of both, so a
paraphrase (high cosine, lower fuzz) and a near-verbatim key (high fuzz) are both found.
Both scores travel with each candidate into the record for review.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from lic_cli.locate.index import KeyIndex

FUZZ_WEIGHT = 0.4  # the blend: 0.4 * fuzz + 0.6 * cosine


@dataclass(frozen=True)
class Candidate:
    i: int
    fuzz: float  # 0..1
    sim: float  # cosine similarity of the key embeddings
    score: float


def blend(fz: float, sim: float) -> float:
    return FUZZ_WEIGHT * fz + (1 - FUZZ_WEIGHT) * sim


def key_fuzz(query: tuple[str, ...], row: list[str]) -> float:
    """0..1. A one-column key (a question, a text) uses token_set_ratio, which forgives
    word order and extra words; a multi-column key (subject + relation) must match column
    by column, so "Kestrel / support phone number" is not "Kestrel Toronto / phone number";
    free text against a multi-column key (a forget target) uses token_sort_ratio, which
    does not count "Kestrel's fax number" as contained in "Kestrel support phone number"."""
    if len(query) != len(row):
        return fuzz.token_sort_ratio(" ".join(query), " ".join(row), processor=utils.default_process) / 100.0
    if len(query) == 1:
        return fuzz.token_set_ratio(query[0], row[0], processor=utils.default_process) / 100.0
    return min(fuzz.ratio(q, r, processor=utils.default_process) for q, r in zip(query, row, strict=True)) / 100.0


def search(index: KeyIndex, query: tuple[str, ...], query_emb, k: int = 5) -> list[Candidate]:
    text = " ".join(query).strip()
    if len(index) == 0 or not text:
        return []
    import numpy as np

    sims = np.asarray(index.emb @ query_emb, dtype=np.float32)
    top_sim = np.argsort(-sims)[:k].tolist()
    top_fuzz = [i for _, _, i in process.extract(text, index.keys, scorer=fuzz.token_set_ratio,
                                                 processor=utils.default_process, limit=k)]
    out = []
    for i in dict.fromkeys(top_sim + top_fuzz):
        fz = key_fuzz(query, index.fields[i])
        sim = float(sims[i])
        out.append(Candidate(i, round(fz, 4), round(sim, 4), round(blend(fz, sim), 4)))
    out.sort(key=lambda c: (-c.score, c.i))
    return out[:k]


def same_value(a: str, b: str) -> bool:
    """Values match when equal after normalization, or near-identical (typos, punctuation)."""
    pa, pb = utils.default_process(a), utils.default_process(b)
    return pa == pb or fuzz.ratio(pa, pb) >= 92
