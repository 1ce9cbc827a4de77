"""The small patch / store / apply project (its helpers live in conftest.py)."""

from __future__ import annotations

from conftest import (  # noqa: F401 (re-exported for modules that still import them from here)
    FACT_ROWS,
    INTENT_ROWS,
    QA_ROWS,
    TASKS_YAML,
    dump_rows,
    edit,
    make_project,
    read_rows,
    turn,
)


def test_fixture_project_loads(tmp_path):
    from lic_cli.store.versions import current_version

    project = make_project(tmp_path)
    assert sorted(project.tasks) == ["facts", "intent", "support_qa"]
    for task in project.tasks.values():
        number, digest = current_version(project, task)
        assert number == 0 and digest.startswith("sha256:")
