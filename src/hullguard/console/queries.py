"""The read side: what the dashboard, event viewer and posture pages show. Pure queries, no writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from hullguard.console.models import DeployedFunction, PostureFinding, Scan, StoredEvent

PAGE_SIZE = 25
DAY_MS = 24 * 3600 * 1000
HOUR_MS = 3600 * 1000


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Any]
    total: int
    page: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _page_number(page: int) -> int:
    return max(1, min(page, 1_000_000))


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    account: str = ""
    region: str = ""
    search: str = ""
    days: int = 7


@dataclass(slots=True)
class Dashboard:
    deployed: int = 0
    protected: int = 0
    executions: int = 0
    attacks: int = 0
    blocked: int = 0
    alerted: int = 0
    buckets: list[tuple[int, int]] = field(default_factory=list)  # (bucket start ms, events)
    bucket_ms: int = DAY_MS
    attack_types: list[tuple[str, int]] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)


def _function_conditions(flt: DashboardFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if flt.account:
        conditions.append(DeployedFunction.account == flt.account)
    if flt.region:
        conditions.append(DeployedFunction.region == flt.region)
    return conditions


def _event_scope(flt: DashboardFilter, since_ms: int) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [StoredEvent.time_ms >= since_ms]
    if flt.account:
        conditions.append(StoredEvent.account == flt.account)
    if flt.region:
        conditions.append(StoredEvent.region == flt.region)
    return conditions


def dashboard(session: Session, flt: DashboardFilter, now_ms: int, seen: dict[FunctionKey, int]) -> Dashboard:
    board = Dashboard()
    fn_where = _function_conditions(flt)
    board.deployed = session.scalar(select(func.count()).select_from(DeployedFunction).where(*fn_where)) or 0
    board.protected = (
        session.scalar(
            select(func.count()).select_from(DeployedFunction).where(*fn_where, DeployedFunction.protected.is_(True))
        )
        or 0
    )
    board.executions = _executions_total(session, fn_where, seen)
    board.bucket_ms = HOUR_MS if flt.days <= 1 else DAY_MS
    start = (now_ms - flt.days * DAY_MS) // board.bucket_ms * board.bucket_ms + board.bucket_ms
    scope = _event_scope(flt, start)
    by_action = dict(
        session.execute(select(StoredEvent.action, func.count()).where(*scope).group_by(StoredEvent.action)).all()
    )
    board.blocked = int(by_action.get("blocked", 0))
    board.alerted = int(by_action.get("alerted", 0))
    board.attacks = board.blocked + board.alerted
    # Integer division on both databases (times in scope are >= start, so it is also the floor);
    # SQLite's floor() exists only when it was built with its math functions.
    bucket = (StoredEvent.time_ms - start) // board.bucket_ms
    counts: dict[Any, Any] = dict(
        session.execute(
            select(bucket.label("b"), func.count()).where(*scope, StoredEvent.action != "allowed").group_by("b")
        ).all()
    )
    steps = -(-(now_ms - start + 1) // board.bucket_ms)
    board.buckets = [(start + i * board.bucket_ms, int(counts.get(i, 0))) for i in range(max(1, steps))]
    board.attack_types = [
        (str(attack), int(count))
        for attack, count in session.execute(
            select(StoredEvent.attack, func.count())
            .where(*scope, StoredEvent.action != "allowed")
            .group_by(StoredEvent.attack)
            .order_by(func.count().desc(), StoredEvent.attack)
            .limit(12)
        ).all()
    ]
    board.accounts = [
        a for a in session.scalars(select(DeployedFunction.account).distinct().order_by(DeployedFunction.account)) if a
    ]
    board.regions = [
        r for r in session.scalars(select(DeployedFunction.region).distinct().order_by(DeployedFunction.region)) if r
    ]
    return board


@dataclass(frozen=True, slots=True)
class FunctionRow:
    name: str
    version: str
    account: str
    region: str
    runtime: str
    protected: bool
    application: str
    last_deployed: str
    executions: int


FunctionKey = tuple[str, str, str]  # name, account, region


def invocations_seen(session: Session) -> dict[FunctionKey, int]:
    """Distinct invocations (request ids) the console holds events from, per function; read from
    the ``ix_events_invocations`` index alone, without touching the event rows."""
    rows = session.execute(
        select(
            StoredEvent.function_name,
            StoredEvent.account,
            StoredEvent.region,
            func.count(StoredEvent.request_id.distinct()),
        )
        .where(StoredEvent.request_id != "")
        .group_by(StoredEvent.function_name, StoredEvent.account, StoredEvent.region)
    ).all()
    return {(str(n), str(a), str(r)): int(c) for n, a, r, c in rows}


def _executions_total(session: Session, fn_where: list[ColumnElement[bool]], seen: dict[FunctionKey, int]) -> int:
    rows = session.execute(
        select(
            DeployedFunction.name, DeployedFunction.account, DeployedFunction.region, DeployedFunction.executions
        ).where(*fn_where)
    ).all()
    return sum(max(int(executions), seen.get((n, a, r), 0)) for n, a, r, executions in rows)


def functions_page(
    session: Session, flt: DashboardFilter, seen: dict[FunctionKey, int], page: int = 1, size: int = PAGE_SIZE
) -> Page:
    """Deployed functions, with executions = what the inventory reported (CloudWatch, via the audit)
    or, when higher, the distinct invocations the console has seen events from."""
    where = _function_conditions(flt)
    if flt.search:
        like = f"%{flt.search.replace('%', '').replace('_', '')}%"
        where.append(or_(DeployedFunction.name.ilike(like), DeployedFunction.application.ilike(like)))
    total = session.scalar(select(func.count()).select_from(DeployedFunction).where(*where)) or 0
    page = _page_number(page)
    query = (
        select(DeployedFunction)
        .where(*where)
        .order_by(DeployedFunction.name, DeployedFunction.account, DeployedFunction.region)
        .offset((page - 1) * size)
        .limit(size)
    )
    rows = [
        FunctionRow(
            name=fn.name,
            version=fn.version,
            account=fn.account,
            region=fn.region,
            runtime=fn.runtime,
            protected=fn.protected,
            application=fn.application,
            last_deployed=fn.last_deployed,
            executions=max(fn.executions, seen.get((fn.name, fn.account, fn.region), 0)),
        )
        for fn in session.scalars(query)
    ]
    return Page(rows=rows, total=total, page=page, size=size)


@dataclass(frozen=True, slots=True)
class EventFilter:
    since_ms: int | None = None
    until_ms: int | None = None
    function: str = ""
    attack: str = ""
    action: str = ""
    trigger: str = ""


def events_page(session: Session, flt: EventFilter, page: int = 1, size: int = PAGE_SIZE) -> Page:
    where: list[ColumnElement[bool]] = []
    if flt.since_ms is not None:
        where.append(StoredEvent.time_ms >= flt.since_ms)
    if flt.until_ms is not None:
        where.append(StoredEvent.time_ms < flt.until_ms)
    for column, value in (
        (StoredEvent.function_name, flt.function),
        (StoredEvent.attack, flt.attack),
        (StoredEvent.action, flt.action),
        (StoredEvent.trigger, flt.trigger),
    ):
        if value:
            where.append(column == value)
    total = session.scalar(select(func.count()).select_from(StoredEvent).where(*where)) or 0
    page = _page_number(page)
    rows = list(
        session.scalars(
            select(StoredEvent)
            .where(*where)
            .order_by(StoredEvent.time_ms.desc(), StoredEvent.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        )
    )
    return Page(rows=rows, total=total, page=page, size=size)


def event_facets(session: Session) -> dict[str, list[str]]:
    """Values the event filters offer (distinct, bounded)."""
    out: dict[str, list[str]] = {}
    for name, column in (
        ("function", StoredEvent.function_name),
        ("attack", StoredEvent.attack),
        ("action", StoredEvent.action),
        ("trigger", StoredEvent.trigger),
    ):
        out[name] = [v for v in session.scalars(select(column).distinct().order_by(column).limit(200)) if v]
    return out


def event_by_uid(session: Session, uid: str) -> StoredEvent | None:
    return session.scalars(select(StoredEvent).where(StoredEvent.uid == uid)).first()


@dataclass(frozen=True, slots=True)
class ApplicationSummary:
    application: str
    scanned_ms: int
    source: str
    findings: int
    previous: int | None  # findings of the scan before, for the trend arrow
    critical: int
    high: int


@dataclass(slots=True)
class Posture:
    applications: list[str] = field(default_factory=list)
    summaries: list[ApplicationSummary] = field(default_factory=list)
    application: str = ""
    scan: Scan | None = None
    by_severity: list[tuple[str, int]] = field(default_factory=list)
    by_risk: list[tuple[str, int]] = field(default_factory=list)
    by_function: list[tuple[str, int]] = field(default_factory=list)
    trend: list[tuple[int, int]] = field(default_factory=list)  # (scan time ms, findings)
    findings: list[PostureFinding] = field(default_factory=list)


SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def posture(session: Session, application: str = "", risk: str = "", severity: str = "", function: str = "") -> Posture:
    result = Posture()
    result.applications = list(session.scalars(select(Scan.application).distinct().order_by(Scan.application)))
    if not result.applications:
        return result
    result.application = application if application in result.applications else result.applications[0]
    result.summaries = _summaries(session)
    scans = list(
        session.scalars(select(Scan).where(Scan.application == result.application).order_by(Scan.created_ms, Scan.id))
    )
    result.scan = scans[-1]
    result.trend = [(s.created_ms, s.findings_count) for s in scans[-30:]]
    base = [PostureFinding.scan_id == result.scan.id]

    def grouped(column: Any) -> list[tuple[str, int]]:
        rows = session.execute(select(column, func.count()).where(*base).group_by(column)).all()
        return [(str(k or "(application)"), int(v)) for k, v in rows]

    severities = dict(grouped(PostureFinding.severity))
    result.by_severity = [(s, severities.get(s, 0)) for s in SEVERITY_ORDER]
    result.by_risk = sorted(grouped(PostureFinding.risk), key=lambda kv: (-kv[1], kv[0]))
    result.by_function = sorted(grouped(PostureFinding.function), key=lambda kv: (-kv[1], kv[0]))[:20]
    where = list(base)
    if risk:
        where.append(PostureFinding.risk == risk)
    if severity:
        where.append(PostureFinding.severity == severity)
    if function:
        where.append(PostureFinding.function == ("" if function == "(application)" else function))
    order = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    result.findings = sorted(
        session.scalars(select(PostureFinding).where(*where).limit(500)),
        key=lambda f: (order.get(f.severity, 9), f.rule_id, f.file),
    )
    return result


def _summaries(session: Session) -> list[ApplicationSummary]:
    """Every application's latest scan with its critical and high counts and the scan before's total."""
    scans = list(session.scalars(select(Scan).order_by(Scan.application, Scan.created_ms, Scan.id)))
    latest: dict[str, Scan] = {}
    previous: dict[str, Scan] = {}
    for scan in scans:
        if scan.application in latest:
            previous[scan.application] = latest[scan.application]
        latest[scan.application] = scan
    ids = [s.id for s in latest.values()]
    counts: dict[tuple[int, str], int] = {
        (int(scan_id), str(sev)): int(n)
        for scan_id, sev, n in session.execute(
            select(PostureFinding.scan_id, PostureFinding.severity, func.count())
            .where(PostureFinding.scan_id.in_(ids), PostureFinding.severity.in_(("critical", "high")))
            .group_by(PostureFinding.scan_id, PostureFinding.severity)
        ).all()
    }
    return [
        ApplicationSummary(
            application=app,
            scanned_ms=scan.created_ms,
            source=scan.source,
            findings=scan.findings_count,
            previous=previous[app].findings_count if app in previous else None,
            critical=counts.get((scan.id, "critical"), 0),
            high=counts.get((scan.id, "high"), 0),
        )
        for app, scan in sorted(latest.items())
    ]
