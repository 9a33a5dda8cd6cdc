from __future__ import annotations

from dataclasses import replace

import pytest

from station_desktop.domain.catalogues import (
    KIND_LABELS,
    CatalogueEntry,
    Catalogues,
    catalogue_to_json,
    entries_from_json,
)
from station_desktop.domain.errors import ValidationError

CAT = Catalogues.defaults()


def test_defaults_are_loaded_once_and_have_every_kind() -> None:
    assert Catalogues.defaults() is CAT
    assert CAT.kinds() == list(KIND_LABELS)


def test_seventeen_person_categories() -> None:
    names = [e.name for e in CAT.entries("person_category")]
    assert len(names) == 17
    assert names[0] == "军队转业干部"
    assert "年满60周岁农村籍退役士兵" in names
    assert "烈士老年子女" in names


def test_priority_categories_get_a_quarterly_contact() -> None:
    priority = {e.name for e in CAT.entries("person_category") if e.data["priority"]}
    assert priority == {
        "退伍红军老战士",
        "残疾军人",
        "烈士遗属",
        "因公牺牲军人遗属",
        "病故军人遗属",
        "参战参试退役人员",
    }
    for entry in CAT.entries("person_category"):
        assert entry.data["contact_interval_days"] == (90 if entry.data["priority"] else 180)
        assert entry.data["group"] in {"退役军人", "优抚对象", "其他"}


def test_ethnicities_follow_gb_3304() -> None:
    entries = CAT.entries("ethnicity")
    assert len(entries) == 56
    assert (entries[0].code, entries[0].name) == ("01", "汉族")
    assert (entries[-1].code, entries[-1].name) == ("56", "基诺族")
    assert CAT.name("ethnicity", "05") == "维吾尔族"


def test_default_cross_references_resolve() -> None:
    for event in CAT.entries("life_event"):
        assert CAT.get("visit_kind", event.data["visit_kind"])
        assert event.data["visit_within_days"] > 0
    assert CAT.get("life_event", "death").data["visit_within_days"] == 3
    for aid_type in CAT.entries("aid_type"):
        assert CAT.get("aid_fund", aid_type.data["default_fund"])


def test_default_names_and_aliases_are_unambiguous_within_a_kind() -> None:
    for kind in CAT.kinds():
        words = [w for e in CAT.entries(kind) for w in (e.name, *e.data.get("aliases", ()))]
        assert len(words) == len(set(words)), kind
        for word in words:
            assert CAT.name(kind, CAT.resolve(kind, word))


@pytest.mark.parametrize(
    ("kind", "text", "code"),
    [
        ("person_category", "martyr_family", "martyr_family"),
        ("person_category", "烈士遗属", "martyr_family"),
        ("person_category", "烈属", "martyr_family"),
        ("person_category", " 残疾军人 ", "disabled_soldier"),
        ("visit_kind", "六必访", "major_event"),
        ("holiday", "八一", "army_day"),
        ("ethnicity", "蒙古", "02"),
        ("education", "中专", "secondary_vocational"),
    ],
)
def test_resolve(kind: str, text: str, code: str) -> None:
    assert CAT.resolve(kind, text) == code


def test_unknown_entry_is_refused_in_chinese() -> None:
    with pytest.raises(ValidationError) as info:
        CAT.resolve("person_category", "外星人")
    assert info.value.field == "person_category"
    assert info.value.message == "未知的人员类别：外星人，请在设置→目录中查看可选项"
    with pytest.raises(ValidationError, match="未知的走访类型：nope"):
        CAT.get("visit_kind", "nope")


def test_name_of_unknown_code_is_the_code() -> None:
    assert CAT.name("person_category", "retired_soldier") == "退役士兵"
    assert CAT.name("person_category", "old_code") == "old_code"


def _with(*entries: CatalogueEntry) -> Catalogues:
    return Catalogues([*CAT.all_entries(), *entries])


def test_inactive_entries_are_hidden_but_still_named() -> None:
    cat = _with(CatalogueEntry("case_type", "retired", "旧类型", sort=5, active=False))
    assert "retired" not in [e.code for e in cat.entries("case_type")]
    assert cat.entries("case_type", active_only=False)[0].code == "retired"
    assert cat.name("case_type", "retired") == "旧类型"
    assert cat.get("case_type", "retired", active_only=False).name == "旧类型"
    with pytest.raises(ValidationError, match="纠纷类型“旧类型”已停用"):
        cat.get("case_type", "retired")
    with pytest.raises(ValidationError, match="已停用"):
        cat.resolve("case_type", "旧类型")


def test_entries_sorted_by_sort_then_code() -> None:
    cat = Catalogues(
        [
            CatalogueEntry("tag", "b", "乙", sort=1),
            CatalogueEntry("tag", "a", "甲", sort=2),
            CatalogueEntry("tag", "c", "丙", sort=1),
        ]
    )
    assert [e.code for e in cat.entries("tag")] == ["b", "c", "a"]
    assert cat.entries("no_such_kind") == []


def test_duplicate_codes_are_refused() -> None:
    with pytest.raises(ValidationError, match="代码“a”重复"):
        Catalogues([CatalogueEntry("tag", "a", "甲"), CatalogueEntry("tag", "a", "乙")])


def test_entry_data_is_read_only() -> None:
    entry = CAT.get("settings", "rules")
    with pytest.raises(TypeError):
        entry.data["age_priority"] = 60  # type: ignore[index]
    assert entry.data["age_priority"] == 70


def test_json_round_trip_keeps_everything() -> None:
    extra = CatalogueEntry("custom_kind", "x", "自定义", sort=3, active=False, data={"n": [1, 2]})
    cat = _with(extra, replace(CAT.get("tag", "volunteer"), code="volunteer2", name="志愿者2"))
    back = entries_from_json(catalogue_to_json(cat))
    assert back == cat.all_entries()
    assert Catalogues(back).kinds()[-1] == "custom_kind"


def test_minimal_json_entries_get_defaults() -> None:
    (entry,) = entries_from_json('{"format": 1, "kinds": {"tag": [{"code": "a", "name": "甲"}]}}')
    assert entry == CatalogueEntry("tag", "a", "甲", sort=0, active=True, data={})


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": 2, "kinds": {}}',
        '{"format": 1, "kinds": {"tag": [{"code": "a"}]}}',
        '{"format": 1, "kinds": {"tag": [{"code": "a", "name": "甲", "data": 5}]}}',
    ],
)
def test_bad_json_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="目录文件格式不对") as info:
        entries_from_json(text)
    assert info.value.field == "catalogues"
