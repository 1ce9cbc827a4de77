"""Hybrid candidate search: rapidfuzz on the key texts plus MiniLM cosine similarity.

Candidates are the union of the top-k by each score, ranked by a blend of both, so a
paraphrase (high cosine, lower fuzz) and a near-verbatim key (high fuzz) are both found.
Both scores travel with each candidate into the record for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils

from lic_cli.locate.index import KeyIndex

FUZZ_WEIGHT = 0.4  # the blend: 0.4 * fuzz + 0.6 * cosine
SHORTLIST = 50  # large indexes: candidates re-ranked after the first stage
NPROBE = 24  # k-means lists probed per query (of ~sqrt(rows))
NUMBER_PENALTY = 0.1  # keys naming different numbers ("Glide 14" / "Glide 16") are different things
_NUM = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Candidate:
    i: int
    fuzz: float  # 0..1
    sim: float  # cosine similarity of the key embeddings
    score: float


def blend(fz: float, sim: float) -> float:
    return FUZZ_WEIGHT * fz + (1 - FUZZ_WEIGHT) * sim


def numbers_differ(a: str, b: str) -> bool:
    na, nb = set(_NUM.findall(a)), set(_NUM.findall(b))
    return bool(na and nb and na != nb)


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


def first_stage(index: KeyIndex, q, k: int) -> tuple[list[int], list[float]]:
    """Rows (and cosines) of the top-k keys by embedding. Small indexes: one product over
    all keys. Large ones: probe the NPROBE nearest k-means lists, each a contiguous slice."""
    import numpy as np

    if index.ivf is None:
        sims = np.asarray(index.emb @ q, dtype=np.float32)
        pos = np.argsort(-sims, kind="stable")[:k]
        return index.rows[pos].tolist(), sims[pos].tolist()
    bounds = index.ivf["bounds"]
    probe = np.argsort(-(index.ivf["centroids"] @ q))[:NPROBE]
    spans = [(int(bounds[p]), int(bounds[p + 1])) for p in probe if bounds[p + 1] > bounds[p]]
    sims = np.concatenate([index.emb[a:b] @ q for a, b in spans])
    where = np.concatenate([np.arange(a, b) for a, b in spans])
    top = np.argpartition(-sims, min(k, len(sims) - 1))[:k] if len(sims) > k else np.arange(len(sims))
    top = top[np.argsort(-sims[top], kind="stable")]
    return index.rows[where[top]].tolist(), sims[top].tolist()


def search(index: KeyIndex, query: tuple[str, ...], k: int = 5) -> list[Candidate]:
    """Top-k rows for a key, best first, each with its fuzz, cosine and blended score."""
    text = " ".join(query).strip()
    if len(index) == 0 or not text:
        return []
    import numpy as np

    q = index.encoder.encode([text])[0]
    if index.ivf is None:
        # Small: exact cosine over all keys, plus rapidfuzz over all keys (cheap below IVF_MIN_ROWS).
        rows, _ = first_stage(index, q, k)
        sims = np.asarray(index.emb @ q, dtype=np.float32)[np.argsort(index.rows)]  # row order
        sim_of = sims  # indexed by row
        pool = rows + [i for _, _, i in process.extract(text, index.keys, scorer=fuzz.token_set_ratio,
                                                            processor=utils.default_process, limit=k)]
    else:
        # Large: a shortlist from the lists, re-ranked by rapidfuzz + cosine.
        rows, sims = first_stage(index, q, max(k, SHORTLIST))
        sim_of = dict(zip(rows, sims, strict=True))
        pool = rows
    out = []
    for i in dict.fromkeys(pool):
        fz = key_fuzz(query, index.fields(i))
        sim = float(sim_of[i])
        score = blend(fz, sim) - (NUMBER_PENALTY if numbers_differ(text, index.keys[i]) else 0.0)
        out.append(Candidate(i, round(fz, 4), round(sim, 4), round(score, 4)))
    out.sort(key=lambda c: (-c.score, c.i))
    return out[:k]


def same_value(a: str, b: str) -> bool:
    """Values match when equal after normalization, or near-identical (typos, punctuation),
    never when they state different numbers ("50 cents per page" is not "40 cents per page")."""
    pa, pb = utils.default_process(a), utils.default_process(b)
    return pa == pb or (fuzz.ratio(pa, pb) >= 92 and set(_NUM.findall(a)) == set(_NUM.findall(b)))
