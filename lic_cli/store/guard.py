"""lic's own state checked before it is trusted or written: one clear error, never followed.

The state lic writes lives in the project (versions/, patches/, models/, the git-ignored
.lic/ with its locks, journal and key index) or under $LIC_HOME. Before a writer touches
any of it, `check_state` makes sure each path is what lic left there: a folder where a
folder belongs and a file where a file belongs, and no symlink (a committed `.lic` or
`models` link, say) that leads out of the project or $LIC_HOME. The version log, the
journal and the model registry are checked line by line when read (`check_version`,
`check_journal`, `check_registry_entry`); a damaged one is reported with how to repair
it, and nothing is done on its word.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lic_cli.errors import InputError, StateError

if TYPE_CHECKING:
    from lic_cli.tasks import Project, Task

HASH = re.compile(r"^sha256:[0-9a-f]{64}$")
_PATCH_ID = re.compile(r"^[0-9a-f]{16}$")
STATE = ".lic"
FOLDERS = ("versions", "patches", "models")


def allowed_roots(project: Project) -> list[Path]:
    """Where lic may write: the project, and $LIC_HOME when it is set."""
    roots = [project.root.resolve()]
    home = os.environ.get("LIC_HOME")
    if home:
        roots.append(Path(home).resolve())
    return roots


def _within(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def _rel(project: Project, path: Path) -> str:
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return str(path)


def check_folder(project: Project, path: Path) -> Path:
    """`path` (absolute, under the project root) is a folder lic may write into, or absent."""
    label = _rel(project, path)
    # Every link on the way counts: `.lic -> /elsewhere` makes `.lic/locks` elsewhere too.
    real = path.resolve()
    if not _within(real, allowed_roots(project)):
        raise StateError(f"{label} leads outside the project ({real}); lic writes only inside the project "
                         "and $LIC_HOME: replace the link with a folder")
    if os.path.lexists(path) and not path.is_dir():
        raise StateError(f"{label} is a file where lic keeps a folder; move it away (lic creates the folder)")
    return path


def check_file(project: Project, path: Path) -> Path:
    """`path` is a regular file, or absent (never a folder, nor a link out of the project)."""
    label = _rel(project, path)
    check_folder(project, path.parent)
    if path.is_dir():
        raise StateError(f"{label} is a folder where lic keeps a file; remove it (lic recreates it)")
    if path.is_symlink() and not _within(path.resolve(), allowed_roots(project)):
        raise StateError(f"{label} is a link out of the project ({path.resolve()}); remove it")
    return path


def check_state(project: Project, task: Task | None = None) -> None:
    """Everything a writer of `task` (or of any task) may touch, before it touches any of it."""
    root = project.root
    state = check_folder(project, root / STATE)
    for sub in ("locks", "journal", "index"):
        check_folder(project, state / sub)
    for name in FOLDERS:
        check_folder(project, root / name)
    if task is not None:
        check_file(project, state / "locks" / f"{task.name}.lock")
        check_file(project, state / "journal" / f"{task.name}.json")
        check_file(project, root / "versions" / f"{task.name}.jsonl")
        check_folder(project, root / "patches" / task.name)


def check_replaceable(project: Project, task: Task) -> None:
    """What a commit replaces, checked before the journal is written and the dataset renamed:
    a read-only or immutable log, journal or index found only after the rename would split
    the dataset from its log. (Not in check_state: reading the log needs none of this.)"""
    root, state = project.root, project.root / STATE
    dataset = project.dataset_path(task)
    targets = [dataset, dataset.parent, root / "versions" / f"{task.name}.jsonl", root / "versions",
               state / "journal", state / "journal" / f"{task.name}.json", state / "index"]
    if (state / "index").is_dir():
        targets += sorted((state / "index").glob(f"{task.name}.*"))
    for p in targets:
        check_writable(project, p)


def check_writable(project: Project, path: Path) -> None:
    """An existing file or folder lic will replace or write into can be written (not
    read-only, not immutable, not on a read-only file system)."""
    if os.path.lexists(path) and not os.access(path, os.W_OK):
        kind = "folder" if path.is_dir() else "file"
        raise StateError(f"{_rel(project, path)}: this {kind} is read-only (or immutable: lsattr); lic writes it "
                         "when it applies a patch. Make it writable, then try again; nothing was changed")


def check_models(project: Project, path: Path | None = None) -> None:
    """models/ (and a model folder under it) stay inside the project or $LIC_HOME."""
    check_folder(project, project.root / "models")
    if path is not None:
        check_folder(project, path)


# --- logs -------------------------------------------------------------------------------

_VERSION_TYPES: dict[str, tuple[type, ...]] = {
    "version": (int,), "hash": (str,), "rows": (int,), "patch": (str, type(None)),
    "patch_id": (str, type(None)), "author": (str,), "time": (str,), "ops": (dict,), "message": (str,),
}


def version_problem(obj: Any) -> tuple[str, str] | None:
    """(reason, field) for a version-log entry lic cannot trust, else None."""
    if not isinstance(obj, dict):
        return (f"expected an object, got {type(obj).__name__}", "")
    for key, types in _VERSION_TYPES.items():
        if key not in obj:
            return ("missing field", key)
        val = obj[key]
        if not isinstance(val, types) or (int in types and isinstance(val, bool)):
            return (f"expected {types[0].__name__}, got {type(val).__name__}", key)
    for key in obj:
        if key not in _VERSION_TYPES:
            return ("unknown field", key)
    if obj["version"] < 0:
        return ("expected a version number >= 0", "version")
    if not HASH.match(obj["hash"]):
        return ("expected 'sha256:' and 64 hex digits", "hash")
    if obj["rows"] < 0:
        return ("expected a row count >= 0", "rows")
    if obj["patch_id"] is not None and not _PATCH_ID.match(obj["patch_id"]):
        return ("expected 16 hex digits", "patch_id")
    if obj["patch"] is not None and (obj["patch"].startswith("/") or ".." in obj["patch"].split("/")):
        return ("expected a project-relative patch path", "patch")
    for k, n in obj["ops"].items():
        if k not in ("add", "update", "delete") or not isinstance(n, int) or isinstance(n, bool) or n < 0:
            return ("expected counts of add, update and delete", f"ops.{k}")
    return None


def log_repair(name: str) -> str:
    return (f"the version log is damaged: restore it from git (git checkout -- {name}), "
            f"or fix that line by hand, then run 'lic log'")


def check_version(obj: Any, name: str, line: int) -> None:
    bad = version_problem(obj)
    if bad is not None:
        raise InputError(f"{bad[0]}; {log_repair(name)}", source=name, line=line, field=bad[1] or None)


def _damaged(path: str, task: Task, why: str) -> StateError:
    return StateError(f"{path}: damaged journal of an interrupted apply ({why}); nothing was changed. "
                      f"Check {task.dataset} against versions/{task.name}.jsonl ('lic log {task.name}'), "
                      "then delete the journal")


def check_journal(obj: Any, path: str, task: Task) -> list[dict[str, Any]]:
    """The entries of an interrupted apply's journal, checked for the shape lic writes.

    A journal lic did not write (a missing new_hash, a garbage hash, another task's)
    raises StateError with how to repair it; nothing in it is followed. Before its
    entries are followed (a roll forward), `check_journal_follows` checks them against
    the version log too.
    """
    def damaged(why: str) -> StateError:
        return _damaged(path, task, why)

    if not isinstance(obj, dict):
        raise damaged("not an object")
    for key in ("task", "old_hash", "new_hash", "entries"):
        if key not in obj:
            raise damaged(f"no '{key}'")
    if obj["task"] != task.name:
        raise damaged(f"it is for task {obj['task']!r}")
    for key in ("old_hash", "new_hash"):
        if not isinstance(obj[key], str) or not HASH.match(obj[key]):
            raise damaged(f"'{key}' is not a sha256 hash")
    entries = obj["entries"]
    if not isinstance(entries, list) or not entries or len(entries) > 2:
        raise damaged("'entries' is not a list of one or two versions")
    for i, e in enumerate(entries):
        bad = version_problem(e)
        if bad is not None:
            raise damaged(f"entries[{i}].{bad[1]}: {bad[0]}")
    numbers = [e["version"] for e in entries]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise damaged("its versions are not consecutive")
    return entries


def check_journal_follows(entries: list[Any], new_hash: str, path: str, task: Task, log: list[Any]) -> None:
    """Entries about to be appended to the log (or trusted for the current version number)
    must end at the dataset they describe and continue the log: never dated ahead of it,
    never rewriting a version it has."""
    if entries[-1].hash != new_hash:
        raise _damaged(path, task, "its last version is not the new dataset")
    head = log[-1].version if log else -1
    if entries[0].version > head + 1:
        raise _damaged(path, task, f"it records version {entries[0].version} but the log ends at {head}")
    for e in entries:
        if e.version <= head and log[e.version].hash != e.hash:
            raise _damaged(path, task, f"its version {e.version} differs from the log's")


_REGISTRY_STR = ("task", "path", "dataset_hash")


def check_registry_entry(project: Project, entry: Any, name: str, line: int) -> None:
    """A model registry line lic can follow: its task, a folder under models/ and a dataset hash."""
    def fail(reason: str, fld: str) -> InputError:
        return InputError(f"{reason}; the model registry is damaged: restore {name} from git or delete that "
                          "line (the model is then trained again)", source=name, line=line, field=fld)

    for key in _REGISTRY_STR:
        if not isinstance(entry.get(key), str):
            raise fail("missing or not a string", key)
    if not entry["dataset_hash"].startswith("sha256:"):
        raise fail("expected a 'sha256:' content hash", "dataset_hash")
    p = entry["path"]
    if p.startswith("/") or ".." in p.replace("\\", "/").split("/") or not p.startswith("models/"):
        raise fail("expected a folder under models/", "path")
    v = entry.get("dataset_version")
    if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 0):
        raise fail("expected a version number >= 0", "dataset_version")
    for key in ("metrics", "params"):
        if key in entry and entry[key] is not None and not isinstance(entry[key], dict):
            raise fail("expected an object", key)
