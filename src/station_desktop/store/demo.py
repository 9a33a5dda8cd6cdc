"""Demo data for one village station: a plausible roster and two years of work.

``generate_demo`` fills a fresh database with persons of every category,
family members, visits (regular contacts, holiday campaigns, 六必访 after
life events), aid applications through the 村 → 镇 → 县 review path, dispute
cases with their steps, honours, a volunteer team and two operators. It is
meant for training, screenshots and trying the program out; it does not
create the station row or the catalogues (station set-up does).

Everything is written in ONE transaction through :meth:`Store.raw_write` with
``executemany`` (the bulk path), parents before children; the capture
triggers still log every row into ``change_log``. The same seed gives the
same data (names, dates, amounts); only the row keys and timestamps differ.

``make_persons`` and ``make_visits`` are the reusable row factories the
write benchmark uses: each returns plain row dicts holding every column of
the table (except ``hlc``, which the triggers set), ready for ``executemany``.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from station_desktop.domain import rules
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.enums import (
    AidState,
    CaseAction,
    CaseState,
    HonourKind,
    HonourState,
    Level,
    ReviewDecision,
    escalate_level,
    next_aid_state,
    next_case_state,
)
from station_desktop.domain.errors import StationError
from station_desktop.domain.idnumber import check_char
from station_desktop.store.db import Store
from station_desktop.store.models import MODEL_BY_TABLE, new_id, utc_now

Row = dict[str, Any]
Progress = Callable[[int, int], None]

#: Tables written by the demo, parents before children.
DEMO_TABLES: tuple[str, ...] = (
    "operator",
    "person",
    "family_member",
    "campaign",
    "life_event",
    "visit",
    "aid_application",
    "aid_review",
    "aid_payment",
    "dispute_case",
    "case_step",
    "honour",
    "volunteer_team",
    "volunteer_member",
    "volunteer_activity",
    "volunteer_hours",
)

_CHUNK = 5000


def _columns(table: str) -> list[str]:
    """Every column of a synced table except ``hlc`` (set by the capture trigger)."""
    model = MODEL_BY_TABLE[table]
    return [c.name for c in model.__table__.columns if c.name != "hlc"]  # type: ignore[attr-defined]


def _blank(table: str) -> Row:
    return dict.fromkeys(_columns(table))


# --- names ---------------------------------------------------------------------

# Common surnames with rough relative frequencies (per mille of the population).
_SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 46), ("杨", 31), ("黄", 22),
    ("赵", 22), ("吴", 20), ("周", 19), ("徐", 13), ("孙", 13), ("马", 12), ("朱", 12),
    ("胡", 12), ("郭", 11), ("何", 11), ("高", 10), ("林", 10), ("罗", 9), ("郑", 9),
    ("梁", 9), ("谢", 8), ("宋", 8), ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7),
    ("曹", 7), ("彭", 6), ("曾", 6), ("肖", 6), ("田", 6), ("董", 6), ("袁", 5), ("潘", 5),
    ("于", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 5), ("叶", 4), ("程", 4), ("苏", 4),
    ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 4), ("姚", 3), ("卢", 3), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 3), ("付", 3), ("方", 3), ("白", 3), ("邹", 3),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2),
    ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2),
    ("覃", 1), ("武", 2), ("戴", 2), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("常", 1),
    ("欧阳", 3), ("上官", 1), ("司马", 1), ("诸葛", 0.5), ("皇甫", 0.5), ("司徒", 1),
)
_SURNAME_LIST = [s for s, _ in _SURNAMES]
_SURNAME_CUM: list[float] = []
_total = 0.0
for _s, _w in _SURNAMES:
    _total += _w
    _SURNAME_CUM.append(_total)

_MALE_OLD = "德福贵富有明建国军华忠民春生长发林海平红卫东兵文武强荣永成祥山金宝顺和兴志振光清保树礼全"
_MALE_YOUNG = "伟刚勇杰涛斌波磊鹏浩宇博超俊峰辉亮鑫凯晨轩睿子豪航飞龙阳旭帅健毅晓宏志文泽"
_FEMALE_OLD = "秀英兰桂芳玉珍凤霞梅丽娟敏华萍琴云荣翠琼香莲菊花春淑素金彩巧"
_FEMALE_YOUNG = "静燕艳红婷雪慧颖洁琳欣怡佳雨梦思悦蕾丹倩璐瑶晶露薇雯娜莉晓"


def _surname(rng: random.Random) -> str:
    return rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUM)[0]


def _given(rng: random.Random, sex: str, birth_year: int, *, two: bool = False) -> str:
    if sex == "M":
        pool = _MALE_OLD if birth_year < 1975 else _MALE_YOUNG + _MALE_OLD[:12]
    else:
        pool = _FEMALE_OLD if birth_year < 1975 else _FEMALE_YOUNG + _FEMALE_OLD[:8]
    if not two and rng.random() < 0.14:
        return rng.choice(pool)
    first = rng.choice(pool)
    if sex == "F" and birth_year >= 1980 and rng.random() < 0.05:
        return first + first  # 婷婷, 丹丹
    second = rng.choice(pool)
    while second == first:
        second = rng.choice(pool)
    return first + second


def _name(rng: random.Random, sex: str, birth_year: int, surname: str | None = None) -> str:
    surname = surname or _surname(rng)
    # compound surnames (欧阳, 司马 ...) mostly come with two-character given names
    return surname + _given(rng, sex, birth_year, two=len(surname) > 1)


# --- identity, phones, addresses -----------------------------------------------

_MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "166 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


class _IdNumbers:
    """Valid, unique 18-digit ID numbers (GB 11643) in one region."""

    def __init__(self, region: str):
        self.region = region
        self.used: set[str] = set()

    def make(self, rng: random.Random, birth: date, sex: str) -> str:
        stem = f"{self.region}{birth:%Y%m%d}"
        for _ in range(2000):
            seq = rng.randrange(1, 500) * 2 - (1 if sex == "M" else 0)  # odd men, even women
            first17 = f"{stem}{seq:03d}"
            if first17 not in self.used:
                self.used.add(first17)
                return first17 + check_char(first17)
        raise RuntimeError(f"no free ID number sequence left for {birth}")


_VILLAGE_NAMES = (
    "柳树湾村", "枣林村", "石门村", "红旗村", "杨家坪村", "马家沟村", "桃园村", "青山村",
    "东沟村", "黄土岭村", "双河村", "白杨树村",
)


def _address(rng: random.Random, village: str) -> str:
    return f"{village}{rng.randint(1, 9)}组{rng.randint(1, 60)}号"


def _town_address(rng: random.Random) -> str:
    estate = rng.choice(("幸福家园", "阳光小区", "锦绣花园", "翠湖苑", "滨江小区", "银河小区"))
    return (
        f"县城{estate}{rng.randint(1, 20)}栋{rng.randint(1, 4)}单元"
        f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _days(rng: random.Random, start: date, end: date) -> date:
    """A uniformly random day in [start, end] (``start`` if the range is empty)."""
    span = (end - start).days
    return start + timedelta(days=rng.randint(0, span)) if span > 0 else start


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _shift_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _yuan(rng: random.Random, low: int, high: int, step: int = 100) -> int:
    """A round amount of money in fen: ``low``..``high`` yuan in steps of ``step`` yuan."""
    return rng.randrange(low // step, high // step + 1) * step * 100


# --- persons -------------------------------------------------------------------

# profile: (weight, age range, categories, service kind)
_PROFILES: dict[str, tuple[float, tuple[int, int], tuple[str, ...], str | None]] = {
    "soldier": (50, (22, 59), ("retired_soldier",), "soldier"),
    "soldier60": (12, (60, 82), ("retired_soldier", "rural_soldier_60"), "soldier"),
    "officer": (4, (38, 75), ("transferred_officer",), "officer"),
    "cadre": (2, (70, 92), ("retired_cadre",), "cadre"),
    "civilian": (1, (62, 90), ("civilian_retiree",), None),
    "demob": (1.5, (86, 96), ("demobilised",), "demob"),
    "rural_demob": (1.5, (86, 96), ("demobilised", "rural_demobilised"), "demob"),
    "red": (0, (102, 105), ("red_army_veteran",), "red"),
    "disabled": (4, (25, 85), ("retired_soldier", "disabled_soldier"), "soldier"),
    "militia": (1, (60, 88), ("disabled_militia",), None),
    "martyr": (1.5, (45, 90), ("martyr_family",), None),
    "duty_death": (1, (35, 85), ("duty_death_family",), None),
    "illness_death": (1, (35, 85), ("illness_death_family",), None),
    "serving": (9, (20, 70), ("serving_family",), None),
    "ill_returned": (2, (40, 75), ("retired_soldier", "ill_returned"), "soldier"),
    "war_test": (3, (52, 76), ("retired_soldier", "war_test_veteran"), "soldier"),
    "martyr_child": (1, (72, 88), ("martyr_elderly_child",), None),
}
# One of each, so every category is on file (the red army veteran only this way).
_FORCED = (
    "soldier", "soldier60", "officer", "cadre", "civilian", "demob", "rural_demob", "red",
    "disabled", "militia", "martyr", "duty_death", "illness_death", "serving", "ill_returned",
    "war_test", "martyr_child",
)
_WEIGHTED = [k for k, v in _PROFILES.items() if v[0] > 0]
_WEIGHTS = [_PROFILES[k][0] for k in _WEIGHTED]

_VETERAN_CATEGORIES = {
    "transferred_officer", "retired_soldier", "retired_cadre", "demobilised", "red_army_veteran",
    "disabled_soldier", "ill_returned", "rural_demobilised", "war_test_veteran",
    "rural_soldier_60",
}
_PRIORITY_CATEGORIES = {
    "red_army_veteran", "disabled_soldier", "martyr_family", "duty_death_family",
    "illness_death_family", "war_test_veteran",
}
_CATEGORY_ORDER = [
    "transferred_officer", "retired_soldier", "retired_cadre", "civilian_retiree", "demobilised",
    "red_army_veteran", "disabled_soldier", "disabled_militia", "martyr_family",
    "duty_death_family", "illness_death_family", "serving_family", "ill_returned",
    "rural_demobilised", "war_test_veteran", "rural_soldier_60", "martyr_elderly_child",
]

_PROVINCE_SHORT = {
    "11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
    "23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
    "37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
    "50": "渝", "51": "川", "52": "黔", "53": "滇", "54": "藏", "61": "陕", "62": "甘",
    "63": "青", "64": "宁", "65": "新",
}


def _unit(rng: random.Random, branch: str) -> str:
    if branch == "armed_police":
        return f"武警{rng.choice(('湖北', '四川', '新疆', '西藏', '北京', '广东'))}总队" + rng.choice(
            ("第一支队", "第二支队", "机动支队", "执勤支队")
        )
    return f"中国人民解放军{rng.randint(31000, 96999)}部队"


def _soldier_rank(years: int, enlist_year: int) -> str | None:
    if 1965 <= enlist_year <= 1987 or enlist_year < 1955:
        return None  # no ranks in these years
    if years <= 2:
        return "上等兵"
    if years <= 5:
        return "下士"
    if years <= 8:
        return "中士"
    if years <= 12:
        return "上士"
    return "四级军士长"


def _service(rng: random.Random, kind: str, birth: date, today: date) -> Row:
    """Service and discharge fields consistent with the birth date."""
    latest = today - timedelta(days=30)
    if kind == "red":
        # joined the Red Army as a youngster, before 1937
        enlist = _shift_years(birth, 13) + timedelta(days=rng.randint(0, 400))
        years = rng.randint(14, 20)
    elif kind == "demob":
        enlist = date(max(birth.year + 17, 1946), rng.choice((3, 10, 12)), 1)
        years = rng.randint(3, 8)
    elif kind == "officer":
        enlist = date(birth.year + rng.randint(18, 21), 9, 1)
        years = rng.randint(12, 24)
    elif kind == "cadre":
        enlist = date(birth.year + rng.randint(17, 20), rng.choice((3, 9, 12)), 1)
        years = rng.randint(22, 34)
    else:
        enlist = date(birth.year + rng.randint(17, 20), rng.choice((3, 9, 9, 12)), rng.randint(1, 20))
        years = rng.choices((2, 3, 5, 8, 12, 16), (45, 15, 15, 12, 9, 4))[0]
    max_years = max(1, (latest - enlist).days // 366)
    years = max(1, min(years, max_years))
    discharge = min(_shift_years(enlist, years) + timedelta(days=rng.randint(0, 60)), latest)
    if enlist.year < 1966:
        branch = rng.choices(("army", "navy", "air_force"), (90, 5, 5))[0]
    elif discharge.year < 2016:
        branch = rng.choices(("army", "armed_police", "navy", "air_force", "rocket_force"),
                             (62, 16, 8, 8, 6))[0]
    else:
        branch = rng.choices(
            ("army", "armed_police", "navy", "air_force", "rocket_force", "strategic_support"),
            (55, 16, 9, 9, 7, 4),
        )[0]
    row: Row = {
        "enlist_date": _iso(enlist),
        "enlist_place": rng.choice(("本县人武部", "本县人武部", "本县人武部", "外县务工地人武部")),
        "unit": _unit(rng, branch),
        "service_branch": branch,
        "discharge_date": _iso(discharge),
        "service_years": years,
    }
    if kind == "red":
        row.update(rank=None, post=rng.choice(("战士", "班长")), discharge_mode="discharge",
                   resettlement_mode="returned_home", discharge_cert_type="退伍证明书")
        row["special_service"] = rng.choice(("参加长征", "西路军失散人员", "参加抗日战争、解放战争"))
    elif kind == "demob":
        row.update(rank=None, post=rng.choice(("战士", "班长", "副班长", "卫生员")),
                   discharge_mode="demobilise", resettlement_mode="returned_home",
                   discharge_cert_type="复员军人证明书")
        if enlist.year <= 1953 and rng.random() < 0.6:
            row["special_service"] = "参加抗美援朝战争"
    elif kind == "officer":
        row.update(rank=rng.choice(("上尉", "少校", "少校", "中校", "上校")),
                   post=rng.choice(("连长", "营长", "参谋", "教导员", "副团长", "科长")),
                   discharge_mode="transfer",
                   resettlement_mode=rng.choice(("assigned_job", "assigned_job", "self_selected")),
                   discharge_cert_type="军官转业证")
        if row["resettlement_mode"] == "assigned_job":
            row["resettlement_unit"] = rng.choice(
                ("县公安局", "县人民法院", "县应急管理局", "县退役军人事务局", "县交通运输局",
                 "镇人民政府", "县市场监督管理局")
            )
    elif kind == "cadre":
        row.update(rank=rng.choice(("中校", "上校", "大校", "一级军士长", "二级军士长")),
                   post=rng.choice(("团政委", "团长", "师后勤部副部长", "军械技师", "卫生队队长")),
                   discharge_mode="retire", resettlement_mode="retired",
                   discharge_cert_type="退休证", resettlement_unit="县军队离退休干部休养所")
    else:
        resettlement: str
        if discharge.year < 2011:
            resettlement = rng.choices(("returned_home", "assigned_job"), (60, 40))[0]
        elif years >= 12:
            resettlement = rng.choices(
                ("assigned_job", "monthly_pension", "self_employment"), (50, 25, 25)
            )[0]
        else:
            resettlement = "self_employment"
        row.update(
            rank=_soldier_rank(years, enlist.year),
            post=rng.choice(("战士", "战士", "班长", "副班长", "驾驶员", "炊事员", "通信员", "卫生员")),
            discharge_mode="discharge",
            resettlement_mode=resettlement,
            discharge_cert_type="退出现役证" if discharge.year >= 2021 else "士兵退出现役证",
        )
        if resettlement == "assigned_job":
            row["resettlement_unit"] = rng.choice(
                ("县供电公司", "县自来水公司", "县粮食局", "镇人民政府", "县邮政局", "县烟草公司")
            )
        if rng.random() < 0.05:
            row["special_service"] = rng.choice(
                ("西藏高原服役", "新疆边防服役", "南沙守礁", "参加抗震救灾", "参加抗洪抢险")
            )
        row["re_enlisted"] = int(rng.random() < 0.02)
    row["discharge_cert_no"] = f"{discharge.year}{rng.randint(0, 99999):05d}"
    return row


_EMPLOYERS = (
    "县城投集团", "镇卫生院", "顺丰速运县营业部", "县人民医院保卫科", "宏达建材有限公司",
    "县公安局辅警大队", "天誉物业公司", "县供电公司", "比亚迪汽车厂", "县交通运输局",
)
_BUSINESSES = (
    "经营农家乐", "养殖生猪200头", "开办汽车修理店", "种植茶叶50亩", "经营快递驿站",
    "开办农机合作社", "经营土特产网店",
)
_HEALTH_OLD = ("良好", "一般", "高血压", "糖尿病", "慢性支气管炎", "冠心病", "行动不便", "长期卧床")
_HARDSHIPS = (
    "家庭收入低，子女上学负担重", "本人患慢性病，长期服药开支大", "房屋老旧，需维修",
    "配偶重病，家庭支出大", "长期失业，家庭收入不稳定", "遭受洪灾，农作物受损",
)
_SKILLS = ("驾驶（B2证）", "电工", "厨师", "种植养殖", "计算机操作", "安保", "焊工", "无人机飞手")
_WISHES = ("希望参加技能培训", "希望推荐就业岗位", "希望获得创业贷款贴息", "希望办理优待证",
           "希望子女入学优待")


def _education(rng: random.Random, birth_year: int, veteran: bool) -> str:
    if birth_year < 1945:
        return rng.choices(("illiterate", "primary", "junior_high"), (35, 50, 15))[0]
    if birth_year < 1965:
        return rng.choices(("primary", "junior_high", "high_school"), (30, 50, 20))[0]
    if birth_year < 1985:
        return rng.choices(("junior_high", "high_school", "secondary_vocational", "college"),
                           (45, 30, 15, 10))[0]
    return rng.choices(("junior_high", "high_school", "secondary_vocational", "college", "bachelor"),
                       (10, 30, 15, 30, 15) if veteran else (20, 30, 15, 20, 15))[0]


def _employment(rng: random.Random, age: int) -> str:
    if age >= 80:
        return rng.choices(("retired", "farming", "state_supported", "other"), (35, 45, 12, 8))[0]
    if age >= 60:
        return rng.choices(("retired", "farming", "other"), (35, 58, 7))[0]
    if age < 26:
        return rng.choices(("employed", "freelance", "student", "unemployed", "public_post"),
                           (40, 20, 15, 20, 5))[0]
    return rng.choices(
        ("employed", "freelance", "farming", "entrepreneur", "public_post", "unemployed", "other"),
        (30, 18, 20, 8, 6, 10, 8),
    )[0]


def _person_categories(rng: random.Random, profile: str, age: int) -> list[str]:
    cats = list(_PROFILES[profile][2])
    if profile == "soldier":
        if age >= 52 and rng.random() < 0.06:
            cats.append("war_test_veteran")
        if rng.random() < 0.02:
            cats.append("disabled_soldier")
        if age >= 40 and rng.random() < 0.02:
            cats.append("ill_returned")
    elif profile == "soldier60":
        if age <= 76 and rng.random() < 0.15:
            cats.append("war_test_veteran")
        if rng.random() < 0.08:
            cats.append("ill_returned")
    elif profile == "martyr_child" and rng.random() < 0.4:
        cats.append("martyr_family")
    return [c for c in _CATEGORY_ORDER if c in cats]


def make_persons(
    rng: random.Random,
    n: int,
    station_code: str,
    today: date,
    *,
    village: str | None = None,
    now: str | None = None,
    ids: _IdNumbers | None = None,
) -> list[Row]:
    """``n`` person rows (every column but ``hlc``) for the station ``station_code``.

    Every category appears once before the rest are drawn by weight; ID
    numbers are valid, unique, in the station's county and match birth date
    and sex. JSON columns are JSON text, dates ISO text, booleans 0/1.
    """
    region = station_code[:6]
    ids = ids or _IdNumbers(region)
    village = village or _VILLAGE_NAMES[int(station_code[-3:] or 0) % len(_VILLAGE_NAMES)]
    now = now or utc_now()
    prov = _PROVINCE_SHORT.get(station_code[:2], "")
    forced = dict(zip(rng.sample(range(n), min(n, len(_FORCED))), _FORCED, strict=False))
    registration_start = date(2018, 9, 1)
    rows: list[Row] = []
    for i in range(n):
        profile = forced.get(i) or rng.choices(_WEIGHTED, _WEIGHTS)[0]
        _, (lo, hi), _, service_kind = _PROFILES[profile]
        if profile == "soldier":
            age = int(rng.triangular(lo, hi + 1, 32))
        else:
            age = rng.randint(lo, hi)
        birth = today - timedelta(days=int(age * 365.25) + rng.randint(1, 364))
        age = _age(birth, today)
        female_share = {"serving": 0.55, "martyr": 0.6, "duty_death": 0.6, "illness_death": 0.6,
                        "martyr_child": 0.5, "civilian": 0.4}.get(profile, 0.03)
        sex = "F" if rng.random() < female_share else "M"
        cats = _person_categories(rng, profile, age)
        veteran = service_kind is not None
        row = _blank("person")
        row.update(
            id=new_id(),
            station_code=station_code,
            created_at=now,
            updated_at=now,
            name=_name(rng, sex, birth.year),
            id_number=ids.make(rng, birth, sex),
            sex=sex,
            birth_date=birth.isoformat(),
            ethnicity=rng.choices(("01", "03", "15", "06", "11"), (92, 2, 3, 2, 1))[0],
            education=_education(rng, birth.year, veteran),
            hukou_type=rng.choices(("农业", "非农业", "居民"), (70, 15, 15))[0],
            hukou_place=_address(rng, village),
            phone=_mobile(rng),
            phone2=_mobile(rng) if rng.random() < 0.15 else None,
            categories=json.dumps(cats, ensure_ascii=False),
            key_focus=0,
            re_enlisted=0,
            zero_employment_family=0,
            lone_elder_or_orphan=0,
            benefit_kinds="[]",
        )
        row["residence"] = (
            _town_address(rng) if age < 50 and rng.random() < 0.2 else row["hukou_place"]
        )
        # marriage and health
        if age < 26:
            marital = rng.choices(("unmarried", "married"), (75, 25))[0]
        elif age >= 75:
            marital = rng.choices(("married", "widowed"), (55, 45))[0]
        else:
            marital = rng.choices(("married", "unmarried", "divorced", "widowed"), (85, 7, 6, 2))[0]
        row["marital_status"] = marital
        row["health"] = (rng.choice(_HEALTH_OLD) if age >= 65
                         else rng.choices(("健康", "良好", "一般", "慢性病"), (60, 25, 10, 5))[0])
        row["social_insurance"] = rng.choice(
            ("城乡居民养老保险、城乡居民医保", "城镇职工养老保险、职工医保")
            if age < 60 else ("城乡居民养老保险、城乡居民医保", "享受退休待遇、职工医保")
        )
        row["housing"] = rng.choices(
            ("自有住房（砖混结构）", "自有住房（楼房）", "租房", "危房改造已完成"), (55, 30, 8, 7)
        )[0]
        # service and discharge
        if service_kind:
            svc = _service(rng, service_kind, birth, today)
            row.update(svc)
            if rng.random() < 0.12 and service_kind in ("soldier", "officer"):
                row["awards"] = rng.choice(("荣立个人三等功1次", "荣立个人三等功1次，嘉奖2次",
                                            "被评为优秀士兵2次", "嘉奖3次", "荣立个人二等功1次"))
        # Most of the roster comes from the 2018-2019 collection; later veterans
        # are registered when they report home after discharge.
        registered = _days(rng, registration_start, date(2019, 6, 30))
        if row["discharge_date"] and row["discharge_date"] > registered.isoformat():
            registered = date.fromisoformat(row["discharge_date"]) + timedelta(
                days=rng.randint(5, 60))
        row["registered_on"] = min(registered, today).isoformat()
        # political status
        if veteran or rng.random() < 0.15:
            political = rng.choices(("01", "13", "03", "02"), (40, 45, 12, 3))[0]
            if political == "03" and age > 28:
                political = "13"
        else:
            political = "13"
        row["political_status"] = political
        if political in ("01", "02"):
            join_from = birth + timedelta(days=int(18.5 * 365))
            if row["enlist_date"]:
                join_from = max(join_from, date.fromisoformat(row["enlist_date"]))
            row["party_joined_on"] = _days(rng, join_from, today - timedelta(days=400)).isoformat()
            row["party_branch"] = f"{village}党支部"
        # employment
        status = "retired" if profile in ("cadre", "civilian") else _employment(rng, age)
        row["employment_status"] = status
        if status in ("employed", "public_post"):
            row["employer"] = "村委会" if status == "public_post" else rng.choice(_EMPLOYERS)
        if status == "entrepreneur":
            row["business"] = rng.choice(_BUSINESSES)
        if age < 60:
            row["income_band"] = rng.choices(("3万元以下", "3-6万元", "6-10万元", "10万元以上"),
                                              (25, 40, 25, 10))[0]
            if status == "unemployed" and rng.random() < 0.2:
                row["zero_employment_family"] = 1
            if veteran and rng.random() < 0.3:
                row["training"] = rng.choice(
                    ("参加退役军人适应性培训", "参加电工职业技能培训并取证", "参加电商创业培训",
                     "参加挖掘机操作培训")
                )
            if rng.random() < 0.3:
                row["skills"] = rng.choice(_SKILLS)
            if rng.random() < 0.25:
                row["wishes"] = rng.choice(_WISHES)
        if status == "state_supported" or (marital == "widowed" and age >= 80 and rng.random() < 0.2):
            row["lone_elder_or_orphan"] = int(marital == "widowed")
            row["support_mode"] = rng.choice(("dispersed", "centralised"))
        # benefits, disability, martyrs
        benefits: list[str] = []
        if "disabled_soldier" in cats or "disabled_militia" in cats:
            grade = rng.choices(range(1, 11), (1, 1, 2, 3, 4, 6, 10, 12, 10, 8))[0]
            nature = (rng.choices(("war", "duty", "illness"), (15, 60, 25))[0]
                      if "disabled_soldier" in cats else rng.choice(("war", "duty")))
            low = date.fromisoformat(row["enlist_date"]) if row["enlist_date"] else birth + timedelta(days=20 * 365)
            high = (date.fromisoformat(row["discharge_date"]) + timedelta(days=365)
                    if row["discharge_date"] else today)
            row.update(
                disability_grade=grade,
                disability_nature=nature,
                disability_cert_no=f"{prov}军残字第{rng.randint(1, 99999):06d}号"
                if "disabled_soldier" in cats else f"{prov}民残字第{rng.randint(1, 9999):05d}号",
                disability_assessed_on=_days(rng, low, min(high, today - timedelta(days=200))).isoformat(),
            )
            benefits.append("pension")
            if grade <= 4:
                benefits.append("nursing")
        if cats[0] in ("martyr_family", "duty_death_family", "illness_death_family"):
            benefits.append("pension")
        if any(c in cats for c in ("red_army_veteran", "rural_demobilised", "ill_returned",
                                   "war_test_veteran", "rural_soldier_60", "martyr_elderly_child")):
            benefits.append("living_allowance")
        if "martyr_family" in cats or "martyr_elderly_child" in cats:
            if "martyr_elderly_child" in cats:
                # the father fell before or soon after the child was born
                low = max(date(1938, 1, 1), birth - timedelta(days=200))
                sacrifice = _days(rng, low, min(date(1953, 7, 27), birth + timedelta(days=12 * 365)))
                burial = rng.choice(("本县烈士陵园", "沈阳抗美援朝烈士陵园", "异地安葬，地点不详"))
            else:
                low = max(date(1979, 1, 1), birth + timedelta(days=18 * 366))
                sacrifice = _days(rng, low, max(low, today - timedelta(days=365)))
                burial = rng.choice(("本县烈士陵园", "麻栗坡烈士陵园", "本村公墓"))
            row.update(
                martyr_cert_no=f"{sacrifice.year + rng.randint(0, 2)}民烈字第{rng.randint(1, 9999):05d}号",
                martyr_sacrifice_date=sacrifice.isoformat(),
                martyr_burial_place=burial,
            )
        if "red_army_veteran" in cats:
            benefits.append("nursing")
        benefits = list(dict.fromkeys(b for b in ("pension", "living_allowance", "nursing") if b in benefits))
        row["benefit_kinds"] = json.dumps(benefits)
        if benefits:
            row["annual_confirmed_year"] = today.year if today.month >= 4 else today.year - 1
            if rng.random() < 0.05:
                row["annual_confirmed_year"] -= 1  # this year's confirmation still missing
        # hardship and key focus
        if rng.random() < (0.15 if age >= 60 or status == "unemployed" else 0.06):
            row["hardship"] = rng.choice(_HARDSHIPS)
        reason = None
        if "red_army_veteran" in cats:
            reason = "退伍红军老战士，高龄"
        elif row["disability_grade"] and row["disability_grade"] <= 4:
            reason = f"{row['disability_grade']}级残疾军人，需要长期护理"
        elif age >= 85 and rng.random() < 0.6:
            reason = "高龄独居" if marital == "widowed" else "高龄，身体较差"
        elif row["hardship"] and rng.random() < 0.6:
            reason = f"生活困难：{row['hardship']}"
        elif rng.random() < 0.01:
            reason = "有信访诉求，需持续关注"
        if reason:
            row["key_focus"] = 1
            row["key_focus_reason"] = reason
        # tags
        tags: list[str] = []
        if political == "01" and veteran:
            tags.append("party_member")
        if "war_test_veteran" in cats:
            tags.append("combat_veteran")
        if status == "entrepreneur" and rng.random() < 0.5:
            tags.append("wealth_leader")
        if veteran and age < 65 and rng.random() < 0.01:
            tags.append("most_beautiful")
        row["tags"] = json.dumps(tags)
        if cats[0] in ("duty_death_family", "illness_death_family"):
            what = "因公牺牲" if cats[0] == "duty_death_family" else "病故"
            row["note"] = f"亲属于{rng.randint(max(1975, birth.year + 18), today.year - 1)}年{what}"
        rows.append(row)
    return rows


# --- visits ------------------------------------------------------------------------

_ROUTINE_CONTENT = (
    "电话询问近况，身体健康，家庭和睦，无特殊诉求。",
    "了解就业情况，宣传退役军人优待证办理政策。",
    "询问身体状况，提醒按时服药，叮嘱注意冬季取暖安全。",
    "宣传退役军人就业创业扶持政策，了解培训意愿。",
    "了解家庭生产生活情况，本人表示生活稳定。",
    "核对联系方式和家庭成员信息，更新档案。",
    "宣讲优抚政策调整情况，解答抚恤金发放疑问。",
    "询问子女就学情况，告知军人子女教育优待政策。",
)
_NEEDS = (
    "希望帮助联系就业岗位", "反映医疗报销比例偏低", "希望办理优待证", "咨询养老保险补缴政策",
    "希望子女入学享受优待", "反映房屋漏雨需维修", "咨询创业贴息贷款",
)
_FOLLOW_UPS = (
    "已向镇退役军人服务站反映", "已协助提交申请材料", "已电话回复政策规定", "下次走访时再了解进展",
)
_HOLIDAY_GIFTS = {
    "spring_festival": ("大米一袋、食用油一桶", "慰问品一份（米、面、油）", "春联、年货礼包一份"),
    "army_day": ("慰问品一份", "纪念品一份", "水果一箱"),
    "double_ninth": ("牛奶一箱、糕点一盒", "重阳糕、水果", "保暖衣物一套"),
}
_METHODS = ("phone", "wechat", "home", "at_station")
_METHOD_WEIGHTS = (55, 20, 20, 5)


def _visit_row(
    station_code: str, now: str, person_id: str, kind: str, method: str, day: str,
    visitor: str, operator_id: str | None,
) -> Row:
    return {
        "id": new_id(), "station_code": station_code, "created_at": now, "updated_at": now,
        "updated_by": operator_id, "deleted_at": None, "person_id": person_id, "kind": kind,
        "method": method, "visit_date": day, "visitor": visitor, "operator_id": operator_id,
        "content": None, "needs": None, "follow_up": None, "gifts": None, "money_fen": 0,
        "satisfaction": None, "life_event_id": None, "campaign_id": None,
    }


def _routine_details(rng: random.Random, row: Row) -> Row:
    row["content"] = rng.choice(_ROUTINE_CONTENT)
    if rng.random() < 0.12:
        row["needs"] = rng.choice(_NEEDS)
        row["follow_up"] = rng.choice(_FOLLOW_UPS)
    if row["method"] in ("home", "at_station") or rng.random() < 0.3:
        row["satisfaction"] = rng.choices("5432", (70, 24, 5, 1))[0]
    return row


def make_visits(
    rng: random.Random,
    persons: Sequence[Row],
    n: int,
    today: date,
    *,
    years: int = 2,
    operators: Sequence[tuple[str | None, str]] = ((None, "服务站专干"),),
    now: str | None = None,
) -> list[Row]:
    """``n`` regular-contact visit rows (every column but ``hlc``) spread over ``years`` years.

    Persons are drawn at random; a visit never precedes the person's
    registration or falls after ``today``.
    """
    if not persons:
        return []
    now = now or utc_now()
    start = _shift_years(today, -years)
    span = (today - start).days
    days = [(start + timedelta(days=d)).isoformat() for d in range(span + 1)]
    station_code = persons[0]["station_code"]
    rows: list[Row] = []
    for _ in range(n):
        person = persons[rng.randrange(len(persons))]
        day = days[rng.randrange(len(days))]
        if day < person["registered_on"]:
            day = person["registered_on"] if person["registered_on"] <= days[-1] else days[-1]
        op_id, visitor = operators[rng.randrange(len(operators))]
        method = rng.choices(_METHODS, _METHOD_WEIGHTS)[0]
        kind = "routine" if rng.random() < 0.92 else "policy"
        rows.append(_routine_details(
            rng, _visit_row(station_code, now, person["id"], kind, method, day, visitor, op_id)
        ))
    return rows


# --- the whole demo --------------------------------------------------------------


class _Demo:
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

    def aid_(self) -> None:
        """Aid applications along 村 → 镇 → 县, with reviews and payments."""
        rng, today = self.rng, self.today
        aid_text = {
            "living": ("家庭收入低，生活困难", "长期失业，无稳定收入"),
            "medical": ("本人住院治疗，自付医疗费用较高", "配偶患重病，医疗支出大"),
            "education": ("子女考上大学，学费负担重", "两个孩子上学，家庭负担重"),
            "employment": ("失业在家，希望参加培训和推荐就业", ),
            "housing": ("房屋年久失修，雨季漏雨", ),
            "temporary": ("遭遇火灾，生活用品损毁", "突发疾病，临时生活困难", "暴雨致房屋受损"),
        }
        amounts = {"living": (1000, 5000), "medical": (2000, 10000), "education": (2000, 5000),
                   "employment": (1000, 3000), "housing": (3000, 20000), "temporary": (500, 3000)}
        # on file long enough for the whole review path to have run
        settled = [p for p in self.persons if self.registered(p) <= today - timedelta(days=60)]
        settled = settled or self.persons
        candidates = [p for p in settled if p["hardship"] or p["key_focus"]]
        others = [p for p in settled if not (p["hardship"] or p["key_focus"])] or settled
        count = max(8, round(len(self.persons) * 0.04 * self.years))
        town_reviewer = _name(rng, "M", 1978)
        county_reviewer = _name(rng, "F", 1982)
        plan = ["paid", "paid", "rejected", "village_reviewed", "town_reviewed", "approved",
                "withdrawn", "applied", "returned"]
        for i in range(count):
            pool = candidates if candidates and rng.random() < 0.75 else others
            p = pool[rng.randrange(len(pool))]
            aid_type = rng.choices(list(amounts), (30, 25, 15, 8, 7, 15))[0]
            fund = str(self.cat.get("aid_type", aid_type).data.get("default_fund", "other"))
            target = plan[i] if i < len(plan) else rng.choices(
                ("paid", "approved", "rejected", "withdrawn", "town_reviewed", "village_reviewed",
                 "applied", "returned"), (50, 8, 12, 4, 8, 8, 5, 5))[0]
            applied = _days(rng, max(self.start, self.registered(p)), today - timedelta(days=45))
            if target in ("applied", "village_reviewed"):
                applied = _days(rng, today - timedelta(days=20), today - timedelta(days=5))
            lo, hi = amounts[aid_type]
            requested = _yuan(rng, lo, hi)
            app = self.row(
                "aid_application", person_id=p["id"], aid_type=aid_type, fund=fund,
                hardship_kind=rng.choices(("general", "subsistence", "near_subsistence",
                                           "extreme_poverty"), (55, 20, 20, 5))[0],
                hardship_state="suspected", cause=rng.choice(aid_text[aid_type]),
                measures=rng.choice(("申请临时救助资金，定期回访", "协调医疗救助并跟踪治疗",
                                     "推荐公益性岗位", "联系帮扶责任人结对帮扶")),
                helper=self.operators[0][1], applied_on=applied.isoformat(),
                requested_fen=requested, state=AidState.APPLIED.value,
            )
            state = AidState.APPLIED
            day = applied
            steps: list[tuple[Level, ReviewDecision]] = []
            if target == "returned":  # 镇 sends it back once, then it goes through
                steps = [(Level.VILLAGE, ReviewDecision.APPROVE), (Level.TOWN, ReviewDecision.RETURN),
                         (Level.VILLAGE, ReviewDecision.APPROVE), (Level.TOWN, ReviewDecision.APPROVE),
                         (Level.COUNTY, ReviewDecision.APPROVE)]
            else:
                n_steps = {"applied": 0, "village_reviewed": 1, "town_reviewed": 2, "approved": 3,
                           "paid": 3, "withdrawn": rng.randint(0, 2)}.get(target)
                if target == "rejected":
                    at = rng.randint(0, 2)
                    steps = [(lv, ReviewDecision.APPROVE) for lv in list(Level)[:at]]
                    steps.append((list(Level)[at], ReviewDecision.REJECT))
                else:
                    steps = [(lv, ReviewDecision.APPROVE) for lv in list(Level)[:n_steps]]
            amount = requested
            for level, decision in steps:
                nxt = day + timedelta(days=rng.randint(2, 10))
                if nxt > today:
                    break
                day = nxt
                if level is Level.COUNTY and decision is ReviewDecision.APPROVE:
                    amount = min(requested, _yuan(rng, lo, hi))
                reviewer = {Level.VILLAGE: self.operators[0][1], Level.TOWN: town_reviewer,
                            Level.COUNTY: county_reviewer}[level]
                opinion = {
                    ReviewDecision.APPROVE: {
                        Level.VILLAGE: "经村两委入户核实，情况属实，同意上报。",
                        Level.TOWN: "经镇退役军人服务站复核，符合条件，同意报县审批。",
                        Level.COUNTY: f"同意救助{amount // 100}元。",
                    }[level],
                    ReviewDecision.REJECT: "经核查，家庭收入超过救助标准，不予救助。",
                    ReviewDecision.RETURN: "材料不全，请补充医疗费用票据和收入证明后重新上报。",
                }[decision]
                self.row("aid_review", application_id=app["id"], level=level.value,
                         decision=decision.value, reviewer=reviewer, reviewed_on=day.isoformat(),
                         opinion=opinion,
                         amount_fen=amount if decision is ReviewDecision.APPROVE else None)
                state = next_aid_state(state, level, decision)
                if level is Level.COUNTY and decision is ReviewDecision.APPROVE:
                    app["approved_fen"] = amount
            if target == "withdrawn":
                state = AidState.WITHDRAWN
            if state is AidState.APPROVED and target in ("paid", "returned"):
                paid_on = day + timedelta(days=rng.randint(3, 15))
                if paid_on <= today:
                    in_kind = rng.random() < 0.25
                    self.row("aid_payment", application_id=app["id"], person_id=p["id"],
                             paid_on=paid_on.isoformat(), amount_fen=app["approved_fen"],
                             in_kind_fen=_yuan(rng, 100, 500) if in_kind else 0,
                             in_kind="米、面、油等生活物资" if in_kind else None, fund=fund,
                             payer="县退役军人事务局", note="通过“一卡通”发放到本人账户")
                    state = AidState.PAID
            app["state"] = state.value
            app["hardship_state"] = {
                AidState.APPROVED: "confirmed", AidState.PAID: "confirmed",
                AidState.REJECTED: "not_hardship",
            }.get(state, "suspected")
            if state is AidState.PAID and day < today - timedelta(days=300) and rng.random() < 0.5:
                app["hardship_state"] = "lifted"

    def cases_(self) -> None:
        """Disputes and petitions: 小事不出村, some escalated, one repeat petition."""
        rng, today = self.rng, self.today
        contents = {
            "policy": "反映本人参战经历未纳入优待范围，要求落实相关待遇",
            "employment": "反映退役后安置工作未落实，要求协调解决",
            "hardship": "家庭生活困难，要求给予救助",
            "medical": "反映旧伤复发，医疗费用报销困难",
            "neighbour": "与邻居因宅基地边界发生纠纷",
            "family": "与子女因赡养问题产生矛盾",
            "land_property": "反映承包土地被占用，要求恢复",
            "other": "反映村道路灯损坏影响出行",
        }
        scenarios = ["closed_village", "escalated", "closed_town", "revisited", "overdue",
                     "assigned_down", "mediating", "registered"]
        count = max(len(scenarios), round(len(self.persons) * 0.02 * self.years))
        town_handler = _name(rng, "M", 1980)
        registrar = self.operators[0][1]
        cases: list[Row] = []
        for i in range(count):
            scenario = scenarios[i] if i < len(scenarios) else rng.choices(
                ("closed_village", "closed_town", "revisited", "escalated", "mediating"),
                (45, 15, 20, 10, 10))[0]
            p = self.persons[rng.randrange(len(self.persons))]
            case_type = rng.choice(list(contents))
            urgency = rng.choices(("normal", "urgent", "critical"), (80, 17, 3))[0]
            limit = {"normal": 30, "urgent": 15, "critical": 7}[urgency]
            if scenario == "registered":
                registered = today - timedelta(days=rng.randint(0, min(5, limit - 1)))
            elif scenario in ("overdue", "escalated", "mediating"):
                registered = today - timedelta(days=rng.randint(limit + 3, limit + 40))
                if scenario != "overdue":
                    registered = today - timedelta(days=rng.randint(3, limit - 1))
            else:
                registered = _days(rng, max(self.start, self.registered(p)), today - timedelta(days=60))
            parties = p["name"]
            if case_type in ("neighbour", "land_property"):
                parties = f"{p['name']}与{_name(rng, 'M', 1965)}"
            cases.append(self._case(p, scenario, case_type, urgency, registered, limit, parties,
                                    contents[case_type], registrar, town_handler, repeat=False))
        # a repeat petition: the same person comes back about a closed case
        first = next((c for c in cases if c["state"] == "closed"), None)
        if first is not None:
            again = date.fromisoformat(first["closed_on"]) + timedelta(days=rng.randint(20, 40))
            if again <= today:
                person = next(p for p in self.persons if p["id"] == first["person_id"])
                self._case(person, "escalated", first["case_type"], "urgent", again, 15,
                           first["parties"], "再次反映：" + first["content"], registrar,
                           town_handler, repeat=True)

    def _case(self, p: Row, scenario: str, case_type: str, urgency: str, registered: date,
              limit: int, parties: str, content: str, registrar: str, town_handler: str,
              *, repeat: bool) -> Row:
        rng, today = self.rng, self.today
        case = self.row(
            "dispute_case", person_id=p["id"], parties=parties, registrar=registrar,
            channel=rng.choices(("visit", "call", "screening", "online", "assigned", "letter"),
                                (35, 25, 20, 8, 8, 4))[0],
            case_type=case_type, urgency=urgency, registered_on=registered.isoformat(),
            deadline=(registered + timedelta(days=limit)).isoformat(), content=content,
            repeat_petition=int(repeat), level=Level.VILLAGE.value,
        )
        actions = {
            "registered": [CaseAction.REGISTER],
            "overdue": [CaseAction.REGISTER, CaseAction.MEDIATE],
            "mediating": [CaseAction.REGISTER, CaseAction.MEDIATE],
            "escalated": [CaseAction.REGISTER, CaseAction.MEDIATE, CaseAction.ESCALATE],
            "closed_village": [CaseAction.REGISTER, CaseAction.MEDIATE, CaseAction.CLOSE],
            "closed_town": [CaseAction.REGISTER, CaseAction.MEDIATE, CaseAction.ESCALATE,
                            CaseAction.MEDIATE, CaseAction.CLOSE],
            "revisited": [CaseAction.REGISTER, CaseAction.MEDIATE, CaseAction.CLOSE,
                          CaseAction.REVISIT],
            "assigned_down": [CaseAction.REGISTER, CaseAction.ESCALATE, CaseAction.ASSIGN_DOWN,
                              CaseAction.MEDIATE, CaseAction.CLOSE, CaseAction.REVISIT],
        }[scenario]
        notes = {
            CaseAction.REGISTER: "登记诉求，告知办理时限。",
            CaseAction.MEDIATE: "组织双方当面调解，讲解政策，做好思想疏导。",
            CaseAction.ESCALATE: "村级难以化解，上报镇退役军人服务站。",
            CaseAction.ASSIGN_DOWN: "镇服务站研究后下派村里牵头化解，镇里跟踪指导。",
            CaseAction.CLOSE: "双方达成一致，签订调解协议。",
            CaseAction.REVISIT: "回访当事人，协议已履行，无新的诉求。",
        }
        state: CaseState | None = None
        level = Level.VILLAGE
        day = registered
        last_day = today if scenario != "overdue" else min(today, registered + timedelta(days=limit - 1))
        for k, action in enumerate(actions):
            if k:
                gap = (rng.randint(10, 30) if action is CaseAction.REVISIT
                       else rng.randint(1, max(1, limit // 3)))
                nxt = day + timedelta(days=gap)
                if nxt > last_day:
                    break
                day = nxt
            from_level = level
            if action is CaseAction.ESCALATE:
                level = escalate_level(level)
            elif action is CaseAction.ASSIGN_DOWN:
                level = Level.VILLAGE
            state = next_case_state(state, action)
            handler = registrar if from_level is Level.VILLAGE and level is Level.VILLAGE else town_handler
            self.row("case_step", case_id=case["id"], step_on=day.isoformat(), action=action.value,
                     from_level=from_level.value, to_level=level.value, handler=handler,
                     note=notes[action])
            if action is CaseAction.CLOSE:
                case["closed_on"] = day.isoformat()
                case["resolved_level"] = level.value
                case["outcome"] = rng.choice((
                    "经调解双方达成协议，矛盾化解。", "协调落实相关待遇，当事人表示认可。",
                    "申请临时救助，解决了实际困难。", "讲清政策规定，当事人表示理解。",
                ))
                case["satisfaction"] = rng.choices("5431", (55, 35, 8, 2))[0]
        assert state is not None
        case["state"] = state.value
        case["level"] = level.value
        return case

    def honours_(self) -> None:
        """光荣牌 for most families, 喜报 for soldiers' families, recorded merits."""
        rng, today = self.rng, self.today
        eligible = [p for p in self.persons if self.cats(p)[0] != "civilian_retiree"]
        plaque_states = (("hung", 85), ("applied", 7), ("replaced", 5), ("cancelled", 3))
        for i, p in enumerate(eligible):
            if rng.random() > 0.85 and i >= 4:
                continue
            state = plaque_states[i][0] if i < 4 else rng.choices(
                [s for s, _ in plaque_states], [w for _, w in plaque_states])[0]
            reg = self.registered(p)
            if state == "applied":
                applied = _days(rng, max(reg, today - timedelta(days=60)), today)
                done = None
            else:
                applied = _days(rng, reg, max(reg, min(today, reg + timedelta(days=400))))
                done = min(today, applied + timedelta(days=rng.randint(10, 90)))
            self.row("honour", person_id=p["id"], kind=HonourKind.PLAQUE.value, title="光荣之家",
                     state=HonourState(state).value, applied_on=applied.isoformat(),
                     done_on=_iso(done), address=p["residence"],
                     award_unit="县退役军人事务局、县人武部",
                     feedback="牌子褪色，已更换新牌" if state == "replaced" else (
                         "人员迁出本村，注销" if state == "cancelled" else None))
        # 喜报 for families of serving soldiers: to_collect → to_deliver → delivered
        flow = ("to_collect", "to_deliver", "delivered")
        for i, (person_id, soldier) in enumerate(self.soldiers.items()):
            if i >= 3 and rng.random() < 0.6:
                continue
            state = flow[i] if i < 3 else rng.choices(flow, (15, 15, 70))[0]
            award = rng.choice(("荣立三等功", "被评为优秀士兵", "荣立二等功", "被评为“四有”优秀士兵"))
            arrived = today - timedelta(days=rng.randint(1, 10)) if state != "delivered" else _days(
                rng, self.start, today - timedelta(days=15))
            person = next(p for p in self.persons if p["id"] == person_id)
            self.row(
                "honour", person_id=person_id, kind=HonourKind.NOTICE.value,
                title=f"{soldier}同志{award}喜报",
                award_unit=f"中国人民解放军{rng.randint(31000, 96999)}部队",
                award_type=award.removeprefix("荣立").removeprefix("被评为"),
                awarded_on=(arrived - timedelta(days=rng.randint(20, 60))).isoformat(),
                state=state, applied_on=arrived.isoformat(),
                deadline=(arrived + timedelta(days=15)).isoformat(),
                done_on=_iso(arrived + timedelta(days=rng.randint(2, 12))) if state == "delivered" else None,
                address=person["residence"], recipient=person["name"],
                deliverer="、".join(n for _, n in self.operators) if state != "to_collect" else None,
                feedback="家属非常激动，表示将继续支持孩子在部队建功立业。" if state == "delivered" else None,
            )
        # merits recorded from the person's service file
        for p in self.persons:
            if p["awards"] and "功" in p["awards"] and p["enlist_date"]:
                award = "二等功" if "二等功" in p["awards"] else "三等功"
                self.row("honour", person_id=p["id"], kind=HonourKind.MERIT.value,
                         title=f"服役期间荣立个人{award}", award_unit=p["unit"], award_type=award,
                         awarded_on=_days(rng, date.fromisoformat(p["enlist_date"]),
                                          date.fromisoformat(p["discharge_date"])).isoformat(),
                         state=HonourState.RECORDED.value)

    def volunteers_(self) -> None:
        rng, today = self.rng, self.today
        founded = max(date(2019, 8, 1), self.start - timedelta(days=400))
        founded = min(founded, today - timedelta(days=60))
        fit = [p for p in self.persons if p["enlist_date"] and 25 <= self.age(p) <= 68]
        members = rng.sample(fit, min(len(fit), rng.randint(12, 18)))
        leader = next((p for p in members if p["village_role"]), members[0] if members else None)
        team = self.row("volunteer_team", name="张富清老兵志愿服务队",
                        organisation=f"{self.village}退役军人服务站",
                        leader=leader["name"] if leader else None, founded_on=founded.isoformat(),
                        note="学习张富清同志事迹，发挥老兵作用，服务乡村振兴。")
        member_rows = []
        for i, p in enumerate(members):
            joined = founded if i < 6 else _days(rng, founded, today - timedelta(days=30))
            left = None
            if i == len(members) - 1 and len(members) > 6:
                left = _days(rng, joined + timedelta(days=30), today)
            self.tags[p["id"]].append("volunteer")
            member_rows.append(self.row("volunteer_member", team_id=team["id"], person_id=p["id"],
                                        name=p["name"], phone=p["phone"],
                                        joined_on=joined.isoformat(), left_on=_iso(left)))
        titles = ("义务巡河护河", "走访慰问高龄老兵", "国防教育进校园", "防汛抢险值守", "清明祭扫烈士墓",
                  "村庄环境整治", "反诈宣传进农户", "帮助孤寡老人秋收", "森林防火巡查", "文明交通劝导")
        month = date(max(self.start, founded).year, max(self.start, founded).month, 1)
        while month <= today:
            if rng.random() < 0.75:
                held = month + timedelta(days=rng.randint(0, 27))
                if self.start <= held <= today:
                    title = rng.choice(titles)
                    act = self.row("volunteer_activity", team_id=team["id"], title=title,
                                   held_on=held.isoformat(),
                                   place=rng.choice((f"{self.village}", f"{self.village}小学",
                                                     "县烈士陵园", "村委会广场")),
                                   description=f"组织队员开展{title}活动。")
                    active = [m for m in member_rows if m["joined_on"] <= act["held_on"]
                              and (m["left_on"] is None or m["left_on"] > act["held_on"])]
                    for m in rng.sample(active, min(len(active), rng.randint(4, 10))):
                        self.row("volunteer_hours", activity_id=act["id"], member_id=m["id"],
                                 minutes=rng.choice((60, 90, 120, 180, 240, 300, 480)))
            month = (month + timedelta(days=32)).replace(day=1)

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


def insert_rows(conn: sqlite3.Connection, table: str, rows: Sequence[Row]) -> int:
    """Insert row dicts (all with the same keys) with one prepared ``executemany``."""
    if not rows:
        return 0
    cols = list(rows[0])
    sql = (f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in cols)}) '
           f'VALUES ({", ".join(":" + c for c in cols)})')
    conn.executemany(sql, rows)
    return len(rows)


def _village_name(conn: sqlite3.Connection, station_code: str, rng: random.Random) -> str:
    row = conn.execute(
        "SELECT name FROM station WHERE code = ? AND deleted_at IS NULL", (station_code,)
    ).fetchone()
    if row and row[0]:
        name: str = row[0]
        for end in ("社区", "村"):
            if end in name:
                return name[: name.index(end) + len(end)]
    return rng.choice(_VILLAGE_NAMES)


def generate_demo(
    store: Store,
    *,
    station_code: str,
    persons: int = 300,
    years: int = 2,
    seed: int = 7,
    today: date | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict[str, int]:
    """Fill the store with a demo village: returns the number of rows written per table.

    One transaction: on error or cancellation (``StationError`` with code
    ``"cancelled"``) nothing is written.
    """
    if len(station_code) != 12 or not station_code.isdigit():
        raise StationError(f"站点代码“{station_code}”应为12位数字。", code="invalid")
    today = today or date.today()
    rng = random.Random(seed)
    name_rng = random.Random(seed + 1)

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise StationError("已取消生成演示数据。", code="cancelled")

    counts: dict[str, int] = {}
    with store.raw_write() as conn:
        village = _village_name(conn, station_code, name_rng)
        check_cancel()
        demo = _Demo(rng, station_code, today, years, village)
        rows = demo.build(persons)
        total = sum(len(r) for r in rows.values())
        done = 0
        if progress is not None:
            progress(done, total)
        # attribute the changes to the demo's first operator
        conn.execute("UPDATE write_context SET operator_id = ? WHERE id = 1", (demo.op_id,))
        for table in DEMO_TABLES:
            table_rows = rows[table]
            for start in range(0, len(table_rows), _CHUNK):
                check_cancel()
                done += insert_rows(conn, table, table_rows[start:start + _CHUNK])
                if progress is not None:
                    progress(done, total)
            counts[table] = len(table_rows)
        check_cancel()
    store.analyze()
    return counts
