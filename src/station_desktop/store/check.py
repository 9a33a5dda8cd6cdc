"""``check``: is the database whole, and is every record covered by change capture? (Reads only.)"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from station_desktop.store.db import Store
from station_desktop.store.models import SYNCED_TABLES


def check_store(store: Store) -> dict[str, Any]:
    """Read-only checks, each an item with a label, ok and a detail for the cadre.

    ``services.check.check_store`` repairs what can be repaired (the search index) first.
    """
    items: list[dict[str, Any]] = []

    def add(label: str, ok: bool, detail: str) -> None:
        items.append({"label": label, "ok": ok, "detail": detail})

    with store.engine.connect() as conn:
        integrity = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
        add("数据库结构完整", integrity == ["ok"], "；".join(integrity[:5]))
        fks = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        add("关联记录完整", not fks, f"{len(fks)} 处引用了不存在的记录" if fks else "无断开的引用")
        triggers = {r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        missing = [t for t in SYNCED_TABLES for op in ("insert", "update", "delete")
                   if f"capture_{t}_{op}" not in triggers]
        add("变更记录触发器齐全", not missing,
            "缺少：" + "、".join(missing) if missing else f"{len(SYNCED_TABLES)} 张表均已覆盖")
        uncaptured = 0
        unclocked = 0
        for t in SYNCED_TABLES:
            uncaptured += conn.execute(text(
                f'SELECT count(*) FROM "{t}" r WHERE NOT EXISTS (SELECT 1 FROM change_log c '
                f"WHERE c.table_name = '{t}' AND c.row_id = r.id)")).scalar_one()
            unclocked += conn.execute(text(f'SELECT count(*) FROM "{t}" WHERE hlc = 0')).scalar_one()
        add("每条记录都有变更记录", uncaptured == 0, f"{uncaptured} 条记录没有变更记录")
        add("每条记录都有时钟", unclocked == 0, f"{unclocked} 条记录时钟为空")
        pending = conn.execute(text("SELECT count(*) FROM search_pending")).scalar_one()
    add("查找索引", True, f"{pending} 人待更新索引（下次查找时自动完成）" if pending else "最新")
    return {"ok": all(i["ok"] for i in items), "items": items}
