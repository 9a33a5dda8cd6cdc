"""The window step of ``--self-test``: the real start-up path, checked, then closed.

Goes through :func:`station_desktop.ui.main_window.run` (the code a cadre's
double-click runs) with a settings file in the self-test's temporary folder,
waits until the home page has loaded its figures, and checks on the way what
a frozen build most easily loses: Qt's Chinese translations, the bundled
font, and QtPdf (the print preview) reading the roster just printed.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QLibraryInfo, QTimer, QTranslator
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication

from station_desktop.domain.errors import StationError
from station_desktop.ui import config as cfg
from station_desktop.ui import main_window as mw
from station_desktop.ui.ops import Op

#: The home page must have loaded within this many seconds (QApplication to figures shown).
HOME_TIMEOUT_S = 60.0
POLL_MS = 10


class WindowCheckFailed(StationError):
    code = "self_test"


def _translations_present() -> bool:
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return QTranslator().load("qtbase_zh_CN", path)


def _pdf_pages(pdf: Path) -> int:
    doc = QPdfDocument()
    status = doc.load(str(pdf))
    if status != QPdfDocument.Error.None_:
        raise WindowCheckFailed(f"PDF 预览（QtPdf）无法打开花名册：{status.name}。")
    pages = doc.pageCount()
    doc.close()
    return pages


def open_main_window(data_dir: Path, settings: Path, *, pdf: Path | None = None,
                     pdf_pages: int | None = None) -> dict[str, Any]:
    """Open the main window on ``data_dir``; returns what was seen. Raises on any problem."""
    from station_desktop.services import open_store

    started = time.perf_counter()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    mw.install_translations(app)  # type: ignore[arg-type]
    if not _translations_present():
        raise WindowCheckFailed("缺少 Qt 中文翻译（qtbase_zh_CN），对话框按钮会显示英文。")
    result: dict[str, Any] = {"errors": []}
    store = open_store(data_dir)
    saved_hook = sys.excepthook

    def on_window(window: mw.MainWindow) -> None:
        hook = sys.excepthook

        def record(etype: type[BaseException], value: BaseException,
                   tb: TracebackType | None) -> None:
            result["errors"].append(f"{etype.__name__}: {value}")
            hook(etype, value, tb)  # logged as in normal use
            finish()

        sys.excepthook = record

        def finish() -> None:
            window.close()
            app.quit()

        def poll() -> None:
            home: Any = window.pages["home"]
            if getattr(home, "loads", 0) >= 1 and not Op.running:
                result["home_seconds"] = time.perf_counter() - started
                result["home_error"] = home.error.isVisible()
                result["title"] = window.windowTitle()
                result["pages"] = len(window.pages)
                if pdf is not None:
                    try:
                        result["pdf_pages"] = _pdf_pages(pdf)
                    except WindowCheckFailed as exc:
                        result["errors"].append(exc.user_text())
                finish()
            elif time.perf_counter() - started > HOME_TIMEOUT_S:
                result["errors"].append(f"首页在 {HOME_TIMEOUT_S:.0f} 秒内没有显示出来。")
                finish()
            else:
                QTimer.singleShot(POLL_MS, poll)

        QTimer.singleShot(0, poll)

    try:
        code = mw.run(store, config=cfg.Config(settings), on_window=on_window)
    finally:
        sys.excepthook = saved_hook
        store.close()
    if result["errors"]:
        raise WindowCheckFailed("主窗口出错：" + "；".join(result["errors"]))
    if "home_seconds" not in result:
        raise WindowCheckFailed(f"主窗口没有显示首页就退出了（退出码 {code}）。")
    if result["home_error"]:
        raise WindowCheckFailed("首页显示了错误信息，统计没有完成。")
    if pdf_pages is not None and result.get("pdf_pages") != pdf_pages:
        raise WindowCheckFailed(
            f"PDF 预览读到 {result.get('pdf_pages')} 页，花名册实际有 {pdf_pages} 页。")
    result["font"] = mw.FONT_FAMILY
    if not result["font"]:
        raise WindowCheckFailed("没有加载随程序附带的中文字体。")
    return result
