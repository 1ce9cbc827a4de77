"""Benchmark: apply a 1,000-op patch to a 1M-row CSV and Parquet dataset, beside a plain
read + write of the same file in the same format, in the same run.

    .venv/bin/python bench/bench_formats.py [--rows 1000000] [--ops 1000] [--formats csv parquet]

Per format, each measured in a fresh subprocess, best of `--rounds` (2):
  read+write  the baseline: what a script that rewrites the file does. CSV: the csv
              module reads every record and writes it to a new file; Parquet: pyarrow
              reads the table and writes it with the file's compression. Then fsync and
              rename, as apply does.
  copy+sha    for information: a byte copy with sha256 (the JSONL bench's baseline).
  apply       `apply_patch` of 800 updates/deletes and 200 adds (imports not counted),
              with everything apply does: hash the old file, find the rows, write the new
              version beside it, hash it, fsync, rename, and the version log.
The dataset is rebuilt from a pristine copy before every apply. Prints a table and the
load average (the figures are ratios against the baseline measured in the same run).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUFFIX = {"csv": ".csv", "tsv": ".tsv", "parquet": ".parquet"}


def tasks_yaml(fmt: str) -> str:
    return (f"version: 1\ntasks:\n  - name: support_qa\n    description: bench\n"
            f"    dataset: datasets/qa{SUFFIX[fmt]}\n    format: qa\n    key: [question]\n")


def make_rows(n: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    rows, sample = [], []
    for i in range(n):
        q = (f"Wie lange dauert die Rückgabe Nr. {i}?" if rng.random() < 0.05
             else f"How long does return number {i} take for order type {i % 97}?")
        row = {"question": q, "answer": f"It takes {i % 30 + 1} days, and the refund follows.", "split": "train"}
        rows.append(row)
        if i % max(n // 5000, 1) == 0:
            sample.append(row)
    return rows, sample


def write_dataset(path: Path, fmt: str, rows: list[dict]) -> None:
    if fmt in ("csv", "tsv"):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, ["question", "answer", "split"], delimiter="," if fmt == "csv" else "\t",
                               lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), path)


def child_baseline(fmt: str, src: str) -> None:
    dst = src + ".new"
    if fmt in ("csv", "tsv"):
        delim = "," if fmt == "csv" else "\t"
        with open(src, encoding="utf-8", newline="") as fi, open(dst, "w", encoding="utf-8", newline="") as fo:
            w = csv.writer(fo, delimiter=delim, lineterminator="\n")
            for rec in csv.reader(fi, delimiter=delim):
                w.writerow(rec)
            fo.flush()
            os.fsync(fo.fileno())
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(src)
        pq.write_table(table, dst, compression="snappy")
        fd = os.open(dst, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    os.replace(dst, src + ".old")
    os.unlink(src + ".old")


def child_copy(src: str) -> None:
    import hashlib

    h = hashlib.sha256()
    with open(src, "rb") as fi, open(src + ".copy", "wb") as fo:
        while block := fi.read(1 << 20):
            h.update(block)
            fo.write(block)
        fo.flush()
        os.fsync(fo.fileno())
    os.unlink(src + ".copy")


def child_apply(root: str, patch: str) -> float:
    from lic_cli.patches import files
    from lic_cli.patches.apply import apply_patch
    from lic_cli.tasks import load_project

    t0 = time.perf_counter()
    project = load_project(root)
    p, _, name = files.load(project, patch)
    res = apply_patch(project, p, name=name, patch_path=name, author="bench")
    assert res.applied and not res.skipped, res
    return time.perf_counter() - t0


def child(argv: list[str]) -> None:
    import resource

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    if argv[0] == "baseline":
        child_baseline(argv[1], argv[2])
        call = time.perf_counter() - t0
    elif argv[0] == "copy":
        child_copy(argv[1])
        call = time.perf_counter() - t0
    else:
        call = child_apply(argv[1], argv[2])
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"call": call, "rss": r1.ru_maxrss / 1024,
                      "cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime}))


def timed(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.splitlines()[-1])


def records(picks: list[dict], n_ops: int) -> list[dict]:
    recs = []
    for i, row in enumerate(picks):
        op = "delete" if i % 10 == 0 else "update"
        recs.append({"conversation": "b", "turn": i + 1, "role": "user", "text": "",
                     "edits": [{"task": "support_qa", "op": op, "before": row,
                                "after": None if op == "delete" else {"answer": f"Changed {i}."}, "score": 1}]})
    for i in range(n_ops - len(picks)):
        recs.append({"conversation": "b", "turn": 100000 + i, "role": "user", "text": "",
                     "edits": [{"task": "support_qa", "op": "add", "before": None,
                                "after": {"question": f"New question {i}?", "answer": "New."}, "score": 1}]})
    return recs


def bench(fmt: str, n: int, n_ops: int, rounds: int, work: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from lic_cli.patches import files
    from lic_cli.patches.build import build
    from lic_cli.tasks import load_project

    rng = random.Random(n)
    root = work / fmt
    (root / "datasets").mkdir(parents=True)
    (root / "tasks.yaml").write_text(tasks_yaml(fmt))
    data = root / "datasets" / f"qa{SUFFIX[fmt]}"
    rows, sample = make_rows(n, rng)
    write_dataset(data, fmt, rows)
    del rows
    pristine = work / f"{fmt}.pristine"
    shutil.copyfile(data, pristine)
    project = load_project(root)
    picks = rng.sample(sample, n_ops * 8 // 10)
    (patch,) = build(records(picks, n_ops), project=project, author="bench", time="2026-01-01T00:00:00Z").patches
    path = str(files.write_new(project, patch, "bench"))
    base = min((timed(["baseline", fmt, str(data)]) for _ in range(rounds)), key=lambda r: r["call"])
    copy = min((timed(["copy", str(data)]) for _ in range(rounds)), key=lambda r: r["call"])
    applies = []
    for _ in range(rounds):
        shutil.copyfile(pristine, data)
        for rel in ("versions", ".lic"):
            shutil.rmtree(root / rel, ignore_errors=True)
        applies.append(timed(["apply", str(root), path]))
    best = min(applies, key=lambda r: r["call"])
    return {"format": fmt, "rows": n, "MiB": pristine.stat().st_size / 2**20, "base": base, "copy": copy,
            "apply": best}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--formats", nargs="+", default=["csv", "parquet"], choices=sorted(SUFFIX))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [bench(f, args.rows, args.ops, args.rounds, Path(tmp)) for f in args.formats]
    print(f"{'format':>8} {'rows':>9} {'MiB':>6} {'read+write s':>12} {'copy+sha s':>10} {'apply s':>8} "
          f"{'vs r+w':>7} {'vs copy':>7} {'r+w CPU s':>9} {'apply CPU s':>11} {'apply RSS MiB':>13}")
    for r in results:
        b, c, a = r["base"], r["copy"], r["apply"]
        print(f"{r['format']:>8} {r['rows']:>9} {r['MiB']:>6.1f} {b['call']:>12.3f} {c['call']:>10.3f} "
              f"{a['call']:>8.3f} {a['call'] / b['call']:>6.2f}x {a['call'] / c['call']:>6.2f}x "
              f"{b['cpu']:>9.2f} {a['cpu']:>11.2f} {a['rss']:>13.1f}")
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("baseline", "copy", "apply"):
        child(sys.argv[1:])
    else:
        main()
