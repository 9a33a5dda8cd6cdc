"""What follows from a visit written: the person's last contact, the life events it answers.

One implementation for a single visit (``Service.create``/``update``/``delete``
of a visit) and for a holiday campaign's thousands: both run these on the
plain sqlite3 connection of their own write transaction, a block of visits
per call, so a campaign keeps its one transaction and its speed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from station_desktop.domain import rules
from station_desktop.domain.catalogues import Catalogues

#: Persons per statement: well under SQLite's limit on bound parameters.
BLOCK = 500


@dataclass(frozen=True)
class WrittenVisit:
    id: str
    person_id: str
    kind: str
    visit_date: str  # ISO date
    life_event_id: str | None = None  # the event the visit says it answers


def raw_connection(s: Session) -> sqlite3.Connection:
    """The sqlite3 connection under a Session's transaction (the same transaction)."""
    con = s.connection().connection.dbapi_connection
    assert con is not None
    return con  # type: ignore[return-value]


def iso(d: date | str) -> str:
    return d.isoformat() if isinstance(d, date) else d


def refresh_last_contact(con: sqlite3.Connection, person_ids: Iterable[str], *,
                         operator_id: str | None, now: str) -> None:
    """A person's last contact is their latest live visit (kept for the due list).

    Recomputed, not just moved forward, so a deleted or re-dated visit is
    followed too; a person whose date is already right is not touched (no
    change captured).
    """
    latest = ("(SELECT max(v.visit_date) FROM visit v "
              "WHERE v.person_id = :pid AND v.deleted_at IS NULL)")
    con.executemany(
        f"UPDATE person SET last_contact_on = {latest}, updated_at = :now, updated_by = :op "
        f"WHERE id = :pid AND last_contact_on IS NOT {latest}",
        [{"pid": pid, "now": now, "op": operator_id} for pid in dict.fromkeys(person_ids)])


def close_answered_events(con: sqlite3.Connection, visits: Sequence[WrittenVisit],
                          cats: Catalogues, *, operator_id: str | None, now: str) -> None:
    """Close the open life events (六必访) the visits answer.

    A visit naming its event closes that one. Otherwise a visit of the kind
    an open event of the person calls for, on or after the event's day,
    answers it, and the visit is linked to the (first) event it answered.
    """
    def close(event_id: str, visit: WrittenVisit) -> None:
        con.execute("UPDATE life_event SET closed_on = ?, closed_by_visit_id = ?, "
                    "updated_at = ?, updated_by = ? WHERE id = ? AND closed_on IS NULL",
                    (visit.visit_date, visit.id, now, operator_id, event_id))

    by_person: dict[str, list[WrittenVisit]] = {}
    for v in visits:
        if v.life_event_id:
            close(v.life_event_id, v)
        else:
            by_person.setdefault(v.person_id, []).append(v)
    people = list(by_person)
    for start in range(0, len(people), BLOCK):
        block = people[start:start + BLOCK]
        marks = ", ".join("?" * len(block))
        events = con.execute(
            "SELECT id, person_id, kind, event_date FROM life_event WHERE closed_on IS NULL "
            f"AND deleted_at IS NULL AND person_id IN ({marks}) ORDER BY event_date, id",
            block).fetchall()
        for event_id, person_id, event_kind, event_date in events:
            wanted = rules.life_event_visit_kind(event_kind, cats)
            visit = next((v for v in by_person[person_id]
                          if v.kind == wanted and str(event_date) <= v.visit_date), None)
            if visit is None:
                continue
            close(event_id, visit)
            con.execute("UPDATE visit SET life_event_id = ? WHERE id = ? "
                        "AND life_event_id IS NULL", (event_id, visit.id))


def visits_written(con: sqlite3.Connection, visits: Sequence[WrittenVisit], cats: Catalogues,
                   *, operator_id: str | None, now: str) -> None:
    """Everything that follows from ``visits`` just inserted or changed."""
    refresh_last_contact(con, (v.person_id for v in visits), operator_id=operator_id, now=now)
    close_answered_events(con, visits, cats, operator_id=operator_id, now=now)
