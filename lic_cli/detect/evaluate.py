"""Scoring an intent model on labelled rows: macro-F1, per-label precision / recall,
the confusion matrix, abstention at the threshold, and how hard negatives fare.

Hard negatives are `none` rows marked `"hard": true` (turns that look like teaching).
Their `none` precision is 1 by construction (every one is gold `none`), so we report
what matters for them: the share kept as `none` (their `none` recall) and the share
misread as each teaching label, i.e. junk that would reach a dataset.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lic_cli.detect.calibration import TEACHING
from lic_cli.detect.features import Example

BATCH = 256


def evaluate(model: Any, examples: Sequence[Example], *, threshold: float | None = None,
             batch_size: int = BATCH) -> dict[str, Any]:
    """Run `model` over `examples` and score it (all figures rounded to 4 decimals)."""
    import numpy as np

    labels = tuple(model.labels)
    probs = []
    for start in range(0, len(examples), batch_size):
        chunk = examples[start:start + batch_size]
        probs.append(model.predict_proba([e.text for e in chunk], [e.context for e in chunk]))
    proba = np.concatenate(probs) if probs else np.zeros((0, len(labels)), dtype=np.float32)
    t = model.threshold if threshold is None else threshold
    return score(examples, proba, labels, threshold=t, model=model.name)


def score(examples: Sequence[Example], proba: Any, labels: Sequence[str], *, threshold: float,
          model: str, per_domain_of: str | None = None) -> dict[str, Any]:
    gold = [labels.index(e.label) for e in examples]
    pred = [int(p.argmax()) for p in proba]
    top = [float(p.max()) for p in proba]
    n = len(gold)
    confusion = [[0] * len(labels) for _ in labels]  # rows: gold, columns: predicted
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
    per_label: dict[str, dict[str, Any]] = {}
    f1s = []
    for k, name in enumerate(labels):
        tp = confusion[k][k]
        n_gold = sum(confusion[k])
        n_pred = sum(row[k] for row in confusion)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * tp / (n_gold + n_pred) if n_gold + n_pred else 0.0
        per_label[name] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                           "support": n_gold}
        if n_gold or n_pred:  # as scikit-learn: a label absent from both sides does not count
            f1s.append(f1)
    kept = [i for i in range(n) if top[i] >= threshold]
    answered = [i for i in kept if labels[pred[i]] in TEACHING]
    hard = [i for i, e in enumerate(examples) if e.hard]
    out: dict[str, Any] = {
        "model": model,
        "rows": n,
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / n, 4) if n else 0.0,
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "labels": per_label,
        "confusion": {"labels": list(labels), "matrix": confusion},
        "threshold": threshold,
        "abstain": round(1 - len(kept) / n, 4) if n else 0.0,
        "accuracy_answered": round(sum(gold[i] == pred[i] for i in kept) / len(kept), 4) if kept else None,
        "teaching_precision_answered": round(sum(gold[i] == pred[i] for i in answered) / len(answered), 4)
        if answered else None,
    }
    if hard:
        none = labels.index("none") if "none" in labels else -1
        out["hard_negatives"] = {
            "rows": len(hard),
            "kept_none": round(sum(pred[i] == none for i in hard) / len(hard), 4),
            "misread": {name: sum(pred[i] == k for i in hard) for k, name in enumerate(labels) if k != none},
            "misread_answered": sum(pred[i] != none and top[i] >= threshold for i in hard),
        }
    from lic_cli.detect.corpus import ORDINARY

    ordinary = [i for i, e in enumerate(examples) if e.form in ORDINARY]
    if ordinary:
        # Ordinary questions and requests read as teaching: junk that would reach a dataset.
        fp = sum(labels[pred[i]] in TEACHING for i in ordinary)
        out["ordinary_questions"] = {"rows": len(ordinary), "teaching": fp, "teaching_rate": round(fp / len(ordinary), 4)}
    if len({e.domain for e in examples}) > 1 and not per_domain_of:
        out["domains"] = {}
        for dom in sorted({e.domain for e in examples}):
            idx = [i for i, e in enumerate(examples) if e.domain == dom]
            sub = score([examples[i] for i in idx], proba[idx], labels, threshold=threshold, model=model,
                        per_domain_of=dom)
            out["domains"][dom] = {k: sub[k] for k in ("rows", "accuracy", "macro_f1", "abstain")} | {
                "recall": {k: v["recall"] for k, v in sub["labels"].items() if v["support"]},
                **({"ordinary_teaching_rate": sub["ordinary_questions"]["teaching_rate"]}
                   if "ordinary_questions" in sub else {})}
    pairs: dict[str, list[bool]] = {}
    for i, e in enumerate(examples):
        if e.pair is not None:
            pairs.setdefault(e.pair, []).append(pred[i] == gold[i])
    if pairs:
        # Same text, different earlier turns, different labels: only a model that reads the
        # context gets both rows of a pair right.
        out["context_pairs"] = {"pairs": len(pairs), "rows": sum(map(len, pairs.values())),
                                "row_accuracy": round(sum(map(sum, pairs.values())) / sum(map(len, pairs.values())), 4),
                                "both_right": round(sum(all(v) for v in pairs.values()) / len(pairs), 4)}
    return out


def report(metrics: dict[str, Any]) -> str:
    """The metrics as a short plain-text report (what `lic detect --eval` prints)."""
    labels = metrics["confusion"]["labels"]
    lines = [f"model: {metrics['model']}",
             f"rows: {metrics['rows']}  accuracy: {metrics['accuracy']:.4f}  macro-F1: {metrics['macro_f1']:.4f}",
             "",
             f"{'label':<10}{'precision':>10}{'recall':>8}{'f1':>8}{'support':>9}"]
    for name in labels:
        m = metrics["labels"][name]
        lines.append(f"{name:<10}{m['precision']:>10.4f}{m['recall']:>8.4f}{m['f1']:>8.4f}{m['support']:>9}")
    width = max(8, *(len(x) + 1 for x in labels))
    lines += ["", "confusion (rows: gold, columns: predicted)",
              " " * 10 + "".join(f"{x:>{width}}" for x in labels)]
    for name, row in zip(labels, metrics["confusion"]["matrix"], strict=True):
        lines.append(f"{name:<10}" + "".join(f"{v:>{width}}" for v in row))
    ans = metrics["accuracy_answered"]
    tp = metrics["teaching_precision_answered"]
    lines += ["", f"threshold {metrics['threshold']:.2f}: uncertain {metrics['abstain']:.1%} of rows; "
              f"accuracy on the rest {'-' if ans is None else f'{ans:.4f}'}, "
              f"teaching precision {'-' if tp is None else f'{tp:.4f}'}"]
    hard = metrics.get("hard_negatives")
    if hard:
        mis = ", ".join(f"{k} {v}" for k, v in hard["misread"].items())
        lines.append(f"hard negatives: {hard['rows']} rows, kept as none {hard['kept_none']:.4f} "
                     f"(misread: {mis}; {hard['misread_answered']} above the threshold)")
    ordinary = metrics.get("ordinary_questions")
    if ordinary:
        lines.append(f"ordinary questions and requests: {ordinary['rows']} rows, read as teaching "
                     f"{ordinary['teaching']} ({ordinary['teaching_rate']:.2%})")
    pairs = metrics.get("context_pairs")
    if pairs:
        lines.append(f"context pairs: {pairs['pairs']} pairs, both rows right {pairs['both_right']:.4f} "
                     f"(row accuracy {pairs['row_accuracy']:.4f})")
    domains = metrics.get("domains")
    if domains:
        short = {"teach": "teach", "correct": "corr", "forget": "forget", "none": "none"}
        lines += ["", f"{'domain':<20}{'rows':>6}{'macro-F1':>10}{'acc':>8}"
                  + "".join(f"{'R ' + short.get(x, x)[:6]:>10}" for x in labels) + f"{'ordFP':>8}{'uncert':>8}"]
        for dom, m in domains.items():
            rec = "".join(f"{m['recall'][x]:>10.3f}" if x in m["recall"] else f"{'-':>10}" for x in labels)
            ofp = m.get("ordinary_teaching_rate")
            lines.append(f"{dom:<20}{m['rows']:>6}{m['macro_f1']:>10.4f}{m['accuracy']:>8.4f}{rec}"
                         f"{'-' if ofp is None else f'{ofp:.3f}':>8}{m['abstain']:>8.3f}")
    return "\n".join(lines) + "\n"


def evaluate_file(project: Any, model: Any, path: str | None, *, split: str | None = None,
                  threshold: float | None = None) -> dict[str, Any]:
    """Score `model` on a labelled JSONL file. Path None means the project's intent dataset
    (without an intent task: the packaged corpus), whose `test` split is used unless `split`
    names another ("all": every row). A file may hold intent-dataset rows or corpus rows
    (`context` a list of turns, `form`, `domain`); every row counts unless `split` is given."""
    from lic_cli.detect import intent_task
    from lic_cli.detect.corpus import CORPUS, is_corpus_row, read_corpus
    from lic_cli.detect.features import read_labelled
    from lic_cli.errors import InputError
    from lic_cli.jsonl import read_jsonl_file

    task = intent_task(project)
    want = None if split in (None, "all") else split
    if path is None:
        want = None if split == "all" else (split or "test")
        if task is None:
            source = "packaged corpus (lic_cli/data/teaching.jsonl)"
            examples = read_corpus(CORPUS, split=want, source=source)
        else:
            source = task.dataset
            examples = read_labelled(project.dataset_path(task), task, source=source, split=want)
        split = split or "test"
    else:
        source = path
        first = next((row for _, row in read_jsonl_file(path)), None)
        if first is not None and is_corpus_row(first):
            examples = read_corpus(path, split=want, source=source)
        elif task is None:
            raise InputError("rows in the intent-dataset format need the project's intent task; use the corpus "
                             "format (context as a list of turns, form, domain)", source=source, line=1)
        else:
            examples = read_labelled(path, task, source=source, split=want)
    if not examples:
        raise InputError(f"no labelled rows to evaluate{f' in split {split!r}' if split else ''}", source=source)
    out = evaluate(model, examples, threshold=threshold)
    out["file"] = source
    out["split"] = split or "all"
    return out
