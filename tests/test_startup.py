"""The lazy-import guard: the CLI and every --help stay free of torch, transformers, datasets."""

import json
import subprocess
import sys

import click

from lic_cli.cli import COMMANDS, all_commands, cli

HEAVY = ("torch", "transformers", "datasets", "sentence_transformers")

PROBE = f"""
HEAVY = {HEAVY!r}
import json, sys
from click.testing import CliRunner
from lic_cli.cli import COMMANDS, cli
runner = CliRunner()
codes = {{}}
for args in [["--help"]] + [[name, "--help"] for name in COMMANDS]:
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
    assert expected <= set(COMMANDS)
    for name, cmd in all_commands().items():
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
    assert all(f"## `lic {name}`" in text for name in COMMANDS)


def test_lazy_summaries_are_the_commands_own():
    """`lic --help` lists each command from cli.COMMANDS without importing it: every summary
    there must be the first paragraph of the command's own help, and every module in
    commands/ must be in the table."""
    import inspect
    from pathlib import Path

    for name, cmd in all_commands().items():
        first = " ".join(inspect.cleandoc(cmd.help or "").split("\n\n")[0].split())
        assert COMMANDS[name][1] == first, f"cli.COMMANDS[{name!r}] is stale: the help now starts {first!r}"
        assert cmd.name == name
    modules = {p.stem for p in (Path(__file__).resolve().parent.parent / "lic_cli" / "commands").glob("*.py")
               if not p.stem.startswith("_")}
    assert modules == {module for module, _ in COMMANDS.values()}


def test_top_level_help_imports_no_command_module():
    probe = ("import sys; from click.testing import CliRunner; from lic_cli.cli import cli; "
             "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output; "
             "print(sorted(m for m in sys.modules if m.startswith('lic_cli.commands.') and m != 'lic_cli.commands._errors'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_command_is_one_clear_line():
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["nosuch"])
    assert result.exit_code == 2
    assert "No such command 'nosuch'" in result.output
    assert isinstance(cli, click.Group)
