"""What Parquet files and Hugging Face folders share: rows of an Arrow table.

Finding candidates and writing the new version work on the table column-wise:
only the rows whose key might match are turned into Python dicts, and the new table
is the old one's slices with the changed rows in between (untouched rows are never
converted). A null is an absent column.
"""

from __future__ import annotations

from typing import Any

from lic_cli.errors import InputError
from lic_cli.store.formats import Candidates, plain

_IRREGULAR = r"^\s|\s$|\s\s|[\t\n\r\x0b\x0c\x1c-\x1f]"
_BATCH = 65_536


def iter_rows(table: Any, start_line: int = 1) -> Any:
    n = start_line
    for batch in table.to_batches(_BATCH):
        for row in batch.to_pylist():
            yield n, plain(row)
            n += 1


def candidates(table: Any, column: str, targets: set[str] | None) -> Candidates:
    """The rows whose `column` normalizes (rows.normalize_text) to one of `targets` (a
    superset: None or "" among them means every row)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from lic_cli.store.rows import normalize_text

    names = list(table.column_names)
    idx: Any = None
    if targets is not None and "" not in targets and column in names:
        col = table.column(column)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            # ASCII values: NFKC and casefold change nothing but case, so a value is its
            # target exactly when it lowercases to it, unless its whitespace is irregular
            # (leading, trailing, doubled, not a space): those are judged in Python too.
            ascii_ = pc.fill_null(pc.string_is_ascii(col), True)
            hit = pc.is_in(pc.utf8_lower(col), value_set=pa.array(sorted(targets), type=col.type))
            odd = pc.match_substring_regex(col, _IRREGULAR)
            mask = pc.fill_null(pc.and_(ascii_, pc.or_(hit, odd)), False).to_numpy(zero_copy_only=False)
            # Other values: normalized in Python, the key column alone.
            others = np.flatnonzero(~ascii_.to_numpy(zero_copy_only=False))
            if len(others):
                values = col.take(pa.array(others)).to_pylist()
                mask[others[[normalize_text(v) in targets for v in values]]] = True
            idx = pa.array(np.flatnonzero(mask))
    if idx is None:
        rows = [(i, i + 1, row) for i, (_, row) in enumerate(iter_rows(table))]
    else:
        positions = idx.to_pylist()
        picked = table.take(idx).to_pylist() if positions else []
        rows = [(p, p + 1, plain(r)) for p, r in zip(positions, picked, strict=True)]
    return Candidates(rows=rows, total=table.num_rows, columns=names, state=table)


def new_table(cand: Candidates, changes: dict[int, dict[str, Any] | None], adds: list[dict[str, Any]],
              source: str) -> Any:
    """The old table with `changes` made and `adds` appended, in the old schema (a new
    column is added at the end, its type taken from the values)."""
    import pyarrow as pa

    table = cand.state
    schema = table.schema
    written = [r for r in changes.values() if r is not None] + adds
    new_cols: dict[str, list[Any]] = {}
    for row in written:
        for c in row:
            if schema.get_field_index(c) < 0:
                new_cols.setdefault(c, [])
    for name in new_cols:
        values = [r.get(name) for r in written]
        try:
            typ = pa.array(values).type
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise InputError(f"cannot store the values of new column '{name}' ({exc})", source=source,
                             field=name) from None
        if pa.types.is_null(typ):
            typ = pa.string()
        table = table.append_column(pa.field(name, typ), pa.nulls(table.num_rows, typ))
    if new_cols:
        table = table.replace_schema_metadata(None)  # written by a tool about the old columns
    schema = table.schema

    # One gather: the old rows in order, each changed row pointing at its new version in
    # `extra` (appended after the old rows), deleted ones left out, then the adds.
    import numpy as np

    positions = sorted(changes)
    replaced = [changes[p] for p in positions if changes[p] is not None]
    try:
        extra = pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in [*replaced, *adds]],
                                     schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        raise InputError(f"a row does not fit the dataset's column types ({exc})", source=source) from None
    n = table.num_rows
    order = np.arange(n, dtype=np.int64)
    keep = np.ones(n, dtype=bool)
    j = n
    for p in positions:
        if changes[p] is None:
            keep[p] = False
        else:
            order[p] = j
            j += 1
    order = np.concatenate([order[keep], np.arange(j, j + len(adds), dtype=np.int64)])
    return pa.concat_tables([table, extra]).take(pa.array(order))
