"""Create (once) the private virtualenv of a peer tool under bench/.peers/<name>.

Peers are installed from PyPI into their own environments because their pins conflict with ours, and
because a benchmark must not change the project's environment.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PEERS = Path(__file__).resolve().parent.parent / ".peers"


def ensure_peer(name: str, packages: list[str], python: str = "python3") -> Path:
    """Return the interpreter of the peer's venv, creating and installing it on first use."""
    venv = PEERS / name
    interpreter = venv / "bin" / "python"
    stamp = venv / ".installed"
    if stamp.exists() and stamp.read_text() == " ".join(packages):
        return interpreter
    PEERS.mkdir(parents=True, exist_ok=True)
    print(f"installing peer {name}: {' '.join(packages)}", file=sys.stderr, flush=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(interpreter), "-m", "pip", "install", "-q", *packages], check=True)
    stamp.write_text(" ".join(packages))
    return interpreter
