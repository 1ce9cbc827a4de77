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
    fuzz: float  # 0..1, token_set_ratio of the processed key texts
    sim: float  # cosine similarity of the key embeddings
    score: float


def blend(fz: float, sim: float) -> float:
    return FUZZ_WEIGHT * fz + (1 - FUZZ_WEIGHT) * sim


def search(index: KeyIndex, query: str, query_emb, k: int = 5) -> list[Candidate]:
    if len(index) == 0 or not query.strip():
        return []
    import numpy as np

    sims = np.asarray(index.emb @ query_emb, dtype=np.float32)
    top_sim = np.argsort(-sims)[:k].tolist()
    top_fuzz = [i for _, _, i in process.extract(query, index.keys, scorer=fuzz.token_set_ratio,
                                                 processor=utils.default_process, limit=k)]
    out = []
    for i in dict.fromkeys(top_sim + top_fuzz):
        fz = fuzz.token_set_ratio(query, index.keys[i], processor=utils.default_process) / 100.0
        sim = float(sims[i])
        out.append(Candidate(i, round(fz, 4), round(sim, 4), round(blend(fz, sim), 4)))
    out.sort(key=lambda c: (-c.score, c.i))
    return out[:k]


def same_value(a: str, b: str) -> bool:
    """Values match when equal after normalization, or near-identical (typos, punctuation)."""
    pa, pb = utils.default_process(a), utils.default_process(b)
    return pa == pb or fuzz.ratio(pa, pb) >= 92
