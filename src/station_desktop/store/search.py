"""Search a cadre can use: name fragments, pinyin, ID-number and phone fragments.

One query box finds a person by any part of the name (张三丰 ← 张, 三丰), by
full pinyin from any syllable (zhangsan, sanfeng), by pinyin initials (zsf,
zs), by the tail or head of the ID number (the last 4–6 digits are what
people say aloud) and by the tail or head of a phone number.

How it stays fast over 100 000 persons
--------------------------------------
Every person's keys are precomputed into ``search_key (key, person_id,
kind)`` and every lookup is a range seek on its primary-key index
(``key >= :lo AND key < :hi``), never a ``LIKE '%x%'`` scan and never FTS
trigram (which misses two-character names). Key layouts, by :class:`KeyKind`:

========================  ==============================================
NAME_GRAM                 every substring of 1–4 characters, then SEP,
                          ``0`` (at the start of the name) or ``1``, RANK;
                          the whole name is the ``0`` gram whose RANK
                          length equals its own
NAME_EXACT                the whole name, for names longer than 4
PINYIN / PINYIN_INNER     toneless pinyin from the first / a later
                          syllable, then SEP, RANK
INITIALS / INITIALS_INNER initials from the first syllable (even one
                          letter) / a later one (two letters or more),
                          then SEP, RANK
ID_TAIL / PHONE_TAIL      the number reversed, so a tail is a prefix
ID_HEAD / PHONE_HEAD      a tag character, then the number
SNAPSHOT                  a tag, the person id, SEP and the indexed
                          values (name, ID, phones): what the keys were
                          computed from
========================  ==============================================

``SEP`` (U+0001) sorts below every character a name or pinyin holds, so
``[text + SEP, text + U+0002)`` holds the keys whose text *equals* ``text``
and ``[text + U+0002, text + U+10FFFF)`` those that merely start with it.
``RANK`` is the name length digit and the name's pinyin, so an equality range
comes out of the index already in display order (shorter names first, then
pinyin order) and a query for a common character such as 张 reads only as
many index entries as it shows. Prefix ranges are read up to a fixed cap and
ordered in Python.

Keeping the index current
-------------------------
Triggers (:func:`install_search_triggers`) queue a person in
``search_pending`` on every write path. :func:`refresh_index` recomputes the
keys of the queued persons; the SNAPSHOT row tells it exactly which keys a
person had, so stale keys are removed by primary key without an index on
``person_id``. Tombstoned persons have no keys. The index records the key
layout version and the pypinyin version in ``meta``; when either changes the
whole index is rebuilt at the next refresh. The refresh writes, so it runs
in a transaction that ``services.search_index`` opens: :func:`find` here only
reads, and ``services.search_index.search`` refreshes the index before it.
"""

from __future__ import annotations

import gc
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from functools import cache, lru_cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from itertools import islice, product
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from station_desktop.store.db import Store

# Columns whose change makes a person's search keys stale.
_SEARCHED_COLUMNS = ("name", "id_number", "phone", "phone2", "deleted_at")


# Not "INSERT OR IGNORE": an outer statement's conflict policy (an upsert,
# INSERT OR REPLACE) overrides the one inside a trigger, so test explicitly.
_QUEUE = (
    "INSERT INTO search_pending (person_id) SELECT NEW.id WHERE NOT EXISTS "
    "(SELECT 1 FROM search_pending WHERE person_id = NEW.id); END"
)


def install_search_triggers(conn: Connection) -> None:
    """Queue a person for re-indexing whenever a searched column changes, on any write path."""
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS search_person_insert")
    conn.exec_driver_sql("DROP TRIGGER IF EXISTS search_person_update")
    conn.exec_driver_sql(
        "CREATE TRIGGER search_person_insert AFTER INSERT ON person BEGIN "
        + _QUEUE
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER search_person_update AFTER UPDATE OF "
        + ", ".join(_SEARCHED_COLUMNS)
        + " ON person BEGIN "
        + _QUEUE
    )


# --- keys --------------------------------------------------------------------


class KeyKind(IntEnum):
    SNAPSHOT = 0
    NAME_EXACT = 1
    NAME_GRAM = 2
    PINYIN = 3
    PINYIN_INNER = 4
    INITIALS = 5
    INITIALS_INNER = 6
    ID_TAIL = 7
    ID_HEAD = 8
    PHONE_TAIL = 9
    PHONE_HEAD = 10


SEP = "\x01"
_SEP_NEXT = "\x02"
_MAX = "\U0010ffff"
_ID_HEAD_TAG = "\x1b"
_PHONE_HEAD_TAG = "\x1c"
_SNAPSHOT_TAG = "\x1d"

MAX_GRAM = 4  # longer name queries are matched through their first 4 characters
_RANK_PINYIN = 12  # letters of pinyin kept in a key's rank suffix

# Bump when person_keys() changes the keys it makes: the index then rebuilds itself.
_KEY_LAYOUT = 1
# The pypinyin version is read from its metadata: importing pypinyin loads its
# phrase dictionary (0.2 s), which only indexing needs, never start-up.
def _pypinyin_version() -> str:
    try:
        return _dist_version("pypinyin")
    except PackageNotFoundError:  # a frozen program without the package metadata
        import pypinyin

        return str(pypinyin.__version__)


INDEX_VERSION = f"{_KEY_LAYOUT}/pypinyin-{_pypinyin_version()}"
_META_VERSION = "search_index_version"

# Surnames read differently from their everyday reading (多音字姓氏). Both the
# surname reading and pypinyin's plain reading are indexed, so either works.
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",),
    "查": ("zha",), "朴": ("piao",), "乐": ("yue",), "覃": ("qin",), "翟": ("zhai",),
    "缪": ("miao",), "盖": ("ge",), "尉": ("wei",), "种": ("chong",), "秘": ("bi",),
    "召": ("shao",), "冼": ("xian",), "员": ("yun",), "句": ("gou",), "繁": ("po",),
    "折": ("she",), "粘": ("nian",), "宿": ("su",), "都": ("du",), "藏": ("zang",),
    "长": ("chang",), "柏": ("bai",), "华": ("hua",), "任": ("ren",), "沈": ("shen",),
    "车": ("che",), "薄": ("bo",), "纪": ("ji",), "尹": ("yin",), "贲": ("ben",),
    "隗": ("wei",), "郇": ("huan",), "眭": ("sui",), "阚": ("kan",), "过": ("guo",),
    # compound surnames
    "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"), "长孙": ("zhang", "sun"),
    "单于": ("chan", "yu"), "澹台": ("tan", "tai"), "令狐": ("ling", "hu"),
    "欧阳": ("ou", "yang"), "司马": ("si", "ma"), "上官": ("shang", "guan"),
    "皇甫": ("huang", "fu"), "夏侯": ("xia", "hou"), "诸葛": ("zhu", "ge"),
    "东方": ("dong", "fang"), "慕容": ("mu", "rong"), "公孙": ("gong", "sun"),
    "宇文": ("yu", "wen"), "司徒": ("si", "tu"), "呼延": ("hu", "yan"),
}
# pypinyin writes ü as v (lv, nv); people type either, so both are indexed.
_U_UMLAUT = {"lv": "lu", "nv": "nu", "lve": "lue", "nve": "nue"}

# Name separators dropped before indexing and matching (买买提·艾力 = 买买提艾力).
_NAME_SEPARATORS = re.compile(r"[\s·・•‧∙.．\-‐－_—]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SYLLABLE = re.compile(r"[^a-z0-9]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def compact_name(name: str | None) -> str:
    """A name as indexed and matched: NFKC (full-width → half-width), lower-case, no separators."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name).lower()
    return _CONTROL.sub("", _NAME_SEPARATORS.sub("", text))


# Common given-name characters whose everyday reading is not the only one in names.
# Preferred reading first (it decides the sort order).
_NAME_READINGS: dict[str, tuple[str, ...]] = {
    "长": ("chang", "zhang"), "乐": ("le", "yue"), "朝": ("zhao", "chao"),
    "重": ("zhong", "chong"), "行": ("xing", "hang"),
}
_MAX_READINGS = 8


@cache
def _char_pinyin(ch: str) -> str:
    """The everyday toneless reading of one Chinese character ('' if pypinyin has none)."""
    from pypinyin import lazy_pinyin  # imported on first use: see INDEX_VERSION

    return _SYLLABLE.sub("", lazy_pinyin(ch)[0].lower())


def _tokens(text: str) -> list[tuple[str, str]]:
    """(source, syllable) per Chinese character; a run of latin letters or digits is one word."""
    out: list[tuple[str, str]] = []
    word: list[str] = []
    for ch in text + " ":
        if ch.isascii() and ch.isalnum():
            word.append(ch.lower())
            continue
        if word:
            w = "".join(word)
            out.append((w, w))
            word = []
        if _CJK.match(ch):
            py = _char_pinyin(ch)
            if py:
                out.append((ch, py))
    return out


def _syllables(text: str) -> list[str]:
    return [py for _, py in _tokens(text)]


@lru_cache(maxsize=65536)
def name_readings(compact: str) -> tuple[tuple[tuple[str, ...], ...], str]:
    """Every indexed pinyin reading of a compacted name, and its sort key.

    Readings are syllable tuples, character by character: the surname
    reading first if the name begins with a surname read differently
    (曾 zeng, 单 shan, 尉迟 yu chi), then the everyday reading, the other
    name readings of a few common characters, and the ``u`` spelling of
    ``ü`` (lv → lu). The sort key is the first (surname-aware) reading.
    """
    tokens = _tokens(compact)
    if not tokens:
        return (), ""
    if not (compact[:1] in _SURNAME_READINGS or compact[:2] in _SURNAME_READINGS
            or any(src in _NAME_READINGS or py in _U_UMLAUT for src, py in tokens)):
        plain = tuple(py for _, py in tokens)
        return (plain,), "".join(plain)
    options: list[list[str]] = []
    for src, py in tokens:
        opts = list(_NAME_READINGS.get(src, (py,)))
        if py in _U_UMLAUT:
            opts.append(_U_UMLAUT[py])
        options.append(opts)
    for n in (2, 1):
        head = compact[:n]
        if head in _SURNAME_READINGS and "".join(src for src, _ in tokens[:n]) == head:
            for i, reading in enumerate(_SURNAME_READINGS[head]):
                options[i] = [reading] + [o for o in options[i] if o != reading]
            break
    readings = list(islice(product(*options), _MAX_READINGS))
    return tuple(readings), "".join(readings[0])


def _rank(compact: str) -> str:
    """Display order within one score: shorter names first, then pinyin order."""
    return chr(0x30 + min(len(compact), 9)) + name_readings(compact)[1][:_RANK_PINYIN]


def _id_digits(id_number: str | None) -> str:
    if not id_number:
        return ""
    text = unicodedata.normalize("NFKC", id_number).lower()
    return re.sub(r"[^0-9x]", "", text)


def _phone_digits(phone: str | None) -> str:
    if not phone:
        return ""
    text = unicodedata.normalize("NFKC", phone).strip()
    text = re.sub(r"^(\+\s*86|0086)", "", text)
    parts = [p for p in re.split(r"\D+", text) if p]
    if len(parts) >= 3 and parts[0].startswith("0"):
        parts = parts[:2]  # 0719-8123456-123: leave the extension out
    digits = "".join(parts)
    return digits if len(digits) >= 4 else ""


@lru_cache(maxsize=65536)
def _name_keys(compact: str) -> frozenset[tuple[str, int]]:
    if not compact:
        return frozenset()
    keys: set[tuple[str, int]] = set()
    if len(compact) > MAX_GRAM:  # shorter names are found whole among their grams
        keys.add((compact, KeyKind.NAME_EXACT))
    rank = _rank(compact)
    first_pos: dict[str, int] = {}
    for i in range(len(compact)):
        for n in range(1, min(MAX_GRAM, len(compact) - i) + 1):
            first_pos.setdefault(compact[i : i + n], i)
    for gram, pos in first_pos.items():
        keys.add((gram + SEP + ("0" if pos == 0 else "1") + rank, KeyKind.NAME_GRAM))
    for syl in name_readings(compact)[0]:
        for i in range(len(syl)):
            inner = i > 0
            keys.add(("".join(syl[i:]) + SEP + rank,
                      KeyKind.PINYIN_INNER if inner else KeyKind.PINYIN))
            initials = "".join(s[0] for s in syl[i:])
            if not inner or len(initials) >= 2:
                keys.add((initials + SEP + rank,
                          KeyKind.INITIALS_INNER if inner else KeyKind.INITIALS))
    return frozenset(keys)


def person_keys(
    name: str, id_number: str, phone: str | None, phone2: str | None
) -> set[tuple[str, int]]:
    """The (key, kind) rows a person with these values has in ``search_key``.

    Pure: the same values always give the same keys (SNAPSHOT rows, which
    need the person id, are added by :func:`refresh_index`).
    """
    keys = set(_name_keys(compact_name(name)))
    idn = _id_digits(id_number)
    if idn:
        keys.add((idn[::-1], KeyKind.ID_TAIL))
        keys.add((_ID_HEAD_TAG + idn, KeyKind.ID_HEAD))
    for p in (phone, phone2):
        digits = _phone_digits(p)
        if digits:
            keys.add((digits[::-1], KeyKind.PHONE_TAIL))
            keys.add((_PHONE_HEAD_TAG + digits, KeyKind.PHONE_HEAD))
    return keys


def _snapshot_prefix(person_id: str) -> str:
    return _SNAPSHOT_TAG + person_id + SEP


_UNIT = "\x1f"


def _indexed_values(row: tuple[Any, ...]) -> tuple[str, str, str, str]:
    """name, id_number, phone, phone2 as indexed: text, with no unit separator in them."""
    return tuple(  # type: ignore[return-value]
        (v or "").replace(_UNIT, " ") if isinstance(v, str) or v is None else str(v)
        for v in row[:4]
    )


def _snapshot_key(person_id: str, values: tuple[str, str, str, str]) -> str:
    return _snapshot_prefix(person_id) + _UNIT.join(values)


def _snapshot_values(key: str, person_id: str) -> tuple[str, str, str, str]:
    parts = key[len(_snapshot_prefix(person_id)) :].split(_UNIT)
    return tuple((parts + ["", "", "", ""])[:4])  # type: ignore[return-value]


# --- maintaining the index ---------------------------------------------------


def _dbapi(conn: Connection | sqlite3.Connection) -> sqlite3.Connection:
    if isinstance(conn, sqlite3.Connection):
        return conn
    # Make SQLAlchemy begin its transaction (autobegin) before we go underneath it.
    conn.exec_driver_sql("SELECT 1")
    raw = conn.connection.dbapi_connection
    assert raw is not None
    return raw  # type: ignore[return-value]


def _in_transaction(conn: Connection | sqlite3.Connection) -> sqlite3.Connection:
    con = _dbapi(conn)
    if not con.in_transaction:
        # Outside a transaction every statement would commit on its own: half an index.
        raise RuntimeError("the search index is written inside the caller's write transaction")
    return con


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _ensure_version(con: sqlite3.Connection) -> None:
    row = con.execute("SELECT value FROM meta WHERE key = ?", (_META_VERSION,)).fetchone()
    if row is not None and row[0] == INDEX_VERSION:
        return
    # Keys made by another layout cannot be found again from their snapshots: start over.
    con.execute("DELETE FROM search_key")
    con.execute("INSERT OR IGNORE INTO search_pending (person_id) SELECT id FROM person")
    con.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_META_VERSION, INDEX_VERSION),
    )


def refresh_index(conn: Connection | sqlite3.Connection, *, batch: int = 5000) -> int:
    """Recompute the keys of every person queued in ``search_pending``; return how many.

    A helper for a services function: it runs inside the caller's write
    transaction (``services.search_index`` opens it) and never commits.
    Tombstoned and vanished persons lose their keys.
    """
    return _refresh(_in_transaction(conn), batch)


def reindex_all(conn: Connection | sqlite3.Connection) -> int:
    """Queue every person and index them all, inside the caller's write transaction."""
    con = _in_transaction(conn)
    con.execute("DELETE FROM search_key")
    con.execute("INSERT OR IGNORE INTO search_pending (person_id) SELECT id FROM person")
    return refresh_index(con)


# Above this many new keys in one batch they are staged in a temporary table and
# copied in key order at the end: appending to the index in order is about
# twice as fast as scattering inserts over it.
_STAGE_ABOVE = 20_000
_INSERT_KEY = "INSERT OR IGNORE INTO search_key (key, person_id, kind) VALUES (?, ?, ?)"


def _refresh(con: sqlite3.Connection, batch: int) -> int:
    _ensure_version(con)
    if con.execute("SELECT 1 FROM search_pending LIMIT 1").fetchone() is None:
        return 0
    # With an empty index nobody has old keys to look up.
    had_keys = con.execute("SELECT 1 FROM search_key LIMIT 1").fetchone() is not None
    staged = False
    done = 0
    # Millions of short-lived tuples would set off the cyclic collector again
    # and again over the key caches; nothing here makes reference cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        while True:
            ids = [r[0] for r in con.execute(
                "SELECT person_id FROM search_pending ORDER BY person_id LIMIT ?", (batch,))]
            if not ids:
                break
            people: dict[str, tuple[Any, ...]] = {}
            for chunk in _chunks(ids):
                marks = ", ".join("?" * len(chunk))
                for pid, *values in con.execute(
                    "SELECT id, name, id_number, phone, phone2, deleted_at "
                    f"FROM person WHERE id IN ({marks})", chunk):
                    people[pid] = tuple(values)
            delete: list[tuple[str, str, int]] = []
            insert: list[tuple[str, str, int]] = []
            for pid in ids:
                old: set[tuple[str, int]] = set()
                if had_keys:
                    snap = con.execute(
                        "SELECT key FROM search_key WHERE key >= ? AND key < ?",
                        (_snapshot_prefix(pid), _SNAPSHOT_TAG + pid + _SEP_NEXT)).fetchone()
                    if snap is not None:
                        old = person_keys(*_snapshot_values(snap[0], pid))
                        old.add((snap[0], KeyKind.SNAPSHOT))
                new: set[tuple[str, int]] = set()
                row = people.get(pid)
                if row is not None and row[4] is None:
                    values = _indexed_values(row)
                    new = person_keys(*values)
                    new.add((_snapshot_key(pid, values), KeyKind.SNAPSHOT))
                if old:
                    delete += [(k, pid, kind) for k, kind in old - new]
                    new -= old
                insert += [(k, pid, kind) for k, kind in new]
            if delete:
                con.executemany(
                    "DELETE FROM search_key WHERE key = ? AND person_id = ? AND kind = ?", delete)
            if len(insert) > _STAGE_ABOVE or (staged and insert):
                if not staged:
                    con.execute("CREATE TEMP TABLE IF NOT EXISTS search_key_staged "
                                "(key TEXT, person_id TEXT, kind INTEGER)")
                    con.execute("DELETE FROM temp.search_key_staged")
                    staged = True
                con.executemany("INSERT INTO temp.search_key_staged VALUES (?, ?, ?)", insert)
            elif insert:
                con.executemany(_INSERT_KEY, insert)
            con.executemany(
                "DELETE FROM search_pending WHERE person_id = ?", [(pid,) for pid in ids])
            done += len(ids)
        if staged:
            con.execute(
                "INSERT OR IGNORE INTO search_key (key, person_id, kind) "
                "SELECT key, person_id, kind FROM temp.search_key_staged "
                "ORDER BY key, person_id, kind")
            con.execute("DELETE FROM temp.search_key_staged")
    finally:
        if collecting:
            gc.enable()
    return done


# --- searching ---------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    person_id: str
    name: str
    id_number: str
    phone: str | None
    score: int
    matched: str  # 姓名 / 拼音 / 首字母 / 身份证号 / 电话


SCORE_NAME_EXACT = 100
SCORE_NAME_PREFIX = 90
SCORE_NAME_SUBSTRING = 80
SCORE_PINYIN_EQUAL = 70  # full pinyin or full initials equal the query
SCORE_PINYIN_PREFIX = 60  # pinyin or initials start with the query
SCORE_PINYIN_LATER = 50  # ... from a later syllable
SCORE_ID_TAIL = 40
SCORE_PHONE_TAIL = 30
SCORE_NUMBER_HEAD = 20

_MATCHED = {
    KeyKind.NAME_EXACT: "姓名", KeyKind.NAME_GRAM: "姓名",
    KeyKind.PINYIN: "拼音", KeyKind.PINYIN_INNER: "拼音",
    KeyKind.INITIALS: "首字母", KeyKind.INITIALS_INNER: "首字母",
    KeyKind.ID_TAIL: "身份证号", KeyKind.ID_HEAD: "身份证号",
    KeyKind.PHONE_TAIL: "电话", KeyKind.PHONE_HEAD: "电话",
}
_FIXED_SCORE = {
    KeyKind.NAME_EXACT: SCORE_NAME_EXACT,
    KeyKind.PINYIN_INNER: SCORE_PINYIN_LATER, KeyKind.INITIALS_INNER: SCORE_PINYIN_LATER,
    KeyKind.ID_TAIL: SCORE_ID_TAIL, KeyKind.PHONE_TAIL: SCORE_PHONE_TAIL,
    KeyKind.ID_HEAD: SCORE_NUMBER_HEAD, KeyKind.PHONE_HEAD: SCORE_NUMBER_HEAD,
}

MIN_DIGITS = 4  # shorter number fragments match too many people to be useful
MIN_ID_HEAD = 6
PREFIX_CAP = 200  # index entries read from a range that is not in display order


@dataclass(frozen=True)
class _Lookup:
    lo: str
    hi: str
    kinds: tuple[int, ...]
    ordered: bool  # the range comes out of the index in display order
    name_filter: str | None = None  # query longer than a gram: check the name itself


@dataclass
class _Candidate:
    score: int
    rank: str | None
    matched: str
    kind: int


def normalize_query(query: str) -> str:
    """Strip, full-width → half-width, lower-case; spaces and name separators removed."""
    return compact_name(query)


def _plan(query: str) -> list[list[_Lookup]]:
    """Lookups in steps of descending score: a later step never outranks an earlier one."""
    q = normalize_query(query)
    if not q:
        return []
    number = re.fullmatch(r"\d+x?", q) is not None
    if number and len(q) < MIN_DIGITS:
        return []
    # Names first: they outrank everything else, and a seek that finds nothing is cheap.
    gram = q[:MAX_GRAM]
    steps: list[list[_Lookup]] = []
    if len(q) > MAX_GRAM:
        steps.append([_Lookup(q, q + SEP, (KeyKind.NAME_EXACT,), True)])
    steps.append([_Lookup(gram + SEP, gram + _SEP_NEXT, (KeyKind.NAME_GRAM,), True,
                          q if len(q) > MAX_GRAM else None)])
    latin = q
    if _CJK.search(q):
        # 张san: also try the pinyin of the Chinese part.
        latin = "".join(_syllables(q))
    if re.fullmatch(r"[a-z]{2,}", latin):
        equal = (latin + SEP, latin + _SEP_NEXT)
        starts = (latin + _SEP_NEXT, latin + _MAX)
        first = (KeyKind.PINYIN, KeyKind.INITIALS)
        later = (KeyKind.PINYIN_INNER, KeyKind.INITIALS_INNER)
        steps.append([_Lookup(*equal, first, True)])
        steps.append([_Lookup(*starts, first, False)])
        steps.append([_Lookup(*equal, later, True), _Lookup(*starts, later, False)])
    if number:
        tail = q[::-1]
        x = q.endswith("x")
        tails = (KeyKind.ID_TAIL,) if x else (KeyKind.ID_TAIL, KeyKind.PHONE_TAIL)
        steps.append([_Lookup(tail, tail + _MAX, tails, False)])
        heads = []
        if len(q) >= MIN_ID_HEAD:
            heads.append(_Lookup(_ID_HEAD_TAG + q, _ID_HEAD_TAG + q + _MAX,
                                 (KeyKind.ID_HEAD,), False))
        if not x:
            heads.append(_Lookup(_PHONE_HEAD_TAG + q, _PHONE_HEAD_TAG + q + _MAX,
                                 (KeyKind.PHONE_HEAD,), False))
        steps.append(heads)
    return steps


def _score(key: str, kind: int, lookup: _Lookup) -> tuple[int, str | None]:
    """Score and display rank of one index row (rank None: compute it from the name)."""
    if kind in _FIXED_SCORE:
        rank = None
        if kind in (KeyKind.PINYIN_INNER, KeyKind.INITIALS_INNER):
            rank = key[key.index(SEP) + 1 :]
        return _FIXED_SCORE[kind], rank
    at = key.index(SEP)
    if kind == KeyKind.NAME_GRAM:
        rank = key[at + 2 :]
        if key[at + 1] != "0":
            return SCORE_NAME_SUBSTRING, rank
        whole = ord(rank[0]) - 0x30 == at  # the gram is the whole name
        return (SCORE_NAME_EXACT if whole else SCORE_NAME_PREFIX), rank
    equal = lookup.lo.endswith(SEP)  # the range of keys whose text equals the query
    return (SCORE_PINYIN_EQUAL if equal else SCORE_PINYIN_PREFIX), key[at + 1 :]


_PERSON_SQL = (
    "SELECT id, name, id_number, phone, phone2, deleted_at FROM person WHERE id IN ({})"
)


def _fetch_people(con: sqlite3.Connection, ids: Iterable[str],
                  into: dict[str, tuple[Any, ...]]) -> None:
    missing = [i for i in ids if i not in into]
    for chunk in _chunks(missing):
        for row in con.execute(_PERSON_SQL.format(", ".join("?" * len(chunk))), chunk):
            into[row[0]] = row


def _offer(cands: dict[str, _Candidate], pid: str, cand: _Candidate) -> None:
    old = cands.get(pid)
    if old is None or cand.score > old.score:
        cands[pid] = cand


def _name_filtered(con: sqlite3.Connection, rows: list[tuple[str, str, int]], q: str,
                   people: dict[str, tuple[Any, ...]]) -> Iterator[tuple[str, int, str]]:
    _fetch_people(con, (r[1] for r in rows), people)
    for key, pid, _kind in rows:
        row = people.get(pid)
        name = compact_name(row[1]) if row else ""
        if q in name:
            score = SCORE_NAME_PREFIX if name.startswith(q) else SCORE_NAME_SUBSTRING
            yield pid, score, key[key.index(SEP) + 2 :]


def _run(con: sqlite3.Connection, steps: list[list[_Lookup]], limit: int,
         people: dict[str, tuple[Any, ...]]) -> dict[str, _Candidate]:
    cands: dict[str, _Candidate] = {}
    for step in steps:
        for lk in step:
            if lk.ordered and lk.name_filter is None:
                fetch = 2 * limit + len(cands)
            else:
                fetch = max(PREFIX_CAP, 4 * limit)
            marks = ", ".join("?" * len(lk.kinds))
            rows = con.execute(
                "SELECT key, person_id, kind FROM search_key "
                f"WHERE key >= ? AND key < ? AND kind IN ({marks}) ORDER BY key LIMIT ?",
                (lk.lo, lk.hi, *lk.kinds, fetch),
            ).fetchall()
            if lk.name_filter is not None:
                for pid, score, rank in _name_filtered(con, rows, lk.name_filter, people):
                    _offer(cands, pid, _Candidate(score, rank, "姓名", KeyKind.NAME_GRAM))
                continue
            for key, pid, kind in rows:
                score, rank = _score(key, kind, lk)
                _offer(cands, pid, _Candidate(score, rank, _MATCHED[KeyKind(kind)], kind))
        if len(cands) >= limit:
            break  # everything a later step could add ranks below what we have
    return cands


def _match_offline(steps: list[list[_Lookup]], keys: set[tuple[str, int]],
                   name: str) -> _Candidate | None:
    """The same lookups run over one person's keys in memory (tombstoned persons)."""
    best: _Candidate | None = None
    for step in steps:
        for lk in step:
            for key, kind in keys:
                if kind not in lk.kinds or not (lk.lo <= key < lk.hi):
                    continue
                if lk.name_filter is not None:
                    compact = compact_name(name)
                    if lk.name_filter not in compact:
                        continue
                    score = (SCORE_NAME_PREFIX if compact.startswith(lk.name_filter)
                             else SCORE_NAME_SUBSTRING)
                    rank: str | None = None
                else:
                    score, rank = _score(key, kind, lk)
                if best is None or score > best.score:
                    best = _Candidate(score, rank, _MATCHED[KeyKind(kind)], kind)
    return best


def _index_is_current(con: sqlite3.Connection) -> bool:
    if con.execute("SELECT 1 FROM search_pending LIMIT 1").fetchone() is not None:
        return False
    row = con.execute("SELECT value FROM meta WHERE key = ?", (_META_VERSION,)).fetchone()
    if row is not None and row[0] == INDEX_VERSION:
        return True
    # A database with nobody in it needs no index yet.
    return con.execute("SELECT 1 FROM person LIMIT 1").fetchone() is None


def _shown_phone(row: tuple[Any, ...], cand: _Candidate, q: str) -> str | None:
    phone, phone2 = row[3], row[4]
    if cand.kind in (KeyKind.PHONE_TAIL, KeyKind.PHONE_HEAD) and phone2:
        digits = _phone_digits(phone)
        if not (digits.endswith(q) or digits.startswith(q)):
            return phone2
    return phone or phone2


def session_dbapi(session: Session) -> sqlite3.Connection:
    """The sqlite3 connection under a Session's transaction (its own transaction begun)."""
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    return raw  # type: ignore[return-value]


def pending_count(store: Store) -> int:
    """How many persons wait for their search keys to be recomputed."""
    with store.read() as session:
        return session_dbapi(session).execute("SELECT count(*) FROM search_pending").fetchone()[0]


def find(store: Store, query: str, *, limit: int = 20, include_deleted: bool = False,
         only_if_current: bool = False) -> list[SearchHit] | None:
    """Persons matching ``query``, best first: at most ``limit`` hits.

    Reads only, with the index as it stands: persons still queued in
    ``search_pending`` are matched by their old keys. With ``only_if_current``
    it returns None instead when someone is queued (checked in the same read
    transaction, so a search as you type costs one transaction):
    ``services.search_index.search`` then brings the index up to date first.
    """
    steps = _plan(query)
    if not steps or limit <= 0:
        return []
    q = normalize_query(query)
    people: dict[str, tuple[Any, ...]] = {}
    with store.read() as session:
        con = session_dbapi(session)
        if only_if_current and not _index_is_current(con):
            return None
        cands = _run(con, steps, limit, people)
        _fetch_people(con, cands, people)
        if include_deleted:
            # Tombstoned persons have no keys; the recycle bin is matched in memory.
            for row in con.execute(
                "SELECT id, name, id_number, phone, phone2, deleted_at FROM person "
                "WHERE deleted_at IS NOT NULL"
            ):
                found = _match_offline(steps, person_keys(*row[1:5]), row[1])
                if found is not None:
                    people[row[0]] = row
                    _offer(cands, row[0], found)

    hits: list[tuple[tuple[Any, ...], SearchHit]] = []
    for pid, cand in cands.items():
        row = people.get(pid)
        if row is None or (row[5] is not None and not include_deleted):
            continue
        rank = cand.rank if cand.rank is not None else _rank(compact_name(row[1]))
        hit = SearchHit(person_id=pid, name=row[1], id_number=row[2],
                        phone=_shown_phone(row, cand, q), score=cand.score,
                        matched=cand.matched)
        hits.append(((-cand.score, rank, row[1], pid), hit))
    hits.sort(key=lambda h: h[0])
    return [h for _, h in hits[:limit]]
