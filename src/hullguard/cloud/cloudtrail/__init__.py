"""CloudTrail analysis: sources (LookupEvents, S3, local directory), a DuckDB store shaped like
Athena's standard CloudTrail table, and detections written once in SQL for both engines."""
