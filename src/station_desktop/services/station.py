"""The station's records and workflows: every change is one unit of work.

Each public method is one transaction (one ``store.write``) with change
capture and audit done by the triggers, attributed to the service's
operator. Methods take and return plain values and dicts, never live ORM
objects, so callers (a Qt worker thread, the CLI) hold no Session.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain import enums, rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from station_desktop.domain.idnumber import apply_to_record, parse_id_number
from station_desktop.domain.validate import parse_station_code, refuse_end_before_start
from station_desktop.services import visit_rules
from station_desktop.services.permissions import acting_operator, require_owner
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.fields import FIELDS, clean_record
from station_desktop.store.reader import KIND_LABELS, StationReader, json_list, row_dict

__all__ = ["KIND_LABELS", "Service", "json_list", "row_dict"]


class Service(StationReader):
    """Everything a station does to its records, for one operator."""

    def __init__(self, store: Store, operator_id: str | None = None, *, today: date | None = None):
        super().__init__(store, today=today)
        self.operator_id = operator_id

    @contextmanager
    def _unit(self, kind: str) -> Iterator[Session]:
        """One unit of work on records of ``kind``: one transaction, after the check of who
        may write them (an active operator; an administrator for operators). Catalogues
        are no record kind here: services/catalogues.py edits them."""
        with self.store.write(self.operator_id) as s:
            acting_operator(s, self.operator_id, admin=kind == "operator")
            yield s

    def _own(self, s: Session, kind: str, row_id: str) -> m.Synced:
        """A live record this installation may change (see ``permissions.require_owner``)."""
        obj = self._live(s, kind, row_id)
        require_owner(s, obj)
        return obj

    def _check_refs(self, s: Session, kind: str, data: Mapping[str, Any]) -> None:
        for name, f in FIELDS[kind].items():
            if f.type == "ref" and data.get(name):
                self._live(s, f.arg, data[name])


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


    def create(self, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
        values = clean_record(kind, data, self.catalogues(), today=self.today)
        station_code = self.station_code
        with self._unit(kind) as s:
            return row_dict(self._insert(s, kind, values, station_code))

    def _insert(self, s: Session, kind: str, values: dict[str, Any],
                station_code: str) -> m.Synced:
        """Add one cleaned record inside the caller's transaction, with what follows from it."""
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
        return obj

    def update(self, kind: str, row_id: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        values = clean_record(kind, changes, self.catalogues(), today=self.today, partial=True)
        with self._unit(kind) as s:
            obj = self._own(s, kind, row_id)
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
        with self._unit(kind) as s:
            obj = self._own(s, kind, row_id)
            obj.deleted_at = m.utc_now()
            obj.updated_by = self.operator_id
            s.flush()
            if kind == "visit":
                self._refresh_last_contact(s, obj.person_id)  # type: ignore[attr-defined]

    def restore(self, kind: str, row_id: str) -> dict[str, Any]:
        with self._unit(kind) as s:
            obj = s.get(self._model(kind), row_id)
            if obj is None:
                raise NotFoundError(f"找不到记录 {row_id}。", code="not_found")
            require_owner(s, obj)
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
        if kind == "campaign":
            refuse_end_before_start(values.get("start_on"), values.get("end_on"))
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
        s.flush()
        visit_rules.refresh_last_contact(visit_rules.raw_connection(s), [person_id],
                                         operator_id=self.operator_id, now=m.utc_now())
        s.expire_all()  # the rule wrote beside the ORM: reload what it may have changed

    def _visit_written(self, s: Session, visit: m.Visit) -> None:
        """Keep the person's last contact date and close the life event the visit answers."""
        self._live(s, "person", visit.person_id)
        if visit.life_event_id:
            self._live(s, "life_event", visit.life_event_id)
        s.flush()
        visit_rules.visits_written(
            visit_rules.raw_connection(s),
            [visit_rules.WrittenVisit(visit.id, visit.person_id, visit.kind,
                                      visit_rules.iso(visit.visit_date), visit.life_event_id)],
            self.catalogues(), operator_id=self.operator_id, now=m.utc_now())
        s.expire_all()


    def review_aid(
        self, application_id: str, *, level: str, decision: str, reviewer: str,
        opinion: str = "", amount_fen: int | None = None, on: date | None = None,
    ) -> dict[str, Any]:
        """One step of the 村 → 镇 → 县 review path."""
        lvl = enums.Level.from_value_or_label(level)
        dec = enums.ReviewDecision.from_value_or_label(decision)
        if not reviewer.strip():
            raise ValidationError("reviewer", "请填写审核人。")
        with self._unit("aid_application") as s:
            app = self._own(s, "aid_application", application_id)
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
        """Record a payment and mark the application paid: both or neither."""
        values = clean_record("aid_payment", {**data, "application_id": application_id},
                              self.catalogues(), today=self.today)
        station_code = self.station_code
        with self._unit("aid_payment") as s:
            app = self._own(s, "aid_application", application_id)
            if not enums.can_pay(enums.AidState(app.state)):  # type: ignore[attr-defined]
                raise ValidationError(
                    "state", "这笔帮扶还没有经过县级审批，不能登记发放。",
                    hint="请先完成村、镇、县三级审核。",
                )
            payment = self._insert(s, "aid_payment", values, station_code)
            app.state = enums.AidState.PAID.value  # type: ignore[attr-defined]
            app.updated_by = self.operator_id
            s.flush()
            return row_dict(payment)

    def case_action(
        self, case_id: str, *, action: str, handler: str, note: str = "", on: date | None = None,
        outcome: str | None = None, satisfaction: str | None = None,
    ) -> dict[str, Any]:
        """Record a mediation step; 上报 raises the level one step (村 → 镇 → 县)."""
        act = enums.CaseAction.from_value_or_label(action)
        if not handler.strip():
            raise ValidationError("handler", "请填写经办人。")
        with self._unit("dispute_case") as s:
            case = self._own(s, "dispute_case", case_id)
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
        with self._unit("honour") as s:
            h = self._own(s, "honour", honour_id)
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
        with self._unit("volunteer_hours") as s:
            activity = self._own(s, "volunteer_activity", activity_id)
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
                        row.updated_by = self.operator_id
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
