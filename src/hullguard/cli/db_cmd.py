"""`hullguard db`: the local OSV vulnerability database the scanner reads offline.

`db update` downloads the PyPI and npm OSV exports (one zip each) into the cache directory;
`db status` says what a database directory holds. `scan --osv-db DIR` reads either.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated

import typer

from hullguard.cli.output import fail

MAX_EXPORT_BYTES = 1024 * 1024 * 1024  # a sanity cap; the exports are a few hundred MB


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the CLI."""
    db = typer.Typer(help="Local OSV vulnerability database for dependency checks.", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command("update")
    def update(
        directory: Annotated[
            Path | None, typer.Option("--dir", help="Where to store the exports (default: user cache).")
        ] = None,
        timeout: Annotated[float, typer.Option("--timeout", help="Seconds per download.")] = 120.0,
        source: Annotated[
            str | None, typer.Option("--source", help="Mirror of the OSV exports (<URL>/<Ecosystem>/all.zip).")
        ] = None,
    ) -> None:
        """Download the PyPI and npm OSV exports (needs network access)."""
        from hullguard.scanner.deps.osv import ECOSYSTEMS, EXPORT_URL, default_location

        if source is not None and not source.startswith(("http://", "https://")):
            fail(f"--source must be an http(s) URL, got {source!r}")
        target = directory or default_location()
        for ecosystem in ECOSYSTEMS:
            folder = target / ecosystem
            folder.mkdir(parents=True, exist_ok=True)
            url = f"{source.rstrip('/')}/{ecosystem}/all.zip" if source else EXPORT_URL.format(ecosystem=ecosystem)
            partial = folder / "all.zip.part"
            sys.stderr.write(f"hullguard: downloading {url}\n")
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response, partial.open("wb") as out:  # noqa: S310
                    size = 0
                    while chunk := response.read(1 << 20):
                        size += len(chunk)
                        if size > MAX_EXPORT_BYTES:
                            fail(f"{url} is larger than {MAX_EXPORT_BYTES} bytes; refusing")
                        out.write(chunk)
            except (urllib.error.URLError, OSError) as exc:
                partial.unlink(missing_ok=True)
                fail(f"cannot download {url}: {exc}")
            partial.replace(folder / "all.zip")
        sys.stdout.write(f"OSV database updated in {target}\n")

    @db.command("status")
    def status(
        osv_db: Annotated[
            Path | None, typer.Option("--osv-db", help="Database directory (default: user cache).")
        ] = None,
    ) -> None:
        """Say how many advisories a database holds."""
        from hullguard.scanner.deps.osv import OsvDatabase

        problems: list[str] = []
        database = OsvDatabase.open(osv_db, problems)
        if database is None or database.count == 0:
            fail("; ".join(problems) or "empty database")
        packages = len(database.records)
        sys.stdout.write(f"{database.count} advisories for {packages} packages\n")
