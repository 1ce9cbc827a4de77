"""The lazy-import guard: the CLI and every --help stay free of torch, transformers, datasets."""

import json
import subprocess
import sys

from lic_cli.cli import cli

HEAVY = ("torch", "transformers", "datasets", "sentence_transformers")

PROBE = f"""
HEAVY = {HEAVY!r}
import json, sys
from click.testing import CliRunner
from lic_cli.cli import cli
runner = CliRunner()
codes = {{}}
for args in [["--help"]] + [[name, "--help"] for name in cli.commands]:
    codes[" ".join(args)] = runner.invoke(cli, args).exit_code
print(json.dumps({{"codes": codes, "heavy": [m for m in HEAVY if m in sys.modules]}}))
"""


def test_help_never_imports_heavy_modules():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert all(code == 0 for code in result["codes"].values()), result["codes"]


def test_every_stage_command_is_registered_with_help():
    expected = {"chat", "detect", "extract", "route", "locate", "apply", "train"}
    assert expected <= set(cli.commands)
    for name, cmd in cli.commands.items():
        assert cmd.help and "Example" in cmd.help, f"{name} needs help with an example"


def test_cli_reference_is_generated_and_current():
    """docs/cli.md is generated from the click commands (tools/gen_cli_docs.py); a command or
    option added without regenerating it fails here."""
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, str(repo / "tools" / "gen_cli_docs.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    text = (repo / "docs" / "cli.md").read_text(encoding="utf-8")
    assert all(f"## `lic {name}`" in text for name in cli.commands)
