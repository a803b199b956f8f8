"""Pages: login, sessions, CSRF, roles, throttling, audit log, headers, what the dashboard counts."""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from hullguard.console.models import AuditEntry, Policy
from hullguard.events import Action

from .conftest import ADMIN_PASSWORD, Console, make_event


def test_pages_need_a_session(sqlite_console: Console) -> None:
    for path in ("/", "/events", "/posture", "/config", "/admin/users"):
        response = sqlite_console.client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_login_sets_a_hardened_cookie_and_logout_ends_the_session(sqlite_console: Console) -> None:
    answer = sqlite_console.login()
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "hg_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert sqlite_console.client.get("/").status_code == 200
    token = sqlite_console.csrf()
    assert sqlite_console.client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert sqlite_console.client.get("/", follow_redirects=False).status_code == 303


def test_login_form_needs_its_csrf_token_and_next_cannot_leave_the_site(sqlite_console: Console) -> None:
    sqlite_console.client.get("/login")
    forged = sqlite_console.client.post(
        "/login", data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 403
    page = sqlite_console.client.get("/login?next=//evil.example/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None and 'value="/"' in page.text
    answer = sqlite_console.client.post(
        "/login",
        data={"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token.group(1), "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_failed_logins_are_throttled_and_audited(sqlite_console: Console) -> None:
    for _ in range(5):
        assert sqlite_console.login(password="wrong password!!").status_code == 401
    blocked = sqlite_console.login()  # even the right password waits now
    assert blocked.status_code == 429 and "Too many failed logins" in blocked.text
    with sqlite_console.state.sessions() as session:
        actions = [a.action for a in session.scalars(select(AuditEntry))]
    assert actions.count("login-failed") == 5


def test_state_changing_forms_need_the_session_csrf_token(sqlite_console: Console) -> None:
    sqlite_console.login()
    refused = sqlite_console.client.post("/config/orders-api", data={"policy": "mode: alert\n", "csrf_token": "x"})
    assert refused.status_code == 403 and "CSRF" in refused.text
    with sqlite_console.state.sessions() as session:
        assert session.scalars(select(Policy)).first() is None


def test_viewer_reads_but_cannot_administer(sqlite_console: Console) -> None:
    from .conftest import VIEWER_PASSWORD

    assert sqlite_console.login("viewer", VIEWER_PASSWORD).status_code == 303
    assert sqlite_console.client.get("/events").status_code == 200
    assert sqlite_console.client.get("/admin/users").status_code == 403
    token = sqlite_console.csrf()
    assert (
        sqlite_console.client.post(
            "/config/orders-api", data={"policy": "mode: alert\n", "csrf_token": token}
        ).status_code
        == 403
    )
    assert "<textarea" not in sqlite_console.client.get("/config/orders-api").text


def test_policy_edit_validates_versions_downloads_and_is_audited(sqlite_console: Console) -> None:
    sqlite_console.login()
    token = sqlite_console.csrf("/config/orders-api")
    bad = sqlite_console.client.post("/config/orders-api", data={"policy": "mode: sometimes\n", "csrf_token": token})
    assert bad.status_code == 422 and "is not one of block, alert" in bad.text
    typo = sqlite_console.client.post("/config/orders-api", data={"policy": "mdoe: block\n", "csrf_token": token})
    assert typo.status_code == 422 and "unknown key" in typo.text
    good = sqlite_console.client.post(
        "/config/orders-api",
        data={"policy": "mode: alert\nfail_mode: closed\n", "csrf_token": token},
        follow_redirects=False,
    )
    assert good.status_code == 303
    download = sqlite_console.client.get("/config/orders-api/policy.yaml")
    assert download.text == "mode: alert\nfail_mode: closed\n"
    assert "attachment" in download.headers["content-disposition"]
    with sqlite_console.state.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "policy-edit")).one()
        assert (entry.actor, entry.target, entry.detail) == ("admin", "orders-api", "version 1")


def test_security_headers_on_pages_and_api(sqlite_console: Console) -> None:
    for response in (sqlite_console.client.get("/login"), sqlite_console.client.get("/openapi.json")):
        assert "default-src 'self'" in response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
    sqlite_console.login()
    for path in (
        "/",
        "/events",
        "/posture",
        "/config",
        "/admin/users",
        "/admin/keys",
        "/admin/audit",
        "/admin/integrations",
    ):
        html = sqlite_console.client.get(path).text
        assert "<script" not in html and " style=" not in html, path  # nothing the CSP would have to refuse


def test_dashboard_counts_match_what_was_ingested(sqlite_console: Console) -> None:
    now = int(time.time() * 1000)
    events = (
        [make_event(attack="sqli", action=Action.BLOCKED, time_ms=now - 1000) for _ in range(3)]
        + [make_event(attack="xss", action=Action.ALERTED, time_ms=now - 2 * 86_400_000) for _ in range(2)]
        + [
            make_event(
                function="payments",
                attack="cmdi",
                action=Action.BLOCKED,
                region="us-east-1",
                account="999999999999",
                time_ms=now - 3000,
            )
        ]
        + [make_event(attack="sqli", action=Action.BLOCKED, time_ms=now - 40 * 86_400_000)]  # outside 7 days
    )
    assert sqlite_console.api("/api/v1/events", {"events": [e.to_dict() for e in events]}).status_code == 200
    sqlite_console.api(
        "/api/v1/inventory",
        {
            "source": "audit",
            "functions": [
                {
                    "name": "reports",
                    "account": "123456789012",
                    "region": "eu-west-1",
                    "protected": False,
                    "executions": 500,
                },
            ],
        },
    )
    sqlite_console.login()
    html = sqlite_console.client.get("/").text

    def tile(name: str) -> str:
        found = re.search(rf'id="tile-{name}">(\d+)<', html)
        assert found is not None
        return found.group(1)

    assert (tile("deployed"), tile("protected"), tile("attacks")) == ("3", "2", "6")
    assert tile("executions") == str(500 + 7)  # inventory count + distinct invocations seen in events
    assert "blocked: 4, alerted: 2" in html  # the block-vs-alert chart's accessible title
    # Each bar of the timeline links to its events: today's bar holds the 4 events of the last seconds.
    links = re.findall(r'<a href="(/events\?since=[^"]+)">', html)
    assert len(links) == 7
    today = sqlite_console.client.get(links[-1].replace("&amp;", "&")).text
    assert today.count("details</a>") == 4
    region = sqlite_console.client.get("/?region=us-east-1").text
    assert re.search(r'id="tile-attacks">1<', region)
    found = sqlite_console.client.get("/?q=pay").text
    assert "payments" in found and ">reports<" not in found


def test_event_filters(sqlite_console: Console) -> None:
    events = [make_event(attack="sqli"), make_event(attack="xss", action=Action.ALERTED, trigger="sqs")]
    sqlite_console.api("/api/v1/events", {"events": [e.to_dict() for e in events]})
    sqlite_console.login()
    only_xss = sqlite_console.client.get("/events?attack=xss").text
    assert events[1].uid in only_xss and events[0].uid not in only_xss
    by_trigger = sqlite_console.client.get("/events?trigger=sqs&action=alerted").text
    assert events[1].uid in by_trigger and events[0].uid not in by_trigger
    assert sqlite_console.client.get("/events?since=2999-01-01").text.count("details</a>") == 0
    assert sqlite_console.client.get("/events?since=yesterday").status_code == 400


def test_admin_creates_keys_and_users_through_the_pages(sqlite_console: Console) -> None:
    sqlite_console.login()
    token = sqlite_console.csrf("/admin/keys")
    page = sqlite_console.client.post(
        "/admin/keys", data={"name": "ci", "scopes": ["posture:write"], "csrf_token": token}
    )
    key = re.search(r'id="new-key">(hgk_[^<]+)<', page.text)
    assert key is not None
    assert (
        sqlite_console.api(
            "/api/v1/posture", {"application": "a", "source": "scan", "findings": []}, key=key.group(1)
        ).status_code
        == 200
    )
    short = sqlite_console.client.post(
        "/admin/users", data={"username": "eve", "password": "short", "role": "viewer", "csrf_token": token}
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    with sqlite_console.state.sessions() as session:
        actions = {a.action for a in session.scalars(select(AuditEntry))}
    assert {"login", "key-create"} <= actions


def test_html_in_inventory_and_findings_is_shown_inert(sqlite_console: Console) -> None:
    evil = '<img src=x onerror="alert(1)">'
    sqlite_console.api(
        "/api/v1/inventory",
        {
            "source": "scan",
            "functions": [
                {"name": "fn" + evil[:40], "runtime": evil[:32], "application": evil, "protected": False},
            ],
        },
    )
    from hullguard.events import Severity
    from hullguard.model.finding import Finding

    finding = Finding(
        rule_id="HG-X-1",
        title=evil,
        severity=Severity.HIGH,
        risk="event-injection",
        message=evil,
        file=evil,
        function=evil,
        remediation=evil,
        application="app",
    ).to_dict()
    assert (
        sqlite_console.api(
            "/api/v1/posture", {"application": evil, "source": "scan", "findings": [finding]}
        ).status_code
        == 200
    )
    sqlite_console.login()
    for path in ("/", "/posture", "/config"):
        html = sqlite_console.client.get(path).text
        assert "<img" not in html, path
        assert "&lt;img src=x" in html, path


def test_posture_lists_applications_with_their_trend(sqlite_console: Console) -> None:
    from hullguard.events import Severity
    from hullguard.model.finding import Finding

    def finding(rule: str, severity: Severity) -> dict[str, object]:
        return Finding(
            rule_id=rule, title=rule, severity=severity, risk="over-privileged", message=rule, application="shop"
        ).to_dict()

    three = [finding("HG-A", Severity.CRITICAL), finding("HG-B", Severity.HIGH), finding("HG-C", Severity.LOW)]
    for findings in (three, three[:2]):
        sqlite_console.api("/api/v1/posture", {"application": "shop", "source": "scan", "findings": findings})
    sqlite_console.api("/api/v1/posture", {"application": "aws://1/eu-west-1", "source": "audit", "findings": []})
    sqlite_console.login()
    html = sqlite_console.client.get("/posture?application=shop").text
    row = re.search(r"<tr aria-current=\"true\">(.*?)</tr>", html, re.S)
    assert row is not None and ">shop<" in row.group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row.group(1), re.S)
    assert cells[0] == "2" and "▼ 1" in cells[1] and cells[2:] == ["1", "1"]
    assert "aws://1/eu-west-1" in html and "first scan" in html
    filtered = sqlite_console.client.get("/posture?application=shop&severity=critical").text
    assert "HG-A" in filtered and ">HG-B<" not in filtered


def test_admin_resets_a_password_and_ends_that_users_sessions(sqlite_console: Console) -> None:
    from hullguard.console.models import User, UserSession

    from .conftest import VIEWER_PASSWORD

    with sqlite_console.state.sessions() as session:
        viewer_id = session.scalars(select(User.id).where(User.username == "viewer")).one()
    other = type(sqlite_console)(
        sqlite_console.app, type(sqlite_console.client)(sqlite_console.app), sqlite_console.state, sqlite_console.key
    )
    assert other.login("viewer", VIEWER_PASSWORD).status_code == 303
    sqlite_console.login()
    token = sqlite_console.csrf("/admin/users")
    short = sqlite_console.client.post(
        f"/admin/users/{viewer_id}", data={"role": "viewer", "new_password": "short", "csrf_token": token}
    )
    assert short.status_code == 422
    done = sqlite_console.client.post(
        f"/admin/users/{viewer_id}",
        data={"role": "viewer", "new_password": "a brand new passphrase", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with sqlite_console.state.sessions() as session:
        assert session.scalars(select(UserSession).where(UserSession.user_id == viewer_id)).first() is None
        assert session.scalars(select(AuditEntry).where(AuditEntry.action == "user-password-reset")).one()
    assert other.client.get("/", follow_redirects=False).status_code == 303  # logged out
    assert other.login("viewer", VIEWER_PASSWORD).status_code == 401
    assert other.login("viewer", "a brand new passphrase").status_code == 303
