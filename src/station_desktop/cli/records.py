"""Commands over the station's records: version, init, demo, search, person, due, check."""

from __future__ import annotations

import argparse

from station_desktop import __version__
from station_desktop.cli.common import (
    EXIT_OK,
    emit,
    opened_station,
    operator_if_station,
    resolve_person,
)
from station_desktop.domain.errors import StationError


def cmd_version(args: argparse.Namespace) -> int:
    from station_desktop.store.migrate import head_revision

    data = {"version": __version__, "schema": head_revision()}
    emit(args, data, lambda: print(f"station-desktop {__version__}（数据结构版本 {data['schema']}）"))
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    with opened_station(args, new=True) as (store, svc):
        from station_desktop.sync.keys import ensure_keys

        result = svc.init_station(
            role=args.role, code=args.code, name=args.name, parent_code=args.parent,
            operator_name=args.operator,
        )
        result["fingerprint"] = ensure_keys(args.data_dir).fingerprint
    emit(args, result, lambda: print(
        f"已初始化：{result['name']}（{result['code']}），数据目录 {args.data_dir}\n"
        f"本机密钥指纹：{result['fingerprint']}"))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from station_desktop.services.demo import init_demo, init_demo_county

    if args.county:
        counts = init_demo_county(args.data_dir)
        emit(args, counts, lambda: print(
            "演示县已就绪（3 个乡镇、15 个站点，其中 2 个数据过期）："
            + "，".join(f"{k} {v}" for k, v in counts.items())
            + f"\n打开：station-desktop --data-dir {args.data_dir}"))
        return EXIT_OK
    counts = init_demo(args.data_dir, persons=args.persons, operator_id=operator_if_station(args))
    emit(args, counts, lambda: print(
        "演示数据已就绪：" + "，".join(f"{k} {v}" for k, v in counts.items())))
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from station_desktop.services.search_index import search

    with opened_station(args) as (store, _svc):
        hits = search(store, args.query, limit=args.limit)
    data = [h.__dict__ for h in hits]

    def human() -> None:
        if not hits:
            print(f"没有找到与“{args.query}”相符的人员。")
        for h in hits:
            print(f"{h.name}\t{h.id_number}\t{h.phone or ''}\t（{h.matched}）\t{h.person_id}")

    emit(args, data, human)
    return EXIT_OK


def cmd_person_show(args: argparse.Namespace) -> int:
    with opened_station(args) as (store, svc):
        data = svc.person_file(resolve_person(svc, args.id))
        cats = svc.catalogues()
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
    with opened_station(args) as (store, svc):
        person = svc.create("person", fields)
    emit(args, person, lambda: print(f"已建档：{person['name']}（{person['id']}）"))
    return EXIT_OK


def cmd_due(args: argparse.Namespace) -> int:
    with opened_station(args) as (store, svc):
        due = svc.due_list(limit=args.limit)

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
    from station_desktop.services.check import check_store

    with opened_station(args) as (store, _svc):
        report = check_store(store, repair=args.repair)

    def human() -> None:
        for item in report["items"]:
            mark = "通过" if item["ok"] else "有问题"
            print(f"[{mark}] {item['label']}：{item['detail']}")

    emit(args, report, human)
    if not report["ok"]:
        bad = "、".join(i["label"] for i in report["items"] if not i["ok"])
        raise StationError(f"数据库检查未通过：{bad}。",
                           hint="请先备份数据目录，再用 recover 或 restore 从备份恢复。",
                           code="check_failed")
    return EXIT_OK
