"""The import report: one line per bundle and one block per station, in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from station_desktop.store.db import Store
from station_desktop.sync.peers import gap_messages


@dataclass
class Imported:
    """What one bundle did, for the import report."""

    file: str
    sender: str = ""
    sender_name: str = ""
    status: str = "applied"  # applied / duplicate / refused / skipped (for another station)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    moved_out: int = 0
    followed: int = 0  # late records re-tagged to the station their person moved to
    moved_persons: list[str] = field(default_factory=list)  # "张三（迁往 420303100202）"
    conflicts: int = 0
    from_seq: int = 0
    to_seq: int = 0
    gaps: list[list[int]] = field(default_factory=list)
    reason: str = ""
    reason_code: str = ""
    quarantined: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def gap_text(self) -> str:
        return "；".join(f"第 {a}–{b} 号变更尚未收到" for a, b in self.gaps)


STATUS = {"applied": "已导入", "duplicate": "已导入过（无变化）", "refused": "拒收",
          "skipped": "不是发给本站的，已跳过"}


def summary_rows(results: list[Imported]) -> list[dict[str, Any]]:
    """Per station: bundles, created, updated, conflicts, refused, gaps."""
    by: dict[str, dict[str, Any]] = {}
    for r in results:
        if r.status == "skipped":  # another station's bundle on a shared stick
            continue
        key = r.sender or "（未知发送方）"
        row = by.setdefault(key, {"station": key, "name": r.sender_name, "bundles": 0, "created": 0,
                                  "updated": 0, "deleted": 0, "moved_out": 0, "conflicts": 0,
                                  "duplicates": 0, "refused": 0, "gaps": [], "reasons": []})
        row["bundles"] += 1
        row["name"] = row["name"] or r.sender_name
        for k in ("created", "updated", "deleted", "moved_out", "conflicts"):
            row[k] += getattr(r, k)
        if r.status == "duplicate":
            row["duplicates"] += 1
        if r.status == "refused":
            row["refused"] += 1
            row["reasons"].append(f"{r.file}：{r.reason}")
        if r.status == "applied":
            row["gaps"] = r.gaps  # the newest state of the gaps for that station
    return sorted(by.values(), key=lambda x: x["station"])


def report_lines(store: Store, results: list[Imported]) -> list[str]:
    """One line per bundle, then one per gap in what we hold of each peer's changes."""
    return [result_line(r) for r in results] + gap_messages(store)


def result_line(r: Imported) -> str:
    """What one bundle did (or why it was refused), in words."""
    line = f"{r.file}：{STATUS[r.status]}"
    if r.status == "applied":
        line += (f"，新增 {r.created}，更新 {r.updated}，未变 {r.unchanged}"
                 + (f"，删除 {r.deleted}" if r.deleted else "")
                 + (f"，迁出 {r.moved_out}" if r.moved_out else "")
                 + (f"（{'、'.join(r.moved_persons)}）" if r.moved_persons else "")
                 + (f"，{r.followed} 条随已迁移人员转到新服务站" if r.followed else "")
                 + (f"，冲突 {r.conflicts}（请在“数据交换→冲突”中处理）" if r.conflicts else ""))
    elif r.status == "skipped":
        line = f"{r.file}：{r.reason}"
    elif r.status == "refused":
        line += f"。{r.reason}" + (f"\n    文件已留存在 {r.quarantined}" if r.quarantined else "")
    return line
