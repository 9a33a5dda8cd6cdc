"""Importing messy real-world rosters (.xlsx built here with openpyxl), row by row."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from station_desktop.domain.errors import Cancelled, StationError, ValidationError
from station_desktop.reports import xlsx_import as xi
from station_desktop.reports.xlsx_import import (
    MANGLED_ID,
    guess_mapping,
    load_remembered_mapping,
    normalize_header,
    plan,
    read_workbook,
)
from station_desktop.services import roster_import
from station_desktop.services.roster_import import import_roster, remember_mapping
from station_desktop.store import models as m
from station_desktop.store.fields import PERSON_FIELDS
from tests.conftest import TODAY, make_id
from tests.reports.progress import Seen, StopAfter

EXISTING_ID = make_id(seq=11)  # 420303198503010113
NEW_ID = make_id(seq=13)  # 42030319850301013X
ID_1990 = make_id(birth="19900506", seq=15)
ID_1990_B = make_id(birth="19900506", seq=17)
ID_1990_C = make_id(birth="19900506", seq=19)
ID_1990_D = make_id(birth="19900506", seq=21)
ID_1990_E = make_id(birth="19900506", seq=23)
ID_1990_F = make_id(birth="19900506", seq=25)
BAD_CHECK = NEW_ID[:17] + "1"

HEAD = ["序号", "姓名", "性别", "出生年月", "民族", "公民身份号码（18位）", "手机", "人员类别",
        "入伍时间", "退役时间", "家庭住址", "备注"]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def messy_workbook(path: Path) -> Path:
    """A roster as stations keep them: every problem the importer must handle."""
    wb = Workbook()
    note = wb.active
    note.title = "填表说明"
    note["A1"] = "请按要求填写，身份证号请设置为文本格式。"
    ws = wb.create_sheet("花名册")
    ws["A1"] = "东沟村退役军人花名册"
    ws.merge_cells("A1:L1")
    ws["A3"] = "填报单位：东沟村退役军人服务站        日期：2026年11月"
    # Two-row header: 基本信息 over 性别/出生年月/民族, the others merged down.
    for col, text in enumerate(HEAD, start=1):
        if col in (3, 4, 5):
            ws.cell(5, col, text)
        else:
            ws.cell(4, col, text)
            ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
    ws["C4"] = "基本信息"
    ws.merge_cells("C4:E4")
    rows: dict[int, list] = {
        # row 6: a new person, full-width digits, lowercase x, text 出生年月, datetime cell
        6: [1, "王 小明", "男", "1985.03", "汉族", _full_width(NEW_ID[:17]) + "x",
            "１３９００１３９０００", "退役士兵、残疾军人", datetime(2003, 12, 1), "2008年12月",
            "东沟村\u30003组  ", None],
        # row 7 is empty
        # row 8: the person already on file, a changed phone and address, ID with spaces
        8: [2, "李建军", "男", None, None, f"{EXISTING_ID[:6]} {EXISTING_ID[6:14]} {EXISTING_ID[14:]}",
            "13700137000", "退役士兵", None, None, "东沟村5组", "  "],
        # rows 9-11: ID numbers Excel has already destroyed
        9: [3, "赵六", "男", None, None, 4.20303198503011e17, "13700000001", "退役士兵",
            None, None, None, None],
        10: [4, "钱七", "男", None, None, 420303198503010000, "13700000002", "退役士兵",
             None, None, None, None],
        11: [5, "孙八", "男", None, None, "4.20303E+17", "13700000003", "退役士兵",
             None, None, None, None],
        # row 12: the same ID number as row 6
        12: [6, "王小明", "男", None, None, NEW_ID, None, "退役士兵", None, None, None, None],
        # row 13: a mistyped ID number (check digit)
        13: [7, "周九", "男", None, None, BAD_CHECK, None, "退役士兵", None, None, None, None],
        # row 14: a category the catalogue does not know
        14: [8, "吴十", "男", None, None, ID_1990, None, "退休老干部", None, None, None, None],
        # row 15: a date in the future
        15: [9, "郑一", "男", None, None, ID_1990_B, None, "退役士兵", "2030-01-01", None, None,
             None],
        # row 16: an Excel serial date as a plain number, text dates in other forms
        16: [10, "冯二", "男", "1990/5/6", "回族", ID_1990_C, "0719-8123456", "退伍士兵",
             "2008-3-1", 39783, None, "尾部空格   "],
        # row 17: 性别 contradicts the ID number
        17: [11, "陈三", "女", None, None, ID_1990_D, None, "退役士兵", None, None, None, None],
        # row 18: 2008.1 typed as a number: January or October?
        18: [12, "褚四", "男", None, None, ID_1990_E, None, "退役士兵", 2008.1, 2012.03, None,
             None],
        # row 19: a name and no ID number
        19: [13, "卫五", "男", None, None, None, None, "退役士兵", None, None, None, None],
        # rows 20-21: the category merged down a group of rows, text dates 2004年3月 / 20081201
        20: [14, "蒋六", "男", None, None, ID_1990_F, None, "烈属", "2004年3月", "20081201",
             None, None],
        21: [15, "沈七", "女", None, None, make_id(birth="19900506", seq=24), None, None, None,
             None, None, None],
    }
    for r, values in rows.items():
        for c, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, c, v)
    ws.merge_cells("H20:H21")
    ws["A23"] = "填表人：王建国        审核人：李主任"
    ws.merge_cells("A23:L23")
    wb.save(path)
    return path


EXPECTED = {
    6: ("create", []),
    8: ("update", []),
    9: ("refused", [MANGLED_ID]),
    10: ("refused", [MANGLED_ID]),
    11: ("refused", [MANGLED_ID]),
    12: ("refused", ["与第 6 行身份证号重复"]),
    13: ("refused", ["校验位"]),
    14: ("refused", ["人员类别", "退休老干部"]),
    15: ("refused", ["入伍时间", "2030-01-01", "不能填将来的日期"]),
    16: ("create", []),
    17: ("refused", ["性别与身份证号不符"]),
    18: ("refused", ["入伍时间", "1 月还是 10 月"]),
    19: ("refused", ["请填写“身份证号”"]),
    20: ("create", []),
    21: ("create", []),
}


@pytest.fixture
def existing(svc):
    return svc.create("person", {"name": "李建军", "id_number": EXISTING_ID, "categories": "退役士兵",
                                 "phone": "13800138000", "residence": "东沟村4组"})


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    return messy_workbook(tmp_path / "花名册.xlsx")


def _persons(svc) -> dict[str, dict]:
    return {p["id_number"]: p for p in svc.list("person")}


def test_header_found_below_title_rows_and_two_row_merged_header(roster):
    data = read_workbook(roster)
    assert data.sheet == "花名册"  # the instructions sheet has no header row
    assert data.sheet_names == ["填表说明", "花名册"]
    assert data.header_row == 5
    assert data.headers == HEAD
    assert data.rows[0][0] == 6
    mapping = guess_mapping(data.headers)
    assert mapping == {0: None, 1: "name", 2: "sex", 3: "birth_date", 4: "ethnicity",
                       5: "id_number", 6: "phone", 7: "categories", 8: "enlist_date",
                       9: "discharge_date", 10: "residence", 11: "note"}


def test_header_normalisation_and_synonyms():
    assert normalize_header(" 身份证号\n（18位）*") == "身份证号"
    assert normalize_header("＊姓　名") == "姓名"
    assert xi.field_for_header("公民身份号码") == "id_number"
    assert xi.field_for_header("手机号码") == "phone"
    assert xi.field_for_header("优抚类别") == "categories"
    assert xi.field_for_header("配偶姓名") is None  # never matched by a part of the header
    # every field of the form is found by its own label (what the export writes)
    for name, f in PERSON_FIELDS.items():
        assert xi.field_for_header(f.label) == name


def test_dry_run_report_row_by_row(svc, existing, roster):
    report = import_roster(svc, roster, dry_run=True)
    assert report.sheet == "花名册" and report.header_row == 5
    got = {r.row: r for r in report.rows}
    assert sorted(got) == sorted(EXPECTED)  # row 7 (empty) and row 23 (signatures) are not persons
    for row, (action, words) in EXPECTED.items():
        r = got[row]
        assert r.action == action, (row, r)
        joined = "；".join(r.reasons)
        for word in words:
            assert word in joined, (row, joined)
        if action != "refused":
            assert not r.reasons
    assert got[8].changes == ["常住地", "联系电话"]  # in the order of the form
    assert got[6].name == "王小明" and got[6].id_number == NEW_ID
    assert report.counts == {"create": 4, "update": 1, "unchanged": 0, "refused": 10, "ignored": 1}
    assert report.ignored[0][0] == 23
    assert report.mapping["F"] == "身份证号" and report.mapping["G"] == "联系电话"
    assert report.unmapped == {"A": "序号"}
    # nothing written
    assert set(_persons(svc)) == {EXISTING_ID}
    lines = report.lines()
    assert lines[0].startswith("将新建 4 人，更新 1 人，拒绝 10 行")
    text = "\n".join(lines)
    assert "第 9 行 赵六" in text and MANGLED_ID in text
    assert "第 8 行 李建军（420303********0113）：将更新 常住地（东沟村4组 → 东沟村5组）、联系电话（13800138000 → 13700137000）" in text
    assert NEW_ID not in text  # ID numbers are masked in the printed report
    assert "第 23 行没有姓名和身份证号" in text


def test_real_import_does_what_the_dry_run_said(svc, existing, roster):
    dry = import_roster(svc, roster, dry_run=True)
    real = import_roster(svc, roster)
    assert not real.dry_run
    assert real.to_dict() == {**dry.to_dict(), "dry_run": False}
    assert real.lines()[0].startswith("已新建 4 人，更新 1 人，拒绝 10 行")
    persons = _persons(svc)
    assert set(persons) == {EXISTING_ID, NEW_ID, ID_1990_C, ID_1990_F,
                            make_id(birth="19900506", seq=24)}
    wang = persons[NEW_ID]
    assert wang["name"] == "王小明" and wang["sex"] == "M"
    assert wang["birth_date"] == date(1985, 3, 1)
    assert wang["phone"] == "13900139000"
    assert wang["categories"] == ["retired_soldier", "disabled_soldier"]
    assert wang["enlist_date"] == date(2003, 12, 1) and wang["discharge_date"] == date(2008, 12, 1)
    assert wang["residence"] == "东沟村 3组"
    assert wang["registered_on"] == TODAY
    feng = persons[ID_1990_C]
    assert feng["ethnicity"] == "03" and feng["phone"] == "0719-8123456"
    assert feng["categories"] == ["retired_soldier"]  # 退伍士兵 is an alias
    assert feng["enlist_date"] == date(2008, 3, 1)
    assert feng["discharge_date"] == date(2008, 12, 1)  # serial 39783
    assert feng["note"] == "尾部空格"
    jiang, shen = persons[ID_1990_F], persons[make_id(birth="19900506", seq=24)]
    assert jiang["categories"] == shen["categories"] == ["martyr_family"]  # merged down
    assert jiang["enlist_date"] == date(2004, 3, 1) and jiang["discharge_date"] == date(2008, 12, 1)
    assert shen["sex"] == "F"
    li = persons[EXISTING_ID]
    assert li["id"] == existing["id"]
    assert li["phone"] == "13700137000" and li["residence"] == "东沟村5组"
    assert li["note"] is None  # a blank cell never overwrites
    with svc.store.read() as s:
        events = s.scalars(select(m.AuditEvent).where(m.AuditEvent.action == "import_xlsx")).all()
    assert len(events) == 1
    assert events[0].detail == {"file": str(roster), "sheet": "花名册", "created": 4,
                                "updated": 1, "refused": 10}
    # importing the same file again changes nothing and creates no duplicate
    again = import_roster(svc, roster, dry_run=True)
    assert again.counts["create"] == 0 and again.counts["update"] == 0
    assert again.counts["unchanged"] == 5


def test_one_transaction_audit_failure_writes_nothing(svc, existing, roster, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(roster_import, "_audit", broken)
    with pytest.raises(RuntimeError):
        import_roster(svc, roster)
    persons = _persons(svc)
    assert set(persons) == {EXISTING_ID}
    assert persons[EXISTING_ID]["phone"] == "13800138000"


def test_cancel_midway_writes_nothing(svc, existing, roster, monkeypatch):
    monkeypatch.setattr(plan, "CHECK_EVERY", 1)
    monkeypatch.setattr(roster_import, "CHECK_EVERY", 1)
    progress = StopAfter(17)  # the 16 rows are planned; one person is added, then cancel
    with pytest.raises(Cancelled, match="已取消导入，没有写入任何数据。"):
        import_roster(svc, roster, progress=progress)
    assert set(_persons(svc)) == {EXISTING_ID}
    assert progress.asked == 18


def test_progress_is_reported(svc, roster):
    progress = Seen()
    import_roster(svc, roster, dry_run=True, progress=progress)
    assert progress.seen[0] == (0, 16) and progress.seen[-1] == (16, 16)


def test_birth_date_rule_matches_the_service(svc, tmp_path):
    """The importer refuses a contradicting birth date with the service's own words."""
    with pytest.raises(ValidationError) as exc:
        svc.create("person", {"name": "甲", "id_number": ID_1990, "categories": "退役士兵",
                              "birth_date": "1991-01-01"})
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "人员类别", "出生日期"])
    ws.append(["甲", ID_1990, "退役士兵", datetime(1991, 1, 1)])
    ws.append(["乙", ID_1990_B, "退役士兵", "1990年4月"])  # 出生年月: checked to the month
    ws.append(["丙", ID_1990_C, "退役士兵", "1990年5月"])
    wb.save(tmp_path / "b.xlsx")
    report = import_roster(svc, tmp_path / "b.xlsx", dry_run=True)
    assert report.rows[0].reasons == [exc.value.message]
    assert report.rows[1].reasons == ["出生日期与身份证号不符：按身份证号应为 1990-05-06。"]
    assert report.rows[2].action == "create"


def test_remembered_mapping_is_used_next_time(svc, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "人名", "证号", "对象"])  # only 编号 is a header we know
    ws.append([1, "韩梅", ID_1990, "退役士兵"])
    wb.save(tmp_path / "odd.xlsx")
    with pytest.raises(StationError):  # no header row recognised
        read_workbook(tmp_path / "odd.xlsx")
    data = read_workbook(tmp_path / "odd.xlsx", header_row=1)
    with pytest.raises(ValidationError, match="姓名"):
        import_roster(svc, data, dry_run=True)
    chosen = {0: None, 1: "name", 2: "id_number", 3: "categories"}
    assert load_remembered_mapping(svc, data.headers) is None
    dry = import_roster(svc, data, mapping=chosen, dry_run=True)
    assert load_remembered_mapping(svc, data.headers) is None  # a dry run writes nothing
    real = import_roster(svc, data, mapping=chosen)
    assert [r.action for r in dry.rows] == [r.action for r in real.rows] == ["create"]
    assert load_remembered_mapping(svc, data.headers) == chosen
    # next time: the same headers, no mapping given
    ws.append([2, "李雷", ID_1990_B, "退役士兵"])
    wb.save(tmp_path / "odd2.xlsx")
    nxt = import_roster(svc, read_workbook(tmp_path / "odd2.xlsx", header_row=1), dry_run=True)
    assert [r.action for r in nxt.rows] == ["unchanged", "create"]
    # remember_mapping() for the wizard
    remember_mapping(svc, ["a", "b"], {0: "name", 1: "id_number"})
    assert load_remembered_mapping(svc, ["A ", "b"]) == {0: "name", 1: "id_number"}


def test_mapping_is_checked(svc, roster):
    data = read_workbook(roster)
    with pytest.raises(ValidationError, match="一个字段只能对应一列"):
        import_roster(svc, data, mapping={1: "name", 5: "id_number", 6: "name"}, dry_run=True)
    with pytest.raises(ValidationError, match="不存在"):
        import_roster(svc, data, mapping={1: "name", 5: "id_number", 6: "nope"}, dry_run=True)


def test_defaults_fill_a_missing_category_column(svc, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "联系电话", "婚姻状况", "政治面貌", "伤残等级", "重点关注"])
    ws.append(["甲", ID_1990, 13800138000, "离异", "党员", "六级", "√"])
    wb.save(tmp_path / "c.xlsx")
    report = import_roster(svc, tmp_path / "c.xlsx", dry_run=True)
    assert report.rows[0].action == "refused" and "人员类别" in report.rows[0].reasons[0]
    assert any("没有“人员类别”列" in w for w in report.warnings)
    report = import_roster(svc, tmp_path / "c.xlsx", defaults={"categories": "退役士兵"})
    assert report.rows[0].action == "create"
    p = _persons(svc)[ID_1990]
    assert p["categories"] == ["retired_soldier"] and p["phone"] == "13800138000"
    assert p["marital_status"] == "divorced" and p["political_status"] == "01"
    assert p["disability_grade"] == 6 and p["key_focus"] is True


def test_numeric_dates_and_phone_columns(svc, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "类别", "入伍年月", "退伍年月", "电话", "电话"])
    ws.append(["甲", ID_1990, "退役士兵", 2008.03, 2012.1, "13800138000", "0719-8123456"])
    ws.append(["乙", ID_1990_B, "退役士兵", 2008.3, 201212, "13800138001/13900139001", None])
    ws.append(["丙", ID_1990_C, "退役士兵", 2008, datetime(2012, 12, 1, 0, 0), None, None])
    wb.save(tmp_path / "d.xlsx")
    report = import_roster(svc, tmp_path / "d.xlsx", dry_run=True)
    a, b, c = report.rows
    assert a.action == "refused" and "退役时间" in a.reasons[0]  # 2012.1: Jan or Oct?
    assert b.action == "refused" and "电话" in b.reasons[0]  # two numbers in one cell
    assert c.action == "create"
    wb.active.cell(2, 5, "2012.10")
    wb.active.cell(3, 6, "13800138001")
    wb.save(tmp_path / "d.xlsx")
    report = import_roster(svc, tmp_path / "d.xlsx")
    assert [r.action for r in report.rows] == ["create"] * 3
    p = _persons(svc)
    assert p[ID_1990]["enlist_date"] == date(2008, 3, 1)
    assert p[ID_1990]["discharge_date"] == date(2012, 10, 1)
    assert p[ID_1990]["phone2"] == "0719-8123456"  # the second 电话 column
    assert p[ID_1990_B]["enlist_date"] == date(2008, 3, 1)
    assert p[ID_1990_B]["discharge_date"] == date(2012, 12, 1)
    assert p[ID_1990_C]["enlist_date"] == date(2008, 1, 1)


def test_numbering_row_under_header_is_skipped(svc, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "姓名", "身份证号", "人员类别"])
    ws.append([1, 2, 3, 4])
    ws.append([1, "甲", ID_1990, "退役士兵"])
    wb.save(tmp_path / "e.xlsx")
    report = import_roster(svc, tmp_path / "e.xlsx", dry_run=True)
    assert [(r.row, r.action) for r in report.rows] == [(3, "create")]
    assert report.ignored == []


# --- files that are not rosters ------------------------------------------------------


def test_xls_is_refused_with_how_to_convert(svc, tmp_path):
    old = tmp_path / "花名册.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(StationError) as exc:
        import_roster(svc, old, dry_run=True)
    assert "另存为" in exc.value.user_text() and ".xlsx" in exc.value.user_text()
    assert exc.value.code == "old_excel"
    disguised = tmp_path / "改了扩展名.xlsx"
    disguised.write_bytes(old.read_bytes())
    with pytest.raises(StationError, match="旧版 Excel"):
        read_workbook(disguised)


def test_corrupt_and_other_files_are_refused(tmp_path):
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(StationError, match="已损坏"):
        read_workbook(broken)
    csv = tmp_path / "名单.csv"
    csv.write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(StationError, match="不是 Excel"):
        read_workbook(csv)
    with pytest.raises(StationError, match="找不到"):
        read_workbook(tmp_path / "nope.xlsx")
    empty = tmp_path / "空.xlsx"
    Workbook().save(empty)
    with pytest.raises(StationError, match="没有任何数据"):
        read_workbook(empty)


def test_unknown_sheet_lists_the_sheets(roster):
    with pytest.raises(StationError) as exc:
        read_workbook(roster, sheet="Sheet1")
    assert "花名册" in exc.value.user_text() and "填表说明" in exc.value.user_text()
    assert read_workbook(roster, sheet="花名册").header_row == 5
    with pytest.raises(StationError, match="没有找到表头"):
        read_workbook(roster, sheet="填表说明")


def test_cli_dry_run_json(svc, roster, data_dir, capsys):
    import json

    from station_desktop.cli import main

    svc.store.close()
    assert main(["--data-dir", str(data_dir), "--json", "import-xlsx", str(roster), "--dry-run"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["create"] == 5 and out["counts"]["refused"] == 10
    assert main(["--data-dir", str(data_dir), "import-xlsx", str(roster),
                 "--sheet", "花名册"]) == 0
    assert capsys.readouterr().out.startswith("已新建 5 人")
