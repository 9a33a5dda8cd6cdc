"""Commands that keep the data safe: backup, restore, recover."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from station_desktop.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    emit,
    opened_station,
    operator_if_station,
)
from station_desktop.domain.errors import StationError


def cmd_backup(args: argparse.Namespace) -> int:
    from station_desktop.services.backups import backup, usb_backup
    from station_desktop.store.backup import SEALED_SUFFIX

    dest = Path(args.file)
    with opened_station(args) as (store, _svc):
        if dest.is_dir() or dest.suffix == SEALED_SUFFIX:  # encrypted, for a USB stick
            made = usb_backup(store, dest)
            summary = made.summary
        else:
            made, summary = None, backup(store, dest)

    def human() -> None:
        c = summary.counts
        print(f"已备份到 {summary.path}，已核对：人员 {c['person']}，走访 {c['visit']}。")
        if made is None:
            sys.stderr.write(f"注意：这个备份没有加密，里面的身份证号等个人信息任何人都能看到。"
                             f"存到U盘请用以 {SEALED_SUFFIX} 结尾的文件名或一个文件夹（会加密）。\n")
        elif made.new_code:
            print(f"恢复码：{made.new_code}\n请抄写或打印后放入档案柜保管：换电脑时要凭它打开U盘备份。")

    data = {**summary.__dict__, "encrypted": made is not None,
            "new_recovery_code": made.new_code if made else None}
    emit(args, data, human)
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from station_desktop.cli.restore import confirm_restore
    from station_desktop.services.backups import restore_data_dir
    from station_desktop.store.backup import (
        adopt_recovery_code,
        discard_unsealed,
        summarize,
        unseal_for_restore,
    )

    operator_if_station(args)  # replacing a station's records needs its operator's PIN
    source = Path(args.file)
    # An encrypted USB backup opens with this PC's recovery code or --recovery-code;
    # a typed code is kept on this PC only once the restore goes ahead.
    plain = unseal_for_restore(source, args.data_dir, args.recovery_code, keep_code=False)
    try:
        preview = summarize(plain)
        if not args.yes and not confirm_restore(
                preview, source, args.data_dir, out=sys.stderr if args.json else sys.stdout):
            return EXIT_REFUSED
        if plain != source:
            adopt_recovery_code(args.data_dir, args.recovery_code)
        store, summary, kept = restore_data_dir(args.data_dir, plain, label=source)
        store.close()
    finally:
        discard_unsealed(source, plain)
    data = {**summary.__dict__, "path": source, "previous_kept_at": kept}
    emit(args, data, lambda: print(
        f"已从 {args.file} 恢复。" + (f"原数据已另存为 {kept}。" if kept else "")))
    return EXIT_OK


def cmd_recover(args: argparse.Namespace) -> int:
    """recover: say what is wrong with the database; with --yes keep it aside and restore."""
    from station_desktop.domain.errors import StorageError
    from station_desktop.services.recovery import recover
    from station_desktop.store import recovery
    from station_desktop.store.backup import discard_unsealed, unseal_for_restore

    found = recovery.diagnose(args.data_dir)
    data: dict[str, Any] = {"problem": found.problem, "message": found.message,
                            "detail": found.detail, "recovered": False}
    if found.ok:
        emit(args, data, lambda: print("数据文件完好，不需要恢复。"
                                       "（要换成某个备份，请用 restore 命令。）"))
        return EXIT_OK
    if not found.recoverable:
        raise StorageError(found.message, hint="请安装最新版本的程序；数据没有被改动。",
                           code=found.problem)
    source = Path(args.backup) if args.backup else None
    plain = unseal_for_restore(source, args.data_dir) if source else None
    try:
        choice = (recovery.verify_backup(plain) if plain else
                  recovery.newest_good_backup(args.data_dir))
        if choice is None:
            raise StorageError(f"{found.message}没有找到可用的备份。",
                               hint="请用 --backup 指定U盘或其他文件夹里的备份文件。",
                               code="no_backup")
        if not choice.good:
            raise StorageError(f"备份文件“{source}”不能使用：{choice.error}。",
                               hint="请指定另一个备份。", code="bad_backup")
        assert choice.summary is not None
        c = choice.summary.counts
        data.update(backup=source or choice.path, backup_made_at=choice.made_at, counts=c)
        if not args.yes:
            emit(args, data, lambda: print(
                f"{found.message}（{found.detail}）\n"
                f"可恢复的备份：{source or choice.path}（{choice.made_at:%Y-%m-%d %H:%M}），"
                f"人员 {c['person']}，走访 {c['visit']}。\n"
                "确认后加 --yes 再运行一次：原文件会移到数据目录的 damaged 文件夹保留。"))
            raise StationError("还没有恢复，数据没有改动。",
                               hint="核对上面的备份无误后，加 --yes 再运行一次。",
                               code="needs_confirmation")
        result = recover(args.data_dir, choice.path, problem=found.problem)
        result.store.close()
    finally:
        if source and plain:
            discard_unsealed(source, plain)
    data.update(recovered=True, damaged_dir=result.damaged_dir)
    emit(args, data, lambda: print(
        f"已从 {source or choice.path} 恢复。"
        + (f"原来的数据文件保存在 {result.damaged_dir}。" if result.damaged_dir else "")))
    return EXIT_OK
