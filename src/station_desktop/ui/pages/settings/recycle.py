"""回收站: deleted records, with 恢复."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QAbstractItemView, QTableView, QVBoxLayout

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import StationError
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.pages.reports import local_time
from station_desktop.ui.pages.settings.section import Section, button, hint
from station_desktop.ui.table import RowsModel, make_table_view
from station_desktop.ui.widgets import STRETCH, hbox, text_label


class RecycleSection(Section):
    """Deleted records, with 恢复."""

    def __init__(self, ctx: AppContext):
        super().__init__(ctx)
        self.entries: list[dict[str, Any]] = []
        self.restore_button = button("恢复所选记录", "restore_records")
        self.refresh_button = button("刷新", "refresh_recycle")
        bar = hbox(self.restore_button, self.refresh_button, STRETCH)
        self.message = text_label("", "recycle_message", wrap=True)
        self.model = RowsModel(["类别", "内容", "涉及人员", "删除时间"], parent=self)
        self.view: QTableView = make_table_view(self.model, "recycle_table")
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        state = ctx.config.state("settings_recycle_header")
        if state is not None:
            self.view.horizontalHeader().restoreState(state)
        self.empty = hint("回收站是空的。")
        layout = QVBoxLayout(self)
        layout.addWidget(hint("删除的记录先放在这里，没有真正删掉。选中一条或多条（按住 Ctrl 可多选），"
                              "点“恢复所选记录”就放回原处。"))
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        self.restore_button.clicked.connect(self.restore_selected)
        self.refresh_button.clicked.connect(self.refresh)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self._update()

    def refresh(self) -> None:
        ctx = self.ctx

        def load() -> tuple[list[dict[str, Any]], Catalogues]:
            return ctx.service.recycle_bin(), ctx.catalogues()

        Op(self, load).success(lambda r: self._show(*r)).run()

    def _show(self, entries: list[dict[str, Any]], cats: Catalogues) -> None:
        self.entries = entries
        rows = []
        for e in entries:
            rows.append((e["kind_label"], e["label"], e["person_name"],
                         local_time(e["deleted_at"])))
        self.model.set_rows(rows, keys=[(e["kind"], e["id"]) for e in entries])
        self.empty.setVisible(not entries)
        self._update()

    def _update(self) -> None:
        n = len(self.view.selectionModel().selectedRows())
        self.restore_button.setEnabled(n > 0)
        self.restore_button.setText(f"恢复所选记录（{n} 条）" if n > 1 else "恢复所选记录")

    def select_row(self, row: int) -> None:
        self.view.selectRow(row)

    def restore_selected(self) -> None:
        keys = [self.model.key_at(i.row()) for i in self.view.selectionModel().selectedRows()]
        keys = [k for k in keys if k]
        if not keys:
            return
        svc = self.ctx.service

        def work() -> tuple[list[str], list[tuple[str, BaseException]]]:
            restored: list[str] = []
            refused: list[tuple[str, BaseException]] = []
            for kind, row_id in keys:
                try:
                    svc.restore(kind, row_id)
                    restored.append(kind)
                except StationError as exc:
                    refused.append((kind, exc))
            return restored, refused

        def done(result: tuple[list[str], list[tuple[str, BaseException]]]) -> None:
            restored, refused = result
            text_ = f"已恢复 {len(restored)} 条记录。" if restored else ""
            if refused:
                text_ += "有 {} 条没有恢复：{}".format(
                    len(refused), "；".join(exc.user_text() for _k, exc in refused
                                           if isinstance(exc, StationError)))
            self._message(self.message, text_, error=bool(refused))
            for kind in sorted(set(restored)):
                self.ctx.data_changed.emit(kind)
            self.refresh()

        Op(self, work).success(done).run()

    def save_state(self) -> None:
        self.ctx.config.save_state("settings_recycle_header",
                                   self.view.horizontalHeader().saveState())
