"""Apply a patch to its task's dataset as a new version: streamed, checked, atomic.

The dataset is streamed (store/scan.py), never loaded: only rows whose key a patch
targets are parsed. Updates and deletes are matched by row id and checked against the
row they expect (`before`); a row that changed since the patch was made is a conflict
and nothing is written. Rows the patch does not touch may have changed freely. Adds
go at the end. Every op is idempotent: an update already made, an add whose row is
there, a delete whose row is gone are skipped, and a patch whose ops are all skipped
makes no new version.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import math
import os
import re
import time
from dataclasses import dataclass, field
from typing import IO, Any

from lic_cli.errors import ConflictError, InputError, PatchError, ProjectError, TaskConfigError
from lic_cli.patches.fileformat import APPROVAL_KEY_ENV, Op, Patch, approval_valid, count_ops, utc_now
from lic_cli.safeload import loads as safe_loads
from lic_cli.store import formats, keyindex, versions
from lic_cli.store.atomic import AtomicFile, Background
from lic_cli.store.digest import HashWorker
from lic_cli.store.rows import RowIds, key_id, normalize_text, row_hash
from lic_cli.store.scan import BLOCK, KeyFilter, scan, scan_spans
from lic_cli.tasks import Project, Task

_KEY_ID = re.compile(r"^(k[0-9a-f]{12})(~\d+)?$")


def base_id(row_id: str) -> str:
    """A key id without its duplicate suffix (k1a2b...~2 -> k1a2b...)."""
    m = _KEY_ID.match(row_id)
    return m.group(1) if m else row_id


def expected_id(task: Task, row: dict[str, Any]) -> str:
    """The id a row gets (the first of its key; duplicates get ~2, ~3 in file order)."""
    col = task.id_column
    if col and row.get(col) not in (None, ""):
        return str(row[col])
    return key_id(task, row)


def complete_row(task: Task, row: dict[str, Any]) -> dict[str, Any]:
    """A new row as it will be written: with the split column filled (none when the task
    says its dataset has no split column: `split_column: ""`)."""
    if not task.split_column:  # (stages that fill `{split_column: ...}` write it under "")
        return {k: v for k, v in row.items() if k != ""} if "" in row else row
    if task.split_column in row:
        return row
    return {**row, task.split_column: task.default_split}


def row_problem(task: Task, row: dict[str, Any]) -> tuple[str, str] | None:
    """(reason, column) when `row` may not be written into `task`'s dataset, else None.

    Whatever wrote the patch, a row written must fit the task's format: every column of
    the format present; strings where the format has strings (never null, a number, a
    list or an object); key columns not blank; no empty column names; no NaN or Infinity
    anywhere (JSON has neither); the split and id columns strings.
    """
    for col in row:
        if not isinstance(col, str) or not col.strip():
            return ("empty column name", "")
    fields = task.key_fields + task.value_fields
    if task.format == "span":
        from lic_cli.spans import row_fields

        fields = row_fields(task)
    for f in fields:
        col = task.column(f)
        if col not in row:
            return (f"missing column '{col}' (every row of format {task.format} has "
                    f"{', '.join(task.column(x) for x in fields)})", col)
        value = row[col]
        if task.format == "span":  # lists: character spans, or CoNLL tokens and tags
            from lic_cli.spans import value_problem

            problem = value_problem(f, value)
            if problem:
                return (problem, col)
            continue
        if task.format == "extraction" and f == "knowledge":
            if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
                return (f"expected a list of knowledge objects, got {_kind(value)}", col)
            continue
        if not isinstance(value, str):
            return (f"expected a string, got {_kind(value)}", col)
    for col in task.key:
        if isinstance(row.get(col), str) and not row[col].strip():
            return ("a key column may not be empty", col)
    for col in (task.split_column, task.id_column):
        if col and col in row and not isinstance(row[col], str):
            return (f"expected a string, got {_kind(row[col])}", col)
    for col, value in row.items():
        if not _finite(value):
            return ("NaN and Infinity are not JSON", col)
    return None


def _span_key(value: Any) -> bool:
    from lic_cli.spans import is_key

    return is_key(value)  # a CoNLL span task's key is its list of tokens


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return {"bool": "a boolean", "int": "a number", "float": "a number", "list": "a list",
            "dict": "an object"}.get(type(value).__name__, type(value).__name__)


def _finite(value: Any) -> bool:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            return False
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return True


# `lic apply --ci`: approvals of review-required tasks must carry a valid HMAC (set by the command).
VERIFY_APPROVALS: contextvars.ContextVar[bool] = contextvars.ContextVar("lic_verify_approvals", default=False)


def check_signed_approval(patch: Patch, name: str, task: str) -> None:
    key = os.environ.get(APPROVAL_KEY_ENV)
    if not key:
        raise PatchError(f"{name}: --ci checks approvals with ${APPROVAL_KEY_ENV}, which is not set here")
    if not approval_valid(patch, key):
        why = "has no signature" if patch.approval is None else "has a signature that does not match"
        raise PatchError(f"{name}: task '{task}' requires a verified review: the approval by "
                         f"{patch.approved_by!r} {why} (approve it where ${APPROVAL_KEY_ENV} is set: "
                         f"lic apply --approve {name})")


@dataclass
class ApplyResult:
    task: str
    applied: bool
    version: int | None  # the version this patch made (None: nothing applied)
    hash: str  # the dataset's content hash afterwards
    rows: int
    ops: dict[str, int]  # ops applied, by kind
    skipped: int  # ops already in effect
    external: int | None = None  # version recorded for a hand edit found first
    dry_run: bool = False
    messages: list[str] = field(default_factory=list)


def check_patch(project: Project, patch: Patch, name: str) -> Task:
    """Check a (well-formed) patch against its task; errors name the patch line and field."""
    try:
        task = project.task(patch.task)
    except TaskConfigError as exc:
        raise InputError(str(exc), source=name, line=1, field="task") from None
    try:
        target = project.path(patch.dataset)
    except ProjectError:
        raise InputError(f"'{patch.dataset}' is outside the project", source=name, line=1,
                         field="dataset") from None
    if target != project.dataset_path(task):
        raise InputError(f"patch is for '{patch.dataset}' but task '{task.name}' uses '{task.dataset}'",
                         source=name, line=1, field="dataset")
    for op in patch.ops:
        for side in ("before", "after"):
            row = getattr(op, side)
            if row is None:
                continue
            for col in task.key:
                if not isinstance(row.get(col), str) and not (task.format == "span" and _span_key(row.get(col))):
                    raise InputError(f"key column '{col}' must be a string", source=name, line=op.line,
                                     field=f"{side}.{col}")
        if op.after is not None:
            bad = row_problem(task, op.after)
            if bad is not None:
                raise InputError(bad[0], source=name, line=op.line, field=f"after.{bad[1]}" if bad[1] else "after")
        if op.after is not None and task.format == "label":
            label_col = task.column("label")
            if op.after.get(label_col) not in task.labels:
                raise InputError(f"unknown label {op.after.get(label_col)!r} (task '{task.name}' labels: "
                                 f"{', '.join(task.labels)})", source=name, line=op.line,
                                 field=f"after.{label_col}")
        ref = op.after if op.op == "add" else op.before
        assert ref is not None
        want = expected_id(task, ref)
        if base_id(op.row) != want:
            side = "after" if op.op == "add" else "before"
            raise InputError(f"row id '{op.row}' does not match the row in '{side}' (expected {want})",
                             source=name, line=op.line, field="row")
    return task


def apply_patch(project: Project, patch: Patch, *, name: str, patch_path: str | None = None,
                author: str | None = None, now: str | None = None, dry_run: bool = False) -> ApplyResult:
    """Apply `patch` (read from `name`, stored at project path `patch_path`)."""
    task = check_patch(project, patch, name)
    if task.review == "required" and not patch.approved_by:
        raise PatchError(f"{name}: task '{task.name}' requires review; approve the patch with "
                         f"'lic apply --approve {name}'")
    if task.review == "required" and VERIFY_APPROVALS.get():
        check_signed_approval(patch, name, task.name)
    if dry_run:
        return _apply(project, task, patch, name, patch_path, author, now, dry_run=True)
    with versions.writing(project, task):
        return _apply(project, task, patch, name, patch_path, author, now, dry_run=False)


def _filter(task: Task, rows: list[dict[str, Any]]) -> KeyFilter | None:
    """The scan filter for rows with these keys (None: parse every line)."""
    if task.id_column:
        return None  # ids need not be derived from the key
    col = task.key[0]
    targets = {normalize_text(row.get(col, "")) for row in rows}
    try:
        return KeyFilter(col, targets)
    except ValueError:
        return None


def _dumps_row(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")


def _index_column(task: Task, rows: list[dict[str, Any]]) -> str | None:
    """The column to look rows up by in the key index, or None (stream with scan()):
    ids need not come from the key with an id_column; the index files a line whose
    column sits in a nested object under that value, so it cannot answer for the key
    "" (rows without the column); and an unusual column name may be spelled otherwise
    in the file."""
    if task.id_column:
        return None
    col = task.key[0]
    if not _PLAIN_COLUMN.fullmatch(col) or any(not normalize_text(r.get(col, "")) for r in rows):
        return None
    return col


_PLAIN_COLUMN = re.compile(r"[A-Za-z0-9_.-]+")


def _apply(project: Project, task: Task, patch: Patch, name: str, patch_path: str | None,
           author: str | None, now: str | None, *, dry_run: bool) -> ApplyResult:
    """Apply through the dataset's key index (built first when missing or stale), or by
    scanning every key when the index cannot answer for this patch."""
    dataset = project.dataset_path(task)
    if dataset.exists() and not formats.is_jsonl(dataset):  # CSV, Parquet, a folder: rewritten whole
        from lic_cli.patches.apply_rows import apply_table

        return apply_table(project, task, patch, name, patch_path, author, now, dry_run=dry_run)
    if not dry_run:  # (under the lock) what a killed apply left of its index work
        keyindex.sweep(keyindex.index_path(project, task))
    rows = [r for op in patch.ops for r in (op.before, op.after) if r]
    col = _index_column(task, rows)
    try:
        size = dataset.stat().st_size
    except OSError:
        col = None  # let the scan report it
    if col is None:
        return _stream(project, task, patch, name, patch_path, author, now, dry_run=dry_run, index=None)
    path = keyindex.index_path(project, task)
    idx = keyindex.load(path, col)
    if idx is not None and idx.size == size:
        try:
            return _stream(project, task, patch, name, patch_path, author, now, dry_run=dry_run, index=idx)
        except keyindex.StaleIndex:
            pass  # edited outside lic (same size): index it again
    if dry_run:  # no lock held: build nothing
        return _stream(project, task, patch, name, patch_path, author, now, dry_run=True, index=None)
    idx = _build_index(project, task, path, col)
    try:
        return _stream(project, task, patch, name, patch_path, author, now, dry_run=False, index=idx)
    except keyindex.StaleIndex:
        raise PatchError(f"{task.dataset}: changed while being applied (edited outside lic?); "
                         f"nothing was applied, try again") from None


def _build_index(project: Project, task: Task, path: Any, col: str) -> keyindex.KeyIndex:
    try:
        fh = open(project.dataset_path(task), "rb")
    except OSError as exc:
        raise PatchError(f"{task.dataset}: cannot open ({exc.strerror})") from None
    with fh:
        return keyindex.build(fh, path, col, task.dataset)


def _stream(project: Project, task: Task, patch: Patch, name: str, patch_path: str | None,
            author: str | None, now: str | None, *, dry_run: bool,
            index: keyindex.KeyIndex | None) -> ApplyResult:
    """One pass over the dataset: copy it, with the patch's rows changed, into the new
    version. With `index`, only the lines it points at are read as rows; StaleIndex
    when the dataset turns out not to be the one it describes (nothing is written)."""
    dataset = project.dataset_path(task)
    data_name = task.dataset
    by_row = {op.row: op for op in patch.ops if op.op != "add"}
    adds = [op for op in patch.ops if op.op == "add"]
    rows = [r for op in patch.ops for r in (op.before, op.after) if r]
    # Base ids whose every row we must see: to number duplicates, and to find rows
    # already equal to an op's result (idempotence).
    track = {base_id(op.row) for op in patch.ops} | {expected_id(task, op.after) for op in patch.ops if op.after}
    ids = RowIds(task, track=track)
    seen: dict[str, set[str]] = {}
    found: set[str] = set()
    applied: list[Op] = []
    skipped = 0
    conflicts: list[tuple[Op, dict[str, Any] | None, int | None]] = []
    # Both files are hashed by worker threads as they stream: the old one as it is
    # read, the new one as it is written; neither is read twice. The old one is not
    # hashed when its stat record vouches for it (keyindex.StatRecord): lic wrote or
    # hashed it, and it has not been written since.
    h_old, h_new = hashlib.sha256(), hashlib.sha256()
    rows_old = 0
    deleted = added = 0
    last = b"\n"
    written = 0
    out = None if dry_run else AtomicFile(dataset)
    # With an index: what happened to each line it pointed at (for the next version's
    # index), and the first unreadable row (reported only once the hash vouches for the
    # index: a stale one may point anywhere).
    spans: list[tuple[int, int, int, int]] = []
    touched: dict[int, keyindex.Touched] = {}
    appended: list[tuple[int, int]] = []
    close_end = False
    error: tuple[bytes, int] | None = None  # (line, span number)
    deriving: Background | None = None
    derived: tuple[keyindex.KeyIndex, Any] | None = None  # the next version's index, not in place yet
    freeing: Any = None  # the thread freeing the old index's blocks
    hasher = HashWorker()  # started last: the finally below stops it

    def emit(data: bytes | memoryview) -> None:
        nonlocal last, written
        if data:
            hasher.update(h_new, data)
            if out is not None:
                out.write(data)
            last = bytes(data[-1:])
            written += len(data)

    try:
        try:
            fh = open(dataset, "rb")
        except OSError as exc:
            raise PatchError(f"{data_name}: cannot open ({exc.strerror})") from None
        with fh:
            before_ns = time.time_ns()  # (taken before the stat: see verified_record)
            st0 = os.fstat(fh.fileno())
            trust = index is not None and keyindex.trusted(keyindex.load_stat(index.path), index, st0)
            reader: Any = fh if trust else _HashingReader(fh, hasher, h_old)
            if index is None:
                source = scan(reader, _filter(task, rows))
            else:
                col = index.column
                spans = keyindex.find(index, {keyindex.row_key(r, col) for r in rows})
                source = scan_spans(reader, [(off, n) for off, n, _, _ in spans])
            hit = -1
            for chunk, line, n in source:
                if line == 0:
                    rows_old += n
                    emit(chunk)
                    continue
                hit += 1
                if not chunk.strip():
                    emit(chunk)
                    continue
                rows_old += 1
                if index is None:
                    row = _parse(chunk, data_name, line)
                else:
                    try:
                        row = _parse(chunk, data_name, line)
                    except InputError:
                        error = error or (bytes(chunk), line)
                        emit(chunk)
                        continue
                rid = ids(row)
                base = base_id(rid)
                current = row_hash(row)
                if base in track:
                    seen.setdefault(base, set()).add(current)
                op = by_row.get(rid)
                if op is None:
                    emit(chunk)
                    continue
                found.add(rid)
                if op.after is not None and current == row_hash(op.after):
                    skipped += 1
                    emit(chunk)
                elif op.before is not None and current == row_hash(op.before):
                    applied.append(op)
                    if op.after is not None:
                        data = _dumps_row(op.after)
                        emit(data)
                        if index is not None:
                            _, _, slot, key = spans[hit]
                            touched[slot] = keyindex.Touched(key, keyindex.row_key(op.after, index.column),
                                                             len(data))
                    else:
                        deleted += 1
                        if index is not None:
                            _, _, slot, key = spans[hit]
                            touched[slot] = keyindex.Touched(key, None, 0)
                else:
                    conflicts.append((op, row, line))
                    emit(chunk)
            if trust and (keyindex.signature(os.fstat(fh.fileno())) != keyindex.signature(st0)
                          or keyindex.signature(os.stat(dataset)) != keyindex.signature(st0)):
                raise keyindex.StaleIndex(f"{data_name} changed while being read")
        for rid, op in by_row.items():
            if rid in found:
                continue
            if op.op == "delete":
                skipped += 1
            elif op.after is not None and row_hash(op.after) in seen.get(expected_id(task, op.after), ()):
                skipped += 1
            else:
                conflicts.append((op, None, None))
        for op in adds:
            assert op.after is not None
            row = complete_row(task, op.after)
            if row_hash(row) in seen.get(expected_id(task, row), ()):
                skipped += 1
                continue
            if last != b"\n":
                emit(b"\n")
                close_end = True
            data = _dumps_row(row)
            emit(data)
            added += 1
            if index is not None:
                appended.append((keyindex.row_key(row, index.column), len(data)))
            applied.append(op)
        if out is not None and applied and not conflicts:
            out.start_prepare()  # fsync on a thread while the hash ends
        hasher.close()
        old_hash = index.hash if trust and index is not None else "sha256:" + h_old.hexdigest()
        if index is not None:
            if old_hash != index.hash:
                raise keyindex.StaleIndex(f"{data_name} is not the version its index describes")
            if not trust and not dry_run:  # hashed and found true: let the next apply skip it
                keyindex.save_stat(index.path, keyindex.verified_record(old_hash, st0, before_ns))
            rows_old = index.rows
            if error is not None or conflicts:  # messages name lines: number them now
                numbers = _line_numbers(dataset, [off for off, _, _, _ in spans])
                if error is not None:
                    _parse(error[0], data_name, numbers[error[1] - 1])
                conflicts = [(op, row, line and numbers[line - 1]) for op, row, line in conflicts]
        if conflicts:
            raise ConflictError(_conflict_message(name, data_name, conflicts))
        rows_new = rows_old - deleted + added
        new_hash = "sha256:" + h_new.hexdigest()
        written_st = None
        if out is not None and applied and index is not None:
            # The next version's index, on a thread while the dataset is fsynced and
            # committed; put in place once it is.
            deriving = Background(lambda: keyindex.derive(
                index, hash=new_hash, size=written, rows=rows_new, touched=touched, added=appended,
                close_end=close_end))
            out.prepare()  # every byte written: its stat now is the one to find after the rename
            written_st = os.stat(out.tmp)
        result = _record(project, task, patch, out, patch_path, author, now or utc_now(),
                         old_hash=old_hash, new_hash=new_hash, rows_old=rows_old, rows_new=rows_new,
                         applied=applied, skipped=skipped, dry_run=dry_run)
        if deriving is not None:
            waiting, deriving = deriving, None
            try:
                derived = waiting.wait()
            except (OSError, keyindex.StaleIndex):
                pass  # a cache: the next apply builds it again
        if not dry_run and applied:
            if derived is None:  # no index, or none derived: an old one would only cost a wasted pass
                keyindex.index_path(project, task).unlink(missing_ok=True)
            else:
                new_index, tmp = derived
                derived = None
                try:
                    freeing = keyindex.install(tmp, new_index)
                except OSError:
                    tmp.unlink(missing_ok=True)
                    new_index.path.unlink(missing_ok=True)
                else:
                    assert written_st is not None
                    try:
                        rec = keyindex.written_record(result.hash, written_st, os.stat(dataset))
                    except OSError:
                        rec = None
                    keyindex.save_stat(new_index.path, rec)
    finally:
        hasher.close()
        if out is not None:
            if not out.done:
                out.discard()
            out.settle()  # the old version's blocks freed (started by the commit)
        if deriving is not None:  # derived for a version not committed
            try:
                derived = deriving.wait()
            except Exception:  # noqa: BLE001 (the error on its way out is the one to report)
                pass
        if derived is not None:
            derived[1].unlink(missing_ok=True)
        if freeing is not None:
            freeing.wait()
    return result


def _line_numbers(path: Any, offsets: list[int]) -> list[int]:
    """The 1-based line number at each of `offsets` (ascending) in the file at `path`."""
    numbers: list[int] = []
    with open(path, "rb") as fh:
        pos = lines = 0
        for off in offsets:
            while pos < off:
                data = fh.read(min(BLOCK, off - pos))
                if not data:
                    break
                lines += data.count(b"\n")
                pos += len(data)
            numbers.append(lines + 1)
    return numbers


class _HashingReader:
    """A binary file whose reads are also handed to a hash."""

    def __init__(self, fh: IO[bytes], hasher: HashWorker, h: Any) -> None:
        self._fh, self._hasher, self._h = fh, hasher, h

    def read(self, size: int = -1, /) -> bytes:
        data = self._fh.read(size)
        self._hasher.update(self._h, data)
        return data


def find_ids(project: Project, task: Task, rows: list[dict[str, Any]]) -> dict[str, str]:
    """row_hash -> id of the last dataset row equal to it, for each of `rows` (streamed)."""
    if not rows:
        return {}
    wanted = {row_hash(r) for r in rows}
    ids = RowIds(task, track={expected_id(task, r) for r in rows})
    found: dict[str, str] = {}
    if not formats.is_jsonl(project.dataset_path(task)):
        for _, row in formats.read_rows(project.dataset_path(task), task.dataset):
            rid = ids(row)
            if (h := row_hash(row)) in wanted:
                found[h] = rid
        return found
    with open(project.dataset_path(task), "rb") as fh:
        for chunk, line, _ in scan(fh, _filter(task, rows)):
            if line and chunk.strip():
                row = _parse(chunk, task.dataset, line)
                rid = ids(row)
                if (h := row_hash(row)) in wanted:
                    found[h] = rid
    return found


def _parse(raw: bytes, source: str, line: int) -> dict[str, Any]:
    obj = safe_loads(raw, source=source, line=line)  # lic_cli/safeload.py: depth, integers, surrogates
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object, got {type(obj).__name__}", source=source, line=line)
    return obj


def _short(row: dict[str, Any] | None) -> str:
    return "(no such row)" if row is None else json.dumps(row, ensure_ascii=False)


def _conflict_message(name: str, data_name: str,
                      conflicts: list[tuple[Op, dict[str, Any] | None, int | None]]) -> str:
    n = len(conflicts)
    lines = [f"{name}: {n} conflict{'s' if n > 1 else ''} with {data_name}: "
             f"row{'s' if n > 1 else ''} changed since the patch was made; nothing was applied"]
    for op, row, line in conflicts:
        where = f"{data_name} line {line}" if line else data_name
        lines.append(f"  line {op.line or '?'} ({op.op} {op.row}):")
        lines.append(f"    patch expects: {_short(op.before)}")
        lines.append(f"    {where} has: {_short(row)}")
    return "\n".join(lines)


def _record(project: Project, task: Task, patch: Patch, out: AtomicFile | None, patch_path: str | None,
            author: str | None, now: str, *, old_hash: str, new_hash: str, rows_old: int, rows_new: int,
            applied: list[Op], skipped: int, dry_run: bool) -> ApplyResult:
    """Write the new version (and any hand edit found first) to the log, atomically."""
    log = versions.read_log(project, task)
    entries: list[versions.Version] = []
    next_no = log[-1].version + 1 if log else 0
    external = None
    if not log:
        if applied:
            entries.append(versions.Version(0, old_hash, rows_old, time=now, message="initial dataset"))
            next_no = 1
    elif log[-1].hash != old_hash:
        external = next_no
        entries.append(versions.Version(next_no, old_hash, rows_old, time=now,
                                        message="external edit (the dataset changed outside lic)"))
        next_no += 1
    result = ApplyResult(task=task.name, applied=bool(applied), version=None,
                         hash=new_hash if applied else old_hash, rows=rows_new if applied else rows_old,
                         ops=count_ops(applied), skipped=skipped, external=external, dry_run=dry_run)
    if applied:
        entries.append(versions.Version(next_no, new_hash, rows_new, patch=patch_path, patch_id=patch.id,
                                        author=author or patch.author, time=now, ops=count_ops(applied),
                                        message=patch.message))
        result.version = next_no
    else:
        result.messages.append("already applied: every operation is already in the dataset")
    if dry_run or not entries:
        return result
    versions.commit(project, task, out if applied else None, old_hash=old_hash,
                    new_hash=result.hash, entries=entries)
    return result
