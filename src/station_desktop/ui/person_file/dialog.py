"""The person's file dialog: title, summary, actions, and a tab per part of the file.

Non-modal, one per person (opening the same person again raises the open
one). The parts are modules of their own: the record sections
(:mod:`.sections`), the lists of records (:mod:`.records`) and the change
history (:mod:`.history`).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from station_desktop.domain import enums
from station_desktop.domain.catalogues import Catalogues
from station_desktop.store import roster
from station_desktop.store.display import enum_label
from station_desktop.ui.context import AppContext
from station_desktop.ui.errors import show_error
from station_desktop.ui.ops import Op
from station_desktop.ui.person_file.common import (
    BANNER_STYLE,
    MUTED_STYLE,
    alive,
    birth_and_age,
    button,
    confirm,
)
from station_desktop.ui.person_file.history import history_rows, history_tab
from station_desktop.ui.person_file.records import (
    FamilyTab,
    aid_tab,
    cases_tab,
    honours_tab,
    visits_tab,
)
from station_desktop.ui.person_file.sections import SECTIONS, SectionTab
from station_desktop.ui.table import local_time
from station_desktop.ui.widgets import text_label

#: Record kinds whose change may alter what an open file shows.
RELOAD_KINDS = frozenset({
    "*", "person", "family_member", "visit", "life_event", "aid_application", "aid_review",
    "aid_payment", "dispute_case", "case_step", "honour",
})


class PersonFileDialog(QDialog):
    """A person's whole file. Non-modal: ``open()`` shows it beside the main window."""

    #: Open files by person id: opening the same person again raises the open one.
    opened: dict[str, PersonFileDialog] = {}

    def __init__(self, ctx: AppContext, person_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.person_id = ctx, person_id
        self.setObjectName("person_file")
        self.setWindowTitle("人员档案")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.cats: Catalogues = Catalogues.defaults()
        self.data: dict[str, Any] | None = None
        self.loaded = False
        self.confirm_box: QMessageBox | None = None
        self._seq = 0

        self.title = text_label("正在读取档案…", "file_title",
                                style="font-size: 20px; font-weight: bold;")
        self.summary = text_label("", "file_summary", style=MUTED_STYLE, wrap=True)
        self.banner = text_label("", "deleted_banner", style=BANNER_STYLE, wrap=True)
        self.banner.hide()
        self.notice = text_label("", "file_notice", style="color: #1b5e20;")

        self.visit_button = button("记录走访", "file_record_visit",
                                    "为此人记录一次走访或联系（Ctrl+R）")
        self.visit_button.setShortcut(QKeySequence("Ctrl+R"))
        self.print_button = button("打印手册", "file_print", "打印此人的建档立卡手册（先预览）")
        self.delete_button = button("删除档案", "file_delete", "移入回收站，可以恢复")
        self.restore_button = button("恢复档案", "file_restore", "从回收站恢复此档案")
        self.close_button = button("关闭", "file_close")
        self.visit_button.clicked.connect(self.record_visit)
        self.print_button.clicked.connect(self.print_booklet)
        self.delete_button.clicked.connect(self.delete_person)
        self.restore_button.clicked.connect(self.restore_person)
        self.close_button.clicked.connect(self.close)
        for b in (self.visit_button, self.delete_button, self.restore_button):
            b.setEnabled(False)
        self.restore_button.hide()

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.summary)
        head.addLayout(titles, 1)
        for b in (self.visit_button, self.print_button, self.delete_button, self.restore_button,
                  self.close_button):
            head.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("file_tabs")
        self.sections: dict[str, SectionTab] = {}
        for key, title, fields in SECTIONS:
            tab = SectionTab(self, key, title, fields)
            self.sections[key] = tab
            self.tabs.addTab(tab, title)
        self.family = FamilyTab(self)
        self.tabs.addTab(self.family, "家庭成员")
        self.visits = visits_tab(self)
        self.visit_tab_button = self.visits.add_button("记录走访", "tab_record_visit",
                                                       self.record_visit)
        self.tabs.addTab(self.visits, "走访记录")
        self.aid = aid_tab(self)
        self.tabs.addTab(self.aid, "帮扶记录")
        self.cases = cases_tab(self)
        self.tabs.addTab(self.cases, "矛盾纠纷")
        self.honours = honours_tab(self)
        self.tabs.addTab(self.honours, "荣誉")
        self.history = history_tab()
        self.tabs.addTab(self.history, "变更历史")

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.notice)
        self.resize(960, 700)
        state = ctx.config.state("person_file")
        if state is not None:
            self.restoreGeometry(state)
        ctx.data_changed.connect(self._on_data_changed)
        self.reload()

    # --- showing -------------------------------------------------------------------

    def open(self) -> None:  # noqa: A003 - QDialog.open, made non-modal
        """Show beside the main window (not modal); a second open of one person raises it."""
        other = PersonFileDialog.opened.get(self.person_id)
        if other is not None and other is not self:
            try:
                other.raise_()
                other.activateWindow()
                self.deleteLater()
                return
            except RuntimeError:  # the other one is already gone
                pass
        PersonFileDialog.opened[self.person_id] = self
        self.setModal(False)
        self.show()
        self.raise_()
        self.activateWindow()

    def reload(self) -> None:
        self._seq += 1
        seq = self._seq
        ctx, pid = self.ctx, self.person_id

        def load() -> tuple[dict[str, Any], dict[str, str], Catalogues]:
            return (ctx.service.person_file(pid), roster.operator_names(ctx.store),
                    ctx.catalogues())

        Op(self, load).success(lambda r: self._show(seq, *r)).failure(self._load_failed).run()

    def _load_failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self.title.setText("无法打开档案")
        show_error(self, exc)

    def _show(self, seq: int, data: dict[str, Any], operators: dict[str, str],
              cats: Catalogues) -> None:
        if seq != self._seq or not alive(self):
            return
        self.data, self.cats = data, cats
        p = data["person"]
        deleted = p.get("deleted_at") is not None
        self.setWindowTitle(f"人员档案 — {p['name']}")
        self.title.setText(p["name"] + ("　★ 重点关注" if p.get("key_focus") else ""))
        parts = [enum_label(enums.Sex, p.get("sex")),
                 birth_and_age(p.get("birth_date"), self.ctx.today),
                 "、".join(cats.name("person_category", c) for c in p.get("categories") or []),
                 f"电话 {p['phone']}" if p.get("phone") else "",
                 f"最近联系 {p['last_contact_on']}" if p.get("last_contact_on")
                 else "尚无联系记录"]
        self.summary.setText(" · ".join(x for x in parts if x))
        self.banner.setText(f"此档案已于 {local_time(p['deleted_at'])} 移入回收站。"
                            "恢复后才能修改或记录走访。" if deleted else "")
        self.banner.setVisible(deleted)
        self.visit_button.setEnabled(not deleted)
        self.delete_button.setVisible(not deleted)
        self.delete_button.setEnabled(not deleted)
        self.restore_button.setVisible(deleted)
        self.restore_button.setEnabled(deleted)
        for tab in self.sections.values():
            tab.show_record(p, cats, deleted=deleted)
        self.family.set_rows(data["family"])
        self.family.set_deleted(deleted)
        self.visits.set_rows(list(reversed(data["visits"])))
        self.visit_tab_button.setEnabled(not deleted)
        self.aid.set_rows(list(reversed(data["aid"])))
        self.cases.set_rows(list(reversed(data["cases"])))
        self.honours.set_rows(data["honours"])
        self.history.set_rows(history_rows(data["history"], operators, cats))
        self.loaded = True

    def _on_data_changed(self, kind: str) -> None:
        if kind in RELOAD_KINDS and self.isVisible():
            self.reload()

    def flash(self, text: str) -> None:
        self.notice.setText(text)

    # --- actions ---------------------------------------------------------------------

    def record_visit(self) -> None:
        if self.data is None or self.data["person"].get("deleted_at"):
            return
        from station_desktop.ui.visit_dialog import open_visit_dialog

        open_visit_dialog(self.ctx, self.person_id, self)

    def print_booklet(self) -> None:
        from station_desktop.ui.printing import print_person

        name = self.data["person"]["name"] if getattr(self, "data", None) else "人员"
        self.last_print = print_person(self.ctx, self, self.person_id, name)

    def delete_person(self) -> None:
        if self.data is None:
            return
        name = self.data["person"]["name"]
        svc, pid = self.ctx.service, self.person_id

        def delete() -> None:
            self.ctx.run(self, lambda: svc.delete("person", pid),
                         lambda _r: (self.flash(f"已将“{name}”的档案移入回收站。"), self.reload()),
                         changed="person")

        self.confirm_box = confirm(
            self, "删除档案",
            f"确定把“{name}”的档案移入回收站吗？\n\n走访、帮扶等记录都会保留；"
            "需要时可以在这里或“设置→回收站”中恢复。", "移入回收站", delete)

    def restore_person(self) -> None:
        if self.data is None:
            return
        name = self.data["person"]["name"]
        svc, pid = self.ctx.service, self.person_id
        self.ctx.run(self, lambda: svc.restore("person", pid),
                     lambda _r: (self.flash(f"已恢复“{name}”的档案。"), self.reload()),
                     changed="person")

    # --- closing -----------------------------------------------------------------------

    def _forget(self) -> None:
        if PersonFileDialog.opened.get(self.person_id) is self:
            del PersonFileDialog.opened[self.person_id]
        self.ctx.config.save_state("person_file", self.saveGeometry())

    def reject(self) -> None:
        """Esc or 关闭: ask first when a section has unsaved changes."""
        editing = [t for t in self.sections.values() if t.dirty()]
        if editing:
            titles = "、".join(f"“{t.title}”" for t in editing)
            self.confirm_box = confirm(self, "还没有保存", f"{titles}的修改还没有保存，确定关闭吗？",
                                       "不保存，关闭", self._close_now)
            return
        self._close_now()

    def _close_now(self) -> None:
        for tab in self.sections.values():
            tab.cancel_edit()
        self._forget()
        super().reject()
