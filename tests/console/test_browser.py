"""In a real headless Chromium: log in, dashboard numbers, event filters, an XSS payload shown as
text with nothing executed, a policy edit. ``HULLGUARD_SCREENSHOTS=docs/screenshots`` also saves
screenshots of the main pages, filled by the demo seeding."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hullguard.events import Action, Severity
from hullguard.model.finding import Finding

from .conftest import ADMIN_PASSWORD, Console, build_console, make_event
from .live import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
XSS = '<script>window.__pwned=1;alert("xss")</script><img src=x onerror="window.__pwned=2;alert(1)">'


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


pytestmark = [pytest.mark.browser, pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _page(browser: Any) -> Any:
    page = browser.new_page(viewport={"width": 1360, "height": 900})
    page.dialogs: list[str] = []  # type: ignore[misc]

    def on_dialog(dialog: Any) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    # Anything the CSP refuses is logged to the console: it would mean a page relies on inline code.
    page.csp_errors: list[str] = []  # type: ignore[misc]
    page.on("console", lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    return page


def _login(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _seed_attacks(console: Console) -> tuple[str, int, int]:
    now = int(time.time() * 1000)
    events = [make_event(attack="sqli", time_ms=now - 60_000) for _ in range(4)]
    events += [make_event(attack="cmdi", action=Action.ALERTED, function="payments", time_ms=now - 120_000)]
    xss = make_event(
        attack="xss", evidence=XSS, location='body.comment<img src=x onerror="alert(3)">', time_ms=now - 30_000
    )
    events.append(xss)
    assert console.api("/api/v1/events", {"events": [e.to_dict() for e in events]}).status_code == 200
    return xss.uid, 5, 1


def test_console_in_a_real_browser(browser: Any, tmp_path: Path) -> None:
    from hullguard.console.settings import database_url_for

    console = build_console(database_url_for(tmp_path))
    xss_uid, blocked, alerted = _seed_attacks(console)
    with serve(console.app) as base:
        page = _page(browser)
        _login(page, base)
        assert page.text_content("#tile-attacks") == str(blocked + alerted)
        assert page.text_content("#tile-deployed") == "2"  # orders-api and payments, registered by their events
        assert "blocked: 5, alerted: 1" in page.text_content("#chart-outcomes title")

        page.goto(f"{base}/events")
        page.select_option("select[name=attack]", "xss")
        page.click("form.filters button[type=submit]")
        page.wait_for_url("**/events?*attack=xss*")
        assert page.locator("#events tbody tr").count() == 1
        assert page.locator("main img, main script").count() == 0  # the location holds an <img onerror>
        page.click("#events tbody a")
        page.wait_for_url(f"**/events/{xss_uid}")

        assert page.text_content("#payload") == XSS  # shown literally
        assert page.locator("#payload *").count() == 0  # no element was created from it
        assert page.locator("main img, main script").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.dialogs == []  # type: ignore[attr-defined]

        page.goto(f"{base}/config/orders-api")
        page.fill("#policy-text", "mode: sometimes\n")
        page.click("form.policy button[type=submit]")
        assert "is not one of block, alert" in page.text_content("p.error")
        page.fill("#policy-text", "mode: alert\nfail_mode: closed\n")
        page.click("form.policy button[type=submit]")
        page.wait_for_url("**/config/orders-api?saved=1")
        assert "Version 1" in page.text_content("main")
        assert page.dialogs == []  # type: ignore[attr-defined]
        assert page.csp_errors == []  # type: ignore[attr-defined]
        page.close()
    assert (
        console.client.get(
            "/api/v1/functions/orders-api/policy", headers={"Authorization": f"Bearer {console.key}"}
        ).json()["policy"]
        == "mode: alert\nfail_mode: closed\n"
    )
    console.state.engine.dispose()


SCREENSHOTS = os.environ.get("HULLGUARD_SCREENSHOTS", "")


@pytest.mark.skipif(not SCREENSHOTS, reason="set HULLGUARD_SCREENSHOTS=docs/screenshots to refresh the screenshots")
def test_screenshots_of_the_main_pages(browser: Any, tmp_path: Path) -> None:
    from hullguard.console.demo import seed
    from hullguard.console.settings import database_url_for

    summary = seed(tmp_path)
    console = build_console(database_url_for(tmp_path))
    if summary.findings == 0:  # the scanner found nothing to seed here
        _upload_sample_posture(console)
    out = Path(SCREENSHOTS)
    out.mkdir(parents=True, exist_ok=True)
    with serve(console.app) as base:
        page = _page(browser)
        _login(page, base)
        shots = {
            "dashboard": "/",
            "events": "/events",
            "posture": "/posture",
            "configuration": "/config/orders-api",
            "integrations": "/admin/integrations",
        }
        for name, path in shots.items():
            page.goto(base + path)
            # Long tables (hundreds of findings) would make a page-long image; the first screen says enough.
            page.screenshot(path=str(out / f"{name}.png"), full_page=name in ("dashboard", "events"))
        page.goto(f"{base}/events?attack=xss")
        page.click("#events tbody a")
        page.screenshot(path=str(out / "event-detail-xss.png"), full_page=True)
        assert page.dialogs == []  # type: ignore[attr-defined]
        page.close()
    assert summary.events > 0
    console.state.engine.dispose()
    shutil.rmtree(tmp_path, ignore_errors=True)


def _upload_sample_posture(console: Console) -> None:
    """When the scanner found nothing to seed, show the posture page with a small hand-made scan."""
    findings = [
        Finding(
            rule_id="HG-IAM-001",
            title="Wildcard IAM action",
            severity=Severity.HIGH,
            risk="over-privileged",
            message="Role of Orders allows dynamodb:*",
            file="template.yaml",
            line=41,
            function="Orders",
            application="screenshot-sample",
            remediation="List the actions the function calls.",
        ).to_dict(),
        Finding(
            rule_id="HG-SEC-002",
            title="Secret in environment",
            severity=Severity.CRITICAL,
            risk="insecure-secrets",
            message="DB_PASSWORD is a plain-text environment variable",
            file="template.yaml",
            line=18,
            function="Payments",
            application="screenshot-sample",
        ).to_dict(),
        Finding(
            rule_id="HG-LOG-001",
            title="No log retention",
            severity=Severity.LOW,
            risk="inadequate-logging",
            message="Log group never expires",
            file="template.yaml",
            line=77,
            application="screenshot-sample",
        ).to_dict(),
    ]
    console.api("/api/v1/posture", {"application": "screenshot-sample", "source": "scan", "findings": findings * 2})
    console.api("/api/v1/posture", {"application": "screenshot-sample", "source": "scan", "findings": findings})
