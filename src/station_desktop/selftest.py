"""``station-desktop --self-test``: does this installation work, end to end?

Run on a freshly installed (or frozen) program, it exercises the paths a
village PC depends on, each in a temporary data dir that is removed
afterwards, so the user's own records and settings are never touched:

    建立服务站 → 演示数据 → 数据库检查 → 拼音查找 → 花名册 PDF → 备份
    → 数据包导出 → 主窗口与首页（屏幕外）

Every step prints one line in Chinese; the exit code is 0 when all passed and
1 at the first failure (with what failed and what to do). A watchdog ends the
process with code 1 if the whole test hangs (a modal dialog nobody can see,
say), so a smoke script never waits forever.

This module stays free of Qt: the window step lives in
:mod:`station_desktop.ui.selftest` and is imported only when it runs.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from station_desktop import __version__
from station_desktop.domain.errors import StationError

#: The whole self-test normally takes a few seconds; this is the hard stop.
DEFAULT_TIMEOUT_S = 180.0
#: Demo persons: enough for a roster of several pages, quick on an old PC.
DEMO_PERSONS = 120


class SelfTestFailure(StationError):
    """A step ran but did not produce what it should have."""

    code = "self_test"


class Skipped(Exception):
    """A step that does not apply to this version (the reason is the message)."""


@dataclass
class StepResult:
    label: str
    ok: bool
    seconds: float
    detail: str
    skipped: bool = False


@dataclass
class Workspace:
    """What the steps share: the temporary folder and what earlier steps produced."""

    root: Path
    data_dir: Path
    facts: dict[str, Any] = field(default_factory=dict)

    def store(self):  # noqa: ANN201 - a Store; imported lazily to keep start-up light
        from station_desktop.services import open_store

        return open_store(self.data_dir)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailure(message)


# --- steps -------------------------------------------------------------------


def step_station(ws: Workspace) -> str:
    """A village station with demo records, the way `demo` makes one (keys included)."""
    from station_desktop.services.demo import DEMO_STATION, init_demo
    from station_desktop.sync.keys import load_keys

    counts = init_demo(ws.data_dir, persons=DEMO_PERSONS)
    store = ws.store()
    try:
        code = store.meta("station_code")
    finally:
        store.close()
    _expect(code == DEMO_STATION[0], f"服务站代码应为 {DEMO_STATION[0]}，实际为 {code}。")
    _expect(counts.get("person", 0) == DEMO_PERSONS,
            f"演示人员应有 {DEMO_PERSONS} 人，实际 {counts.get('person', 0)} 人。")
    keys = load_keys(ws.data_dir)
    _expect(keys is not None, "没有生成本机密钥。")
    ws.facts["counts"] = counts
    return (f"{DEMO_STATION[1]}，人员 {counts['person']}，走访 {counts.get('visit', 0)}，"
            f"密钥指纹 {keys.fingerprint if keys else ''}")


def step_check(ws: Workspace) -> str:
    from station_desktop.services.check import check_store

    store = ws.store()
    try:
        report = check_store(store)
    finally:
        store.close()
    bad = [f"{i['label']}（{i['detail']}）" for i in report["items"] if not i["ok"]]
    _expect(not bad, "数据库检查有问题：" + "；".join(bad))
    return f"{len(report['items'])} 项全部通过"


def step_search(ws: Workspace) -> str:
    """Name and pinyin initials: proves pypinyin's dictionaries came along."""
    from pypinyin import Style, lazy_pinyin
    from sqlalchemy import text

    from station_desktop.services.search_index import search

    store = ws.store()
    try:
        with store.read() as s:
            person_id, name = s.execute(text(
                "SELECT id, name FROM person WHERE deleted_at IS NULL ORDER BY id LIMIT 1")).one()
        initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
        by_name = [h.person_id for h in search(store, name, limit=50)]
        by_initials = [h.person_id for h in search(store, initials, limit=200)]
    finally:
        store.close()
    _expect(person_id in by_name, f"按姓名“{name}”没有找到该人员。")
    _expect(person_id in by_initials, f"按拼音首字母“{initials}”没有找到“{name}”。")
    return f"“{name}”按姓名和拼音首字母“{initials}”均能找到"


def read_back_pdf(path: Path) -> int:
    """Checks ``path`` is a whole PDF with the bundled font embedded; returns its size."""
    data = path.read_bytes()
    _expect(data.startswith(b"%PDF-"), f"{path.name} 不是 PDF 文件。")
    _expect(b"%%EOF" in data[-1024:], f"{path.name} 不完整（缺少结尾）。")
    _expect(b"FontFile2" in data, f"{path.name} 没有嵌入中文字体。")
    return len(data)


def step_pdf(ws: Workspace) -> str:
    from station_desktop.reports.roster_pdf import print_roster
    from station_desktop.services import Service

    out = ws.root / "花名册.pdf"
    store = ws.store()
    try:
        result = print_roster(Service(store), out)
    finally:
        store.close()
    size = read_back_pdf(out)
    _expect(result["pages"] >= 1, "花名册没有页。")
    ws.facts["pdf"] = out
    ws.facts["pdf_pages"] = result["pages"]
    return f"{result['pages']} 页，{result['persons']} 人，{size // 1024} KB"


def step_backup(ws: Workspace) -> str:
    from station_desktop.services.backups import backup

    store = ws.store()
    try:
        summary = backup(store, ws.root / "backup.sqlite3")
    finally:
        store.close()
    expected = ws.facts["counts"]["person"]
    _expect(summary.counts["person"] == expected,
            f"备份中人员 {summary.counts['person']} 人，应为 {expected} 人。")
    return f"已写入并核对，人员 {summary.counts['person']}"


def step_bundle(ws: Workspace) -> str:
    """Enrol the demo village with a county, export its bundle, and import it at the county.

    LEAD: this follows ``station_desktop.sync`` and ``station_desktop.services.sync``
    as they stood when the step was written (enrol.request, enrolment.accept /
    apply, export.export_bundle and imports.import_bundle); adjust here if those
    change. A program without the sync module reports the step as skipped, not passed.
    """
    try:
        from station_desktop.services.sync import enrolment, export, imports
        from station_desktop.sync import enrol
    except ImportError:
        raise Skipped("本版本还没有数据包导出功能") from None
    from sqlalchemy import text

    from station_desktop.services.demo import DEMO_STATION
    from station_desktop.services import open_store
    from station_desktop.services import Service
    from station_desktop.sync.keys import ensure_keys

    village_code = DEMO_STATION[0]
    county_code = village_code[:6] + "000000"
    exchange = ws.root / "U盘"
    exchange.mkdir()
    county_dir = ws.root / "county"
    county = open_store(county_dir)
    village = ws.store()
    try:
        Service(county).init_station(role="county", code=county_code,
                                     name="自检县退役军人服务中心", operator_name="自检")
        ensure_keys(county_dir)
        request = enrol.request(village, exchange)
        _station, acceptance = enrolment.accept(county, request.read_bytes(), exchange)
        enrolment.apply(village, acceptance.read_bytes())
        exported = export.export_bundle(village, county_code, exchange)
        imported = imports.import_bundle(county, exported.path)
        _expect(imported.status == "applied",
                f"县端导入数据包未成功：{imported.reason or imported.status}")
        with county.read() as s:
            persons = s.execute(text("SELECT count(*) FROM person WHERE station_code = :c"),
                                {"c": village_code}).scalar_one()
    finally:
        village.close()
        county.close()
    expected = ws.facts["counts"]["person"]
    _expect(persons == expected, f"县端收到人员 {persons} 人，应为 {expected} 人。")
    size = exported.path.stat().st_size
    return (f"登记后导出 {size // 1024} KB，县端核验签名并导入：人员 {persons}，"
            f"新建记录 {imported.created}")


def step_window(ws: Workspace) -> str:
    from station_desktop.ui.selftest import open_main_window

    result = open_main_window(ws.data_dir, ws.root / "settings.ini",
                              pdf=ws.facts.get("pdf"), pdf_pages=ws.facts.get("pdf_pages"))
    ws.facts["home_seconds"] = result["home_seconds"]
    return (f"首页 {result['home_seconds']:.2f} 秒内显示，{result['pages']} 个页面，"
            f"字体 {result['font']}，Qt 中文翻译已加载，PDF 预览 {result['pdf_pages']} 页")


STEPS: list[tuple[str, Callable[[Workspace], str]]] = [
    ("建立服务站并生成演示数据", step_station),
    ("数据库检查", step_check),
    ("拼音查找", step_search),
    ("打印花名册 PDF", step_pdf),
    ("备份并核对", step_backup),
    ("登记并导出数据包，县端导入", step_bundle),
    ("打开主窗口并显示首页", step_window),
]


# --- runner ------------------------------------------------------------------


def _watchdog(seconds: float, err: TextIO) -> threading.Timer:
    def expire() -> None:
        err.write(f"自检超时：{seconds:.0f} 秒内没有完成，已强制结束。"
                  "请把屏幕上的内容发给县里的技术人员。\n")
        err.flush()
        os._exit(1)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    return timer


def run_self_test(*, as_json: bool = False, keep: bool = False,
                  timeout: float = DEFAULT_TIMEOUT_S, gui: bool = True,
                  out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run every step; 0 when all passed (skipped steps allowed), else 1."""
    out = out or sys.stdout
    err = err or sys.stderr
    frozen = bool(getattr(sys, "frozen", False))
    root = Path(tempfile.mkdtemp(prefix="station-selftest-"))
    ws = Workspace(root=root, data_dir=root / "data")
    results: list[StepResult] = []
    if not as_json:
        out.write(f"station-desktop {__version__}{'（打包版）' if frozen else ''} 自检，"
                  f"临时目录 {root}\n")
        out.flush()
    watchdog = _watchdog(timeout, err)
    started = time.perf_counter()
    try:
        for label, step in STEPS:
            if step is step_window and not gui:
                continue
            t0 = time.perf_counter()
            try:
                detail, ok, skipped = step(ws), True, False
            except Skipped as exc:
                detail, ok, skipped = str(exc), True, True
            except StationError as exc:
                detail, ok, skipped = exc.user_text(), False, False
            except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
                traceback.print_exc(file=err)
                detail, ok, skipped = f"{type(exc).__name__}: {exc}", False, False
            results.append(StepResult(label, ok, round(time.perf_counter() - t0, 3), detail,
                                      skipped))
            if not as_json:
                mark = "跳过" if skipped else ("通过" if ok else "失败")
                out.write(f"[{mark}] {label}：{detail}（{results[-1].seconds:.2f} 秒）\n")
                out.flush()
            if not ok:
                break
    finally:
        watchdog.cancel()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    passed = all(r.ok for r in results)
    total = round(time.perf_counter() - started, 3)
    if as_json:
        json.dump({"ok": passed, "version": __version__, "frozen": frozen,
                   "total_seconds": total, "home_seconds": ws.facts.get("home_seconds"),
                   "steps": [asdict(r) for r in results]},
                  out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif passed:
        out.write(f"自检通过（共 {total:.1f} 秒）。\n")
    else:
        err.write(f"自检未通过：{results[-1].label}失败。{results[-1].detail}\n"
                  "请把以上内容发给县里的技术人员。\n")
    out.flush()
    return 0 if passed else 1
