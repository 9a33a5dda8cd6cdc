"""Which column of a roster is which person field: header synonyms and the column mapping.

Real rosters spell headers a dozen ways (公民身份号码, 手机 …), put them in
full-width letters or add a “（18位）”; :func:`normalize_header` makes them
comparable, :func:`guess_mapping` proposes a mapping the user may correct,
:func:`check_mapping` refuses one the importer cannot use. A corrected
mapping is kept in the meta table under :func:`mapping_key` (the services
layer writes it; :func:`load_remembered_mapping` reads it back).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl.utils import get_column_letter

from station_desktop.domain.errors import ValidationError
from station_desktop.store.fields import PERSON_FIELDS
from station_desktop.store.reader import StationReader

#: Column index (0-based, A = 0) → person field name, or None for a column not imported.
ColumnMapping = dict[int, str | None]


#: Field name → the headers real rosters use for it (each field's own label is added).
HEADER_SYNONYMS: dict[str, list[str]] = {
    "name": ["姓名", "名字", "人员姓名", "退役军人姓名", "军人姓名"],
    "id_number": ["身份证号", "公民身份号码", "身份证号码", "身份证", "公民身份证号码",
                  "居民身份证号码", "身份证件号码", "证件号码"],
    "sex": ["性别"],
    "birth_date": ["出生日期", "出生年月", "出生年月日", "生日"],
    "ethnicity": ["民族"],
    "political_status": ["政治面貌"],
    "marital_status": ["婚姻状况", "婚姻状态", "婚否"],
    "health": ["健康状况", "身体状况"],
    "education": ["文化程度", "学历", "文化"],
    "hukou_type": ["户籍类别", "户口性质", "户籍性质", "户口类别"],
    "hukou_place": ["户籍地", "户籍地址", "户籍所在地", "户口所在地"],
    "residence": ["常住地", "住址", "现住址", "家庭住址", "家庭地址", "居住地", "现居住地",
                  "居住地址", "常住地址", "地址"],
    "phone": ["联系电话", "手机", "电话", "手机号码", "联系方式", "手机号", "电话号码",
              "本人电话", "本人联系电话"],
    "phone2": ["备用电话", "其他电话", "固定电话", "家属电话"],
    "categories": ["人员类别", "类别", "优抚类别", "对象类别", "人员类型", "优抚对象类别",
                   "身份类别"],
    "tags": ["标签"],
    "key_focus": ["重点关注", "是否重点关注"],
    "key_focus_reason": ["重点关注原因", "关注原因"],
    "social_insurance": ["社会保险", "社保情况", "参保情况"],
    "housing": ["住房情况", "住房"],
    "registered_on": ["建档日期", "建档时间", "登记日期"],
    "enlist_date": ["入伍时间", "入伍年月", "入伍日期"],
    "enlist_place": ["入伍地", "入伍地点"],
    "unit": ["部队代号/番号", "部队番号", "部队代号", "服役部队", "原部队", "原服役部队"],
    "service_branch": ["军种"],
    "rank": ["军衔", "退役时军衔", "原军衔"],
    "post": ["职务", "部队职务", "原职务"],
    "awards": ["立功受奖", "立功受奖情况", "获奖情况"],
    "punishments": ["处分", "处分情况"],
    "special_service": ["特殊地区/岗位服役"],
    "re_enlisted": ["二次入伍", "是否二次入伍"],
    "discharge_date": ["退役时间", "退伍时间", "退役年月", "退伍年月", "退役日期", "退伍日期"],
    "service_years": ["军龄", "服役年限"],
    "discharge_cert_type": ["退役证件类型"],
    "discharge_cert_no": ["退役证件号码", "退役证号", "退伍证号", "退役证编号"],
    "discharge_mode": ["退役方式", "退出现役方式"],
    "resettlement_mode": ["安置方式", "安置类别", "安置形式"],
    "resettlement_unit": ["安置单位"],
    "employment_status": ["就业状态", "就业情况"],
    "employer": ["工作单位", "就业单位", "现工作单位"],
    "income_band": ["收入情况", "年收入"],
    "zero_employment_family": ["零就业家庭", "是否零就业家庭"],
    "business": ["创业情况"],
    "training": ["教育培训", "培训情况"],
    "benefit_kinds": ["抚恤补助", "抚恤补助类别", "享受待遇"],
    "support_mode": ["供养方式"],
    "lone_elder_or_orphan": ["孤老/孤儿", "是否孤老"],
    "disability_nature": ["残疾性质", "伤残性质"],
    "disability_grade": ["伤残等级", "残疾等级", "伤残级别"],
    "disability_cert_no": ["残疾军人证号", "残疾军人证编号", "伤残证号"],
    "disability_assessed_on": ["评残时间", "评残日期"],
    "martyr_cert_no": ["烈士证明书编号"],
    "martyr_sacrifice_date": ["牺牲日期", "牺牲时间"],
    "martyr_burial_place": ["安葬地", "安葬地点"],
    "annual_confirmed_year": ["年度确认年份"],
    "party_joined_on": ["入党时间", "入党日期"],
    "party_branch": ["所在党支部", "党组织关系所在"],
    "village_role": ["兵支书/两委职务", "村内职务"],
    "role_post": ["任职岗位"],
    "role_appointed_on": ["首次任职时间"],
    "role_term": ["任期"],
    "role_rating": ["年度考评"],
    "skills": ["技能特长", "特长"],
    "wishes": ["意愿需求", "需求"],
    "hardship": ["困难情况", "家庭困难情况"],
    "note": ["备注"],
}

#: Headers a roster has that are not fields: they count towards finding the header row.
IGNORED_HEADERS = ("序号", "编号", "序", "年龄", "周岁", "NO", "NO.")

_PAREN = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def normalize_header(text: Any) -> str:
    """A header as compared: half-width, no spaces or asterisks, no (…) suffix."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).translate(INVISIBLE)
    s = "".join(s.split()).replace("*", "").replace("※", "")
    stripped = _PAREN.sub("", s)
    s = stripped or s.strip("()[]【】<>")
    return s.rstrip(":").upper()


def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for name, f in PERSON_FIELDS.items():
        for text in [f.label, *HEADER_SYNONYMS.get(name, [])]:
            key = normalize_header(text)
            if index.setdefault(key, name) != name:  # pragma: no cover - table error
                raise AssertionError(f"header {text!r} is a synonym of two fields")
    return index


_SYNONYMS = _synonym_index()
_IGNORED = frozenset(normalize_header(h) for h in IGNORED_HEADERS)


def is_known_header(text: Any) -> bool:
    """A header a roster may have: a field's, or one of the ignored ones (序号, 年龄 …)."""
    key = normalize_header(text)
    return key in _SYNONYMS or key in _IGNORED


def field_for_header(text: Any) -> str | None:
    """The person field a header names, or None."""
    return _SYNONYMS.get(normalize_header(text))


def guess_mapping(header_texts: Sequence[Any]) -> ColumnMapping:
    """Each column's field by the synonym table; a field is taken by its first column.

    A second phone column becomes 备用电话 when the sheet has no column of its own for it.
    """
    mapping: ColumnMapping = {}
    taken: set[str] = set()
    fields = [field_for_header(t) for t in header_texts]
    for col, name in enumerate(fields):
        if name == "phone" and "phone" in taken and "phone2" not in fields:
            name = "phone2"
        if name is not None and name in taken:
            name = None
        if name is not None:
            taken.add(name)
        mapping[col] = name
    return mapping


def header_signature(header_texts: Sequence[Any]) -> str:
    """A short stable key of a header row (normalised texts), for remembering its mapping."""
    joined = "\x1f".join(normalize_header(t) for t in header_texts)
    # meta.key is String(40): "xlsx_mapping:" + 24 hex digits (96 bits) of the SHA-1.
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:24]


def mapping_key(header_texts: Sequence[Any]) -> str:
    """The meta key under which the mapping of a sheet with these headers is remembered."""
    return f"xlsx_mapping:{header_signature(header_texts)}"


def mapping_text(mapping: Mapping[int, str | None]) -> str:
    """A mapping as the meta table keeps it (JSON, columns in order)."""
    return json.dumps({str(k): v for k, v in sorted(mapping.items())}, ensure_ascii=False)


def check_mapping(mapping: Mapping[int, str | None], ncols: int | None = None) -> ColumnMapping:
    """A mapping the importer can use, or a Chinese ValidationError."""
    out: ColumnMapping = {}
    seen: dict[str, int] = {}
    for col, name in mapping.items():
        col = int(col)
        if col < 0 or (ncols is not None and col >= ncols):
            continue
        if name in (None, ""):
            out[col] = None
            continue
        if name not in PERSON_FIELDS:
            raise ValidationError("mapping", f"列 {get_column_letter(col + 1)} 对应的字段“{name}”不存在。")
        if name in seen:
            raise ValidationError(
                "mapping",
                f"列 {get_column_letter(seen[name] + 1)} 和列 {get_column_letter(col + 1)} "
                f"都对应“{PERSON_FIELDS[name].label}”，一个字段只能对应一列。",
            )
        seen[name] = col
        out[col] = name
    for required in ("name", "id_number"):
        if required not in seen:
            raise ValidationError(
                "mapping",
                f"没有哪一列对应“{PERSON_FIELDS[required].label}”，无法导入。",
                hint="请在列对应中指定哪一列是" + PERSON_FIELDS[required].label + "。",
            )
    return out


def load_remembered_mapping(reader: StationReader, headers: Sequence[Any]) -> ColumnMapping | None:
    """The mapping last used for a sheet with exactly these headers, if any."""
    raw = reader.store.meta(mapping_key(headers))
    if not raw:
        return None
    try:
        stored = json.loads(raw)
        return {int(k): (v if v in PERSON_FIELDS else None) for k, v in stored.items()}
    except (ValueError, AttributeError):
        return None
