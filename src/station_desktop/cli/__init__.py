"""Command line: headless commands over the same services the GUI uses.

Exit codes: 0 success, 1 input refused (a Chinese message on stderr says
what and why, and the data is unchanged), 2 usage error. ``--json`` prints
data as JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from station_desktop import __version__
from station_desktop.domain.errors import StationError, os_error_text

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
DEMO_STATION = ("420303100201", "茅塔乡东沟村退役军人服务站", "420303100000")


def default_data_dir(demo: bool = False) -> Path:
    from platformdirs import user_data_dir

    base = Path(user_data_dir("station-desktop", appauthor=False))
    return base / "demo" if demo else base


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


def _open(args: argparse.Namespace):  # noqa: ANN202 - returns (Store, Service)
    from station_desktop.domain.errors import StorageError
    from station_desktop.services import open_store
    from station_desktop.store.recovery import diagnose
    from station_desktop.services import Service

    # Bytes first: opening a file whose -wal was lost would silently drop its changes.
    found = diagnose(args.data_dir, thorough=False)
    if not found.ok:
        raise StorageError(found.message, code=found.problem,
                           hint="请运行 station-desktop recover 从备份恢复，原文件会另存保留。")
    store = open_store(args.data_dir)
    return store, Service(store)


# --- commands ----------------------------------------------------------------


def cmd_version(args: argparse.Namespace) -> int:
    from station_desktop.store.migrate import head_revision

    data = {"version": __version__, "schema": head_revision()}
    emit(args, data, lambda: print(f"station-desktop {__version__}（数据结构版本 {data['schema']}）"))
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    store, svc = _open(args)
    try:
        from station_desktop.sync.keys import ensure_keys

        result = svc.init_station(
            role=args.role, code=args.code, name=args.name, parent_code=args.parent,
            operator_name=args.operator,
        )
        result["fingerprint"] = ensure_keys(args.data_dir).fingerprint
    finally:
        store.close()
    emit(args, result, lambda: print(
        f"已初始化：{result['name']}（{result['code']}），数据目录 {args.data_dir}\n"
        f"本机密钥指纹：{result['fingerprint']}"))
    return EXIT_OK


def init_demo(data_dir: Path, persons: int = 300, progress=None, cancel=None) -> dict[str, int]:  # noqa: ANN001
    """Make ``data_dir`` a demo village station with realistic records (idempotent)."""
    from station_desktop.store.demo import generate_demo
    from station_desktop.services import open_store
    from station_desktop.services import Service
    from station_desktop.sync.keys import ensure_keys

    store = open_store(data_dir)
    try:
        svc = Service(store)
        if store.meta("station_code") is None:
            code, name, parent = DEMO_STATION
            svc.init_station(role="village", code=code, name=name, parent_code=parent,
                             operator_name="王建国")
            ensure_keys(data_dir)
        with store.read() as s:
            from sqlalchemy import text

            existing = s.execute(text("SELECT count(*) FROM person")).scalar_one()
        if existing:
            return {"person": existing}
        return generate_demo(store, station_code=svc.station_code, persons=persons,
                             progress=progress, cancel=cancel)
    finally:
        store.close()


def init_demo_county(data_dir: Path, stations_per_town: int = 5) -> dict[str, int]:
    """Make an empty ``data_dir`` a demo county: three towns of demo villages, some stale."""
    from station_desktop.store.county_demo import generate_county
    from station_desktop.services import open_store
    from station_desktop.sync.keys import ensure_keys

    store = open_store(data_dir)
    try:
        if store.meta("station_code") is not None:
            raise StationError("这个数据目录已经初始化过，不能再生成演示县。",
                               hint="请用 --data-dir 指定一个新的空文件夹。", code="already_initialised")
        made = generate_county(store, stations_per_town=stations_per_town)
        ensure_keys(data_dir)
        return {k: v for k, v in made.rows.items() if k in ("station", "person", "visit",
                                                            "aid_application", "dispute_case")}
    finally:
        store.close()


def cmd_demo(args: argparse.Namespace) -> int:
    if args.county:
        counts = init_demo_county(args.data_dir)
        emit(args, counts, lambda: print(
            "演示县已就绪（3 个乡镇、15 个站点，其中 2 个数据过期）："
            + "，".join(f"{k} {v}" for k, v in counts.items())
            + f"\n打开：station-desktop --data-dir {args.data_dir}"))
        return EXIT_OK
    counts = init_demo(args.data_dir, persons=args.persons)
    emit(args, counts, lambda: print(
        "演示数据已就绪：" + "，".join(f"{k} {v}" for k, v in counts.items())))
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from station_desktop.store.search import search

    store, _svc = _open(args)
    try:
        hits = search(store, args.query, limit=args.limit)
    finally:
        store.close()
    data = [h.__dict__ for h in hits]

    def human() -> None:
        if not hits:
            print(f"没有找到与“{args.query}”相符的人员。")
        for h in hits:
            print(f"{h.name}\t{h.id_number}\t{h.phone or ''}\t（{h.matched}）\t{h.person_id}")

    emit(args, data, human)
    return EXIT_OK


def _resolve_person(svc, key: str) -> str:  # noqa: ANN001
    """Accept a record id or an ID number."""
    from station_desktop.domain.errors import NotFoundError

    if len(key) == 36 and key.count("-") == 4:
        return key
    found = svc.find_person_by_id_number(key)
    if found is None:
        raise NotFoundError(f"没有身份证号为 {key} 的人员档案。", hint="可先用 search 查找。")
    return found["id"]


def cmd_person_show(args: argparse.Namespace) -> int:
    store, svc = _open(args)
    try:
        data = svc.person_file(_resolve_person(svc, args.id))
        cats = svc.catalogues()
    finally:
        store.close()
    p = data["person"]

    def human() -> None:
        from station_desktop.domain.enums import Sex

        print(f"{p['name']}  {Sex(p['sex']).label}  {p['birth_date']}  身份证号 {p['id_number']}")
        print("人员类别：" + "、".join(cats.name("person_category", c) for c in p["categories"]))
        if p.get("phone"):
            print(f"联系电话：{p['phone']}")
        print(f"最近联系：{p.get('last_contact_on') or '无'}")
        for label, key in (("家庭成员", "family"), ("走访记录", "visits"), ("重大变故", "life_events"),
                           ("帮扶申请", "aid"), ("矛盾纠纷", "cases"), ("荣誉", "honours"),
                           ("变更历史", "history")):
            print(f"{label}：{len(data[key])} 条")
        for v in data["visits"][-5:]:
            print(f"  {v['visit_date']} {cats.name('visit_kind', v['kind'])} {v['visitor']}"
                  f" {(v.get('content') or '')[:30]}")

    emit(args, data, human)
    return EXIT_OK


def cmd_person_add(args: argparse.Namespace) -> int:
    fields: dict[str, str] = {}
    for item in args.fields:
        if "=" not in item:
            raise StationError(f"参数“{item}”应写成 字段=值，例如 name=张三。", code="usage")
        key, value = item.split("=", 1)
        fields[key.strip()] = value
    store, svc = _open(args)
    try:
        person = svc.create("person", fields)
    finally:
        store.close()
    emit(args, person, lambda: print(f"已建档：{person['name']}（{person['id']}）"))
    return EXIT_OK


def cmd_due(args: argparse.Namespace) -> int:
    store, svc = _open(args)
    try:
        due = svc.due_list(limit=args.limit)
    finally:
        store.close()

    def human() -> None:
        cov = due["coverage"]
        print(f"本季度联系覆盖率：{cov['ratio']:.0%}（{cov['contacted']}/{cov['total']}）")
        print(f"逾期未联系：{due['overdue_total']} 人")
        for r in due["overdue_contacts"]:
            print(f"  {r['name']}\t最近联系 {r['last_contact_on'] or '无'}\t逾期 {r['overdue_days']} 天")
        print(f"重大变故待走访（六必访）：{len(due['life_events_due'])} 件")
        for e in due["life_events_due"]:
            late = "（已逾期）" if e["overdue"] else ""
            print(f"  {e['name']}\t{e['kind_label']}\t应于 {e['visit_due_on']} 前走访{late}")
        for h in due["holidays"]:
            print(f"{h['name']}慰问（{h['start']} 至 {h['end']}）：重点对象尚未走访 "
                  f"{h['not_yet_visited_total']} 人")

    emit(args, due, human)
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from station_desktop.store.check import check_store

    store, _svc = _open(args)
    try:
        report = check_store(store, repair=args.repair)
    finally:
        store.close()

    def human() -> None:
        for item in report["items"]:
            mark = "通过" if item["ok"] else "有问题"
            print(f"[{mark}] {item['label']}：{item['detail']}")

    emit(args, report, human)
    return EXIT_OK if report["ok"] else EXIT_REFUSED


def cmd_backup(args: argparse.Namespace) -> int:
    from station_desktop.store.backup import SEALED_SUFFIX, backup, usb_backup

    dest = Path(args.file)
    store, _svc = _open(args)
    try:
        if dest.is_dir() or dest.suffix == SEALED_SUFFIX:  # encrypted, for a USB stick
            made = usb_backup(store, dest)
            summary = made.summary
        else:
            made, summary = None, backup(store, dest)
    finally:
        store.close()

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
    from station_desktop.store.backup import (
        discard_unsealed,
        restore_data_dir,
        summarize,
        unseal_for_restore,
    )

    source = Path(args.file)
    # An encrypted USB backup opens with this PC's recovery code or --recovery-code.
    plain = unseal_for_restore(source, args.data_dir, args.recovery_code)
    try:
        preview = summarize(plain)
        if not args.yes and not args.json:
            print(f"备份内容：{preview.station_name or ''}（{preview.station_code or ''}），"
                  f"最后修改 {preview.last_change_at or '无'}，人员 {preview.counts['person']}，"
                  f"走访 {preview.counts['visit']}。")
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
            return EXIT_REFUSED
        result = recovery.recover(args.data_dir, choice.path, problem=found.problem)
        result.store.close()
    finally:
        if source and plain:
            discard_unsealed(source, plain)
    data.update(recovered=True, damaged_dir=result.damaged_dir)
    emit(args, data, lambda: print(
        f"已从 {source or choice.path} 恢复。"
        + (f"原来的数据文件保存在 {result.damaged_dir}。" if result.damaged_dir else "")))
    return EXIT_OK


def _print_done(args: argparse.Namespace, result: dict[str, Any]) -> int:
    emit(args, result, lambda: print(
        f"已生成 {result['file']}，共 {result['pages']} 页。" if "pages" in result
        else f"已生成 {result['files']} 个文件，在 {result['folder']}。"))
    return EXIT_OK


def cmd_print(args: argparse.Namespace) -> int:
    """print person|roster|booklets|report|form: PDFs for inspection and archives."""
    from station_desktop.reports import booklet, forms, period, roster_pdf

    if args.print_command == "form":
        return _print_done(args, forms.print_form(args.kind, Path(args.out)))
    store, svc = _open(args)
    try:
        match args.print_command:
            case "person":
                result = booklet.print_person(svc, _resolve_person(svc, args.id), Path(args.out))
            case "booklets":
                result = booklet.print_booklets(
                    svc, Path(args.out), categories=args.category, one_file_each=args.each)
            case "roster":
                result = roster_pdf.print_roster(svc, Path(args.out), categories=args.category)
            case "report":
                from station_desktop.domain.validate import parse_date

                start = parse_date(args.date_from, field="from")
                end = parse_date(args.date_to, field="to")
                result = period.print_report(svc, Path(args.out), start=start, end=end)
    finally:
        store.close()
    return _print_done(args, result)


def cmd_import_xlsx(args: argparse.Namespace) -> int:
    from station_desktop.services.roster_import import import_roster

    store, svc = _open(args)
    try:
        report = import_roster(svc, Path(args.file), sheet=args.sheet, dry_run=args.dry_run)
    finally:
        store.close()
    emit(args, report.to_dict(), lambda: print("\n".join(report.lines())))
    return EXIT_OK


def cmd_export_xlsx(args: argparse.Namespace) -> int:
    from station_desktop.reports.xlsx_export import export_kind

    store, svc = _open(args)
    try:
        result = export_kind(svc, args.kind, Path(args.out))
    finally:
        store.close()
    emit(args, result, lambda: print(f"已导出 {result['rows']} 行到 {result['file']}。"))
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from station_desktop.app import run_gui

    return run_gui(args.data_dir, demo=args.demo, quit_when_ready=args.quit_when_ready)


# --- parser --------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: Chinese hint, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误：{message}\n")
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="数据目录（默认在用户数据目录下）")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="以 JSON 输出数据")
    p = _Parser(prog="station-desktop", description="退役军人服务站管理程序", parents=[common])
    p.add_argument("--demo", action="store_true", help="打开演示服务站")
    # For start-up benchmarks and smoke tests: exit once the home page has loaded.
    p.add_argument("--quit-when-ready", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--self-test", action="store_true",
                   help="自检：在临时目录中建站、打印、备份、打开主窗口，不动现有数据")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def add(name: str, fn: Callable[[argparse.Namespace], int], help_: str,
            parent: Any = sub) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=help_, parents=[common])
        sp.set_defaults(func=fn)
        return sp

    add("version", cmd_version, "显示版本")
    sp = add("init", cmd_init, "设置本机服务站")
    sp.add_argument("--role", required=True, help="village|town|county")
    sp.add_argument("--code", required=True, help="12 位统计用区划代码")
    sp.add_argument("--name", required=True)
    sp.add_argument("--parent", help="上级（乡镇或县）代码")
    sp.add_argument("--operator", default="管理员", help="第一个操作员姓名")
    sp = add("demo", cmd_demo, "生成演示服务站数据")
    sp.add_argument("--persons", type=int, default=300)
    sp.add_argument("--county", action="store_true",
                    help="生成演示县（县服务中心和 15 个站点的数据），数据目录须为空")
    sp = add("search", cmd_search, "查找人员（姓名、拼音、身份证号、电话）")
    sp.add_argument("query")
    sp.add_argument("--limit", type=int, default=20)
    person = sub.add_parser("person", help="人员档案", parents=[common])
    psub = person.add_subparsers(dest="person_command", required=True, parser_class=_Parser)
    sp = add("show", cmd_person_show, "显示人员档案", psub)
    sp.add_argument("id", help="记录编号或身份证号")
    sp = add("add", cmd_person_add, "新建人员档案", psub)
    sp.add_argument("fields", nargs="+", help="字段=值，例如 name=张三 id_number=... categories=退役士兵")
    sp = add("due", cmd_due, "待办：逾期未联系、六必访、节日慰问、覆盖率")
    sp.add_argument("--limit", type=int, default=50, help="每类最多列出多少人")
    printing = sub.add_parser("print", help="打印（生成 PDF）", parents=[common])
    prsub = printing.add_subparsers(dest="print_command", required=True, parser_class=_Parser)
    sp = add("person", cmd_print, "建档立卡手册（一人）", prsub)
    sp.add_argument("id", help="记录编号或身份证号")
    sp.add_argument("out")
    sp = add("roster", cmd_print, "花名册", prsub)
    sp.add_argument("out")
    sp.add_argument("--category", action="append", help="人员类别（可多次指定）")
    sp = add("booklets", cmd_print, "多人手册", prsub)
    sp.add_argument("out", help="PDF 文件；与 --each 一起用时是文件夹")
    sp.add_argument("--category", action="append", help="人员类别（可多次指定）")
    sp.add_argument("--each", action="store_true", help="每人一个文件")
    sp = add("report", cmd_print, "期间工作报表", prsub)
    sp.add_argument("--from", dest="date_from", required=True)
    sp.add_argument("--to", dest="date_to", required=True)
    sp.add_argument("out")
    sp = add("form", cmd_print, "空白采集表", prsub)
    sp.add_argument("kind", help="collection（信息采集表）或 visit（走访记录表）")
    sp.add_argument("out")
    sp = add("import-xlsx", cmd_import_xlsx, "从 Excel 花名册导入人员")
    sp.add_argument("file")
    sp.add_argument("--sheet", help="工作表名称（默认第一个有数据的表）")
    sp.add_argument("--dry-run", action="store_true", help="只检查、报告，不写入")
    sp = add("export-xlsx", cmd_export_xlsx, "导出为 Excel")
    sp.add_argument("kind", help="person（花名册）、visit、aid_application、dispute_case ……")
    sp.add_argument("out")
    sp = add("check", cmd_check, "检查数据库完整性")
    sp.add_argument("--repair", action="store_true", help="重建可以重建的索引")
    sp = add("backup", cmd_backup, "备份到文件（.stbak 或文件夹：加密的U盘备份）")
    sp.add_argument("file")
    sp = add("restore", cmd_restore, "从备份恢复")
    sp.add_argument("file")
    sp.add_argument("--yes", action="store_true", help="不显示预览")
    sp.add_argument("--recovery-code", default=None, help="加密U盘备份的恢复码（本机没有时）")
    sp = add("recover", cmd_recover, "数据文件损坏时：检查并从备份恢复（原文件另存保留）")
    sp.add_argument("--backup", help="使用这个备份文件（默认最新的可用备份）")
    sp.add_argument("--yes", action="store_true", help="确认恢复（不加时只检查、不改动）")
    from station_desktop.cli.sync_verbs import register

    register(sub, add, common, _Parser)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.json = getattr(args, "json", False)
    if getattr(args, "data_dir", None) is None:
        args.data_dir = default_data_dir(demo=args.demo and not args.command)
    if args.self_test:
        from station_desktop.selftest import run_self_test

        return run_self_test(as_json=args.json)
    func = getattr(args, "func", None) or cmd_gui
    try:
        return func(args)
    except StationError as exc:
        sys.stderr.write(f"错误：{exc.user_text()}\n")
        return EXIT_REFUSED
    except BrokenPipeError:  # the reader went away (``| head``): nothing to say
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a path that is not there, a stick pulled out, no permission
        sys.stderr.write(f"错误：{os_error_text(exc)}\n")
        return EXIT_REFUSED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
