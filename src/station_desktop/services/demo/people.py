"""Who the demo's persons are: names, ID numbers, phones, addresses."""

from __future__ import annotations

import random
from datetime import date

from station_desktop.domain.idnumber import check_char

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
