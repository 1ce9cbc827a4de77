"""The learning evaluation as a table for people (the JSON is for machines)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def table(results: Sequence[dict[str, Any]]) -> Any:
    """A rich Table: one line per patch, then the task overall."""
    from rich.table import Table

    out = Table("task", "patch", "version", "rows", "reliability", "generalization", "locality",
                "locality (weights alone)", "near-miss kept", "held-out accuracy", title="What the models learned")
    for r in results:
        for p in r.get("patches", []):
            out.add_row(r["task"], p["patch"], f"v{p['version']}", str(p["rows"]), _pct(p["reliability"]),
                        _pct(p["generalization"]), "", "", "", "")
        probes = r.get("locality_probes", 0)
        near = r.get("near_miss_probes", 0)
        out.add_row(r["task"], "[b]overall[/b]", f"v{r.get('dataset_version')}", str(r.get("taught", 0)),
                    _pct(r.get("reliability")), _pct(r.get("generalization")),
                    f"{_pct(r.get('locality'))} of {probes}", f"{_pct(r.get('weights_locality'))} of {probes}",
                    f"{_pct(r.get('near_miss_locality'))} / {_pct(r.get('weights_near_miss_locality'))} alone"
                    f" of {near}" if near else "-",
                    f"{_pct(r.get('answer_accuracy'))} of {r.get('held_out', 0)}")
    return out
