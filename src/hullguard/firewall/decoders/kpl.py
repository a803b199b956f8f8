"""Kinesis Producer Library (KPL) aggregated records: many user records packed into one Kinesis record.

A producer that aggregates sends, as one record's data, the magic bytes F3 89 9A C2, a protocol buffers
``AggregatedRecord`` and a 16-byte MD5 digest of it. The consumer (the KCL, or the deaggregation
library a Lambda function calls) unpacks the user records, so their data is what the function reads:

    AggregatedRecord: 1 partition_key_table (repeated string), 2 explicit_hash_key_table (repeated
                      string), 3 records (repeated Record)
    Record:           1 partition_key_index, 2 explicit_hash_key_index (varints), 3 data (bytes),
                      4 tags (repeated key/value messages)

Only the protocol buffers wire format is needed to read that, so it is read here with the standard
library: one pass over the bytes, each field skipped or taken by its declared length. The digest is
not checked: data a consumer would reject is still worth reading, and a producer controls both.
"""

from __future__ import annotations

MAGIC = b"\xf3\x89\x9a\xc2"
_DIGEST = 16
_VARINT, _FIXED64, _LENGTH, _FIXED32 = 0, 1, 2, 5


def is_aggregated(data: bytes) -> bool:
    return data[:4] == MAGIC and len(data) > len(MAGIC) + _DIGEST


def _varint(data: bytes, i: int, end: int) -> tuple[int, int]:
    """The varint at ``i`` and the position after it; (-1, end) when it runs past ``end`` or 10 bytes."""
    value = shift = 0
    for j in range(i, min(end, i + 10)):
        byte = data[j]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, j + 1
        shift += 7
    return -1, end


def _fields(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    """The length-delimited fields of the message in ``data[start:end]``: (field number, start, end) of
    each one's bytes. Other wire types are skipped; a malformed field ends the message there."""
    out: list[tuple[int, int, int]] = []
    i = start
    while i < end:
        key, i = _varint(data, i, end)
        if key < 0:
            break
        wire = key & 7
        if wire == _VARINT:
            value, i = _varint(data, i, end)
            if value < 0:
                break
        elif wire == _LENGTH:
            size, i = _varint(data, i, end)
            if size < 0 or i + size > end:
                break
            out.append((key >> 3, i, i + size))
            i += size
        elif wire == _FIXED64:
            i += 8
        elif wire == _FIXED32:
            i += 4
        else:  # groups (3, 4) and the unused wire types: not in these messages
            break
    return out


def unpack(data: bytes, max_records: int) -> tuple[list[str], list[bytes]]:
    """The partition keys and the user records' data of an aggregated record (``is_aggregated``), at
    most ``max_records`` of each."""
    keys: list[str] = []
    records: list[bytes] = []
    for number, start, end in _fields(data, len(MAGIC), len(data) - _DIGEST):
        if number in (1, 2) and len(keys) < max_records:
            keys.append(data[start:end].decode("utf-8", "replace"))
        elif number == 3 and len(records) < max_records:
            for inner, inner_start, inner_end in _fields(data, start, end):
                if inner == 3:
                    records.append(data[inner_start:inner_end])
                    break
    return keys, records
