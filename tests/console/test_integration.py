"""The other parts' real clients against a served console: the runtime's event forwarder,
`hullguard scan --upload` and `hullguard policy pull`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hullguard.console.models import DeployedFunction, Scan, StoredEvent
from hullguard.console.policies import save_policy
from hullguard.console.settings import database_url_for

from .conftest import build_console, make_event
from .live import serve

HULLGUARD = str(Path(sys.executable).with_name("hullguard"))
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vulnerable"


def test_runtime_forwarder_delivers_to_the_collector(tmp_path: Path) -> None:
    forwarder_module = pytest.importorskip("hullguard.runtime.forwarder")
    console = build_console(database_url_for(tmp_path))
    events = [make_event(), make_event(attack="cmdi")]
    with serve(console.app) as base:
        forwarder = forwarder_module.Forwarder(base, console.key)
        for event in events:
            forwarder.enqueue(event.to_dict())
        assert forwarder.flush(10_000), forwarder.last_error
    with console.state.sessions() as session:
        assert set(session.scalars(select(StoredEvent.uid))) == {e.uid for e in events}
    console.state.engine.dispose()


@pytest.mark.skipif(not EXAMPLE.is_dir(), reason="examples/vulnerable is not in this checkout")
def test_scan_upload_and_policy_pull(tmp_path: Path) -> None:
    pytest.importorskip("hullguard.scanner.scan")
    console = build_console(database_url_for(tmp_path))
    with console.state.transaction() as session:
        save_policy(session, "orders-api", "mode: alert\n", "test")
    with serve(console.app) as base:
        scan = subprocess.run(
            [HULLGUARD, "scan", str(EXAMPLE), "--upload", base, "--api-key", console.key],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert scan.returncode in (0, 1), scan.stderr  # 1 = findings, which this example has
        assert "uploaded" in scan.stderr
        out = tmp_path / "hullguard.yml"
        pull = subprocess.run(
            [HULLGUARD, "policy", "pull", "orders-api", "--console", base, "--api-key", console.key, "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert pull.returncode == 0, pull.stderr
        assert out.read_text() == "mode: alert\n"
    with console.state.sessions() as session:
        assert (session.scalar(select(func.count()).select_from(Scan)) or 0) >= 1
        assert (session.scalar(select(func.count()).select_from(DeployedFunction)) or 0) >= 1
    console.state.engine.dispose()
