"""How chat's retrieval scoring was chosen: scorings compared on the dev domains, retrieval alone.

    python bench/bench_retrieval.py [--budget 1]

The dev domains (evals/chat/makerspace.jsonl, bench/domains gym and library) are taught
twice each: directly (each fact a qa row) and through chat's learning path (as
bench/bench_grounding.py does). Every row view and question is embedded once with MiniLM;
then each scoring is compared, with no generation, at the least threshold that lets at
most `--budget` of the 100 general probes (bench/domains/general.jsonl, uses pool and dev)
into any of the six setups: how many paraphrases have a row stating the taught value
ranked first and at or above that threshold. evals/chat/unrelated.jsonl and the held-out
domains are not read. Results: docs/chat.md, "Live knowledge".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEV = {"makerspace": ROOT / "evals" / "chat" / "makerspace.jsonl",
       "gym": ROOT / "bench" / "domains" / "gym.jsonl", "library": ROOT / "bench" / "domains" / "library.jsonl"}
ABOUT = {"gym": ("Ironfield Gym", "a gym: memberships, opening hours, classes, trainers, prices, the pool"),
         "library": ("Elmbrook Library", "a public library: loans, opening hours, fines, rooms, staff, events")}


def views(fmt: str, row: dict) -> tuple[str, str, str]:
    """(key, value, whole) as chat's row index forms them."""
    if fmt == "qa":
        q, a = str(row.get("question", "")), str(row.get("answer", ""))
        return q, a, f"{q} {a}"
    s, rel, o = (str(row.get(k, "")) for k in ("subject", "relation", "object"))
    return f"{s} {rel}", o, f"{s} {rel} {o}"


class Setup:
    """One task's rows: their views embedded, the domain, the keyword index."""

    def __init__(self, fmt: str, rows: list[dict], emb) -> None:
        import numpy as np

        from lic_cli.chat import answertype
        from lic_cli.chat.rowindex import Keywords

        self.v = [views(fmt, r) for r in rows]
        self.K, self.A, self.W = (np.stack([emb(v[i]) for v in self.v]) for i in range(3))
        c = self.W.mean(axis=0)
        self.C = c / np.linalg.norm(c)
        self.kw = Keywords([v[2] for v in self.v])
        self.kinds = [answertype.kinds(v[1]) for v in self.v]


def scorings():
    import numpy as np

    def wk(f):
        return np.maximum(f["w"], f["k"])

    return {
        "session 4: better of row/key + 0.1 keywords": lambda f: wk(f) + 0.1 * f["kw"],
        "better of row/key": wk,
        "+ value view": lambda f: np.maximum(wk(f), f["a"]),
        "+ value view + 0.1 keywords": lambda f: np.maximum(wk(f), f["a"]) + 0.1 * f["kw"],
        "+ 0.05 keywords + 0.15 domain": lambda f: wk(f) + 0.05 * f["kw"] + 0.15 * f["c"],
        "+ 0.15 domain (session 6)": lambda f: wk(f) + 0.15 * f["c"],
        "+ 0.25 domain": lambda f: wk(f) + 0.25 * f["c"],
        **{f"+ 0.15 domain + {lift} situated - {pen} other kind{' (chosen)' if (lift, pen) == (0.1, 0.1) else ''}":
           (lambda f, lift=lift, pen=pen: wk(f) + 0.15 * f["c"] + lift * f["sit"] - pen * f["mis"])
           for lift in (0.0, 0.05, 0.1, 0.15) for pen in (0.0, 0.05, 0.1, 0.2)},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=1, help="general probes let in, at most, per setup")
    ap.add_argument("--cache", help="save the taught rows and every embedding here (npz + json), or load them "
                    "from it if it exists: scorings are then compared with no model loaded")
    args = ap.parse_args()

    import bench_grounding as bg
    import numpy as np

    from lic_cli.models import load_encoder, offline
    from lic_cli.models.judge import is_correct
    from lic_cli.store.formats import read_rows
    from lic_cli.tasks import load_project

    offline()
    os.environ.setdefault("LIC_HOME", str(ROOT / ".lic" / "home"))
    for d, (org, about) in ABOUT.items():
        bg.DOMAINS.setdefault(d, (org, about))
    cached = Path(args.cache) if args.cache else None
    if cached is not None and cached.with_suffix(".json").is_file():
        saved = json.loads(cached.with_suffix(".json").read_text(encoding="utf-8"))
        setups, texts = saved["setups"], saved["texts"]
        matrix = np.load(cached.with_suffix(".npy"))
        probes = read_probes(bg)
        new = sorted(set(probes) - set(texts))
        if new:  # probes written after the cache was made
            texts, matrix = texts + new, np.vstack([matrix, load_encoder("minilm").encode(new)])
    else:
        setups, texts, probes, matrix = teach_and_embed(bg, load_encoder, load_project, read_rows)
        if cached is not None:
            np.save(cached.with_suffix(".npy"), matrix)
            cached.with_suffix(".json").write_text(json.dumps({"setups": setups, "texts": texts, "probes": probes},
                                                              ensure_ascii=False), encoding="utf-8")
    compare(setups, texts, probes, matrix, args.budget, is_correct)


def read_probes(bg) -> list[str]:
    """The general probes: general.jsonl's pool and dev questions, and situated.jsonl's requests."""
    domains = ROOT / "bench" / "domains"
    return [g["question"] for name in ("general.jsonl", "situated.jsonl") for g in bg.read_jsonl(domains / name)
            if g["use"] in ("pool", "dev")]


def teach_and_embed(bg, load_encoder, load_project, read_rows):
    """Each dev domain taught directly and through the pipeline; every view, paraphrase and probe embedded."""
    enc = load_encoder("minilm")
    work = Path(tempfile.mkdtemp(prefix="bench-retrieval-"))
    setups = []  # (domain, mode, facts, [(fmt, rows)])
    for d, path in DEV.items():
        facts = bg.read_jsonl(path)
        setups.append((d, "direct", facts, [("qa", [{"question": f["question"], "answer": f["answer"]}
                                                    for f in facts])]))
        root = bg.make_project(d, work)
        project = load_project(root)
        bg.teach_pipeline(project, enc, facts)
        project = load_project(root)
        tasks = [(t.format, [r for _, r in read_rows(project.dataset_path(t), t.dataset)])
                 for t in project.tasks.values() if t.name != "intent"]
        setups.append((d, "pipeline", facts, [(f, r) for f, r in tasks if r]))
    probes = read_probes(bg)
    texts = set(probes)
    for _, _, facts, tasks in setups:
        texts.update(q for f in facts for q in f["paraphrases"])
        texts.update(t for fmt, rows in tasks for r in rows for t in views(fmt, r))
    texts = sorted(t for t in texts if t)
    return setups, texts, probes, enc.encode(texts)


def compare(setups, texts, probes, matrix, budget, is_correct):
    import numpy as np

    from lic_cli.chat import answertype

    at = {t: i for i, t in enumerate(texts)}

    def emb(t):
        return matrix[at[t]] if t else np.zeros(matrix.shape[1], dtype=np.float32)

    built = [(d, m, facts, [Setup(fmt, rows, emb) for fmt, rows in tasks]) for d, m, facts, tasks in setups]

    def best(tasks, q, score):
        e, top = emb(q), (-1.0, None, None)
        asked, sit = answertype.asks(q), answertype.situated(q)
        for t in tasks:
            kw = np.zeros(len(t.v))
            for i, s in t.kw.scores(q).items():
                kw[i] = s
            mis = np.array([float(bool(k) and bool(asked) and not k & asked) for k in t.kinds])
            s = score({"k": t.K @ e, "a": t.A @ e, "w": t.W @ e, "kw": kw, "c": max(0.0, float(t.C @ e)),
                       "sit": float(sit), "mis": mis})
            i = int(s.argmax())
            if s[i] > top[0]:
                top = (float(s[i]), t, i)
        return top

    print(f"load average {os.getloadavg()[0]:.1f}; probes {len(probes)}; budget {budget} per setup")
    for name, score in scorings().items():
        paras, gens = {}, {}
        for d, m, facts, tasks in built:
            paras[(d, m)] = [(s, is_correct(f["answer"], t.v[i][2], f["question"]))
                             for f in facts for q in f["paraphrases"] for s, t, i in [best(tasks, q, score)]]
            gens[(d, m)] = sorted((best(tasks, q, score)[0] for q in probes), reverse=True)
        threshold = max(g[budget] for g in gens.values()) + 1e-4
        found = {k: sum(1 for s, ok in p if ok and s >= threshold) for k, p in paras.items()}
        total = sum(len(p) for p in paras.values())
        print(f"{name:<46} threshold {threshold:.3f}: {sum(found.values())}/{total} found; "
              + ", ".join(f"{d} {m} {n}" for (d, m), n in found.items()))
    print(json.dumps({"setups": [(d, m, sum(len(r) for _, r in t)) for d, m, _, t in setups]}))


if __name__ == "__main__":
    main()
