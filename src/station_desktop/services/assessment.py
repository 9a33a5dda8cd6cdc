"""A station's self-assessment and the county's review of it: one save, one review.

Both sheets (五有 and the star sheet) save through :func:`save_self_assessment`,
from 设置 → 服务站信息 and from the star-sheet dialog alike, so a re-save after
the county's review always reopens the row: the county must review the new
answers, its old score never stands over changed ones. The scoring and the
sheets are in :mod:`station_desktop.store.assessment`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from station_desktop.services.permissions import acting_operator, require_county
from station_desktop.store import models as m
from station_desktop.store.assessment import (
    clean_items,
    find_assessment,
    item_score,
    load_sheet,
    score,
)
from station_desktop.store.db import Store
from station_desktop.store.reader import row_dict


def save_self_assessment(store: Store, cats: Catalogues, operator_id: str | None,
                         station_code: str, year: int, sheet_kind: str,
                         items: Mapping[str, Any], *, submit: bool = False) -> dict[str, Any]:
    """Save this station's assessment on ``sheet_kind`` for ``year`` (one row per sheet and year).

    ``submit`` marks it 已提交 (ready for the county's review). Saving again
    after the county reviewed it reopens it (state back to draft/submitted;
    the items are the station's new answers only): the county must review
    them again.
    """
    sheet = load_sheet(cats, sheet_kind)
    stored = clean_items(sheet, items)
    total = score(sheet, stored).total
    with store.write(operator_id) as s:
        acting_operator(s, operator_id)
        obj = find_assessment(s, station_code, year, sheet_kind)
        if obj is None:
            obj = m.StationAssessment(station_code=station_code, year=year, sheet=sheet_kind,
                                      state="draft")
            s.add(obj)
        obj.items = stored
        obj.self_score = total
        obj.state = "submitted" if submit else "draft"
        obj.updated_by = operator_id
        s.flush()
        return row_dict(obj)


def review(store: Store, cats: Catalogues, operator_id: str | None, assessment_id: str, *,
           reviewer: str, county_items: Mapping[str, int] | None = None,
           note: str | None = None) -> dict[str, Any]:
    """The county scores one station's assessment.

    ``county_items`` maps item codes to the county's score (0..points, or a
    bool for a 五有 tick); items left out keep the station's own score. The
    county score is the total with the county's scores, the star level follows
    from it by the catalogue's thresholds (star sheet only). Only a county
    installation reviews, only a station's row (never its own), and only for
    an active operator.
    """
    reviewer = (reviewer or "").strip()
    with store.write(operator_id) as s:
        require_county(s, "只有县服务中心可以审核评分。",
                       hint="本站的自评请在“设置→服务站信息”中填写。")
        acting_operator(s, operator_id, required=True)
        if not reviewer:
            raise ValidationError("reviewer", "请填写审核人。")
        if len(reviewer) > 50:
            raise ValidationError("reviewer", "审核人姓名超过 50 字。")
        if note is not None and len(note) > 2000:
            raise ValidationError("note", "审核意见超过 2000 字。")
        obj = s.get(m.StationAssessment, assessment_id)
        if obj is None or obj.deleted_at is not None:
            raise NotFoundError("找不到这份自评，可能已被站点删除。", code="not_found")
        if obj.station_code == s.get(m.Meta, "station_code").value:  # type: ignore[union-attr]
            raise ConflictError("县服务中心不审核自己的自评。", code="own_assessment")
        sheet = load_sheet(cats, obj.sheet)
        items: dict[str, Any] = {k: dict(v) if isinstance(v, Mapping) else {"checked": bool(v)}
                                 for k, v in (obj.items or {}).items()}
        for code, value in (county_items or {}).items():
            item = sheet.by_code.get(code)
            if item is None:
                raise ValidationError("items", f"{sheet.label}中没有这一项：{code}。")
            items.setdefault(code, {})["county"] = item_score(value, item)
        total = score(sheet, items, county=True).total
        obj.items = items
        obj.county_score = total
        obj.star_level = sheet.level_for(total)
        obj.reviewer = reviewer
        obj.note = note.strip() if note else obj.note
        obj.state = "reviewed"
        obj.updated_by = operator_id
        s.flush()
        return row_dict(obj)
