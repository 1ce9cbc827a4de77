"""Errors raised by library code. Only `commands/_errors.py` turns them into exits."""

from __future__ import annotations


class LicError(Exception):
    """Base class: a problem the user can fix, reported as one line without a traceback."""


class InputError(LicError):
    """Bad input data, located as precisely as we can: file, line, field."""

    def __init__(self, reason: str, *, source: str | None = None, line: int | None = None,
                 field: str | None = None, record_id: str | None = None) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.field = field
        self.record_id = record_id
        super().__init__(self.format())

    def format(self) -> str:
        where = []
        if self.source:
            where.append(self.source + (f" line {self.line}" if self.line else ""))
        elif self.line:
            where.append(f"line {self.line}")
        if self.record_id:
            where.append(f"(id {self.record_id})")
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = " ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason


class TaskConfigError(LicError):
    """tasks.yaml is invalid; the message names the task and field."""


class ModelLoadError(LicError):
    """A model alias or path cannot be resolved or loaded."""


class PatchError(LicError):
    """A patch file is malformed, or cannot be applied."""


class ConflictError(PatchError):
    """A row that a patch updates or deletes changed since the patch was made."""


class ProjectError(LicError):
    """No project found, or a path escapes the project."""


class RecordError(LicError):
    """A stage cannot handle one record. The JSONL pipe adds the file and line it came from."""

    def __init__(self, reason: str, *, record: dict | None = None, field: str | None = None) -> None:
        self.reason = reason
        self.record = record
        self.field = field
        super().__init__(reason)


class OutputError(LicError):
    """Writing the output failed (a full disk, a closed or broken pipe, a missing folder)."""

    def __init__(self, name: str, exc: OSError) -> None:
        self.name = name
        self.errno = exc.errno
        reason = exc.strerror or str(exc)
        super().__init__(f"cannot write {name}: {reason}")


class StateError(LicError):
    """lic's own state (versions/, patches/, .lic/, models/, the journal) is not as lic left it."""
