"""Start-up times, each against a baseline measured in the same run.

1. `lic --help` and two subcommands' --help beside `python -c "import click"` (goal <= 1.5x).
2. Cold start of the embedding stages on one turn with warm caches (`lic detect`, `lic route`,
   `lic locate`; each a fresh process) beside `python -c "import torch"` (goal <= 1.0x).
3. The pipe on examples/teach.jsonl (detect | extract | route | locate | apply, in a fresh
   copy of the demo project each run); with --baseline-src DIR, the same pipe run from
   another checkout's lic_cli (e.g. `git archive <commit> lic_cli | tar -x -C DIR`), in the
   same run (goal: >= 3x faster than before the ONNX encoder).

Every lic process is `python -m lic_cli` with PYTHONPATH pointing at the code measured.
Caches ($LIC_HOME, default .lic/home) are warmed before timing.

    python bench/bench_startup.py [--runs 15] [--stage-runs 5] [--pipe-runs 3] [--baseline-src DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TURN = {"conversation": "bench", "turn": 1, "role": "user", "text": "Refunds now take 30 days to process."}


def median_ms(cmd: list[str], runs: int, *, env: dict | None = None, cwd: Path | None = None,
              stdin: str | None = None, shell: bool = False) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, input=stdin, text=True, env=env, cwd=cwd, shell=shell,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def project_copy(root: Path) -> Path:
    root.mkdir(parents=True)
    shutil.copy(REPO / "tasks.yaml", root / "tasks.yaml")
    shutil.copytree(REPO / "datasets", root / "datasets")
    shutil.copy(REPO / "examples" / "teach.jsonl", root / "teach.jsonl")
    return root


def lic_env(src: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    env.setdefault("LIC_HOME", str(REPO / ".lic" / "home"))
    return env


def run(cmd: list[str], env: dict, cwd: Path, stdin: str) -> str:
    return subprocess.run(cmd, check=True, input=stdin, text=True, env=env, cwd=cwd,
                          capture_output=True).stdout


def pipe_ms(src: Path, tmp: Path, runs: int, tag: str) -> float:
    py = f"{sys.executable} -m lic_cli"
    script = f"{py} detect -i teach.jsonl | {py} extract | {py} route | {py} locate | {py} apply > written.jsonl"
    env = lic_env(src)
    times = []
    for i in range(runs + 1):  # the first run warms the caches and is not counted
        work = project_copy(tmp / f"pipe-{tag}-{i}")
        start = time.perf_counter()
        subprocess.run(["bash", "-c", f"set -o pipefail; {script}"], check=True, env=env, cwd=work,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i:
            times.append((time.perf_counter() - start) * 1000)
        if not any((work / "patches").glob("*/*.patch.jsonl")):
            raise SystemExit(f"pipe ({tag}) wrote no patch")
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15, help="runs per --help row")
    ap.add_argument("--stage-runs", type=int, default=5, help="runs per stage row")
    ap.add_argument("--pipe-runs", type=int, default=3, help="timed pipe runs (after one warm-up)")
    ap.add_argument("--baseline-src", type=Path, default=None,
                    help="a folder holding another version's lic_cli/ to time the pipe against")
    ap.add_argument("--skip-help", action="store_true")
    args = ap.parse_args()
    py = [sys.executable, "-m", "lic_cli"]
    env = lic_env(REPO)
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; cpus: {os.cpu_count()}")

    if not args.skip_help:
        base = median_ms([sys.executable, "-c", "import click"], args.runs)
        rows = [("python -c 'import click'", base)]
        for a in (["--help"], ["detect", "--help"], ["train", "--help"]):
            rows.append((f"lic {' '.join(a)}", median_ms([*py, *a], args.runs, env=env)))
        print(f"\n| command | median ms ({args.runs} runs) | ratio to import click |\n|---|---|---|")
        for name, ms in rows:
            print(f"| `{name}` | {ms:.0f} | {ms / base:.2f}x |")

    with tempfile.TemporaryDirectory(prefix="lic-bench-") as tmp_name:
        tmp = Path(tmp_name)
        proj = project_copy(tmp / "stages")
        # One turn through the stages, which also warms every cache (export, head, index).
        detect_in = json.dumps(TURN) + "\n"
        run([*py, "detect"], env, proj, detect_in)
        # route and locate get a teaching turn whatever detect made of it, so both do real work.
        taught = json.dumps({**TURN, "intent": {"label": "teach", "score": 1.0}}) + "\n"
        route_in = run([*py, "extract", "--engine", "rules"], env, proj, taught)
        if not json.loads(route_in).get("knowledge"):
            raise SystemExit("bench turn yields no knowledge")
        locate_in = run([*py, "route"], env, proj, route_in)
        run([*py, "locate"], env, proj, locate_in)
        torch_ms = median_ms([sys.executable, "-c", "import torch"], args.stage_runs)
        rows = [("python -c 'import torch'", torch_ms)]
        for name, stdin in (("detect", detect_in), ("route", route_in), ("locate", locate_in)):
            rows.append((f"lic {name} (one turn)", median_ms([*py, name], args.stage_runs, env=env, cwd=proj,
                                                            stdin=stdin)))
        print(f"\n| command | median ms ({args.stage_runs} runs) | ratio to import torch |\n|---|---|---|")
        for name, ms in rows:
            print(f"| `{name}` | {ms:.0f} | {ms / torch_ms:.2f}x |")

        if args.pipe_runs:
            now = pipe_ms(REPO, tmp, args.pipe_runs, "now")
            print(f"\n| pipe on examples/teach.jsonl | median ms ({args.pipe_runs} runs) | speed-up |\n|---|---|---|")
            if args.baseline_src:
                before = pipe_ms(args.baseline_src.resolve(), tmp, args.pipe_runs, "baseline")
                print(f"| baseline ({args.baseline_src}) | {before:.0f} | 1.00x |")
                print(f"| this checkout | {now:.0f} | {before / now:.2f}x |")
            else:
                print(f"| this checkout | {now:.0f} | |")
    load = os.getloadavg()
    print(f"\nload average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
