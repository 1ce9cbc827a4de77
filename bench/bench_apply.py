"""Benchmark: apply a 1,000-op patch to 100k- and 1M-row datasets, against a plain
streaming copy + sha256 of the same file, in the same run.

    .venv/bin/python bench/bench_apply.py [--rows 100000 1000000] [--ops 1000] [--nonascii 0.05]

Each measurement runs in a fresh subprocess, so peak memory (ru_maxrss) is its own.
Prints a table: wall seconds for copy+sha256 and for apply (the best of two runs each,
imports included), their ratio, apply's CPU seconds (all threads: on a shared machine
the steadier figure), and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TASKS = """version: 1
tasks:
  - name: support_qa
    description: bench
    dataset: datasets/support_qa.jsonl
    format: qa
    key: [question]
"""


def make_dataset(path: Path, n: int, nonascii: float, rng: random.Random) -> list[dict]:
    rows = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            q = (f"Wie lange dauert die Rückgabe Nr. {i}?" if rng.random() < nonascii
                 else f"How long does return number {i} take for order type {i % 97}?")
            row = {"question": q, "answer": f"It takes {i % 30 + 1} days, and the refund follows.", "split": "train"}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows.append(row) if i % max(n // 5000, 1) == 0 else None
    return rows


def child_copy(src: str) -> None:
    import hashlib
    h = hashlib.sha256()
    dst = src + ".copy"
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        while block := fi.read(1 << 20):
            h.update(block)
            fo.write(block)
        fo.flush()
        os.fsync(fo.fileno())
    os.replace(dst, src + ".copy2")
    os.unlink(src + ".copy2")


def child_apply(root: str, patch: str) -> None:
    from lic_cli.patches import files
    from lic_cli.patches.apply import apply_patch
    from lic_cli.tasks import load_project

    project = load_project(root)
    p, _, name = files.load(project, patch)
    res = apply_patch(project, p, name=name, patch_path=name, author="bench")
    assert res.applied, res


def timed(args: list[str]) -> tuple[float, float, float]:
    """(seconds of the work itself, peak RSS MiB, CPU seconds) of a child run."""
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    secs, rss, cpu = out.stdout.split()
    return float(secs), float(rss), float(cpu)


def child(argv: list[str]) -> None:
    t0 = time.perf_counter()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    if argv[0] == "copy":
        child_copy(argv[1])
    else:
        child_apply(argv[1], argv[2])
    secs = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    print(secs, r1.ru_maxrss / 1024, cpu)


def bench(n: int, n_ops: int, nonascii: float, work: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from lic_cli.patches import files
    from lic_cli.patches.build import build
    from lic_cli.tasks import load_project

    rng = random.Random(n)
    root = work / f"p{n}"
    (root / "datasets").mkdir(parents=True)
    (root / "tasks.yaml").write_text(TASKS)
    data = root / "datasets/support_qa.jsonl"
    sample = make_dataset(data, n, nonascii, rng)
    project = load_project(root)
    picks = rng.sample(sample, min(len(sample), n_ops * 8 // 10))
    recs = []
    for i, row in enumerate(picks):
        op = "delete" if i % 10 == 0 else "update"
        after = None if op == "delete" else {"answer": f"Changed {i}."}
        recs.append({"conversation": "b", "turn": i + 1, "role": "user", "text": "",
                     "edits": [{"task": "support_qa", "op": op, "before": row, "after": after, "score": 1}]})
    for i in range(n_ops - len(picks)):
        recs.append({"conversation": "b", "turn": 100000 + i, "role": "user", "text": "",
                     "edits": [{"task": "support_qa", "op": "add", "before": None,
                                "after": {"question": f"New question {i}?", "answer": "New."}, "score": 1}]})
    (patch,) = build(recs, project=project, author="bench", time="2026-01-01T00:00:00Z").patches
    path = files.write_new(project, patch, "bench")
    size = data.stat().st_size
    copy_s, copy_rss, copy_cpu = min(timed(["copy", str(data)]) for _ in range(2))
    pristine = work / "pristine"
    shutil.copyfile(data, pristine)
    runs = []
    for _ in range(2):
        shutil.copyfile(pristine, data)
        shutil.rmtree(root / "versions", ignore_errors=True)
        runs.append(timed(["apply", str(root), str(path)]))
    apply_s, apply_rss, apply_cpu = min(runs)
    return {"rows": n, "ops": len(patch.ops), "MiB": size / 2**20, "copy_s": copy_s, "apply_s": apply_s,
            "ratio": apply_s / copy_s, "copy_cpu": copy_cpu, "apply_cpu": apply_cpu, "copy_rss": copy_rss,
            "apply_rss": apply_rss}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--nonascii", type=float, default=0.05, help="share of rows with a non-ASCII key")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [bench(n, args.ops, args.nonascii, Path(tmp)) for n in args.rows]
    print(f"{'rows':>9} {'ops':>5} {'MiB':>7} {'copy+sha s':>11} {'apply s':>8} {'ratio':>6} "
          f"{'copy CPU s':>11} {'apply CPU s':>12} {'copy RSS MiB':>13} {'apply RSS MiB':>14}")
    for r in results:
        print(f"{r['rows']:>9} {r['ops']:>5} {r['MiB']:>7.1f} {r['copy_s']:>11.3f} {r['apply_s']:>8.3f} "
              f"{r['ratio']:>5.2f}x {r['copy_cpu']:>11.3f} {r['apply_cpu']:>12.3f} {r['copy_rss']:>13.1f} "
              f"{r['apply_rss']:>14.1f}")
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("copy", "apply"):
        child(sys.argv[1:])
    else:
        main()
