"""Limits on everything lic parses: JSON lines, whole JSON files and YAML.

Every JSON or YAML text lic reads (records, patches, datasets, versions/, the journal,
the model registry, tasks.yaml) goes through here, so no input can make a parser crash
(RecursionError, ValueError on a 5,000-digit integer), leave a string that cannot be
written back (a lone UTF-16 surrogate), or make lic read without end (one endless line,
a YAML alias bomb). Each limit fails with an InputError naming the file, the line and,
where there is one, the field.

The limits (environment variables, for the rare input that needs more):

| limit | default | variable |
|---|---|---|
| bytes in one JSONL line | 16 MiB | LIC_MAX_LINE_BYTES |
| nesting depth of one JSON value | 64 | LIC_MAX_DEPTH |
| digits in one integer | 4,300 (Python's own) | (fixed) |
| characters in one turn's text | 100,000 | LIC_MAX_TEXT_CHARS |
| items in one record's knowledge / routes / edits | 256 | LIC_MAX_ITEMS |
| YAML aliases in one file | 32 | (fixed) |

Lone surrogates (`"\\ud800"` with no low half) are **rejected**, not replaced: a
replaced character would silently change a dataset row's key.
NaN, Infinity and -Infinity (which Python's json accepts, but JSON has not) are rejected.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

from lic_cli.errors import InputError


@dataclass(frozen=True)
class Limits:
    line_bytes: int = 16 << 20
    depth: int = 64
    text_chars: int = 100_000
    items: int = 256


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"${name}: expected a whole number, got {raw!r}") from None
    if value <= 0:
        raise InputError(f"${name}: expected a number above 0, got {value}")
    return value


@lru_cache(maxsize=8)
def _limits(key: tuple[str | None, ...]) -> Limits:
    d = Limits()
    return Limits(line_bytes=_env_int("LIC_MAX_LINE_BYTES", d.line_bytes), depth=_env_int("LIC_MAX_DEPTH", d.depth),
                  text_chars=_env_int("LIC_MAX_TEXT_CHARS", d.text_chars), items=_env_int("LIC_MAX_ITEMS", d.items))


_ENV = ("LIC_MAX_LINE_BYTES", "LIC_MAX_DEPTH", "LIC_MAX_TEXT_CHARS", "LIC_MAX_ITEMS")


def limits() -> Limits:
    """The limits in force (read from the environment; cached per setting)."""
    return _limits(tuple(os.environ.get(k) for k in _ENV))


# --- JSON -------------------------------------------------------------------------------

_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"lic: {name} is not JSON")


_decoder = json.JSONDecoder(parse_constant=_no_constant)
_scan = _decoder.scan_once


def _decode(text: str) -> Any:
    """_decoder.decode(text) without its two whitespace regex matches in the common case
    (a value from the first character to the end): what pays for the limits below.
    Anything else (leading blanks, trailing data, an error) goes through decode() itself."""
    try:
        obj, end = _scan(text, 0)
    except StopIteration:
        return _decoder.decode(text)
    if end != len(text) and text[end:].strip(" \t\n\r"):
        return _decoder.decode(text)
    return obj


def loads(text: str | bytes, *, source: str | None, line: int | None = None, depth: int | None = None) -> Any:
    """json.loads with lic's limits; every failure is an InputError naming source and line."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not valid UTF-8 ({exc.reason} at byte {exc.start + 1})", source=source,
                             line=line) from None
    max_depth = depth or limits().depth
    try:
        obj = _decode(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({exc.msg} at column {exc.colno})", source=source, line=line) from None
    except RecursionError:
        raise InputError(f"JSON nested deeper than {max_depth} levels (LIC_MAX_DEPTH)", source=source,
                         line=line) from None
    except ValueError as exc:
        msg = str(exc)
        if msg.startswith("lic: "):
            raise InputError(f"invalid JSON ({msg[5:]})", source=source, line=line) from None
        if "digits" in msg:
            raise InputError("invalid JSON (an integer with more than 4,300 digits)", source=source,
                             line=line) from None
        raise InputError(f"invalid JSON ({msg})", source=source, line=line) from None
    # Cheap screens first: a value cannot nest deeper than it has brackets, and a lone
    # surrogate needs a \ud8xx-\udfxx escape in the text.
    # (A value nested deeper than max_depth has max_depth + 1 brackets open and as many closed.)
    if len(text) > 2 * max_depth + 1 and text.count("[") + text.count("{") > max_depth:
        found = nesting(obj, max_depth)
        if found is not None:
            raise InputError(f"JSON nested deeper than {max_depth} levels (LIC_MAX_DEPTH)", source=source,
                             line=line, field=found or None)
    if "\\u" in text and _SURROGATE.search(text):
        bad = lone_surrogate(obj)
        if bad is not None:
            raise InputError("a lone UTF-16 surrogate escape (\\ud800-\\udfff without its pair); lic rejects "
                             "these rather than replace them", source=source, line=line, field=bad or None)
    return obj


def nesting(obj: Any, max_depth: int) -> str | None:
    """The path of a value nested deeper than `max_depth`, or None (iterative: no recursion)."""
    stack: list[tuple[Any, int, str]] = [(obj, 1, "")]
    while stack:
        value, d, path = stack.pop()
        if isinstance(value, dict):
            if d > max_depth:
                return path
            stack.extend((v, d + 1, f"{path}.{k}" if path else str(k)) for k, v in value.items())
        elif isinstance(value, list):
            if d > max_depth:
                return path
            stack.extend((v, d + 1, f"{path}[{i}]") for i, v in enumerate(value))
    return None


def _bad_text(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def lone_surrogate(obj: Any) -> str | None:
    """The path of the first string (value or key) holding a lone surrogate, or None."""
    stack: list[tuple[Any, str]] = [(obj, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if _bad_text(value):
                return path
        elif isinstance(value, dict):
            for k, v in value.items():
                sub = f"{path}.{k}" if path else str(k)
                if _bad_text(k):
                    return path or ""
                stack.append((v, sub))
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
    return None


def read_line(fp: IO[Any], *, source: str | None, line: int, limit: int | None = None) -> Any:
    """The next line of a binary (or text) stream, at most `limit` bytes: a longer one is
    refused after reading `limit` bytes of it, so an endless line never fills memory."""
    limit = limit or limits().line_bytes
    raw = fp.readline(limit + 1)
    if len(raw) > limit:
        raise InputError(f"line longer than {limit:,} bytes (LIC_MAX_LINE_BYTES raises the limit)",
                         source=source, line=line)
    return raw


def load_file(path: str | os.PathLike[str], *, name: str | None = None, max_bytes: int | None = None) -> Any:
    """A whole JSON file (a journal, a manifest), with the limits of one line."""
    name = name or os.fspath(path)
    limit = max_bytes or limits().line_bytes
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"file larger than {limit:,} bytes", source=name)
    return loads(data, source=name)


# --- records ---------------------------------------------------------------------------

_ITEM_STRINGS = ("kind", "statement", "question", "answer", "subject", "relation", "object", "text", "label",
                 "span", "engine")


def check_record(rec: dict[str, Any]) -> tuple[str, str] | None:
    """(reason, field) for a record whose stage keys have the wrong shape, else None.

    Only the shapes every stage relies on are checked: the turn's text, and the
    knowledge / routes / edits lists (their length, and the string fields of items).
    """
    lim = limits()
    text = rec.get("text")
    if isinstance(text, str) and len(text) > lim.text_chars:
        return (f"text of {len(text):,} characters; the limit is {lim.text_chars:,} (LIC_MAX_TEXT_CHARS)", "text")
    for key in ("knowledge", "routes", "edits"):
        if key not in rec or rec[key] is None:
            continue
        items = rec[key]
        if not isinstance(items, list):
            return (f"expected a list, got {type(items).__name__}", key)
        if len(items) > lim.items:
            return (f"{len(items):,} items; the limit is {lim.items} per record (LIC_MAX_ITEMS)", key)
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                return (f"expected an object, got {type(item).__name__}", f"{key}[{i}]")
            if key == "knowledge":
                for f in _ITEM_STRINGS:
                    v = item.get(f)
                    if v is not None and not isinstance(v, str):
                        return (f"expected a string, got {type(v).__name__}", f"{key}[{i}].{f}")
            elif key == "routes":
                for f in ("task", "reason"):
                    v = item.get(f)
                    if v is not None and not isinstance(v, str):
                        return (f"expected a string, got {type(v).__name__}", f"{key}[{i}].{f}")
                if not _int_or_none(item.get("item")):
                    return ("expected an item number", f"{key}[{i}].item")
            else:
                for f in ("op", "task", "row"):
                    v = item.get(f)
                    if v is not None and not isinstance(v, str):
                        return (f"expected a string, got {type(v).__name__}", f"{key}[{i}].{f}")
                for f in ("before", "after"):
                    v = item.get(f)
                    if v is not None and not isinstance(v, dict):
                        return (f"expected an object or null, got {type(v).__name__}", f"{key}[{i}].{f}")
    intent = rec.get("intent")
    if intent is not None and not isinstance(intent, dict):
        return (f"expected an object, got {type(intent).__name__}", "intent")
    return None


def _int_or_none(v: Any) -> bool:
    return v is None or isinstance(v, int) and not isinstance(v, bool)


# --- YAML ------------------------------------------------------------------------------

MAX_YAML_ALIASES = 32
MAX_YAML_BYTES = 4 << 20


class YamlLimitError(Exception):
    def __init__(self, reason: str, line: int | None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(reason)


def load_yaml(text: str) -> Any:
    """yaml.safe_load with at most MAX_YAML_ALIASES aliases and no duplicate mapping keys.

    Raises YamlLimitError (reason, line) for those; yaml.YAMLError for bad syntax.
    """
    import yaml

    class Loader(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_YAML_ALIASES:
                    mark = self.peek_event().start_mark
                    raise YamlLimitError(f"more than {MAX_YAML_ALIASES} YAML aliases (*name); write the values out",
                                         mark.line + 1)
            return super().compose_node(parent, index)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:  # noqa: ANN401
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if isinstance(key_node, yaml.ScalarNode):
                        key = key_node.value
                        if key in seen and key != "<<":
                            raise YamlLimitError(f"duplicate key '{key}' (first on line {seen[key]})",
                                                 key_node.start_mark.line + 1)
                        seen[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep=deep)

    if len(text) > MAX_YAML_BYTES:
        raise YamlLimitError(f"larger than {MAX_YAML_BYTES:,} bytes", None)
    loader = Loader(text)
    try:
        return loader.get_single_data()
    except RecursionError:
        raise YamlLimitError("nested too deeply", None) from None
    finally:
        loader.dispose()


# --- plain text lines (chat input) -----------------------------------------------------

_BOMS = {b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16", b"\xef\xbb\xbf": None}


def text_lines(fp: IO[Any], name: str | None = None) -> Any:
    """The lines of a UTF-8 text stream, each at most LIC_MAX_TEXT_CHARS characters.

    Reads bytes line by line (bounded, like every lic reader); binary or UTF-16 input ends
    in one InputError naming the line, instead of a UnicodeDecodeError mid-conversation.
    """
    name = name or getattr(fp, "name", None) or "input"
    if name == "<stdin>":
        name = "stdin"
    stream = getattr(fp, "buffer", None) or fp
    lim = limits()
    line = 0
    while True:
        raw = read_line(stream, source=name, line=line + 1, limit=max(lim.text_chars * 4, 1024))
        if not raw:
            return
        line += 1
        if isinstance(raw, str):
            text = raw
        else:
            if line == 1:
                for bom, enc in _BOMS.items():
                    if raw.startswith(bom):
                        if enc:
                            raise InputError(f"{enc} text; lic reads UTF-8 (convert it: iconv -f {enc} -t UTF-8)",
                                             source=name, line=line)
                        raw = raw[len(bom):]
            if b"\x00" in raw:
                raise InputError("binary data (a NUL byte), not text; lic reads UTF-8 text", source=name, line=line)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not valid UTF-8 ({exc.reason} at byte {exc.start + 1})", source=name,
                                 line=line) from None
        if len(text) > lim.text_chars:
            raise InputError(f"line of {len(text):,} characters; the limit is {lim.text_chars:,} "
                             "(LIC_MAX_TEXT_CHARS)", source=name, line=line)
        yield text


# --- endpoints -------------------------------------------------------------------------

MAX_REPLY_BYTES = 8 << 20  # one endpoint reply (a whole completion, or a whole stream)
MAX_EVENT_BYTES = 1 << 20  # one server-sent event line
_LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")
_warned: set[str] = set()


def check_endpoint(url: str, *, sends_key: bool, env: str) -> None:
    """An endpoint URL lic may talk to: http:// or https:// with a host (anything else,
    file:// or ftp:// say, raises ValueError). A key about to go over plain http to a
    host other than this machine gets a warning on stderr first (once per URL)."""
    import sys
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError(f"endpoint '{url}': not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"endpoint '{url}': expected an http:// or https:// URL with a host")
    if sends_key and parts.scheme == "http" and parts.hostname not in _LOOPBACK and url not in _warned:
        _warned.add(url)
        print(f"lic: warning: ${env} is sent to {parts.hostname} over plain http (anyone on the way can read "
              "it); use https", file=sys.stderr)


def read_reply(resp: Any, url: str, limit: int = MAX_REPLY_BYTES) -> bytes:
    """A whole HTTP reply body, refused (ValueError) past `limit` bytes."""
    data = resp.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"endpoint {url}: reply larger than {limit:,} bytes")
    return data
