"""Blank forms read back: every field label, all categories, tick boxes, page decoration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from station_desktop.domain import enums
from station_desktop.domain.catalogues import Catalogues
from station_desktop.domain.errors import ValidationError
from station_desktop.reports import forms
from station_desktop.store.fields import FIELDS, PERSON_FIELDS


def pages_text(path: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(path).pages]


def squeezed(s: str) -> str:
    return re.sub(r"\s+", "", s)


def assert_decorated(texts: list[str], title: str) -> None:
    total = len(texts)
    for i, t in enumerate(texts, 1):
        assert "______服务站" in t, f"page {i}"
        assert title in t
        assert f"第 {i} 页 共 {total} 页" in t, f"page {i}"
        assert "打印日期：" in t


def assert_fonts_embedded(path: Path) -> None:
    for i, page in enumerate(PdfReader(path).pages, 1):
        names = [str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()
                 if "/FontFile2" in f.get_object().get("/FontDescriptor", {})]
        assert any("WenQuanYiMicroHei" in n for n in names), f"page {i}"


@pytest.mark.parametrize("kind", ["collection", "信息采集表"])
def test_collection_form(tmp_path, kind):
    out = tmp_path / "采集表.pdf"
    result = forms.print_form(kind, out)
    assert result["file"] == str(out) and result["kind"] == "collection"
    assert result["pages"] == len(PdfReader(out).pages)
    assert 3 <= result["pages"] <= 6
    texts = pages_text(out)
    assert_decorated(texts, "信息采集表")
    assert_fonts_embedded(out)
    flat = squeezed("".join(texts))
    cats = Catalogues.defaults()
    categories = cats.entries("person_category")
    assert len(categories) == 17
    for e in categories:
        assert squeezed(e.name) in flat, e.name
    # every field of a person's file has its box, under the label the program uses
    for name, f in PERSON_FIELDS.items():
        assert squeezed(f.label) in flat, name
    for f in FIELDS["family_member"].values():
        if f.type != "ref" and f.label != "备注":
            assert f.label in flat
    # tick boxes for the short lists
    for s in ("男", "女", "中共党员", "群众", "陆军", "自主就业", "因战", "集中供养"):
        assert s in flat
    assert "签字" in flat


@pytest.mark.parametrize("kind", ["visit", "走访记录表", " VISIT "])
def test_visit_form(tmp_path, kind):
    out = tmp_path / "走访.pdf"
    result = forms.print_form(kind, out)
    assert result["kind"] == "visit" and result["pages"] == 1
    texts = pages_text(out)
    assert_decorated(texts, "走访记录表")
    assert_fonts_embedded(out)
    flat = squeezed("".join(texts))
    for method in ("入户", "电话", "微信", "来站"):
        assert method in flat
    for label in ("被走访人", "走访日期", "走访类型", "走访方式", "走访内容", "诉求/反馈",
                  "慰问金", "慰问物品", "走访人签字", "被走访人签字"):
        assert label in flat, label
    for e in Catalogues.defaults().entries("visit_kind"):
        assert squeezed(e.name) in flat
    for _v, label in enums.Satisfaction.choices():
        assert label in flat
    # several blank records on the page
    assert flat.count("被走访人签字") >= 2


def test_unknown_kind_lists_the_kinds(tmp_path):
    with pytest.raises(ValidationError) as err:
        forms.print_form("roster", tmp_path / "x.pdf")
    msg = err.value.message
    assert "roster" in msg and "collection" in msg and "visit" in msg
    assert "信息采集表" in msg and "走访记录表" in msg
    assert not (tmp_path / "x.pdf").exists()


def test_forms_need_no_station(tmp_path):
    """print_form takes no service: it works before any station is set up."""
    out = tmp_path / "sub" / "v.pdf"
    forms.print_form("visit", out)
    assert out.exists() and not (tmp_path / "sub" / "v.pdf.part").exists()
