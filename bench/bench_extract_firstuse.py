"""Benchmark: the learned engine's training options, dev field F1 against training seconds.

    .venv/bin/python bench/bench_extract_firstuse.py --frozen 4 --epochs 3 --none 0.3 [--json out.json]

Trains the learned engine on the packaged corpus's train domains with the given options
into a temporary folder (wall seconds from the start of `train`, which includes tokenizing
and loading the encoder), then scores it, and `auto` with it, on the corpus's dev domains
(never test). Used to choose what first use trains (docs/extract.md, "First use").
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--frozen", type=int, default=0, help="encoder layers not trained (their output cached)")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--none", type=float, default=1.0, help="fraction of the non-teaching train turns kept")
    ap.add_argument("--lr", type=float, default=None, help="encoder learning rate (default: learned.LR)")
    ap.add_argument("--head-lr", type=float, default=None, help="heads' learning rate (default: learned.HEAD_LR)")
    ap.add_argument("--splits", nargs="*", default=["dev"], choices=["dev"])
    ap.add_argument("--keep", type=Path, help="save the trained model here (else a temporary folder)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from bench_extract_heldout import corpus_split, run_split, table

    from lic_cli.extract import learned as L

    rows = L.corpus_rows()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "model"
        start = time.perf_counter()
        info = L.train(rows, path, epochs=args.epochs, frozen_layers=args.frozen, none_fraction=args.none,
                       lr=args.lr or L.LR, head_lr=args.head_lr or L.HEAD_LR, note=lambda m: print(m, file=sys.stderr, flush=True))
        seconds = round(time.perf_counter() - start, 1)
        engine = L.LearnedEngine.from_folder(path)
        out = {"frozen": args.frozen, "epochs": args.epochs, "none": args.none, "lr": args.lr, "head_lr": args.head_lr,
               "train_seconds": seconds,
               "info": info, "load": os.getloadavg()}
        for split in args.splits:
            res = run_split(split, corpus_split(split), ["learned", "auto"], None, engine, "corpus")
            res.pop("_raw")
            res.pop("_preds")
            out[split] = res
            print(table(split, res, ["learned", "auto"]))
    print(f"frozen {args.frozen}, epochs {args.epochs}, none {args.none}, lr {args.lr}/{args.head_lr}: "
          f"trained in {seconds} s "
          f"(load {out['load'][0]:.2f})")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
