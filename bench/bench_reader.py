"""Benchmark: what the hardened reader (lic_cli/safeload.py, issue 19) costs, against the
reader lic had before it, in the same run.

    .venv/bin/python bench/bench_reader.py [--rows 1000000] [--turns 10000] [--rounds 5] [--no-detect]

Two measurements, each interleaved over --rounds rounds (best of each kept: on a shared
2-core machine other processes otherwise decide the ratio):

1. a 1M-row dataset read whole through `read_jsonl_file`-style reading (no chat
   expansion): the baseline is the pre-issue-19 Reader loop (json.loads per line, no
   limits), copied below verbatim; the hardened one is lic_cli.jsonl.Reader (bounded
   line reads, the safeload limits on depth, integers, NaN and surrogates, and the
   record-shape checks);
2. `lic detect` over a 10,000-turn transcript file (detect.run with the packaged head,
   loaded before timing), fed by each reader.

Rows and turns are synthetic in the datasets' own style (some non-ASCII text, a nested
object on every tenth row); nothing is read from the reserved sets.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lic_cli.errors import InputError, RecordError  # noqa: E402
from lic_cli.jsonl import Reader  # noqa: E402
from lic_cli.records import normalize  # noqa: E402


class BaselineReader(Reader):
    """The Reader of commit 9adf2e7 (before issue 19): its loop, unchanged."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        counters: dict[str, int] = {}
        binary = getattr(self.fp, "buffer", None)
        while True:
            raw = binary.readline() if binary is not None else self.fp.readline()
            if not raw:
                return
            self.line += 1
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})",
                                     source=self.name, line=self.line) from None
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON ({exc.msg} at column {exc.colno})",
                                 source=self.name, line=self.line) from None
            if not isinstance(obj, dict):
                raise InputError(f"expected a JSON object, got {type(obj).__name__}",
                                 source=self.name, line=self.line)
            if not self.expand_chats:
                self._track(obj)
                yield obj
                continue
            try:
                turns = normalize(obj, counters, default_conversation=f"line{self.line}")
            except RecordError as exc:
                raise InputError(exc.reason, source=self.name, line=self.line, field=exc.field) from None
            for turn in turns:
                self._track(turn)
                yield turn


def write_dataset(path: Path, rows: int) -> None:
    words = ["refund", "Rückgabe", "delivery", "warranty", "café", "invoice", "account", "日本", "charger"]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(rows):
            w = words[i % len(words)]
            row: dict[str, Any] = {"question": f"How long does the {w} take for order {i}?",
                                   "answer": f"Usually {i % 30 + 1} days for {w}s.", "split": "train"}
            if i % 10 == 0:
                row["meta"] = {"source": "c1/t3", "tags": [w, "kestrel"], "score": 0.87}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_transcript(path: Path, turns: int) -> None:
    rows = [json.loads(x) for x in (ROOT / "datasets/intent.jsonl").read_text(encoding="utf-8").splitlines()
            if x.strip()]
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(turns):
            row = rows[(i // 2) % len(rows)]
            conv, turn = divmod(i, 10)
            if turn % 2 == 0:
                rec = {"conversation": f"c{conv}", "turn": turn + 1, "role": "user", "text": f"{row['text']} [{i}]"}
            else:
                ctx = rows[(i // 2 + 1) % len(rows)].get("context") or "Sure, I can help with that. Anything else?"
                rec = {"conversation": f"c{conv}", "turn": turn + 1, "role": "assistant", "text": f"{ctx} [{i}]"}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


class SlowPathReader(Reader):
    """The hardened reader with every line through json's own decode() (no scanner fast
    path): what the limits alone cost."""


def read_all(cls: type[Reader], path: Path) -> tuple[float, int]:
    from lic_cli import safeload

    fast = safeload._decode
    if cls is SlowPathReader:
        safeload._decode = safeload._decoder.decode
    try:
        t0 = time.perf_counter()
        n = 0
        with open(path, encoding="utf-8") as fh:
            for _ in cls(fh, str(path), expand_chats=False):
                n += 1
        return time.perf_counter() - t0, n
    finally:
        safeload._decode = fast


def detect_all(cls: type[Reader], path: Path, model: Any) -> tuple[float, int]:
    from lic_cli import detect

    t0 = time.perf_counter()
    n = 0
    with open(path, encoding="utf-8") as fh:
        for _ in detect.run(iter(cls(fh, str(path))), model=model, batch_size=512):
            n += 1
    return time.perf_counter() - t0, n


def interleave(fn: Any, rounds: int, slow_path: bool = False) -> dict[str, float]:
    best = {"baseline": float("inf"), "hardened": float("inf")}
    for r in range(rounds):
        order = [("baseline", BaselineReader), ("hardened", Reader)]
        if slow_path:
            best.setdefault("limits_only", float("inf"))
            order.append(("limits_only", SlowPathReader))
        if r % 2:
            order.reverse()
        for name, cls in order:
            secs, _ = fn(cls)
            best[name] = min(best[name], secs)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--turns", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-detect", action="store_true")
    ap.add_argument("--project", default=str(ROOT))
    args = ap.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}", file=sys.stderr)
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="lic-bench-reader") as tmp:
        data = Path(tmp) / "dataset.jsonl"
        write_dataset(data, args.rows)
        size = data.stat().st_size
        a, n = read_all(BaselineReader, data)
        b, m = read_all(Reader, data)
        assert n == m == args.rows
        best = interleave(lambda cls: read_all(cls, data), args.rounds, slow_path=True)
        results["dataset_read"] = {"rows": args.rows, "mb": round(size / 1e6, 1), **{k: round(v, 3) for k, v in best.items()},
                                   "rows_per_s_hardened": round(args.rows / best["hardened"]),
                                   "overhead": round(best["hardened"] / best["baseline"] - 1, 4),
                                   "overhead_limits_only": round(best["limits_only"] / best["baseline"] - 1, 4)}
        print(f"dataset read, {args.rows:,} rows ({size / 1e6:.0f} MB): baseline {best['baseline']:.2f} s, "
              f"hardened {best['hardened']:.2f} s, overhead {100 * results['dataset_read']['overhead']:+.1f} % "
              f"(limits without the scanner fast path: {best['limits_only']:.2f} s, "
              f"{100 * results['dataset_read']['overhead_limits_only']:+.1f} %)")
        if not args.no_detect:
            from lic_cli import detect
            from lic_cli.tasks import load_project

            transcript = Path(tmp) / "transcript.jsonl"
            write_transcript(transcript, args.turns)
            model = detect.load_model(load_project(args.project), choice="head")
            detect_all(Reader, transcript, model)  # warm-up: first-use work outside the timing
            best = interleave(lambda cls: detect_all(cls, transcript, model), max(3, args.rounds // 2))
            results["detect"] = {"turns": args.turns, **{k: round(v, 3) for k, v in best.items()},
                                 "turns_per_s_hardened": round(args.turns / best["hardened"]),
                                 "overhead": round(best["hardened"] / best["baseline"] - 1, 4)}
            print(f"lic detect, {args.turns:,} turns: baseline {best['baseline']:.2f} s, hardened "
                  f"{best['hardened']:.2f} s, overhead {100 * results['detect']['overhead']:+.1f} %")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
