"""The county office's figures across its stations (issue 7), and the rows behind each.

A county installation holds every station's rows in the same tables, each
tagged with its ``station_code``. Every figure here is defined ONCE, as a
:class:`FigureDef`: the table it counts, the condition a row must meet (as
the day it starts counting and the day it stops) and, for money, the amount
summed. The same definition gives

* the counts of every station in one ``GROUP BY station_code`` query
  (:func:`county_figures`), summed in Python to towns (code digits 7-9)
  and to the county, and
* the drill-down (:func:`drill_rows`): exactly the rows a count counted,
  for the county, one town or one station,

so a figure and its list cannot disagree; and the summary table the home
page reads at city size (:mod:`station_desktop.store.county_summary`),
which gives exactly the same figures. What counts follows
:mod:`station_desktop.store.stats` (live records of live persons, the
roster on a day, inclusive ISO bounds) and reuses its SQL pieces and state
lists; the contact interval of the overdue-contact figure is the village
due list's (:func:`station_desktop.store.visits.contact_interval_sql`).

A period is a reference day (:class:`CountyPeriod`): today, or the last day of
any past quarter or year. Quarter and year figures count from the start of the
quarter / year up to that day; "open" and "outstanding" figures are read as
they stood on that day from the records' dates (registered, closed, done),
so a past quarter is counted from the history the county holds. The one
figure that cannot be (overdue contacts: a person's last contact is only
known now) is marked ``current_only`` and left out of past periods.

Each figure carries the newest change behind it (the greatest ``updated_at``
of the rows counted), and every station its freshness from ``sync_peer``:
a station whose newest bundle was imported longer ago than the stale age
(default 30 days), or never, is marked stale and named, not silently
counted as current.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from station_desktop.domain import rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.store.db import Store, dict_rows
from station_desktop.store.stats import (
    LEVELS,
    OPEN_IN,
    RESOLVED_IN,
    of_live_person,
)
from station_desktop.store.visits import contact_interval_sql

#: A station whose newest bundle is older than this many days is stale.
DEFAULT_STALE_DAYS = 30

_CHINA = timezone(timedelta(hours=8))


# --- the period ------------------------------------------------------------------


@dataclass(frozen=True)
class CountyPeriod:
    """The day the figures are read on; quarter and year run up to it."""

    on: date
    label: str = ""

    @classmethod
    def current(cls, today: date) -> CountyPeriod:
        q = (today.month - 1) // 3 + 1
        return cls(today, f"{today.year}年第{q}季度（截至{today.month}月{today.day}日）")

    @classmethod
    def quarter(cls, year: int, quarter: int, today: date) -> CountyPeriod:
        if not 1 <= quarter <= 4:
            raise ValidationError("quarter", f"季度应为1到4，不是{quarter}。")
        end = rules.quarter_bounds(date(year, quarter * 3, 1))[1]
        if end >= today:
            if date(year, quarter * 3 - 2, 1) > today:
                raise ValidationError("quarter", f"{year}年第{quarter}季度还没有开始。")
            return cls.current(today)
        return cls(end, f"{year}年第{quarter}季度")

    @classmethod
    def year(cls, year: int, today: date) -> CountyPeriod:
        if year >= today.year:
            return cls(today, f"{today.year}年（截至{today.month}月{today.day}日）")
        return cls(date(year, 12, 31), f"{year}年")

    @property
    def quarter_start(self) -> date:
        return rules.quarter_bounds(self.on)[0]

    @property
    def year_start(self) -> date:
        return rules.year_bounds(self.on)[0]

    def params(self) -> dict[str, str]:
        return {"on": self.on.isoformat(), "qa": self.quarter_start.isoformat(),
                "ya": self.year_start.isoformat()}


def recent_quarters(today: date, n: int = 8) -> list[tuple[int, int]]:
    """(year, quarter) of this quarter and the ``n - 1`` before it, newest first."""
    y, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(n):
        out.append((y, q))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return out


# --- the figures -------------------------------------------------------------------

_LIVE = "t.deleted_at IS NULL AND " + of_live_person("t.person_id")
# The first day (ISO, on or after the quarter / year start) the person was contacted.
_FIRST_CONTACT = ("(SELECT v.visit_date FROM visit v WHERE v.person_id = p.id "
                  "AND v.deleted_at IS NULL AND v.visit_date >= :{start} "
                  "ORDER BY v.visit_date LIMIT 1)")
_CASE_LEAVE = f"CASE WHEN t.state IN {OPEN_IN} THEN NULL ELSE coalesce(t.closed_on, '') END"
_HONOUR_LEAVE = "CASE WHEN t.state IN ({}) THEN NULL ELSE coalesce(t.done_on, '') END"

# Columns each drill-down list shows, by the table counted (``pn`` is the person).
_PERSON_COLS = ("p.id, p.station_code, p.name, p.sex, p.birth_date, p.categories, p.phone, "
                "p.registered_on, p.last_contact_on")
_EVENT_COLS = ("t.id, t.station_code, t.person_id, pn.name AS person_name, t.kind, "
               "t.event_date, t.visit_due_on, t.closed_on")
_CASE_COLS = ("t.id, t.station_code, t.person_id, t.parties, t.case_type, t.level, t.state, "
              "t.registered_on, t.deadline, t.resolved_level, t.closed_on")
_AID_COLS = ("t.id, t.station_code, t.person_id, pn.name AS person_name, t.aid_type, t.fund, "
             "t.applied_on, t.requested_fen, t.approved_fen, t.state")
_PAY_COLS = ("t.id, t.station_code, t.person_id, pn.name AS person_name, a.aid_type, "
             "coalesce(t.fund, a.fund) AS fund, t.paid_on, t.amount_fen, t.in_kind_fen")
_HONOUR_COLS = ("t.id, t.station_code, t.person_id, pn.name AS person_name, t.kind, t.title, "
                "t.state, t.applied_on, t.deadline")


@dataclass(frozen=True)
class FigureDef:
    """One county figure: count the rows of ``source`` that count on the day ``:on``.

    A row counts from the day ``enter`` (an ISO date; NULL: never) up to the
    day before ``leave`` (NULL: it never stops), if it meets ``cond`` (which
    does not depend on the day, but may use the quarter and year starts
    ``:qa`` / ``:ya``). :attr:`where` is the condition the live queries and
    drill-downs use; :mod:`station_desktop.store.county_summary` stores the
    rows grouped by (enter, leave) so that any day of a quarter is a sum.

    ``alias`` is the counted table's alias in ``source``; ``split`` an SQL
    expression that divides the figure (category, aid type, level): the
    figure's key is then ``key:<value>``. ``amount`` sums money in fen;
    ``distinct`` counts the counted table's distinct ids (``source`` joins
    one row per part, as ``json_each`` does).
    """

    key: str
    label: str
    source: str
    cond: str
    enter: str
    columns: str
    leave: str | None = None
    alias: str = "t"
    split: str | None = None
    split_kind: str | None = None  # catalogue kind naming the split values
    amount: str | None = None
    current_only: bool = False
    distinct: bool = False

    @property
    def where(self) -> str:
        w = f"{self.cond} AND {self.enter} <= :on"
        return f"{w} AND ({self.leave} IS NULL OR {self.leave} > :on)" if self.leave else w

    @property
    def count(self) -> str:
        return f"count(DISTINCT {self.alias}.id)" if self.distinct else "count(*)"


def _figure_defs(cats: Catalogues) -> list[FigureDef]:
    person = "person p"
    with_name = "LEFT JOIN person pn ON pn.id = t.person_id"
    days = contact_interval_sql(cats)
    alive = "p.deleted_at IS NULL"
    roster = "p.registered_on"
    # date(x, '+N days') < :on  is  date(x, '+N+1 days') <= :on
    overdue_from = (f"max(p.registered_on, date(coalesce(p.last_contact_on, p.registered_on), "
                    f"'+' || ({days} + 1) || ' days'))")
    first_q, first_y = _FIRST_CONTACT.format(start="qa"), _FIRST_CONTACT.format(start="ya")
    return [
        FigureDef("persons", "在册人数", person, alive, roster, _PERSON_COLS, alias="p"),
        FigureDef("category", "人员类别", "person p JOIN json_each(p.categories) j", alive,
                  roster, _PERSON_COLS, alias="p", split="j.value",
                  split_kind="person_category", distinct=True),
        FigureDef("contacted_q", "本季度已联系", person, alive,
                  f"max(p.registered_on, {first_q})", _PERSON_COLS, alias="p"),
        FigureDef("uncontacted_q", "本季度未联系", person, alive, roster, _PERSON_COLS,
                  leave=first_q, alias="p"),
        FigureDef("contacted_y", "本年已联系", person, alive,
                  f"max(p.registered_on, {first_y})", _PERSON_COLS, alias="p"),
        FigureDef("contacts_overdue", "逾期未联系", person, alive, overdue_from, _PERSON_COLS,
                  alias="p", current_only=True),
        FigureDef("events_due", "六必访待走访", f"life_event t {with_name}", _LIVE,
                  "t.event_date", _EVENT_COLS, leave="t.closed_on"),
        FigureDef("events_overdue", "六必访已逾期", f"life_event t {with_name}", _LIVE,
                  "max(t.event_date, date(t.visit_due_on, '+1 day'))", _EVENT_COLS,
                  leave="t.closed_on"),
        FigureDef("cases_open", "未办结纠纷", "dispute_case t", "t.deleted_at IS NULL",
                  "t.registered_on", _CASE_COLS, leave=_CASE_LEAVE),
        FigureDef("cases_overdue", "纠纷已超期", "dispute_case t", "t.deleted_at IS NULL",
                  "max(t.registered_on, date(t.deadline, '+1 day'))", _CASE_COLS,
                  leave=_CASE_LEAVE),
        FigureDef("resolved", "本年办结（按化解层级）", "dispute_case t",
                  f"t.deleted_at IS NULL AND t.state IN {RESOLVED_IN} AND t.closed_on >= :ya",
                  "t.closed_on", _CASE_COLS, split="coalesce(t.resolved_level, t.level)"),
        FigureDef("aid_applied", "本年帮扶申请", f"aid_application t {with_name}",
                  f"{_LIVE} AND t.applied_on >= :ya", "t.applied_on", _AID_COLS,
                  split="t.aid_type", split_kind="aid_type", amount="t.requested_fen"),
        FigureDef("aid_paid", "本年帮扶发放",
                  "aid_payment t JOIN aid_application a ON a.id = t.application_id "
                  + with_name,
                  f"{_LIVE} AND a.deleted_at IS NULL AND t.paid_on >= :ya", "t.paid_on",
                  _PAY_COLS, split="a.aid_type", split_kind="aid_type", amount="t.amount_fen"),
        FigureDef("plaques_outstanding", "光荣牌待悬挂", f"honour t {with_name}",
                  f"{_LIVE} AND t.kind = 'plaque'",
                  "coalesce(t.applied_on, substr(t.created_at, 1, 10))", _HONOUR_COLS,
                  leave=_HONOUR_LEAVE.format("'applied'")),
        FigureDef("notices_outstanding", "喜报待送达", f"honour t {with_name}",
                  f"{_LIVE} AND t.kind = 'notice'",
                  "coalesce(t.applied_on, t.awarded_on, substr(t.created_at, 1, 10))",
                  _HONOUR_COLS, leave=_HONOUR_LEAVE.format("'to_collect', 'to_deliver'")),
    ]


def figure_defs(cats: Catalogues | None = None) -> dict[str, FigureDef]:
    return {d.key: d for d in _figure_defs(cats or Catalogues.defaults())}


def split_label(d: FigureDef, value: str, cats: Catalogues) -> str:
    if d.split_kind:
        return cats.name(d.split_kind, value)
    if d.key == "resolved":
        return {"village": "村级化解", "town": "镇级化解", "county": "县级化解"}.get(value, value)
    return value


def figure_label(key: str, cats: Catalogues) -> str:
    base, _, value = key.partition(":")
    d = figure_defs(cats)[base]
    return f"{d.label}·{split_label(d, value, cats)}" if value else d.label


# --- results -------------------------------------------------------------------------


@dataclass
class Cell:
    """One figure of one station, town or the whole county."""

    n: int = 0
    amount_fen: int = 0
    latest: str | None = None  # newest updated_at (UTC ISO) of the rows counted

    def add(self, other: Cell) -> None:
        self.n += other.n
        self.amount_fen += other.amount_fen
        if other.latest and (self.latest is None or other.latest > self.latest):
            self.latest = other.latest


@dataclass
class Unit:
    """A station, a town or the county, with its figures keyed like ``aid_paid:temporary``."""

    code: str
    name: str
    level: str  # station / town / county
    cells: dict[str, Cell] = field(default_factory=dict)
    stations: list[str] = field(default_factory=list)  # station codes inside
    stale: list[str] = field(default_factory=list)  # stale station codes inside
    # freshness (stations only)
    last_bundle_at: str | None = None
    last_bundle_created: str | None = None
    gaps: list[list[int]] = field(default_factory=list)
    revoked: bool = False

    def n(self, key: str) -> int:
        c = self.cells.get(key)
        return c.n if c else 0

    def amount(self, key: str) -> int:
        c = self.cells.get(key)
        return c.amount_fen if c else 0

    def latest(self, key: str) -> str | None:
        c = self.cells.get(key)
        return c.latest if c else None

    def split(self, base: str) -> dict[str, Cell]:
        """The parts of a split figure: value -> cell."""
        pre = base + ":"
        return {k[len(pre):]: c for k, c in self.cells.items() if k.startswith(pre)}

    @property
    def is_stale(self) -> bool:
        return bool(self.stale)

    @property
    def coverage_q(self) -> float:
        return rules.coverage_ratio(self.n("contacted_q"), self.n("persons"))

    @property
    def coverage_y(self) -> float:
        return rules.coverage_ratio(self.n("contacted_y"), self.n("persons"))


@dataclass
class CountyFigures:
    period: CountyPeriod
    today: date
    stale_days: int
    county: Unit
    towns: list[Unit]
    stations: list[Unit]
    current: bool  # the period is read on today (current-only figures are filled)

    def unit(self, code: str) -> Unit:
        """The county, a town (9-digit prefix) or a station (12 digits)."""
        if code in ("", self.county.code):
            return self.county
        for u in (*self.towns, *self.stations):
            if u.code == code:
                return u
        raise KeyError(code)

    def stations_of(self, scope: str) -> list[Unit]:
        """Stations inside the county (``""``), a town prefix or one station."""
        return [s for s in self.stations if s.code.startswith(scope)]


# --- stations and freshness ------------------------------------------------------------


def _table_exists(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                       (name,)).fetchone() is not None


def _parse_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def is_stale(last_bundle_at: str | None, today: date, stale_days: int) -> bool:
    """True when the station's newest bundle was imported more than ``stale_days`` before today.

    Days are counted on the Chinese calendar (a bundle imported at 01:00 Beijing
    time belongs to that day, not to the UTC day before).
    """
    at = _parse_utc(last_bundle_at)
    if at is None:
        return True
    return (today - at.astimezone(_CHINA).date()).days > stale_days


def _stations(con: sqlite3.Connection, own_code: str | None, today: date,
              stale_days: int) -> dict[str, Unit]:
    """Every station the county holds rows of or has enrolled, with its freshness."""
    units: dict[str, Unit] = {}
    for code, name, role in con.execute(
            "SELECT code, name, role FROM station WHERE deleted_at IS NULL"):
        # Towns and the county group stations; their own rows (if any) come in below.
        if role == "village" and code != own_code:
            units[code] = Unit(code, name, "station")
    if _table_exists(con, "sync_peer"):
        for code, name, state, at, created, gaps in con.execute(
                "SELECT code, name, state, last_bundle_at, last_bundle_created, gaps "
                "FROM sync_peer WHERE relation = 'station'"):
            u = units.setdefault(code, Unit(code, name, "station"))
            u.name = u.name or name
            u.revoked = state == "revoked"
            u.last_bundle_at, u.last_bundle_created = at, created
            u.gaps = json.loads(gaps) if isinstance(gaps, str) else list(gaps or [])
    for (code,) in con.execute("SELECT DISTINCT station_code FROM person"):
        if code != own_code and code not in units:
            units[code] = Unit(code, f"服务站 {code}", "station")
    for u in units.values():
        u.stations = [u.code]
        if is_stale(u.last_bundle_at, today, stale_days):
            u.stale = [u.code]
    return dict(sorted(units.items()))


def station_units(store: Store, today: date, stale_days: int = DEFAULT_STALE_DAYS
                  ) -> dict[str, Unit]:
    """Every station the county knows (code -> Unit with freshness), without figures."""
    with store.raw_read() as con:
        own = con.execute("SELECT value FROM meta WHERE key = 'station_code'").fetchone()
        return _stations(con, own[0] if own else None, today, stale_days)


def _town_names(con: sqlite3.Connection, towns: Iterable[str]) -> dict[str, str]:
    """Town prefix -> name: the town station's own row if the county has it."""
    names: dict[str, str] = {}
    for code, name in con.execute(
            "SELECT code, name FROM station WHERE deleted_at IS NULL AND code LIKE '%000'"):
        names.setdefault(code[:9], name)
    return {t: names.get(t, f"乡镇（{t[6:9]}）") for t in towns}


# --- computing ------------------------------------------------------------------------


def _select_grouped(d: FigureDef) -> str:
    split = d.split or "''"
    amount = f"coalesce(sum({d.amount}), 0)" if d.amount else "0"
    return (f"SELECT {d.alias}.station_code, {split}, {d.count}, {amount}, "
            f"max({d.alias}.updated_at) FROM {d.source} WHERE {d.where} GROUP BY 1, 2")


def _figure_cells(con: sqlite3.Connection, cats: Catalogues, period: CountyPeriod,
                  current: bool) -> Iterable[tuple[str, str, Cell]]:
    """(station code, figure key, cell) of every figure, live from the rows."""
    params = period.params()
    for d in _figure_defs(cats):
        if d.current_only and not current:
            continue
        for code, value, n, amount, latest in con.execute(_select_grouped(d), params):
            key = f"{d.key}:{value}" if d.split else d.key
            yield code, key, Cell(int(n), int(amount or 0), latest)


def _own(con: sqlite3.Connection) -> tuple[str | None, str | None]:
    """This installation's station code and name."""
    got = dict(con.execute(
        "SELECT key, value FROM meta WHERE key IN ('station_code', 'station_name')").fetchall())
    return got.get("station_code"), got.get("station_name")


def _assemble(con: sqlite3.Connection, period: CountyPeriod, today: date, stale_days: int,
              stations: dict[str, Unit], cells: Iterable[tuple[str, str, Cell]]
              ) -> CountyFigures:
    """Put each station's cells in place and sum them to towns and the county."""
    own_code, own_name = _own(con)
    for code, key, cell in cells:
        u = stations.get(code)
        if u is None:  # rows of our own code (a county keeps no persons) or unknown
            u = stations[code] = Unit(code, f"服务站 {code}", "station", stations=[code],
                                      stale=[code])
        u.cells[key] = cell
    town_names = _town_names(con, {c[:9] for c in stations})
    towns: dict[str, Unit] = {}
    county_code = (own_code or next(iter(stations), "000000"))[:6]
    county = Unit(county_code, own_name or "全县", "county")
    for u in sorted(stations.values(), key=lambda u: u.code):
        t = towns.setdefault(u.code[:9], Unit(u.code[:9], town_names[u.code[:9]], "town"))
        for agg in (t, county):
            agg.stations.append(u.code)
            agg.stale.extend(u.stale)
            for key, cell in u.cells.items():
                agg.cells.setdefault(key, Cell()).add(cell)
    return CountyFigures(period, today, stale_days, county, list(towns.values()),
                         sorted(stations.values(), key=lambda u: u.code), period.on >= today)


def county_figures(store: Store, cats: Catalogues, period: CountyPeriod, *, today: date,
                   stale_days: int = DEFAULT_STALE_DAYS) -> CountyFigures:
    """Every figure for every station, town and the county, live, in one read transaction."""
    with store.raw_read() as con:
        stations = _stations(con, _own(con)[0], today, stale_days)
        return _assemble(con, period, today, stale_days, stations,
                         _figure_cells(con, cats, period, period.on >= today))


# --- drill-down ---------------------------------------------------------------------------


def drill_rows(store: Store, cats: Catalogues, period: CountyPeriod, key: str,
               scope: str = "", *, limit: int | None = None) -> list[dict[str, Any]]:
    """Exactly the rows behind figure ``key`` for the county (``""``), a town or a station.

    ``key`` is a figure key (``persons``, ``cases_overdue``) or a split figure's
    part (``aid_paid:temporary``, ``category:disabled_soldier``). Rows come
    in station order, then by their own natural order (name or date).
    """
    base, _, value = key.partition(":")
    defs = figure_defs(cats)
    if base not in defs:
        raise ValidationError("figure", f"没有这项统计：{key}。")
    d = defs[base]
    if d.split and not value:
        raise ValidationError("figure", f"“{d.label}”要先选一项分类。")
    params: dict[str, Any] = {**period.params(), "scope": scope, "n": len(scope),
                              "lim": -1 if limit is None else limit}
    where = d.where
    if d.split:
        where += f" AND {d.split} = :split"
        params["split"] = value
    order = ("p.name, p.id" if d.alias == "p" else
             "t.rowid")
    sql = (f"SELECT DISTINCT {d.columns} FROM {d.source} WHERE {where} "
           f"AND substr({d.alias}.station_code, 1, :n) = :scope "
           f"ORDER BY {d.alias}.station_code, {order} LIMIT :lim")
    with store.raw_read() as con:
        rows = dict_rows(con.execute(sql, params))
    for r in rows:
        if isinstance(r.get("categories"), str):
            r["categories"] = json.loads(r["categories"])
    return rows


def figure_keys(fig: CountyFigures, cats: Catalogues) -> list[str]:
    """The figures' keys in display order, the parts of split figures after their base.

    The seventeen person categories come last: a clerk looks first at the
    duties (contacts, 六必访, cases, aid, honours), then at who is on file.
    """
    out: list[str] = []
    later: list[str] = []
    for d in _figure_defs(cats):
        if d.current_only and not fig.current:
            continue
        if not d.split:
            out.append(d.key)
            continue
        values = {k.partition(":")[2] for k in fig.county.cells if k.startswith(d.key + ":")}
        if d.key == "resolved":
            order = [lv for lv in LEVELS if lv in values] + sorted(values - set(LEVELS))
        else:
            order = [e.code for e in cats.entries(d.split_kind or "", active_only=False)
                     if e.code in values]
            order += sorted(values - set(order))
        (later if d.key == "category" else out).extend(f"{d.key}:{v}" for v in order)
    return out + later


def station_table(fig: CountyFigures, key: str, scope: str = "") -> list[dict[str, Any]]:
    """The stations list of one figure (the first drill-down step), largest first."""
    rows = []
    for s in fig.stations_of(scope):
        rows.append({"code": s.code, "name": s.name, "town": s.code[:9], "n": s.n(key),
                     "amount_fen": s.amount(key), "persons": s.n("persons"),
                     "latest": s.latest(key), "last_bundle_at": s.last_bundle_at,
                     "stale": s.is_stale, "gaps": s.gaps})
    rows.sort(key=lambda r: (-r["n"], r["code"]))
    return rows


def sorted_coverage(fig: CountyFigures, scope: str = "") -> list[tuple[Unit, float]]:
    """Stations by this quarter's contact coverage, lowest first (the bar chart's order)."""
    pairs = [(s, s.coverage_q) for s in fig.stations_of(scope)]
    pairs.sort(key=lambda p: (p[1], p[0].code))
    return pairs


def month_keys(on: date, months: int = 12) -> list[str]:
    """"YYYY-MM" of the ``months`` months up to the one holding ``on``, oldest first."""
    y, mth = on.year, on.month
    out = []
    for _ in range(months):
        out.append(f"{y:04d}-{mth:02d}")
        y, mth = (y, mth - 1) if mth > 1 else (y - 1, 12)
    return out[::-1]


def visits_by_month(store: Store, period: CountyPeriod, scope: str = "",
                    months: int = 12) -> list[tuple[str, int]]:
    """("YYYY-MM", visits) for the ``months`` months up to the period's day (the chart)."""
    keys = month_keys(period.on, months)
    with store.raw_read() as con:
        got = dict(con.execute(
            "SELECT substr(v.visit_date, 1, 7), count(*) FROM visit v "
            "WHERE v.deleted_at IS NULL AND v.visit_date BETWEEN :a AND :on "
            f"AND {of_live_person('v.person_id')} "
            "AND substr(v.station_code, 1, :n) = :scope GROUP BY 1",
            {"a": keys[0] + "-01", "on": period.on.isoformat(), "scope": scope,
             "n": len(scope)}).fetchall())
    return [(k, int(got.get(k, 0))) for k in keys]


@dataclass(frozen=True)
class ChartData:
    """The four county charts as plain series (painted by ui/charts.py and reportlab)."""

    coverage: list[tuple[str, float, bool]]  # (station name, this quarter's share, stale)
    months: list[tuple[str, int]]  # ("YYYY-MM", visits)
    aid: list[tuple[str, int, int]]  # (aid type name, applied fen, paid fen)
    cases: list[tuple[str, int]]  # (level name, cases resolved there this year)


def chart_data(store: Store, fig: CountyFigures, cats: Catalogues, scope: str = "",
               months: list[tuple[str, int]] | None = None) -> ChartData:
    unit = fig.unit(scope)
    applied, paid = unit.split("aid_applied"), unit.split("aid_paid")
    kinds = [e.code for e in cats.entries("aid_type", active_only=False)
             if e.code in applied or e.code in paid]
    kinds += sorted((set(applied) | set(paid)) - set(kinds))
    resolved = unit.split("resolved")
    d = figure_defs(cats)["resolved"]
    return ChartData(
        coverage=[(s.name, share, s.is_stale) for s, share in sorted_coverage(fig, scope)],
        months=months if months is not None else visits_by_month(store, fig.period, scope),
        aid=[(cats.name("aid_type", k), applied.get(k, Cell()).amount_fen,
              paid.get(k, Cell()).amount_fen) for k in kinds],
        cases=[(split_label(d, lv, cats), resolved.get(lv, Cell()).n) for lv in LEVELS],
    )


def county_view(store: Store, cats: Catalogues, period: CountyPeriod, *, today: date,
                stale_days: int = DEFAULT_STALE_DAYS, scope: str = ""
                ) -> tuple[CountyFigures, ChartData]:
    """The figures and the charts from the live queries (reads only).

    The home page reads the same figures from the summary table through
    :func:`station_desktop.services.county.county_view`, which may first
    recompute stale stations (a write).
    """
    fig = county_figures(store, cats, period, today=today, stale_days=stale_days)
    return fig, chart_data(store, fig, cats, scope)
