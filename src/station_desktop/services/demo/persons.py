"""Person rows of every category, with service histories consistent with their age."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from station_desktop.services.demo.people import (
    _VILLAGE_NAMES,
    _IdNumbers,
    _address,
    _mobile,
    _name,
    _town_address,
)
from station_desktop.services.demo.rows import Row, _age, _blank, _days, _iso, _shift_years
from station_desktop.store.models import new_id, utc_now

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
