"""The sentence each chat-taught row was taught with: the row's own words.

Extraction turns a teaching turn into a row (a fact triple, a qa pair) and often drops what
tells the row from its siblings ("On Saturdays the clinic is open 9:00 to 13:00" ->
`the clinic — opening time — 9:00 to 13:00`) or cuts the value ("5p per page" -> `5p per`).
The person's sentence still holds both. When `/apply` writes a chat session's staged edits
(chat/staging.py), each added or updated row's teaching sentence is kept beside the project's
patches, in `.lic/taught/<task>.jsonl` (`{"row", "source", "text"}`, one a line, the newest
sentence of a row last; git-ignored state, rebuilt by nothing: a row taught outside chat has none).

`LIC_TAUGHT` (session 12, docs/chat.md) says how retrieval and answers use it:

- `view`: a taught row's whole view (what it is embedded as, what the learned head's keyword
  features and the re-ranker read) is the row followed by its teaching sentence;
- `answer` (the default since session 12): the view, and a taught row answers with the sentence of
  its teaching turn that states the row's value and names what the row is about (`stating`; said at
  once, as a qa row's own sentence answer is);
- `off`: neither (the sentences are still kept).

Kept on dev (docs/chat.md "Session 12"): through the chat pipeline, the combined retriever's rows
stating the taught value first and above the threshold rose on every dev domain measured.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lic_cli.tasks import Project

ENV = "LIC_TAUGHT"
FIELD = "_taught"  # the key a row's fields carry its teaching sentence under (rowindex.row_fields)
MODES = ("off", "view", "answer")


def mode() -> str:
    v = os.environ.get(ENV, "answer").strip().lower()
    if v in ("", "0", "no", "false"):
        return "off"
    return v if v in MODES else "answer"


def path(project: Project, task: str) -> Path:
    return project.state_dir / "taught" / f"{task}.jsonl"


def load(project: Project, task: str) -> dict[str, str]:
    """Row id -> the sentence it was taught with (the newest, when a row was taught again)."""
    p = path(project, task)
    if not p.is_file():
        return {}
    out: dict[str, str] = {}
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a torn line of an older writer: that row has no sentence
        if isinstance(rec, dict) and isinstance(rec.get("row"), str) and isinstance(rec.get("text"), str):
            out[rec["row"]] = rec["text"]
    return out


def digest(project: Project, task: str) -> str:
    """What the index's cache tag reads: the file's size and content hash ('' with no file or off)."""
    import hashlib

    if mode() == "off":
        return ""
    p = path(project, task)
    return hashlib.sha256(p.read_bytes()).hexdigest()[:16] if p.is_file() else ""


def record(project: Project, task: str, rows: Iterable[tuple[str, str | None, str]]) -> int:
    """Append (row id, source turn id, sentence) lines to the task's file, atomically (the whole
    file rewritten through a temporary one). Returns how many were written."""
    new = [{"row": r, "source": s, "text": t.strip()} for r, s, t in rows if r and t and t.strip()]
    if not new:
        return 0
    p = path(project, task)
    p.parent.mkdir(parents=True, exist_ok=True)
    old = p.read_text(encoding="utf-8") if p.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    tmp = p.with_name(f"{p.name}.tmp{os.getpid()}")
    tmp.write_text(old + "".join(json.dumps(n, ensure_ascii=False) + "\n" for n in new), encoding="utf-8")
    os.replace(tmp, p)
    return len(new)


def keep_applied(project: Project, results: Iterable[dict[str, Any]], texts: dict[str, str]) -> int:
    """After /apply: each applied patch's added or updated rows, with the sentence of the turn
    (`texts`: source turn id -> its text) that taught them."""
    from lic_cli.patches import files

    n = 0
    for r in results:
        if not r.get("applied") or not r.get("patch"):
            continue
        patch, _, _ = files.load(project, r["patch"], check_id=False)
        rows = [(op.row, op.source, texts[op.source]) for op in patch.ops
                if op.op in ("add", "update") and op.source in texts and op.row]
        n += record(project, patch.task, rows)
    return n


_SENTENCES = re.compile(r"(?<=[.!?])\s+")


def _stems(text: str) -> set[str]:
    from lic_cli.models.judge import STOP_WORDS, tokens

    return {t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t
            for t in tokens(text) if t not in STOP_WORDS}


def stating(said: str, value: str, key: str) -> str | None:
    """The sentence of a teaching turn that can stand as the row's reply, or None.

    It states the row's value (judged as `lic eval` judges), names what the row is about (a word
    of its key that is not the value's) and is no question. So a turn's other sentences (a
    question asked in the same breath) are not said back, and a correction that names nothing
    ("No, it's 9 now, it changed in May") is no reply on its own: the row's template is."""
    from lic_cli.models.judge import is_correct

    about = _stems(key) - _stems(value)
    for part in _SENTENCES.split(said.strip()):
        part = part.strip()
        if not part or part.endswith("?") or not about & _stems(part):
            continue
        if is_correct(value, part, key):
            return part
    return None


def sentence(fields: dict[str, Any]) -> str | None:
    """A row's teaching sentence, when retrieval reads it (LIC_TAUGHT view or answer)."""
    text = fields.get(FIELD)
    return text if isinstance(text, str) and text and mode() != "off" else None
