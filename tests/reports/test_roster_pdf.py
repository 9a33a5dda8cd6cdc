"""The 花名册 PDF read back: pages, embedded font, names and ID numbers, groups and subtotals."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from station_desktop.domain.errors import Cancelled, NotFoundError, ValidationError
from station_desktop.reports import roster_pdf
from station_desktop.services.demo import generate_demo
from station_desktop.services import Service
from tests.conftest import make_id
from tests.reports.progress import Seen, StopAfter

STATION = "东沟村退役军人服务站"
HEADER = ["序号", "姓名", "性别", "出生日期", "民族", "政治面貌", "身份证号", "入伍时间",
          "退役时间", "安置方式", "联系电话", "常住地", "备注/重点关注"]


def pages_text(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def flat(s: str) -> str:
    """Extracted text with every run of whitespace as one space."""
    return re.sub(r"\s+", " ", s)


def squeezed(s: str) -> str:
    """Extracted text without whitespace (wrapped cells join up again)."""
    return re.sub(r"\s+", "", s)


def embedded_subset_fonts(path: Path) -> set[str]:
    """BaseFont names of embedded TrueType subsets (FontFile2) used on any page."""
    found = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is not None and "/FontFile2" in desc.get_object():
                found.add(str(font["/BaseFont"]))
    return found


def assert_every_page_decorated(texts: list[str], station: str = STATION) -> None:
    total = len(texts)
    for i, t in enumerate(texts, 1):
        assert station in t, f"page {i}"
        assert "花名册" in t
        assert f"第 {i} 页 共 {total} 页" in t, f"page {i}"
        assert "打印日期：2026年11月23日" in t


def add(svc: Service, seq: int, name: str, cats: str, **more) -> dict:
    return svc.create("person", {"name": name, "id_number": make_id(seq=seq),
                                 "categories": cats, **more})


@pytest.fixture
def small(svc):
    """Six persons; 李四 and 赵六 have two categories each."""
    persons = [
        add(svc, 101, "张三", "退役士兵", political_status="中共党员", phone="13800138001",
            residence="东沟村一组8号", resettlement_mode="自主就业", enlist_date="2003-12",
            discharge_date="2005-12"),
        add(svc, 103, "李四", "退役士兵,残疾军人", disability_nature="因战", disability_grade=6,
            political_status="中共预备党员", key_focus=True, key_focus_reason="旧伤复发"),
        add(svc, 104, "王芳", "现役军人家属"),  # even sequence: female
        add(svc, 105, "赵六", "残疾军人,烈士遗属", disability_nature="因公", disability_grade=9),
        add(svc, 107, "阿明", "退役士兵"),
        add(svc, 109, "曾国强", "退役士兵", political_status="群众"),
    ]
    return persons


def test_small_roster(svc, small, tmp_path):
    out = tmp_path / "roster.pdf"
    result = roster_pdf.print_roster(svc, out)
    texts = pages_text(out)
    assert result == {"file": str(out), "pages": len(texts), "persons": 6}
    reader = PdfReader(out)
    for page in reader.pages:  # landscape A4
        assert float(page.mediabox.width) == pytest.approx(841.89, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(595.28, abs=0.5)
    assert any("WenQuanYi" in f and "+" in f for f in embedded_subset_fonts(out))
    assert_every_page_decorated(texts)
    whole = flat("\n".join(texts))
    for p in small:
        assert p["name"] in whole
        assert p["id_number"] in whole  # full ID number, never masked
    # A person with several categories is listed once per category: said under the title.
    assert "在每个类别下各列一次" in whole
    # Groups in catalogue order, with the counts of the persons created above.
    expected = {"退役士兵": 4, "残疾军人": 2, "烈士遗属": 1, "现役军人家属": 1}
    positions = []
    for name, n in expected.items():
        assert f"{name}（共 {n} 人）" in whole
        positions.append(whole.index(f"{name}（共 {n} 人）"))
    assert positions == sorted(positions)
    assert "小计：4 人，其中男 4 人、女 0 人；党员 2 人" in whole
    assert "小计：1 人，其中男 0 人、女 1 人；党员 0 人" in whole
    assert "去重总人数：6 人（男 5 人，女 1 人，党员 2 人）" in whole
    assert "另属：残疾军人" in whole
    assert "重点关注：旧伤复发" in whole
    assert "因战六级" in whole and "因公九级" in whole
    assert "2003-12" in whole and "自主就业" in whole and "中共预备党员" in squeezed(whole)
    # Pinyin order within a group: 阿明 (a), 李四 (li), 曾国强 (zeng), 张三 (zhang).
    group = whole[whole.index("退役士兵（共"):whole.index("残疾军人（共")]
    order = [group.index(n) for n in ("阿明", "李四", "曾国强", "张三")]
    assert order == sorted(order)


def test_disability_column_only_where_relevant(svc, small, tmp_path):
    out = tmp_path / "r.pdf"
    roster_pdf.print_roster(svc, out, categories=["现役军人家属"])
    assert "伤残等级" not in "".join(pages_text(out))
    roster_pdf.print_roster(svc, out, categories=["disabled_soldier"])
    assert "伤残等级" in "".join(pages_text(out))


def test_categories_by_code_or_name(svc, small, tmp_path):
    out = tmp_path / "r.pdf"
    result = roster_pdf.print_roster(svc, out, categories=["残疾军人", "martyr_family"])
    whole = flat("\n".join(pages_text(out)))
    assert result["persons"] == 2  # 李四 and 赵六
    assert "残疾军人（共 2 人）" in whole and "烈士遗属（共 1 人）" in whole
    assert "退役士兵（共" not in whole
    assert "人员类别：残疾军人、烈士遗属" in whole
    assert small[0]["id_number"] not in whole  # 张三 is in neither group


def test_unknown_category_is_refused_in_chinese(svc, small, tmp_path):
    out = tmp_path / "r.pdf"
    with pytest.raises(ValidationError) as err:
        roster_pdf.print_roster(svc, out, categories=["不存在的类别"])
    assert "没有“不存在的类别”这个人员类别" in err.value.message
    assert "退役士兵" in err.value.hint
    assert not out.exists()


def test_selected_persons(svc, small, tmp_path):
    out = tmp_path / "r.pdf"
    chosen = [small[0]["id"], small[3]["id"]]  # 张三, 赵六
    result = roster_pdf.print_roster(svc, out, person_ids=chosen)
    whole = flat("\n".join(pages_text(out)))
    assert result["persons"] == 2
    assert "退役士兵（共 1 人）" in whole and "残疾军人（共 1 人）" in whole
    assert small[1]["id_number"] not in whole
    svc.delete("person", small[0]["id"])
    with pytest.raises(NotFoundError):
        roster_pdf.print_roster(svc, out, person_ids=chosen)


def test_empty_roster_says_so(svc, tmp_path):
    out = tmp_path / "r.pdf"
    result = roster_pdf.print_roster(svc, out)
    texts = pages_text(out)
    assert result == {"file": str(out), "pages": 1, "persons": 0}
    assert "无：没有符合条件的人员" in texts[0]
    assert_every_page_decorated(texts)


def test_longest_values_are_not_cut_off(svc, tmp_path):
    residence = ("湖北省十堰市茅箭区东沟村" + "第七村民小组幸福路" * 30)[:200]
    reason = ("长期卧床需要护理" * 30)[:200]
    name = "买买提·艾力" + "阿" * 44  # 50 characters, the longest name the form allows
    assert len(residence) == 200 and len(reason) == 200 and len(name) == 50
    add(svc, 111, name, "退役士兵,残疾军人,烈士遗属,现役军人家属,参战参试退役人员",
        residence=residence, key_focus=True, key_focus_reason=reason,
        phone="0719-8123456-123456", phone2="13800138000",
        disability_nature="因战", disability_grade=1)
    out = tmp_path / "r.pdf"
    roster_pdf.print_roster(svc, out)
    whole = squeezed("".join(pages_text(out)))
    assert whole.count(residence) == 5  # once per category, every character there
    assert whole.count(reason) == 5
    assert whole.count(name) >= 5
    assert "0719-8123456-123456" in whole and "13800138000" in whole


@pytest.fixture
def demo_svc(svc):
    generate_demo(svc.store, station_code=svc.station_code, persons=300, seed=3, today=svc.today)
    svc.reload_catalogues()
    return svc


def count_category(svc: Service, code: str) -> tuple[int, int, int, int, list[str]]:
    """(persons, male, female, party members, ID numbers) of a category, from raw SQL."""
    con = sqlite3.connect(svc.store.path)
    try:
        rows = con.execute(
            "SELECT p.sex, p.political_status, p.id_number FROM person p, json_each(p.categories) j "
            "WHERE p.deleted_at IS NULL AND j.value = ?", (code,)).fetchall()
    finally:
        con.close()
    sexes = Counter(r[0] for r in rows)
    return (len(rows), sexes["M"], sexes["F"], sum(r[1] in ("01", "02") for r in rows),
            [r[2] for r in rows])


def test_multi_page_group_repeats_its_header(demo_svc, tmp_path):
    out = tmp_path / "r.pdf"
    result = roster_pdf.print_roster(demo_svc, out, categories=["退役士兵"])
    texts = pages_text(out)
    n, male, female, party, ids = count_category(demo_svc, "retired_soldier")
    assert n > 100 and result["persons"] == n
    assert result["pages"] == len(texts) >= 4
    for i, t in enumerate(texts[:-1], 1):  # the last page may hold only the summary
        for h in HEADER:
            assert h in t, f"header {h} missing on page {i}"
    assert_every_page_decorated(texts, demo_svc.store.meta("station_name"))
    whole = flat("\n".join(texts))
    assert f"退役士兵（共 {n} 人）" in whole
    assert f"小计：{n} 人，其中男 {male} 人、女 {female} 人；党员 {party} 人" in whole
    for number in ids:
        assert number in whole
    # 序号 runs 1..n once each: every person listed exactly once in the group.
    assert whole.count("另属") <= n


def test_every_group_and_the_distinct_total(demo_svc, tmp_path):
    out = tmp_path / "r.pdf"
    result = roster_pdf.print_roster(demo_svc, out)
    whole = flat("\n".join(pages_text(out)))
    cats = demo_svc.catalogues()
    listed = 0
    for entry in cats.entries("person_category"):
        n, male, female, party, _ = count_category(demo_svc, entry.code)
        if n:
            assert f"{entry.name}（共 {n} 人）" in whole
            assert f"小计：{n} 人，其中男 {male} 人、女 {female} 人；党员 {party} 人" in whole
            listed += n
    assert f"各类别合计（人次） {listed}" in whole
    total = demo_svc.count("person")
    assert result["persons"] == total
    assert f"去重总人数：{total} 人" in whole


def test_cancel_writes_no_file(demo_svc, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "r.pdf"
    with pytest.raises(Cancelled, match="已取消打印。"):  # cancelled while pages are laid out
        roster_pdf.print_roster(demo_svc, out, progress=StopAfter(3))
    assert not out.exists()
    assert list(folder.iterdir()) == []  # no .part left behind either
    with pytest.raises(Cancelled):
        roster_pdf.print_roster(demo_svc, out, progress=StopAfter(0))
    assert not out.exists()


def test_progress_reaches_the_end(svc, small, tmp_path):
    progress = Seen()
    roster_pdf.print_roster(svc, tmp_path / "r.pdf", progress=progress)
    seen = progress.seen
    assert seen[0][0] == 0 and seen[-1][0] == seen[-1][1]
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler not installed")
def test_first_page_renders(svc, small, tmp_path):
    out = tmp_path / "r.pdf"
    roster_pdf.print_roster(svc, out)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(out),
                    str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 5000  # a real page with text, not a blank image
