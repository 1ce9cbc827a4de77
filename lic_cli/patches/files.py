"""Where patch files live: patches/<task>/NNNN-<slug>.patch.jsonl, numbered per task."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from lic_cli.errors import PatchError, ProjectError
from lic_cli.patches.fileformat import Patch, dumps, read_patch
from lic_cli.store import guard
from lic_cli.store.atomic import create_exclusive, write_atomic
from lic_cli.store.versions import rel
from lic_cli.tasks import Project

PATCHES_DIR = "patches"
SUFFIX = ".patch.jsonl"
_NUMBERED = re.compile(r"^(\d{4,})-.*\.patch\.jsonl$")


def slugify(text: str, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for w in words:
        if len(slug) + len(w) + 1 > limit:
            break
        slug = f"{slug}-{w}" if slug else w
    return slug or (words[0][:limit] if words else "patch")


def patch_dir(project: Project, task: str) -> Path:
    return project.path(f"{PATCHES_DIR}/{task}")


def write_new(project: Project, patch: Patch, slug: str) -> Path:
    """Write `patch` under the next free number for its task; never overwrites a file.

    Returns the project-relative path. Concurrent writers each get their own number.
    """
    folder = patch_dir(project, patch.task)
    guard.check_folder(project, project.root / PATCHES_DIR)  # patches/ a folder, inside the project
    guard.check_folder(project, folder)
    folder.mkdir(parents=True, exist_ok=True)
    text = dumps(patch)
    used = [int(m.group(1)) for p in folder.iterdir() if (m := _NUMBERED.match(p.name))]
    number = max(used, default=0) + 1
    while not create_exclusive(folder / f"{number:04d}-{slug}{SUFFIX}", text):
        number += 1
    return folder / f"{number:04d}-{slug}{SUFFIX}"


def resolve(project: Project, path: str | Path) -> tuple[Path, str]:
    """(absolute path, project-relative name) of a patch file inside the project."""
    candidate = Path(path).absolute()
    if not candidate.exists() and not Path(path).is_absolute():
        candidate = project.root / path  # a path relative to the project root
    try:
        full = project.path(candidate)
    except ProjectError:
        raise PatchError(f"{path}: patch files must be inside the project {project.root}") from None
    if not full.is_file():
        raise PatchError(f"{path}: no such patch file")
    return full, rel(project, full)


def load(project: Project, path: str | Path, *, check_id: bool = True) -> tuple[Patch, Path, str]:
    full, name = resolve(project, path)
    return read_patch(full, name, check_id=check_id), full, name


def approve(project: Project, path: str | Path, *, by: str, at: str) -> tuple[Patch, str]:
    """Record an approval in the patch header (rewriting the file atomically).

    Approving re-hashes the operations, so a reviewer may fix a patch by hand first.
    """
    patch, full, name = load(project, path, check_id=False)
    approved = patch.approve(by, at)
    write_atomic(full, dumps(approved))
    return approved, name
