"""Typed, versioned settings over QSettings (INI in the user config folder)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from platformdirs import user_config_dir
from PySide6.QtCore import QByteArray, QSettings

T = TypeVar("T")
SETTINGS_VERSION = 1


@dataclass(frozen=True)
class Option(Generic[T]):
    key: str
    type: type
    default: T


LARGE_FONT = Option("view/large_font", bool, False)
FONT_POINT_SIZE = Option("view/font_point_size", int, 11)
LARGE_FONT_POINT_SIZE = Option("view/large_font_point_size", int, 14)
LAST_OPERATOR = Option("session/last_operator", str, "")
LAST_BACKUP_DIR = Option("backup/last_dir", str, "")
#: Lock after this many minutes without input (0: never).
IDLE_LOCK_MINUTES = Option("security/idle_lock_minutes", int, 10)
#: The home page reminds when the last USB backup is older than this.
USB_REMINDER_DAYS = Option("backup/usb_reminder_days", int, 7)


class Config:
    """One INI file; ``path`` may be given for tests."""

    def __init__(self, path: Path | None = None):
        if path is None:
            path = Path(user_config_dir("station-desktop", appauthor=False)) / "settings.ini"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.qs = QSettings(str(path), QSettings.Format.IniFormat)
        if int(self.qs.value("meta/version", 0)) != SETTINGS_VERSION:
            self.qs.setValue("meta/version", SETTINGS_VERSION)

    def get(self, opt: Option[T]) -> T:
        value: Any = self.qs.value(opt.key, opt.default)
        if opt.type is bool and isinstance(value, str):
            return value.lower() in ("true", "1")  # type: ignore[return-value]
        try:
            return opt.type(value)  # type: ignore[no-any-return]
        except (TypeError, ValueError):
            return opt.default

    def set(self, opt: Option[T], value: T) -> None:
        self.qs.setValue(opt.key, value)

    def save_state(self, key: str, state: QByteArray) -> None:
        """Window geometry, splitter and header states."""
        self.qs.setValue(f"state/{key}", state)

    def state(self, key: str) -> QByteArray | None:
        value = self.qs.value(f"state/{key}")
        return value if isinstance(value, QByteArray) else None

    def sync(self) -> None:
        self.qs.sync()
