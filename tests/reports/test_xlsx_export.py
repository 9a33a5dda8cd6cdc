"""Exporting lists to .xlsx: text IDs, real dates, money in yuan, widths; and the round trip."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from station_desktop.domain.errors import Cancelled, ValidationError
from station_desktop.reports.xlsx_export import (
    EXPORT_KINDS,
    display_width,
    export_kind,
    export_rows,
)
from station_desktop.services import Service, open_store
from station_desktop.services.demo import generate_demo
from station_desktop.services.roster_import import import_roster
from station_desktop.store.fields import FIELDS, PERSON_FIELDS
from tests.conftest import TODAY, VILLAGE_CODE, make_id
from tests.reports.progress import StopAfter


@pytest.fixture
def demo(svc) -> Service:
    generate_demo(svc.store, station_code=svc.station_code, persons=120, today=TODAY)
    return svc


def _sheet(path: Path):  # noqa: ANN202
    return load_workbook(path).active


def test_person_export_cells(demo, tmp_path):
    out = tmp_path / "花名册.xlsx"
    result = export_kind(demo, "person", out)
    assert result == {"file": str(out), "rows": 120, "kind": "person"}
    assert not (tmp_path / "花名册.xlsx.part").exists()
    ws = _sheet(out)
    headers = [c.value for c in ws[1]]
    assert headers == [f.label for f in PERSON_FIELDS.values()]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(headers)).column_letter}121"
    col = {h: i + 1 for i, h in enumerate(headers)}
    persons = {p["id_number"]: p for p in demo.list("person")}
    for r in range(2, 122):
        idc = ws.cell(r, col["身份证号"])
        assert idc.data_type == "s" and idc.number_format == "@" and idc.value in persons
        p = persons[idc.value]
        phone = ws.cell(r, col["联系电话"])
        assert phone.value == p["phone"] and phone.number_format == "@"
        born = ws.cell(r, col["出生日期"])
        assert isinstance(born.value, datetime) and born.is_date
        assert born.number_format == "yyyy-mm-dd" and born.value.date() == p["birth_date"]
        assert ws.cell(r, col["性别"]).value in ("男", "女")
        assert ws.cell(r, col["重点关注"]).value in ("是", "否")
    cats = ws.cell(2, col["人员类别"]).value
    assert cats and not cats.isascii()  # Chinese names, joined with 、
    # widths follow the content: the 18-digit ID column is wider than 性别, within the cap
    width = {h: ws.column_dimensions[ws.cell(1, i).column_letter].width for h, i in col.items()}
    assert width["身份证号"] >= 20 and width["性别"] < width["身份证号"]
    assert max(width.values()) <= 52


def test_every_kind_exports(demo, tmp_path):
    for kind in EXPORT_KINDS:
        result = export_kind(demo, kind, tmp_path / f"{kind}.xlsx")
        assert result["rows"] == demo.count(kind), kind
        ws = _sheet(tmp_path / f"{kind}.xlsx")
        headers = [c.value for c in ws[1]]
        if "person_id" in FIELDS[kind] and kind != "person":
            label = FIELDS[kind]["person_id"].label
            i = headers.index(label)
            assert headers[i + 1] == f"{label}身份证号"
            names = {p["name"] for p in demo.list("person")}
            assert ws.cell(2, i + 1).value in names
    visits = _sheet(tmp_path / "visit.xlsx")
    headers = [c.value for c in visits[1]]
    assert "慰问金（元）" in headers and "操作员" not in headers
    assert isinstance(visits.cell(2, headers.index("走访日期") + 1).value, datetime)


def test_money_in_yuan(svc, person, tmp_path):
    app = svc.create("aid_application", {"person_id": person["id"], "aid_type": "生活救助",
                                          "cause": "因病", "applied_on": "2026-11-01",
                                          "requested_fen": "1234.5"})
    assert app["requested_fen"] == 123450
    export_kind(svc, "aid_application", tmp_path / "aid.xlsx")
    ws = _sheet(tmp_path / "aid.xlsx")
    headers = [c.value for c in ws[1]]
    cell = ws.cell(2, headers.index("申请金额（元）") + 1)
    assert cell.value == pytest.approx(1234.5) and cell.number_format.endswith("0.00")
    assert ws.cell(2, headers.index("帮扶对象") + 1).value == "张三丰"
    assert ws.cell(2, headers.index("办理状态") + 1).value == "已申请"
    assert ws.cell(2, headers.index("帮扶类型") + 1).value == "生活救助"


def test_unknown_kind_lists_the_kinds(svc, tmp_path):
    with pytest.raises(ValidationError) as exc:
        export_kind(svc, "operator", tmp_path / "x.xlsx")
    text = exc.value.user_text()
    assert "operator" in text and "person" in text and "走访记录" in text
    assert not (tmp_path / "x.xlsx").exists()


def test_export_rows_generic(tmp_path):
    out = tmp_path / "sub" / "list.xlsx"
    result = export_rows(
        out, "走访/名单[1]", ["姓名", "身份证号", "日期", "金额", "备注"],
        [["张三", 420303198503010113, "2026-11-01", 12345, "=SUM(A1)"],
         ["李四", None, date(2026, 1, 2), 0, "一行\n两行"]],
        text_columns=["身份证号"], date_columns=[2], money_columns=["金额"],
    )
    assert result == {"file": str(out), "rows": 2}
    ws = _sheet(out)
    assert ws.title == "走访 名单 1"
    assert [c.value for c in ws[1]] == ["姓名", "身份证号", "日期", "金额（元）", "备注"]
    assert ws["B2"].value == "420303198503010113" and ws["B2"].number_format == "@"
    assert ws["C2"].value == datetime(2026, 11, 1) and ws["C3"].value == datetime(2026, 1, 2)
    assert ws["D2"].value == pytest.approx(123.45) and ws["D3"].value == 0
    assert ws["E2"].value == "=SUM(A1)" and ws["E2"].data_type == "s"  # text, not a formula
    assert display_width("张三ab") == 6


def test_export_cancel_leaves_no_file(demo, tmp_path):
    with pytest.raises(Cancelled, match="已取消导出。"):
        export_kind(demo, "person", tmp_path / "p.xlsx", progress=StopAfter(0))
    assert not (tmp_path / "p.xlsx").exists() and not (tmp_path / "p.xlsx.part").exists()


def test_export_then_import_gives_the_same_records(demo, tmp_path):
    """The whole roster out of one station and into a fresh one with the same code."""
    out = tmp_path / "roster.xlsx"
    export_kind(demo, "person", out)
    fresh_store = open_store(tmp_path / "fresh")
    try:
        fresh = Service(fresh_store, today=TODAY)
        fresh.init_station(role="village", code=VILLAGE_CODE, name="东沟村退役军人服务站")
        dry = import_roster(fresh, out, dry_run=True)
        assert dry.counts["create"] == 120 and dry.counts["refused"] == 0
        real = import_roster(fresh, out)
        assert real.to_dict() == {**dry.to_dict(), "dry_run": False}
        before = {p["id_number"]: p for p in demo.list("person")}
        after = {p["id_number"]: p for p in fresh.list("person")}
        assert set(before) == set(after)
        for number, p in before.items():
            for name in PERSON_FIELDS:
                assert after[number][name] == p[name], (number, name)
        # and back again: importing the same export changes nothing
        again = import_roster(fresh, out, dry_run=True)
        assert again.counts["unchanged"] == 120
    finally:
        fresh_store.close()


def test_update_from_an_edited_export(svc, tmp_path):
    svc.create("person", {"name": "张三丰", "id_number": make_id(), "categories": "退役士兵、残疾军人",
                          "phone": "13800138000"})
    out = tmp_path / "p.xlsx"
    export_kind(svc, "person", out)
    wb = load_workbook(out)
    ws = wb.active
    headers = [c.value for c in ws[1]]
    ws.cell(2, headers.index("人员类别") + 1).value = "残疾军人，退役士兵"  # same set, other order
    ws.cell(2, headers.index("伤残等级") + 1).value = "四级"
    wb.save(out)
    report = import_roster(svc, out, dry_run=True)
    assert [(r.action, r.changes) for r in report.rows] == [("update", ["伤残等级"])]
