"""hullguard: security for AWS Lambda serverless applications.

Importing the package root is cheap on purpose (it runs inside every protected function's cold
start): ``protect`` is resolved on first use, and no part is imported until it is asked for. Not even
``typing``: importing it costs about 3 ms, so the type-only import below hides behind a local
``TYPE_CHECKING`` constant that type checkers treat like ``typing.TYPE_CHECKING``.
"""

from __future__ import annotations

from hullguard._version import __version__

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hullguard.runtime.protect import protect

__all__ = ["__version__", "protect"]


def __getattr__(name: str) -> object:
    if name == "protect":
        from hullguard.runtime.protect import protect

        return protect
    raise AttributeError(f"module 'hullguard' has no attribute {name!r}")
