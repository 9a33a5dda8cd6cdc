"""A person's file (建档立卡档案): every section in tabs, edit, delete, restore, history.

    PersonFileDialog(ctx, person_id, parent).open()     # non-modal, one per person
    open_add_person(ctx, parent, on_saved=...)          # the 新建档案 dialog

The sections of the file follow DOMAIN.md. Each section of the person
record is a read-only sheet until 编辑 is pressed; it then becomes a
:class:`RecordForm` over the same fields (:data:`SECTIONS`, defined once)
and 保存 sends only what changed to ``Service.update`` on the worker.
A refusal is shown under its field and nothing typed is lost.

The ID number is shown in full in the file (the person's own record, opened
on purpose by a cadre) and masked in lists (see ``ui.pages.roster``).

The parts: :mod:`.dialog` (the shell), :mod:`.sections` (the record
sections and their editing form), :mod:`.records` (family and the lists of
records), :mod:`.history` (变更历史), :mod:`.add` (新建档案),
:mod:`.id_assist` (what typing an ID number fills and checks),
:mod:`.common` (what they share).
"""

from station_desktop.ui.person_file.add import ADD_FIELDS, PersonAddDialog, open_add_person
from station_desktop.ui.person_file.common import (
    BANNER_STYLE,
    MUTED_STYLE,
    alive,
    birth_and_age,
    confirm,
    field_text,
)
from station_desktop.ui.person_file.dialog import RELOAD_KINDS, PersonFileDialog
from station_desktop.ui.person_file.history import history_rows
from station_desktop.ui.person_file.id_assist import IdNumberAssist
from station_desktop.ui.person_file.sections import SECTIONS
from station_desktop.ui.table import local_time

__all__ = [
    "ADD_FIELDS", "BANNER_STYLE", "MUTED_STYLE", "RELOAD_KINDS", "SECTIONS", "IdNumberAssist",
    "PersonAddDialog", "PersonFileDialog", "alive", "birth_and_age", "confirm", "field_text",
    "history_rows", "local_time", "open_add_person",
]
