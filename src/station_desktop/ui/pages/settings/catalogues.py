"""目录: every catalogue kind and its entries, the rules in words."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from station_desktop.domain.catalogues import KIND_LABELS as CATALOGUE_LABELS
from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.settings.section import Section, button
from station_desktop.ui.table import RowsModel, make_table_view

#: How the assessment catalogues' rule values read (issue 7).
ASSESSMENT_RULE_TEXTS = {"points": "分值 {}", "min_score": "得分不低于 {} 分",
                         "pass_score": "五有得分不低于 {} 分为达标",
                         "pass_level": "{} 星级及以上为达标"}


def describe_entry(entry: CatalogueEntry, cats: Catalogues) -> str:
    """An entry's rule data in words a cadre reads (联系间隔 180 天, 7 天内必须走访 ...)."""
    d: Mapping[str, Any] = entry.data
    parts: list[str] = []
    if "group" in d:
        parts.append(f"分组：{d['group']}")
    if "contact_interval_days" in d:
        parts.append(f"每 {d['contact_interval_days']} 天至少联系一次")
    if "home_visit_interval_days" in d:
        parts.append(f"每 {d['home_visit_interval_days']} 天至少入户走访一次")
    if d.get("priority"):
        parts.append("重点对象（节日优先走访）")
    if "visit_within_days" in d:
        parts.append(f"发生后 {d['visit_within_days']} 天内必须走访（六必访）")
    if "visit_kind" in d:
        parts.append(f"走访类型：{cats.name('visit_kind', d['visit_kind'])}")
    if "counts_as_home_visit" in d:
        parts.append("算作入户走访" if d["counts_as_home_visit"] else "不算入户走访")
    if "default_fund" in d:
        parts.append(f"默认资金：{cats.name('aid_fund', d['default_fund'])}")
    if "month" in d and "day" in d:
        cal = "农历" if d.get("calendar") == "lunar" else "公历"
        parts.append(f"{cal}{d['month']}月{d['day']}日")
    if "window_before_days" in d or "window_after_days" in d:
        parts.append(f"节前 {d.get('window_before_days', 0)} 天至节后 "
                     f"{d.get('window_after_days', 0)} 天为慰问期")
    if "weight" in d:
        parts.append(f"分值 {d['weight']}")
    parts.extend(text_.format(d[key]) for key, text_ in ASSESSMENT_RULE_TEXTS.items() if key in d)
    if "age_priority" in d:
        parts.append(f"年满 {d['age_priority']} 岁为重点对象")
    if "key_focus_contact_interval_days" in d:
        parts.append(f"重点关注人员每 {d['key_focus_contact_interval_days']} 天联系一次")
    if "default_contact_interval_days" in d:
        parts.append(f"其他人员默认每 {d['default_contact_interval_days']} 天联系一次")
    known = {"group", "contact_interval_days", "home_visit_interval_days", "priority",
             "visit_within_days", "visit_kind", "counts_as_home_visit", "default_fund",
             "calendar", "month", "day", "window_before_days", "window_after_days", "weight",
             "age_priority", "key_focus_contact_interval_days", "default_contact_interval_days",
             "aliases", *ASSESSMENT_RULE_TEXTS}
    for key, value in d.items():
        if key not in known:
            parts.append(f"{key}：{json.dumps(value, ensure_ascii=False)}")
    if d.get("aliases"):
        parts.append("也叫：" + "、".join(d["aliases"]))
    return "；".join(parts)


class CataloguesSection(Section):
    """Every catalogue kind and its entries: read-only on a station, which can list what
    the county changed; editable on the county (issue 7)."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.cats: Catalogues | None = None
        self.county = ctx.store.meta("role") == "county"
        self.dialog: QDialog | None = None
        self.kinds = QListWidget()
        self.kinds.setObjectName("catalogue_kinds")
        self.kinds.setFixedWidth(190)
        self.kinds.setStyleSheet("QListWidget::item { padding: 4px 4px; }")
        self.model = RowsModel(["名称", "规则和说明", "状态", "代码"], parent=self)
        self.view = make_table_view(self.model, "catalogue_entries")
        self.view.setWordWrap(True)
        header = self.view.horizontalHeader()
        for col in (0, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        # Rules wrap over several lines: rows follow their text (the lists are short).
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        split = QHBoxLayout()
        split.addWidget(self.kinds)
        split.addWidget(self.view, 1)
        note = QLabel(
            "本机是县服务中心：在这里修改的目录（走访类型、各类人员联系间隔、六必访期限、帮扶类型和"
            "资金渠道、节日、评估表等），会随下一次发给各站点的数据包自动下发，站点的规则随之生效。"
            "条目不能删除，只能停用。" if self.county else
            "目录由县服务中心统一维护，本站只能查看，不能修改。县里更新目录后，"
            "会随数据交换自动下发到本站，各项规则（如联系间隔、六必访期限）随之生效。")
        note.setObjectName("catalogue_note")
        note.setWordWrap(True)
        note.setStyleSheet("background: #fff8e1; border: 1px solid #e6d28a; padding: 6px;")
        self.add_button = button("新增条目…", "catalogue_add")
        self.edit_button = button("修改…", "catalogue_edit")
        self.changes_label = QLabel("")
        self.changes_label.setObjectName("catalogue_changes")
        self.changes_button = button("查看县里的更新…", "catalogue_changes_button")
        buttons = QHBoxLayout()
        if self.county:
            buttons.addWidget(self.add_button)
            buttons.addWidget(self.edit_button)
            self.add_button.clicked.connect(self.add_entry)
            self.edit_button.clicked.connect(self.edit_entry)
            self.view.doubleClicked.connect(lambda _i: self.edit_entry())
        else:
            buttons.addWidget(self.changes_label, 1)
            buttons.addWidget(self.changes_button)
            self.changes_button.clicked.connect(self.show_county_changes)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addLayout(split, 1)
        self.kinds.currentRowChanged.connect(self._show_kind)

    def refresh(self) -> None:
        from station_desktop.store import catalogue_admin as ca

        ctx, county = self.ctx, self.county

        def load() -> tuple[Catalogues, int]:
            cats = ctx.catalogues()
            return ca.full_catalogues(cats), (0 if county else ca.unseen_count(ctx.store, cats))

        Op(self, load).success(lambda r: self._loaded(*r)).run()

    def _loaded(self, cats: Catalogues, unseen: int = 0) -> None:
        self.cats = cats
        self.changes_label.setText(f"县里更新了目录：{unseen} 处新的更改，请查看。" if unseen else "")
        self.changes_label.setStyleSheet("color: #b35900; font-weight: bold;" if unseen else "")
        current = self.kinds.currentItem().data(Qt.ItemDataRole.UserRole) \
            if self.kinds.currentItem() else None
        self.kinds.blockSignals(True)
        self.kinds.clear()
        for kind in cats.kinds():
            n = len(cats.entries(kind, active_only=False))
            item = QListWidgetItem(f"{CATALOGUE_LABELS.get(kind, kind)}（{n}）")
            item.setData(Qt.ItemDataRole.UserRole, kind)
            self.kinds.addItem(item)
        self.kinds.blockSignals(False)
        kinds = cats.kinds()
        self.kinds.setCurrentRow(kinds.index(current) if current in kinds else 0)
        self._show_kind(self.kinds.currentRow())

    def current_kind(self) -> str | None:
        item = self.kinds.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show_kind(self, row: int) -> None:
        from station_desktop.store.catalogue_admin import FIXED_KINDS

        item = self.kinds.item(row)
        if item is None or self.cats is None:
            self.model.set_rows([])
            return
        kind = item.data(Qt.ItemDataRole.UserRole)
        self.add_button.setEnabled(kind not in FIXED_KINDS)
        entries = self.cats.entries(kind, active_only=False)
        self.model.set_rows(
            [(e.name, describe_entry(e, self.cats), "使用中" if e.active else "已停用", e.code)
             for e in entries], keys=[e.code for e in entries])

    def _open_editor(self, entry: CatalogueEntry | None) -> QDialog | None:
        from station_desktop.ui.catalogue_editor import EntryDialog

        kind = self.current_kind()
        if kind is None or self.cats is None:
            return None
        dialog = EntryDialog(self.ctx, self.cats, kind, entry, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.refresh)
        dialog.open()
        self.dialog = dialog
        return dialog

    def add_entry(self) -> QDialog | None:
        return self._open_editor(None)

    def edit_entry(self) -> QDialog | None:
        kind, rows = self.current_kind(), self.view.selectionModel().selectedRows()
        if kind is None or not rows or self.cats is None:
            return None
        code = self.model.key_at(rows[0].row())
        return self._open_editor(self.cats.get(kind, code, active_only=False))

    def show_county_changes(self) -> QDialog:
        from station_desktop.ui.catalogue_editor import open_county_changes

        self.dialog = open_county_changes(self.ctx, self, self.refresh)
        return self.dialog
