"""The 新建档案 dialog: what a new file asks for, the ID number filling birth date and sex."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from station_desktop.domain.catalogues import Catalogues
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import RecordDialog, RecordForm
from station_desktop.ui.ops import Op
from station_desktop.ui.person_file.common import MUTED_STYLE, alive
from station_desktop.ui.person_file.dialog import PersonFileDialog
from station_desktop.ui.person_file.id_assist import IdNumberAssist

#: What the 新建档案 dialog asks for; the rest is filled in the file afterwards.
ADD_FIELDS: tuple[str, ...] = (
    "name", "id_number", "birth_date", "sex", "categories", "phone", "phone2", "tags",
    "key_focus", "key_focus_reason", "ethnicity", "political_status", "marital_status",
    "education", "health", "hukou_type", "hukou_place", "residence",
)


class PersonAddDialog(RecordDialog):
    """RecordDialog for a new person, with the ID number filling birth date and sex."""

    def __init__(self, ctx: AppContext, cats: Catalogues, parent: QWidget | None = None):
        self.ctx = ctx
        svc = ctx.service
        form = RecordForm("person", cats, today=ctx.today, fields=ADD_FIELDS)
        super().__init__(
            "新建人员档案", form,
            submit=lambda values: svc.create("person", values),
            parent=parent,
        )
        self.setObjectName("person_add_dialog")
        self.open_existing = QPushButton("打开已有档案")
        self.open_existing.setObjectName("open_existing")
        self.open_existing.hide()
        self.open_existing.clicked.connect(self._open_existing)
        self.layout().insertWidget(1, self.open_existing, 0, Qt.AlignmentFlag.AlignRight)
        self.assist = IdNumberAssist(ctx, form, on_duplicate=self._on_duplicate)
        hint = QLabel("填好身份证号后，出生日期和性别会自动填上。带＊的必须填写；"
                      "其他情况保存后可在档案中补充。")
        hint.setWordWrap(True)
        hint.setStyleSheet(MUTED_STYLE)
        self.layout().insertWidget(0, hint)
        self.resize(600, 720)

    def _on_duplicate(self, found: dict[str, Any] | None) -> None:
        self.open_existing.setVisible(found is not None)

    def _open_existing(self) -> None:
        found = self.assist.duplicate
        if found:
            self.reject()
            PersonFileDialog(self.ctx, found["id"], self.parentWidget()).open()


def open_add_person(ctx: AppContext, parent: QWidget | None,
                    on_saved: Callable[[dict[str, Any]], None] | None = None,
                    on_open: Callable[[PersonAddDialog], None] | None = None) -> None:
    """Open the 新建档案 dialog (non-blocking); ``on_saved`` gets the new person's row.

    The catalogues are fetched on the worker first (normally already cached),
    so the dialog appears a moment later; ``on_open`` receives it.
    """

    def build(cats: Catalogues) -> None:
        if parent is not None and not alive(parent):
            return
        dialog = PersonAddDialog(ctx, cats, parent)

        def saved() -> None:
            ctx.data_changed.emit("person")
            if on_saved is not None and dialog.result_record is not None:
                on_saved(dialog.result_record)

        dialog.accepted.connect(saved)
        dialog.open()
        if on_open is not None:
            on_open(dialog)

    Op(parent, ctx.catalogues).success(build).run()
