"""Decoders: one encoding per module.

Text decoders (``url``, ``html``, ``jsescape``, ``unicode``, ``fold``) turn one string into another
"view" of it, or return None when their marker is absent or nothing changes; the engine applies them
repeatedly (double encoding) within a fixed number of views per string. Structure decoders
(``jsonstr``, ``form``, ``multipart``, ``xml``, ``cookies``) turn a string into named parts the engine
walks like any other part of the event. Byte decoders (``b64``, ``gzip``) are bounded by the
inspection's decoded-size budget. Every decoder is linear in its input and never raises on bad input.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import AnyStr, Generic
else:  # at run time the class needs neither: ``Generic[AnyStr]`` below is then plain ``object``
    AnyStr = str

    class Generic:
        def __class_getitem__(cls, item: object) -> type:
            return object


class LazyPattern(Generic[AnyStr]):
    """A regular expression compiled on first use. Compiling costs 0.05-0.2 ms each, paid at import
    (the function's cold start) for patterns most events never need: decoders run only on strings
    that show their marker."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: AnyStr, flags: int = 0) -> None:
        self._source: AnyStr = source
        self._flags = flags
        self._compiled: re.Pattern[AnyStr] | None = None

    def get(self) -> re.Pattern[AnyStr]:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self._source, self._flags)
        return compiled
