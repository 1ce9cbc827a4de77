"""The dataset scanner never misses a line whose key a patch targets."""

from __future__ import annotations

import io
import json
import random

import pytest

from lic_cli.store import scan as scan_mod
from lic_cli.store.rows import normalize_text
from lic_cli.store.scan import KeyFilter, scan

WORDS = ["refund", "Refund", "REFUND", "ship", "eu", "café", "CAFÉ", "Ｒｅｆｕｎｄ", "x\"y", "a\\b", "tab\tbed", "",
         "  ", "straße", "STRASSE", "e\u0301", "no\u00a0break", "line\u2028sep", "ﬁne", "日本"]


def random_line(rng: random.Random) -> str:
    q = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
    kind = rng.random()
    if kind < 0.05:
        return ""  # blank line
    if kind < 0.08:
        return json.dumps({"answer": "no question here"})
    if kind < 0.11:
        return json.dumps({"meta": {"question": q}, "question": q})
    if kind < 0.14:
        return json.dumps({"question": q, "answer": "x"}, separators=(",", ":"))
    if kind < 0.17:
        return json.dumps({"question": q, "answer": "x"}, ensure_ascii=True)
    if kind < 0.19:
        return json.dumps({"question": q}).replace("r", "\\u0072")  # escaped letters
    if kind < 0.21:
        return json.dumps({"answer": "question", "question": q})
    return json.dumps({"question": q, "answer": rng.choice(WORDS)}, ensure_ascii=False)


@pytest.mark.parametrize("seed", range(20))
def test_scan_hands_over_every_targeted_line(monkeypatch, seed):
    monkeypatch.setattr(scan_mod, "BLOCK", 997)  # many block boundaries
    monkeypatch.setattr(scan_mod, "_SMALL", 3)  # deep halving
    rng = random.Random(seed)
    lines = [random_line(rng) for _ in range(400)]
    data = ("\n".join(lines) + ("\n" if seed % 2 else "")).encode()
    targets = {normalize_text(json.loads(ln).get("question", "")) for ln in rng.sample([x for x in lines if x], 5)}
    keep = KeyFilter("question", targets)
    got = list(scan(io.BytesIO(data), keep))
    assert b"".join(chunk for chunk, _, _ in got) == data  # every byte, in order
    handed = {n for _, n, _ in got if n}
    for n, ln in enumerate(lines, 1):
        if ln.strip() and normalize_text(json.loads(ln).get("question", "")) in targets:
            assert n in handed, ln
    for chunk, n, _ in got:  # line numbers are right
        if n:
            assert chunk.rstrip(b"\n").decode() == lines[n - 1]
    # Most plain lines are skipped.
    assert len(handed) < len(lines)
    assert sum(k for _, n, k in got if not n) + sum(1 for c, n, _ in got if n and c.endswith(b"\n")) == data.count(b"\n")


def test_no_filter_hands_over_every_line():
    data = b'{"a": 1}\n\n{"b": 2}'
    assert [n for _, n, _ in scan(io.BytesIO(data), None)] == [1, 2, 3]


PLAIN = ["refund", "Refund", "REFUND", "ship", "eu", "café", "日本", "how long"]
ODD = ["CAFÉ", "ﬁne", "straße", "no\u00a0break", "x\"y", "a\\b", "tab\tbed", "Ｒｅｆｕｎｄ"]


def fast_line(rng: random.Random) -> str:
    words = [rng.choice(PLAIN) for _ in range(rng.randint(1, 3))]
    odd = rng.random()
    if odd < 0.04:  # odd spacing only
        q = rng.choice(["", " "]) + "  ".join(words) + rng.choice(["", " "])
    elif odd < 0.07:  # an odd word: escapes, NFKC or case forms
        q = " ".join([*words, rng.choice(ODD)])
    else:
        q = " ".join(words)
    kind = rng.random()
    if kind < 0.02:
        return json.dumps({"answer": "no question here"})
    if kind < 0.04:
        return json.dumps({"meta": {"question": "refund"}, "question": q})
    if kind < 0.08:
        return json.dumps({"question": q, "answer": "x"}, separators=(",", ":"))
    if kind < 0.10:
        return json.dumps({"question": q}).replace('"question"', '"question" \t')
    if kind < 0.11:
        return json.dumps({"question": q}).replace('"question"', '"\\u0071uestion"')  # escaped key name
    if kind < 0.12:
        return json.dumps({"question": len(q), "answer": q})  # not a string
    if kind < 0.13:
        return json.dumps({"question": q, "answer": "x"}, ensure_ascii=True)
    return json.dumps({"answer": rng.choice(PLAIN + ODD), "question": q}, ensure_ascii=False)


@pytest.mark.parametrize("seed", range(30))
def test_fast_path_hands_over_every_targeted_line(monkeypatch, seed):
    """No empty target, so the whole-region fast path runs; tiny parts and blocks put
    key variants (case, spacing, escapes, NFKC forms) on every kind of boundary."""
    monkeypatch.setattr(scan_mod, "BLOCK", 1500 + seed * 37)
    monkeypatch.setattr(scan_mod, "_PART", 64 + (seed % 10) * 29)
    rng = random.Random(1000 + seed)
    lines = [fast_line(rng) for _ in range(600)]
    data = ("\n".join(lines) + ("\n" if seed % 2 else "")).encode()
    keys = [normalize_text(json.loads(ln).get("question", "")) for ln in lines]
    targets = set(rng.sample([k for k in keys if k], 4)) | {normalize_text("Refund")}
    keep = KeyFilter("question", targets)
    assert keep.fast
    fast_regions = []
    real_fast = KeyFilter._fast

    def counting_fast(self, *args):
        decided = real_fast(self, *args)
        fast_regions.append(decided)
        return decided

    monkeypatch.setattr(KeyFilter, "_fast", counting_fast)
    got = list(scan(io.BytesIO(data), keep))
    assert b"".join(chunk for chunk, _, _ in got) == data
    handed = {n for _, n, _ in got if n}
    for n, key in enumerate(keys, 1):
        if key in targets:
            assert n in handed, lines[n - 1]
    for chunk, n, _ in got:
        if n:
            assert chunk.rstrip(b"\n").decode() == lines[n - 1]
    assert any(fast_regions) and len(handed) < len(lines)
    assert sum(k for _, n, k in got if not n) + sum(1 for c, n, _ in got if n and c.endswith(b"\n")) == data.count(b"\n")


def test_escaped_key_name_is_found_when_counts_balance():
    # Two key occurrences on line 1 and none spelled plainly on line 2: the counts agree,
    # so only the escape check hands line 2 over.
    data = b'{"meta": {"question": "x"}, "question": "y"}\n{"\\u0071uestion": "Refund"}\n'
    keep = KeyFilter("question", {"refund"})
    assert 2 in {n for _, n, _ in scan(io.BytesIO(data), keep) if n}


def test_key_variants_in_one_region_are_all_found():
    data = "".join(json.dumps({"question": q, "answer": "a"}, ensure_ascii=False) + "\n" for q in [
        "How long?", "how  long?", " HOW LONG? ", "how long", "other", "how long?"]).encode()
    got = [n for _, n, _ in scan(io.BytesIO(data), KeyFilter("question", {"how long?"})) if n]
    assert got == [1, 2, 3, 6]
