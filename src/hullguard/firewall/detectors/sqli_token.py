"""The SQL tokenizer's token (``sqli_tokens.py``), in a module of its own.

It stays interpreted in the compiled build (``scripts/compiled_build.py``): the class is built by
``collections.namedtuple`` at run time (no ``typing`` import on the cold-start path) while type checkers,
and mypyc with them, see ``typing.NamedTuple``; a compiled module would trust the second.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # ``typing`` costs ms on the first invocation; type checkers see it here
    from typing import NamedTuple
else:  # the same class, built by collections.namedtuple without importing typing
    from hullguard.events.record import NamedTuple


class Token(NamedTuple):  # a tuple: cheaper to create than a dataclass, on the hot path
    kind: str
    value: str  # lower-cased text (strings: their content)
    start: int  # span in the tokenized text (after the assumed quote prefix, see tokenize)
    end: int
    closed: bool = True  # strings only: the closing quote was present


__all__ = ["Token"]
