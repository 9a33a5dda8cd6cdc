"""Who may do what: each unit of work refuses, in Chinese, what the operator or the
installation may not do, and writes nothing when it refuses."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from station_desktop.domain.errors import ConflictError
from station_desktop.services import Service, open_store, operators
from station_desktop.services import assessment as assess
from station_desktop.services import catalogues as catalogue_edits
from station_desktop.services.permissions import PermissionRefused
from station_desktop.store import assessment as sa
from tests.conftest import TODAY, VILLAGE_CODE, make_id
from tests.operators import admin_of
from tests.store.test_service import fingerprint

COUNTY = "420303000000"


@pytest.fixture
def county(tmp_path):
    store = open_store(tmp_path / "county", daily_backup=False)
    svc = Service(store, today=TODAY)
    svc.init_station(role="county", code=COUNTY, name="茅箭区")
    yield svc
    store.close()


def _clerk(svc: Service) -> str:
    return svc.create("operator", {"name": "李文书", "active": True})["id"]


def test_a_deactivated_or_unknown_operator_writes_nothing(svc, store):
    clerk = _clerk(svc)
    svc.update("operator", clerk, {"active": False})
    before = fingerprint(store)
    as_clerk = Service(store, clerk, today=TODAY)
    with pytest.raises(PermissionRefused, match="“李文书”已被停用") as err:
        as_clerk.create("volunteer_team", {"name": "甲队"})
    assert err.value.code == "operator_inactive"
    ghost = Service(store, "no-such-operator", today=TODAY)
    with pytest.raises(PermissionRefused, match="找不到当前操作员") as err:
        ghost.create("volunteer_team", {"name": "甲队"})
    assert err.value.code == "no_operator"
    assert fingerprint(store) == before


def test_only_an_administrator_manages_operators(svc, store):
    clerk = _clerk(svc)
    as_clerk = Service(store, clerk, today=TODAY)
    before = fingerprint(store)
    with pytest.raises(PermissionRefused, match="只有管理员能进行这项操作") as err:
        as_clerk.create("operator", {"name": "赵六", "active": True})
    assert err.value.code == "not_admin"
    with pytest.raises(PermissionRefused, match="只有管理员"):
        as_clerk.update("operator", clerk, {"is_admin": True})  # not even oneself
    with pytest.raises(PermissionRefused, match="只有管理员"):
        as_clerk.update("operator", svc.operator_id, {"active": False})
    assert fingerprint(store) == before
    # the clerk's own work is fine
    assert as_clerk.create("volunteer_team", {"name": "甲队"})["updated_by"] == clerk


def test_a_deactivated_operator_sets_no_pin(svc, store):
    clerk = _clerk(svc)
    svc.update("operator", clerk, {"active": False})
    before = fingerprint(store)
    with pytest.raises(PermissionRefused, match="已被停用"):
        operators.set_pin(store, clerk, svc.operator_id, "2580")
    assert fingerprint(store) == before


def test_catalogues_are_edited_by_the_county_administrator_only(county, svc):
    cats = county.catalogues()
    entry = cats.get("person_category", "retired_soldier")
    clerk = _clerk(county)
    before = fingerprint(county.store)
    with pytest.raises(PermissionRefused, match="只有管理员"):
        catalogue_edits.save_entry(county.store, cats, clerk, "person_category",
                                   "retired_soldier", name=entry.name,
                                   data={"contact_interval_days": 20})
    with pytest.raises(PermissionRefused, match="没有指明操作员"):
        catalogue_edits.save_entry(county.store, cats, None, "person_category",
                                   "retired_soldier", name=entry.name,
                                   data={"contact_interval_days": 20})
    assert fingerprint(county.store) == before
    # a village refuses, even its administrator, and tells why in Chinese
    vbefore = fingerprint(svc.store)
    with pytest.raises(PermissionRefused, match="目录由县服务中心统一维护") as err:
        catalogue_edits.save_entry(svc.store, svc.catalogues(), svc.operator_id,
                                   "person_category", "retired_soldier", name=entry.name,
                                   data={"contact_interval_days": 20})
    assert err.value.code == "not_county" and isinstance(err.value, ConflictError)
    assert fingerprint(svc.store) == vbefore
    # the county's administrator may
    done = catalogue_edits.save_entry(county.store, cats, county.operator_id, "person_category",
                                      "retired_soldier", name=entry.name,
                                      data={"contact_interval_days": 20})
    assert done["data"]["contact_interval_days"] == 20


def test_review_needs_the_county_and_an_active_operator(county, svc):
    cats = county.catalogues()
    row = assess.save_self_assessment(county.store, cats, None, VILLAGE_CODE, 2026, sa.WUYOU,
                                      {"institution": True})
    clerk = _clerk(county)
    county.update("operator", clerk, {"active": False})
    before = fingerprint(county.store)
    with pytest.raises(PermissionRefused, match="没有指明操作员"):
        assess.review(county.store, cats, None, row["id"], reviewer="王科长")
    with pytest.raises(PermissionRefused, match="已被停用"):
        assess.review(county.store, cats, clerk, row["id"], reviewer="王科长")
    assert fingerprint(county.store) == before
    # on a village nobody reviews
    own = assess.save_self_assessment(svc.store, svc.catalogues(), svc.operator_id, VILLAGE_CODE,
                                      2026, sa.WUYOU, {"institution": True})
    with pytest.raises(PermissionRefused, match="只有县服务中心可以审核评分") as err:
        assess.review(svc.store, svc.catalogues(), admin_of(svc.store), own["id"],
                      reviewer="王建国")
    assert err.value.code == "not_county"
    got = assess.review(county.store, cats, county.operator_id, row["id"], reviewer="王科长")
    assert got["state"] == "reviewed" and got["updated_by"] == county.operator_id


def test_a_deactivated_operator_marks_nothing_seen(svc, store):
    clerk = _clerk(svc)
    svc.update("operator", clerk, {"active": False})
    before = fingerprint(store)
    with pytest.raises(PermissionRefused, match="已被停用"):
        catalogue_edits.mark_seen(store, clerk, 5)
    assert fingerprint(store) == before


def test_a_village_changes_only_its_own_rows_the_county_may_correct_any(svc, store, county):
    """A row of another station in a village's file (here written as a merge would) is not
    the village's to change: edit, delete, restore and workflows refuse, nothing written."""
    other = "420303100299"
    theirs = svc.create("person", {"name": "外村人", "id_number": make_id(seq=701),
                                   "categories": "退役士兵"})
    with store.write(None) as s:  # as a bundle from the county would have placed it
        s.execute(text("UPDATE person SET station_code = :c WHERE id = :id"),
                  {"c": other, "id": theirs["id"]})
    app = svc.create("aid_application", {"person_id": theirs["id"], "aid_type": "living",
                                         "cause": "失业", "applied_on": TODAY,
                                         "requested_fen": "800"})
    with store.write(None) as s:
        s.execute(text("UPDATE aid_application SET station_code = :c WHERE id = :id"),
                  {"c": other, "id": app["id"]})
    before = fingerprint(store)
    for attempt in (
        lambda: svc.update("person", theirs["id"], {"phone": "13900139000"}),
        lambda: svc.delete("person", theirs["id"]),
        lambda: svc.review_aid(app["id"], level="village", decision="approve", reviewer="王"),
    ):
        with pytest.raises(PermissionRefused, match="属于服务站 420303100299") as refused:
            attempt()
        assert refused.value.code == "not_owner"
    assert fingerprint(store) == before
    # The county corrects a station's record: allowed.
    mine = county.create("person", {"name": "县里更正", "id_number": make_id(seq=702),
                                    "categories": "退役士兵"})
    with county.store.write(None) as s:
        s.execute(text("UPDATE person SET station_code = :c WHERE id = :id"),
                  {"c": VILLAGE_CODE, "id": mine["id"]})
    assert county.update("person", mine["id"], {"phone": "13900139000"})["phone"] == "13900139000"
