"""Conflict resolution and transfers (county): ordinary local changes, one unit of work each.

Resolving a conflict writes like any local edit, so it travels on in the
next bundle and settles the other side's list too:

- ``keep``: the current value stays; the entry is closed.
- ``take``: the losing value is written back (a new change with a new clock).
- ``edit``: a value typed by the person is written (cleaned as a form would).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import text

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import NotFoundError, StationError, ValidationError
from station_desktop.domain.validate import parse_station_code
from station_desktop.store import county_summary
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.fields import FIELDS, clean_record
from station_desktop.store.models import utc_now
from station_desktop.sync.records import follow_parents
from station_desktop.sync.review import EDIT, KEEP, TAKE


def resolve(store: Store, conflict_id: int, action: str, value: Any = None, *,
            operator_id: str | None = None) -> None:
    """Close a conflict: keep the current value, take the losing one, or write ``value``."""
    if action not in (KEEP, TAKE, EDIT):
        raise ValidationError("action", f"不认识的处理方式“{action}”。", hint="请选择保留、采用或修改。")
    if action == EDIT and value is None:
        # "edit" with nothing typed would silently empty the field.
        raise ValidationError("value", "改为新值时需要给出新值。", hint="请填写要改成的值。")
    with store.write(operator_id) as s:
        row = s.execute(text("SELECT * FROM sync_conflict WHERE id = :i"),
                        {"i": conflict_id}).mappings().first()
        if row is None:
            raise NotFoundError("找不到这条冲突记录。", hint="列表可能已更新，请刷新后再试。")
        if row["resolved_at"] is not None:
            raise StationError("这条冲突已经处理过了。", hint="请刷新列表。", code="already_resolved")
        table, field, rid = row["table_name"], row["field"], row["row_id"]
        if action != KEEP:
            new = json.loads(row["lost_value"]) if action == TAKE else value
            if action == EDIT and field != "deleted_at":
                kind = table
                if kind in FIELDS and field in FIELDS[kind]:
                    new = clean_record(kind, {field: value}, Catalogues.defaults(),
                                       today=date.today(), partial=True)[field]
                    new = _to_db(new)
            exists = s.execute(text(f'SELECT 1 FROM "{table}" WHERE id = :i'), {"i": rid}).first()
            if exists is None:
                raise NotFoundError("这条记录已不在本站（可能已迁出）。", hint="请选择“保留现值”关闭此冲突。")
            s.execute(text(f'UPDATE "{table}" SET "{field}" = :v, updated_at = :now, '
                           f"updated_by = :op WHERE id = :i"),
                      {"v": new, "now": utc_now(), "op": operator_id, "i": rid})
        s.execute(text("UPDATE sync_conflict SET resolved_at = :now, resolution = :a, "
                       "resolved_by = :op WHERE id = :i"),
                  {"now": utc_now(), "a": action, "op": operator_id, "i": conflict_id})


def _to_db(value: Any) -> Any:
    """A cleaned Python value as SQLite stores it (dates as ISO text, lists as JSON)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "value"):
        return value.value
    return value


# --- transfers (county) ---------------------------------------------------------

def transfer_person(store: Store, person_id: str, to_code: str, *,
                    operator_id: str | None = None) -> dict[str, int]:
    """Move a person's file and history to station ``to_code`` (county only).

    The rows keep their ids, so nothing is duplicated: the new station gets
    them in its next return bundle, the old one is told they moved out.
    Volunteer memberships stay with the old station's team, unlinked from the
    person, so that team's history of hours is kept.
    """
    if store.meta("role") != "county":
        raise StationError("只有县级服务中心可以办理人员迁移。",
                           hint="请向县退役军人服务中心申请迁移。")
    to_code = parse_station_code(to_code).code
    moved: dict[str, int] = {}
    with store.write(operator_id) as s:
        person = s.get(m.Person, person_id)
        if person is None:
            raise NotFoundError("找不到这个人员。", hint="请刷新后再试。")
        if person.station_code == to_code:
            raise StationError(f"{person.name} 已在服务站 {to_code}。", hint="无需迁移。")
        peer = s.get(m.SyncPeer, to_code)
        if peer is None or peer.state != "active":
            raise NotFoundError(f"服务站 {to_code} 尚未登记。", hint="请先接受该站的登记申请。")
        from_code = person.station_code
        now = utc_now()
        s.execute(text("UPDATE person SET station_code = :to, updated_at = :now, updated_by = :op "
                       "WHERE id = :p"), {"to": to_code, "now": now, "op": operator_id,
                                          "p": person_id})
        moved["person"] = 1
        moved.update(follow_parents(lambda sql, params: s.execute(text(sql), params).rowcount,
                                    from_code, now))
        n = s.execute(text("UPDATE volunteer_member SET person_id = NULL, "
                           "left_on = coalesce(left_on, :today), updated_at = :now WHERE person_id = :p"),
                      {"today": now[:10], "now": now, "p": person_id}).rowcount
        if n:
            moved["volunteer_member_unlinked"] = n
        s.add(m.AuditEvent(operator_id=operator_id, action="transfer",
                           detail={"person": person_id, "from": from_code, "to": to_code,
                                   "rows": moved}))
        # The rows left the old station without a change logged under its code.
        county_summary.refresh_session(s, [from_code, to_code])
    return moved
