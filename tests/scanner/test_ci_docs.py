"""The CI examples in docs/ci are valid YAML and only use options `hullguard scan` has."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from hullguard.cli.main import app

CI = Path(__file__).resolve().parents[2] / "docs" / "ci"


def test_ci_files_parse_and_use_existing_scan_options() -> None:
    help_text = CliRunner().invoke(app, ["scan", "--help"], env={"COLUMNS": "200"}).stdout
    files = sorted(CI.glob("*.y*ml"))
    assert len(files) == 3
    for path in files:
        text = path.read_text()
        assert yaml.safe_load(text) is not None
        for option in set(re.findall(r"hullguard scan [^\n]*", text)):
            for flag in re.findall(r"--[a-z-]+", option):
                assert flag in help_text, f"{path.name}: {flag} is not an option of hullguard scan"
    workflow = yaml.safe_load((CI / "github-actions-hullguard-scan.yml").read_text())
    steps = workflow["jobs"]["scan"]["steps"]
    assert any("upload-sarif" in str(step.get("uses", "")) for step in steps)
