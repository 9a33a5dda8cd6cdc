"""Command line: headless commands over the same services the GUI uses.

Exit codes: 0 success, 1 input refused (a Chinese message on stderr says
what and why, and the data is unchanged), 2 usage error. ``--json`` prints
data as JSON on stdout.

The program's entry (:func:`station_desktop.app.main`) hands every command
here; the GUI and the self-test sit above this package and are never
imported from it. The commands live by concern: :mod:`.records`,
:mod:`.files`, :mod:`.backup` and :mod:`.sync_verbs`; what they share
(opening the station, who acts, output, refusals) is :mod:`.common`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from station_desktop.cli.backup import cmd_backup, cmd_recover, cmd_restore
from station_desktop.cli.common import (
    ENV_OPERATOR,
    ENV_PIN,
    EXIT_USAGE,
    default_data_dir,
    guarded,
)
from station_desktop.cli.files import cmd_export_xlsx, cmd_import_xlsx, cmd_print
from station_desktop.cli.records import (
    cmd_check,
    cmd_demo,
    cmd_due,
    cmd_init,
    cmd_person_add,
    cmd_person_show,
    cmd_search,
    cmd_version,
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: Chinese hint, exit 2
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误：{message}\n")
        sys.exit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    base = argparse.ArgumentParser(add_help=False)
    base.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                      help="数据目录（默认在用户数据目录下）")
    base.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                      help="以 JSON 输出数据")
    common = argparse.ArgumentParser(add_help=False, parents=[base])
    common.add_argument("--operator", default=argparse.SUPPRESS, metavar="姓名",
                        help=f"操作员（已设置 PIN 时，写入和批量导出个人信息需要，随后输入 PIN；"
                             f"脚本中可用环境变量 {ENV_OPERATOR} 和 {ENV_PIN}）")
    p = _Parser(prog="station-desktop", description="退役军人服务站管理程序", parents=[common])
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    def add(name: str, fn: Callable[[argparse.Namespace], int], help_: str,
            parent: Any = sub, parents: Sequence[argparse.ArgumentParser] = (common,),
            ) -> argparse.ArgumentParser:
        sp = parent.add_parser(name, help=help_, parents=list(parents))
        sp.set_defaults(func=fn)
        return sp

    add("version", cmd_version, "显示版本")
    # init's operator is not one who signs in but the one it creates: the first administrator.
    sp = add("init", cmd_init, "设置本机服务站", parents=(base,))
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
    sp.add_argument("--yes", action="store_true",
                    help="不询问，直接恢复（脚本中用；不加时先显示将替换什么并询问）")
    sp.add_argument("--recovery-code", default=None, help="加密U盘备份的恢复码（本机没有时）")
    sp = add("recover", cmd_recover, "数据文件损坏时：检查并从备份恢复（原文件另存保留）")
    sp.add_argument("--backup", help="使用这个备份文件（默认最新的可用备份）")
    sp.add_argument("--yes", action="store_true", help="确认恢复（不加时只检查、不改动）")
    from station_desktop.cli.sync_verbs import register

    register(sub, add, common, _Parser)
    return p


def run(args: argparse.Namespace) -> int:
    """Run the command parsed into ``args``; refusals become exit code 1."""
    args.json = getattr(args, "json", False)
    if getattr(args, "data_dir", None) is None:
        args.data_dir = default_data_dir()
    return guarded(lambda: args.func(args))


def main(argv: Sequence[str] | None = None) -> int:
    """The commands alone (tests, scripts); ``station-desktop`` itself is ``app.main``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.error("请给出一个命令，例如 search 或 backup（--help 列出全部命令）。")
    return run(args)
