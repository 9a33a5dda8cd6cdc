"""Search speed on a generated county-sized roster.

    python benchmarks/bench_search.py [--persons 100000] [--queries 300] [--out FILE]

Generates N persons with realistic Chinese names (weighted common surnames,
one or two given-name characters), valid 18-digit ID numbers and mobile
phones, inserts them in bulk through ``store.raw_write()`` (so the capture
and search triggers fire as for any import), times the index build, then
times ``search()`` end to end (read transaction included) for each query
type and prints p50 / p95 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from station_desktop.services import open_store
from station_desktop.store.models import new_id, utc_now
from station_desktop.services.search_index import search
from station_desktop.store.search import name_readings, refresh_index

SEED = 20261123
STATION = "420303100201"
REGIONS = ("420302", "420303", "420304", "420322", "420323", "420324", "420325", "420381")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# Common surnames, roughly by frequency (the first ones are far more common).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严覃武戴莫孔向汤单翟查解仇乐缪"
)
COMPOUND = ("欧阳", "司马", "上官", "诸葛", "尉迟", "长孙")
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文玉兰凤新民春林海燕云辉斌波宇"
    "浩鹏飞鑫宁晨欣雪梅琳晶颖婷慧佳俊峰帅龙亮成德福荣贵祥兴旺忠诚孝义礼智信仁和顺安康永长青"
    "松柏竹山川江河湖泉金银铁钢军兵卫东西南北中天地人光耀辉煌秋冬夏月星阳树根发财富有喜乐宝"
)


def id_number(rng: random.Random) -> str:
    region = rng.choice(REGIONS)
    birth = f"{rng.randint(1940, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{region}{birth}{rng.randrange(1000):03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def person_name(rng: random.Random) -> str:
    if rng.random() < 0.01:
        surname = rng.choice(COMPOUND)
    else:
        # Zipf-like: low indexes (王, 李, 张 ...) are picked far more often.
        surname = SURNAMES[min(int(rng.paretovariate(0.9)) - 1, len(SURNAMES) - 1)]
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return surname + given


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def generate(n: int, rng: random.Random) -> list[tuple]:
    now = utc_now()
    rows, seen_ids = [], set()
    while len(rows) < n:
        idn = id_number(rng)
        if idn in seen_ids:
            continue
        seen_ids.add(idn)
        p1 = phone(rng) if rng.random() < 0.9 else None
        p2 = phone(rng) if rng.random() < 0.2 else None
        rows.append((new_id(), STATION, now, now, person_name(rng), idn,
                     rng.choice("MF"), "1970-01-01", p1, p2))
    return rows


INSERT = (
    "INSERT INTO person (id, station_code, created_at, updated_at, name, id_number, sex, "
    "birth_date, phone, phone2, categories, tags, key_focus, registered_on, re_enlisted, "
    "zero_employment_family, benefit_kinds, lone_elder_or_orphan) VALUES "
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', '[]', 0, '2026-01-01', 0, 0, '[]', 0)"
)


def queries(rows: list[tuple], n: int, rng: random.Random) -> dict[str, list[str]]:
    def pick() -> tuple:
        return rng.choice(rows)

    def fragment() -> str:
        name = pick()[4]
        size = rng.choice((1, 2)) if len(name) > 1 else 1
        start = rng.randrange(len(name) - size + 1)
        return name[start:start + size]

    def initials() -> str:
        syl = name_readings(pick()[4])[0][0]
        full = "".join(s[0] for s in syl)
        return full if rng.random() < 0.6 else full[:2]

    def pinyin() -> str:
        syl = name_readings(pick()[4])[0][0]
        start = rng.randrange(len(syl))
        return "".join(syl[start:])

    def with_phone() -> str:
        while True:
            p = pick()[8]
            if p:
                return p

    makers: dict[str, Callable[[], str]] = {
        "name_fragment_1_2_chars": fragment,
        "common_surname_1_char": lambda: rng.choice("王李张刘陈"),
        "full_name": lambda: pick()[4],
        "pinyin_initials": initials,
        "initials_2_letters": lambda: "".join(s[0] for s in name_readings(pick()[4])[0][0])[:2],
        "full_pinyin_any_syllable": pinyin,
        "id_tail_4": lambda: pick()[5][-4:],
        "id_tail_6": lambda: pick()[5][-6:],
        "id_head_6": lambda: pick()[5][:6],
        "phone_tail_4": lambda: with_phone()[-4:],
    }
    return {kind: [make() for _ in range(n)] for kind, make in makers.items()}


def sizes(store) -> tuple[int, float, float]:
    """Search keys, the index's size and the whole file's, in MB (after a checkpoint)."""
    with store.engine.connect() as conn:
        con = conn.connection.dbapi_connection
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        keys = con.execute("SELECT count(*) FROM search_key").fetchone()[0]
        try:
            index = con.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN "
                "('search_key', 'sqlite_autoindex_search_key_1')").fetchone()[0] or 0
        except Exception:  # SQLite built without the dbstat table
            index = 0
    return keys, index / 2**20, store.path.stat().st_size / 2**20


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300, help="queries of each type")
    ap.add_argument("--out", type=Path, help="write the figures as JSON here")
    ap.add_argument("--dir", type=Path, help="data dir (default: a temporary one)")
    args = ap.parse_args(argv)

    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(args.dir or Path(tmp) / "data", daily_backup=False)
        try:
            rows = generate(args.persons, rng)
            t = time.perf_counter()
            with store.raw_write() as con:
                con.executemany(INSERT, rows)
            insert_s = time.perf_counter() - t
            t = time.perf_counter()
            with store.raw_write() as con:
                indexed = refresh_index(con)
            index_s = time.perf_counter() - t
            keys, index_mb, db_mb = sizes(store)
            print(f"persons {args.persons}: insert {insert_s:.1f} s, index {indexed} persons "
                  f"in {index_s:.1f} s ({keys} keys, {index_mb:.0f} MB of {db_mb:.0f} MB)")

            search(store, "王")  # warm up (first read, imports, caches)
            results: dict[str, dict[str, float]] = {}
            print(f"{'query type':28} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
                  f"{'hits':>6}")
            for kind, qs in queries(rows, args.queries, rng).items():
                times, hits = [], 0
                for q in qs:
                    t = time.perf_counter()
                    found = search(store, q)
                    times.append((time.perf_counter() - t) * 1000)
                    hits += len(found)
                results[kind] = {
                    "n": len(times), "p50_ms": round(statistics.median(times), 2),
                    "p95_ms": round(pct(times, 95), 2), "max_ms": round(max(times), 2),
                    "mean_hits": round(hits / len(qs), 1),
                }
                r = results[kind]
                print(f"{kind:28} {r['n']:>5} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} "
                      f"{r['max_ms']:>8.2f} {r['mean_hits']:>6}")
        finally:
            store.close()

    if args.out:
        args.out.write_text(json.dumps({
            "persons": args.persons, "insert_s": round(insert_s, 2),
            "index_build_s": round(index_s, 2), "search_keys": keys,
            "index_mb": round(index_mb, 1), "database_mb": round(db_mb, 1), "queries": results,
            "python": sys.version.split()[0], "cpus": os.cpu_count(),
        }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
