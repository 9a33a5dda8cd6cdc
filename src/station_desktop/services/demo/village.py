"""A whole demo village in memory: persons, families, visits, campaigns, 六必访, ledgers.

:class:`VillageRows` draws every table's rows for one station, parents
before children; the units of work in :mod:`station_desktop.services.demo.station`
and :mod:`~station_desktop.services.demo.county` write them.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

from station_desktop.domain import rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.services.demo.ledgers import LedgerSections
from station_desktop.services.demo.people import _SURNAME_LIST, _IdNumbers, _mobile, _name
from station_desktop.services.demo.persons import _PRIORITY_CATEGORIES, make_persons
from station_desktop.services.demo.rows import (
    DEMO_TABLES,
    Row,
    _age,
    _blank,
    _days,
    _shift_years,
    _yuan,
)
from station_desktop.services.demo.visits import (
    _HOLIDAY_GIFTS,
    _METHOD_WEIGHTS,
    _METHODS,
    _routine_details,
    _visit_row,
)
from station_desktop.store.models import new_id, utc_now


class VillageRows(LedgerSections):
    """Builds every table's rows in memory; ``generate_demo`` writes them."""

    def __init__(self, rng: random.Random, station_code: str, today: date, years: int,
                 village: str):
        self.rng = rng
        self.code = station_code
        self.today = today
        self.years = years
        self.start = _shift_years(today, -years)
        self.village = village
        self.now = utc_now()
        self.cat = Catalogues.defaults()
        self.ids = _IdNumbers(station_code[:6])
        self.rows: dict[str, list[Row]] = {t: [] for t in DEMO_TABLES}
        self.town = village[:2] + "镇"

    # helpers
    def row(self, table: str, **values: Any) -> Row:
        r = _blank(table)
        r.update(id=new_id(), station_code=self.code, created_at=self.now, updated_at=self.now,
                 updated_by=self.op_id)
        r.update(values)
        self.rows[table].append(r)
        return r

    def visit(self, person: Row, kind: str, method: str, day: date, **values: Any) -> Row:
        op_id, visitor = self.operators[self.rng.randrange(len(self.operators))]
        if method == "home" and self.rng.random() < 0.4:
            visitor = "、".join(name for _, name in self.operators)
        r = _visit_row(self.code, self.now, person["id"], kind, method, day.isoformat(), visitor,
                       op_id)
        r["updated_by"] = self.op_id
        r.update(values)
        self.rows["visit"].append(r)
        return r

    def age(self, person: Row, on: date | None = None) -> int:
        return _age(date.fromisoformat(person["birth_date"]), on or self.today)

    def cats(self, person: Row) -> list[str]:
        return json.loads(person["categories"])

    def registered(self, person: Row) -> date:
        return date.fromisoformat(person["registered_on"])

    # sections
    def operators_(self) -> None:
        rng = self.rng
        self.op_id = None
        first = self.row("operator", name=_name(rng, "M", 1975), post="服务站站长（村党支部副书记）",
                         phone=_mobile(rng), is_admin=1, active=1)
        second = self.row("operator", name=_name(rng, "F", 1990), post="服务站专干",
                          phone=_mobile(rng), is_admin=0, active=1)
        self.op_id = first["id"]
        first["updated_by"] = second["updated_by"] = self.op_id
        self.operators = [(first["id"], first["name"]), (second["id"], second["name"])]

    def persons_(self, n: int) -> None:
        rows = make_persons(self.rng, n, self.code, self.today, village=self.village,
                            now=self.now, ids=self.ids)
        for r in rows:
            r["updated_by"] = self.op_id
        self.rows["person"] = rows
        self.persons = rows
        self.tags = {r["id"]: json.loads(r["tags"]) for r in rows}
        rng = self.rng
        veterans = [p for p in rows if p["enlist_date"] and 30 <= self.age(p) <= 60]
        rng.shuffle(veterans)
        roles = [("veteran_secretary", "村党支部书记、村委会主任")] + [
            ("committee_member", post) for post in ("村委会委员（民兵连长）", "村党支部委员")
        ] + [("group_leader", f"{g}组组长") for g in (2, 5, 7)]
        for p, (role, post) in zip(veterans, roles, strict=False):
            p["village_role"] = role
            p["role_post"] = post
            p["role_appointed_on"] = _days(rng, date(2018, 1, 1), date(2021, 12, 31)).isoformat()
            p["role_term"] = "2021—2026"
            p["role_rating"] = rng.choices(("优秀", "称职", "基本称职"), (50, 45, 5))[0]
            if role == "veteran_secretary":
                p["political_status"] = "01"
                p["party_joined_on"] = p["party_joined_on"] or p["discharge_date"]
                p["party_branch"] = f"{self.village}党支部"
                self.tags[p["id"]] += ["veteran_secretary", "party_member"]

    def family_(self) -> None:
        rng, today = self.rng, self.today
        for p in self.persons:
            age = self.age(p)
            sex = p["sex"]
            surname = p["name"][:2] if p["name"][:2] in _SURNAME_LIST else p["name"][0]
            cats = self.cats(p)
            members: list[tuple[str, str, int, str | None, str | None, str | None, str | None]] = []
            if p["marital_status"] == "married":
                spouse_sex = "F" if sex == "M" else "M"
                members.append(("配偶", spouse_sex, max(19, age + rng.randint(-4, 3)), None, None,
                                None, None))
            if age >= 24 and rng.random() < 0.8:
                for _ in range(rng.choices((1, 2, 3), (50, 40, 10))[0]):
                    c_age = age - rng.randint(22, 32)
                    if c_age >= 1:
                        members.append(("儿子" if rng.random() < 0.5 else "女儿", "", c_age,
                                        None, None, None, None))
            if cats[0] == "serving_family":
                enlisted = rng.randint(max(today.year - 12, 2008), today.year - (1 if today.month < 9 else 0))
                relation = "丈夫" if age < 38 and sex == "F" else "儿子"
                s_age = max(18, min(40, age - 24 if relation == "儿子" else age + 1))
                members.append((relation, "M", s_age, "现役军人",
                                f"中国人民解放军{rng.randint(31000, 96999)}部队",
                                f"{enlisted}年入伍", "soldier"))
            if "martyr_family" in cats and p["martyr_sacrifice_date"]:
                gap = int(p["martyr_sacrifice_date"][:4]) - int(p["birth_date"][:4])
                relation = "儿子" if gap >= 42 else ("丈夫" if sex == "F" and gap >= 20 else "父亲")
                members.append((relation, "M", 0, None, None,
                                f"烈士，{p['martyr_sacrifice_date'][:4]}年牺牲，安葬于{p['martyr_burial_place']}",
                                "dead"))
            for relation, m_sex, m_age, employment, employer, note, special in members:
                m_sex = m_sex or ("M" if relation == "儿子" else "F")
                birth = today - timedelta(days=int(m_age * 365.25) + rng.randint(1, 364))
                same = (relation in ("儿子", "女儿") and sex == "M") or relation == "父亲"
                name = _name(rng, m_sex, birth.year if special != "dead" else 1960,
                             surname if same else None)
                if employment is None and special != "dead":
                    if m_age < 22:
                        employment = "学生" if m_age >= 6 else "学龄前"
                    elif m_age >= 62:
                        employment = rng.choice(("务农", "退休", "无"))
                    else:
                        employment = rng.choice(("务工", "务农", "个体经营", "公司职员", "教师"))
                alive = special != "dead"
                if special == "soldier":
                    self.soldiers[p["id"]] = name
                self.row(
                    "family_member", person_id=p["id"], relation=relation, name=name,
                    phone=_mobile(rng) if alive and m_age >= 16 and rng.random() < 0.7 else None,
                    id_number=self.ids.make(rng, birth, m_sex)
                    if alive and rng.random() < 0.6 else None,
                    employment=employment, employer=employer, note=note,
                )

    def schedule_(self) -> None:
        """Regular contacts at each person's interval; a few people fall behind."""
        rng, today = self.rng, self.today
        for p in self.persons:
            interval = rules.contact_interval_days(self.cats(p), bool(p["key_focus"]), self.cat)
            t = max(self.start, self.registered(p)) + timedelta(days=rng.randint(0, interval - 1))
            stop = today
            if rng.random() < 0.08:  # overdue for contact
                stop = today - timedelta(days=int(interval * rng.uniform(1.1, 2.0)))
            while t <= stop:
                method = rng.choices(_METHODS, _METHOD_WEIGHTS)[0]
                if self.age(p, t) >= 90 and method == "wechat":
                    method = "home"
                kind = "routine" if rng.random() < 0.93 else "policy"
                _routine_details(rng, self.visit(p, kind, method, t))
                t += timedelta(days=max(7, int(interval * rng.uniform(0.55, 1.0))))

    def campaigns_(self) -> None:
        """Holiday campaigns (春节, 八一, 重阳) whose window opened in the period."""
        rng, today = self.rng, self.today
        for code in ("spring_festival", "army_day", "double_ninth"):
            for year in range(self.start.year - 1, today.year + 1):
                w = rules.holiday_window(code, year, self.cat)
                if not (self.start <= w.start <= today):
                    continue
                targets = [p for p in self.persons if self.registered(p) <= w.start
                           and self._holiday_target(code, p, w.holiday_date)]
                criteria: dict[str, Any] = {
                    "spring_festival": {"priority": True, "key_focus": True, "min_age": 70,
                                        "categories": sorted(_PRIORITY_CATEGORIES)},
                    "army_day": {"priority": True, "min_age": 60, "categories": ["serving_family"]},
                    "double_ninth": {"min_age": 70},
                }[code]
                camp = self.row(
                    "campaign", holiday=code, year=w.holiday_date.year,
                    name=f"{w.holiday_date.year}年{w.name}走访慰问", start_on=w.start.isoformat(),
                    end_on=w.end.isoformat(), criteria=json.dumps(criteria, ensure_ascii=False),
                    planned=len(targets),
                )
                last = min(w.end, today)
                done_share = 0.96 if w.end <= today else (last - w.start).days / max(
                    1, (w.end - w.start).days)
                for p in targets:
                    if rng.random() >= done_share:
                        continue
                    day = _days(rng, w.start, min(w.holiday_date + timedelta(days=3), last))
                    money = 0
                    if code == "spring_festival":
                        money = _yuan(rng, 200, 1000)
                    elif code == "army_day" and p["benefit_kinds"] != "[]":
                        money = _yuan(rng, 200, 500)
                    elif code == "double_ninth" and rng.random() < 0.3:
                        money = _yuan(rng, 100, 300)
                    method = "home" if rng.random() < 0.9 else "at_station"
                    self.visit(
                        p, "holiday", method, day, campaign_id=camp["id"],
                        gifts=rng.choice(_HOLIDAY_GIFTS[code]), money_fen=money,
                        content=f"{w.name}走访慰问，送去党和政府的关怀，了解生活和身体情况。",
                        satisfaction=rng.choices("54", (85, 15))[0],
                    )

    def _holiday_target(self, code: str, p: Row, on: date) -> bool:
        age = self.age(p, on)
        cats = set(self.cats(p))
        priority = bool(cats & _PRIORITY_CATEGORIES) or bool(p["key_focus"])
        if code == "spring_festival":
            return priority or age >= 70 or bool(p["hardship"])
        if code == "army_day":
            return priority or age >= 60 or "serving_family" in cats
        return age >= 70

    def life_events_(self) -> None:
        """六必访: events with a visit deadline; most closed by a visit, a few overdue."""
        rng, today = self.rng, self.today
        descriptions = {
            "serious_illness": ("突发脑梗住院治疗", "确诊肺癌，在县人民医院住院", "心脏搭桥手术住院"),
            "family_crisis": ("配偶因病去世", "子女车祸重伤", "家中房屋失火"),
            "hardship": ("长期失业，家庭收入骤减", "配偶重病，医疗费用负担重"),
            "death": ("配偶去世", "父亲去世", "母亲去世"),
            "award": ("子女在部队荣立三等功", "本人被评为县级最美退役军人"),
            "returned": ("退役返乡报到", ),
            "enlisted": ("子女应征入伍", ),
            "wedding_funeral": ("儿子结婚", "女儿出嫁", "老人去世办理丧事"),
            "disaster": ("暴雨导致房屋受损", "冰雹致农作物绝收"),
        }
        events: list[tuple[Row, str, date]] = []
        for p in self.persons:
            reg = max(self.registered(p), self.start)
            if p["discharge_date"] and date.fromisoformat(p["discharge_date"]) >= self.start:
                day = date.fromisoformat(p["discharge_date"]) + timedelta(days=rng.randint(3, 20))
                if day <= today:
                    events.append((p, "returned", day))
            if rng.random() < 0.09 * self.years:
                age = self.age(p)
                kinds = ["serious_illness", "family_crisis", "hardship", "death", "wedding_funeral",
                         "disaster", "award"]
                weights = [30 if age >= 60 else 8, 10, 12, 12 if age >= 50 else 3, 10, 5, 3]
                if "serving_family" in self.cats(p):
                    kinds.append("enlisted")
                    weights.append(10)
                kind = rng.choices(kinds, weights)[0]
                events.append((p, kind, _days(rng, reg, today)))
        for p, kind, day in events:
            due = rules.life_event_deadline(kind, day, self.cat)
            ev = self.row("life_event", person_id=p["id"], kind=kind, event_date=day.isoformat(),
                          visit_due_on=due.isoformat(),
                          description=rng.choice(descriptions[kind]))
            # Recent events may still be open; a few old ones were missed (overdue).
            close = rng.random() < (0.5 if due >= today else 0.93)
            if not close:
                continue
            late = rng.random() < 0.1
            visit_day = day + timedelta(days=rng.randint(0, (due - day).days) + (
                rng.randint(1, 10) if late else 0))
            visit_day = min(visit_day, today)
            v = self.visit(
                p, rules.life_event_visit_kind(kind, self.cat), "home", visit_day,
                life_event_id=ev["id"],
                content=f"得知“{ev['description']}”后上门看望，了解困难，宣讲相关政策。",
                money_fen=_yuan(rng, 200, 1000) if kind in ("serious_illness", "disaster",
                                                            "hardship", "family_crisis") else 0,
                gifts=rng.choice(("水果、牛奶", "慰问品一份", None)),
                satisfaction=rng.choices("54", (80, 20))[0],
            )
            ev["closed_by_visit_id"] = v["id"]
            ev["closed_on"] = v["visit_date"]
        # at least two open and overdue events, so the due list has something to show
        overdue = [e for e in self.rows["life_event"]
                   if e["closed_on"] is None and e["visit_due_on"] < today.isoformat()]
        closed = [e for e in self.rows["life_event"] if e["closed_on"]]
        while len(overdue) < 2 and closed:
            e = closed.pop(rng.randrange(len(closed)))
            if e["visit_due_on"] >= today.isoformat():
                continue
            self.rows["visit"] = [v for v in self.rows["visit"] if v["id"] != e["closed_by_visit_id"]]
            e["closed_by_visit_id"] = e["closed_on"] = None
            overdue.append(e)

    def finish_(self) -> None:
        """Tags back into the person rows; last contact from the visits."""
        last: dict[str, str] = {}
        for v in self.rows["visit"]:
            if v["visit_date"] > last.get(v["person_id"], ""):
                last[v["person_id"]] = v["visit_date"]
        for p in self.persons:
            p["tags"] = json.dumps(list(dict.fromkeys(self.tags[p["id"]])))
            p["last_contact_on"] = last.get(p["id"])

    def build(self, n: int) -> dict[str, list[Row]]:
        self.soldiers: dict[str, str] = {}
        self.operators_()
        self.persons_(n)
        if self.persons:
            self.family_()
            self.schedule_()
            self.campaigns_()
            self.life_events_()
            self.aid_()
            self.cases_()
            self.honours_()
            self.volunteers_()
            self.finish_()
        # visits by date, as a cadre would have entered them
        self.rows["visit"].sort(key=lambda v: v["visit_date"])
        return self.rows
