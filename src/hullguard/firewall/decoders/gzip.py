"""gzip/zlib decompression capped at the remaining decoded-size budget (decompression bombs stop
at the cap and are reported; truncated streams yield what was decompressed before the break)."""

from __future__ import annotations

GZIP_MAGIC = b"\x1f\x8b"


def is_compressed(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC or (len(data) > 1 and data[0] == 0x78 and (data[0] * 256 + data[1]) % 31 == 0)


def decompress(data: bytes, limit: int) -> tuple[bytes, str]:
    """Return (output, problem): problem is "" or why the output is partial."""
    import zlib  # on first use: most events carry nothing compressed

    inflater = zlib.decompressobj(47)  # 32 + 15: accept gzip and zlib headers
    try:
        out = inflater.decompress(data, limit)
    except zlib.error as exc:
        return b"", f"corrupt compressed data ({exc})"
    if inflater.unconsumed_tail:
        return out, f"decompressed size over budget ({limit} bytes)"
    if not inflater.eof:
        return out, "truncated compressed data"
    return out, ""
