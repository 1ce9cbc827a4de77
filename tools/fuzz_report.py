"""Counts per failure class of the fuzz and fault suite (issue 19), for the closing note.

    .venv/bin/python tools/fuzz_report.py                      # this tree
    .venv/bin/python tools/fuzz_report.py --baseline REV       # also: the same cases on lic_cli at REV

Runs tests/test_fuzz_*.py with LIC_FUZZ_REPORT set (each case, and each Hypothesis
example, appends {"class", "case", "ok"}), then prints, per class, the cases run and how
many ended clean (no traceback, no internal error, no hang; bad input refused in one line
naming file, line and field; nothing changed). With --baseline, lic_cli is taken from git
revision REV (e.g. 9adf2e7, before the issue) into a temporary folder and the same suite
runs against it: the cases that fail there are the regressions the suite guards. A
Hypothesis test stops at its first failing example, so baseline counts of generated classes
are "at least one".
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_fuzz_*.py"))


def run(pythonpath: str | None, slow: bool = False) -> tuple[dict[str, list[int]], float, str]:
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as fh:
        report = fh.name
    env = {**os.environ, "LIC_FUZZ_REPORT": report, "PYTHONSAFEPATH": "1"}  # (not the working folder first)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    t0 = time.monotonic()
    marks = [] if slow else ["-m", "not slow"]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *marks, *FILES],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.monotonic() - t0
    counts: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for line in Path(report).read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        counts[rec["class"]][0] += 1
        counts[rec["class"]][1] += bool(rec["ok"])
    os.unlink(report)
    summary = (proc.stdout.strip().splitlines() or [""])[-1]
    return counts, took, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", metavar="REV", help="also run the suite against lic_cli at this git revision")
    ap.add_argument("--slow", action="store_true", help="also the slow cases (the stages load their models: "
                                                        "run under the CPU lock)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    now, took, summary = run(None, args.slow)
    base = None
    if args.baseline:
        with tempfile.TemporaryDirectory(prefix="lic-baseline") as tmp:
            archive = subprocess.run(["git", "archive", args.baseline, "lic_cli"], cwd=ROOT, capture_output=True,
                                     check=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            base, base_took, base_summary = run(tmp, args.slow)
    print(f"{'class':<20} {'cases':>6} {'clean':>6}" + (f" {'fail at ' + args.baseline:>16}" if base else ""))
    for cls in sorted(now):
        n, ok = now[cls]
        line = f"{cls:<20} {n:>6} {ok:>6}"
        if base is not None:
            bn, bok = base.get(cls, [0, 0])
            line += f" {bn - bok:>10} of {bn:<4}"
        print(line)
    total = sum(v[0] for v in now.values())
    print(f"{'total':<20} {total:>6} {sum(v[1] for v in now.values()):>6}"
          + (f" {sum(v[0] - v[1] for v in base.values()):>10} of {sum(v[0] for v in base.values()):<4}"
             if base else ""))
    print(f"pytest: {summary} ({took:.0f} s)")
    if base is not None:
        print(f"pytest at {args.baseline}: {base_summary}")
    if args.json:
        print(json.dumps({"now": now, "baseline": base, "seconds": round(took, 1)}))


if __name__ == "__main__":
    main()
