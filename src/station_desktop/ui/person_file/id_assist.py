"""Typing an ID number fills 出生日期 and 性别, flags a mismatch and warns about a duplicate.

Shared by the 新建档案 dialog and the 基本信息 section of an open file. The
derived values are never forced: a date or sex typed by hand that does not
match the number is said in Chinese under its field, and a number already
on file is reported while typing (the service says so again on 保存).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from station_desktop.domain import enums
from station_desktop.domain.errors import ValidationError
from station_desktop.domain.idnumber import IdNumber, parse_id_number
from station_desktop.store import roster
from station_desktop.store.fields import clean_value
from station_desktop.ui.context import AppContext
from station_desktop.ui.forms import RecordForm
from station_desktop.ui.ops import Op
from station_desktop.ui.person_file.common import alive


class IdNumberAssist(QObject):
    """Fill 出生日期/性别 from a valid ID number, flag mismatches, warn about duplicates."""

    def __init__(self, ctx: AppContext, form: RecordForm, *, exclude: str | None = None,
                 on_duplicate: Callable[[dict[str, Any] | None], None] | None = None):
        super().__init__(form)
        self.ctx, self.form, self.exclude = ctx, form, exclude
        self.on_duplicate = on_duplicate
        self.derived: IdNumber | None = None
        self.duplicate: dict[str, Any] | None = None
        self._seq = 0
        # What was filled in automatically: such a value follows a new ID number.
        self._auto: dict[str, Any] = {}
        eds = form.editors
        if "id_number" in eds:
            # Connected after the form's own check, so this runs after it.
            eds["id_number"].changed.connect(self._id_changed)
        for name in ("birth_date", "sex"):
            if name in eds:
                eds[name].changed.connect(self.check_mismatch)

    def prime(self, id_number: str | None) -> None:
        """Start from a stored record: its birth date and sex follow its ID number."""
        if not id_number:
            return
        try:
            self.derived = parse_id_number(id_number, today=self.ctx.today)
        except ValidationError:
            return
        self._auto = {"birth_date": self.derived.birth_date, "sex": self.derived.sex.value}

    def _current(self, name: str) -> Any:
        ed = self.form.editors[name]
        try:
            return clean_value(name, ed.field, ed.raw(), self.form.cats, today=self.ctx.today)
        except ValidationError:
            return ed.raw()

    def _id_changed(self) -> None:
        raw = self.form.editors["id_number"].raw()
        try:
            info = parse_id_number(str(raw or ""), today=self.ctx.today)
        except ValidationError:
            self.derived = None
            self.duplicate = None
            self._seq += 1  # a duplicate answer still on its way is stale now
            self.check_mismatch()
            if self.on_duplicate:
                self.on_duplicate(None)
            return
        self.derived = info
        derived = {"birth_date": info.birth_date, "sex": info.sex.value}
        for name, value in derived.items():
            ed = self.form.editors.get(name)
            if ed is None:
                continue
            current = self._current(name)
            if current in (None, "") or current == self._auto.get(name):
                self.form.set_values({name: value})
                ed.check(self.ctx.today)
                self._auto[name] = value
        self.check_mismatch()
        self._look_up(info.number)

    def check_mismatch(self) -> None:
        """Say under 出生日期/性别 when they contradict the ID number (never fix silently)."""
        if self.derived is None:
            return
        for name, derived, label in (
            ("birth_date", self.derived.birth_date, "出生日期"),
            ("sex", self.derived.sex.value, "性别"),
        ):
            ed = self.form.editors.get(name)
            if ed is None:
                continue
            current = self._current(name)
            if current in (None, "") or current == derived:
                if ed.error.text().startswith(label + "与身份证号不符"):
                    ed.show_error("")
                continue
            shown = (enums.Sex(derived).label if name == "sex" else derived.isoformat())
            ed.show_error(f"{label}与身份证号不符：按身份证号应为 {shown}。请核对身份证号或改正这一项。")

    def _look_up(self, number: str) -> None:
        self._seq += 1
        seq = self._seq
        store, exclude = self.ctx.store, self.exclude
        Op(self.form, lambda: roster.person_with_id_number(store, number, exclude=exclude)) \
            .success(lambda found: self._looked_up(seq, found)).run()

    def _looked_up(self, seq: int, found: dict[str, Any] | None) -> None:
        if seq != self._seq or not alive(self) or not alive(self.form):
            return
        self.duplicate = found
        if found is not None:
            self.form.show_error(
                "id_number", f"此身份证号已登记在“{found['name']}”的档案中，不能重复建档。")
        if self.on_duplicate:
            self.on_duplicate(found)
