"""变更历史: the change log of a person, one row per changed field, newest first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor

from station_desktop.domain.catalogues import Catalogues
from station_desktop.store.fields import PERSON_FIELDS
from station_desktop.ui.person_file.common import ListModel, field_text
from station_desktop.ui.person_file.records import RecordsTab
from station_desktop.ui.table import Column, local_time

# Columns of the change log that are bookkeeping, not content.
_HISTORY_SKIP = frozenset({"id", "station_code", "created_at", "updated_at", "updated_by", "hlc"})
_HISTORY_EXTRA = {"last_contact_on": "最近联系日期"}


class HistoryModel(ListModel):
    """变更历史 rows; the 操作 column is coloured by kind of change."""

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and index.isValid():
            rec = self.record(index.row())
            if rec and rec.get("op") == "删除" and index.column() == 2:
                return QBrush(QColor("#b00020"))
            return None
        return super().data(index, role)


def history_rows(history: Sequence[dict[str, Any]], operators: dict[str, str],
                 cats: Catalogues) -> list[dict[str, Any]]:
    """The change log of a person as table rows, newest first, one row per changed field."""
    groups: list[list[dict[str, Any]]] = []
    for entry in history:
        out: list[dict[str, Any]] = []
        groups.append(out)
        changes = entry.get("changes") or {}
        if isinstance(changes, str):
            changes = json.loads(changes)
        base = {"at": local_time(entry.get("at")),
                "operator": operators.get(entry.get("operator_id") or "", "") or "（未记录）"}
        seq = entry.get("seq")
        if entry.get("op") == "I":
            out.append({**base, "id": f"{seq}", "op": "建档", "field": "",
                        "old": "", "new": "建立档案"})
            continue
        if entry.get("op") == "D":
            out.append({**base, "id": f"{seq}", "op": "删除", "field": "",
                        "old": "", "new": "记录被清除"})
            continue
        n = 0
        for name, pair in changes.items():
            if name in _HISTORY_SKIP:
                continue
            old, new = (pair if isinstance(pair, list) and len(pair) == 2 else (None, pair))
            n += 1
            if name == "deleted_at":
                op = "删除" if new else "恢复"
                text = "移入回收站" if new else "从回收站恢复"
                out.append({**base, "id": f"{seq}.{n}", "op": op, "field": "", "old": "",
                            "new": text})
                continue
            label = (PERSON_FIELDS[name].label if name in PERSON_FIELDS
                     else _HISTORY_EXTRA.get(name, name))
            out.append({**base, "id": f"{seq}.{n}", "op": "修改", "field": label,
                        "old": field_text(name, old, cats) or "（空）",
                        "new": field_text(name, new, cats) or "（空）"})
    return [row for rows in reversed(groups) for row in rows]


def history_tab() -> RecordsTab:
    """变更历史: who changed what, when; deletions in red."""
    return RecordsTab("history", [
        Column("at", "时间", width=130),
        Column("operator", "操作员", width=80),
        Column("op", "操作", width=60),
        Column("field", "项目", width=110),
        Column("old", "原来", width=180),
        Column("new", "改为", width=180),
    ], "没有变更记录。", HistoryModel)
