"""`hullguard demo` drives the real commands on bundled files: every file it names and every command it
runs must exist, or `make demo` breaks for a newcomer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hullguard.cli.demo_cmd import STEPS
from hullguard.cli.main import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("title", "args", "_codes"), STEPS, ids=[s[0] for s in STEPS])
def test_demo_step_names_existing_files_and_commands(title: str, args: list[str], _codes: tuple[int, ...]) -> None:
    for arg in args:
        if arg.startswith("examples/"):
            assert (ROOT / arg).exists(), f"{title}: {arg} is missing"
    command = [a for a in args if not a.startswith("examples/")]
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0, f"{title}: `hullguard {' '.join(command)} --help` failed: {result.output}"
