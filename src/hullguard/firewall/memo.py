"""Remembered detector answers for header values, which repeat from one request to the next.

A function's callers send the same few ``User-Agent``, ``Accept``, ``Accept-Language`` and ``Via``
values over and over, and their punctuation (``;``, ``=``, ``(``) reaches several detectors each time:
on a browser request those calls are most of an inspection's cost. Detectors are pure functions of the
text and its context, so their answer for a header value seen before is looked up instead of
recomputed. Only header values' answers are remembered, only short ones, and only a bounded number:
the memo is emptied when full, so an attacker sending ever-new values costs a dictionary insert each,
never memory.

Header values, and short values of query and path parameters, are also remembered whole: after an
inspection that found nothing at all (no finding, no allowed finding, no decoding problem, no budget
cut), each such value it walked is known to be clean at its location - every family's prefilter,
every detector and every decoding of it answered nothing - and the next inspection leaves it out
before the prefilter passes (``Inspection.flat``). Parameters are request data, but their short values
repeat too (``v=2``, ``lang=en``, ``utm_source=google``, a tag manager's ids): in the benchmark's
traffic stream (a real query string per request), about half of the parameter values had been seen at
the same name in an earlier request. The detector answers above still serve events with findings, and
header values seen only in such events.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hullguard.firewall.detectors.base import Detection, ScanContext

MAX_ENTRIES = 2048
MAX_TEXT = 512  # longer values are rarely repeated and would make the memo large
MAX_PARAMETER_TEXT = 128  # parameters' long values (URLs, tracking blobs) are mostly new each time
MAX_CLEAN = 4096  # (location, value) pairs known to be clean: at most about 2.6 MB with the caps above

# (family, text, location, is key, content type, paranoia) -> the detector's answer
Key = tuple[str, str, str, bool, str, int]


def key_of(family: str, text: str, ctx: ScanContext) -> Key:
    """The key of ``family``'s answer for ``text`` in ``ctx`` (whose location is the header's)."""
    return (family, text, ctx.location, ctx.is_key, ctx.content_type, ctx.paranoia)


class DetectorMemo:
    __slots__ = ("_answers", "_clean", "_paranoia", "hits")

    def __init__(self) -> None:
        self._answers: dict[Key, Detection | None] = {}
        self._clean: set[tuple[str, str]] = set()  # (location, value) of header and parameter values found clean
        self._paranoia = -1  # the paranoia level ``_clean`` holds for
        self.hits = 0

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

    def clean_values(self, paranoia: int) -> set[tuple[str, str]]:
        """(location, value) of the header and parameter values known to be clean at ``paranoia``: the
        caller only tests membership."""
        if paranoia != self._paranoia:
            self._clean.clear()  # a value clean at one level may not be at a higher one
            self._paranoia = paranoia
        return self._clean

    def remember_clean(self, values: list[tuple[str, str]]) -> None:
        """Header and parameter values an inspection that found nothing walked (each at most
        ``MAX_TEXT`` or ``MAX_PARAMETER_TEXT`` long)."""
        if len(values) > MAX_CLEAN:
            return  # one event of more values than the memo holds would only push every other one out
        clean = self._clean
        if len(clean) + len(values) > MAX_CLEAN:
            clean.clear()
        clean.update(values)

    def clear(self) -> None:
        self._answers.clear()
        self._clean.clear()


__all__ = ["MAX_CLEAN", "MAX_ENTRIES", "MAX_PARAMETER_TEXT", "MAX_TEXT", "DetectorMemo", "key_of"]
