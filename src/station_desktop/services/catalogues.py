"""The county edits its catalogues; a station notes which of the county's changes it has seen.

:func:`save_entry` is an ordinary captured write to ``catalogue_item``, so the
sync export carries it to every station in its next return bundle. Only a
county installation's administrator edits. The rule fields, their limits and
the change list are in :mod:`station_desktop.store.catalogue_admin`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from station_desktop.domain.catalogues import KIND_LABELS, Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.services.permissions import acting_operator, require_catalogue_editor
from station_desktop.store import models as m
from station_desktop.store.catalogue_admin import (
    FIXED_KINDS,
    SEEN_KEY,
    CatalogueChange,
    clean_value,
    county_changes,
    fields_of,
    full_catalogues,
    seen_seq,
)
from station_desktop.store.db import Store


def save_entry(store: Store, cats: Catalogues, operator_id: str | None, kind: str,
               code: str | None, *, name: str, active: bool = True, sort: int | None = None,
               data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Create (``code`` None) or change one catalogue entry; county only.

    ``data`` holds the rule values to set (keys of :data:`RULE_FIELDS`);
    other keys the entry has (aliases, ...) are kept. A kind the database
    does not hold yet is first seeded with its built-in defaults, so the
    stations receive the whole kind. Refused on a village or town, and for
    an operator who is not an active administrator.
    """
    with store.write(operator_id) as s:
        require_catalogue_editor(s, operator_id)
        return _save_entry(s, full_catalogues(cats), operator_id, kind, code, name=name,
                           active=active, sort=sort, data=data)


def _save_entry(s: Session, cats: Catalogues, operator_id: str | None, kind: str,
                code: str | None, *, name: str, active: bool, sort: int | None,
                data: Mapping[str, Any] | None) -> dict[str, Any]:
    if kind not in KIND_LABELS:
        raise ValidationError("kind", f"没有“{kind}”这个目录。")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("name", "名称不能为空，且不超过 100 字。")
    existing = {e.code: e for e in cats.entries(kind, active_only=False)}
    if code is None and kind in FIXED_KINDS:
        raise ValidationError("kind", f"“{KIND_LABELS[kind]}”是固定的参数，不能新增条目。")
    if code is not None and code not in existing:
        raise ValidationError("code", f"{KIND_LABELS[kind]}目录中没有代码“{code}”。")
    entry = existing.get(code) if code else None
    for other in existing.values():
        if other.name == name and other.code != code:
            raise ValidationError("name", f"{KIND_LABELS[kind]}目录中已有“{name}”。")
    new_data = dict(entry.data) if entry else {}
    for f in fields_of(kind, entry):
        if data is not None and f.key in data:
            new_data[f.key] = clean_value(f, data[f.key], cats)
        elif entry is None and f.key not in new_data:
            raise ValidationError(f.key, f"请填写“{f.label}”。")
    if sort is None:
        sort = entry.sort if entry else max((e.sort for e in existing.values()), default=0) + 10
    own = s.execute(text("SELECT value FROM meta WHERE key = 'station_code'")).scalar() or ""
    have = s.execute(text("SELECT count(*) FROM catalogue_item WHERE kind = :k"),
                     {"k": kind}).scalar()
    if not have:  # a kind new in this program: seed it so stations get it whole
        for e in Catalogues.defaults().entries(kind, active_only=False):
            s.add(m.CatalogueItem(station_code=own, kind=e.kind, code=e.code, name=e.name,
                                  sort=e.sort, active=e.active, data=dict(e.data),
                                  updated_by=operator_id))
        s.flush()
    if code is None:
        code = f"c{uuid.uuid4().hex[:8]}"
        obj = m.CatalogueItem(station_code=own, kind=kind, code=code, name=name, sort=sort,
                              active=bool(active), data=new_data, updated_by=operator_id)
        s.add(obj)
    else:
        obj = s.query(m.CatalogueItem).filter_by(kind=kind, code=code).one()
        obj.name, obj.sort, obj.active, obj.data = name, sort, bool(active), new_data
        obj.updated_by = operator_id
    s.flush()
    return {"kind": kind, "code": code, "name": obj.name, "active": obj.active,
            "sort": obj.sort, "data": dict(obj.data)}


def mark_seen(store: Store, operator_id: str | None, seq: int) -> None:
    """Remember that the clerk has looked at the county's changes up to ``seq``."""
    with store.write(operator_id) as s:
        acting_operator(s, operator_id)
        s.execute(text("INSERT INTO meta (key, value) VALUES (:k, :v) "
                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                  {"k": SEEN_KEY, "v": str(int(seq))})


def look_at_county_changes(store: Store, cats: Catalogues, operator_id: str | None
                           ) -> tuple[list[CatalogueChange], int]:
    """The county's catalogue changes, newest first, and up to which one had been seen
    before; the newest is remembered as seen from now on (reading them is the clerk
    looking at them)."""
    seen = seen_seq(store)
    changes = county_changes(store, cats)
    if changes and changes[0].seq > seen:
        mark_seen(store, operator_id, changes[0].seq)
    return changes, seen
