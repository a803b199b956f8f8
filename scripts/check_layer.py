"""Run the built Lambda layer as each Python runtime would: unpack it, and for every Python version
Lambda runs, start an interpreter of that version for the layer's architecture with only the layer's
``python/`` on its path, inspect a SQL injection, and say what ran.

    .venv/bin/python scripts/check_layer.py dist/hullguard-layer.zip [ARCH]

Checked per version: the firewall blocks the attack; it runs compiled exactly when the layer carries
extensions for that version; the RE2 gate is on exactly when the layer carries google-re2 for it. The
interpreter is this machine's (``python3.X``, pyenv's) or Debian's CPython of that version
(``debian_python.py``), under qemu-user for the other architecture; a version with no interpreter here
is reported as not checked. Exit 1 when a checked runtime does not behave as its layer says.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import compiled_for  # this script's neighbours (python scripts/check_layer.py puts scripts/ on the path)
import debian_python

VERSIONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
ATTACK = {
    "resource": "/items",
    "path": "/items",
    "httpMethod": "GET",
    "headers": {"Host": "abc123.execute-api.eu-west-1.amazonaws.com"},
    "queryStringParameters": {"id": "1' UNION SELECT password FROM users--"},
    "requestContext": {"stage": "prod", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
    "body": None,
    "isBase64Encoded": False,
}
PROBE = """
import json, sys
from hullguard.firewall import Firewall, compiled
firewall = Firewall()
verdict = firewall.inspect(json.loads(sys.argv[1]))
print(json.dumps({"compiled": compiled(), "gate": firewall._gate is not None, "blocked": verdict.blocked,
                  "rules": [f.rule_id for f in verdict.findings], "file": __import__("hullguard").__file__}))
"""
_TAG = re.compile(r"\.cpython-3(\d+)-")


def _versions_with(names: list[str], prefix: str) -> set[str]:
    """The Python versions of the extension files under ``prefix`` in the layer."""
    return {
        f"3.{found.group(1)}" for name in names if name.startswith(prefix) for found in [_TAG.search(name)] if found
    }


def interpreter(version: str, arch: str) -> str | None:
    """An interpreter of ``version`` for ``arch`` on this machine (see the module's help), or None."""
    if arch == platform.machine():
        return compiled_for.interpreter(version)
    try:
        return str(debian_python.launcher(version, arch))
    except RuntimeError:
        return None


def probe(python: str, path: Path) -> dict[str, object] | str:
    """What ``python``, with only ``path`` on its module path, runs when it inspects the attack
    (``PROBE``'s answer), or why it failed to run."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    run = subprocess.run(
        [python, "-s", "-c", PROBE, json.dumps(ATTACK)],
        env=dict(env, PYTHONPATH=str(path)),
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        answer: dict[str, object] = json.loads(run.stdout)
    except ValueError:
        return f"FAILED to run: {run.stderr.strip()[-500:]}"
    return answer


def check(layer: Path, arch: str, versions: tuple[str, ...] | list[str] = VERSIONS) -> int:
    """Run ``layer`` (built for ``arch``) on each of ``versions`` (see the module's help); 1 when a
    checked runtime does not behave as the layer says, else 0."""
    with zipfile.ZipFile(layer) as archive:
        names = archive.namelist()
        compiled = _versions_with(names, "python/hullguard/firewall/inspection.")
        gated = _versions_with(names, "python/re2/_re2.")
        failures = 0
        with tempfile.TemporaryDirectory() as tmp:
            archive.extractall(tmp)
            path = Path(tmp) / "python"
            for version in versions:
                python = interpreter(version, arch)
                if python is None:
                    print(f"Python {version} {arch}: not checked (no interpreter of it here)")
                    continue
                answer = probe(python, path)
                if isinstance(answer, str):
                    print(f"Python {version} {arch}: {answer}")
                    failures += 1
                    continue
                expected = {"compiled": version in compiled, "gate": version in gated, "blocked": True}
                problems = [
                    f"{key} is {answer[key]}, expected {value}"
                    for key, value in expected.items()
                    if answer[key] != value
                ]
                if not str(answer["file"]).startswith(str(path)):
                    problems.append(f"imported hullguard from {answer['file']}, not the layer")
                status = "FAILED: " + "; ".join(problems) if problems else "ok"
                rules = answer["rules"]
                print(
                    f"Python {version} {arch}: {status} (compiled {answer['compiled']}, RE2 gate {answer['gate']}, "
                    f"blocked by {', '.join(rules) if isinstance(rules, list) else rules})"
                )
                failures += bool(problems)
    return 1 if failures else 0


def main(args: list[str]) -> int:
    if len(args) not in (1, 2) or not Path(args[0]).is_file():
        print("usage: check_layer.py LAYER.zip [ARCH]  (ARCH: the layer's, default this machine's)", file=sys.stderr)
        return 2
    try:
        return check(Path(args[0]), args[1] if len(args) == 2 else platform.machine())
    except zipfile.BadZipFile as exc:
        print(f"{args[0]}: not a layer zip ({exc})", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
