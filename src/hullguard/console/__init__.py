"""hullguard console: collector API, server-rendered pages, persistence and SIEM forwarding.

Module map (one job each):

- ``app``: ``create_app(settings)`` wires routers, middleware and the forwarder thread.
- ``settings``, ``state``, ``db``, ``migrate`` (+ ``migrations/``), ``models``: configuration,
  per-app state, engines, Alembic revisions and tables.
- ``api/``: the collector (``/api/v1``), guarded by scoped API keys; ``client`` is the stdlib client
  the scanner, the audit and ``policy pull`` use.
- ``ingest`` (write side) and ``queries`` (read side); ``accounts`` (users, sessions, keys, audit log);
  ``policies`` (validated per-function policies); ``security`` (hashing and tokens);
  ``ratelimit``; ``headers`` (CSP and friends); ``charts`` (SVG geometry).
- ``web/``: the pages (Jinja2, autoescaped, no JavaScript).
- ``forwarding/``: Splunk HEC, syslog (RFC 5424 + CEF) and signed webhooks with retry and dead letters.
- ``demo``: ``seed(database_url_or_data_dir)`` fills a console with data hullguard itself produced.

See ``docs/console.md``.
"""
