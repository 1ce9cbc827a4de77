"""Shared pieces of the fuzz and fault suite (tests/test_fuzz_*.py, issue 19).

Every case drives a real `lic` command (in-process through CliRunner where the OS need
not take part, a subprocess where it must: closed descriptors, /dev/full, kills) and
checks the same promises: no traceback, no internal error, no hang; bad input exits 1
with one line naming the file (and line and field where there is one); and the
datasets, version logs and model registry are byte for byte what they were.

With LIC_FUZZ_REPORT=FILE each case appends {"class", "case", "ok"} to FILE, which
tools/fuzz_report.py adds up per failure class.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from test_apply_project import QA_ROWS, dump_rows, edit, make_project, turn  # noqa: F401 (re-exported)

from lic_cli.cli import cli

T = "2026-01-02T03:04:05Z"
REPO = Path(__file__).resolve().parent.parent
# For `python -m lic_cli` subprocesses: this checkout's lic_cli, unless PYTHONPATH names another
# (tools/fuzz_report.py --baseline); PYTHONSAFEPATH keeps the working folder off sys.path.
SUBPROCESS_ENV = {"PYTHONPATH": os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(REPO)) if p),
                  "PYTHONSAFEPATH": "1"}
INTERNAL = "internal error"


def record(cls: str, case: str, ok: bool) -> None:
    path = os.environ.get("LIC_FUZZ_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"class": cls, "case": case, "ok": ok}) + "\n")


def invoke(args: list[str], *, input: Any = None, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, args, input=input, env=env, catch_exceptions=True)


def problems(res: Result) -> list[str]:
    """What is wrong with how a command ended, whatever its input: tracebacks, internal errors."""
    out = []
    if res.exit_code not in (0, 1, 2):
        out.append(f"exit code {res.exit_code}")
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        out.append(f"uncaught {type(res.exception).__name__}: {str(res.exception)[:200]}")
    if "Traceback" in res.output:
        out.append("a traceback in the output")
    if INTERNAL in res.stderr:
        out.append(res.stderr.strip()[:300])
    return out


def refused(res: Result, *names: str) -> list[str]:
    """problems(), plus: exit 1, one 'Error:' line, naming each of `names`."""
    out = problems(res)
    if res.exit_code != 1:
        out.append(f"exit code {res.exit_code}, expected 1 (stderr: {res.stderr.strip()[:200]!r})")
    err = res.stderr.strip().splitlines()
    errors = [line for line in err if line.startswith("Error:")]
    if len(errors) != 1:
        out.append(f"expected one Error: line, got {err[-3:]!r}")
    for n in names:
        if n not in res.stderr:
            out.append(f"{n!r} not in {res.stderr.strip()[:300]!r}")
    return out


def guarded(root: Path) -> dict[str, str]:
    """Hashes of what refused input must never change: datasets, version logs, the registry."""
    out = {}
    for sub in ("datasets", "versions", "models"):
        base = root / sub
        if base.is_dir() and not base.is_symlink():
            for p in sorted(base.rglob("*")):
                if p.is_file() and (sub != "models" or p.name == "registry.jsonl"):
                    out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def new_project(root: Path):
    return make_project(root)


def valid_patch(project, *, task: str = "support_qa") -> Path:
    """A valid patch file for the project (an update, an add and a delete on support_qa)."""
    from lic_cli.patches import files
    from lic_cli.patches.build import build

    recs = [turn("c1", 1, edit("update", QA_ROWS[0], {"answer": "30 days."})),
            turn("c1", 2, edit("add", None, {"question": "New?", "answer": "Yes."})),
            turn("c1", 3, edit("delete", QA_ROWS[2]))]
    (patch,) = build(recs, project=project, author="ann", time=T).patches
    return files.write_new(project, patch, "valid")


def patch_lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def rehash(lines: list) -> None:
    """A mutated patch with an id matching its ops, so validation goes past the id check."""
    head = lines[0]
    if isinstance(head, dict) and isinstance(head.get("task"), str):
        blob = json.dumps({"task": head["task"], "ops": lines[1:]}, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))
        head["id"] = hashlib.sha256(blob.encode()).hexdigest()[:16]


def write_lines(path: Path, lines: list, *, fix: bool = True) -> Path:
    if fix:
        rehash(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    return path


def version_line(version: int, digest: str, rows: int = 4) -> dict:
    return {"version": version, "hash": digest, "rows": rows, "patch": None, "patch_id": None, "author": "",
            "time": T, "ops": {}, "message": "initial dataset"}
