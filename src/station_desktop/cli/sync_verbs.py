"""Command-line verbs of sync: keys, enroll, bundle, conflicts, transfer, stations.

Registered into the main parser by :func:`register`; each command opens the
store, calls the sync services (writes) or the sync modules (reads and
files), and prints Chinese text (or JSON with --json). Refusals, a whole
command's or one bundle's among many, go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from station_desktop.domain.errors import StationError

from station_desktop.cli.common import emit, opened_station, resolve_person

Add = Callable[..., argparse.ArgumentParser]


def _confirm(args: argparse.Namespace, question: str) -> None:
    if getattr(args, "yes", False):
        return
    if not sys.stdin.isatty():
        raise StationError("需要确认指纹，但当前无法交互。",
                           hint="请在核对指纹无误后加上 --yes 重新运行。", code="usage")
    answer = input(f"{question}（是/否）：").strip().lower()
    if answer not in ("是", "y", "yes", "s"):
        raise StationError("已取消，未做任何更改。", code="cancelled")


def cmd_keys_show(args: argparse.Namespace) -> int:
    from station_desktop.sync.enrol import data_keys, me, peers

    with opened_station(args) as (store, _svc):
        mine = me(store, data_keys(store)).as_dict()
        known = peers(store)
    data = {"me": mine, "peers": known}

    def human() -> None:
        print(f"本机：{mine['name']}（{mine['code']}）  密钥指纹 {mine['fingerprint']}")
        for p in known:
            state = "有效" if p["state"] == "active" else "已注销"
            what = "上级" if p["relation"] == "county" else "服务站"
            print(f"{what}：{p['name']}（{p['code']}）  指纹 {p['fingerprint']}  {state}")

    emit(args, data, human)
    return 0


def cmd_enroll_request(args: argparse.Namespace) -> int:
    from station_desktop.sync.enrol import data_keys, request

    with opened_station(args) as (store, _svc):
        path = request(store, Path(args.out))
        fp = data_keys(store).fingerprint
    emit(args, {"file": str(path), "fingerprint": fp}, lambda: print(
        f"登记申请已写入 {path}\n本机密钥指纹：{fp}\n请把文件交县服务中心，并在电话中向县里念出这个指纹。"))
    return 0


def cmd_enroll_accept(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.enrolment import accept
    from station_desktop.sync.enrol import read_request

    data = Path(args.file).read_bytes()
    party = read_request(data)
    if not args.json:
        print(f"登记申请：{party.name}（{party.code}）\n密钥指纹：{party.fingerprint}")
    _confirm(args, "请与该服务站电话核对指纹，一致吗")
    with opened_station(args) as (store, svc):
        out = Path(args.out) if args.out else Path(args.file).parent
        station, path = accept(store, data, out, operator_id=svc.operator_id)
    emit(args, {"station": station.as_dict(), "file": str(path)},
          lambda: print(f"已接受 {station.name} 的登记。请把确认文件 {path} 交回该服务站。"))
    return 0


def cmd_enroll_apply(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.enrolment import apply

    with opened_station(args) as (store, svc):
        county = apply(store, Path(args.file).read_bytes(), operator_id=svc.operator_id)
    emit(args, county.as_dict(), lambda: print(
        f"登记完成：上级为 {county.name}（{county.code}），其密钥指纹 {county.fingerprint}。"
        "\n请与县服务中心核对这个指纹。"))
    return 0


def cmd_enroll_revoke(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.enrolment import revoke

    with opened_station(args) as (store, svc):
        revoke(store, args.code, operator_id=svc.operator_id)
    emit(args, {"revoked": args.code}, lambda: print(
        f"已注销服务站 {args.code} 的密钥。它的数据包将被拒收，直到用新密钥重新登记。"))
    return 0


def cmd_bundle_export(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.export import export_bundle
    from station_desktop.sync.peers import county_peer

    with opened_station(args) as (store, svc):
        to = args.to
        if to is None:
            county = county_peer(store)
            if county is None:
                raise StationError("本站还没有登记，不知道导出给谁。", hint="请先完成登记，或用 --to 指定收件方代码。")
            to = county["code"]
        done = export_bundle(store, to, Path(args.dir), restore=args.restore,
                             operator_id=svc.operator_id)
    data = {"file": str(done.path), "counts": done.counts, "seq": done.manifest["seq"]}
    emit(args, data, lambda: print(
        f"已导出 {done.path}\n" + "，".join(f"{k} {v}" for k, v in done.counts.items())
        + f"\n变更序号 {done.manifest['seq']['from']}–{done.manifest['seq']['to']}"))
    return 0


def cmd_bundle_verify(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.imports import import_bundle
    from station_desktop.sync.verify import find_bundles

    with opened_station(args) as (store, _svc):
        # A trial import: every check, then the merge itself, rolled back.
        rows = [import_bundle(store, path, trial=True) for path in find_bundles(map(Path, args.files))]

    def human() -> None:
        for r in rows:
            if r.status == "refused":
                print(f"{r.file}：不能导入。{r.reason}", file=sys.stderr)
            elif r.status == "duplicate":
                print(f"{r.file}：已导入过，再导入不会有变化。")
            else:
                print(f"{r.file}：可以导入（将新增 {r.created}，更新 {r.updated}，冲突 {r.conflicts}）。")

    emit(args, [r.as_dict() for r in rows], human)
    return 0 if all(r.status != "refused" for r in rows) else 1


def cmd_bundle_import(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.imports import import_many
    from station_desktop.sync.peers import gap_messages
    from station_desktop.sync.report import result_line

    with opened_station(args) as (store, svc):
        results = import_many(store, map(Path, args.files), operator_id=svc.operator_id)
        gaps = gap_messages(store)
    if not results:
        raise StationError("没有找到数据包文件（*.sdbundle）。", hint="请检查所选的文件或文件夹。")

    def human() -> None:
        for r in results:
            print(result_line(r), file=sys.stderr if r.status == "refused" else sys.stdout)
        for line in gaps:
            print(line)

    emit(args, [r.as_dict() for r in results], human)
    return 1 if any(r.status == "refused" for r in results) else 0


def cmd_bundle_relay(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.relay import relay

    with opened_station(args) as (store, svc):
        results = relay(store, [Path(f) for f in args.files], Path(args.out),
                        operator_id=svc.operator_id)
    labels = {"relayed": "已转交", "skipped": "跳过", "refused": "拒绝"}

    def human() -> None:
        for r in results:
            line = f"{r.file}：{labels[r.status]}"
            if r.status == "relayed":
                line += f"（{r.sender} → {r.recipient}，变更 {r.from_seq}–{r.to_seq}）"
            print(line + (f" {r.reason}" if r.reason else ""),
                  file=sys.stderr if r.status == "refused" else sys.stdout)

    emit(args, [r.__dict__ for r in results], human)
    return 1 if any(r.status == "refused" for r in results) else 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from station_desktop.sync.review import conflicts

    with opened_station(args) as (store, _svc):
        items = conflicts(store, open_only=not args.all)

    def human() -> None:
        if not items:
            print("没有待处理的冲突。")
        for x in items:
            print(f"#{x.id} {x.record} 的“{x.field_label}”：现为“{x.kept}”（来自 {x.kept_from}），"
                  f"落选“{x.lost}”（来自 {x.lost_from}）"
                  + (f" 已处理：{x.resolution}" if x.resolved_at else ""))

    emit(args, [x.__dict__ for x in items], human)
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.review import resolve

    if args.action == "edit" and args.value is None:
        # Without a value, "edit" would empty the field and say it was handled.
        args.usage_error("edit 需要用 --value 给出新值，例如：resolve 3 edit --value 13800138000")
    with opened_station(args) as (store, svc):
        resolve(store, args.id, args.action, args.value, operator_id=svc.operator_id)
    emit(args, {"resolved": args.id}, lambda: print(f"冲突 #{args.id} 已处理。"))
    return 0


def cmd_transfer(args: argparse.Namespace) -> int:
    from station_desktop.services.sync.review import transfer_person

    with opened_station(args) as (store, svc):
        moved = transfer_person(store, resolve_person(svc, args.person), args.to,
                                operator_id=svc.operator_id)
    emit(args, moved, lambda: print(
        f"已迁移到 {args.to}：" + "，".join(f"{k} {v}" for k, v in moved.items())
        + "\n两个服务站在下次收到县里的数据包后生效。"))
    return 0


def cmd_stations(args: argparse.Namespace) -> int:
    from station_desktop.domain.validate import local_time
    from station_desktop.sync.review import stations_overview

    with opened_station(args) as (store, _svc):
        rows = stations_overview(store)

    def human() -> None:
        for r in rows:
            gaps = "；".join(f"{a}–{b} 未收到" for a, b in r["gaps"]) or "无缺失"
            print(f"{r['name']}（{r['code']}）指纹 {r['fingerprint']} "
                  f"{'有效' if r['state'] == 'active' else '已注销'}  "
                  f"最近收到 {local_time(r['last_bundle_at'], empty='从未')}  "
                  f"已收到第 {r['received_seq']} 号  {gaps}  人员 {r['persons']} 走访 {r['visits']}")

    emit(args, rows, human)
    return 0


def register(sub: Any, add: Add, common: argparse.ArgumentParser, parser_class: type) -> None:
    keys = sub.add_parser("keys", help="本机密钥", parents=[common])
    ksub = keys.add_subparsers(dest="keys_command", required=True, parser_class=parser_class)
    add("show", cmd_keys_show, "显示本机与已登记各方的密钥指纹", ksub)

    enroll = sub.add_parser("enroll", help="服务站登记（交换密钥）", parents=[common])
    esub = enroll.add_subparsers(dest="enroll_command", required=True, parser_class=parser_class)
    sp = add("request", cmd_enroll_request, "生成本站的登记申请文件", esub)
    sp.add_argument("out", help="文件或文件夹")
    sp = add("accept", cmd_enroll_accept, "（县）接受服务站的登记申请", esub)
    sp.add_argument("file")
    sp.add_argument("--out", help="确认文件写到哪里（默认与申请文件同一文件夹）")
    sp.add_argument("--yes", action="store_true", help="已电话核对指纹，不再询问")
    sp = add("apply", cmd_enroll_apply, "安装县里发回的登记确认", esub)
    sp.add_argument("file")
    sp = add("revoke", cmd_enroll_revoke, "（县）注销某服务站的密钥", esub)
    sp.add_argument("code")

    bundle = sub.add_parser("bundle", help="数据包（导出、检查、导入、转交）", parents=[common])
    bsub = bundle.add_subparsers(dest="bundle_command", required=True, parser_class=parser_class)
    sp = add("export", cmd_bundle_export, "导出对方尚未确认的全部变更", bsub)
    sp.add_argument("--to", help="收件方代码（村默认是所属县）")
    sp.add_argument("--restore", action="store_true", help="（县）为换了电脑的服务站导出恢复包")
    sp.add_argument("dir", help="输出文件夹（例如U盘）")
    sp = add("verify", cmd_bundle_verify, "只检查，不导入", bsub)
    sp.add_argument("files", nargs="+")
    sp = add("import", cmd_bundle_import, "导入数据包（文件或文件夹）", bsub)
    sp.add_argument("files", nargs="+")
    sp = add("relay", cmd_bundle_relay, "（乡镇）把村里的数据包原样转交县里", bsub)
    sp.add_argument("files", nargs="+")
    sp.add_argument("--out", required=True, help="转交到的文件夹")

    sp = add("conflicts", cmd_conflicts, "列出同步冲突")
    sp.add_argument("--all", action="store_true", help="包括已处理的")
    sp = add("resolve", cmd_resolve, "处理一条同步冲突")
    sp.add_argument("id", type=int)
    sp.add_argument("action", choices=["keep", "take", "edit"],
                    help="keep 保留现值；take 采用落选值；edit 改为 --value")
    sp.add_argument("--value", help="edit 时必填：改成的值")
    sp.set_defaults(usage_error=sp.error)  # a usage error found after parsing: exit 2 too
    sp = add("transfer", cmd_transfer, "（县）把人员档案迁到另一服务站")
    sp.add_argument("person", help="记录编号或身份证号")
    sp.add_argument("--to", required=True, help="迁入服务站代码")
    add("stations", cmd_stations, "（县）各服务站数据交换情况")
