"""The one place where library errors become exits: one line on stderr, exit code 1."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from lic_cli.errors import LicError


def cli_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LicError as exc:
            if os.environ.get("LIC_DEBUG"):
                import traceback

                traceback.print_exc()
            raise click.ClickException(str(exc)) from None

    return wrapper
