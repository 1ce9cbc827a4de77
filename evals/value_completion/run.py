"""Value completion (issue 16): a value an extractor cut short, widened to the whole value phrase
of the turn by `lic_cli.extract.snap.keep_whole`. Exact matches per split (no model is loaded).

    python evals/value_completion/run.py [-v] [--split test]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    ap.add_argument("--split", choices=("dev", "test"), default="dev", help="test: the held-out domains, scored once")
    args = ap.parse_args()
    from lic_cli.extract.snap import keep_whole

    cases = [json.loads(x) for x in (HERE / "cases.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    for split in (args.split,):
        rows = [c for c in cases if c["split"] == split]
        right = 0
        for c in rows:
            got = keep_whole(c["cut"], c["text"])
            right += got == c["whole"]
            if got != c["whole"] and args.verbose:
                print(f"  {split} {c['domain']}: {c['cut']!r} -> {got!r}, want {c['whole']!r}", file=sys.stderr)
        print(f"{split}: {right}/{len(rows)} whole values")
    return 0


if __name__ == "__main__":
    sys.exit(main())
