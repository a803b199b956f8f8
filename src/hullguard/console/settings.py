"""Console settings: where the data lives, how cookies are set, the collector's limits.

Explicit argument, then environment (``HULLGUARD_CONSOLE_*``), then default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path(".hullguard") / "console"


def database_url_for(data_dir: Path) -> str:
    """The embedded SQLite database under ``data_dir``."""
    return f"sqlite:///{(data_dir / 'console.db').resolve()}"


def normalise_database_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here, the driver the console extra installs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@dataclass(frozen=True, slots=True)
class Limits:
    """Collector limits; each breach is answered with its own 4xx and a sentence saying why."""

    max_body_bytes: int = 5 * 1024 * 1024  # 413 above this
    max_batch_events: int = 1000  # 422 above this
    max_inventory_functions: int = 10_000
    max_findings: int = 20_000
    rate_per_second: float = 50.0  # requests per API key, token bucket refill (429 above)
    rate_burst: int = 100
    max_policy_bytes: int = 64 * 1024


@dataclass(frozen=True, slots=True)
class ConsoleSettings:
    database_url: str
    secure_cookies: bool = True
    session_hours: int = 12
    limits: Limits = field(default_factory=Limits)
    forward_interval_s: float = 1.0  # how often the SIEM forwarder looks for new events
    run_forwarder: bool = True
    login_max_failures: int = 5  # per user name and per client address, in the window below
    login_window_s: int = 15 * 60

    @classmethod
    def build(
        cls,
        database_url: str | None = None,
        data_dir: Path | None = None,
        secure_cookies: bool | None = None,
        host: str = "127.0.0.1",
        **overrides: object,
    ) -> ConsoleSettings:
        url = database_url or os.environ.get("HULLGUARD_CONSOLE_DATABASE_URL")
        if not url:
            directory = data_dir or Path(os.environ.get("HULLGUARD_CONSOLE_DATA_DIR", str(DEFAULT_DATA_DIR)))
            directory.mkdir(parents=True, exist_ok=True)
            url = database_url_for(directory)
        if secure_cookies is None:
            env = os.environ.get("HULLGUARD_CONSOLE_SECURE_COOKIES")
            # Plain http on loopback is the local default; anything reachable from elsewhere sits
            # behind TLS, so the cookie must never travel in clear there.
            secure_cookies = (
                env.lower() in ("1", "true", "yes") if env else host not in ("127.0.0.1", "localhost", "::1")
            )
        return cls(database_url=normalise_database_url(url), secure_cookies=secure_cookies, **overrides)  # type: ignore[arg-type]
