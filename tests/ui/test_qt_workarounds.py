"""PySide6 defects we work around, proved in a fresh process each."""

from __future__ import annotations

import os
import subprocess
import sys

EMIT_MANY = """
import station_desktop.ui  # installs the workaround
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Relay(QObject):
    fired = Signal(object)
relay = Relay()
seen = []
relay.fired.connect(seen.append)
for i in range(20000):
    relay.fired.emit(i)
assert len(seen) == 20000
print("ok")
"""


VOID_CALLS = """
import sys
from PySide6.QtWidgets import QApplication, QLineEdit
app = QApplication([])
calls = sys.getrefcount(None) + 20000  # more calls than None has references
import station_desktop.ui  # installs the workaround
edit = QLineEdit()
for i in range(calls):
    edit.setText("x")
print("ok")
"""


def test_more_void_calls_than_none_has_references_do_not_abort():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", VOID_CALLS], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_twenty_thousand_emits_do_not_abort_the_program():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", EMIT_MANY], capture_output=True, text=True,
                          env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
