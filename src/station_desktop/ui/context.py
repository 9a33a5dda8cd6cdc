"""What every page shares: the store, the service for the signed-in operator, settings, signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from station_desktop.domain.catalogues import Catalogues
from station_desktop.store.db import Store
from station_desktop.services import Service
from station_desktop.ui.config import Config
from station_desktop.ui.ops import Op


class AppContext(QObject):
    #: A record kind was written (pages showing it reload).
    data_changed = Signal(str)
    #: Ask the shell to open a person's file.
    open_person = Signal(str)
    #: Ask the shell to show a page by its key (e.g. "visits").
    show_page = Signal(str)

    def __init__(self, store: Store, service: Service, config: Config,
                 today: Callable[[], date] | None = None):
        super().__init__()
        self.store = store
        self.service = service
        self.config = config
        self._today = today
        # Connected first, so every page reads the new catalogues: a bundle import
        # ("*") may carry the county's catalogue changes (issue 7).
        self.data_changed.connect(self._reload_catalogues)

    def _reload_catalogues(self, kind: str) -> None:
        if kind in ("*", "catalogue_item"):
            self.service.reload_catalogues()

    @property
    def today(self) -> date:
        return self._today() if self._today else self.service.today

    def replace_store(self, store: Store) -> None:
        """Carry on with another open database (after a restore); every page reloads."""
        self.store = store
        self.service.store = store
        self.service.reload_catalogues()
        self.data_changed.emit("*")

    def catalogues(self) -> Catalogues:
        return self.service.catalogues()

    def run(self, parent: QWidget | None, fn: Callable[..., Any],
            on_success: Callable[[Any], None] | None = None, *,
            progress: str | None = None, changed: str | None = None) -> Op:
        """Run ``fn`` on the worker; on success call back and announce ``changed``."""

        def ok(result: Any) -> None:
            if on_success is not None:
                on_success(result)
            if changed:
                self.data_changed.emit(changed)

        op = Op(parent, fn).success(ok)
        if progress:
            op.with_progress(progress)
        return op.run()
