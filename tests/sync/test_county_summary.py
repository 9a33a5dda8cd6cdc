"""The bundle import and a transfer keep the county's summary table current (issue 7).

Real parties (keys, enrolment, signed and encrypted bundles): after a county
imports a village's bundle, that village's summary rows are current inside
the import's own transaction (no home page needed to refresh them), and the
summary-based home page equals the live one; a transfer refreshes both
stations; a refused or trial import leaves the summary as it was.
"""

from __future__ import annotations

from datetime import date

from station_desktop.domain.catalogues import Catalogues
from station_desktop.services.county import county_view
from station_desktop.services.sync import review
from station_desktop.services.sync.imports import import_bundle
from station_desktop.store import county, county_summary
from tests.sync.conftest import VA, VB, export, import_

CATS = Catalogues.defaults()


def summary_state(store) -> dict[str, tuple[str, str]]:
    with store.raw_read() as con:
        return {c: (f, at) for c, f, at in con.execute(
            "SELECT station_code, valid_from, computed_at FROM county_summary_state "
            "WHERE period_key = ?", (county_summary.period_key(date.today()),))}


def views_agree(store) -> county.CountyFigures:
    today = date.today()
    period = county.CountyPeriod.current(today)
    live_fig, live_chart = county.county_view(store, CATS, period, today=today)
    fig, chart = county_view(store, CATS, period, today=today)
    assert [(u.code, u.cells) for u in (fig.county, *fig.towns, *fig.stations)] == [
        (u.code, u.cells) for u in (live_fig.county, *live_fig.towns, *live_fig.stations)]
    assert chart == live_chart
    return fig


def test_import_refreshes_the_sender_and_a_transfer_both_stations(parties):
    cty = parties.county
    assert summary_state(cty.store) == {}
    got = import_(cty, export(parties.va, cty))
    assert got.status == "applied" and got.created > 0
    after_a = summary_state(cty.store)
    assert set(after_a) == {VA}  # refreshed by the import itself, before any page
    assert after_a[VA][0] == date.today().isoformat()
    fig = views_agree(cty.store)
    assert fig.unit(VA).n("persons") == 12
    seen = summary_state(cty.store)

    # A second village's bundle: only that station is recomputed.
    import_(cty, export(parties.vb, cty))
    after_b = summary_state(cty.store)
    assert after_b[VA] == seen[VA] and after_b[VB] != seen.get(VB)
    assert views_agree(cty.store).unit(VB).n("persons") == 8

    # A replayed bundle changes nothing and recomputes nothing.
    again = import_bundle(cty.store, export(parties.vb, cty, out=cty.dir.parent / "again"))
    assert again.status in ("applied", "duplicate")
    assert summary_state(cty.store) == after_b

    with cty.store.raw_read() as con:
        pid = con.execute("SELECT id FROM person WHERE station_code = ? AND deleted_at IS NULL "
                          "ORDER BY id LIMIT 1", (VA,)).fetchone()[0]
    before = summary_state(cty.store)
    review.transfer_person(cty.store, pid, VB)
    moved = summary_state(cty.store)
    assert moved[VA] != before[VA] and moved[VB] != before[VB]
    fig = views_agree(cty.store)
    assert (fig.unit(VA).n("persons"), fig.unit(VB).n("persons")) == (11, 9)
