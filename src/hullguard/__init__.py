"""hullguard: security for AWS Lambda serverless applications.

Importing the package root is cheap on purpose (it runs inside every protected function's cold
start): ``protect`` is resolved on first use, and no part is imported until it is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hullguard._version import __version__

if TYPE_CHECKING:
    from hullguard.runtime.protect import protect

__all__ = ["__version__", "protect"]


def __getattr__(name: str) -> Any:
    if name == "protect":
        from hullguard.runtime.protect import protect

        return protect
    raise AttributeError(f"module 'hullguard' has no attribute {name!r}")
