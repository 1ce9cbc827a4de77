"""Stream a dataset file, handing over only the lines an applier must look at.

Applying 1,000 edits to a million-row file should cost about a file copy, so the
scanner works on large blocks with C-speed bytes operations and yields untouched
stretches as raw byte chunks, copied verbatim (which also keeps their exact bytes, so
a git diff of the dataset shows only the changed rows). A line is handed over for
parsing when its key might be one of the targeted keys.

The filter is conservative, never wrong: it looks at one key column ("col") and only
trusts a line whose raw text contains `"col"` exactly once, with a *simple* value: no
escapes, no runs of spaces or other whitespace, and already NFKC-normalized and
casefolded once ASCII is lowercased. For such a value the raw lowercased bytes equal
normalize_text(value), so a set lookup decides. Any other
line (non-ASCII or escaped key, a blank line, a missing or repeated column) is
handed over, and a block with irregular lines is halved until they are isolated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from itertools import accumulate, compress, filterfalse, repeat
from typing import IO

BLOCK = 1 << 20
_SMALL = 64  # lines: below this, check line by line instead of halving again


_CTRL = bytes(range(32))
_FANOUT = 8


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

    def candidates(self, lower: bytes) -> list[tuple[int, int]]:
        """(start, end) spans of the lines of `lower` (complete lines, each ending in
        a newline) that must be parsed, in order."""
        out: list[tuple[int, int]] = []
        self._region(lower, 0, len(lower), out)
        return out

    def _region(self, lower: bytes, start: int, end: int, out: list[tuple[int, int]]) -> None:
        region = lower[start:end]
        lines = region.split(b"\n")
        lines.pop()  # the region ends with a newline
        n = len(lines)
        if n <= _SMALL:
            pos = start
            for line in lines:
                if self.maybe(line):
                    out.append((pos, pos + len(line) + 1))
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
                out.extend((start + ends[i] + i, start + ends[i + 1] + i + 1) for i in hit)
            return
        # Irregular lines somewhere: split the region and look closer.
        step = max(len(region) // _FANOUT, 1)
        pos = 0
        while pos < len(region):
            cut = region.find(b"\n", min(pos + step, len(region) - 1)) + 1
            if pos == 0 and cut == len(region):  # one long last line: split before it
                cut = region.rfind(b"\n", 0, len(region) - 1) + 1
            self._region(lower, start + pos, start + cut, out)
            pos = cut

def scan(fh: IO[bytes], keep: KeyFilter | None) -> Iterator[tuple[bytes, int, int]]:
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
        pos = 0
        for a, b in keep.candidates(block.lower()):
            if a > pos:
                k = block.count(b"\n", pos, a)
                yield block[pos:a], 0, k
                line_no += k
            line_no += 1
            yield block[a:b], line_no, 1
            pos = b
        if pos < len(block):
            k = block.count(b"\n", pos)
            yield block[pos:], 0, k
            line_no += k
