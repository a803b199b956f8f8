"""`hullguard demo`: run every part on the bundled examples, no AWS account needed.

Each step runs the real command in a child process (exactly what a user would type), so the demo shows
real output and one step's failure does not hide the others.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

# (title, arguments to `hullguard`, exit codes that mean "worked": 1 = findings/attacks found)
STEPS: tuple[tuple[str, list[str], tuple[int, ...]], ...] = (
    ("Event firewall: a benign API Gateway event", ["inspect", "examples/events/apigw-benign.json"], (0,)),
    ("Event firewall: attacks hidden in real event shapes", ["inspect", "examples/events"], (1,)),
    ("Posture scanner: the deliberately vulnerable example app", ["scan", "examples/vulnerable"], (1,)),
    ("Posture scanner: its fixed variant", ["scan", "examples/fixed"], (0,)),
    ("Least-privilege IAM: roles generated from the example app's code", ["gen-roles", "examples/vulnerable"], (0,)),
    ("Cloud governance: audit of a seeded 'messy account' (local moto)", ["audit", "demo"], (0, 1)),
    ("Console: seed a local console with the scan and a replay of attacks", ["console", "seed-demo"], (0,)),
)


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo() -> None:
        """Run each part on the bundled examples and show what it finds."""
        root = Path.cwd()
        failed = []
        for title, args, ok_codes in STEPS:
            typer.secho(f"\n━━ {title}\n$ hullguard {' '.join(args)}", bold=True)
            proc = subprocess.run([sys.executable, "-m", "hullguard", *args], cwd=root)
            if proc.returncode not in ok_codes:
                failed.append(title)
                typer.secho(f"   (step exited {proc.returncode})", fg="red", err=True)
        if failed:
            typer.secho(f"\n{len(failed)} demo step(s) did not work: {', '.join(failed)}", fg="red", err=True)
            raise typer.Exit(1)
        typer.secho(
            "\nDone. Start the console with `.venv/bin/hullguard console --data-dir .hullguard/console` and "
            "log in as shown above.",
            bold=True,
        )
