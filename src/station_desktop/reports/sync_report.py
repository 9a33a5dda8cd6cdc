"""The printed import report (数据包导入报告, issue 4): what one import of a USB stick did.

The same numbers the import report dialog shows, from
:func:`station_desktop.sync.report.summary_rows`: one row per sending
station (bundles, created, updated, deleted, moved out, conflicts, repeats,
refused, changes still missing), then every refused bundle with its reason
and where the file was kept, and the gaps still open on this installation.
Landscape A4, like the other wide tables.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from station_desktop.domain.progress import Progress
from station_desktop.reports.pdf import PageInfo, build_pdf, stepper
from station_desktop.reports.period import _Doc, cn_date
from station_desktop.reports.roster_pdf import page_counter
from station_desktop.store.db import Store
from station_desktop.sync.enrol import peers
from station_desktop.sync.peers import gap_messages
from station_desktop.sync.report import STATUS, Imported, summary_rows

TITLE = "数据包导入报告"

#: The per-station table, shared with the import report dialog.
HEADERS = ("服务站", "代码", "数据包", "新增", "更新", "删除", "迁出", "冲突", "重复", "拒收",
           "尚未收到的变更")


def gaps_text(gaps: list[list[int]]) -> str:
    return "；".join(f"第 {a}–{b} 号" for a, b in gaps) or "无"


def attribute(results: list[Imported], names: dict[str, str]) -> list[Imported]:
    """Refused bundles whose sender could not be read, put under the station their file
    name says (``<sender>-to-<recipient>-...``), so the clerk knows whom to call."""
    out = []
    for r in results:
        guess = r.file.split("-to-")[0]
        if not r.sender and guess.isdigit() and len(guess) == 12:
            r = replace(r, sender=guess, sender_name=names.get(guess, ""))
        out.append(r)
    return out


def station_rows(results: list[Imported], names: dict[str, str] | None = None) -> list[list[Any]]:
    """One row per sending station, the columns of :data:`HEADERS`; ``names`` by code."""
    return [[r["name"] or "（未知）", r["station"], r["bundles"], r["created"], r["updated"],
             r["deleted"], r["moved_out"], r["conflicts"], r["duplicates"], r["refused"],
             gaps_text(r["gaps"])]
            for r in summary_rows(attribute(results, names or {}))]


def totals(results: list[Imported]) -> dict[str, int]:
    """Bundles by outcome and the records they touched, for the one-line summary."""
    out = {"bundles": len(results), "applied": 0, "duplicate": 0, "refused": 0, "skipped": 0,
           "created": 0, "updated": 0, "conflicts": 0}
    for r in results:
        out[r.status] += 1
        out["created"] += r.created
        out["updated"] += r.updated
        out["conflicts"] += r.conflicts
    return out


def summary_sentence(results: list[Imported]) -> str:
    t = totals(results)
    s = (f"共 {t['bundles']} 个数据包：导入 {t['applied']} 个，已导入过 {t['duplicate']} 个，"
         f"拒收 {t['refused']} 个"
         + (f"，跳过发给其他站点的 {t['skipped']} 个" if t["skipped"] else "")
         + f"；新增记录 {t['created']} 条，更新 {t['updated']} 条")
    if t["conflicts"]:
        s += f"，冲突 {t['conflicts']} 处（请在“数据交换→冲突处理”中逐条处理）"
    return s + "。"


def print_import_report(
    store: Store, results: list[Imported], out: Path, *, today: date | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the report of one import to ``out``; returns ``{"file", "pages", "stations"}``."""
    step = stepper(2, progress)
    step(0)
    today = today or date.today()
    name = store.meta("station_name") or ""
    d = _Doc(TITLE, f"{name}　　导入日期：{cn_date(today)}", landscape=True)
    d.para(summary_sentence(results))
    d.heading("各服务站")
    names = {p["code"]: p["name"] for p in peers(store)}
    rows = station_rows(results, names)
    d.table(list(HEADERS), rows, [3.2, 2.2, 1, 1, 1, 1, 1, 1, 1, 1, 3.4], empty="没有数据包")
    d.heading("各数据包")
    d.table(["文件", "发送方", "结果", "变更序号", "说明"],
            [[r.file, r.sender_name or r.sender or names.get(r.file.split("-to-")[0], ""),
              STATUS[r.status],
              f"{r.from_seq}–{r.to_seq}" if r.to_seq else "",
              (r.reason + (f"（文件已留存在 {r.quarantined}）" if r.quarantined else ""))
              if r.status == "refused" else r.gap_text]
             for r in results],
            [5, 2.6, 1.6, 1.6, 7], empty="没有数据包")
    gaps = gap_messages(store)
    d.heading("尚未收到的变更")
    if gaps:
        for line in gaps:
            d.para(line)
        d.para("缺少的变更会在这些服务站下一次导出的数据包中一并带来；"
               "若长期缺失，请联系该站重新导出。", d.st.small)
    else:
        d.para("无：各服务站的变更都已连续收到。")
    d.story += d._flush()
    step(1)
    doc_class, pages = page_counter()
    info = PageInfo(station_name=name, title=TITLE, print_date=today, landscape=True)
    path = build_pdf(out, d.story, info, doc_class=doc_class, progress=progress)
    if progress is not None:  # done: the file is written, too late to cancel
        progress(2, 2)
    return {"file": str(path), "pages": pages[0], "stations": len(rows)}
