"""Reading a station's records: the read half of the service layer.

:class:`StationReader` answers questions about one open station (its code,
catalogues, records, a person's whole file, the due list) and never writes.
Reports and screens read through it; :class:`station_desktop.services.Service`
extends it with the writes, each one unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.domain.errors import NotFoundError, StationError, ValidationError
from station_desktop.domain.idnumber import parse_id_number
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.models import json_list  # noqa: F401 - re-exported

KIND_LABELS: dict[str, str] = {
    "person": "人员",
    "family_member": "家庭成员",
    "visit": "走访记录",
    "life_event": "重大变故",
    "campaign": "节日慰问活动",
    "aid_application": "帮扶申请",
    "aid_review": "帮扶审核",
    "aid_payment": "帮扶发放",
    "dispute_case": "矛盾纠纷",
    "case_step": "化解步骤",
    "honour": "荣誉",
    "volunteer_team": "志愿服务队",
    "volunteer_member": "志愿者",
    "volunteer_activity": "志愿活动",
    "volunteer_hours": "服务时长",
    "operator": "操作员",
    "station": "服务站",
    "station_assessment": "服务站自评",
    "catalogue_item": "目录条目",
}


def row_dict(obj: m.Base) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}  # type: ignore[attr-defined]



class StationReader:
    """What one open station holds, read as plain values (never live ORM objects)."""

    def __init__(self, store: Store, *, today: date | None = None):
        self.store = store
        self._today = today
        self._catalogues: Catalogues | None = None

    @property
    def today(self) -> date:
        return self._today or date.today()

    @property
    def station_code(self) -> str:
        code = self.store.meta("station_code")
        if code is None:
            raise StationError(
                "本机还没有设置服务站。", hint="请先运行 station-desktop init 或在首次启动向导中设置。",
                code="not_initialised",
            )
        return code

    def catalogues(self) -> Catalogues:
        if self._catalogues is None:
            with self.store.read() as s:
                rows = s.scalars(select(m.CatalogueItem).where(m.CatalogueItem.deleted_at.is_(None)))
                entries = [
                    CatalogueEntry(r.kind, r.code, r.name, r.sort, r.active, dict(r.data or {}))
                    for r in rows
                ]
            self._catalogues = Catalogues(entries) if entries else Catalogues.defaults()
        return self._catalogues

    def reload_catalogues(self) -> None:
        """Forget cached catalogues (after a restore or a county catalogue update)."""
        self._catalogues = None

    def _model(self, kind: str) -> type[m.Synced]:
        try:
            return m.MODEL_BY_TABLE[kind]
        except KeyError:
            raise ValidationError("kind", f"没有“{kind}”这类记录。") from None

    def _live(self, s: Session, kind: str, row_id: str) -> m.Synced:
        obj = s.get(self._model(kind), row_id)
        if obj is None or obj.deleted_at is not None:
            label = KIND_LABELS.get(kind, kind)
            raise NotFoundError(
                f"找不到这条{label}记录（{row_id}），可能已被删除。",
                hint="可在“设置→回收站”中查看和恢复。", code="not_found",
            )
        return obj

    def get(self, kind: str, row_id: str, *, include_deleted: bool = False) -> dict[str, Any]:
        with self.store.read() as s:
            obj = s.get(self._model(kind), row_id)
            if obj is None or (obj.deleted_at is not None and not include_deleted):
                raise NotFoundError(f"找不到记录 {row_id}。", code="not_found")
            return row_dict(obj)

    def list(
        self, kind: str, *, where: Mapping[str, Any] | None = None, order_by: str | None = None,
        limit: int | None = None, offset: int = 0,
    ) -> list[dict[str, Any]]:
        model = self._model(kind)
        q = select(model).where(model.deleted_at.is_(None))
        for key, value in (where or {}).items():
            q = q.where(getattr(model, key) == value)
        if order_by:
            desc = order_by.startswith("-")
            col = getattr(model, order_by.lstrip("-"))
            q = q.order_by(col.desc() if desc else col)
        q = q.offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self.store.read() as s:
            return [row_dict(o) for o in s.scalars(q)]

    def count(self, kind: str) -> int:
        model = self._model(kind)
        with self.store.read() as s:
            return int(s.scalar(select(func.count()).select_from(model)
                                .where(model.deleted_at.is_(None))) or 0)

    def recycle_bin(self) -> list[dict[str, Any]]:
        """Every tombstoned record, newest deletion first, with a label a cadre recognises."""
        out: list[dict[str, Any]] = []
        cats = self.catalogues()
        with self.store.read() as s:
            names = dict(s.execute(text("SELECT id, name FROM person")).all())
            for model in m.SYNCED_MODELS:
                kind = model.__tablename__  # type: ignore[attr-defined]
                for obj in s.scalars(select(model).where(model.deleted_at.is_not(None))):
                    out.append({
                        "kind": kind, "kind_label": KIND_LABELS.get(kind, kind), "id": obj.id,
                        "label": _bin_label(kind, row_dict(obj), cats),
                        "person_name": (obj.name if kind == "person"  # type: ignore[attr-defined]
                                        else names.get(getattr(obj, "person_id", None) or "", "")),
                        "deleted_at": obj.deleted_at,
                    })
        return sorted(out, key=lambda r: r["deleted_at"], reverse=True)


    def person_file(self, person_id: str) -> dict[str, Any]:
        """A person's whole file: the record, family, visits, events, aid, cases, honours, history."""
        with self.store.read() as s:
            p = s.get(m.Person, person_id)
            if p is None:
                raise NotFoundError(f"找不到人员 {person_id}。", code="not_found")

            def rows(model: type[m.Synced], col: str, order: str) -> list[dict[str, Any]]:
                q = select(model).where(getattr(model, col) == person_id,
                                        model.deleted_at.is_(None))
                return [row_dict(o) for o in s.scalars(q.order_by(getattr(model, order)))]

            history = s.execute(
                text("SELECT seq, at, op, operator_id, changes FROM change_log "
                     "WHERE table_name = 'person' AND row_id = :id ORDER BY seq"),
                {"id": person_id},
            ).mappings().all()
            return {
                "person": row_dict(p),
                "family": rows(m.FamilyMember, "person_id", "name"),
                "visits": rows(m.Visit, "person_id", "visit_date"),
                "life_events": rows(m.LifeEvent, "person_id", "event_date"),
                "aid": rows(m.AidApplication, "person_id", "applied_on"),
                "payments": rows(m.AidPayment, "person_id", "paid_on"),
                "cases": rows(m.Case, "person_id", "registered_on"),
                "honours": rows(m.Honour, "person_id", "title"),
                "history": [dict(h) for h in history],
            }

    def find_person_by_id_number(self, id_number: str) -> dict[str, Any] | None:
        number = parse_id_number(id_number, today=self.today).number
        with self.store.read() as s:
            p = s.scalars(select(m.Person).where(
                m.Person.id_number == number, m.Person.deleted_at.is_(None))).first()
            return row_dict(p) if p else None

    def due_list(self, *, limit: int | None = None) -> dict[str, Any]:
        """The to-do list: overdue contacts, 六必访 visits due, holiday visits, coverage.

        Intervals and deadlines come from the catalogues the county owns, so a
        changed catalogue changes this list without a program update. Computed
        in SQL (store/visits.py): one pass over the roster, no loop per person.
        """
        from station_desktop.store.visits import due_list_sql  # visits imports this module

        return due_list_sql(self.store, self.catalogues(), self.today, limit=limit)

    def pending_changes(self) -> int:
        """Changes recorded here and not yet acknowledged by the county."""
        from station_desktop.store.stats import outbox  # stats reads through this module

        return outbox(self.store).pending


def _bin_label(kind: str, row: dict[str, Any], cats: Catalogues) -> str:
    """What a deleted record is, in words: 2026-11-01 常态化联系, 三等功喜报, 张三与李四 ..."""
    what = {
        "visit": lambda: f"{row['visit_date']} {cats.name('visit_kind', row['kind'])}",
        "life_event": lambda: f"{row['event_date']} {cats.name('life_event', row['kind'])}",
        "aid_application": lambda: f"{row['applied_on']} {cats.name('aid_type', row['aid_type'])}",
        "aid_payment": lambda: f"{row['paid_on']} {row['amount_fen'] / 100:.2f} 元",
        "family_member": lambda: f"{row['relation']} {row['name']}",
        "dispute_case": lambda: row["parties"],
    }.get(kind)
    detail = what() if what else (row.get("name") or row.get("title") or row.get("code"))
    return str(detail or "（无标题）")
