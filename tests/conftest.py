"""Shared fixtures. Nothing here touches the network: models come from installed packages."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def lic_home(tmp_path_factory):
    """Converted models are cached machine-wide; keep tests away from the user's cache
    unless LIC_HOME is set (CI and the Makefile point it at .lic/home to reuse conversions)."""
    if not os.environ.get("LIC_HOME"):
        os.environ["LIC_HOME"] = str(tmp_path_factory.mktemp("lic_home"))
    return Path(os.environ["LIC_HOME"])


@pytest.fixture
def demo_project(tmp_path) -> Path:
    """A private copy of the repository's demo project (tasks.yaml + datasets/)."""
    shutil.copy(REPO / "tasks.yaml", tmp_path / "tasks.yaml")
    shutil.copytree(REPO / "datasets", tmp_path / "datasets")
    return tmp_path
