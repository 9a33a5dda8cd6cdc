"""What every command shares: the data dir, output, opening the station, who acts, refusals.

A command opens its station with :func:`opened_station` (over
:func:`open_station`), which refuses a data dir that holds no station (a
mistyped ``--data-dir`` must not become an empty station) and decides who
is acting. Once any operator has a PIN, a
command that changes the records or carries personal data out in bulk
(:func:`needs_operator`) needs the operator and the PIN, as the GUI does:
``--operator NAME`` and a PIN prompt on a terminal, or the environment
variables ``STATION_OPERATOR`` and ``STATION_PIN`` for scripts. Without
PINs, changes are attributed to the named operator or to the station's
first administrator, so the audit trail always names someone.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from station_desktop.domain.errors import NotFoundError, StationError, StorageError, os_error_text
from station_desktop.services import Service, open_store, operators
from station_desktop.store import auth
from station_desktop.store.db import DB_FILENAME, Store
from station_desktop.store.recovery import diagnose

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
#: For scripts: who acts, and their PIN, when no one can type at a prompt.
ENV_OPERATOR, ENV_PIN = "STATION_OPERATOR", "STATION_PIN"

#: Commands that change the records or carry personal data out in bulk: once a PIN is
#: set they need the operator's PIN. ``check --repair`` and ``import-xlsx`` without
#: ``--dry-run`` are decided by their flags (:func:`needs_operator`).
SIGNED_COMMANDS = frozenset({
    "demo", "person add", "restore", "backup", "export-xlsx", "print roster", "print booklets",
    "enroll request", "enroll accept", "enroll apply", "enroll revoke",
    "bundle export", "bundle import", "bundle relay", "resolve", "transfer",
})


def default_data_dir(demo: bool = False) -> Path:
    from platformdirs import user_data_dir

    base = Path(user_data_dir("station-desktop", appauthor=False))
    return base / "demo" if demo else base


# --- output --------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set | tuple):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value)}")


def emit(args: argparse.Namespace, data: Any, human: Callable[[], None]) -> None:
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=_json_default)
        sys.stdout.write("\n")
    else:
        human()


def guarded(work: Callable[[], int]) -> int:
    """Run a command: a refusal becomes a Chinese sentence on stderr and exit code 1."""
    try:
        return work()
    except StationError as exc:
        sys.stderr.write(f"错误：{exc.user_text()}\n")
        return EXIT_REFUSED
    except BrokenPipeError:  # the reader went away (``| head``): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a path that is not there, a stick pulled out, no permission
        sys.stderr.write(f"错误：{os_error_text(exc)}\n")
        return EXIT_REFUSED


# --- the station ---------------------------------------------------------------


def command_words(args: argparse.Namespace) -> str:
    """The command as typed, without options: ``"person add"``, ``"search"``."""
    command = getattr(args, "command", None) or ""
    sub = getattr(args, f"{command}_command", None)
    return f"{command} {sub}" if sub else command


def needs_operator(args: argparse.Namespace) -> bool:
    words = command_words(args)
    if words == "check":
        return bool(getattr(args, "repair", False))
    if words == "import-xlsx":
        return not getattr(args, "dry_run", False)
    return words in SIGNED_COMMANDS


def holds_station_file(data_dir: Path) -> bool:
    path = Path(data_dir) / DB_FILENAME
    return path.is_file() and path.stat().st_size > 0


def _no_station(data_dir: Path) -> StationError:
    return StationError(f"数据目录“{data_dir}”里没有服务站数据，什么也没有做。",
                        hint="请检查 --data-dir 是否写对；新建服务站请用 init（或用 demo 生成演示站）。",
                        code="no_station")


def _check_bytes(data_dir: Path) -> None:
    # Bytes first: opening a file whose -wal was lost would silently drop its changes.
    found = diagnose(data_dir, thorough=False)
    if not found.ok:
        raise StorageError(found.message, code=found.problem,
                           hint="请运行 station-desktop recover 从备份恢复，原文件会另存保留。")


def open_station(args: argparse.Namespace, *, new: bool = False) -> tuple[Store, Service]:
    """Open the station in ``args.data_dir`` as the operator acting (see the module doc).

    Only ``new`` (``init``) may open a data dir that holds no station yet.
    """
    data_dir = Path(args.data_dir)
    _check_bytes(data_dir)
    if not new and not holds_station_file(data_dir):
        raise _no_station(data_dir)
    store = open_store(data_dir)
    try:
        if new:
            return store, Service(store)
        if store.meta("station_code") is None:
            raise _no_station(data_dir)
        return store, Service(store, acting_operator(store, args))
    except BaseException:
        store.close()
        raise


@contextmanager
def opened_station(
    args: argparse.Namespace, *, new: bool = False
) -> Iterator[tuple[Store, Service]]:
    """:func:`open_station` for a ``with`` block; the store is closed when it ends."""
    store, svc = open_station(args, new=new)
    try:
        yield store, svc
    finally:
        store.close()


def operator_if_station(args: argparse.Namespace) -> str | None:
    """Who acts, for a command that also runs where there is no station yet (demo, restore).

    A file this program cannot open (damaged, too new) has no operators to
    ask; restore and recover are how such a file is replaced, and they keep it.
    """
    data_dir = Path(args.data_dir)
    if not holds_station_file(data_dir) or not diagnose(data_dir, thorough=False).ok:
        return None
    try:
        store = open_store(data_dir)
    except StorageError:
        return None
    try:
        return acting_operator(store, args) if store.meta("station_code") else None
    finally:
        store.close()


def acting_operator(store: Store, args: argparse.Namespace) -> str | None:
    """The operator this command acts as; signs them in when a PIN is required."""
    choices = auth.operator_choices(store)
    name = getattr(args, "operator", None) or os.environ.get(ENV_OPERATOR) or None
    chosen = None
    if name:
        named = [c for c in choices if c.name == name]
        if not named:
            raise NotFoundError(f"没有名为“{name}”的操作员（或已停用）。",
                                hint="请核对姓名；操作员名单在“设置→操作员”中。",
                                code="no_operator")
        if len(named) > 1:
            raise StationError(f"有 {len(named)} 个操作员都叫“{name}”，无法分辨是谁。",
                               hint="请管理员在“设置→操作员”中改名以便区分。",
                               code="ambiguous_operator")
        chosen = named[0]
    if not any(c.has_pin for c in choices):
        chosen = chosen or (choices[0] if choices else None)  # administrators come first
        return chosen.id if chosen else None
    if not needs_operator(args):
        return None  # a read: nothing to attribute, no PIN to ask for
    if chosen is None:
        raise StationError("本站已设置 PIN：写入数据或导出个人信息需要操作员本人确认。",
                           hint=f"请加上 --operator 姓名（随后输入 PIN）；脚本中可设置环境变量 "
                                f"{ENV_OPERATOR} 和 {ENV_PIN}。", code="signin_required")
    pin = _pin_of(chosen) if chosen.has_pin else ""
    # The one place the command line signs in: the same checks, waits and audit as the GUI.
    return operators.sign_in(store, chosen.id, pin)


def _pin_of(operator: auth.OperatorChoice) -> str:
    pin = os.environ.get(ENV_PIN)
    if pin is not None:
        return pin
    if sys.stdin is None or not sys.stdin.isatty():  # None: the windowed Windows program
        raise StationError(f"需要输入“{operator.name}”的 PIN，但当前无法交互。",
                           hint=f"脚本中请设置环境变量 {ENV_PIN}。", code="signin_required")
    try:
        return getpass.getpass(f"请输入“{operator.name}”的 PIN：")
    except (EOFError, KeyboardInterrupt):
        raise StationError("已取消，什么也没有做。", code="cancelled") from None


def resolve_person(svc: Service, key: str) -> str:
    """Accept a record id or an ID number."""
    if len(key) == 36 and key.count("-") == 4:
        return key
    found = svc.find_person_by_id_number(key)
    if found is None:
        raise NotFoundError(f"没有身份证号为 {key} 的人员档案。", hint="可先用 search 查找。")
    return found["id"]
