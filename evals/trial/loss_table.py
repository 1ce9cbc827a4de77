"""Where the trial's teaching turns are lost: the first stage each wrong turn fails at, per round
and mode, from the per-turn results `run_trial.py --json F` writes (one round or several).

    python evals/trial/run_trial.py --round round1 ... --round round9 --mode all --json r.json
    python evals/trial/loss_table.py r.json            # the table, then the turns of each cell
    python evals/trial/loss_table.py r.json --compare s.json   # turns right in one run and not the other

A turn is counted at its first wrong stage, so every lost turn is counted once; turns that
go wrong at an early stage but still end right ("detect wrong, end right": a relabel read as
teach) are listed beside, not counted as lost.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

STAGES = ("detect", "extract", "route", "locate", "end state")
MODES = ("full", "extract", "gold")


def load(path: Path) -> dict[str, dict[str, list[dict]]]:
    """{round: {mode: [turn results]}}, whether the file holds one round or several."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data and all(m in MODES for m in data):
        return {"round": data}
    return data


def first_wrong(r: dict) -> str:
    """The stage a turn that ends wrong is first wrong at ('apply' when every stage before was right)."""
    return next((s for s in STAGES[:-1] if not r[s]), "apply")


def table(data: dict[str, dict[str, list[dict]]], mode: str) -> list[str]:
    cols = ("detect", "extract", "route", "locate", "apply")
    lines = [f"{mode}: teaching turns ending wrong, by first wrong stage (corrections in brackets)",
             f"{'round':<8} " + " ".join(f"{c:>9}" for c in cols) + f" {'lost':>9} {'right':>9}"]
    total = {c: [0, 0] for c in (*cols, "lost", "right", "all")}
    for rnd, modes in data.items():
        rs = [r for r in modes.get(mode, []) if r["teaching"]]
        if not rs:
            continue
        cell = {c: [0, 0] for c in cols}
        for r in rs:
            if not r["end state"]:
                cell[first_wrong(r)][0] += 1
                cell[first_wrong(r)][1] += r["correction"]
        lost = [sum(cell[c][0] for c in cols), sum(cell[c][1] for c in cols)]
        right = [sum(r["end state"] for r in rs), sum(r["end state"] and r["correction"] for r in rs)]
        for c in cols:
            total[c][0] += cell[c][0]
            total[c][1] += cell[c][1]
        total["lost"] = [total["lost"][0] + lost[0], total["lost"][1] + lost[1]]
        total["right"] = [total["right"][0] + right[0], total["right"][1] + right[1]]
        total["all"] = [total["all"][0] + len(rs), total["all"][1] + sum(r["correction"] for r in rs)]
        lines.append(f"{rnd:<8} " + " ".join(f"{f'{a} ({b})':>9}" for a, b in (cell[c] for c in cols))
                     + f" {f'{lost[0]} ({lost[1]})':>9} {f'{right[0]}/{len(rs)}':>9}")
    lines.append(f"{'all':<8} " + " ".join(f"{f'{a} ({b})':>9}" for a, b in (total[c] for c in cols))
                 + f" {'{} ({})'.format(*total['lost']):>9} {'{}/{}'.format(total['right'][0], total['all'][0]):>9}")
    return lines


def turns(data: dict[str, dict[str, list[dict]]], mode: str) -> list[str]:
    lines = []
    for rnd, modes in data.items():
        rs = [r for r in modes.get(mode, []) if r["teaching"]]
        lost: dict[str, list[str]] = {}
        for r in rs:
            if not r["end state"]:
                name = r["turn"].split("/")[0] + ("*" if r["correction"] else "")
                lost.setdefault(first_wrong(r), []).append(f"{r['domain']}:{name}")
        early = [f"{r['domain']}:{r['turn'].split('/')[0]}" for r in rs
                 if r["end state"] and not all(r[s] for s in STAGES[:-1])]
        for stage, names in lost.items():
            lines.append(f"  {rnd} {mode} {stage}: {', '.join(names)}")
        if early:
            lines.append(f"  {rnd} {mode} an earlier stage wrong, end right: {', '.join(early)}")
    return lines


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of k/n, in per cent (held-out rounds are small: 28-31 turns)."""
    if n == 0:
        return 0.0, 0.0
    p = k / n
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (mid - half), 100 * (mid + half)


def intervals(data: dict[str, dict[str, list[dict]]], mode: str) -> str:
    """Teaching turns and corrections ending right over every round given, with their intervals."""
    rs = [r for modes in data.values() for r in modes.get(mode, []) if r["teaching"]]
    parts = []
    for name, group in (("teaching turns", rs), ("corrections", [r for r in rs if r["correction"]])):
        k, n = sum(r["end state"] for r in group), len(group)
        lo, hi = wilson(k, n)
        parts.append(f"{name} {k}/{n} ({100 * k / max(n, 1):.1f} %, 95 % Wilson {lo:.1f}-{hi:.1f})")
    return f"{mode}: " + "; ".join(parts)


def compare(a: dict, b: dict, mode: str) -> list[str]:
    lines = []
    for rnd in a:
        if rnd not in b:
            continue
        ra = {r["turn"] + r["domain"]: r for r in a[rnd].get(mode, [])}
        rb = {r["turn"] + r["domain"]: r for r in b[rnd].get(mode, [])}
        for k in ra.keys() & rb.keys():
            if ra[k]["end state"] != rb[k]["end state"]:
                lines.append(f"  {rnd} {mode} {ra[k]['domain']}:{ra[k]['turn']}: "
                             f"{'right' if ra[k]['end state'] else 'wrong'} -> {'right' if rb[k]['end state'] else 'wrong'}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", type=Path, help="run_trial.py --json output")
    ap.add_argument("--compare", type=Path, default=None, help="a second run's output: turns that moved")
    args = ap.parse_args()
    data = load(args.results)
    for mode in MODES:
        if not any(mode in m for m in data.values()):
            continue
        print("\n".join(table(data, mode)))
        print(intervals(data, mode))
        print("\n".join(turns(data, mode)))
        if args.compare:
            moved = compare(data, load(args.compare), mode)
            print(f"{mode}: moved between the two runs: {len(moved)}")
            print("\n".join(moved))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
