"""Search: name fragments, pinyin, initials, ID and phone tails, over a real SQLite file."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from station_desktop.services import open_store
from station_desktop.store.models import Person, new_id, utc_now
from station_desktop.services.search_index import rebuild_index, search
from station_desktop.store.search import KeyKind, SearchHit, person_keys, refresh_index

STATION = "420303100201"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(seq: int, birth: str = "19850301", region: str = "420303") -> str:
    """A valid 18-digit ID number: GB 11643 check character over the first 17."""
    first17 = f"{region}{birth}{seq % 1000:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_with_check(check: str) -> str:
    """A valid ID number whose check character is ``check``."""
    for seq in range(1000):
        n = id_number(seq, birth="19700101")
        if n[-1] == check:
            return n
    raise AssertionError(check)


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "data")
    yield s
    s.close()


def add(store, name: str, idn: str, phone: str | None = None, phone2: str | None = None) -> str:
    """Insert through the ORM, in a normal write unit."""
    p = Person(station_code=STATION, name=name, id_number=idn, sex="M",
               birth_date=date(1985, 3, 1), registered_on=date(2026, 1, 1),
               phone=phone, phone2=phone2)
    with store.write(None) as s:
        s.add(p)
    return p.id


def add_raw(store, rows: list[tuple[str, str, str | None]]) -> list[str]:
    """Insert through a raw sqlite3 executemany, the bulk-import path."""
    ids = [new_id() for _ in rows]
    now = utc_now()
    with store.raw_write() as con:
        con.executemany(
            "INSERT INTO person (id, station_code, created_at, updated_at, name, id_number, sex, "
            "birth_date, categories, tags, key_focus, registered_on, re_enlisted, "
            "zero_employment_family, benefit_kinds, lone_elder_or_orphan, phone) "
            "VALUES (?, ?, ?, ?, ?, ?, 'F', '1990-05-05', '[]', '[]', 0, '2026-01-01', 0, 0, "
            "'[]', 0, ?)",
            [(pid, STATION, now, now, name, idn, phone)
             for pid, (name, idn, phone) in zip(ids, rows, strict=True)],
        )
    return ids


def names(hits: list[SearchHit]) -> list[str]:
    return [h.name for h in hits]


def ids(hits: list[SearchHit]) -> list[str]:
    return [h.person_id for h in hits]


@pytest.fixture
def people(store) -> dict[str, str]:
    out = {
        "张三丰": add(store, "张三丰", id_number(1), "13800138000"),
        "李明": add(store, "李明", id_number(2), "13912345678"),
        "王小明": add(store, "王小明", id_number(3)),
    }
    raw = add_raw(store, [("曾国华", id_number(4), "15071234567"),
                          ("单雄信", id_number(5), None),
                          ("张三", id_number(6), None)])
    out.update(zip(["曾国华", "单雄信", "张三"], raw, strict=True))
    return out


@pytest.mark.parametrize("query", ["张", "三丰", "张三丰", "zhangsan", "sanfeng", "zsf", "zs",
                                   "zhangsanfeng", "ZSF", "张三丰 ", "ｚｓｆ"])
def test_zhang_san_feng_is_found(store, people, query):
    assert people["张三丰"] in ids(search(store, query))


@pytest.mark.parametrize("query", ["李明", "明", "lm", "liming", "ming"])
def test_two_character_name(store, people, query):
    assert people["李明"] in ids(search(store, query))


def test_what_matched_is_named(store, people):
    assert search(store, "张三丰")[0].matched == "姓名"
    assert search(store, "sanfeng")[0].matched == "拼音"
    assert search(store, "zsf")[0].matched == "首字母"
    assert search(store, id_number(1)[-4:])[0].matched == "身份证号"
    assert search(store, "5678")[0].matched == "电话"


def test_id_tail_and_head(store, people):
    idn = id_number(2)
    for q in (idn[-4:], idn[-6:], idn, idn[:10]):
        assert people["李明"] in ids(search(store, q)), q
    hit = next(h for h in search(store, idn[-6:]) if h.person_id == people["李明"])
    assert hit.id_number == idn and hit.matched == "身份证号"


def test_id_tail_with_x(store):
    idn = id_with_check("X")
    pid = add(store, "赵刚", idn)
    assert pid in ids(search(store, idn[-4:].lower()))
    assert pid in ids(search(store, idn[-4:]))
    assert pid in ids(search(store, idn[-6:].lower()))
    assert pid in ids(search(store, idn.lower()))


def test_phone_tail_and_prefix(store, people):
    assert people["李明"] in ids(search(store, "5678"))
    assert people["李明"] in ids(search(store, "345678"))
    assert people["李明"] in ids(search(store, "1391234"))
    hit = search(store, "34567")[0]
    assert (hit.name, hit.phone, hit.matched) == ("曾国华", "15071234567", "电话")
    assert people["张三丰"] in ids(search(store, "8000"))
    assert search(store, "0000") == []


def test_second_phone_and_landline(store):
    pid = add(store, "钱多", id_number(30), "0719-8123456", "13655558888")
    hit = next(h for h in search(store, "8888") if h.person_id == pid)
    assert hit.phone == "13655558888"
    assert pid in ids(search(store, "3456"))
    assert pid in ids(search(store, "07198123"))


def test_ranking_exact_before_substring_and_name_before_id(store, people):
    hits = search(store, "张三")
    assert names(hits)[:2] == ["张三", "张三丰"]
    assert hits[0].score > hits[1].score
    assert names(search(store, "明"))[:2] == ["李明", "王小明"]
    # A name (here one holding digits, as imported test data may) ranks above an ID match.
    digits = id_number(1)[-4:]
    other = add(store, f"测试{digits}", id_number(40))
    hits = search(store, digits)
    assert ids(hits)[:2] == [other, people["张三丰"]]
    assert [h.matched for h in hits[:2]] == ["姓名", "身份证号"]
    assert search(store, "zs")[0].name == "张三"  # exact initials before a prefix


def test_edited_name_is_found_by_the_new_name_only(store, people):
    pid = people["张三丰"]
    with store.write(None) as s:
        s.get(Person, pid).name = "张无忌"
    assert pid in ids(search(store, "无忌"))
    assert pid in ids(search(store, "zwj"))
    assert pid not in ids(search(store, "三丰"))
    assert pid not in ids(search(store, "zsf"))
    # A raw UPDATE takes the trigger path too.
    with store.raw_write() as con:
        con.execute("UPDATE person SET phone = '18677776666' WHERE id = ?", (pid,))
    assert pid in ids(search(store, "6666"))
    assert pid not in ids(search(store, "8000"))


def test_tombstone_hides_and_restore_brings_back(store, people):
    pid = people["李明"]
    with store.write(None) as s:
        s.get(Person, pid).deleted_at = utc_now()
    assert pid not in ids(search(store, "李明"))
    assert pid not in ids(search(store, "5678"))
    assert pid in ids(search(store, "李明", include_deleted=True))
    assert pid in ids(search(store, "lm", include_deleted=True))
    with store.raw_write() as con:
        con.execute("UPDATE person SET deleted_at = NULL WHERE id = ?", (pid,))
    assert pid in ids(search(store, "李明"))
    assert pid in ids(search(store, "5678"))


def test_no_keys_for_tombstoned_persons(store, people):
    with store.raw_write() as con:
        con.execute("UPDATE person SET deleted_at = ? WHERE id = ?", (utc_now(), people["张三"]))
        refresh_index(con)
        n = con.execute("SELECT count(*) FROM search_key WHERE person_id = ?",
                        (people["张三"],)).fetchone()[0]
        pending = con.execute("SELECT count(*) FROM search_pending").fetchone()[0]
    assert (n, pending) == (0, 0)


@pytest.mark.parametrize(("name", "query"), [
    ("曾国华", "zengguohua"), ("曾国华", "zgh"), ("曾国华", "cengguohua"),
    ("单雄信", "shanxiongxin"), ("单雄信", "sxx"), ("单雄信", "danxiongxin"),
])
def test_polyphonic_surnames(store, people, name, query):
    assert people[name] in ids(search(store, query))


def test_special_names(store):
    uyghur = add(store, "买买提·艾力", id_number(50))
    lv = add(store, "吕布", id_number(51))
    latin = add(store, "Anna李", id_number(52))
    assert uyghur in ids(search(store, "买买提艾力"))
    assert uyghur in ids(search(store, "艾力"))
    assert uyghur in ids(search(store, "买买提·艾力"))
    assert uyghur in ids(search(store, "提·艾"))
    assert lv in ids(search(store, "lvbu"))
    assert lv in ids(search(store, "lubu"))
    assert latin in ids(search(store, "anna"))
    assert latin in ids(search(store, "al"))


def test_long_name_query_beyond_the_longest_gram(store):
    pid = add(store, "阿卜杜热合曼", id_number(60))
    assert pid in ids(search(store, "阿卜杜热合曼"))
    assert pid in ids(search(store, "卜杜热合曼"))
    assert pid not in ids(search(store, "卜杜热合甲"))


def test_empty_and_too_short_queries(store, people):
    assert search(store, "") == []
    assert search(store, "   ") == []
    assert search(store, "z") == []
    assert search(store, "12") == []


def test_mixed_chinese_and_pinyin(store, people):
    assert people["张三丰"] in ids(search(store, "张san"))


def test_person_keys_is_pure_and_complete():
    keys = person_keys("张三丰", "42030319850301123X", "138 0013 8000", None)
    assert keys == person_keys("张三丰", "42030319850301123X", "138 0013 8000", None)
    kinds = {kind for _, kind in keys}
    assert {KeyKind.NAME_GRAM, KeyKind.PINYIN, KeyKind.INITIALS, KeyKind.PINYIN_INNER,
            KeyKind.INITIALS_INNER, KeyKind.ID_TAIL, KeyKind.ID_HEAD, KeyKind.PHONE_TAIL,
            KeyKind.PHONE_HEAD} == kinds
    grams = {k.split("\x01")[0] for k, kind in keys if kind == KeyKind.NAME_GRAM}
    assert grams == {"张", "三", "丰", "张三", "三丰", "张三丰"}
    assert ("阿卜杜热合曼", KeyKind.NAME_EXACT) in person_keys("阿卜杜热合曼", "", None, None)
    assert ("x32110305891303024", KeyKind.ID_TAIL) in keys
    assert ("00083100831", KeyKind.PHONE_TAIL) in keys
    assert any(k.startswith("zsf\x01") and kind == KeyKind.INITIALS for k, kind in keys)
    # 1-letter inner initials are not keys; 1-letter full initials are.
    assert not any(k.startswith("f\x01") for k, _ in keys)
    assert any(k.startswith("l\x01") for k, _ in person_keys("李", "", None, None))


def test_refresh_accepts_sqlalchemy_connection_and_rebuild(store, people):
    with store.engine.begin() as conn:
        conn.execute(text("INSERT OR IGNORE INTO search_pending (person_id) SELECT id FROM person"))
        assert refresh_index(conn) == len(people)
        assert conn.execute(text("SELECT count(*) FROM search_pending")).scalar_one() == 0
    with store.read() as s:
        before = s.execute(text("SELECT count(*) FROM search_key")).scalar_one()
    assert rebuild_index(store) == len(people)
    with store.read() as s:
        after = s.execute(text("SELECT count(*) FROM search_key")).scalar_one()
    assert before == after > 0
    assert people["李明"] in ids(search(store, "lm"))


def test_the_index_is_written_only_inside_a_write_transaction(store, people):
    """The store's helper never opens (or autocommits) its own: services.search_index does."""
    import sqlite3

    con = sqlite3.connect(store.path, isolation_level=None)
    try:
        with pytest.raises(RuntimeError):
            refresh_index(con)
        assert con.execute("SELECT count(*) FROM search_key").fetchone()[0] == 0
    finally:
        con.close()


def test_find_reads_only_and_search_refreshes_first(store, people):
    from station_desktop.store.search import find

    assert find(store, "zsf") == []  # nobody indexed yet: find does not write
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM search_pending")).scalar_one() == len(people)
    assert people["张三丰"] in ids(search(store, "zsf"))
    with store.read() as s:
        assert s.execute(text("SELECT count(*) FROM search_pending")).scalar_one() == 0


def test_limit_and_dedupe(store, people):
    hits = search(store, "张", limit=1)
    assert len(hits) == 1 and hits[0].name == "张三"
    hits = search(store, "zhangsan")
    assert len(ids(hits)) == len(set(ids(hits)))


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"


def test_hundred_persons_expected_top_hit(store):
    rng = random.Random(7)
    rows = []
    seen: set[str] = set()
    while len(rows) < 100:
        name = rng.choice(SURNAMES) + "".join(
            rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name in seen or name == "欧阳修":
            continue
        seen.add(name)
        phone = f"13{rng.randrange(10**9):09d}"
        rows.append((name, id_number(len(rows) + 100, birth=f"19{60 + len(rows) % 30}0101"),
                     phone))
    pids = add_raw(store, rows)
    target = add(store, "欧阳修", id_number(999, birth="19500101"), "18912340001")
    assert search(store, "欧阳修")[0].person_id == target
    assert search(store, "oyx")[0].person_id == target
    assert search(store, "ouyangxiu")[0].person_id == target
    assert search(store, "0001")[0].person_id == target
    for (name, idn, phone), pid in zip(rows, pids, strict=True):
        assert search(store, name)[0].person_id == pid
        assert search(store, idn[-6:])[0].person_id == pid
        assert pid in ids(search(store, phone[-6:]))
    # Every hit for a one-character query really contains it; exact names come first.
    for h in search(store, "王", limit=100):
        assert "王" in h.name
    with store.read() as s:
        assert s.scalar(select(Person.id).where(Person.name == "欧阳修")) == target


def all_keys(store) -> set[tuple[str, str, int]]:
    with store.read() as s:
        return {tuple(r) for r in s.execute(text("SELECT key, person_id, kind FROM search_key"))}


def test_incremental_refresh_leaves_no_stale_keys(store, people):
    search(store, "张")  # index everyone
    with store.write(None) as s:
        p = s.get(Person, people["张三丰"])
        p.name, p.phone, p.phone2 = "欧阳锋", "13711112222", "0719-8123456"
        s.get(Person, people["李明"]).deleted_at = utc_now()
    search(store, "欧阳")
    with store.raw_write() as con:
        con.execute("UPDATE person SET name = '曾明', phone = NULL WHERE id = ?",
                    (people["张三丰"],))
        con.execute("UPDATE person SET deleted_at = NULL, id_number = ? WHERE id = ?",
                    (id_with_check("X"), people["李明"]))
        con.execute("UPDATE person SET deleted_at = ? WHERE id = ?", (utc_now(), people["张三"]))
        refresh_index(con)
    incremental = all_keys(store)
    rebuild_index(store)
    assert all_keys(store) == incremental
    assert not any(pid == people["张三"] for _, pid, _ in incremental)


def test_new_key_layout_rebuilds_itself(store, people):
    search(store, "张")
    with store.raw_write() as con:
        con.execute("UPDATE meta SET value = 'old layout' WHERE key = 'search_index_version'")
        con.execute("INSERT INTO search_key VALUES ('张', 'stale-person', 2)")
    assert people["张三"] in ids(search(store, "张"))
    assert not any(pid == "stale-person" for _, pid, _ in all_keys(store))
