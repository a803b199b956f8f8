"""Amazon S3: event notifications, S3 Batch Operations, S3 events via EventBridge and S3 Object Lambda.

The object key is the attacker-controlled part (whoever may upload chooses it). Notifications carry
it percent-encoded with ``+`` for space; batch operations schema 1.0 does too; EventBridge and batch
schema 2.0 carry it plain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from hullguard.firewall.decoders import LazyPattern
from hullguard.firewall.triggers import http
from hullguard.firewall.triggers.base import PLAIN, URL, Field, child, first, mapping, records, walk

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

S3 = "s3"
BATCH_OPS = "s3-batch-operations"
EVENTBRIDGE = "s3-eventbridge"
OBJECT_LAMBDA = "s3-object-lambda"


def is_notification(event: Mapping[str, Any]) -> bool:
    return "s3" in first(event.get("Records"))


def identify(event: Mapping[str, Any]) -> str | None:
    if is_notification(event):
        return S3
    if "invocationSchemaVersion" in event and "tasks" in event:
        return BATCH_OPS
    if event.get("source") == "aws.s3" and "detail" in event:
        return EVENTBRIDGE
    if "getObjectContext" in event or ("userRequest" in event and "configuration" in event):
        return OBJECT_LAMBDA
    return None


# How many leading folders of a key are also stripped off to give the name the uploader chose.
MAX_KEY_FOLDERS = 3
# A folder a function would choose: a name, a date, a partition (year=2024), possibly empty (a//b).
_FOLDER = LazyPattern(r"[\w.=-]{0,256}", re.ASCII)


def object_key(location: str, key: Any, hint: int, record: int | None) -> Iterator[Field]:
    """The key, then the key without each of its first ``MAX_KEY_FOLDERS`` folders, at the same location.

    Functions usually fix the folder (``uploads/``, ``uploads/<user>/``) and the uploader chooses the
    rest: ``uploads/& id`` or ``uploads//etc/passwd`` carry a payload that only starts after a slash,
    and rules that judge a whole value (an absolute system path, a command after ``&``) must see it
    from its start. Only folder-like prefixes are stripped (``a / b`` or ``x$/y`` inside a file name
    are not folders). Findings for the same location and family are reported once."""
    yield (location, key, hint, record, "")
    if not isinstance(key, str):
        return
    start = 0
    for _ in range(MAX_KEY_FOLDERS):
        slash = key.find("/", start)
        if slash < 0 or slash + 1 >= len(key) or not _FOLDER.get().fullmatch(key, start, slash):
            return
        yield (location, key[slash + 1 :], hint, record, "")
        start = slash + 1


def fields(event: Mapping[str, Any], trigger: str, prefix: str = "", record: int | None = None) -> Iterator[Field]:
    if trigger == S3:
        for i, item in enumerate(records(event.get("Records"))):
            obj = mapping(mapping(mapping(item).get("s3")).get("object"))
            base = f"{child(prefix, 'Records')}[{i}].s3.object"
            yield from object_key(f"{base}.key", obj.get("key"), URL, i if record is None else record)
    elif trigger == BATCH_OPS:
        encoded = event.get("invocationSchemaVersion") == "1.0"
        for i, task in enumerate(records(event.get("tasks"))):
            key = mapping(task).get("s3Key")
            yield from object_key(f"{child(prefix, 'tasks')}[{i}].s3Key", key, URL if encoded else PLAIN, i)
        yield from walk(child(child(prefix, "job"), "userArguments"), mapping(event.get("job")).get("userArguments"))
    elif trigger == EVENTBRIDGE:
        obj = mapping(mapping(event.get("detail")).get("object"))
        yield from object_key(child(prefix, "detail.object.key"), obj.get("key"), PLAIN, record)
    else:
        user = mapping(event.get("userRequest"))
        base = child(prefix, "userRequest")
        yield (child(base, "url"), user.get("url"), URL, record, "")
        yield from http.pairs(base, "headers", user.get("headers"), None, record, PLAIN, True)
        payload = mapping(event.get("configuration")).get("payload")
        yield (child(prefix, "configuration.payload"), payload, PLAIN, record, "")
