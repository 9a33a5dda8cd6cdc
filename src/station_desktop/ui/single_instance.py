"""Only one program writes a data dir at a time.

A lock file in the data dir (QLockFile: stale locks of a crashed program
are taken over) plus a local socket named after the data dir: a second
start asks the first one to come to the front, then exits cleanly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLockFile
from PySide6.QtNetwork import QLocalServer, QLocalSocket

LOCK_NAME = "station.lock"


def _server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    return f"station-desktop-{digest}"


class SingleInstance:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.lock = QLockFile(str(self.data_dir / LOCK_NAME))
        self.lock.setStaleLockTime(0)  # only a dead process's lock is stale
        self.server: QLocalServer | None = None

    def acquire(self, on_raise: Callable[[], None]) -> bool:
        """True if this process now owns the data dir; False if another one does (it was raised)."""
        if not self.lock.tryLock(100):
            sock = QLocalSocket()
            sock.connectToServer(_server_name(self.data_dir))
            if sock.waitForConnected(1000):
                sock.write(b"raise\n")
                sock.waitForBytesWritten(1000)
                sock.disconnectFromServer()
            return False
        name = _server_name(self.data_dir)
        QLocalServer.removeServer(name)
        self.server = QLocalServer()
        self.server.listen(name)
        self.server.newConnection.connect(lambda: self._on_connection(on_raise))
        return True

    def _on_connection(self, on_raise: Callable[[], None]) -> None:
        assert self.server is not None
        conn = self.server.nextPendingConnection()
        if conn is not None:
            conn.readyRead.connect(lambda: (conn.readAll(), on_raise()))

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
        self.lock.unlock()
