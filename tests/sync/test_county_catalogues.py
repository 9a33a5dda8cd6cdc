"""Issue 7 items 4 and 5 across real data dirs and real bundles.

* A catalogue change made at the county (a shorter contact interval for one
  category) reaches a village in a real return bundle and changes that
  village's due list; the village lists what the county changed.
* A village's star-sheet self-assessment goes up, the county reviews and
  scores it, and the review comes back in the village's return bundle.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from station_desktop.domain.errors import ConflictError
from station_desktop.services import Service
from station_desktop.services import assessment as assess
from station_desktop.services import catalogues as catalogue_edits
from station_desktop.store import assessment as sa
from station_desktop.store import catalogue_admin as ca
from tests.operators import admin_of
from tests.sync.conftest import TODAY, VA, export, import_


def _round_trip(parties) -> None:
    """va → county, then county → va, each bundle applied."""
    assert import_(parties.county, export(parties.va, parties.county)).status == "applied"
    back = import_(parties.va, export(parties.county, parties.va))
    assert back.status == "applied", back.reason


def _expected_overdue(db, today: date) -> set[str]:
    """Overdue contacts computed here from the raw rows and the village's catalogue rows."""
    import json

    con = sqlite3.connect(db)
    try:
        cat = {code: json.loads(data) for code, data in con.execute(
            "SELECT code, data FROM catalogue_item WHERE kind = 'person_category' "
            "AND deleted_at IS NULL AND active = 1")}
        rules = json.loads(con.execute(
            "SELECT data FROM catalogue_item WHERE kind = 'settings' AND code = 'rules'").fetchone()[0])
        out = set()
        for pid, cats, key_focus, last, registered in con.execute(
                "SELECT id, categories, key_focus, last_contact_on, registered_on FROM person "
                "WHERE deleted_at IS NULL"):
            days = [cat[c]["contact_interval_days"] for c in json.loads(cats) if c in cat]
            interval = min(days) if days else rules["default_contact_interval_days"]
            if key_focus:
                interval = min(interval, rules["key_focus_contact_interval_days"])
            since = date.fromisoformat(last or registered)
            if since + timedelta(days=interval) < today:
                out.add(pid)
        return out
    finally:
        con.close()


def test_county_contact_interval_reaches_the_village_due_list(parties):
    county, va = parties.county, parties.va
    svc = Service(va.store, today=TODAY)
    before = {r["person_id"] for r in svc.due_list()["overdue_contacts"]}
    assert before == _expected_overdue(va.db, TODAY)
    soldiers = {pid for (pid,) in sqlite3.connect(va.db).execute(
        "SELECT p.id FROM person p, json_each(p.categories) j "
        "WHERE j.value = 'retired_soldier' AND p.deleted_at IS NULL")}
    assert soldiers, "the demo village has 退役士兵"

    # the county shortens 退役士兵's contact interval from 180 to 20 days
    cats = Service(county.store, today=TODAY).catalogues()
    entry = cats.get("person_category", "retired_soldier")
    assert entry.data["contact_interval_days"] == 180
    catalogue_edits.save_entry(county.store, cats, admin_of(county.store), "person_category",
                               "retired_soldier", name=entry.name,
                               data={"contact_interval_days": 20})
    # a village cannot make the same edit, not even its administrator
    with pytest.raises(ConflictError, match="县服务中心统一维护"):
        catalogue_edits.save_entry(va.store, svc.catalogues(), admin_of(va.store),
                                   "person_category", "retired_soldier", name=entry.name,
                                   data={"contact_interval_days": 20})

    _round_trip(parties)
    svc.reload_catalogues()
    after = {r["person_id"] for r in svc.due_list()["overdue_contacts"]}
    assert after == _expected_overdue(va.db, TODAY)
    assert after > before  # more persons are due now ...
    assert after - before <= soldiers  # ... and only 退役士兵 became due
    assert svc.catalogues().get("person_category", "retired_soldier").data[
        "contact_interval_days"] == 20

    # the village lists what the county changed, in words
    changes = ca.county_changes(va.store, svc.catalogues())
    texts = [(c.kind_label, c.name, c.what) for c in changes]
    assert ("人员类别", "退役士兵", "联系间隔：180天 → 20天") in texts
    assert ca.unseen_count(va.store, svc.catalogues()) == len(changes)
    catalogue_edits.mark_seen(va.store, admin_of(va.store), changes[0].seq)
    assert ca.unseen_count(va.store, svc.catalogues()) == 0


def test_a_new_sheet_kind_edited_at_the_county_goes_down_whole(parties):
    county, va = parties.county, parties.va
    cats = Service(county.store, today=TODAY).catalogues()
    # the databases were made with every default kind; drop the star sheet at both ends
    # to stand for installations older than the sheet
    for site in (county, va):
        with site.store.write(None) as s:
            from sqlalchemy import text

            s.execute(text("DELETE FROM catalogue_item WHERE kind = 'star_sheet'"))
    cats = Service(county.store, today=TODAY).catalogues()
    assert "star_sheet" not in cats.kinds()
    assert len(sa.load_sheet(cats, sa.STAR).items) == 61  # the built-in default stands in
    catalogue_edits.save_entry(county.store, cats, admin_of(county.store), "star_sheet",
                               "culture_sign", name="统一标识挂牌", data={"points": 5})
    _round_trip(parties)
    village = Service(va.store, today=TODAY).catalogues()
    sheet = sa.load_sheet(village, sa.STAR)
    assert len(sheet.items) == 61 and sheet.by_code["culture_sign"].points == 5
    assert sheet.max_score == 103


def test_star_self_assessment_goes_up_and_the_review_comes_back(parties):
    county, va = parties.county, parties.va
    vcats = Service(va.store, today=TODAY).catalogues()
    sheet = sa.load_sheet(vcats, sa.STAR)
    # full marks except two sub-items
    items = {i.code: {"score": i.points} for i in sheet.items}
    items["culture_sign"] = {"score": 0, "note": "标牌在订做"}
    items["visit_six"] = {"score": 1}
    row = assess.save_self_assessment(va.store, vcats, None, VA, TODAY.year, sa.STAR, items,
                                  submit=True)
    assert row["self_score"] == 100 - 2 - 1 and row["state"] == "submitted"

    assert import_(county, export(va, county)).status == "applied"
    ccats = Service(county.store, today=TODAY).catalogues()
    dist = sa.distribution(county.store, ccats, TODAY.year, sa.STAR, today=TODAY)
    got = {r.code: r for r in dist.stations}
    assert got[VA].score.total == 97 and got[VA].level == 5 and not got[VA].reviewed
    assert parties.vb.code in got and got[parties.vb.code].row is None  # sent nothing

    reviewed = assess.review(county.store, ccats, admin_of(county.store), row["id"],
                             reviewer="王科长", county_items={"guard_funds": 0,
                                                             "guard_equipment": 0},
                             note="经费未落实")
    assert reviewed["county_score"] == 93 and reviewed["star_level"] == 5
    assert reviewed["station_code"] == VA and reviewed["state"] == "reviewed"
    log = sqlite3.connect(county.db).execute(
        "SELECT station_code FROM change_log WHERE table_name = 'station_assessment' "
        "ORDER BY seq DESC LIMIT 1").fetchone()
    assert log == (VA,)

    back = import_(va, export(county, va))
    assert back.status == "applied", back.reason
    mine = sa.load_assessment(va.store, VA, TODAY.year, sa.STAR)
    assert mine is not None
    assert (mine["county_score"], mine["star_level"], mine["reviewer"], mine["state"]) == (
        93, 5, "王科长", "reviewed")
    assert mine["items"]["guard_funds"]["county"] == 0
    assert mine["note"] == "经费未落实"
