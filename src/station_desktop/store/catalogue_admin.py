"""The county edits its catalogues; a station sees what the county changed (issue 7, item 5).

Only a county installation edits (:func:`station_desktop.services.catalogues.save_entry`,
a unit of work that also needs an administrator). An edit is an
ordinary captured write to ``catalogue_item``, so the sync export carries it
down to every station in its next return bundle, where the county's row
always wins (matched by kind + code). Entries are never deleted, only
made inactive, so old records still show their names.

Which rule values (``data`` keys) each kind has, with their Chinese labels
and limits, is :data:`RULE_FIELDS`; the GUI builds its editor from it and
the station's change list uses the same labels.

On a station, :func:`county_changes` lists the catalogue changes that came
from the county (``change_log`` rows on ``catalogue_item`` whose origin is
the county), with old and new values in words; ``meta`` remembers up to
which change the clerk has looked (written by
:func:`station_desktop.services.catalogues.mark_seen`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from station_desktop.domain.catalogues import KIND_LABELS, CatalogueEntry, Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.store.db import Store

SEEN_KEY = "catalogue_changes_seen_seq"


@dataclass(frozen=True)
class RuleField:
    key: str
    label: str
    type: str  # int, bool, text, choice
    low: int = 0
    high: int = 3650
    choices_kind: str | None = None  # a catalogue kind the value is a code of
    choices: tuple[tuple[str, str], ...] = ()  # fixed (value, label) pairs
    unit: str = ""


def _days(key: str, label: str) -> RuleField:
    return RuleField(key, label, "int", 1, 3650, unit="天")


#: The rule values of each kind the county edits (besides name, order and 停用).
RULE_FIELDS: dict[str, tuple[RuleField, ...]] = {
    "person_category": (
        _days("contact_interval_days", "联系间隔"),
        _days("home_visit_interval_days", "入户走访间隔"),
        RuleField("priority", "重点对象", "bool"),
        RuleField("group", "分组", "text"),
    ),
    "visit_kind": (RuleField("counts_as_home_visit", "算作入户走访", "bool"),),
    "life_event": (
        _days("visit_within_days", "必须走访的期限"),
        RuleField("visit_kind", "走访类型", "choice", choices_kind="visit_kind"),
    ),
    "aid_type": (RuleField("default_fund", "默认资金渠道", "choice", choices_kind="aid_fund"),),
    "holiday": (
        RuleField("calendar", "历法", "choice", choices=(("solar", "公历"), ("lunar", "农历"))),
        RuleField("month", "月", "int", 1, 12),
        RuleField("day", "日", "int", 1, 31),
        RuleField("window_before_days", "节前慰问天数", "int", 0, 90, unit="天"),
        RuleField("window_after_days", "节后慰问天数", "int", 0, 90, unit="天"),
    ),
    "wuyou": (RuleField("weight", "分值", "int", 0, 100, unit="分"),),
    "star_sheet": (
        RuleField("group", "大项", "text"),
        RuleField("points", "分值", "int", 0, 100, unit="分"),
    ),
    "star_level": (RuleField("min_score", "最低得分", "int", 0, 1000, unit="分"),),
    "assessment_rule": (
        RuleField("pass_score", "五有达标得分", "int", 0, 100, unit="分"),
        RuleField("pass_level", "达标星级", "int", 0, 5, unit="星"),
    ),
    "settings": (
        RuleField("age_priority", "重点对象年龄", "int", 1, 120, unit="岁"),
        _days("key_focus_contact_interval_days", "重点关注人员联系间隔"),
        _days("default_contact_interval_days", "默认联系间隔"),
        _days("home_visit_interval_days", "入户走访间隔"),
    ),
}

#: Kinds whose entries are parameters, not a list: no new entries.
FIXED_KINDS = {"settings", "assessment_rule", "star_level"}


def fields_of(kind: str, entry: CatalogueEntry | None = None) -> tuple[RuleField, ...]:
    """The rule fields shown for ``entry`` (only those it has, for mixed kinds)."""
    found = RULE_FIELDS.get(kind, ())
    if entry is not None and kind in ("settings", "assessment_rule"):
        found = tuple(f for f in found if f.key in entry.data)
    return found


def full_catalogues(cats: Catalogues) -> Catalogues:
    """``cats`` plus the built-in default of every kind it lacks (new in this program)."""
    have = set(cats.kinds())
    extra = [e for e in Catalogues.defaults().all_entries() if e.kind not in have]
    return Catalogues([*cats.all_entries(), *extra]) if extra else cats


def clean_value(f: RuleField, value: Any, cats: Catalogues) -> Any:
    if f.type == "bool":
        return bool(value)
    if f.type == "int":
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise ValidationError(f.key, f"“{f.label}”应为整数。") from None
        if not f.low <= n <= f.high:
            raise ValidationError(f.key, f"“{f.label}”应在 {f.low} 到 {f.high} 之间，不是 {n}。")
        return n
    value = str(value or "").strip()
    if f.type == "choice":
        allowed = ([e.code for e in cats.entries(f.choices_kind)] if f.choices_kind
                   else [v for v, _ in f.choices])
        if value not in allowed:
            raise ValidationError(f.key, f"“{f.label}”不能选“{value}”。")
        return value
    if not value or len(value) > 50:
        raise ValidationError(f.key, f"“{f.label}”不能为空，且不超过 50 字。")
    return value


# --- what the county changed, on a station ------------------------------------------------


@dataclass(frozen=True)
class CatalogueChange:
    seq: int
    at: str  # UTC ISO
    kind: str
    code: str
    name: str
    what: str  # in words: 联系间隔：180天 → 90天

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def _shown(f: RuleField | None, value: Any, cats: Catalogues) -> str:
    if value is None:
        return "（无）"
    if f is None:
        return json.dumps(value, ensure_ascii=False)
    if f.type == "bool":
        return "是" if value else "否"
    if f.type == "choice":
        if f.choices_kind:
            return cats.name(f.choices_kind, str(value))
        return dict(f.choices).get(str(value), str(value))
    return f"{value}{f.unit}"


def describe_change(kind: str, changes: Mapping[str, Any], cats: Catalogues) -> str:
    """A catalogue row's ``{field: [old, new]}`` change in words."""
    parts: list[str] = []
    fields = {f.key: f for f in RULE_FIELDS.get(kind, ())}
    for name, pair in changes.items():
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        if name == "name":
            parts.append(f"名称：{old} → {new}")
        elif name == "active":
            parts.append("恢复使用" if new else "停用")
        elif name == "data":
            before = json.loads(old) if isinstance(old, str) else dict(old or {})
            after = json.loads(new) if isinstance(new, str) else dict(new or {})
            for key in [*before, *[k for k in after if k not in before]]:
                if before.get(key) != after.get(key) and key != "aliases":
                    f = fields.get(key)
                    label = f.label if f else key
                    parts.append(f"{label}：{_shown(f, before.get(key), cats)} → "
                                 f"{_shown(f, after.get(key), cats)}")
            if before.get("aliases") != after.get("aliases"):
                parts.append("别名已更新")
        elif name == "sort":
            parts.append("排列顺序调整")
    return "；".join(parts)


def county_codes(store: Store) -> list[str]:
    with store.read() as s:
        return [c for (c,) in s.execute(text(
            "SELECT code FROM sync_peer WHERE relation = 'county'"))]


def county_changes(store: Store, cats: Catalogues, *, since_seq: int = 0,
                   limit: int = 500) -> list[CatalogueChange]:
    """Catalogue changes that came from the county after ``since_seq``, newest first."""
    origins = county_codes(store)
    if not origins:
        return []
    marks = ", ".join(f":o{i}" for i in range(len(origins)))
    params: dict[str, Any] = {f"o{i}": c for i, c in enumerate(origins)}
    params.update(since=since_seq, lim=limit)
    with store.read() as s:
        rows = s.execute(text(
            "SELECT l.seq, l.at, l.op, l.changes, c.kind, c.code, c.name FROM change_log l "
            "JOIN catalogue_item c ON c.id = l.row_id "
            f"WHERE l.table_name = 'catalogue_item' AND l.origin IN ({marks}) "
            "AND l.seq > :since ORDER BY l.seq DESC LIMIT :lim"), params).all()
    out: list[CatalogueChange] = []
    for seq, at, op, changes, kind, code, name in rows:
        if op == "I":
            what = "新增"
        else:
            what = describe_change(kind, json.loads(changes) if changes else {}, cats)
        if what:
            out.append(CatalogueChange(seq, at, kind, code, name, what))
    return out


def seen_seq(store: Store) -> int:
    return int(store.meta(SEEN_KEY, "0") or 0)


def unseen_count(store: Store, cats: Catalogues) -> int:
    return len(county_changes(store, cats, since_seq=seen_seq(store)))
