"""Load CloudTrail log files into an embedded DuckDB table shaped like Athena's ``cloudtrail_logs``.

A CloudTrail file is one JSON object, ``{"Records": [...]}``, which DuckDB parses slowly as a whole.
So each file is decompressed and its ``Records`` array cut out as bytes (no JSON parsing in Python),
staged in a temporary directory a batch at a time, and read by DuckDB's parallel JSON-array reader
straight into typed columns. A file of another shape is read by ``json_transform`` instead; a file
neither can read is named in ``problems`` and skipped. Duplicates (the same record delivered twice, or
by an organization trail and an account trail) are removed by ``eventid``.
"""

from __future__ import annotations

import gzip
import re
import tempfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from hullguard.cloud.cloudtrail.schema import FILE_STRUCTURE, RECORD_STRUCTURE, RECORD_TYPE, SELECT_RECORD, sql_type
from hullguard.cloud.cloudtrail.sources import read_log_file

TABLE = "cloudtrail_logs"
BATCH_FILES = 24  # files per DuckDB read; two batches are staged on disk at once (a few hundred MB)
MAX_OBJECT = 1 << 30
_HEAD = re.compile(rb'^\s*\{\s*"Records"\s*:\s*\[')
_TAIL = re.compile(rb"\]\s*\}\s*$")
_COLUMNS = "{" + ", ".join(f"{k}: '{sql_type(v)}'" for k, v in RECORD_STRUCTURE.items()) + "}"
# Array rows carry the record's own (camelCase) names; this renames them to the table's columns.
_ARRAY_SELECT = SELECT_RECORD.replace("r.", "")


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _select_arrays(paths: list[Path]) -> str:
    return (
        f"SELECT filename, {_ARRAY_SELECT} FROM read_json({_sql_list(paths)}, format='array', "  # noqa: S608
        f"columns={_COLUMNS}, filename=true, maximum_object_size={MAX_OBJECT})"
    )


def _select_objects(paths: list[Path]) -> str:
    return (
        f"SELECT filename, {SELECT_RECORD} FROM (SELECT filename, "  # noqa: S608 - paths quoted, structure constant
        f"unnest(json_transform(json, '{FILE_STRUCTURE}').Records) AS r FROM "
        f"read_json_objects({_sql_list(paths)}, filename=true, maximum_object_size={MAX_OBJECT}))"
    )


def stage_records_array(source: Path, target: Path) -> bool:
    """Write the ``Records`` array of ``source`` (gzip or plain) to ``target``; False when it is not that shape."""
    try:
        data = source.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        return False
    head = _HEAD.match(data[:256])
    last = data[-256:]
    tail = _TAIL.search(last)
    if head is None or tail is None:
        return False
    start = head.end() - 1  # the "[" opening the array
    end = len(data) - len(last) + tail.start() + 1  # just past its "]"
    if end <= start:
        return False
    target.write_bytes(data[start:end])
    return True


@dataclass
class TrailStore:
    """A DuckDB connection holding the deduplicated ``cloudtrail_logs`` table."""

    connection: duckdb.DuckDBPyConnection = field(default_factory=duckdb.connect)
    problems: list[str] = field(default_factory=list)
    files: int = 0

    def load(self, paths: list[Path]) -> int:
        """Load log files (replacing what was loaded before); returns the number of distinct records."""
        self._create_empty()
        loaded: set[str] = set()
        batches = [paths[i : i + BATCH_FILES] for i in range(0, len(paths), BATCH_FILES)]
        with tempfile.TemporaryDirectory(prefix="hullguard-ct-") as tmp, ThreadPoolExecutor(max_workers=4) as pool:
            # Stage the next batch while DuckDB reads the current one (both release the GIL).
            pending = self._stage(pool, batches[0], Path(tmp), 0) if batches else None
            for index in range(len(batches)):
                current = pending
                if index + 1 < len(batches):
                    pending = self._stage(pool, batches[index + 1], Path(tmp), (index + 1) * BATCH_FILES)
                assert current is not None
                loaded |= self._insert(batches[index], [f.result() for f in current[1]], current[0])
        self.files += len(loaded)
        self._check_empty(paths, loaded)
        self._deduplicate()
        # Rename instead of copying: at a million records a copy costs as much as the load.
        self.connection.execute("ALTER TABLE raw_logs DROP COLUMN filename")
        self.connection.execute(f"DROP TABLE IF EXISTS {TABLE}")
        self.connection.execute(f"ALTER TABLE raw_logs RENAME TO {TABLE}")
        return self.count()

    @staticmethod
    def _stage(
        pool: ThreadPoolExecutor, batch: list[Path], tmp: Path, offset: int
    ) -> tuple[list[Path], list[Future[bool]]]:
        targets = [tmp / f"{offset + i:08d}.json" for i in range(len(batch))]
        return targets, [pool.submit(stage_records_array, s, t) for s, t in zip(batch, targets, strict=True)]

    def _insert(self, batch: list[Path], ok: list[bool], staged_paths: list[Path]) -> set[str]:
        """Insert one staged batch; returns the original paths that are valid logs."""
        staged = {str(s): p for s, p, good in zip(staged_paths, batch, ok, strict=True) if good}
        others = [p for p, good in zip(batch, ok, strict=True) if not good]
        if staged:
            try:
                self.connection.execute(f"INSERT INTO raw_logs {_select_arrays([Path(s) for s in staged])}")
            except duckdb.Error:
                others.extend(staged.values())  # one bad file: read this batch file by file below
                staged = {}
        if others:
            self._load_one_by_one(others)
        for staged_path in staged_paths:
            staged_path.unlink(missing_ok=True)
        # A staged file had CloudTrail's exact shape, so even an empty one is a valid (empty) log.
        return {str(p) for p in staged.values()} | self._seen_direct(others)

    def _load_one_by_one(self, paths: list[Path]) -> None:
        for path in paths:
            try:
                self.connection.execute(f"INSERT INTO raw_logs {_select_objects([path])}")
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0][:200]
                self.problems.append(f"{path}: skipped, not a readable CloudTrail log file ({first})")

    def _seen_direct(self, paths: list[Path]) -> set[str]:
        if not paths:
            return set()
        names = [str(p) for p in paths]
        rows = self.connection.execute(
            "SELECT DISTINCT filename FROM raw_logs WHERE filename IN (SELECT unnest(?))", [names]
        ).fetchall()
        return {str(r[0]) for r in rows}

    def _deduplicate(self) -> None:
        """Keep the first delivery of each eventid; only the (rare) duplicated ids are sorted."""
        self.connection.execute(
            "DELETE FROM raw_logs WHERE rowid IN ("
            " SELECT rowid FROM ("
            "  SELECT rowid, row_number() OVER (PARTITION BY eventid ORDER BY eventtime, rowid) AS n FROM raw_logs"
            "  WHERE eventid IN (SELECT eventid FROM raw_logs WHERE eventid IS NOT NULL"
            "                    GROUP BY eventid HAVING count(*) > 1)"
            " ) WHERE n > 1)"
        )

    def _check_empty(self, paths: list[Path], loaded: set[str]) -> None:
        """A file that gave no record is either an empty log (fine) or not a CloudTrail file (named)."""
        named = {p.split(":", 1)[0] for p in self.problems}
        for path in paths:
            if str(path) in loaded or str(path) in named:
                continue
            try:
                read_log_file(path.read_bytes())
            except (OSError, ValueError) as exc:
                self.problems.append(f"{path}: skipped, not a CloudTrail log file ({exc})")

    def _create_empty(self) -> None:
        self.connection.execute(
            f"CREATE OR REPLACE TABLE raw_logs AS SELECT NULL::VARCHAR AS filename, {SELECT_RECORD} FROM "  # noqa: S608
            f"(SELECT NULL::{RECORD_TYPE} AS r) WHERE false"
        )

    def count(self) -> int:
        row = self.connection.execute(f"SELECT count(*) FROM {TABLE}").fetchone()  # noqa: S608 - constant
        return int(row[0]) if row else 0

    def query(self, sql: str) -> list[dict[str, Any]]:
        cursor = self.connection.execute(sql)
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def close(self) -> None:
        self.connection.close()
