"""The 建档立卡手册 read back: cover, sections, records in date order, TOC, files, cancel."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import Cancelled, NotFoundError, ValidationError
from station_desktop.reports import booklet
from station_desktop.services.demo import generate_demo
from station_desktop.services import Service
from tests.conftest import make_id
from tests.reports.progress import Seen, StopAfter

STATION = "东沟村退役军人服务站"
LONG_NOTE = "".join(f"第{i:04d}句：老兵讲述入伍经历与家庭情况，A-{i}。" for i in range(400))[:5000]
LONG_PLACE = ("湖北省十堰市茅箭区东沟村" * 20)[:200]

# Lines every page carries (header and footer), removed before comparing body text.
_DECOR = re.compile(r"^(东沟村退役军人服务站|建档立卡手册|打印日期：.*|第 \d+ 页 共 \d+ 页)$")


def pages_text(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def squeezed(s: str) -> str:
    return re.sub(r"\s+", "", s)


def body(texts: list[str]) -> str:
    """All pages' text without headers and footers, whitespace removed."""
    lines = [ln.strip() for t in texts for ln in t.splitlines()]
    return squeezed("".join(ln for ln in lines if not _DECOR.match(ln)))


def assert_fonts_embedded(path: Path) -> None:
    """Every page with text uses the WenQuanYi subset, embedded as TrueType (FontFile2)."""
    for i, page in enumerate(PdfReader(path).pages, 1):
        if not (page.extract_text() or "").strip():
            continue
        embedded = []
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is not None and "/FontFile2" in desc.get_object():
                embedded.append(str(font["/BaseFont"]))
        assert embedded, f"page {i} has no embedded TrueType font"
        assert all(re.fullmatch(r"/[A-Z]{6}\+WenQuanYiMicroHei.*", n) for n in embedded), embedded


def assert_decorated(texts: list[str]) -> None:
    total = len(texts)
    for i, t in enumerate(texts, 1):
        assert STATION in t, f"page {i}"
        assert f"第 {i} 页 共 {total} 页" in t, f"page {i}"
        assert "打印日期：2026年11月23日" in t, f"page {i}"


@pytest.fixture
def rich(svc: Service) -> dict:
    """A person with every section of the file filled, and records of every kind."""
    p = svc.create("person", {
        "name": "李长征", "id_number": make_id(birth="19560812", seq=131),
        "categories": "退役士兵,残疾军人", "tags": "参战老兵", "phone": "13900139000",
        "political_status": "中共党员", "marital_status": "已婚", "ethnicity": "汉族",
        "education": "初中", "hukou_place": LONG_PLACE, "residence": "东沟村三组12号",
        "key_focus": True, "key_focus_reason": "旧伤复发",
        "enlist_date": "1974-12", "unit": "某部三营", "service_branch": "陆军", "rank": "上等兵",
        "awards": "三等功一次", "discharge_date": "1979-03", "service_years": 4,
        "discharge_mode": "退伍", "resettlement_mode": "复员回乡",
        "employment_status": "务农", "benefit_kinds": "定期抚恤金",
        "disability_nature": "因战", "disability_grade": 6, "disability_cert_no": "鄂军残字第001号",
        "party_joined_on": "1976-07-01", "village_role": "兵支书", "role_rating": "优秀",
        "skills": "木工", "note": LONG_NOTE,
    })
    pid = p["id"]
    svc.create("family_member", {"person_id": pid, "relation": "妻子", "name": "王桂兰",
                                 "phone": "13700137000"})
    svc.create("visit", {"person_id": pid, "kind": "节日慰问", "method": "入户",
                         "visit_date": "2026-02-10", "visitor": "王建国", "content": "春节走访慰问",
                         "money_fen": "500", "gifts": "米面油"})
    svc.create("visit", {"person_id": pid, "kind": "常态化联系", "method": "电话",
                         "visit_date": "2025-06-01", "visitor": "陈有杰", "content": "电话问候"})
    app = svc.create("aid_application", {"person_id": pid, "aid_type": "医疗救助",
                                          "fund": "关爱基金", "cause": "旧伤复发住院",
                                          "applied_on": "2025-09-01", "requested_fen": "3000"})
    for level, who in (("村", "陈有杰"), ("镇", "马辉凯"), ("县", "朱佳艳")):
        svc.review_aid(app["id"], level=level, decision="同意", reviewer=who,
                       opinion=f"{level}级同意", amount_fen=123450)
    svc.pay_aid(app["id"], {"paid_on": "2025-09-20", "amount_fen": "1234.50",
                            "payer": "县退役军人事务局"})
    case = svc.create("dispute_case", {"person_id": pid, "parties": "李长征与邻居",
                                        "registrar": "王建国", "channel": "来访",
                                        "case_type": "邻里纠纷", "registered_on": "2026-03-05",
                                        "deadline": "2026-04-05", "content": "宅基地边界争议"})
    svc.case_action(case["id"], action="调解", handler="王建国", note="双方当面调解",
                    on=svc.today.replace(year=2026, month=3, day=8))
    svc.create("honour", {"person_id": pid, "kind": "光荣牌", "title": "光荣之家",
                          "award_unit": "县退役军人事务局"})
    svc.create("life_event", {"person_id": pid, "kind": "重大疾病住院",
                              "event_date": "2025-08-20", "description": "旧伤复发住院治疗"})
    return p


def test_person_booklet_read_back(svc, rich, tmp_path):
    out = tmp_path / "手册.pdf"
    result = booklet.print_person(svc, rich["id"], out)
    assert result == {"file": str(out), "pages": len(PdfReader(out).pages), "persons": 1}
    assert 4 <= result["pages"] <= 12
    texts = pages_text(out)
    assert_decorated(texts)
    assert_fonts_embedded(out)
    flat = body(texts)
    assert "李长征" in flat and rich["id_number"] in flat
    # nothing is cut off: the 5000-character note and the 200-character place, whole
    assert squeezed(LONG_NOTE) in flat
    assert squeezed(LONG_PLACE) in flat
    assert not (tmp_path / "手册.pdf.part").exists()


def test_cover_then_sections_in_order(svc, rich, tmp_path):
    out = tmp_path / "a.pdf"
    booklet.print_person(svc, rich["id"], out)
    texts = pages_text(out)
    cover = squeezed(texts[0])
    for s in ("建档立卡手册", "退役军人和其他优抚对象", "一寸照片", "李长征", STATION,
              "打印日期2026年11月23日"):
        assert squeezed(s) in cover
    flat = body(texts[1:])
    headings = ["一、基本信息", "家庭成员", "二、服役信息", "退役安置", "三、就业创业",
                "四、抚恤优待", "伤残情况", "五、党员、兵支书与两委任职",
                "六、技能特长、意愿需求与困难", "七、荣誉褒扬", "八、走访慰问"]
    positions = [flat.index(squeezed(h)) for h in headings]
    assert positions == sorted(positions)


def test_values_printed_as_names_labels_and_yuan(svc, rich, tmp_path):
    out = tmp_path / "a.pdf"
    booklet.print_person(svc, rich["id"], out)
    flat = body(pages_text(out))
    # catalogue names, not codes; enum labels; money in yuan; labels from FIELDS
    for s in ("人员类别退役士兵、残疾军人", "政治面貌中共党员", "婚姻状况已婚", "军种陆军",
              "伤残等级六级", "残疾性质因战", "安置方式复员回乡", "军龄4年", "重点关注是",
              "兵支书/两委职务兵支书", "王桂兰", "光荣之家", "慰问金500.00元",
              "申请金额3,000.00元", "1,234.50元"):
        assert s in flat, s
    assert "retired_soldier" not in flat and "disabled" not in flat


def test_records_in_date_order_with_review_path_payments_and_steps(svc, rich, tmp_path):
    out = tmp_path / "a.pdf"
    booklet.print_person(svc, rich["id"], out)
    flat = body(pages_text(out))
    records = flat[flat.index(squeezed("八、走访慰问")):]
    titles = re.findall(r"(\d{4}-\d{2}-\d{2})(走访记录|重大变故|帮扶申请|矛盾纠纷)", records)
    assert [k for _d, k in titles] == ["走访记录", "重大变故", "帮扶申请", "走访记录",
                                       "矛盾纠纷"]
    dates = [d for d, _k in titles]
    assert dates == sorted(dates)
    # the 村 → 镇 → 县 review path, the payment and the case steps
    path = [records.index(n) for n in ("陈有杰", "马辉凯", "朱佳艳")]
    assert path == sorted(path)
    assert "县已审批" in records or "已发放" in records
    assert "县退役军人事务局" in records and "2025-09-20" in records
    assert "调解" in records and "双方当面调解" in records and "登记" in records


def test_empty_sections_print_none(svc, person, tmp_path):
    out = tmp_path / "a.pdf"
    booklet.print_person(svc, person["id"], out)
    texts = pages_text(out)
    flat = body(texts)
    for heading in ("家庭成员", "伤残情况", "烈士情况", "五、党员、兵支书与两委任职",
                    "七、荣誉褒扬", "八、走访慰问、帮扶援助与矛盾纠纷记录（按日期）"):
        i = flat.index(squeezed(heading)) + len(squeezed(heading))
        assert flat[i:i + 1] == "无", heading


def test_unknown_person_is_refused(svc, tmp_path):
    with pytest.raises(NotFoundError):
        booklet.print_person(svc, "00000000-0000-0000-0000-000000000000", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def _toc(texts: list[str]) -> dict[str, int]:
    """The contents at the front → {entry: page}.

    An entry is extracted as its dots, its page number, then its text.
    """
    found: dict[str, int] = {}
    for t in texts:
        entries = re.findall(r"(\d+)\s*\n\s*(\S+（身份证号后四位 \w{4}）)", t)
        if not entries:
            break
        found.update((entry, int(page)) for page, entry in entries)
    return found


@pytest.fixture
def village(svc) -> Service:
    generate_demo(svc.store, station_code=svc.station_code, persons=40, today=svc.today)
    svc.reload_catalogues()
    return svc


def test_booklets_one_pdf_with_contents(village, tmp_path):
    out = tmp_path / "全部.pdf"
    progress = Seen()
    result = booklet.print_booklets(village, out, progress=progress)
    persons = village.list("person")
    assert result["persons"] == len(persons) == 40
    reader = PdfReader(out)
    assert result["pages"] == len(reader.pages) >= 40 * 3
    assert progress.seen[-1] == (40, 40)
    texts = pages_text(out)
    assert_decorated(texts)
    toc = _toc(texts)
    assert len(toc) == 40
    for p in persons:
        entry = booklet.toc_entry(p["name"], p["id_number"])
        page = toc[entry]
        cover = squeezed(texts[page - 1])
        # the number points at that person's cover
        assert squeezed("一寸照片") in cover and p["id_number"] in cover, entry
        assert squeezed(p["name"]) in cover
    pages = sorted(toc.values())
    assert pages[0] == 3  # the contents run over two pages, then the first cover
    assert len(set(pages)) == 40


def test_fonts_embedded_on_every_page_of_many(village, tmp_path):
    out = tmp_path / "b.pdf"
    booklet.print_booklets(village, out, person_ids=[p["id"] for p in village.list("person")[:5]])
    assert_fonts_embedded(out)


def test_category_filter_selects_exactly_that_category(village, tmp_path):
    cats = village.catalogues()
    code = next(e.code for e in cats.entries("person_category") if e.name == "残疾军人")
    wanted = {p["id_number"] for p in village.list("person") if code in p["categories"]}
    assert wanted
    for spelling in ("残疾军人", code):
        out = tmp_path / f"{spelling}.pdf"
        result = booklet.print_booklets(village, out, categories=[spelling])
        assert result["persons"] == len(wanted)
        toc = _toc(pages_text(out))
        assert {e.split("（")[0] for e in toc} == {p["name"] for p in village.list("person")
                                                  if code in p["categories"]}
        assert len(toc) == len(wanted)


def test_unknown_category_is_refused_in_chinese(village, tmp_path):
    with pytest.raises(ValidationError) as err:
        booklet.print_booklets(village, tmp_path / "x.pdf", categories=["外星人"])
    assert "外星人" in err.value.message and "人员类别" in err.value.message
    assert "退役士兵" in (err.value.hint or "")
    assert not (tmp_path / "x.pdf").exists()


def test_selection_keeps_only_the_chosen(village, tmp_path):
    chosen = village.list("person")[:3]
    out = tmp_path / "sel.pdf"
    result = booklet.print_booklets(village, out, person_ids=[p["id"] for p in chosen])
    assert result["persons"] == 3
    assert set(_toc(pages_text(out))) == {booklet.toc_entry(p["name"], p["id_number"])
                                          for p in chosen}


def test_one_file_each(village, tmp_path):
    folder = tmp_path / "每人"
    chosen = village.list("person")[:4]
    result = booklet.print_booklets(village, folder, person_ids=[p["id"] for p in chosen],
                                    one_file_each=True)
    assert result["folder"] == str(folder) and result["files"] == 4
    files = sorted(folder.iterdir())
    assert len(files) == 4 and all(f.suffix == ".pdf" for f in files)
    for p in chosen:
        f = folder / booklet.safe_file_name(p["name"], p["id_number"])
        assert f.exists()
        text = squeezed("".join(pages_text(f)))
        assert p["id_number"] in text


def test_file_names_carry_no_path_characters(svc, tmp_path):
    assert booklet.safe_file_name("张三", "42030319850301123X") == "张三-123X.pdf"
    for bad in ("../../etc/passwd", "a/b\\c:d*e?f\"g<h>i|j", "..", "   ", "\x00\x07"):
        name = booklet.safe_file_name(bad, "420303198503011235")
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert re.fullmatch(r'[^\\/:*?"<>|\x00-\x1f]+-1235\.pdf', name), name
    # a name that the data allows but a path would misread still lands in the folder
    p = svc.create("person", {"name": "王/五..", "id_number": make_id(seq=155),
                              "categories": "退役士兵"})
    folder = tmp_path / "out"
    booklet.print_booklets(svc, folder, person_ids=[p["id"]], one_file_each=True)
    [only] = list(folder.iterdir())
    assert only.parent == folder and only.name.endswith("-" + p["id_number"][-4:] + ".pdf")


def test_cancel_writes_nothing(village, rich, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Cancelled, match="已取消打印。"):
        booklet.print_person(village, rich["id"], out / "p.pdf", progress=StopAfter(0))
    with pytest.raises(Cancelled):  # cancelled once a few persons are laid out
        booklet.print_booklets(village, out / "all.pdf", progress=StopAfter(5))
    with pytest.raises(Cancelled):
        booklet.print_booklets(village, out / "each", one_file_each=True, progress=StopAfter(5))
    assert list(out.iterdir()) == []


def test_print_date_and_station_on_every_page(svc, rich, tmp_path):
    out = tmp_path / "a.pdf"
    booklet.print_person(svc, rich["id"], out)
    for t in pages_text(out):
        assert STATION in t and "建档立卡手册" in t


def test_catalogue_names_come_from_the_station_catalogue(svc, rich, tmp_path):
    """A county renames a category: the booklet prints the station's name for it."""
    from station_desktop.store import models as m

    with svc.store.write(None) as s:
        item = s.query(m.CatalogueItem).filter_by(kind="person_category",
                                                  code=rich["categories"][0]).one()
        item.name = "退役士兵（县定名称）"
    svc.reload_catalogues()
    out = tmp_path / "a.pdf"
    booklet.print_person(svc, rich["id"], out)
    assert "退役士兵（县定名称）" in body(pages_text(out))
    assert Catalogues.defaults().name("person_category", rich["categories"][0]) == "退役士兵"


# --- a page rendered to an image --------------------------------------------------------


def _png_samples(png: bytes) -> tuple[int, int, bytes]:
    """Width, height and samples of an 8-bit gray or RGB PNG (a tiny decoder, enough here)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 1
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _c, _f, interlace = struct.unpack(">IIBBBBB", data)
            assert depth == 8 and color in (0, 2) and interlace == 0
            bpp = 1 if color == 0 else 3
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    out = bytearray()
    prev = bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        f, cur = line[0], bytearray(line[1:])
        for x in range(stride):
            a = cur[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            if f == 1:
                cur[x] = (cur[x] + a) & 255
            elif f == 2:
                cur[x] = (cur[x] + b) & 255
            elif f == 3:
                cur[x] = (cur[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (cur[x] + pred) & 255
        out += cur
        prev = cur
    return width, height, bytes(out)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler's pdftoppm is not installed")
def test_a_page_renders_to_an_image(svc, rich, tmp_path):
    out = tmp_path / "a.pdf"
    booklet.print_person(svc, rich["id"], out)
    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "40", "-f", "2", "-l", "2", str(out),
                    str(tmp_path / "page")], check=True)
    [png] = list(tmp_path.glob("page*.png"))
    width, height, pixels = _png_samples(png.read_bytes())
    assert width > 250 and height > 350  # A4 at 40 dpi: 331 × 468
    dark = sum(1 for v in pixels if v < 128)
    assert dark / len(pixels) > 0.01  # text and ruled tables, not a blank page
    assert sum(1 for v in pixels if v > 200) / len(pixels) > 0.5  # and mostly paper


def test_every_field_at_its_longest_is_printed_whole(svc, tmp_path):
    """Each text field at the longest the forms allow: laid out, nothing cut off."""
    from station_desktop.store.fields import PERSON_FIELDS

    def filler(tag: str, n: int) -> str:
        return (tag + "".join(f"{i % 10}字" for i in range(n)))[:n]

    texts = {name: filler(name[:3].upper(), f.max_len) for name, f in PERSON_FIELDS.items()
             if f.type == "text" and name != "name"}
    texts["hukou_type"] = "农业"
    texts["role_rating"] = "优秀"
    p = svc.create("person", {"name": "长" * 50, "id_number": make_id(seq=171),
                              "categories": "退役士兵", **texts})
    long = {"family": filler("FAM", 5000), "visit": filler("VIS", 5000),
            "needs": filler("NEE", 5000), "case": filler("CAS", 5000),
            "step": filler("STE", 5000), "honour": filler("HON", 5000),
            "gifts": filler("GIF", 200), "parties": filler("PAR", 200)}
    svc.create("family_member", {"person_id": p["id"], "relation": "儿子", "name": "甲",
                                 "note": long["family"]})
    svc.create("visit", {"person_id": p["id"], "kind": "常态化联系", "method": "入户",
                         "visit_date": "2026-01-02", "visitor": "乙", "content": long["visit"],
                         "needs": long["needs"], "gifts": long["gifts"]})
    case = svc.create("dispute_case", {"person_id": p["id"], "parties": long["parties"],
                                        "registrar": "丙", "channel": "来访", "case_type": "其他",
                                        "registered_on": "2026-02-01", "deadline": "2026-03-01",
                                        "content": long["case"]})
    svc.case_action(case["id"], action="调解", handler="丙", note=long["step"])
    svc.create("honour", {"person_id": p["id"], "kind": "喜报", "title": "三等功喜报",
                          "feedback": long["honour"]})
    out = tmp_path / "long.pdf"
    result = booklet.print_person(svc, p["id"], out)
    assert result["pages"] >= 10
    pages = pages_text(out)
    assert_decorated(pages)
    flat = body(pages)
    for name, value in [*texts.items(), *long.items()]:
        assert squeezed(value) in flat, name
