"""Decides what each destination gets next and records the outcome.

Each destination keeps a cursor: the highest event id it has received (or dead-lettered). A failed
batch is retried with exponential backoff; after ``max_attempts`` its events go to the dead-letter
table and the cursor moves on, so one poisoned batch cannot stall the rest. Dead letters are retried
automatically once the destination accepts events again, and an admin can re-send them at once.
Nothing is deleted until a destination has accepted it: a SIEM outage loses nothing.

Events younger than ``grace_ms`` are not sent yet: on PostgreSQL a transaction that started earlier
can commit a lower id later, and the cursor must not pass it by.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from hullguard.console.forwarding.senders import DeliveryError, check_target, send
from hullguard.console.models import DeadLetter, Destination, StoredEvent
from hullguard.console.security import now_ms

log = logging.getLogger("hullguard.console.forwarding")
Sender = Callable[[str, str, str, list[dict[str, Any]]], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_delay_ms: int = 1000
    max_delay_ms: int = 5 * 60 * 1000
    batch_size: int = 200
    grace_ms: int = 2000

    def delay_ms(self, attempts: int) -> int:
        return int(min(self.max_delay_ms, self.base_delay_ms * 2 ** max(0, attempts - 1)))


def add_destination(session: Session, name: str, kind: str, target: str, secret: str = "") -> Destination:
    check_target(kind, target)
    if kind in ("splunk", "webhook") and not secret:
        raise ValueError(f"a {kind} destination needs a secret (HEC token or HMAC key)")
    if session.scalars(select(Destination).where(Destination.name == name)).first():
        raise ValueError(f"destination {name!r} already exists")
    # A new destination starts with events stored from now on, not the whole history.
    cursor = session.scalar(select(func.max(StoredEvent.id))) or 0
    destination = Destination(
        name=name,
        kind=kind,
        target=target,
        secret=secret,
        enabled=True,
        cursor=cursor,
        attempts=0,
        next_attempt_ms=0,
        last_error="",
        delivered=0,
    )
    session.add(destination)
    session.flush()
    return destination


def _events(
    session: Session, ids_or_after: list[int] | int, limit: int, before_ms: int
) -> list[tuple[int, dict[str, Any]]]:
    query = select(StoredEvent.id, StoredEvent.raw)
    if isinstance(ids_or_after, list):
        query = query.where(StoredEvent.id.in_(ids_or_after))
    else:
        query = query.where(StoredEvent.id > ids_or_after, StoredEvent.received_ms <= before_ms)
    return [(int(i), json.loads(raw)) for i, raw in session.execute(query.order_by(StoredEvent.id).limit(limit))]


class Forwarder:
    def __init__(self, sessions: sessionmaker[Session], policy: RetryPolicy | None = None, sender: Sender = send):
        self.sessions = sessions
        self.policy = policy or RetryPolicy()
        self.sender = sender
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, now: int | None = None) -> int:
        """One pass over every due destination; returns how many events were delivered."""
        now = now_ms() if now is None else now
        with self.sessions() as session:
            due = [
                (d.id, d.kind, d.target, d.secret)
                for d in session.scalars(
                    select(Destination).where(Destination.enabled.is_(True), Destination.next_attempt_ms <= now)
                )
            ]
        return sum(self._forward(dest, now) for dest in due)

    def _forward(self, dest: tuple[int, str, str, str], now: int) -> int:
        dest_id, kind, target, secret = dest
        with self.sessions() as session:
            destination = session.get(Destination, dest_id)
            assert destination is not None
            batch = _events(session, destination.cursor, self.policy.batch_size, now - self.policy.grace_ms)
        if not batch:
            return self.redeliver(dest_id, now)
        try:
            self.sender(kind, target, secret, [event for _, event in batch])
        except DeliveryError as exc:
            self._failed(dest_id, [i for i, _ in batch], str(exc), now)
            return 0
        with self.sessions() as session, session.begin():
            destination = session.get(Destination, dest_id)
            assert destination is not None
            destination.cursor = batch[-1][0]
            destination.attempts = 0
            destination.next_attempt_ms = 0
            destination.last_error = ""
            destination.delivered += len(batch)
        return len(batch) + (self.redeliver(dest_id, now) if len(batch) < self.policy.batch_size else 0)

    def _failed(self, dest_id: int, event_ids: list[int], error: str, now: int) -> None:
        log.warning("forwarding to destination %s failed: %s", dest_id, error)
        with self.sessions() as session, session.begin():
            destination = session.get(Destination, dest_id)
            assert destination is not None
            destination.attempts += 1
            destination.last_error = error[:2000]
            if destination.attempts >= self.policy.max_attempts:
                session.add_all(
                    DeadLetter(
                        destination_id=dest_id,
                        event_id=i,
                        error=error[:2000],
                        attempts=destination.attempts,
                        created_ms=now,
                    )
                    for i in event_ids
                )
                destination.cursor = event_ids[-1]
                destination.attempts = 0
            destination.next_attempt_ms = now + self.policy.delay_ms(max(1, destination.attempts))

    def redeliver(self, dest_id: int, now: int | None = None) -> int:
        """Send one batch of this destination's dead letters; delete them only once accepted."""
        now = now_ms() if now is None else now
        with self.sessions() as session:
            destination = session.get(Destination, dest_id)
            if destination is None:
                return 0
            kind, target, secret = destination.kind, destination.target, destination.secret
            letters = list(
                session.scalars(
                    select(DeadLetter)
                    .where(DeadLetter.destination_id == dest_id)
                    .order_by(DeadLetter.id)
                    .limit(self.policy.batch_size)
                )
            )
            if not letters:
                return 0
            batch = _events(session, [d.event_id for d in letters], len(letters), now)
        try:
            self.sender(kind, target, secret, [event for _, event in batch])
        except DeliveryError as exc:
            with self.sessions() as session, session.begin():
                destination = session.get(Destination, dest_id)
                if destination is not None:
                    destination.last_error = f"dead-letter retry: {exc}"[:2000]
                    # Still down: back off instead of re-sending the dead letters on every pass.
                    destination.next_attempt_ms = now + self.policy.delay_ms(destination.attempts + 1)
            return 0
        with self.sessions() as session, session.begin():
            session.execute(delete(DeadLetter).where(DeadLetter.id.in_([d.id for d in letters])))
            destination = session.get(Destination, dest_id)
            if destination is not None:
                destination.delivered += len(batch)
        return len(batch)

    def start(self, interval_s: float) -> None:
        def loop() -> None:
            while not self._stop.wait(interval_s):
                try:
                    self.run_once()
                except Exception:  # the forwarder must outlive a bad pass; the next one retries
                    log.exception("forwarding pass failed")

        self._thread = threading.Thread(target=loop, name="hullguard-forwarder", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
