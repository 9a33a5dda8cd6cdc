"""The service layer the GUI and the command line share.

Each public method is one transaction (one ``store.write``) with change
capture and audit done by the triggers, attributed to the service's
operator. Methods take and return plain values and dicts, never live ORM
objects, so callers (a Qt worker thread, the CLI) hold no Session.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from station_desktop.domain import enums, rules
from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.domain.errors import (
    ConflictError,
    NotFoundError,
    StationError,
    ValidationError,
)
from station_desktop.domain.idnumber import apply_to_record, parse_id_number
from station_desktop.domain.validate import parse_station_code
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.fields import FIELDS, clean_record

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


class Service:
    """Everything a station does to its records, for one operator."""

    def __init__(self, store: Store, operator_id: str | None = None, *, today: date | None = None):
        self.store = store
        self.operator_id = operator_id
        self._today = today
        self._catalogues: Catalogues | None = None

    # --- basics --------------------------------------------------------------

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

    def _check_refs(self, s: Session, kind: str, data: Mapping[str, Any]) -> None:
        for name, f in FIELDS[kind].items():
            if f.type == "ref" and data.get(name):
                self._live(s, f.arg, data[name])

    # --- initialisation ------------------------------------------------------

    def init_station(
        self,
        *,
        role: str,
        code: str,
        name: str,
        parent_code: str | None = None,
        operator_name: str = "管理员",
    ) -> dict[str, Any]:
        """Set this installation's station, seed the catalogues and create the first operator."""
        role_enum = enums.Role.from_value_or_label(role)
        station = parse_station_code(code, role_enum)
        clean = clean_record("station", {"name": name}, Catalogues.defaults(), today=self.today)
        if parent_code:
            parent_code = parse_station_code(parent_code).code
        if self.store.meta("station_code") is not None:
            raise ConflictError(
                f"本机已设置为服务站 {self.store.meta('station_code')}，不能再次初始化。",
                hint="如需更换，请使用新的数据目录。", code="already_initialised",
            )
        with self.store.write(None) as s:
            for key, value in (
                ("station_code", station.code),
                ("station_name", clean["name"]),
                ("role", role_enum.value),
            ):
                s.add(m.Meta(key=key, value=value))
            s.add(
                m.Station(
                    station_code=station.code, code=station.code, name=clean["name"],
                    role=role_enum.value, parent_code=parent_code,
                )
            )
            for e in Catalogues.defaults().all_entries():
                s.add(
                    m.CatalogueItem(
                        station_code=station.code, kind=e.kind, code=e.code, name=e.name,
                        sort=e.sort, active=e.active, data=dict(e.data),
                    )
                )
            op = m.Operator(station_code=station.code, name=operator_name, is_admin=True)
            s.add(op)
            s.flush()
            s.add(m.AuditEvent(action="init", operator_id=op.id,
                               detail={"code": station.code, "role": role_enum.value}))
        self.operator_id = self.operator_id or op.id
        self._catalogues = None
        return {"code": station.code, "name": clean["name"], "role": role_enum.value,
                "operator_id": op.id}

    # --- generic record operations ------------------------------------------

    def create(self, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
        values = clean_record(kind, data, self.catalogues(), today=self.today)
        station_code = self.station_code
        with self.store.write(self.operator_id) as s:
            self._check_refs(s, kind, values)
            values = self._prepare(s, kind, values, None)
            obj = self._model(kind)(station_code=station_code, updated_by=self.operator_id, **values)
            s.add(obj)
            s.flush()
            self._after_write(s, kind, obj)
            if kind == "dispute_case":
                # The registration is the first step of every case's history.
                s.add(m.CaseStep(
                    station_code=station_code, case_id=obj.id, step_on=obj.registered_on,  # type: ignore[attr-defined]
                    action=enums.CaseAction.REGISTER.value, from_level=None,
                    to_level=obj.level, handler=obj.registrar,  # type: ignore[attr-defined]
                    updated_by=self.operator_id,
                ))
            return row_dict(obj)

    def update(self, kind: str, row_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        values = clean_record(kind, changes, self.catalogues(), today=self.today, partial=True)
        with self.store.write(self.operator_id) as s:
            obj = self._live(s, kind, row_id)
            self._check_refs(s, kind, values)
            values = self._prepare(s, kind, values, obj)
            for key, value in values.items():
                setattr(obj, key, value)
            obj.updated_by = self.operator_id
            s.flush()
            self._after_write(s, kind, obj)
            return row_dict(obj)

    def delete(self, kind: str, row_id: str) -> None:
        """Move a record to the recycle bin (a tombstone; it can be restored)."""
        with self.store.write(self.operator_id) as s:
            obj = self._live(s, kind, row_id)
            obj.deleted_at = m.utc_now()
            obj.updated_by = self.operator_id
            s.flush()
            if kind == "visit":
                self._refresh_last_contact(s, obj.person_id)  # type: ignore[attr-defined]

    def restore(self, kind: str, row_id: str) -> dict[str, Any]:
        with self.store.write(self.operator_id) as s:
            obj = s.get(self._model(kind), row_id)
            if obj is None:
                raise NotFoundError(f"找不到记录 {row_id}。", code="not_found")
            if obj.deleted_at is None:
                return row_dict(obj)
            if kind == "person":
                self._refuse_duplicate_id(s, obj.id_number, exclude=obj.id)  # type: ignore[attr-defined]
            obj.deleted_at = None
            obj.updated_by = self.operator_id
            s.flush()
            if kind == "visit":
                self._refresh_last_contact(s, obj.person_id)  # type: ignore[attr-defined]
            return row_dict(obj)

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

    # --- per-kind rules -----------------------------------------------------

    def _refuse_duplicate_id(self, s: Session, id_number: str, *, exclude: str | None) -> None:
        q = select(m.Person).where(m.Person.id_number == id_number, m.Person.deleted_at.is_(None))
        if exclude:
            q = q.where(m.Person.id != exclude)
        other = s.scalars(q).first()
        if other is not None:
            raise ConflictError(
                f"身份证号 {id_number} 已登记在“{other.name}”的档案中，不能重复建档。",
                hint="请打开已有档案修改，或核对号码。", code="duplicate_id", field="id_number",
                person_id=other.id,
            )

    def _prepare(
        self, s: Session, kind: str, values: dict[str, Any], obj: m.Synced | None
    ) -> dict[str, Any]:
        if kind == "person":
            return self._prepare_person(s, values, obj)
        if kind == "life_event":
            cats = self.catalogues()
            event_kind = values.get("kind") or getattr(obj, "kind", None)
            event_date = values.get("event_date") or getattr(obj, "event_date", None)
            values["visit_due_on"] = rules.life_event_deadline(event_kind, event_date, cats)
        if kind == "aid_payment":
            app = self._live(s, "aid_application", values.get("application_id")
                             or obj.application_id)  # type: ignore[union-attr]
            values["person_id"] = app.person_id  # type: ignore[attr-defined]
        if kind == "dispute_case" and obj is None:
            if values["deadline"] < values["registered_on"]:
                raise ValidationError("deadline", "办理期限不能早于登记日期。")
        if kind == "campaign" and values.get("start_on") and values.get("end_on"):
            if values["end_on"] < values["start_on"]:
                raise ValidationError("end_on", "结束日期不能早于开始日期。")
        if kind == "honour" and obj is None:
            values["state"] = enums.HONOUR_FLOW[enums.HonourKind(values["kind"])][0].value
        return values

    def _prepare_person(
        self, s: Session, values: dict[str, Any], obj: m.Synced | None
    ) -> dict[str, Any]:
        id_number = values.get("id_number") or getattr(obj, "id_number", None)
        if id_number is None:  # pragma: no cover - required on create
            return values
        apply_to_record(values, parse_id_number(id_number, today=self.today))
        if "id_number" in values:
            self._refuse_duplicate_id(s, id_number, exclude=obj.id if obj else None)
        if obj is None and values.get("registered_on") is None:
            values["registered_on"] = self.today
        return values

    def _after_write(self, s: Session, kind: str, obj: m.Synced) -> None:
        if kind == "visit":
            self._visit_written(s, obj)  # type: ignore[arg-type]
        if kind == "station":
            own = s.get(m.Meta, "station_name")
            code = s.get(m.Meta, "station_code")
            if own is not None and code is not None and code.value == obj.code:  # type: ignore[attr-defined]
                own.value = obj.name  # type: ignore[attr-defined]

    def _refresh_last_contact(self, s: Session, person_id: str) -> None:
        """The person's last contact is their latest live visit (kept for the due list)."""
        person = s.get(m.Person, person_id)
        last = s.scalar(select(func.max(m.Visit.visit_date)).where(
            m.Visit.person_id == person_id, m.Visit.deleted_at.is_(None)))
        if person is not None and person.last_contact_on != last:
            person.last_contact_on = last

    def _visit_written(self, s: Session, visit: m.Visit) -> None:
        """Keep the person's last contact date and close the life event the visit answers."""
        self._live(s, "person", visit.person_id)
        self._refresh_last_contact(s, visit.person_id)
        if visit.life_event_id:
            events = [self._live(s, "life_event", visit.life_event_id)]
        else:
            # A visit of the kind an open event calls for answers it.
            cats = self.catalogues()
            events = [
                e for e in s.scalars(
                    select(m.LifeEvent).where(
                        m.LifeEvent.person_id == visit.person_id,
                        m.LifeEvent.closed_on.is_(None),
                        m.LifeEvent.deleted_at.is_(None),
                        m.LifeEvent.event_date <= visit.visit_date,
                    )
                )
                if rules.life_event_visit_kind(e.kind, cats) == visit.kind
            ]
        for event in events:
            if event.closed_on is None:  # type: ignore[attr-defined]
                event.closed_on = visit.visit_date  # type: ignore[attr-defined]
                event.closed_by_visit_id = visit.id  # type: ignore[attr-defined]
                visit.life_event_id = visit.life_event_id or event.id

    # --- workflows ----------------------------------------------------------

    def review_aid(
        self, application_id: str, *, level: str, decision: str, reviewer: str,
        opinion: str = "", amount_fen: int | None = None, on: date | None = None,
    ) -> dict[str, Any]:
        """One step of the 村 → 镇 → 县 review path."""
        lvl = enums.Level.from_value_or_label(level)
        dec = enums.ReviewDecision.from_value_or_label(decision)
        if not reviewer.strip():
            raise ValidationError("reviewer", "请填写审核人。")
        with self.store.write(self.operator_id) as s:
            app = self._live(s, "aid_application", application_id)
            new_state = enums.next_aid_state(enums.AidState(app.state), lvl, dec)  # type: ignore[attr-defined]
            s.add(m.AidReview(
                station_code=app.station_code, application_id=app.id, level=lvl.value,
                decision=dec.value, reviewer=reviewer.strip(), reviewed_on=on or self.today,
                opinion=opinion or None, amount_fen=amount_fen, updated_by=self.operator_id,
            ))
            app.state = new_state.value  # type: ignore[attr-defined]
            if amount_fen is not None and dec is enums.ReviewDecision.APPROVE:
                app.approved_fen = amount_fen  # type: ignore[attr-defined]
            app.updated_by = self.operator_id
            s.flush()
            return row_dict(app)

    def pay_aid(self, application_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
        with self.store.read() as s:
            app = self._live(s, "aid_application", application_id)
            if not enums.can_pay(enums.AidState(app.state)):  # type: ignore[attr-defined]
                raise ValidationError(
                    "state", "这笔帮扶还没有经过县级审批，不能登记发放。",
                    hint="请先完成村、镇、县三级审核。",
                )
        payment = self.create("aid_payment", {**data, "application_id": application_id})
        with self.store.write(self.operator_id) as s:
            app = self._live(s, "aid_application", application_id)
            app.state = enums.AidState.PAID.value  # type: ignore[attr-defined]
            app.updated_by = self.operator_id
        return payment

    def case_action(
        self, case_id: str, *, action: str, handler: str, note: str = "", on: date | None = None,
        outcome: str | None = None, satisfaction: str | None = None,
    ) -> dict[str, Any]:
        """Record a mediation step; 上报 raises the level one step (村 → 镇 → 县)."""
        act = enums.CaseAction.from_value_or_label(action)
        if not handler.strip():
            raise ValidationError("handler", "请填写经办人。")
        with self.store.write(self.operator_id) as s:
            case = self._live(s, "dispute_case", case_id)
            state = enums.next_case_state(enums.CaseState(case.state), act)  # type: ignore[attr-defined]
            from_level = case.level  # type: ignore[attr-defined]
            to_level = from_level
            if act is enums.CaseAction.ESCALATE:
                to_level = enums.escalate_level(enums.Level(from_level)).value
            elif act is enums.CaseAction.ASSIGN_DOWN:
                order = [lv.value for lv in enums.Level]
                idx = order.index(from_level)
                if idx == 0:
                    raise ValidationError("action", "已在村级，不能再下派。")
                to_level = order[idx - 1]
            when = on or self.today
            s.add(m.CaseStep(
                station_code=case.station_code, case_id=case.id, step_on=when, action=act.value,
                from_level=from_level, to_level=to_level, handler=handler.strip(),
                note=note or None, updated_by=self.operator_id,
            ))
            case.state = state.value  # type: ignore[attr-defined]
            case.level = to_level  # type: ignore[attr-defined]
            if act is enums.CaseAction.CLOSE:
                case.closed_on = when  # type: ignore[attr-defined]
                case.resolved_level = to_level  # type: ignore[attr-defined]
                case.outcome = outcome or note or None  # type: ignore[attr-defined]
            if satisfaction is not None:
                case.satisfaction = enums.Satisfaction.from_value_or_label(satisfaction).value  # type: ignore[attr-defined]
            case.updated_by = self.operator_id
            s.flush()
            return row_dict(case)

    def advance_honour(
        self, honour_id: str, state: str, *, on: date | None = None, deliverer: str | None = None,
        feedback: str | None = None,
    ) -> dict[str, Any]:
        new = enums.HonourState.from_value_or_label(state)
        with self.store.write(self.operator_id) as s:
            h = self._live(s, "honour", honour_id)
            allowed = enums.next_honour_states(enums.HonourKind(h.kind), enums.HonourState(h.state))  # type: ignore[attr-defined]
            if new not in allowed:
                raise ValidationError(
                    "state", f"“{enums.HonourState(h.state).label}”之后不能直接变为“{new.label}”。",  # type: ignore[attr-defined]
                    hint="可选：" + "、".join(x.label for x in allowed) if allowed else "已是最后一步。",
                )
            h.state = new.value  # type: ignore[attr-defined]
            if new in (enums.HonourState.HUNG, enums.HonourState.DELIVERED):
                h.done_on = on or self.today  # type: ignore[attr-defined]
            if deliverer:
                h.deliverer = deliverer  # type: ignore[attr-defined]
            if feedback:
                h.feedback = feedback  # type: ignore[attr-defined]
            h.updated_by = self.operator_id
            s.flush()
            return row_dict(h)

    def set_volunteer_hours(self, activity_id: str, minutes: Mapping[str, int]) -> int:
        """Record each member's minutes at one activity in one transaction (0 removes)."""
        for value in minutes.values():
            if not isinstance(value, int) or not 0 <= value <= 24 * 60:
                raise ValidationError("minutes", f"服务时长应在 0 到 1440 分钟之间，现在是 {value}。")
        with self.store.write(self.operator_id) as s:
            activity = self._live(s, "volunteer_activity", activity_id)
            existing = {
                h.member_id: h for h in s.scalars(select(m.VolunteerHours).where(
                    m.VolunteerHours.activity_id == activity_id,
                    m.VolunteerHours.deleted_at.is_(None)))
            }
            written = 0
            for member_id, value in minutes.items():
                self._live(s, "volunteer_member", member_id)
                row = existing.get(member_id)
                if value == 0:
                    if row is not None:
                        row.deleted_at = m.utc_now()
                        written += 1
                elif row is None:
                    s.add(m.VolunteerHours(station_code=activity.station_code, activity_id=activity_id,
                                           member_id=member_id, minutes=value,
                                           updated_by=self.operator_id))
                    written += 1
                elif row.minutes != value:
                    row.minutes = value
                    row.updated_by = self.operator_id
                    written += 1
            return written

    # --- reading a person's file -------------------------------------------

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
        from station_desktop.sync.bundle import pending_count

        return pending_count(self.store)


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





def json_list(value: str | list[str] | None) -> list[str]:
    """A JSON array column read through raw SQL."""
    if value is None:
        return []
    return value if isinstance(value, list) else list(json.loads(value))
