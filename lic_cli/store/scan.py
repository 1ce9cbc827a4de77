"""Stream a dataset file, handing over only the lines an applier must look at.

Two ways to know which: `scan_spans` is given their byte positions (by the dataset's
key index, store/keyindex.py) and only copies; `scan` finds them itself, as below, when
there is no index to ask.

Applying 1,000 edits to a million-row file should cost about a file copy, so the
scanner works on large blocks with C-speed bytes operations and yields untouched
stretches as raw byte chunks, copied verbatim (which also keeps their exact bytes, so
a git diff of the dataset shows only the changed rows). A line is handed over for
parsing when its key might be one of the targeted keys.

The filter is conservative, never wrong, and looks at one key column ("col"). Blocks
are cut into 64 KiB parts of whole lines; each part first gets the fast path
(KeyFilter._fast): one regex pass collects every value of `"col"`, and if there is one
per line and every value is a plain string (no escapes, NFKC- and casefold-stable once
ASCII is lowercased), the values are compared with the targets lowercased and without
whitespace (a superset of normalize_text equality). Lines holding a matching value are
found with a plain bytes search; the rest of the part is copied. Nothing here is done
per line.

A part the fast path cannot judge goes line by line: a line is trusted only when its
raw text contains `"col"` exactly once, with a *simple* value: no escapes, no runs of
spaces or other whitespace, and already NFKC-normalized and casefolded once ASCII is
lowercased. For such a value the raw lowercased bytes equal normalize_text(value), so a
set lookup decides. Any other line (non-ASCII or escaped key, a blank line, a missing
or repeated column) is handed over, and a part with irregular lines is halved until
they are isolated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import accumulate, compress, filterfalse, repeat
from typing import Protocol

BLOCK = 1 << 20
_SMALL = 64  # lines: below this, check line by line instead of halving again


_PART = 1 << 16  # bytes: the fast path's unit (a hit costs a search of one part)
_CTRL = bytes(range(32))
_ASCII_WS = b" \t\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what normalize_text collapses (\n ends a line)
_LOWER = bytes.maketrans(bytes(range(65, 91)), bytes(range(97, 123)))
_FANOUT = 8
# \u0020-\u007f: the only escapes that can spell a column name (so hide a key column).
_ESCAPED_ASCII = re.compile(rb"\\u00[2-7]")


def _stable(flat: bytes) -> bool:
    """Do NFKC and casefold leave these '"'-separated skeletons (ASCII-lowercased, ASCII
    whitespace removed) alone, with no non-ASCII whitespace? Then a value's
    normalize_text form has the same skeleton. (Removing spaces never makes an unstable
    text stable: spaces compose with nothing.)"""
    if flat.isascii():
        return True  # ASCII control characters stay in the skeleton, as in normalize_text
    # NFKC and casefold work character by character across the quotes, so one call
    # checks every non-ASCII value; isprintable() rejects the whitespace normalize_text
    # would collapse and control characters.
    try:
        text = b'"'.join(filterfalse(bytes.isascii, flat.split(b'"'))).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return text.isprintable() and unicodedata.normalize("NFKC", text).casefold() == text


class KeyFilter:
    """Which lines might carry one of `targets` (normalized values of column `col`)."""

    def __init__(self, col: str, targets: set[str]) -> None:
        low = col.lower()
        if not re.fullmatch(r"[a-z0-9_ .-]+", low):
            raise ValueError(f"column name not usable for the fast filter: {col!r}")
        self.key = b'"' + low.encode() + b'"'
        # Up to the next quote; a value with escapes (backslash) is rejected by _simple.
        self.value = re.compile(re.escape(self.key) + rb': ?"([^"]*)')
        self.targets = {t.encode("utf-8") for t in targets}
        # The fast path reads the raw (not lowercased) text: every occurrence of the exact
        # column name used as a key, with its value up to the next quote: '"' + text for a
        # string, no leading quote for anything else. ([^"]* is the regex engine's fastest
        # loop; escapes and runaway values are caught afterwards.)
        raw_key = b'"' + col.encode() + b'"'
        self.raw_value = re.compile(re.escape(raw_key) + rb'[ \t\r]*:[ \t\r]*("?[^"]*)')
        # A row without the key column has the key "": only then must every line be read.
        self.fast = b"" not in self.targets
        # Targets without their spaces: values are compared that way, so a value that
        # differs from a target only in its spacing is a candidate too.
        self.skeletons = {t.translate(None, _ASCII_WS) for t in self.targets}

    @staticmethod
    def _simple(vals: list[bytes]) -> bool:
        """Are all these raw (ASCII-lowercased) values in normalize_text form?"""
        joined = b'"'.join(vals)  # no value holds a quote
        if (b"  " in joined or b"\\" in joined or b'" ' in joined or b' "' in joined or joined.startswith(b" ")
                or joined.endswith(b" ")):
            return False
        if len(joined.translate(None, _CTRL)) != len(joined):
            return False
        if joined.isascii():
            return True
        # Check only the non-ASCII values. NFKC and casefold work character by character
        # across the '"' separators, so one call checks them all at C speed;
        # isprintable() rejects every whitespace but ' ' (which normalize_text would
        # collapse) and control characters.
        try:
            text = b'"'.join(filterfalse(bytes.isascii, vals)).decode("utf-8")
        except UnicodeDecodeError:
            return False
        return text.isprintable() and unicodedata.normalize("NFKC", text).casefold() == text

    def maybe(self, lower_line: bytes) -> bool:
        """Could this one line (lowercased, no newline) carry a targeted key?"""
        if lower_line.count(self.key) != 1:
            return True
        vals = self.value.findall(lower_line)
        return len(vals) != 1 or not self._simple(vals) or vals[0] in self.targets

    def candidates(self, block: bytes) -> tuple[list[tuple[int, int, int]], int]:
        """The lines of `block` (complete lines, each ending in a newline) that must be
        parsed, in order, as (start, end, newlines before start), and the block's
        number of newlines. (Counting here saves the caller a second pass.)"""
        out: list[tuple[int, int, int]] = []
        start = 0
        seen = 0  # newlines before `start`
        while start < len(block):
            end = block.find(b"\n", min(start + _PART, len(block)) - 1) + 1
            spans: list[tuple[int, int]] = []
            lines = self._fast(block, start, end, spans)
            if lines is None:
                self._region(block[start:end].lower(), 0, end - start, spans, base=start)
            pos, acc = start, seen
            for a, b in spans:
                acc += block.count(b"\n", pos, a)
                out.append((a, b, acc))
                acc += 1
                pos = b
            seen = seen + lines if lines is not None else acc + block.count(b"\n", pos, end)
            start = end
        return out, seen

    def _fast(self, block: bytes, start: int, end: int, out: list[tuple[int, int]]) -> int | None:
        """Decide a region of whole lines with a few C-speed passes and no per-line work.

        Sound without knowing which value sits on which line: every key occurrence is
        captured (so a line whose key normalizes to a target shows up among the values,
        and lines holding one of the matching raw values are found by a plain search).
        A line without the literal key has the key "" (never a target here) unless its
        key name is escaped (\\u0071...), which only a \\u00[2-7]x escape can spell;
        such lines are still handed over (to be reported if corrupt) whenever the region
        has fewer key occurrences than lines. Returns the region's number of lines, or
        None (decide the region line by line) for anything irregular."""
        if not self.fast:
            return None
        if block.find(b"\\", start, end) >= 0 and _ESCAPED_ASCII.search(block, start, end):
            return None
        vals = self.raw_value.findall(block, start, end)
        lines = block.count(b"\n", start, end)
        if len(vals) != lines:
            return None  # a line without the key (blank, corrupt: to be read), or with two
        joined = b"".join(vals)
        if b"\\" in joined or b"\n" in joined:
            return None  # an escaped or unterminated value
        # The values ASCII-lowercased and without whitespace ("skeletons", one pass): equal
        # to a target's skeleton whenever their normalize_text form equals the target.
        flat = joined.translate(_LOWER, _ASCII_WS)
        skel = flat.split(b'"')  # '', value, value, ...
        if len(skel) != len(vals) + 1:
            return None  # a value that is not a string (it captured no quote)
        if not _stable(flat):
            return None
        if self.skeletons.isdisjoint(skel):
            return lines
        raws = set(compress(joined.split(b'"'), map(self.skeletons.__contains__, skel)))
        spans = set()
        for raw in raws:
            needle = b'"' + raw + b'"'
            pos = block.find(needle, start, end)
            while pos >= 0:
                a = block.rfind(b"\n", start, pos) + 1 or start
                b = block.find(b"\n", pos, end) + 1
                spans.add((a, b))
                pos = block.find(needle, b, end)
        out.extend(sorted(spans))
        return lines

    def _region(self, lower: bytes, start: int, end: int, out: list[tuple[int, int]], base: int = 0) -> None:
        """Line by line, halving first: `lower` is the lowercased region, offsets in
        `out` are shifted by `base`."""
        region = lower[start:end]
        lines = region.split(b"\n")
        lines.pop()  # the region ends with a newline
        n = len(lines)
        if n <= _SMALL:
            pos = start
            for line in lines:
                if self.maybe(line):
                    out.append((base + pos, base + pos + len(line) + 1))
                pos += len(line) + 1
            return
        vals = self.value.findall(region)
        # Every line holds the key column exactly once, with a simple value: decide by set.
        if (len(vals) == n and list(map(bytes.count, lines, repeat(self.key))).count(1) == n
                and self._simple(vals)):
            # vals[i] is line i's key: find the hit lines by index, then their offsets.
            if not self.targets.isdisjoint(vals):
                hit = list(compress(range(n), map(self.targets.__contains__, vals)))
                ends = list(accumulate(map(len, lines), initial=0))
                out.extend((base + start + ends[i] + i, base + start + ends[i + 1] + i + 1) for i in hit)
            return
        # Irregular lines somewhere: split the region and look closer.
        step = max(len(region) // _FANOUT, 1)
        pos = 0
        while pos < len(region):
            cut = region.find(b"\n", min(pos + step, len(region) - 1)) + 1
            if pos == 0 and cut == len(region):  # one long last line: split before it
                cut = region.rfind(b"\n", 0, len(region) - 1) + 1
            self._region(lower, start + pos, start + cut, out, base)
            pos = cut

class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def scan(fh: Readable, keep: KeyFilter | None) -> Iterator[tuple[bytes, int, int]]:
    """Yield (chunk, line, newlines) in file order. line == 0: a verbatim chunk of
    whole lines, `newlines` of them; line > 0: one line to parse, `line` its 1-based
    number."""
    line_no = 0
    rest = b""
    while True:
        data = fh.read(BLOCK)
        if not data:
            if rest:
                line_no += 1
                yield rest, line_no, 0  # a last line without a newline: always parsed
            return
        data = rest + data
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        block, rest = data[:cut], data[cut:]
        if keep is None:
            pos = 0
            while pos < len(block):
                end = block.index(b"\n", pos) + 1
                line_no += 1
                yield block[pos:end], line_no, 1
                pos = end
            continue
        spans, total = keep.candidates(block)
        pos = done = 0  # bytes and newlines of the block yielded so far
        for a, b, before in spans:
            if a > pos:
                yield block[pos:a], 0, before - done
            yield block[a:b], line_no + before + 1, 1
            pos, done = b, before + 1
        if pos < len(block):
            yield block[pos:], 0, total - done
        line_no += total


def scan_spans(fh: Readable, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[bytes | memoryview, int, int]]:
    """scan() for lines known by position (an index): hand over the line at each
    (offset, length) of `spans` (in file order) and yield everything else as verbatim
    chunks, to the end of the file whatever its length. Nothing is searched or counted,
    so this costs a copy: a handed-over line's number is its span's (1-based), and a
    verbatim chunk's count of newlines is 0 (the index knows where lines are).

    Every byte read is yielded exactly once, even when the spans do not fit the file
    (a stale index): the caller hashes what it was given and finds out."""
    block = b""
    bstart = 0  # file offset of block[0]
    cur = 0  # file offset of the first byte not yielded yet
    for k, (off, length) in enumerate(spans, 1):
        if off < cur:
            continue  # not in file order: only a stale index does that
        while off > bstart + len(block):  # yield up to the end of the block, read on
            if cur < bstart + len(block):
                yield memoryview(block)[cur - bstart:], 0, 0
                cur = bstart + len(block)
            bstart, block = cur, fh.read(BLOCK)
            if not block:
                return
        if off > cur:
            yield memoryview(block)[cur - bstart:off - bstart], 0, 0
            cur = off
        end = off + length
        piece = block[off - bstart:end - bstart]
        if end > bstart + len(block):  # the line runs on into the next blocks
            parts = [piece]
            while end > bstart + len(block):
                bstart, block = bstart + len(block), fh.read(BLOCK)
                if not block:
                    break
                parts.append(block[:end - bstart])
            piece = b"".join(parts)
        yield piece, k, 1
        cur = off + len(piece)
        if not block:
            return
    if cur < bstart + len(block):
        yield memoryview(block)[cur - bstart:], 0, 0
    while data := fh.read(BLOCK):
        yield data, 0, 0
