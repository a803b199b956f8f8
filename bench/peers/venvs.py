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


def installed_versions(peers: dict[str, tuple[list[str], str, str]]) -> str:
    """" Peers as installed from PyPI for this run: ddtrace 4.16.0, libinjection-python 1.1.6." for the
    results (the peers are installed unpinned, so a later run may compare against a newer release); ""
    when none is installed."""
    found = []
    for packages, _adapter, venv in peers.values():
        interpreter = PEERS / venv / "bin" / "python"
        distribution = packages[0]
        try:
            answer = subprocess.run(
                [str(interpreter), "-c", f"import importlib.metadata as m; print(m.version({distribution!r}))"],
                capture_output=True, text=True, check=True, timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if answer.stdout.strip():
            found.append(f"{distribution} {answer.stdout.strip()}")
    return f" Peers as installed from PyPI for this run: {', '.join(dict.fromkeys(found))}." if found else ""
