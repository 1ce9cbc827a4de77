"""Benchmark: apply a 1,000-op patch to 100k- and 1M-row datasets, against a plain
streaming copy + sha256 of the same file, in the same run.

    .venv/bin/python bench/bench_apply.py [--rows 100000 1000000] [--ops 1000] [--nonascii 0.05]

Two applies per size, each the best of two rounds, each apply in a fresh subprocess
(so peak memory, ru_maxrss, is its own):
  first   patch 1 on a dataset lic has never indexed (a fresh copy): the key index is
          built (one extra pass over the file, .lic/index/), then the patch applied
          through it, hashing the old file and the new one.
  steady  patch 2, right after, on the version patch 1 made, left in place: the index
          derived by patch 1 is used, and the old file is not hashed again when its stat
          record (.lic/index/<task>.stat) vouches for it (the usual case for a dataset lic
          manages). Column "old hashed" says whether it was.
  rehash  the same as steady with the stat record removed first: the old file hashed
          as well (as before stat records; the comparison in the same run).
A third, untimed round measures the Python heap peak with tracemalloc (first, steady).
Columns: the copy's wall seconds; apply's wall seconds for the call alone and with
the imports of a cold `lic apply` process, and their ratios to the copy; CPU seconds
of both (all threads: on a busy machine the steadier figure; apply hashes two files
where the copy hashes one, on worker threads, so its wall time gains from a second
free core and its CPU time cannot); peak RSS; the Python heap peak; and, for
information, a second baseline, the same copy asking the kernel to start writeback
every 8 MiB as apply does (copy+wb), with apply's ratio to it. The target is set
against the plain copy.
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TASKS = """version: 1
tasks:
  - name: support_qa
    description: bench
    dataset: datasets/support_qa.jsonl
    format: qa
    key: [question]
"""
DATA = "datasets/support_qa.jsonl"


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


def child_copy(src: str, writeback: Any = None) -> None:
    """The baseline: a plain streaming copy + sha256 + fsync + rename (and unlink of the
    file replaced). `writeback` (store.atomic's): also ask the kernel every 8 MiB to
    start writing out, as apply does (a second baseline, for information)."""
    import hashlib
    h = hashlib.sha256()
    dst = src + ".copy"
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        done = pos = 0
        while block := fi.read(1 << 20):
            h.update(block)
            fo.write(block)
            pos += len(block)
            if writeback and pos - done >= 8 << 20:
                fo.flush()
                writeback(fo.fileno(), done, pos - done)
                done = pos
        fo.flush()
        os.fsync(fo.fileno())
    os.replace(dst, src + ".copy2")
    os.unlink(src + ".copy2")


def child_apply(root: str, patch: str, trace: bool) -> tuple[float, float, int]:
    """(seconds of the imports, seconds of the call, times the old dataset was hashed);
    tracemalloc peak MiB printed when `trace`."""
    t0 = time.perf_counter()
    from lic_cli.patches import apply as apply_mod
    from lic_cli.patches import files
    from lic_cli.patches.apply import apply_patch
    from lic_cli.tasks import load_project
    t1 = time.perf_counter()
    hashed = []
    real = apply_mod._HashingReader

    def spy(*args: object) -> object:
        hashed.append(1)
        return real(*args)

    apply_mod._HashingReader = spy  # type: ignore[assignment,misc]
    if trace:
        import tracemalloc
        tracemalloc.start()
    project = load_project(root)
    p, _, name = files.load(project, patch)
    res = apply_patch(project, p, name=name, patch_path=name, author="bench")
    t2 = time.perf_counter()
    assert res.applied, res
    if trace:
        print(tracemalloc.get_traced_memory()[1] / 2**20)
    return t1 - t0, t2 - t1, len(hashed)


def timed(args: list[str]) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.splitlines()[-1]) | ({"tm": float(out.stdout.split()[0])} if "trace" in args
                                                       else {})


def child(argv: list[str]) -> None:
    writeback = None
    if "writeback" in argv:
        from lic_cli.store.atomic import _start_writeback as writeback
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    imp = 0.0
    hashed = 1
    if argv[0] == "copy":
        child_copy(argv[1], writeback)
        call = time.perf_counter() - t0
    else:
        imp, call, hashed = child_apply(argv[1], argv[2], "trace" in argv)
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"imp": imp, "call": call, "rss": r1.ru_maxrss / 1024, "hashed": hashed,
                      "cpu": r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime}))


def ops_records(picks: list[dict], n_adds: int, tag: str) -> list[dict]:
    recs = []
    for i, row in enumerate(picks):
        op = "delete" if i % 10 == 0 else "update"
        after = None if op == "delete" else {"answer": f"Changed {tag} {i}."}
        recs.append({"conversation": tag, "turn": i + 1, "role": "user", "text": "",
                     "edits": [{"task": "support_qa", "op": op, "before": row, "after": after, "score": 1}]})
    for i in range(n_adds):
        recs.append({"conversation": tag, "turn": 100000 + i, "role": "user", "text": "",
                     "edits": [{"task": "support_qa", "op": "add", "before": None,
                                "after": {"question": f"New question {tag} {i}?", "answer": "New."}, "score": 1}]})
    return recs


def restore(snap: Path, root: Path) -> None:
    for rel in (DATA, "versions", ".lic"):
        dst = root / rel
        if dst.is_dir():
            shutil.rmtree(dst)
        elif dst.exists():
            dst.unlink()
        if (snap / rel).is_dir():
            shutil.copytree(snap / rel, dst)
        elif (snap / rel).exists():
            shutil.copyfile(snap / rel, dst)


def bench(n: int, n_ops: int, nonascii: float, work: Path) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from lic_cli.patches import files
    from lic_cli.patches.build import build
    from lic_cli.tasks import load_project

    rng = random.Random(n)
    root = work / f"p{n}"
    (root / "datasets").mkdir(parents=True)
    (root / "tasks.yaml").write_text(TASKS)
    data = root / DATA
    sample = make_dataset(data, n, nonascii, rng)
    project = load_project(root)
    n_edit = n_ops * 8 // 10
    picks = rng.sample(sample, min(len(sample), 2 * n_edit))
    paths = []
    for k, part in enumerate((picks[:n_edit], picks[n_edit:])):
        (patch,) = build(ops_records(part, n_ops - len(part), f"b{k}"), project=project, author="bench",
                         time="2026-01-01T00:00:00Z").patches
        paths.append(str(files.write_new(project, patch, f"bench{k}")))
    size = data.stat().st_size
    copy = min((timed(["copy", str(data)]) for _ in range(2)), key=lambda r: r["call"])
    copy_wb = min((timed(["copy", str(data), "writeback"]) for _ in range(2)), key=lambda r: r["call"])
    pristine = work / f"s{n}-0"
    pristine.mkdir()
    (pristine / "datasets").mkdir()
    shutil.copyfile(data, pristine / DATA)
    # Each round: a fresh copy of the dataset, patch 1 (first), then patch 2 on the file
    # patch 1 wrote, as it is (a copy would be a new file: its stat record would not fit).
    runs: dict[str, list[dict]] = {"first": [], "steady": [], "rehash": []}
    for _ in range(2):
        for phase in ("steady", "rehash"):
            restore(pristine, root)
            runs["first"].append(timed(["apply", str(root), paths[0]]))
            if phase == "rehash":
                for rec in (root / ".lic" / "index").glob("*.stat"):
                    rec.unlink()
            runs[phase].append(timed(["apply", str(root), paths[1]]))
    restore(pristine, root)
    tm = {"first": timed(["apply", str(root), paths[0], "trace"])["tm"],
          "steady": timed(["apply", str(root), paths[1], "trace"])["tm"]}
    out = []
    tm["rehash"] = float("nan")  # (not measured: as steady, plus the hash)
    for phase in ("first", "steady", "rehash"):
        best = min(runs[phase], key=lambda r: r["imp"] + r["call"])
        out.append({"rows": n, "MiB": size / 2**20, "phase": phase, "copy_s": copy["call"],
                    "copy_cpu": copy["cpu"], "copy_wb_s": copy_wb["call"], **best, "tm": tm[phase],
                    "hashed": "/".join(str(r["hashed"]) for r in runs[phase])})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--ops", type=int, default=1000)
    ap.add_argument("--nonascii", type=float, default=0.05, help="share of rows with a non-ASCII key")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = [r for n in args.rows for r in bench(n, args.ops, args.nonascii, Path(tmp))]
    print(f"{'rows':>9} {'MiB':>6} {'apply':>7} {'copy+sha s':>10} {'call s':>7} {'ratio':>6} "
          f"{'+imports s':>10} {'ratio':>6} {'copy CPU s':>10} {'CPU s':>6} {'ratio':>6} "
          f"{'peak RSS MiB':>12} {'heap peak MiB':>13} {'old hashed':>10} {'copy+wb s':>9} {'ratio':>6}")
    for r in results:
        total = r["imp"] + r["call"]
        print(f"{r['rows']:>9} {r['MiB']:>6.1f} {r['phase']:>7} {r['copy_s']:>10.3f} {r['call']:>7.3f} "
              f"{r['call'] / r['copy_s']:>5.2f}x {total:>10.3f} {total / r['copy_s']:>5.2f}x "
              f"{r['copy_cpu']:>10.3f} {r['cpu']:>6.2f} {r['cpu'] / r['copy_cpu']:>5.2f}x "
              f"{r['rss']:>12.1f} {r['tm']:>13.1f} {r['hashed']:>10} {r['copy_wb_s']:>9.3f} "
              f"{r['call'] / r['copy_wb_s']:>5.2f}x")
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("copy", "apply"):
        child(sys.argv[1:])
    else:
        main()
