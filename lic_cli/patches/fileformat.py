"""The patch file: a JSONL text file meant for review in a pull request.

Line 1 is the header, every other line one operation. Reading validates everything
and names the file, line and field of the first problem. See docs/patches.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from lic_cli.errors import InputError, PatchError
from lic_cli.safeload import limits
from lic_cli.safeload import loads as safe_loads

FORMAT_VERSION = 1
OPS = ("add", "update", "delete")
_OP_RANK = {op: i for i, op in enumerate(OPS)}
_TASK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")
_SOURCE = re.compile(r"^(.*)/t(\d+)$")

_HEADER_REQUIRED = ("lic_patch", "task", "dataset", "base", "author", "time", "source", "message", "id")
_HEADER_OPTIONAL = ("approved_by", "approved_at", "reverts", "approval")
APPROVAL_KEY_ENV = "LIC_APPROVAL_KEY"
_APPROVAL = re.compile(r"^hmac-sha256:[0-9a-f]{64}$")
_OP_FIELDS = ("op", "row", "before", "after", "score", "source")


@dataclass(frozen=True)
class Op:
    op: str
    row: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    score: float | None = None
    source: str | None = None
    line: int | None = field(default=None, compare=False)  # where it was read from

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "row": self.row, "before": self.before, "after": self.after,
                "score": self.score, "source": self.source}


@dataclass(frozen=True)
class Patch:
    task: str
    dataset: str
    base_version: int
    base_hash: str
    author: str
    time: str
    source: tuple[str, ...]
    message: str
    ops: tuple[Op, ...]
    approved_by: str | None = None
    approved_at: str | None = None
    reverts: str | None = None  # id of the patch this one undoes
    approval: str | None = None  # HMAC of the approval, with $LIC_APPROVAL_KEY (see approval_mac)

    @cached_property  # (frozen: the ops never change; reading a patch and applying it both ask)
    def id(self) -> str:
        return patch_id(self.task, self.ops)

    def counts(self) -> dict[str, int]:
        return count_ops(self.ops)

    def header(self) -> dict[str, Any]:
        head: dict[str, Any] = {
            "lic_patch": FORMAT_VERSION, "task": self.task, "dataset": self.dataset,
            "base": {"version": self.base_version, "hash": self.base_hash},
            "author": self.author, "time": self.time, "source": list(self.source),
            "message": self.message, "id": self.id,
        }
        for key in _HEADER_OPTIONAL:
            if getattr(self, key) is not None:
                head[key] = getattr(self, key)
        return head

    def approve(self, by: str, at: str) -> Patch:
        """Approved by `by` at `at`; signed (the `approval` field) when $LIC_APPROVAL_KEY is set."""
        approved = replace(self, approved_by=by, approved_at=at, approval=None)
        key = os.environ.get(APPROVAL_KEY_ENV)
        return replace(approved, approval=approval_mac(approved, key)) if key else approved


def approval_mac(patch: Patch, key: str) -> str:
    """An HMAC-SHA256, keyed with a secret only CI (or the approvers' tooling) holds, over
    what an approval vouches for: the task, the dataset and its base version, the
    operations (through the content id) and who approved when. Anyone can write
    `approved_by`; without the key no one can make this match (docs/security.md)."""
    import hmac

    blob = json.dumps({"task": patch.task, "dataset": patch.dataset,
                       "base": {"version": patch.base_version, "hash": patch.base_hash}, "id": patch.id,
                       "approved_by": patch.approved_by, "approved_at": patch.approved_at},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "hmac-sha256:" + hmac.new(key.encode("utf-8"), blob.encode("utf-8"), hashlib.sha256).hexdigest()


def approval_valid(patch: Patch, key: str) -> bool:
    import hmac

    return (patch.approved_by is not None and patch.approval is not None
            and hmac.compare_digest(patch.approval, approval_mac(patch, key)))


def count_ops(ops: tuple[Op, ...] | list[Op]) -> dict[str, int]:
    counts = dict.fromkeys(OPS, 0)
    for op in ops:
        counts[op.op] += 1
    return counts


def patch_id(task: str, ops: tuple[Op, ...] | list[Op]) -> str:
    """Content hash of what the patch does (not who or when), so rebuilding the same
    edits gives the same id, and an edited operation no longer matches its approval."""
    blob = json.dumps({"task": task, "ops": [o.to_dict() for o in ops]}, ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def source_key(source: str | None) -> tuple[str, int, str]:
    """Sort turn ids naturally: c1/t2 before c1/t10."""
    if source is None:
        return ("", -1, "")
    m = _SOURCE.match(source)
    return (m.group(1), int(m.group(2)), "") if m else (source, -1, source)


def utc_now() -> str:
    """ISO-8601 UTC, to the second. Honours SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = datetime.fromtimestamp(int(epoch), UTC) if epoch and epoch.isdigit() else datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(patch: Patch) -> str:
    lines = [json.dumps(patch.header(), ensure_ascii=False)]
    lines += [json.dumps(op.to_dict(), ensure_ascii=False) for op in patch.ops]
    return "\n".join(lines) + "\n"


# --- reading -------------------------------------------------------------------------

def read_patch(path: Path, name: str | None = None, *, check_id: bool = True) -> Patch:
    """Read and validate a patch file. `name` is how errors refer to it."""
    name = name or str(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise PatchError(f"{name}: cannot open ({exc.strerror})") from None
    cap = limits().line_bytes * 64  # a patch is read whole: bounded, like every file lic reads
    with fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise InputError(f"patch file larger than {cap:,} bytes (LIC_MAX_LINE_BYTES x 64)", source=name)
    return loads(data, name, check_id=check_id)


def loads(data: bytes, name: str, *, check_id: bool = True) -> Patch:
    head: dict[str, Any] | None = None
    ops: list[Op] = []
    rows: dict[str, int] = {}
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        obj = _json_line(raw, name, lineno)
        if head is None:
            if lineno != 1:
                raise InputError("the header must be the first line", source=name, line=lineno)
            head = _header(obj, name)
            continue
        op = _op(obj, name, lineno)
        if op.row in rows:
            raise InputError(f"row '{op.row}' is already changed on line {rows[op.row]}",
                             source=name, line=lineno, field="row")
        rows[op.row] = lineno
        ops.append(op)
    if head is None:
        raise InputError("empty file: expected a patch header", source=name, line=1)
    if not ops:
        raise InputError("the patch has no operations", source=name, line=2)
    patch = Patch(task=head["task"], dataset=head["dataset"], base_version=head["base"]["version"],
                  base_hash=head["base"]["hash"], author=head["author"], time=head["time"],
                  source=tuple(head["source"]), message=head["message"], ops=tuple(ops),
                  approved_by=head.get("approved_by"), approved_at=head.get("approved_at"),
                  reverts=head.get("reverts"), approval=head.get("approval"))
    if check_id and patch.id != head["id"]:
        raise InputError(f"id {head['id']} does not match the operations (computed {patch.id}): the patch "
                         "was edited after it was written; review it, then re-approve with "
                         "'lic apply --approve PATCH'", source=name, line=1, field="id")
    return patch


def _json_line(raw: bytes, name: str, lineno: int) -> dict[str, Any]:
    limit = limits().line_bytes
    if len(raw) > limit:
        raise InputError(f"line longer than {limit:,} bytes (LIC_MAX_LINE_BYTES raises the limit)", source=name,
                         line=lineno)
    obj = safe_loads(raw, source=name, line=lineno)  # depth, integer size, surrogates, NaN: lic_cli/safeload.py
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object, got {type(obj).__name__}", source=name, line=lineno)
    return obj


def _type_error(want: str, value: Any, name: str, line: int, fld: str) -> InputError:
    got = "null" if value is None else type(value).__name__
    return InputError(f"expected {want}, got {got}", source=name, line=line, field=fld)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _header(obj: dict[str, Any], name: str) -> dict[str, Any]:
    def need_str(key: str, value: Any) -> None:
        if not isinstance(value, str):
            raise _type_error("a string", value, name, 1, key)

    if "lic_patch" not in obj:
        raise InputError("not a lic patch header (no 'lic_patch' field)", source=name, line=1, field="lic_patch")
    for key in obj:
        if key not in _HEADER_REQUIRED and key not in _HEADER_OPTIONAL:
            raise InputError("unknown header field", source=name, line=1, field=key)
    for key in _HEADER_REQUIRED:
        if key not in obj:
            raise InputError("missing header field", source=name, line=1, field=key)
    if obj["lic_patch"] != FORMAT_VERSION or not _is_int(obj["lic_patch"]):
        raise InputError(f"unsupported patch format {obj['lic_patch']!r} (this lic reads {FORMAT_VERSION})",
                         source=name, line=1, field="lic_patch")
    for key in ("task", "dataset", "author", "time", "message", "id"):
        need_str(key, obj[key])
    if not _TASK_NAME.match(obj["task"]):
        raise InputError(f"invalid task name {obj['task']!r}", source=name, line=1, field="task")
    if not obj["dataset"].strip() or "\x00" in obj["dataset"]:
        raise InputError("expected a dataset path", source=name, line=1, field="dataset")
    base = obj["base"]
    if not isinstance(base, dict):
        raise _type_error("an object with version and hash", base, name, 1, "base")
    if set(base) != {"version", "hash"}:
        raise InputError("expected exactly the fields version and hash", source=name, line=1, field="base")
    if not _is_int(base["version"]) or base["version"] < 0:
        raise _type_error("a version number >= 0", base["version"], name, 1, "base.version")
    if not isinstance(base["hash"], str) or not _HASH.match(base["hash"]):
        raise InputError("expected 'sha256:' and 64 hex digits", source=name, line=1, field="base.hash")
    _check_time(obj["time"], name, "time")
    src = obj["source"]
    if not isinstance(src, list) or not all(isinstance(s, str) for s in src):
        raise _type_error("a list of turn ids", src, name, 1, "source")
    for key in _HEADER_OPTIONAL:
        if key in obj:
            need_str(key, obj[key])
    if ("approved_by" in obj) != ("approved_at" in obj):
        raise InputError("approved_by and approved_at go together", source=name, line=1,
                         field="approved_at" if "approved_by" in obj else "approved_by")
    if "approved_at" in obj:
        _check_time(obj["approved_at"], name, "approved_at")
    if "approval" in obj and ("approved_by" not in obj or not _APPROVAL.match(obj["approval"])):
        raise InputError("expected 'hmac-sha256:' and 64 hex digits, beside approved_by", source=name, line=1,
                         field="approval")
    return obj


def _check_time(value: str, name: str, fld: str) -> None:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"expected an ISO-8601 time, got {value!r}", source=name, line=1, field=fld) from None


def _op(obj: dict[str, Any], name: str, line: int) -> Op:
    for key in obj:
        if key not in _OP_FIELDS:
            raise InputError("unknown field", source=name, line=line, field=key)
    for key in _OP_FIELDS:
        if key not in obj:
            raise InputError("missing field", source=name, line=line, field=key)
    kind = obj["op"]
    if kind not in OPS:
        raise InputError(f"unknown op {kind!r} (expected add, update or delete)", source=name, line=line,
                         field="op")
    if not isinstance(obj["row"], str) or not obj["row"]:
        raise _type_error("a row id", obj["row"], name, line, "row")
    want_before, want_after = kind != "add", kind != "delete"
    for key, wanted in (("before", want_before), ("after", want_after)):
        val = obj[key]
        if wanted and not (isinstance(val, dict) and val):
            raise _type_error(f"the row {key} the {kind} (an object)", val, name, line, key)
        if not wanted and val is not None:
            raise InputError(f"must be null for {kind}", source=name, line=line, field=key)
    score = obj["score"]
    if score is not None and (not isinstance(score, (int, float)) or isinstance(score, bool)):
        raise _type_error("a number or null", score, name, line, "score")
    if obj["source"] is not None and not isinstance(obj["source"], str):
        raise _type_error("a turn id or null", obj["source"], name, line, "source")
    return Op(op=kind, row=obj["row"], before=obj["before"], after=obj["after"], score=score,
              source=obj["source"], line=line)


def op_sort_key(op: Op, item: int = 0) -> tuple[Any, ...]:
    """Stable op order: source turn, then knowledge item, then op kind, then row id."""
    return (source_key(op.source), item, _OP_RANK[op.op], op.row)
