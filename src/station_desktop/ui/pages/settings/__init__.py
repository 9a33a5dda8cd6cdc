"""设置: station profile and 五有 self-assessment, operators, catalogues, backup and
restore, recycle bin, data folder, display.

Every database read and write runs on the worker (Op / ctx.run); the
operators list is a LazyTableModel whose blocks load on demand. One module
per section; :mod:`.page` stacks them.
"""

from station_desktop.ui.pages.settings.backup import BackupSection
from station_desktop.ui.pages.settings.catalogues import (
    ASSESSMENT_RULE_TEXTS,
    CataloguesSection,
    describe_entry,
)
from station_desktop.ui.pages.settings.data_dir import DataDirSection
from station_desktop.ui.pages.settings.display import DisplaySection
from station_desktop.ui.pages.settings.operators import OperatorsSection, open_set_pin
from station_desktop.ui.pages.settings.page import SECTIONS, SettingsPage
from station_desktop.ui.pages.settings.recycle import RecycleSection
from station_desktop.ui.pages.settings.restore import (
    BACKUP_KINDS,
    RecoveryCodeInput,
    RestorePreviewDialog,
    RestoreResult,
    list_backups,
    restore_into_context,
    summary_lines,
)
from station_desktop.ui.pages.settings.section import Section
from station_desktop.ui.pages.settings.security import SecuritySection
from station_desktop.ui.pages.settings.station import StationSection
from station_desktop.ui.pages.settings.usb_backup import (
    RecoveryCodeDialog,
    backup_to_usb,
    choose_usb_folder,
    usb_backup_message,
)

__all__ = [
    "ASSESSMENT_RULE_TEXTS", "BACKUP_KINDS", "SECTIONS", "BackupSection", "CataloguesSection",
    "DataDirSection", "DisplaySection", "OperatorsSection", "RecoveryCodeDialog",
    "RecoveryCodeInput", "RecycleSection", "RestorePreviewDialog", "RestoreResult", "Section",
    "SecuritySection", "SettingsPage", "StationSection", "backup_to_usb", "choose_usb_folder",
    "describe_entry", "list_backups", "open_set_pin", "restore_into_context", "summary_lines",
    "usb_backup_message",
]
