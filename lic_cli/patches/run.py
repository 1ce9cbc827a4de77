"""What the apply / revert / log commands do, without click: each yields one JSON
record per patch (or version), and reports to people through `notify` (stderr)."""

from __future__ import annotations

import getpass
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from lic_cli.errors import LicError
from lic_cli.patches import files, render
from lic_cli.patches.apply import ApplyResult, apply_patch, check_patch
from lic_cli.patches.build import build
from lic_cli.patches.fileformat import Patch, utc_now
from lic_cli.patches.revert import inverse
from lic_cli.store import versions
from lic_cli.tasks import Project

Notify = Callable[[str], None]


def default_author() -> str:
    """git's user.name, else the login name: who is applying or approving."""
    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True,
                              timeout=5, check=False).stdout.strip()
    except (FileNotFoundError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


def _result(patch: Patch, path: str | None, res: ApplyResult | None) -> dict[str, Any]:
    return {"patch": path, "task": patch.task, "id": patch.id, "ops": patch.counts(),
            "applied": bool(res and res.applied and not res.dry_run),
            "version": res.version if res and not res.dry_run else None}


def _apply(project: Project, patch: Patch, name: str, path: str | None, author: str,
           dry_run: bool, notify: Notify) -> ApplyResult:
    res = apply_patch(project, patch, name=name, patch_path=path, author=author, dry_run=dry_run)
    if res.external is not None and not dry_run:
        notify(f"{patch.task}: the dataset was edited outside lic; recorded as version {res.external}")
    for msg in res.messages:
        notify(f"{name}: {msg}")
    if res.applied:
        verb = "would apply" if dry_run else f"applied as {patch.task} version {res.version}"
        done = ", ".join(f"{n} {k}" for k, n in res.ops.items() if n)
        notify(f"{name}: {verb} ({done}{f'; {res.skipped} already in effect' if res.skipped else ''})")
    return res


def apply_records(records: Iterable[dict[str, Any]], *, project: Project, author: str,
                  message: str | None, apply: bool, dry_run: bool, approve: bool,
                  notify: Notify, sweep: bool = False) -> Iterator[dict[str, Any]]:
    """Build one patch per task from located records; write it (and apply it with `apply`).

    `sweep`: include the stale-value sweep's proposals (rows locate found still stating a
    corrected value); by default they are held for review like proposed rewrites."""
    now = utc_now()
    built = build(records, project=project, author=author, time=now, message=message, sweep=sweep)
    if built.left_out:
        notify(f"left out {len(built.left_out)} record(s) with errors: {', '.join(built.left_out)}")
    for rid, edit in built.conflicts:
        what = "proposed rewrite" if edit.get("review") else "conflict edit"
        notify(f"{rid}: {what} on task {edit.get('task')} row {edit.get('row')} needs a person; "
               "not in any patch (lic resolve)")
    if built.swept:
        tasks = sorted({str(e.get("task")) for _, e in built.swept})
        notify(f"held {len(built.swept)} swept proposal(s) on {', '.join(tasks)} (rows that still state a corrected "
               "value): include them with 'lic apply --sweep', or decide each with 'lic resolve'")
    if built.folded:
        notify(f"folded {built.folded} edit(s) into earlier edits of the same row")
    if not built.patches:
        notify("no edits to apply")
    if apply and not dry_run:  # every patch checked before any is written or applied: refused input changes nothing
        for patch in built.patches:
            check_patch(project, patch, f"({patch.task} patch from the input)")
        if len(built.patches) > 1:  # several tasks: a conflict in one must not leave the others applied
            for patch in built.patches:
                if approve:
                    patch = patch.approve(author, now)
                if project.task(patch.task).review != "required" or patch.approved_by:
                    apply_patch(project, patch, name=f"({patch.task} patch from the input)", dry_run=True)
    for patch in built.patches:
        task = project.task(patch.task)
        if approve:
            patch = patch.approve(author, now)
        if dry_run:
            render.write_plain(patch, _Notifier(notify))
            res = None
            if task.review != "required" or patch.approved_by:
                res = _apply(project, patch, f"({patch.task} patch)", None, author, True, notify)
            yield _result(patch, None, res)
            continue
        path = same_patch(project, patch)
        if path is not None:
            # Idempotent: the same edits were written before (a re-run of the same records);
            # apply that file, whose ops already in effect are skipped, instead of a copy.
            notify(f"{path} already holds these edits; not written again")
            if approve:
                patch, path = files.approve(project, path, by=author, at=now)
            else:
                patch, _, path = files.load(project, path, check_id=False)
        else:
            full = files.write_new(project, patch, built.slugs[patch.task])
            path = versions.rel(project, full)
            notify(f"wrote {path}")
        res = None
        if apply:
            if task.review == "required" and not patch.approved_by:
                notify(f"{path}: task '{task.name}' requires review; approve and apply it with "
                       f"'lic apply --approve {path}'")
            else:
                res = _apply(project, patch, path, path, author, False, notify)
        yield _result(patch, path, res)


def same_patch(project: Project, patch: Patch) -> str | None:
    """The project-relative path of a patch file of this task with the same operations."""
    folder = files.patch_dir(project, patch.task)
    if not folder.is_dir():
        return None
    for p in sorted(folder.glob(f"*{files.SUFFIX}")):
        try:
            other, _, name = files.load(project, p, check_id=False)
        except LicError:
            continue  # a damaged or hand-edited file is not a copy of this one
        if other.id == patch.id and other.reverts is None:
            return name
    return None


def apply_files(paths: Iterable[str], *, project: Project, author: str, approve: bool, dry_run: bool,
                notify: Notify) -> Iterator[dict[str, Any]]:
    """Apply existing patch files, in the order given."""
    for p in paths:
        if approve and not dry_run:
            patch, name = files.approve(project, p, by=author, at=utc_now())
            notify(f"{name}: approved by {author}")
        else:
            patch, _, name = files.load(project, p)
            if approve:
                patch = patch.approve(author, utc_now())
        if dry_run:
            render.write_plain(patch, _Notifier(notify), name)
        res = _apply(project, patch, name, name, author, dry_run, notify)
        yield _result(patch, name, res)


def revert_files(paths: Iterable[str], *, project: Project, author: str, message: str | None,
                 approve: bool, dry_run: bool, notify: Notify) -> Iterator[dict[str, Any]]:
    """Write and apply the inverse of each patch, as a new version."""
    for p in paths:
        patch, _, name = files.load(project, p)
        now = utc_now()
        inv = inverse(project, patch, name=name, author=author, time=now, message=message)
        if approve:
            inv = inv.approve(author, now)
        if dry_run:
            render.write_plain(inv, _Notifier(notify))
            res = _apply(project, inv, f"(revert of {name})", None, author, True, notify)
            yield _result(inv, None, res)
            continue
        slug = "revert-" + files.slugify(os.path.basename(name).split("-", 1)[-1].removesuffix(files.SUFFIX))
        path = versions.rel(project, files.write_new(project, inv, slug[:48]))
        notify(f"wrote {path}")
        if project.task(inv.task).review == "required" and not inv.approved_by:
            notify(f"{path}: task '{inv.task}' requires review; approve and apply it with "
                   f"'lic apply --approve {path}' (or revert with --approve)")
            yield _result(inv, path, None)
            continue
        yield _result(inv, path, _apply(project, inv, path, path, author, False, notify))


def log_records(project: Project, task_name: str | None) -> Iterator[dict[str, Any]]:
    """Every recorded version of one task (or of all tasks), oldest first."""
    names = [task_name] if task_name else sorted(project.tasks)
    for name in names:
        task = project.task(name)
        with versions.writing(project, task):
            pass  # finish any interrupted apply first, so the log is true
        for v in versions.read_log(project, task):
            yield {"task": name, **v.to_dict()}


class _Notifier:
    """A write()-able that sends whole lines to `notify`."""

    def __init__(self, notify: Notify) -> None:
        self.notify = notify

    def write(self, text: str) -> int:
        self.notify(text.rstrip("\n"))
        return len(text)
