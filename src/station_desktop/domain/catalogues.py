"""County-owned editable lists (人员类别, 走访类型, 帮扶类型, 节日, ...).

The county edits them and ships them to villages in bundles; the program
carries defaults in ``data/catalogues.json``. An entry is never deleted, only
made inactive, so old records still show its name.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

from station_desktop.domain.errors import ValidationError

FORMAT_VERSION = 1

KIND_LABELS: dict[str, str] = {
    "person_category": "人员类别",
    "visit_kind": "走访类型",
    "life_event": "重大事项",
    "aid_type": "帮扶类型",
    "aid_fund": "资金渠道",
    "hardship_kind": "困难类型",
    "case_channel": "来源渠道",
    "case_type": "纠纷类型",
    "holiday": "节日",
    "discharge_mode": "退役方式",
    "resettlement_mode": "安置方式",
    "employment_status": "就业状态",
    "benefit_kind": "抚恤补助类别",
    "service_branch": "军种",
    "education": "文化程度",
    "village_role": "村内职务",
    "tag": "标签",
    "ethnicity": "民族",
    "wuyou": "五有",
    "star_sheet": "星级评定表",
    "star_level": "星级标准",
    "assessment_rule": "评估达标标准",
    "settings": "规则参数",
}


@dataclass(frozen=True)
class CatalogueEntry:
    kind: str
    code: str
    name: str
    sort: int = 0
    active: bool = True
    data: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Entries are shared by every caller: keep their data read-only.
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))


def _kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


class Catalogues:
    """All catalogue entries, looked up by kind and code (or Chinese name)."""

    def __init__(self, entries: Iterable[CatalogueEntry]):
        self._by_kind: dict[str, dict[str, CatalogueEntry]] = {}
        for entry in entries:
            codes = self._by_kind.setdefault(entry.kind, {})
            if entry.code in codes:
                raise ValidationError(
                    entry.kind,
                    f"{_kind_label(entry.kind)}目录中代码“{entry.code}”重复。",
                    hint="每个代码只能出现一次，请修正目录文件。",
                )
            codes[entry.code] = entry

    @staticmethod
    def defaults() -> Catalogues:
        """The built-in catalogues shipped with the program (loaded once)."""
        return _defaults()

    def kinds(self) -> list[str]:
        """Kinds present, known kinds first in ``KIND_LABELS`` order."""
        order = list(KIND_LABELS)
        return sorted(
            self._by_kind,
            key=lambda k: (order.index(k), "") if k in KIND_LABELS else (len(order), k),
        )

    def entries(self, kind: str, *, active_only: bool = True) -> list[CatalogueEntry]:
        found = self._by_kind.get(kind, {}).values()
        return sorted(
            (e for e in found if e.active or not active_only), key=lambda e: (e.sort, e.code)
        )

    def get(self, kind: str, code: str, *, active_only: bool = True) -> CatalogueEntry:
        entry = self._by_kind.get(kind, {}).get(code)
        if entry is None:
            raise ValidationError(
                kind, f"未知的{_kind_label(kind)}：{code}，请在设置→目录中查看可选项"
            )
        if active_only and not entry.active:
            raise ValidationError(
                kind, f"{_kind_label(kind)}“{entry.name}”已停用，请在设置→目录中查看可选项"
            )
        return entry

    def name(self, kind: str, code: str) -> str:
        """The display name, also for inactive entries; the code itself when unknown."""
        entry = self._by_kind.get(kind, {}).get(code)
        return entry.name if entry else code

    def resolve(self, kind: str, text: str) -> str:
        """The code of the active entry whose code, name or alias is ``text``."""
        wanted = unicodedata.normalize("NFKC", text).strip()
        entries = self._by_kind.get(kind, {}).values()
        for entry in entries:
            if wanted == entry.code or wanted == unicodedata.normalize("NFKC", entry.name):
                return self.get(kind, entry.code).code
        for entry in entries:
            if wanted in entry.data.get("aliases", ()):
                return self.get(kind, entry.code).code
        return self.get(kind, wanted).code

    def all_entries(self) -> list[CatalogueEntry]:
        return [e for kind in self.kinds() for e in self.entries(kind, active_only=False)]


@functools.cache
def _defaults() -> Catalogues:
    data = resources.files("station_desktop.domain").joinpath("data/catalogues.json")
    return Catalogues(entries_from_json(data.read_text("utf-8")))


def catalogue_to_json(cat: Catalogues) -> str:
    """Every entry (inactive ones too) as JSON text, grouped by kind."""
    kinds: dict[str, list[dict[str, Any]]] = {}
    for entry in cat.all_entries():
        kinds.setdefault(entry.kind, []).append(
            {
                "code": entry.code,
                "name": entry.name,
                "sort": entry.sort,
                "active": entry.active,
                "data": dict(entry.data),
            }
        )
    return json.dumps({"format": FORMAT_VERSION, "kinds": kinds}, ensure_ascii=False, indent=1)


def entries_from_json(text: str) -> list[CatalogueEntry]:
    """Entries from ``catalogue_to_json`` output; ``sort``, ``active`` and ``data`` optional."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT_VERSION:
            raise ValueError(f"format {document.get('format')!r}")
        return [
            CatalogueEntry(
                kind=kind,
                code=str(item["code"]),
                name=str(item["name"]),
                sort=int(item.get("sort", 0)),
                active=bool(item.get("active", True)),
                data=dict(item.get("data", {})),
            )
            for kind, items in document["kinds"].items()
            for item in items
        ]
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValidationError(
            "catalogues",
            "目录文件格式不对，无法读取。",
            hint="请使用本程序导出的目录文件，或向县里重新索取。",
            detail=str(exc),
        ) from exc
