"""Load CloudTrail log files into an embedded DuckDB table shaped like Athena's ``cloudtrail_logs``.

All files are read by DuckDB's own JSON reader in one statement (fast: no Python per record); when one
file is malformed, files are read one by one so the bad ones are named and skipped. Duplicates (the
same record delivered twice, or by an organization trail and an account trail) are removed by ``eventid``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from hullguard.cloud.cloudtrail.schema import FILE_STRUCTURE, RECORD_TYPE, SELECT_RECORD
from hullguard.cloud.cloudtrail.sources import read_log_file

TABLE = "cloudtrail_logs"


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _select(paths: list[Path]) -> str:
    # read_json_objects + one json_transform per file parses each file once; DuckDB's typed read_json is
    # several times slower on CloudTrail's one-big-object files.
    return (
        f"SELECT filename, {SELECT_RECORD} FROM (SELECT filename, "  # noqa: S608 - paths quoted, structure constant
        f"unnest(json_transform(json, '{FILE_STRUCTURE}').Records) AS r FROM "
        f"read_json_objects({_sql_list(paths)}, filename=true, maximum_object_size=1073741824))"
    )


@dataclass
class TrailStore:
    """A DuckDB connection holding the deduplicated ``cloudtrail_logs`` table."""

    connection: duckdb.DuckDBPyConnection = field(default_factory=duckdb.connect)
    problems: list[str] = field(default_factory=list)
    files: int = 0

    def load(self, paths: list[Path]) -> int:
        """Load log files; returns the number of distinct records now in the table."""
        good = self._load_all(paths)
        self.files += good
        self._check_empty(paths)
        self.connection.execute(
            f"CREATE OR REPLACE TABLE {TABLE} AS SELECT * EXCLUDE (filename) FROM raw_logs "  # noqa: S608 - constant
            "QUALIFY row_number() OVER (PARTITION BY eventid ORDER BY eventtime) = 1"
        )
        self.connection.execute("DROP TABLE raw_logs")
        return self.count()

    def _check_empty(self, paths: list[Path]) -> None:
        """A file that gave no record is either an empty log (fine) or not a CloudTrail file (named)."""
        seen = {str(row[0]) for row in self.connection.execute("SELECT DISTINCT filename FROM raw_logs").fetchall()}
        named = {p.split(":", 1)[0] for p in self.problems}
        for path in paths:
            if str(path) in seen or str(path) in named:
                continue
            try:
                read_log_file(path.read_bytes())
            except (OSError, ValueError) as exc:
                self.problems.append(f"{path}: skipped, not a CloudTrail log file ({exc})")

    def _load_all(self, paths: list[Path]) -> int:
        if not paths:
            self._create_empty()
            return 0
        try:
            self.connection.execute(f"CREATE OR REPLACE TABLE raw_logs AS {_select(paths)}")
            return len(paths)
        except duckdb.Error:
            pass  # at least one bad file: find it below
        self._create_empty()
        good = 0
        for path in paths:
            try:
                self.connection.execute(f"INSERT INTO raw_logs {_select([path])}")
                good += 1
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0][:200]
                self.problems.append(f"{path}: skipped, not a readable CloudTrail log file ({first})")
        return good

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
