"""Show a patch for review: unified-diff-like text, coloured with rich on a terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from lic_cli.patches.fileformat import Op, Patch

# (style, text) pairs; the plain renderer drops the style.
Line = tuple[str, str]


def _val(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False)


def lines(patch: Patch, name: str | None = None) -> Iterator[Line]:
    yield "bold", f"patch {name or patch.id}  (id {patch.id})"
    yield "", (f"task {patch.task}  dataset {patch.dataset}  base v{patch.base_version} "
               f"{patch.base_hash[:19]}")
    yield "", f"author {patch.author}  time {patch.time}"
    if patch.approved_by:
        yield "", f"approved by {patch.approved_by} at {patch.approved_at}"
    if patch.reverts:
        yield "", f"reverts {patch.reverts}"
    if patch.source:
        yield "", "source " + ", ".join(patch.source)
    yield "", ""
    for line in patch.message.splitlines() or [""]:
        yield "", "    " + line
    for op in patch.ops:
        yield "", ""
        yield from _op(op)


def _op(op: Op) -> Iterator[Line]:
    about = ", ".join(x for x in (op.source, f"score {op.score}" if op.score is not None else None) if x)
    yield "cyan", f"@@ {op.op} {op.row}" + (f" ({about})" if about else "") + " @@"
    before, after = op.before or {}, op.after or {}
    for col in list(before) + [c for c in after if c not in before]:
        if col in before and col in after and before[col] == after[col]:
            yield "dim", f"  {col}: {_val(before[col])}"
            continue
        if col in before:
            yield "red", f"- {col}: {_val(before[col])}"
        if col in after:
            yield "green", f"+ {col}: {_val(after[col])}"
    marked = _entities(after)
    if marked:
        yield "green", f"  entities: {marked}"


def _entities(row: dict[str, Any]) -> str | None:
    """A span row's sentence with its entities marked ([Ajax](ORG) beat ...), for review."""
    from lic_cli.spans import from_conll, inline

    try:
        if isinstance(row.get("tokens"), list) and isinstance(row.get("tags"), list):
            return inline(*from_conll([str(t) for t in row["tokens"]], [str(t) for t in row["tags"]]))
        if isinstance(row.get("text"), str) and isinstance(row.get("spans"), list):
            return inline(row["text"], [s for s in row["spans"] if isinstance(s, dict)])
    except (KeyError, TypeError, ValueError):
        return None
    return None


def write_plain(patch: Patch, fp: IO[str], name: str | None = None) -> None:
    for _, text in lines(patch, name):
        fp.write(text + "\n")


def write_rich(patch: Patch, fp: IO[str], name: str | None = None) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(file=fp, highlight=False, soft_wrap=True, force_terminal=True)
    for style, text in lines(patch, name):
        console.print(Text(text, style=style or ""))
