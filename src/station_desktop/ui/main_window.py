"""The shell: left navigation, the search box that is always there, the status bar."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QLibraryInfo, QObject, Qt, QTimer, QTranslator
from PySide6.QtGui import QAction, QCloseEvent, QFont, QFontDatabase, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from station_desktop.services import Service
from station_desktop.services.search_index import SearchHit
from station_desktop.store.display import mask_id_number
from station_desktop.store.db import Store
from station_desktop.ui import config as cfg
from station_desktop.ui.context import AppContext
from station_desktop.ui.ops import Op
from station_desktop.ui.person_picker import SearchAsYouType, step_row

#: (key, navigation label, "module:Class")
PAGES: list[tuple[str, str, str]] = [
    ("home", "首页/待办", "station_desktop.ui.pages.home:HomePage"),
    ("roster", "人员档案", "station_desktop.ui.pages.roster:RosterPage"),
    ("visits", "走访慰问", "station_desktop.ui.pages.visits:VisitsPage"),
    ("aid", "帮扶援助", "station_desktop.ui.pages.aid:AidPage"),
    ("cases", "矛盾纠纷", "station_desktop.ui.pages.cases:CasesPage"),
    ("volunteers", "志愿服务", "station_desktop.ui.pages.volunteers:VolunteersPage"),
    ("honours", "荣誉褒扬", "station_desktop.ui.pages.honours:HonoursPage"),
    ("reports", "统计报表", "station_desktop.ui.pages.reports:ReportsPage"),
    ("exchange", "数据交换", "station_desktop.ui.pages.exchange:ExchangePage"),
    ("settings", "设置", "station_desktop.ui.pages.settings:SettingsPage"),
]

#: Shown first, before the village pages, when this installation is a county (issue 7).
COUNTY_PAGE = ("county", "全县概览", "station_desktop.ui.pages.county:CountyPage")


def pages_for(role: str | None) -> list[tuple[str, str, str]]:
    """The navigation of an installation of ``role``: a county also gets 全县概览."""
    return [COUNTY_PAGE, *PAGES] if role == "county" else PAGES


FONT_FAMILY: str | None = None


def load_font(app: QApplication, point_size: int = 11) -> str | None:
    """Use the bundled CJK font so no system Chinese font is needed."""
    global FONT_FAMILY
    if FONT_FAMILY is None:
        with as_file(files("station_desktop.resources") / "fonts" / "wqy-microhei.ttc") as path:
            font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        FONT_FAMILY = families[0] if families else None
    if FONT_FAMILY:
        app.setFont(QFont(FONT_FAMILY, point_size))
    return FONT_FAMILY


def setup_logging() -> Path:
    """Rotating log files in the user log folder (errors shown to the cadre are written here)."""
    import logging
    from logging.handlers import RotatingFileHandler

    from platformdirs import user_log_dir

    folder = Path(user_log_dir("station-desktop", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(folder / "station-desktop.log", maxBytes=1_000_000,
                                  backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return folder


def install_translations(app: QApplication) -> None:
    """Qt's own Chinese (standard buttons, file dialogs, wizards); our texts are Chinese already."""
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase_zh_CN", "qt_zh_CN"):
        translator = QTranslator(app)
        if translator.load(name, path):
            app.installTranslator(translator)


def _load_page(spec: str, ctx: AppContext) -> QWidget:
    module, cls = spec.split(":")
    return getattr(importlib.import_module(module), cls)(ctx)


class SearchBox(QLineEdit):
    """Finds a person as you type; Enter or a click opens the file."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("global_search")
        self.setPlaceholderText("查找人员：姓名 / 拼音首字母 / 身份证后几位 / 电话（Ctrl+F）")
        self.setClearButtonEnabled(True)
        self.popup = QListWidget()
        self.popup.setObjectName("search_results")
        self.popup.setWindowFlags(Qt.WindowType.ToolTip)
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.itemClicked.connect(self._open_item)
        self.last_hits: list[SearchHit] = []
        self._search = SearchAsYouType(self, ctx, limit=15, show=self._show,
                                       cleared=self.popup.hide)
        self.textEdited.connect(self._search)
        self.installEventFilter(self)

    def _show(self, hits: list[SearchHit]) -> None:
        self.last_hits = hits
        self.popup.clear()
        if not hits:
            self.popup.addItem("没有找到。可试试拼音首字母（如 zsf）或身份证后4位。")
            self.popup.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        for h in hits:
            item = QListWidgetItem(
                f"{h.name}　{mask_id_number(h.id_number)}　{h.phone or ''}　（{h.matched}）")
            item.setData(Qt.ItemDataRole.UserRole, h.person_id)
            self.popup.addItem(item)
        self.popup.setCurrentRow(0 if hits else -1)
        pos = self.mapToGlobal(self.rect().bottomLeft())
        self.popup.setGeometry(pos.x(), pos.y(), max(self.width(), 420),
                               min(24 * max(len(hits), 1) + 8, 380))
        self.popup.show()

    def _open_item(self, item: QListWidgetItem) -> None:
        pid = item.data(Qt.ItemDataRole.UserRole)
        if pid:
            self.popup.hide()
            self.ctx.open_person.emit(pid)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self and event.type() == QEvent.Type.KeyPress and self.popup.isVisible():
            key = event.key()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step_row(self.popup, key)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if self.popup.currentItem() is not None:
                    self._open_item(self.popup.currentItem())
                return True
            if key == Qt.Key.Key_Escape:
                self.popup.hide()
                return True
        if obj is self and event.type() == QEvent.Type.FocusOut:
            QTimer.singleShot(150, self.popup.hide)
        return super().eventFilter(obj, event)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext):
        super().__init__()
        self.ctx = ctx
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        self.pages: dict[str, QWidget] = {}
        self._keys: list[str] = []
        for i, (key, label, spec) in enumerate(pages_for(ctx.store.meta("role"))):
            page = _load_page(spec, ctx)
            page.setObjectName(f"page_{key}")
            self.pages[key] = page
            self._keys.append(key)
            self.stack.addWidget(page)
            self.nav.addItem(QListWidgetItem(label))
            shortcut = QAction(self)
            shortcut.setShortcut(QKeySequence(f"Ctrl+{(i + 1) % 10}"))
            shortcut.triggered.connect(lambda _=False, k=key: self.show_page(k))
            self.addAction(shortcut)
        self.nav.setStyleSheet("QListWidget { font-size: 15px; } "
                               "QListWidget::item { padding: 10px 8px; }")
        self.nav.currentRowChanged.connect(self._on_nav)

        self.search = SearchBox(ctx)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 15px;")
        top.addWidget(self.title)
        top.addWidget(self.search, 1)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addLayout(top)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.station_label = QLabel()
        self.operator_label = QLabel()
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pending_changes")
        self.conflicts_label = QLabel()
        self.conflicts_label.setObjectName("open_conflicts")
        for w in (self.station_label, self.operator_label, self.pending_label,
                  self.conflicts_label):
            self.statusBar().addPermanentWidget(w)
        self._actions()
        from station_desktop.ui.printing import build_menu

        self.print_menu = build_menu(ctx, self)
        self.menuBar().addMenu(self.print_menu)
        ctx.data_changed.connect(lambda _kind: self.refresh_status())
        ctx.open_person.connect(self.open_person)
        ctx.show_page.connect(self.show_page)
        self.refresh_status()
        self.resize(1200, 760)
        state = ctx.config.state("main_window")
        if state is not None:
            self.restoreGeometry(state)
        self.nav.setCurrentRow(0)

    def _actions(self) -> None:
        find = QAction("查找", self)
        find.setShortcut(QKeySequence("Ctrl+F"))
        find.triggered.connect(lambda: (self.search.setFocus(), self.search.selectAll()))
        refresh = QAction("刷新", self)
        refresh.setShortcut(QKeySequence("F5"))
        refresh.triggered.connect(lambda: self.ctx.data_changed.emit("*"))
        new_person = QAction("新建人员档案", self)
        new_person.setShortcut(QKeySequence("Ctrl+N"))
        new_person.triggered.connect(self._new_person)
        for a in (find, refresh, new_person):
            self.addAction(a)

    def _new_person(self) -> None:
        self.show_page("roster")
        page: Any = self.pages["roster"]
        if hasattr(page, "add_person"):
            page.add_person()

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        self.stack.setCurrentIndex(row)
        page: Any = self.stack.currentWidget()
        if hasattr(page, "refresh"):
            page.refresh()

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(self._keys.index(key))

    def current_page_key(self) -> str:
        return self._keys[self.nav.currentRow()]

    def open_person(self, person_id: str) -> None:
        from station_desktop.ui.person_file import PersonFileDialog

        dialog = PersonFileDialog(self.ctx, person_id, self)
        dialog.open()

    def refresh_status(self) -> None:
        svc = self.ctx.service

        ctx = self.ctx
        county = "county" in self.pages

        def load() -> tuple[str, str, str, int, int]:
            from station_desktop.sync.review import open_count

            op = svc.get("operator", svc.operator_id)["name"] if svc.operator_id else "未登录"
            store = ctx.store  # read at run time: a restore swaps it
            if county:  # a county reports to no one: count its stations with stale data
                from station_desktop.store.county import station_units

                pending = sum(u.is_stale for u in station_units(store, ctx.today).values())
            else:
                pending = svc.pending_changes()
            return (store.meta("station_name") or "", store.meta("station_code") or "", op,
                    pending, open_count(store))

        def show(result: tuple[str, str, str, int, int]) -> None:
            from station_desktop.store.county import DEFAULT_STALE_DAYS

            name, code, op, pending, conflicts = result
            self.setWindowTitle(f"退役军人服务站 — {name}")
            self.title.setText(name)
            self.station_label.setText(f"服务站：{name}（{code}）")
            self.operator_label.setText(f"操作员：{op}")
            if county:
                self.pending_label.setText(
                    f"{DEFAULT_STALE_DAYS} 天以上没有报送数据的站点：{pending} 个")
                self.pending_label.setStyleSheet("color: #b35900;" if pending else "")
            else:
                self.pending_label.setText(f"待上报县里：{pending} 条变更")
            self.conflicts_label.setText(f"待处理冲突：{conflicts} 条")
            self.conflicts_label.setStyleSheet("color: #b00;" if conflicts else "")

        Op(self, load).success(show).run()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.ctx.config.save_state("main_window", self.saveGeometry())
        for page in self.pages.values():
            if hasattr(page, "save_state"):
                page.save_state()  # type: ignore[attr-defined]
        self.ctx.config.sync()
        super().closeEvent(event)


def apply_font_setting(app: QApplication, config: cfg.Config) -> None:
    size = (config.get(cfg.LARGE_FONT_POINT_SIZE) if config.get(cfg.LARGE_FONT)
            else config.get(cfg.FONT_POINT_SIZE))
    load_font(app, size)


def start(data_dir: Path, *, demo: bool = False, quit_when_ready: bool = False) -> int:
    """The GUI from process start: one instance per data dir, open the file, show the window."""
    from station_desktop.ui.recovery import open_or_recover
    from station_desktop.ui.single_instance import SingleInstance

    setup_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("station-desktop")
    install_translations(app)  # type: ignore[arg-type]
    config = cfg.Config()
    apply_font_setting(app, config)  # type: ignore[arg-type]
    single = SingleInstance(data_dir)
    holder: dict[str, MainWindow] = {}

    def bring_forward() -> None:
        if "window" in holder:
            w = holder["window"]
            w.showNormal()
            w.raise_()
            w.activateWindow()

    if not single.acquire(bring_forward):
        sys.stderr.write("服务站程序已经在运行，已切换到已打开的窗口。\n")
        return 0
    try:
        if demo:
            from station_desktop.services.demo import init_demo

            init_demo(data_dir)
        store = open_or_recover(data_dir)  # a damaged file: the recovery dialog
        if store is None:
            return 1
        def shown(w: MainWindow) -> None:
            holder["window"] = w
            if quit_when_ready:
                _quit_when_idle(app)  # type: ignore[arg-type]

        return run(store, config=config, on_window=shown)
    finally:
        single.release()


def _quit_when_idle(app: QApplication) -> None:
    """Quit once the window is painted and every query it started has answered."""

    def check() -> None:
        if Op.running:
            QTimer.singleShot(5, check)
        else:
            app.processEvents()
            app.quit()

    QTimer.singleShot(0, check)


def run(store: Store, *, config: cfg.Config | None = None,
        on_window: Callable[[MainWindow], None] | None = None) -> int:
    from station_desktop.ui.errors import install_excepthook
    from station_desktop.ui.ops import shutdown_worker

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("station-desktop")
    config = config or cfg.Config()
    apply_font_setting(app, config)  # type: ignore[arg-type]
    install_excepthook()
    service = Service(store)
    if store.meta("station_code") is None:
        from station_desktop.ui.wizard import FirstRunWizard

        wizard = FirstRunWizard(service)
        if wizard.exec() != FirstRunWizard.DialogCode.Accepted:
            return 0
    from station_desktop.ui.lock import install_idle_lock
    from station_desktop.ui.signin import sign_in_at_start

    if not sign_in_at_start(service, config):  # a PIN is asked once any operator has one
        return 0
    ctx = AppContext(store, service, config)
    window = MainWindow(ctx)
    install_idle_lock(window, ctx)
    if on_window is not None:
        on_window(window)
    window.show()
    code = app.exec()
    shutdown_worker()
    return code
