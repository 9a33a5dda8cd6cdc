"""Errors become words a cadre understands, with the details one click away."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from station_desktop.domain.errors import StationError, os_error_text

log = logging.getLogger(__name__)


def user_message(exc: BaseException) -> str:
    """A Chinese sentence: what happened and what to do."""
    if isinstance(exc, StationError):
        return exc.user_text()
    if isinstance(exc, OSError):  # a stick pulled out, a full disk, no permission
        return os_error_text(exc)
    return ("程序遇到了意外问题，刚才的操作没有完成，已保存的数据不受影响。"
            "请点击“复制详细信息”，把内容发给县服务中心的技术人员。")


def show_error(parent: QWidget | None, exc: BaseException) -> QMessageBox:
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    if not isinstance(exc, StationError):
        log.error("unexpected error\n%s", details)
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if isinstance(exc, StationError)
                else QMessageBox.Icon.Critical)
    box.setWindowTitle("提示" if isinstance(exc, StationError) else "出错了")
    box.setText(user_message(exc))
    copy = box.addButton("复制详细信息", QMessageBox.ButtonRole.ActionRole)
    box.addButton("知道了", QMessageBox.ButtonRole.AcceptRole)
    # The copy button must not close the box: handle it, then keep it open.
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QApplication.clipboard().setText(f"{user_message(exc)}\n\n{details}"))
    box.open()
    return box


def install_excepthook() -> None:
    """Log any uncaught exception and show it on the GUI thread instead of dying silently."""

    def hook(etype: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught", exc_info=(etype, value, tb))
        app = QApplication.instance()
        if app is not None:
            show_error(QApplication.activeWindow(), value)
        else:  # pragma: no cover
            sys.__excepthook__(etype, value, tb)

    sys.excepthook = hook
