"""Data shipped inside the package (see README.md here): the multi-domain teaching corpus.

A low-level reader, so the detector (lic_cli/detect/corpus.py) and the trainer of the
`intent` task (`lic train intent` adds the corpus's train split) read the same rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lic_cli.records import join_context, previous_exchange

TEACHING = Path(__file__).resolve().parent / "teaching.jsonl"
INTENT_LABELS = ("teach", "correct", "forget", "none")


def teaching_rows(path: Path = TEACHING) -> Iterator[tuple[int, dict]]:
    """(line, row) for every corpus row."""
    from lic_cli.jsonl import read_jsonl_file

    yield from read_jsonl_file(path)


def intent_examples(split: str, path: Path = TEACHING) -> Iterator[tuple[str, str, str]]:
    """(text, joined context, label) for the rows of one split: the same context string the
    detector builds from a transcript (the previous exchange, records.join_context)."""
    for _, row in teaching_rows(path):
        if row.get("split") == split:
            yield row["text"], join_context(previous_exchange(row.get("context") or [])), row["label"]
