"""Scoring an extract engine on labelled rows of the `extract` dataset format.

Rows: {"id", "text", "context": [{"role", "text"}], "label", "knowledge": [items], "split"}.
Definitions (docs/extract.md, "Evaluation"):

- a value is normalized: Unicode NFKC, lower case, curly quotes made straight, runs of
  whitespace made one space, and spaces and `. , ; : ! ? " '` stripped from both ends;
- an item is its kind plus its kind fields (`replaces` and `task` included when present;
  `statement`, `source` and `engine` ignored), all values normalized;
- **exact match**: a row's predicted items equal its gold items as multisets;
- **item F1**: a predicted item matches a gold item when they are equal (as above);
- **field F1**: each item contributes one (kind, field, value) triple per field; true
  positives are the multiset intersection of a row's predicted and gold triples, summed
  over rows (micro-averaged), overall and per kind (the gold item's kind for recall,
  the predicted item's kind for precision);
- a turn whose engine output failed validation counts as predicting [] (and is counted
  under `rejected`).
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError
from lic_cli.extract.engine import Engine, Turn
from lic_cli.extract.prompt import fields_of
from lic_cli.extract.schema import KINDS

_STRIP = " \t\n.,;:!?\"'"
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def normalize(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).translate(_QUOTES).lower()
    return " ".join(text.split()).strip(_STRIP)


def _item(fields: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    f = fields_of(fields)
    return tuple((k, v if k == "kind" else _spans(v) if k == "spans" else normalize(v)) for k, v in f.items())


def _spans(spans: Any) -> str:
    """A span list as one comparable value: `start-end:label` sorted, labels upper-cased."""
    if not isinstance(spans, list):
        return normalize(str(spans))
    return ";".join(sorted(f"{s.get('start')}-{s.get('end')}:{str(s.get('label', '')).upper()}"
                           for s in spans if isinstance(s, dict)))


def _triples(items: list[tuple[tuple[str, str], ...]]) -> Counter:
    out: Counter = Counter()
    for item in items:
        kind = item[0][1]
        for name, value in item[1:]:
            out[(kind, name, value)] += 1
    return out


def read_rows(path: Path, *, source: str, split: str | None) -> list[dict[str, Any]]:
    """Labelled rows of `path` (of `split` unless None or 'all'), each checked."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON ({exc.msg} at column {exc.colno})", source=source, line=n) from None
            if not isinstance(row, dict):
                raise InputError("expected a JSON object", source=source, line=n)
            for key, kind in (("text", str), ("knowledge", list)):
                if not isinstance(row.get(key), kind):
                    raise InputError(f"expected a {kind.__name__}", source=source, line=n, field=key)
            if not isinstance(row.get("context", []), list):
                raise InputError("expected a list of {role, text} turns", source=source, line=n, field="context")
            for i, item in enumerate(row["knowledge"]):
                if not isinstance(item, dict) or item.get("kind") not in KINDS:
                    raise InputError(f"expected an item with a kind of {', '.join(KINDS)}", source=source, line=n,
                                     field=f"knowledge[{i}]")
            if split in (None, "all") or row.get("split") == split:
                rows.append(row)
    if not rows:
        raise InputError(f"no rows{f' in split {split!r}' if split not in (None, 'all') else ''}", source=source)
    return rows


def evaluate(engine: Engine, rows: Sequence[dict[str, Any]], *, batch_size: int = 16) -> dict[str, Any]:
    """Run `engine` over the rows' turns and score it (figures rounded to 4 decimals)."""
    turns = [Turn(text=r["text"], context=list(r.get("context") or []), label=str(r.get("label") or "teach"))
             for r in rows]
    outcomes = []
    start = time.perf_counter()
    for i in range(0, len(turns), batch_size):
        outcomes.extend(engine.extract(turns[i:i + batch_size]))
    seconds = time.perf_counter() - start
    preds = [[] if o.error is not None else [_item(f) for f in o.items] for o in outcomes]
    golds = [[_item(f) for f in r["knowledge"]] for r in rows]
    metrics = score(golds, preds)
    metrics.update({"engine": engine.name, "model": getattr(engine, "model", None), "rows": len(rows),
                    "rejected": sum(o.error is not None for o in outcomes),
                    "repaired": sum(o.repaired for o in outcomes),
                    "turns_per_second": round(len(rows) / seconds, 2) if seconds > 0 else None})
    teaching = [i for i, r in enumerate(rows) if r.get("label") != "none"]
    if len(teaching) < len(rows):
        # Rows labelled `none` (look-alikes handed to extract as if they were teaching): the
        # field figures of the teaching rows alone, the look-alikes' in `empty_kept`.
        metrics["teaching"] = score([golds[i] for i in teaching], [preds[i] for i in teaching])
    if any(r.get("domain") for r in rows):
        by: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            by.setdefault(str(r.get("domain") or "-"), []).append(i)
        metrics["per_domain"] = {}
        for dom, idx in sorted(by.items()):
            m = score([golds[i] for i in idx if rows[i].get("label") != "none"],
                      [preds[i] for i in idx if rows[i].get("label") != "none"])
            empty = [i for i in idx if not golds[i]]
            taught = any(rows[i].get("label") != "none" for i in idx)
            metrics["per_domain"][dom] = {"rows": len(idx), "field_f1": m["field"]["f1"] if taught else None,
                                          "exact": m["exact"] if taught else None,
                                          "empty_kept": round(sum(not preds[i] for i in empty) / len(empty), 4)
                                          if empty else None}
    used = Counter(o.engine for o in outcomes if o.engine)
    if used:
        metrics["decided_by"] = dict(used)
    metrics["errors"] = [{"id": r.get("id"), "text": r["text"], "gold": r["knowledge"],
                          "predicted": [dict(p) for p in pred], "error": o.error}
                         for r, gold, pred, o in zip(rows, golds, preds, outcomes, strict=True)
                         if Counter(gold) != Counter(pred) or o.error]
    return metrics


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "gold": n_gold, "predicted": n_pred}


def score(golds: list[list[tuple]], preds: list[list[tuple]]) -> dict[str, Any]:
    exact = sum(Counter(g) == Counter(p) for g, p in zip(golds, preds, strict=True))
    empty_gold = [i for i, g in enumerate(golds) if not g]
    field_tp: Counter = Counter()
    field_pred: Counter = Counter()
    field_gold: Counter = Counter()
    item_tp: Counter = Counter()
    item_pred: Counter = Counter()
    item_gold: Counter = Counter()
    exact_kind: Counter = Counter()
    rows_kind: Counter = Counter()
    for g, p in zip(golds, preds, strict=True):
        tg, tp_ = _triples(g), _triples(p)
        for (kind, _, _), n in (tg & tp_).items():
            field_tp[kind] += n
        for (kind, _, _), n in tp_.items():
            field_pred[kind] += n
        for (kind, _, _), n in tg.items():
            field_gold[kind] += n
        cg, cp = Counter(g), Counter(p)
        for item, n in (cg & cp).items():
            item_tp[item[0][1]] += n
        for item, n in cp.items():
            item_pred[item[0][1]] += n
        for item, n in cg.items():
            item_gold[item[0][1]] += n
        for kind in {i[0][1] for i in g}:
            rows_kind[kind] += 1
            exact_kind[kind] += cg == cp
    per_kind = {}
    for kind in KINDS:
        per_kind[kind] = {"field": _prf(field_tp[kind], field_pred[kind], field_gold[kind]),
                          "item": _prf(item_tp[kind], item_pred[kind], item_gold[kind]),
                          "rows": rows_kind[kind],
                          "exact": round(exact_kind[kind] / rows_kind[kind], 4) if rows_kind[kind] else None}
    return {
        "exact": round(exact / len(golds), 4) if golds else 0.0,
        "field": _prf(sum(field_tp.values()), sum(field_pred.values()), sum(field_gold.values())),
        "item": _prf(sum(item_tp.values()), sum(item_pred.values()), sum(item_gold.values())),
        "per_kind": per_kind,
        "empty_rows": len(empty_gold),
        "empty_kept": round(sum(not preds[i] for i in empty_gold) / len(empty_gold), 4) if empty_gold else None,
    }


def report(m: dict[str, Any]) -> str:
    """A plain-text table of the metrics."""
    lines = [f"extract --eval: engine {m['engine']}" + (f" ({m['model']})" if m.get("model") else "")
             + f", {m['rows']} rows, {m['turns_per_second']} turns/s",
             f"exact match {m['exact']:.4f}   field P/R/F1 {m['field']['precision']:.4f} "
             f"{m['field']['recall']:.4f} {m['field']['f1']:.4f}   item F1 {m['item']['f1']:.4f}",
             "",
             f"{'kind':<8}{'rows':>6}{'exact':>8}{'field P':>9}{'field R':>9}{'field F1':>10}{'item F1':>9}"]
    for kind, k in m["per_kind"].items():
        exact = f"{k['exact']:.4f}" if k["exact"] is not None else "-"
        lines.append(f"{kind:<8}{k['rows']:>6}{exact:>8}{k['field']['precision']:>9.4f}{k['field']['recall']:>9.4f}"
                     f"{k['field']['f1']:>10.4f}{k['item']['f1']:>9.4f}")
    empty = f"{m['empty_kept']:.4f}" if m["empty_kept"] is not None else "-"
    if m.get("teaching"):
        t = m["teaching"]
        lines += ["", f"teaching rows only: field P/R/F1 {t['field']['precision']:.4f} {t['field']['recall']:.4f} "
                      f"{t['field']['f1']:.4f}, exact {t['exact']:.4f}"]
    if m.get("per_domain"):
        lines += ["", f"{'domain':<22}{'rows':>6}{'field F1':>10}{'exact':>8}{'empty kept':>12}"]
        for dom, d in m["per_domain"].items():
            kept = f"{d['empty_kept']:.4f}" if d["empty_kept"] is not None else "-"
            f1 = f"{d['field_f1']:.4f}" if d["field_f1"] is not None else "-"
            exact = f"{d['exact']:.4f}" if d["exact"] is not None else "-"
            lines.append(f"{dom:<22}{d['rows']:>6}{f1:>10}{exact:>8}{kept:>12}")
    if m.get("decided_by"):
        lines += ["", "decided by: " + ", ".join(f"{k} {v}" for k, v in sorted(m["decided_by"].items()))]
    lines += ["", f"look-alikes (gold []): {m['empty_rows']} rows, kept empty {empty}",
              f"rejected (output failed validation): {m['rejected']}, repaired: {m['repaired']}"]
    return "\n".join(lines) + "\n"


def evaluate_file(engine: Engine, project: Any, path: str, *, split: str | None,
                  batch_size: int = 16) -> dict[str, Any]:
    """`lic extract --eval`: score `engine` on a labelled file ('-': the project's extract
    dataset, its test split unless `split` says otherwise)."""
    if path == "corpus":  # the packaged multi-domain corpus (docs/extract.md), dev split by default
        from lic_cli.extract.learned import DATA

        source, file = "corpus", DATA / "teaching.jsonl"
        split = split or "dev"
    elif path == "-":
        from lic_cli.extract.model import extraction_task

        task = extraction_task(project)
        source, file = task.dataset, project.dataset_path(task)
        split = split or "test"
    else:
        source, file = path, Path(path)
        if not file.is_file():
            raise InputError("file not found", source=path)
    metrics = evaluate(engine, read_rows(file, source=source, split=split), batch_size=batch_size)
    metrics["source"], metrics["split"] = source, split or "all"
    return metrics
