"""The forget cue (lic_cli/detect/forgetcue.py) on the teaching corpus's dev split: the default
detector's macro-F1 and recall per label, alone and with the cue applied to the same
predictions (same run), and every turn the cue changes.

    python evals/forget_meaning/detect_cue.py [--split dev]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", default="dev", choices=("train", "dev"), help="tuning splits only")
    args = ap.parse_args()
    import numpy as np

    from lic_cli import detect
    from lic_cli.detect.corpus import read_corpus
    from lic_cli.detect.evaluate import score
    from lic_cli.detect.forgetcue import cue

    model = detect.load_model(None, choice="head")
    ex = read_corpus(split=args.split)
    proba = np.concatenate([model.predict_proba([e.text for e in ex[i:i + 256]], [e.context for e in ex[i:i + 256]])
                            for i in range(0, len(ex), 256)])
    labels = tuple(model.labels)
    forget = labels.index("forget")
    cued = proba.copy()
    changed = 0
    for i, e in enumerate(ex):
        if int(cued[i].argmax()) != forget and cue(e.text):
            cued[i] = 0
            cued[i][forget] = 1
            changed += 1
            print(f"  cue: gold {e.label} | {e.text[:110]}")
    for name, p in (("model", proba), ("model + forget cue", cued)):
        m = score(ex, p, labels, threshold=model.threshold, model=model.name)
        print(f"{name}: macro-F1 {m['macro_f1']}, recall " + ", ".join(f"{k} {v['recall']}" for k, v in m["labels"].items()))
    print(f"turns the cue changes: {changed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
