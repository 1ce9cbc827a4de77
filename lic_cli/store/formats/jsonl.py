"""JSONL: one JSON object a line. Patched by the streaming applier (patches/apply.py),
which copies untouched lines byte for byte; only reading is here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lic_cli.jsonl import read_jsonl_file


class JsonlFormat:
    name = "jsonl"
    suffixes = (".jsonl", ".ndjson", ".json")
    directory = False

    def matches(self, path: Path) -> bool:
        return path.is_file()

    def read(self, path: Path, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
        return read_jsonl_file(path)

    def columns(self, path: Path) -> list[str]:
        seen: dict[str, None] = {}
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                if n >= 1000:
                    break
                if line.strip():
                    obj = json.loads(line)
                    if isinstance(obj, dict):
                        seen.update(dict.fromkeys(obj))
        return list(seen)


FORMATS = [JsonlFormat()]
