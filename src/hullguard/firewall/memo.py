"""Remembered detector answers for header values, which repeat from one request to the next.

A function's callers send the same few ``User-Agent``, ``Accept``, ``Accept-Language`` and ``Via``
values over and over, and their punctuation (``;``, ``=``, ``(``) reaches several detectors each time:
on a browser request those calls are most of an inspection's cost. Detectors are pure functions of the
text and its context, so their answer for a header value seen before is looked up instead of
recomputed. Only header values are remembered (parameters and bodies are request data, rarely
repeated), only short ones, and only a bounded number: the memo is emptied when full, so an attacker
sending ever-new values costs a dictionary insert each, never memory.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hullguard.firewall.detectors.base import Detection

MAX_ENTRIES = 2048
MAX_TEXT = 512  # longer values are rarely repeated and would make the memo large
_HEADER_PREFIXES = ("headers.", "multiValueHeaders.")

# (family, text, location, is key, content type, paranoia) -> the detector's answer
Key = tuple[str, str, str, bool, str, int]


class DetectorMemo:
    __slots__ = ("_answers", "hits")

    def __init__(self) -> None:
        self._answers: dict[Key, Detection | None] = {}
        self.hits = 0

    @staticmethod
    def remembers(location: str, text: str) -> bool:
        return len(text) <= MAX_TEXT and location.startswith(_HEADER_PREFIXES)

    def get(self, key: Key) -> tuple[bool, Detection | None]:
        """(known, answer)."""
        answers = self._answers
        if key in answers:
            self.hits += 1
            return True, answers[key]
        return False, None

    def put(self, key: Key, answer: Detection | None) -> None:
        if len(self._answers) >= MAX_ENTRIES:
            self._answers.clear()
        self._answers[key] = answer

    def clear(self) -> None:
        self._answers.clear()


__all__ = ["MAX_ENTRIES", "MAX_TEXT", "DetectorMemo"]
