"""Station assessment (issue 7, item 4): the 五有 checklist and the star-rating sheet.

Both sheets are county-owned catalogues, so the county sets the items, their
points and the bars without a program update:

* ``wuyou``: the five 五有 items, ``data.weight`` points each, scored by a tick;
* ``star_sheet``: the 示范型 star-rating sheet, 12 main items (``data.group``)
  and 61 sub-items, each scored from 0 to ``data.points`` (the national sheet
  publishes no point values: the shipped ones are defaults the county edits);
* ``star_level``: the least total (``data.min_score``) for each star level;
* ``assessment_rule``: the bars, ``wuyou.pass_score`` (the 五有 score a station
  needs to count as meeting 五有) and ``star.pass_level`` (the star level below
  which the county counts a station "below the bar").

A kind the database does not hold yet (a station initialised by an older
program) falls back to the built-in default of that kind.

The scoring (:class:`Sheet`, :func:`score`) is pure; the rest reads and
writes ``station_assessment`` rows. A station writes its own self-assessment
(one row per station, year and sheet). The county reviews a row it received
in a bundle: it writes the county's per-item scores, ``county_score``,
``star_level``, ``reviewer`` and ``state = 'reviewed'`` on that same row,
whose ``station_code`` stays the station's, so the review travels back in
that station's next return bundle. The county never creates rows for a station.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain.catalogues import CatalogueEntry, Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.store import models as m
from station_desktop.store.db import Store
from station_desktop.store.reader import row_dict

WUYOU = "wuyou"
STAR = "star_sheet"
SHEET_LABELS = {WUYOU: "五有", STAR: "星级评定（示范型）"}
STATE_LABELS = {"draft": "已自评", "submitted": "已提交", "reviewed": "县里已审核"}
LEVEL_NAMES = {0: "未达星级", 1: "一星级", 2: "二星级", 3: "三星级", 4: "四星级", 5: "五星级"}


def kind_entries(cats: Catalogues, kind: str, *, active_only: bool = True) -> list[CatalogueEntry]:
    """The entries of ``kind``; the built-in default when the database has none of that kind."""
    found = cats.entries(kind, active_only=active_only)
    if found or kind in cats.kinds():
        return found
    return Catalogues.defaults().entries(kind, active_only=active_only)


def _rule(cats: Catalogues, code: str, key: str) -> int | None:
    for e in kind_entries(cats, "assessment_rule"):
        if e.code == code and e.data.get(key) is not None:
            return int(e.data[key])
    return None


# --- the sheet and its scoring (pure) ------------------------------------------------


@dataclass(frozen=True)
class SheetItem:
    code: str
    name: str
    group: str  # the main item (大项) of a star-sheet sub-item; the name for 五有
    points: int  # the most this item scores


@dataclass(frozen=True)
class Sheet:
    kind: str
    label: str
    items: tuple[SheetItem, ...]
    levels: tuple[tuple[int, str, int], ...] = ()  # (level, name, min_score), lowest first
    pass_score: int | None = None  # 五有: least score meeting the bar
    pass_level: int | None = None  # star sheet: least level meeting the bar

    @property
    def max_score(self) -> int:
        return sum(i.points for i in self.items)

    @property
    def by_code(self) -> dict[str, SheetItem]:
        return {i.code: i for i in self.items}

    def groups(self) -> list[tuple[str, list[SheetItem]]]:
        """Main items in sheet order, each with its sub-items."""
        out: dict[str, list[SheetItem]] = {}
        for i in self.items:
            out.setdefault(i.group, []).append(i)
        return list(out.items())

    @property
    def scored_by_tick(self) -> bool:
        return self.kind == WUYOU

    def level_for(self, total: int | None) -> int | None:
        """The star level a total earns (0: below the first level); None for 五有."""
        if not self.levels or total is None:
            return None
        got = 0
        for level, _name, least in self.levels:
            if total >= least:
                got = max(got, level)
        return got

    def level_name(self, level: int | None) -> str:
        if level is None:
            return ""
        return next((n for lv, n, _ in self.levels if lv == level), LEVEL_NAMES.get(level, str(level)))

    def meets_bar(self, total: int | None) -> bool | None:
        """Whether a total meets the county's bar; None when nothing was scored."""
        if total is None:
            return None
        if self.levels:
            level = self.level_for(total) or 0
            return level >= (self.pass_level or 0)
        return total >= (self.pass_score if self.pass_score is not None else self.max_score)

    def bar_text(self) -> str:
        if self.levels:
            lv = self.pass_level or 0
            least = next((s for level, _n, s in self.levels if level == lv), 0)
            return f"{self.level_name(lv)}（{least} 分）及以上"
        least = self.pass_score if self.pass_score is not None else self.max_score
        return f"{least} 分及以上（满分 {self.max_score} 分）"


def load_sheet(cats: Catalogues, kind: str) -> Sheet:
    """The sheet ``kind`` as the county's catalogues define it today."""
    if kind not in SHEET_LABELS:
        raise ValidationError("sheet", f"没有“{kind}”这种评估表。")
    if kind == WUYOU:
        items = tuple(SheetItem(e.code, e.name, e.name, int(e.data.get("weight", 1)))
                      for e in kind_entries(cats, WUYOU))
        return Sheet(WUYOU, SHEET_LABELS[WUYOU], items,
                     pass_score=_rule(cats, "wuyou", "pass_score"))
    items = tuple(SheetItem(e.code, e.name, str(e.data.get("group") or "其他"),
                            int(e.data.get("points", 1)))
                  for e in kind_entries(cats, STAR))
    levels = tuple(sorted(((int(e.code), e.name, int(e.data.get("min_score", 0)))
                           for e in kind_entries(cats, "star_level") if e.code.isdigit()),
                          key=lambda t: t[0]))
    return Sheet(STAR, SHEET_LABELS[STAR], items, levels=levels,
                 pass_level=_rule(cats, "star", "pass_level"))


def item_score(value: Any, item: SheetItem, *, county: bool = False) -> int:
    """The points a stored or typed value gives ``item``.

    A value is ``{"checked": bool}`` (a 五有 tick: all or nothing),
    ``{"score": n}`` (a star-sheet sub-item, 0..points), a bare bool or int,
    or missing (0). With ``county`` the county's score ``{"county": n}`` wins
    over the station's own when present.
    """
    if isinstance(value, Mapping):
        if county and value.get("county") is not None:
            return _bounded(value["county"], item)
        if "score" in value and value["score"] is not None:
            return _bounded(value["score"], item)
        return item.points if value.get("checked") else 0
    if isinstance(value, bool):
        return item.points if value else 0
    if isinstance(value, int):
        return _bounded(value, item)
    return 0


def _bounded(value: Any, item: SheetItem) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationError("items", f"“{item.name}”的得分应为整数，不是“{value}”。") from None
    if not 0 <= n <= item.points:
        raise ValidationError("items", f"“{item.name}”的得分应在 0 到 {item.points} 分之间，"
                                       f"不是 {n} 分。")
    return n


@dataclass(frozen=True)
class Score:
    total: int
    max_score: int
    by_group: dict[str, tuple[int, int]]  # main item -> (got, most)
    missing: list[tuple[SheetItem, int]]  # items scored below their points, with what they got

    def missing_text(self, limit: int | None = None) -> str:
        parts = [f"{i.name}（{got}/{i.points}）" if i.points > 1 or got else i.name
                 for i, got in self.missing]
        if limit is not None and len(parts) > limit:
            parts = [*parts[:limit], f"等 {len(self.missing)} 项"]
        return "、".join(parts)


def score(sheet: Sheet, values: Mapping[str, Any], *, county: bool = False) -> Score:
    """Score ``values`` (item code -> value, see :func:`item_score`) on ``sheet``.

    Items the sheet no longer has are ignored (the county may have retired
    them since); items missing from ``values`` score 0.
    """
    total = 0
    by_group: dict[str, tuple[int, int]] = {}
    missing: list[tuple[SheetItem, int]] = []
    for item in sheet.items:
        got = item_score(values.get(item.code), item, county=county)
        total += got
        g, most = by_group.get(item.group, (0, 0))
        by_group[item.group] = (g + got, most + item.points)
        if got < item.points:
            missing.append((item, got))
    return Score(total, sheet.max_score, by_group, missing)


# --- the station's self-assessment --------------------------------------------------


def clean_items(sheet: Sheet, items: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(items) - set(sheet.by_code))
    if unknown:
        raise ValidationError("items", f"{sheet.label}中没有这一项：{'、'.join(unknown)}。",
                              hint="请刷新后重新填写（县里可能更新了评估表）。")
    stored: dict[str, Any] = {}
    for item in sheet.items:
        value = items.get(item.code)
        note = str(value.get("note") or "").strip() if isinstance(value, Mapping) else ""
        if len(note) > 200:
            raise ValidationError("items", f"“{item.name}”的说明超过 200 字。")
        got = item_score(value, item)
        stored[item.code] = ({"checked": got >= item.points, "note": note}
                             if sheet.scored_by_tick else {"score": got, "note": note})
    return stored


def find_assessment(s: Session, station_code: str, year: int,
                    sheet: str) -> m.StationAssessment | None:
    """A station's live assessment of ``year`` on ``sheet`` (one per station, year and sheet)."""
    return s.scalars(select(m.StationAssessment).where(
        m.StationAssessment.station_code == station_code,
        m.StationAssessment.year == year, m.StationAssessment.sheet == sheet,
        m.StationAssessment.deleted_at.is_(None))).first()


def load_self_assessment(store: Store, cats: Catalogues, station_code: str, year: int, *,
                         sheet_kind: str = WUYOU) -> dict[str, Any]:
    """The checklist (code, name, weight) and the saved assessment of ``year``, if any.

    The 五有 form of 设置 → 服务站信息 reads this; it saves through
    :func:`station_desktop.services.assessment.save_self_assessment` like the
    star sheet, so both follow the same sheet and the same reopen-after-review rule.
    """
    sheet = load_sheet(cats, sheet_kind)
    return {
        "items": [{"code": i.code, "name": i.name, "weight": i.points} for i in sheet.items],
        "max_score": sheet.max_score,
        "saved": load_assessment(store, station_code, year, sheet_kind),
    }


def load_assessment(store: Store, station_code: str, year: int, sheet_kind: str
                    ) -> dict[str, Any] | None:
    with store.read() as s:
        obj = find_assessment(s, station_code, year, sheet_kind)
        return row_dict(obj) if obj is not None else None


# --- the county's distribution ----------------------------------------------------------


@dataclass
class StationResult:
    """One station's assessment on one sheet, as the county sees it."""

    code: str
    name: str
    stale: bool = False
    row: dict[str, Any] | None = None  # the station_assessment row, if one came
    score: Score | None = None  # county's scores where reviewed, the station's own otherwise
    reviewed: bool = False
    level: int | None = None
    meets_bar: bool | None = None  # None: no assessment received

    @property
    def state_text(self) -> str:
        if self.row is None:
            return "未收到自评"
        return STATE_LABELS.get(self.row.get("state") or "", self.row.get("state") or "")


@dataclass
class Distribution:
    sheet: Sheet
    year: int
    stations: list[StationResult]
    by_level: dict[int | None, int] = field(default_factory=dict)  # None: no assessment
    item_misses: dict[str, int] = field(default_factory=dict)  # item code -> stations missing it

    @property
    def below(self) -> list[StationResult]:
        """Stations below the bar, lowest score first, then those whose assessment never came."""
        rows = [r for r in self.stations if not r.meets_bar]
        return sorted(rows, key=lambda r: (r.score is None, r.score.total if r.score else 0,
                                           r.code))

    @property
    def assessed(self) -> int:
        return sum(1 for r in self.stations if r.row is not None)

    @property
    def meeting(self) -> int:
        return sum(1 for r in self.stations if r.meets_bar)


def stored_items(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return dict(value or {})


def distribution(store: Store, cats: Catalogues, year: int, sheet_kind: str, *, today: date,
                 stale_days: int | None = None) -> Distribution:
    """Every station's assessment on ``sheet_kind`` for ``year``, scored with today's sheet.

    A reviewed row counts with the county's scores; any other with the
    station's own (shown as not yet reviewed). Stations the county knows that
    sent none are listed too, as below the bar.
    """
    from station_desktop.store import county as sc

    sheet = load_sheet(cats, sheet_kind)
    units = sc.station_units(store, today, stale_days or sc.DEFAULT_STALE_DAYS)
    with store.read() as s:
        rows = [row_dict(o) for o in s.scalars(select(m.StationAssessment).where(
            m.StationAssessment.year == year, m.StationAssessment.sheet == sheet_kind,
            m.StationAssessment.deleted_at.is_(None)).order_by(m.StationAssessment.updated_at))]
    own = store.meta("station_code")
    by_code = {r["station_code"]: r for r in rows if r["station_code"] != own}
    results: list[StationResult] = []
    for code in sorted(set(units) | set(by_code)):
        u = units.get(code)
        res = StationResult(code, u.name if u else f"服务站 {code}", stale=bool(u and u.is_stale))
        row = by_code.get(code)
        if row is not None:
            res.row = row
            res.reviewed = row.get("state") == "reviewed"
            res.score = score(sheet, stored_items(row.get("items")), county=res.reviewed)
            res.level = sheet.level_for(res.score.total)
            res.meets_bar = sheet.meets_bar(res.score.total)
        results.append(res)
    dist = Distribution(sheet, year, results)
    for r in results:
        key = r.level if sheet.levels else (None if r.score is None else int(bool(r.meets_bar)))
        if r.row is None:
            key = None
        dist.by_level[key] = dist.by_level.get(key, 0) + 1
        if r.score is not None:
            for item, _got in r.score.missing:
                dist.item_misses[item.code] = dist.item_misses.get(item.code, 0) + 1
    return dist


def level_rows(dist: Distribution) -> list[tuple[str, int]]:
    """(label, stations) for the distribution table, highest level first."""
    sheet = dist.sheet
    out: list[tuple[str, int]] = []
    if sheet.levels:
        for level in sorted({lv for lv, _n, _s in sheet.levels} | {0}, reverse=True):
            out.append((sheet.level_name(level) if level else LEVEL_NAMES[0],
                        dist.by_level.get(level, 0)))
    else:
        out.append(("达到五有", dist.by_level.get(1, 0)))
        out.append(("未达到五有", dist.by_level.get(0, 0)))
    out.append(("未收到自评", dist.by_level.get(None, 0)))
    return out


def missed_items(dist: Distribution) -> list[tuple[SheetItem, int]]:
    """Items by how many stations miss them, most first (items nobody misses left out)."""
    items = dist.sheet.by_code
    pairs = [(items[c], n) for c, n in dist.item_misses.items() if c in items]
    order = {i.code: k for k, i in enumerate(dist.sheet.items)}
    return sorted(pairs, key=lambda p: (-p[1], order[p[0].code]))


def assessment_years(store: Store, today: date) -> list[int]:
    """This year and every year an assessment exists for, newest first."""
    with store.read() as s:
        years = {int(y) for (y,) in s.execute(select(m.StationAssessment.year).distinct())}
    return sorted(years | {today.year}, reverse=True)


def station_rows(dist: Distribution, *, only: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Plain rows for the county's list (one per station)."""
    out = []
    for r in dist.stations:
        if only is not None and r.code not in only:
            continue
        row = r.row or {}
        out.append({
            "id": row.get("id") or r.code, "code": r.code, "name": r.name, "stale": r.stale,
            "state": r.state_text, "self_score": row.get("self_score"),
            "county_score": row.get("county_score") if r.reviewed else None,
            "score": r.score.total if r.score else None,
            "level": dist.sheet.level_name(r.level) if r.level is not None else "",
            "meets_bar": r.meets_bar, "reviewer": row.get("reviewer") or "",
            "missing": r.score.missing_text(limit=8) if r.score else "",
            "assessment_id": row.get("id"),
        })
    return out
