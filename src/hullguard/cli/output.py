"""Shared CLI helpers: errors go to stderr with exit code 2, untrusted text is escaped before rich
renders it (a template or payload must never drive the terminal)."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2

_CONTROL = {c: None for c in range(32) if c not in (9, 10)} | {127: None}


def clean(text: str) -> str:
    """Strip control characters (ANSI escapes and the like) from text we did not write."""
    return text.translate(_CONTROL)


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Print ``hullguard: error: message`` to stderr and exit with ``code``."""
    sys.stderr.write(f"hullguard: error: {clean(message)}\n")
    raise typer.Exit(code)
