"""`lic --help` start-up time beside `python -c "import click"`, measured in the same run.

Prints a table: median wall time of N runs each, and the ratio (goal: <= 1.5x).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 15


def median_ms(cmd: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    lic = shutil.which("lic") or str(Path(sys.executable).parent / "lic")
    base = median_ms([sys.executable, "-c", "import click"])
    rows = [("python -c 'import click'", base)]
    for args in (["--help"], ["detect", "--help"], ["train", "--help"]):
        rows.append((f"lic {' '.join(args)}", median_ms([lic, *args])))
    print(f"| command | median ms ({RUNS} runs) | ratio to import click |")
    print("|---|---|---|")
    for name, ms in rows:
        print(f"| `{name}` | {ms:.0f} | {ms / base:.2f}x |")


if __name__ == "__main__":
    main()
