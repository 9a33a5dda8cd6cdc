"""Importing an Excel roster: the plan of :mod:`station_desktop.reports.xlsx_import`, written.

A dry run only reads: it is the plan's report. The real import takes the
write lock first and plans again inside that one transaction, so nothing
can change between the plan and the write and what is written is exactly
what a dry run over the same database reports; every create and update, the
``import_xlsx`` audit event and (when the person corrected it) the column
mapping commit together or not at all. A cancelled import writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain.progress import Progress, tick
from station_desktop.reports.xlsx_import import (
    CANCELLED,
    ImportReport,
    PersonWrite,
    SheetData,
    mapping_key,
    mapping_text,
    plan_import,
    read_workbook,
)
from station_desktop.reports.xlsx_import.plan import CHECK_EVERY
from station_desktop.services.station import Service
from station_desktop.store import models as m


def import_roster(
    svc: Service,
    source: Path | SheetData,
    *,
    sheet: str | None = None,
    mapping: Mapping[int, str | None] | None = None,
    dry_run: bool = False,
    defaults: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a roster: ``dry_run`` reports only; otherwise one transaction writes it all.

    ``source`` may be a :class:`SheetData` already read (the wizard reads once).
    ``mapping`` overrides the remembered or guessed column mapping (and is
    remembered for the next file with these headers); ``defaults`` (field →
    value) fill empty cells of new persons, e.g. ``{"categories": "退役士兵"}``.
    """
    if dry_run:
        return plan_import(svc, source, sheet=sheet, mapping=mapping, defaults=defaults,
                           progress=progress).report
    # The file is read before the write lock is taken: that part may take seconds.
    data = source if isinstance(source, SheetData) else read_workbook(Path(source), sheet=sheet)
    station_code = svc.station_code
    with svc.store.write(svc.operator_id) as s:
        plan = plan_import(svc, data, mapping=mapping, defaults=defaults, dry_run=False,
                           progress=progress)
        _write(s, svc, station_code, plan.writes, progress)
        if plan.remember:  # the person's corrections serve the next file with these headers
            _store_mapping(s, plan.data.headers, plan.mapping)
        _audit(s, svc, plan.report)
    svc.store.analyze(only_if_stale=True)
    return plan.report


def remember_mapping(svc: Service, headers: Sequence[Any], mapping: Mapping[int, str | None]) -> None:
    """Keep ``mapping`` for the next sheet with the same headers (in the meta table)."""
    with svc.store.write(svc.operator_id) as s:
        _store_mapping(s, headers, mapping)


def _store_mapping(s: Session, headers: Sequence[Any], mapping: Mapping[int, str | None]) -> None:
    s.merge(m.Meta(key=mapping_key(headers), value=mapping_text(mapping)))


def _audit(s: Session, svc: Service, report: ImportReport) -> None:
    c = report.counts
    s.add(m.AuditEvent(action="import_xlsx", operator_id=svc.operator_id, detail={
        "file": report.file, "sheet": report.sheet, "created": c["create"],
        "updated": c["update"], "refused": c["refused"],
    }))


def _write(s: Session, svc: Service, station_code: str, writes: list[PersonWrite],
           progress: Progress | None) -> None:
    """Write the plan the way Service.create/update would, in the caller's transaction."""
    ids = [w.person_id for w in writes if w.person_id is not None]
    persons: dict[str, m.Person] = {}
    for start in range(0, len(ids), 500):  # a few queries, not one per updated person
        persons.update((p.id, p) for p in s.scalars(
            select(m.Person).where(m.Person.id.in_(ids[start:start + 500]))))
    total = len(writes)
    for i, w in enumerate(writes):
        if i % CHECK_EVERY == 0:
            tick(progress, i, total, CANCELLED)
        if w.person_id is None:
            s.add(m.Person(station_code=station_code, updated_by=svc.operator_id, **w.values))
        else:
            obj = persons[w.person_id]
            for key, value in w.values.items():
                setattr(obj, key, value)
            obj.updated_by = svc.operator_id
    s.flush()
    if progress is not None:
        progress(total, total)
