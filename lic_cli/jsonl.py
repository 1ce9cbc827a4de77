"""One streaming JSONL reader/writer for every stage.

Records are read lazily line by line (memory stays flat in the input size), chat
containers are expanded into turns, and every other key passes through untouched.
The reader remembers which line each recent record came from, so an error raised by
a stage about a record can still name the file and line.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import IO, Any

from lic_cli.errors import InputError, OutputError, RecordError
from lic_cli.records import normalize
from lic_cli.safeload import check_record, limits, loads, read_line

# How many recent records keep their line number for error messages. Stages batch at
# most a few hundred records, so this is plenty and keeps memory bounded.
_TRACKED = 65536


class Reader:
    """Iterate records from a JSONL stream: `for rec in Reader(fp, "in.jsonl")`."""

    def __init__(self, fp: IO[str], name: str | None = None, *, expand_chats: bool = True) -> None:
        self.fp = fp
        self.name = name or getattr(fp, "name", "<input>")
        if self.name == "<stdin>":
            self.name = "stdin"
        self.expand_chats = expand_chats
        self.line = 0
        self._lines: OrderedDict[int, int] = OrderedDict()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        counters: dict[str, int] = {}
        # Decode line by line from the byte stream when there is one, so bad UTF-8 is
        # reported on its own line rather than on whichever chunk the decoder was reading.
        binary = getattr(self.fp, "buffer", None)
        stream = binary if binary is not None else self.fp
        if stream is None or not hasattr(stream, "readline"):
            raise InputError("cannot read: the stream is closed", source=self.name)
        lim = limits()
        limit, depth = lim.line_bytes, lim.depth
        while True:
            # At most `limit` bytes per line (as safeload.read_line): an endless line is refused, not buffered.
            raw = stream.readline(limit + 1)
            if not raw:
                return
            if len(raw) > limit:
                read_line(io.BytesIO(raw), source=self.name, line=self.line + 1, limit=limit)  # raises
            self.line += 1
            if isinstance(raw, bytes):
                try:
                    raw = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(f"not valid UTF-8 ({exc.reason} at byte {exc.start})",
                                     source=self.name, line=self.line) from None
            if not raw.strip():
                continue
            obj = loads(raw.rstrip("\r\n"), source=self.name, line=self.line, depth=depth)  # columns: in the line
            if not isinstance(obj, dict):
                raise InputError(f"expected a JSON object, got {type(obj).__name__}",
                                 source=self.name, line=self.line)
            if not self.expand_chats:
                self._track(obj)
                yield obj
                continue
            try:
                turns = normalize(obj, counters, default_conversation=f"line{self.line}")
            except RecordError as exc:
                raise InputError(exc.reason, source=self.name, line=self.line, field=exc.field) from None
            for turn in turns:
                bad = check_record(turn)
                if bad is not None:
                    raise InputError(bad[0], source=self.name, line=self.line, field=bad[1])
                self._track(turn)
                yield turn

    def _track(self, rec: dict) -> None:
        self._lines[id(rec)] = self.line
        if len(self._lines) > _TRACKED:
            self._lines.popitem(last=False)

    def locate(self, exc: RecordError) -> InputError:
        """Turn a stage's RecordError into an InputError naming file, line and record id."""
        rec = exc.record
        line = self._lines.get(id(rec)) if rec is not None else None
        rid = record_id(rec) if rec is not None else None
        return InputError(exc.reason, source=self.name, line=line, field=exc.field, record_id=rid)


def record_id(rec: dict) -> str | None:
    conv, turn = rec.get("conversation"), rec.get("turn")
    if conv is None or turn is None:
        return None
    return f"{conv}/t{turn}"


def dumps(rec: dict) -> str:
    return json.dumps(rec, ensure_ascii=False)


def write_records(records: Iterable[dict], fp: IO[str]) -> int:
    """Write records one per line, flushing each so pipes stream. Returns the count.

    A closed downstream pipe (`lic detect < big.jsonl | head -1`) ends the program
    quietly instead of with a BrokenPipeError traceback.
    """
    n = 0
    try:
        for rec in records:
            line = dumps(rec) + "\n"
            try:
                fp.write(line)
                fp.flush()
            except OSError as exc:
                exc.lic_output = True  # type: ignore[attr-defined]  # (the stage's own reads fail too)
                raise
            n += 1
    except BrokenPipeError:
        _silence_stdout()
        raise SystemExit(0) from None
    except OSError as exc:  # a full disk, a closed descriptor: one line, exit 1 (commands/_errors.py)
        if not getattr(exc, "lic_output", False):
            raise
        raise OutputError(_output_name(fp), exc) from None
    except (AttributeError, ValueError):  # stdout closed (None), or a closed file
        if fp is None or getattr(fp, "closed", False):
            raise OutputError(_output_name(fp), OSError(9, "the output is closed")) from None
        raise
    return n


def _output_name(fp: Any) -> str:
    name = getattr(fp, "name", None)
    return "stdout" if name in (None, "<stdout>", "-") else str(name)


def _silence_stdout() -> None:
    # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def read_jsonl_file(path: str | os.PathLike[str]) -> Iterator[tuple[int, dict]]:
    """(line number, object) for a plain JSONL data file (datasets, logs): no chat expansion."""
    name = os.fspath(path)
    try:
        fp = open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot open ({exc.strerror})", source=name) from None
    with fp:
        reader = Reader(fp, name, expand_chats=False)
        for rec in reader:
            yield reader.line, rec
